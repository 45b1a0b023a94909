package hepsiburada_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
)

// TestReadStockLeavesOutFulfilledByHB: ReadStock names 50 merchantSkus a request,
// leaves out listings Hepsiburada fulfils (their stock is its warehouse's, not for Stox
// to correct), and what it read of isFulfilledByHB spares the next push a read.
func TestReadStockLeavesOutFulfilledByHB(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &now)
	reads := &listingReads{next: srv.Client().Transport}
	c := hepsiburada.New(hepsiburada.Config{
		CatalogURL: srv.URL, ListingURL: srv.URL, OMSURL: srv.URL, MerchantID: merchant, ServiceKey: key, UserAgent: agent,
		HTTPClient: &http.Client{Transport: reads}, Now: func() time.Time { return now },
	})
	ctx := context.Background()

	own, byHB := marketplacetest.Listing("own"), marketplacetest.Listing("fbh")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{own, byHB})
	require.NoError(t, err)
	now = now.Add(2 * time.Second)
	done, err := c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)
	require.NoError(t, sb.SetHepsiburadaFulfilledByHB(byHB.SKU, true))

	var items []marketplace.Stock
	for i := range 57 {
		items = append(items, marketplace.Stock{SKU: fmt.Sprintf("never-listed-%d", i)})
	}
	items = append(items, marketplace.Stock{SKU: own.SKU}, marketplace.Stock{SKU: byHB.SKU})
	got, err := c.ReadStock(ctx, items)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{own.SKU: own.Quantity}, got)
	lists := reads.take()
	require.Len(t, lists, 2, "59 merchantSkus in two reads")
	assert.Len(t, lists[0], 50)
	assert.Equal(t, []string{"never-listed-50", "never-listed-51", "never-listed-52", "never-listed-53", "never-listed-54",
		"never-listed-55", "never-listed-56", own.SKU, byHB.SKU}, lists[1])

	sub, err = c.PushStock(ctx, []marketplace.Stock{{SKU: own.SKU, Quantity: 4}, {SKU: byHB.SKU, Quantity: 4}})
	require.NoError(t, err)
	assert.Empty(t, reads.take(), "the push knows from the read which listings hepsiburada fulfils")
	now = now.Add(2 * time.Second)
	done, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)
	for _, it := range done.Items {
		require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
		if it.SKU == byHB.SKU {
			assert.Equal(t, []string{hepsiburada.ReasonFulfilledByHB}, it.Reasons)
		}
	}
	assert.Equal(t, 4, sb.Listings("hepsiburada")[own.SKU])
	assert.Equal(t, byHB.Quantity, sb.Listings("hepsiburada")[byHB.SKU], "the warehouse count is left alone")
}
