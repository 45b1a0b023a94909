package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testSearch checks that every filter of Query narrows the list in the database, that
// states are those of the current revision, and that a page continues after After.
func testSearch(t *testing.T, s store.Store) {
	finder, ok := s.(store.Searcher)
	if !ok {
		t.Skip("the store does not search")
	}
	ctx := context.Background()
	ids := func(q store.Query) []string {
		t.Helper()
		if q.Limit == 0 {
			q.Limit = 10
		}
		list, err := finder.Search(ctx, q)
		require.NoError(t, err)
		out := []string{}
		for _, f := range list {
			out = append(out, f.ID)
		}
		return out
	}
	p1, r1 := put(t, s, newProduct("p1", "MUG-1"))
	p2, r2 := put(t, s, newProduct("p2", "cup_2"))
	p3, r3 := put(t, s, newProduct("p3", "PLATE-3"))
	require.NoError(t, s.SetStage(ctx, p1, r1, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"blurred"}, UpdatedAt: at}))
	require.NoError(t, s.SetListing(ctx, p2, r2, messages.Trendyol, store.Listing{State: store.ListingRejected, UpdatedAt: at}))
	require.NoError(t, s.SetListing(ctx, p3, r3, messages.Amazon, store.Listing{State: store.ListingAccepted, UpdatedAt: at}))

	assert.Equal(t, []string{"p3", "p2", "p1"}, ids(store.Query{}))
	assert.Equal(t, []string{"p1"}, ids(store.Query{Text: "mug-1"}), "SKU, any case")
	assert.Equal(t, []string{"p2"}, ids(store.Query{Text: "mug cup_"}), "name")
	assert.Empty(t, ids(store.Query{Text: "cup%2"}), "LIKE's wildcards match themselves")
	assert.Equal(t, []string{"p1"}, ids(store.Query{Stage: store.StateFailed}))
	assert.Equal(t, []string{"p3"}, ids(store.Query{Marketplace: messages.Amazon}))
	assert.Empty(t, ids(store.Query{Marketplace: messages.Amazon, Listing: store.ListingRejected}))
	assert.Equal(t, []string{"p2"}, ids(store.Query{Listing: store.ListingRejected}))
	assert.Equal(t, []string{"p2", "p1"}, ids(store.Query{Attention: true}))
	assert.Equal(t, []string{"p1"}, ids(store.Query{Attention: true, After: "p2"}))
	assert.Equal(t, []string{"p3"}, ids(store.Query{Limit: 1}))

	list, err := finder.Search(ctx, store.Query{Text: "cup", Limit: 5})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "Ceramic mug cup_2", list[0].Name)
	assert.Equal(t, map[string]string{messages.Trendyol: store.ListingRejected}, list[0].Listings)
	assert.Equal(t, store.StatePending, list[0].Stages[store.StageImages].State)

	// A new revision clears listings and resets stages: the old states no longer match.
	put(t, s, newProduct("p2", "cup_2"))
	assert.Equal(t, []string{"p1"}, ids(store.Query{Attention: true}))

	_, err = finder.Search(ctx, store.Query{Limit: 10, After: "missing"})
	assert.ErrorIs(t, err, store.ErrNotFound)
	_, err = finder.Search(ctx, store.Query{})
	assert.Error(t, err, "zero limit")
}
