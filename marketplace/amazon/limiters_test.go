package amazon_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// TestThrottledPatchPausesOnlyPatches: Amazon counts each Listings Items operation on
// its own bucket, and so does the adapter. A 429 on patchListingsItem (a stock push)
// pauses the patch limiter only: listings (put) and polls (get) go on at once.
func TestThrottledPatchPausesOnlyPatches(t *testing.T) {
	o := sandboxOpts
	o.ListingsPatch = sandbox.AmazonRate{Rate: 0.01, Burst: 1} // one patch, then 429 (the sandbox's clock stands still)
	e := newEnv(t, o)
	get, put, patch := marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10), marketplace.NewLimiter(100, 10)
	c := e.client(func(cfg *amazon.Config) { cfg.GetLimiter, cfg.PutLimiter, cfg.PatchLimiter = get, put, patch })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l := validListing("own-bucket")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)

	_, err = c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 3}})
	require.NoError(t, err)
	_, err = c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 2}})
	require.ErrorIs(t, err, marketplace.ErrRateLimited)
	assert.Greater(t, patch.Paused(), time.Minute, "x-amzn-RateLimit-Limit 0.01: one request per 100 s")
	assert.Zero(t, get.Paused())
	assert.Zero(t, put.Paused())

	_, err = c.Poll(ctx, sub.ID)
	assert.NoError(t, err, "a poll does not wait for the patch bucket")
	_, err = c.UpsertListings(ctx, []marketplace.Listing{validListing("own-bucket-2")})
	assert.NoError(t, err, "a listing does not wait for the patch bucket")
}
