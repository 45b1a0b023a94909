package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testImports records an import, finds products by SKU and counts the progress of the
// products it queued at the revisions it queued them, settling each when a stage
// failed, its marketplaces decided or a newer revision replaced it.
func testImports(t *testing.T, s store.Stores) {
	ctx := context.Background()
	_, err := s.CurrentProduct(ctx, "SKU-1")
	require.ErrorIs(t, err, store.ErrNotFound)
	_, err = s.ImportProgress(ctx, "imp-1")
	require.ErrorIs(t, err, store.ErrNotFound)

	id1, rev1 := put(t, s, newProduct("p1", "SKU-1")) // amazon and trendyol
	id2, rev2 := put(t, s, newProduct("p2", "SKU-2"))
	id3, rev3 := put(t, s, newProduct("p3", "SKU-3"))
	cur, err := s.CurrentProduct(ctx, "SKU-2")
	require.NoError(t, err)
	assert.Equal(t, store.Current{ID: id2, Revision: rev2, Product: newProduct("p2", "SKU-2").Product, Photos: newProduct("p2", "SKU-2").Photos}, cur)

	im := store.Import{ID: "imp-1", File: "catalogue.csv", CreatedAt: at, Rows: 4}
	require.NoError(t, s.PutImport(ctx, im, []store.ImportItem{{ProductID: id1, Revision: rev1}}))
	im.Queued, im.Bad = 3, []store.BadRow{{Row: 5, SKU: "X", Reason: "price: must be greater than 0"}}
	require.NoError(t, s.PutImport(ctx, im, []store.ImportItem{{ProductID: id2, Revision: rev2}, {ProductID: id3, Revision: rev3}}))

	require.NoError(t, s.SetStage(ctx, id1, rev1, store.StageImages, store.Stage{State: store.StateDone}))
	require.NoError(t, s.SetListing(ctx, id1, rev1, messages.Amazon, store.Listing{State: store.ListingAccepted}))
	require.NoError(t, s.SetListing(ctx, id1, rev1, messages.Trendyol, store.Listing{State: store.ListingRejected}))
	require.NoError(t, s.SetStage(ctx, id2, rev2, store.StageImages, store.Stage{State: store.StateDone}))
	require.NoError(t, s.SetListing(ctx, id2, rev2, messages.Amazon, store.Listing{State: store.ListingAccepted}))
	p, err := s.ImportProgress(ctx, im.ID)
	require.NoError(t, err)
	assert.Equal(t, im, p.Import)
	assert.Equal(t, map[string]int{store.StateDone: 2, store.StatePending: 1}, p.Images)
	assert.Equal(t, map[string]map[string]int{
		messages.Amazon:   {store.ListingAccepted: 2},
		messages.Trendyol: {store.ListingRejected: 1},
	}, p.Listings)
	assert.Equal(t, 1, p.Settled, "SKU-2 waits for trendyol, SKU-3 for its images")

	require.NoError(t, s.SetStage(ctx, id3, rev3, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"x"}}))
	cur, err = s.CurrentProduct(ctx, "SKU-3")
	require.NoError(t, err)
	assert.True(t, cur.Failed, "a failed stage is queued again by a re-import")
	put(t, s, newProduct("p2", "SKU-2")) // a newer revision replaces what the import queued
	p, err = s.ImportProgress(ctx, im.ID)
	require.NoError(t, err)
	assert.Equal(t, 3, p.Settled)
	assert.Equal(t, map[string]int{store.StateDone: 1, store.StateFailed: 1}, p.Images, "SKU-2's revision moved on")
}
