package amazon_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
)

// TestReadStockOfListingBeingProcessed: a SKU Amazon has taken but not processed yet
// (getListingsItem answers 404) is absent; once live, its DEFAULT quantity is read.
// Every request and answer matches Amazon's models, the 404 included.
func TestReadStockOfListingBeingProcessed(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	ctx := context.Background()
	l := validListing("processing")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	require.False(t, sub.Done)

	items := []marketplace.Stock{{SKU: l.SKU}}
	got, err := c.ReadStock(ctx, items)
	require.NoError(t, err)
	assert.Empty(t, got, "not live yet")

	e.sb.Advance(3 * time.Second)
	got, err = c.ReadStock(ctx, items)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{l.SKU: l.Quantity}, got)

	e.check.mu.Lock()
	defer e.check.mu.Unlock()
	assert.Positive(t, e.check.checked)
	assert.Empty(t, e.check.problems)
}
