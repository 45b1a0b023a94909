package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

// realEnv is the API over a real store and filesystem blobs, with the initial stock
// recorded in the store's ledger as the app does (without the broadcast).
func realEnv(t *testing.T, st store.Stores) *env {
	t.Helper()
	blobs, err := blob.NewFS(t.TempDir())
	require.NoError(t, err)
	e := &env{t: t, pub: &publisher{}}
	h, err := New(Config{
		Store: st, Blobs: blobs, Publish: e.pub.Publish, APIKeys: []string{testKey},
		Taxonomy: st, SetStock: st.SetStock, Stock: st.Stock,
		InitStock: func(ctx context.Context, sku string, quantity int) error {
			_, _, err := st.Stock(ctx, sku)
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			_, err = st.SetStock(ctx, sku, quantity)
			return err
		},
		TempDir: t.TempDir(),
		Logger:  slog.New(slog.DiscardHandler),
	})
	require.NoError(t, err)
	e.h = h
	return e
}

// TestDatabaseOutage cuts the connection to a real PostgreSQL: every route that needs
// the database answers 503 with Retry-After and a problem that says the database is
// unavailable (never 500), nothing is published, and once the database is back the
// same requests succeed.
func TestDatabaseOutage(t *testing.T) {
	st, proxy := storetest.PostgresThroughProxy(t)
	e := realEnv(t, st)
	jpg := jpegBytes(t, 8, 8)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	var acc Accepted
	decodeJSON(t, rec.Body, &acc)

	proxy.Cut()
	requests := map[string]func() *http.Request{
		"upload": func() *http.Request {
			return uploadRequest(t, productPart(`{"sku":"NEW-1","name":"Mug","price":10,"stock":3}`), photoPart("a.jpg", jpg))
		},
		"product":  func() *http.Request { return authed(http.MethodGet, "/v1/products/"+acc.ID) },
		"products": func() *http.Request { return authed(http.MethodGet, "/v1/products?limit=5") },
		"stock":    func() *http.Request { return stockRequest("MUG-01", `{"quantity":4}`) },
		"pins":     func() *http.Request { return authed(http.MethodGet, "/v1/mappings") },
	}
	for name, req := range requests {
		// Twice: the first may meet a pooled connection the cut closed, the second dials.
		for range 2 {
			rec := e.do(req())
			require.Equal(t, http.StatusServiceUnavailable, rec.Code, "%s: %s", name, rec.Body)
			assert.Equal(t, retryAfter, rec.Header().Get("Retry-After"), name)
			p := decodeProblem(t, rec)
			assert.Equal(t, ProblemDatabaseUnavailable, p.Type, name)
			assert.Contains(t, p.Detail, "the database is unavailable", name)
		}
	}
	hits, _ := e.pub.calls()
	assert.Equal(t, 1, hits, "nothing published while the database was away")

	proxy.Restore()
	for name, req := range requests {
		rec := e.do(req())
		assert.Less(t, rec.Code, 300, "%s after the outage: %d %s", name, rec.Code, rec.Body)
	}
	hits, sent := e.pub.calls()
	require.Equal(t, 2, hits)
	assert.Equal(t, "NEW-1", sent[1].Product.SKU)
	q, _, err := st.Stock(t.Context(), "NEW-1")
	require.NoError(t, err)
	assert.Equal(t, 3, q)
}

// authed is an authenticated request without a body.
func authed(method, target string) *http.Request {
	req, _ := http.NewRequest(method, target, nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	return req
}
