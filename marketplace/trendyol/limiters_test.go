package trendyol_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
)

// TestThrottledPushPausesOnlyPushes: Trendyol counts each endpoint on its own, and so
// does the adapter. A 429 on price-and-inventory pauses the stock limiter only: batch
// polls, order reads and everything else go on at once.
func TestThrottledPushPausesOnlyPushes(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb := sandbox.New(sandbox.Options{
		Now:      func() time.Time { return start }, // the window never passes: one request per endpoint
		Trendyol: sandbox.TrendyolOptions{SellerID: "123456", APIKey: "key", APISecret: "secret", RateLimit: 1},
	})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	stock, poll, orders, rest := marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10),
		marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10)
	c := trendyol.New(onClock(trendyol.Config{
		BaseURL: srv.URL, SellerID: "123456", APIKey: "key", APISecret: "secret", HTTPClient: srv.Client(),
		Limiter: rest, StockLimiter: stock, PollLimiter: poll, OrdersLimiter: orders,
	}, sb))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	sub, err := c.PushStock(ctx, []marketplace.Stock{{SKU: "A", Barcode: "8690000000001", Quantity: 3}})
	require.NoError(t, err)
	_, err = c.PushStock(ctx, []marketplace.Stock{{SKU: "A", Barcode: "8690000000001", Quantity: 2}})
	require.ErrorIs(t, err, marketplace.ErrRateLimited)
	assert.Greater(t, stock.Paused(), time.Duration(0))
	for name, l := range map[string]*marketplace.Limiter{"poll": poll, "orders": orders, "rest": rest} {
		assert.Zero(t, l.Paused(), name)
	}

	_, err = c.Poll(ctx, strings.Split(sub.ID, ",")[0])
	assert.NoError(t, err, "a batch poll does not wait for the stock limiter")
	_, _, err = c.Orders(ctx, "")
	assert.NoError(t, err, "an order read does not wait for the stock limiter")
	_, err = c.Poll(ctx, sub.ID)
	assert.ErrorIs(t, err, marketplace.ErrRateLimited, "the sandbox counts the batch endpoint on its own too")
	assert.Greater(t, poll.Paused(), time.Duration(0))
	assert.Greater(t, stock.Paused(), time.Duration(0))
}
