package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testCounts counts products by stage state and listings by marketplace and state,
// of current revisions only.
func testCounts(t *testing.T, s store.Stores) {
	ctx := context.Background()
	c, err := s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.Counts{Stages: map[string]map[string]int{}, Listings: map[string]map[string]int{}}, c)

	id1, rev1 := put(t, s, newProduct("p1", "SKU-1"))
	id2, rev2 := put(t, s, newProduct("p2", "SKU-2"))
	put(t, s, newProduct("p3", "SKU-3"))
	require.NoError(t, s.SetStage(ctx, id1, rev1, store.StageImages, store.Stage{State: store.StateDone}))
	require.NoError(t, s.SetStage(ctx, id2, rev2, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"x"}}))
	require.NoError(t, s.SetListing(ctx, id1, rev1, messages.Amazon, store.Listing{State: store.ListingQueued}))
	require.NoError(t, s.SetListing(ctx, id1, rev1, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.Counts{
		Products: 3,
		Stages: map[string]map[string]int{
			store.StageImages: {store.StatePending: 1, store.StateDone: 1, store.StateFailed: 1},
			// a failed images stage fails the seo stage too
			store.StageSEO: {store.StatePending: 2, store.StateFailed: 1},
		},
		Listings: map[string]map[string]int{
			messages.Amazon:   {store.ListingQueued: 1},
			messages.Trendyol: {store.ListingAccepted: 1},
		},
	}, c)

	// A new revision of p1 starts over: its old stages and listings count no more.
	put(t, s, newProduct("p1", "SKU-1"))
	c, err = s.Counts(ctx)
	require.NoError(t, err)
	assert.Equal(t, 3, c.Products)
	assert.Equal(t, map[string]int{store.StatePending: 2, store.StateFailed: 1}, c.Stages[store.StageImages])
	assert.Empty(t, c.Listings)
}
