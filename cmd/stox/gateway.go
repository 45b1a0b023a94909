package main

import (
	"net/http"
	"time"

	"github.com/stox-dev/stox/internal/bearer"
)

// maxHeaderBytes bounds a request's header on every server (over it the server
// answers 431 itself): 64 KiB holds any real client's headers, where Go's default
// (1 MiB) lets each connection make the server hold a megabyte before a handler runs.
const maxHeaderBytes = 64 << 10

// adminHTTPServer is the admin server on addr. Every admin answer is small and quick
// (health, metrics, status, a webhook delivery), so unlike the API it can have plain
// read and write timeouts.
func adminHTTPServer(addr string, h http.Handler) *http.Server {
	return &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute,
		MaxHeaderBytes: maxHeaderBytes}
}

// adminGuard puts the admin routes behind STOX_ADMIN_KEY, but for three kinds of
// request: /healthz and /readyz, which orchestrators probe without credentials, and
// the marketplaces' order webhooks. A webhook carries the marketplace's own
// credentials (Trendyol's Basic or x-api-key, checked by its handler) and the
// marketplace cannot send ours; exempting it here keeps one admin listener (one port
// to publish, one URL to register) instead of a webhook listener of its own, while
// /metrics and /status on that same port stay closed to whoever reaches it.
func (a *app) adminGuard(mux http.Handler) http.Handler {
	open := map[string]bool{"/healthz": true, "/readyz": true}
	for path := range a.webhooks {
		open[path] = true
	}
	guarded := func(r *http.Request) bool { return !open[r.URL.Path] }
	return bearer.Guard(a.cfg.AdminKey, "stox-admin", guarded, mux)
}
