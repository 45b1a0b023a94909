package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// TestAdminKey: with STOX_ADMIN_KEY set, /metrics and /status answer 401 with a Bearer
// challenge unless asked with the key, while /healthz, /readyz and the Trendyol order
// webhook (which carries Trendyol's own credentials, checked by its handler) need
// none; without the key everything is open, as before.
func TestAdminKey(t *testing.T) {
	const key = "admin-key-0123456789"
	cfg := baseConfig(t)
	cfg.AdminKey = key
	cfg.TrendyolWebhookUsername, cfg.TrendyolWebhookPassword = "trendyol", "hook-password"
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer a.close()
	_, err = a.router(messages.Trendyol)
	require.NoError(t, err)
	srv := httptest.NewServer(a.adminServer(nil).Handler)
	defer srv.Close()

	get := func(path, auth string) *http.Response {
		req, err := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		require.NoError(t, err)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		return res
	}
	for _, path := range []string{"/metrics", "/status"} {
		res := get(path, "")
		assert.Equal(t, http.StatusUnauthorized, res.StatusCode, path)
		assert.Equal(t, `Bearer realm="stox-admin"`, res.Header.Get("WWW-Authenticate"), path)
		assert.Equal(t, http.StatusUnauthorized, get(path, "Bearer not-the-admin-key-0").StatusCode, path)
	}
	assert.Equal(t, http.StatusOK, get("/metrics", "Bearer "+key).StatusCode)
	assert.Equal(t, http.StatusOK, get("/healthz", "").StatusCode)
	assert.Equal(t, http.StatusOK, get("/readyz", "").StatusCode)

	const delivery = `{"shipmentPackageId":3301,"orderNumber":"10001","orderDate":1764072000000,"status":"Created",
		"lastModifiedDate":1764072000000,"lines":[{"lineId":33011,"barcode":"BC1","stockCode":"SKU-1","quantity":2}]}`
	hook := func(user, pass string) *http.Response {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/trendyol", strings.NewReader(delivery))
		require.NoError(t, err)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res
	}
	assert.Equal(t, http.StatusNoContent, hook("trendyol", "hook-password").StatusCode, "Trendyol reaches its webhook without the admin key")
	res := hook("", "")
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode, "the webhook still checks Trendyol's credentials")
	assert.Empty(t, res.Header.Get("WWW-Authenticate"), "answered by the webhook, not the admin key")

	open, err := openApp(context.Background(), baseConfig(t), slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer open.close()
	openSrv := httptest.NewServer(open.adminServer(nil).Handler)
	defer openSrv.Close()
	res, err = http.Get(openSrv.URL + "/metrics")
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode, "no key: open")
}

// TestMaxHeaderBytes: the API server refuses a request whose header is over
// maxHeaderBytes with 431 before any handler runs, and serves one well under it.
func TestMaxHeaderBytes(t *testing.T) {
	a := &app{cfg: baseConfig(t)}
	srv := a.apiServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	send := func(headerBytes int) int {
		conn, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		defer conn.Close()
		require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
		_, err = fmt.Fprintf(conn, "GET /v1/products HTTP/1.1\r\nHost: stox\r\nX-Pad: %s\r\n\r\n", strings.Repeat("x", headerBytes))
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusRequestHeaderFieldsTooLarge, send(2*maxHeaderBytes))
	assert.Equal(t, http.StatusNoContent, send(maxHeaderBytes/2))
}

// TestGatewayConfig: the keys must be long enough to be secrets, and the API's
// request timeout positive.
func TestGatewayConfig(t *testing.T) {
	t.Setenv("STOX_ADMIN_KEY", "short")
	t.Setenv("STOX_SANDBOX_KEY", "has white space in it")
	t.Setenv("STOX_API_REQUEST_TIMEOUT", "0s")
	_, err := loadConfig()
	require.Error(t, err)
	for _, want := range []string{"STOX_ADMIN_KEY must be", "STOX_SANDBOX_KEY must be", "STOX_API_REQUEST_TIMEOUT must be positive"} {
		assert.Contains(t, err.Error(), want)
	}

	t.Setenv("STOX_ADMIN_KEY", "admin-key-0123456789")
	t.Setenv("STOX_SANDBOX_KEY", "sandbox-key-0123456789")
	t.Setenv("STOX_API_REQUEST_TIMEOUT", "5s")
	cfg, err := loadConfig()
	require.NoError(t, err)
	assert.Equal(t, 5*time.Second, cfg.APITimeout)
	assert.Equal(t, "sandbox-key-0123456789", cfg.SandboxKey)
}
