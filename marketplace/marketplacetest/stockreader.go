package marketplacetest

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// RunStockReader runs the cases of marketplace.StockReader against a client pointed at
// sb, with Run's parameters (newClient's clients must implement it): stock pushed and
// then changed behind Stox's back through the sandbox's hook is read back under each
// SKU, unknown SKUs are absent, and a throttled read gives a RateLimitError. Five
// items are read at once: a client set to read pages of fewer than five items reads
// more than one page.
func RunStockReader(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	reader := func(t *testing.T) (marketplace.Client, marketplace.StockReader) {
		sb.Advance(time.Minute) // rate limits as a scheduled run finds them, not as the last case left them
		c := newClient(t)
		r, ok := c.(marketplace.StockReader)
		require.True(t, ok, "%s client does not implement marketplace.StockReader", c.Name())
		return c, r
	}

	t.Run("pushed and drifted stock is read back", func(t *testing.T) {
		c, _ := reader(t)
		ls := make([]marketplace.Listing, 5)
		for i := range ls {
			ls[i] = valid("read")
		}
		sub, err := c.UpsertListings(ctx, ls)
		require.NoError(t, err)
		for _, it := range waitDone(t, c, sb, sub.ID).Items {
			require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
		}
		push := make([]marketplace.Stock, len(ls))
		for i, l := range ls {
			push[i] = marketplace.Stock{SKU: l.SKU, Barcode: l.Barcode, Quantity: 11 + i}
		}
		sub, err = c.PushStock(ctx, push)
		require.NoError(t, err)
		if !sub.Done {
			sub = waitDone(t, c, sb, sub.ID)
		}
		for _, it := range sub.Items {
			require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
		}

		// The seller sets one in the marketplace's panel, and a customer orders another:
		// neither goes through Stox.
		drifted, ordered := ls[1].SKU, ls[3].SKU
		hook(t, sb, http.MethodPut, "/sandbox/"+c.Name()+"/stock/"+drifted, map[string]any{"quantity": 3}, http.StatusOK)
		assert.Equal(t, 3, stock(t, sb, c.Name(), drifted))
		hook(t, sb, http.MethodPost, "/sandbox/"+c.Name()+"/orders", map[string]any{"stockCode": ordered, "quantity": 2}, http.StatusCreated)
		hook(t, sb, http.MethodPut, "/sandbox/"+c.Name()+"/stock/never-listed-"+drifted, map[string]any{"quantity": 3}, http.StatusNotFound)
		hook(t, sb, http.MethodPut, "/sandbox/"+c.Name()+"/stock/"+drifted, map[string]any{"quantity": -1}, http.StatusBadRequest)
		hook(t, sb, http.MethodPut, "/sandbox/"+c.Name()+"/stock/"+drifted, map[string]any{}, http.StatusBadRequest)

		// A reconciler reads with a client of its own, knowing only what the store holds.
		_, r := reader(t)
		items := append([]marketplace.Stock{{SKU: "unknown-" + ls[0].SKU, Barcode: "unknown-" + ls[0].Barcode}}, push...)
		items = append(items, marketplace.Stock{SKU: "unknown-" + ls[4].SKU})
		got, err := r.ReadStock(ctx, items)
		require.NoError(t, err)
		assert.Equal(t, map[string]int{ls[0].SKU: 11, drifted: 3, ls[2].SKU: 13, ordered: 12, ls[4].SKU: 15}, got,
			"every listed SKU with what the marketplace shows, unknown ones absent")

		got, err = r.ReadStock(ctx, nil)
		require.NoError(t, err)
		assert.Empty(t, got)
		_, err = r.ReadStock(ctx, make([]marketplace.Stock, c.MaxBatch()+1))
		assert.ErrorContains(t, err, "at most", "a call takes at most MaxBatch items")
	})

	t.Run("throttled reads give RateLimitError", func(t *testing.T) {
		c, r := reader(t)
		l := listed(t, c, sb, valid("readlimit"))
		sb.Advance(time.Minute)
		t.Cleanup(func() { sb.Advance(time.Minute) }) // the limit spent here is not the next case's
		items := []marketplace.Stock{{SKU: l.SKU, Barcode: l.Barcode}}
		var rl *marketplace.RateLimitError
		reads := 0 // that went through
		for range 10000 {
			got, err := r.ReadStock(ctx, items)
			if err != nil {
				require.ErrorAs(t, err, &rl)
				break
			}
			require.Equal(t, map[string]int{l.SKU: l.Quantity}, got)
			reads++
		}
		require.NotNil(t, rl, "the sandbox never throttled")
		assert.ErrorIs(t, rl, marketplace.ErrRateLimited)
		assert.Positive(t, rl.RetryAfter)
		assert.Greater(t, reads, 1, "reads within the limit went through first")
		sb.Advance(time.Minute)
		got, err := r.ReadStock(ctx, items)
		require.NoError(t, err, "the limit lifts once its window has passed")
		assert.Equal(t, map[string]int{l.SKU: l.Quantity}, got)
	})
}
