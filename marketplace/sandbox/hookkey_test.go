package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

// TestHookKey: with a hook key, every test hook answers 401 with a Bearer challenge
// unless the request carries the key, while the marketplace imitations keep their own
// auth and take requests without it; /healthz stays open.
func TestHookKey(t *testing.T) {
	const key = "hook-key-0123456789"
	e := newEnv(t, sandbox.Options{HookKey: key, Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second}})
	code, body := e.do(t, http.MethodPost, productsPath, map[string]any{"items": []any{validItem()}}, nil)
	require.Equal(t, http.StatusOK, code, "an imitation needs no hook key: %v", body)
	e.now = e.now.Add(time.Second)

	hook := func(method, path, body, auth string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		if auth != "" {
			r.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, r)
		return rec
	}
	for _, h := range []struct{ method, path, body string }{
		{http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-1","quantity":1}`},
		{http.MethodGet, "/sandbox/trendyol/stock/SKU-1", ""},
		{http.MethodPut, "/sandbox/amazon/stock/SKU-1", `{"quantity":3}`},
		{http.MethodGet, "/sandbox/hepsiburada/listings", ""},
		{http.MethodGet, "/sandbox/trendyol/webhooks/stats", ""},
	} {
		rec := hook(h.method, h.path, h.body, "")
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s %s without the key", h.method, h.path)
		assert.Equal(t, `Bearer realm="sandbox"`, rec.Header().Get("WWW-Authenticate"))
		rec = hook(h.method, h.path, h.body, "Bearer wrong-key-0123456789")
		assert.Equal(t, http.StatusUnauthorized, rec.Code, "%s %s with a wrong key", h.method, h.path)
	}

	rec := hook(http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-1","quantity":4}`, "Bearer "+key)
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	rec = hook(http.MethodGet, "/sandbox/trendyol/stock/SKU-1", "", "Bearer "+key)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"quantity":6`, "the order went through")

	assert.Equal(t, http.StatusOK, hook(http.MethodGet, "/healthz", "", "").Code)
}
