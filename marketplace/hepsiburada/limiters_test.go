package hepsiburada_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
)

// TestThrottledUploadPausesOnlyUploads: a 429 on a stock upload pauses the stock
// limiter only; the listing service's reads (upload status), the order service and
// the catalog go on at once, each on its own limiter.
func TestThrottledUploadPausesOnlyUploads(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, sb := newSandbox(t, &now)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "-uploads") {
			w.Header().Set("X-RateLimit-Reset", "30")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		proxy(sb.URL, w, r)
	}))
	t.Cleanup(srv.Close)
	stock, poll, orders, catalog := marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10),
		marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10)
	c := hepsiburada.New(hepsiburada.Config{
		CatalogURL: srv.URL, ListingURL: srv.URL, OMSURL: srv.URL, MerchantID: merchant, ServiceKey: key, UserAgent: agent,
		HTTPClient: srv.Client(), Limiter: catalog, StockLimiter: stock, PollLimiter: poll, OrdersLimiter: orders,
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.PushStock(ctx, []marketplace.Stock{{SKU: "A", Quantity: 3}})
	require.ErrorIs(t, err, marketplace.ErrRateLimited)
	assert.Greater(t, stock.Paused(), 20*time.Second, "X-RateLimit-Reset: 30")
	for name, l := range map[string]*marketplace.Limiter{"poll": poll, "orders": orders, "catalog": catalog} {
		assert.Zero(t, l.Paused(), name)
	}
	_, _, err = c.Orders(ctx, "")
	assert.NoError(t, err, "an order read does not wait for the stock limiter")
	_, err = c.ReadStock(ctx, []marketplace.Stock{{SKU: "A"}})
	assert.NoError(t, err, "a listing read does not wait for the stock limiter")
}

// proxy sends r on to base and copies the answer back.
func proxy(base string, w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, base+r.URL.RequestURI(), r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header = r.Header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer res.Body.Close()
	for k, v := range res.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(res.StatusCode)
	_, _ = io.Copy(w, res.Body)
}
