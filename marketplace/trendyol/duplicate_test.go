package trendyol_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
)

// TestStockRepeatOfAnOlderBody: Trendyol refuses a price-and-inventory body it saw
// within 15 minutes. A quantity going 25 → 22 (in a batch with another barcode) → 25
// sends the first body again; the refusal then does not mean Trendyol shows 25 (it
// shows 22), so the client sends the same values again made new by the price Trendyol
// holds, and Trendyol ends showing 25. A client that knows no price (a restart) reads
// it back first. Sending exactly what was last sent is still refused as a duplicate:
// Trendyol holds those values.
func TestStockRepeatOfAnOlderBody(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return start },
		Trendyol: sandbox.TrendyolOptions{SellerID: "7", APIKey: "k", APISecret: "s"}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	newClient := func() *trendyol.Client {
		return trendyol.New(onClock(trendyol.Config{BaseURL: srv.URL, SellerID: "7", APIKey: "k", APISecret: "s",
			HTTPClient: srv.Client()}, sb))
	}
	ctx := context.Background()
	c := newClient()
	a, b := valid("dup-a"), valid("dup-b")
	a.Barcode, b.Barcode = "8690000000101", "8690000000118"
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{a, b})
	require.NoError(t, err)
	settle(t, c, sb, sub)

	push := func(c *trendyol.Client, s ...marketplace.Stock) error {
		t.Helper()
		sub, err := c.PushStock(ctx, s)
		if err == nil {
			settle(t, c, sb, sub)
		}
		return err
	}
	shows := func() int {
		t.Helper()
		got, err := c.ReadStock(ctx, []marketplace.Stock{{SKU: a.SKU, Barcode: a.Barcode}})
		require.NoError(t, err)
		return got[a.SKU]
	}
	stock := func(sku, barcode string, q int) marketplace.Stock {
		return marketplace.Stock{SKU: sku, Barcode: barcode, Quantity: q}
	}

	require.NoError(t, push(c, stock(a.SKU, a.Barcode, 25)))
	require.NoError(t, push(c, stock(a.SKU, a.Barcode, 22), stock(b.SKU, b.Barcode, 5)))
	require.Equal(t, 22, shows())
	require.NoError(t, push(c, stock(a.SKU, a.Barcode, 25)), "the 25 of a minute ago went again, changed")
	assert.Equal(t, 25, shows())

	// The sandbox, like Trendyol, compares with the body it last took for these
	// barcodes: the plain 25 is new to it after the one with a price; sent twice, the
	// second is what it took last, and Trendyol holds it.
	require.NoError(t, push(c, stock(a.SKU, a.Barcode, 25)))
	err = push(c, stock(a.SKU, a.Barcode, 25))
	assert.True(t, errors.Is(err, marketplace.ErrDuplicate), "what was last sent again: Trendyol holds it (%v)", err)
	assert.Equal(t, 25, shows())

	// A restarted client knows no price: it reads the one Trendyol holds.
	restarted := newClient()
	require.NoError(t, push(restarted, stock(a.SKU, a.Barcode, 22), stock(b.SKU, b.Barcode, 6)))
	require.Equal(t, 22, shows())
	require.NoError(t, push(restarted, stock(a.SKU, a.Barcode, 25)))
	assert.Equal(t, 25, shows())
}

// settle polls sub on the sandbox's clock until it is done, every item accepted.
func settle(t *testing.T, c *trendyol.Client, sb *sandbox.Server, sub marketplace.Submission) {
	t.Helper()
	var err error
	for range 20 {
		if sub, err = c.Poll(context.Background(), sub.ID); err != nil || sub.Done {
			break
		}
		sb.Advance(time.Second)
	}
	require.NoError(t, err)
	require.True(t, sub.Done, "submission %s not done", sub.ID)
	for _, it := range sub.Items {
		require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
	}
}
