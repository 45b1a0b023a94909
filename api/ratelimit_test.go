package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestKeyRateLimit: each API key has its own bucket: the burst goes through with
// RateLimit headers counting down, the next request is answered 429 with Retry-After
// and a problem that says why, another key is not held back, and the bucket refills
// at the configured rate. /healthz and images are not counted.
func TestKeyRateLimit(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	e := newEnv(t, func(c *Config) {
		c.KeyRate, c.KeyBurst = 0.5, 3
		c.Now = func() time.Time { return now }
	})
	for i := range 3 {
		rec := e.get("/v1/products")
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "3", rec.Header().Get("RateLimit-Limit"))
		assert.Equal(t, []string{"2", "1", "0"}[i], rec.Header().Get("RateLimit-Remaining"))
	}
	rec := e.get("/v1/products")
	require.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "2", rec.Header().Get("Retry-After"), "one token every 2 s")
	assert.Equal(t, "0", rec.Header().Get("RateLimit-Remaining"))
	var p Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	assert.Contains(t, p.Detail, "more than 3 requests at once or 0.5 a second")

	other := httptest.NewRequest(http.MethodGet, "/v1/products", nil)
	other.Header.Set("Authorization", "Bearer "+otherKey)
	assert.Equal(t, http.StatusOK, e.do(other).Code, "the other key has its own bucket")
	assert.Equal(t, http.StatusOK, e.do(httptest.NewRequest(http.MethodGet, "/healthz", nil)).Code, "not under /v1")

	now = now.Add(2 * time.Second)
	assert.Equal(t, http.StatusOK, e.get("/v1/products").Code, "a token after 1/rate")
	assert.Equal(t, http.StatusTooManyRequests, e.get("/v1/products").Code)
}

// TestKeyRateLimitOff: no KeyRate, no limit and no headers; a negative one is refused.
func TestKeyRateLimitOff(t *testing.T) {
	e := newEnv(t)
	for range 50 {
		require.Equal(t, http.StatusOK, e.get("/v1/products").Code)
	}
	assert.Empty(t, e.get("/v1/products").Header().Get("RateLimit-Limit"))
	_, err := New(Config{Store: newMemStore(), Blobs: newMemBlobs(), Publish: (&publisher{}).Publish, KeyRate: -1})
	assert.ErrorContains(t, err, "key rate -1 and key burst 0 must not be negative")
}
