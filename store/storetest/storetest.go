// Package storetest is the contract suite every store.Store implementation passes,
// and the helpers its PostgreSQL runs need.
package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Run runs the contract suite. open must return a new, empty store for each call;
// Run closes it when the subtest ends.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	newStore := func(t *testing.T) store.Store {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"PutProduct/New", testPutNew},
		{"PutProduct/SameSKUKeepsIDAndBumpsRevision", testPutSameSKU},
		{"PutProduct/ConcurrentSameSKU", testPutConcurrentSameSKU},
		{"PutProduct/Invalid", testPutInvalid},
		{"PutProduct/IDOfAnotherSKU", testPutIDOfAnotherSKU},
		{"Product/NotFound", testProductNotFound},
		{"SetStage", testSetStage},
		{"SetStage/Invalid", testSetStageInvalid},
		{"SetStage/ImagesFailedFailsSEO", testSetStageImagesFailed},
		{"PutImages", testPutImages},
		{"PutTexts", testPutTexts},
		{"SetListing", testSetListing},
		{"SetListing/Invalid", testSetListingInvalid},
		{"SetListing/Mapping", testSetListingMapping},
		{"Writes/OtherRevisionIgnored", testOtherRevisionIgnored},
		{"Writes/NotFound", testWritesNotFound},
		{"Products/Empty", testProductsEmpty},
		{"Products/Paging", testProductsPaging},
		{"Products/Summary", testProductsSummary},
		{"Products/Invalid", testProductsInvalid},
		{"Search", testSearch},
		{"Concurrent/Writers", testConcurrentWriters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore(t))
		})
	}
}

// at is a fixed time with microsecond precision, which every store keeps exactly.
var at = time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)

func newProduct(id, sku string) store.NewProduct {
	return store.NewProduct{
		ID: id,
		Product: messages.Product{
			SKU:          sku,
			Name:         "Ceramic mug " + sku,
			Brand:        "Stox",
			Category:     "kitchen",
			Price:        12.5,
			ListPrice:    15,
			Currency:     "TRY",
			Stock:        7,
			Attributes:   map[string]string{"color": "white"},
			Keywords:     []string{"mug", "ceramic"},
			Marketplaces: []string{messages.Amazon, messages.Trendyol},
		},
		Photos: []messages.Photo{
			{Key: sku + "-1.jpg", ContentType: "image/jpeg", Width: 1200, Height: 900, Bytes: 1234},
			{Key: sku + "-2.jpg", ContentType: "image/jpeg", Width: 800, Height: 800, Bytes: 999},
		},
	}
}

func put(t *testing.T, s store.Store, p store.NewProduct) (string, int) {
	t.Helper()
	id, rev, err := s.PutProduct(context.Background(), p)
	require.NoError(t, err)
	return id, rev
}

func get(t *testing.T, s store.Store, id string) store.Product {
	t.Helper()
	p, err := s.Product(context.Background(), id)
	require.NoError(t, err)
	return p
}

func testPutNew(t *testing.T, s store.Store) {
	before := time.Now().Add(-time.Second)
	in := newProduct("p1", "SKU-1")
	id, rev, err := s.PutProduct(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, "p1", id)
	assert.Equal(t, 1, rev)

	p := get(t, s, id)
	assert.Equal(t, "p1", p.ID)
	assert.Equal(t, 1, p.Revision)
	assert.Equal(t, in.Product, p.Product)
	assert.Equal(t, in.Photos, p.Photos)
	require.Len(t, p.Stages, 2)
	for _, stage := range []string{store.StageImages, store.StageSEO} {
		assert.Equal(t, store.StatePending, p.Stages[stage].State, stage)
		assert.Empty(t, p.Stages[stage].Reasons, stage)
	}
	assert.Empty(t, p.Images)
	assert.NotNil(t, p.Images, "images are [] in JSON, not null")
	assert.Empty(t, p.Analysis)
	assert.Empty(t, p.Texts)
	assert.Empty(t, p.Listings)
	assert.Equal(t, time.UTC, p.CreatedAt.Location())
	assert.True(t, p.CreatedAt.After(before), "created_at %v is before the put", p.CreatedAt)
	assert.Equal(t, p.CreatedAt, p.UpdatedAt)
}

func testPutSameSKU(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateDone, UpdatedAt: at}))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageSEO, store.Stage{State: store.StateFailed, Reasons: []string{"too short"}, UpdatedAt: at}))
	require.NoError(t, s.PutImages(ctx, id, rev, []messages.Image{{Variant: messages.Amazon, Key: "a.jpg"}}, []messages.Analysis{{Sharpness: 1}}))
	require.NoError(t, s.PutTexts(ctx, id, rev, map[string]messages.ListingText{messages.Amazon: {Title: "t"}}))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingAccepted, UpdatedAt: at}))
	first := get(t, s, id)
	require.Len(t, first.Listings, 1)

	again := newProduct("p2", "SKU-1")
	again.Product.Name = "Renamed mug"
	again.Photos = again.Photos[:1]
	id2, rev2, err := s.PutProduct(ctx, again)
	require.NoError(t, err)
	assert.Equal(t, "p1", id2, "a known SKU keeps its ID")
	assert.Equal(t, 2, rev2)

	p := get(t, s, id)
	assert.Equal(t, 2, p.Revision)
	assert.Equal(t, "Renamed mug", p.Product.Name)
	assert.Equal(t, again.Photos, p.Photos)
	for _, stage := range []string{store.StageImages, store.StageSEO} {
		assert.Equal(t, store.StatePending, p.Stages[stage].State, stage)
		assert.Empty(t, p.Stages[stage].Reasons, stage)
	}
	assert.Empty(t, p.Listings, "listings are cleared")
	assert.Empty(t, p.Images, "images of revision 1 are not shown")
	assert.Empty(t, p.Texts, "texts of revision 1 are not shown")
	assert.Equal(t, first.CreatedAt, p.CreatedAt)
	assert.False(t, p.UpdatedAt.Before(first.UpdatedAt))

	_, err = s.Product(ctx, "p2")
	assert.ErrorIs(t, err, store.ErrNotFound, "the new ID of a known SKU is not used")

	_, rev3 := put(t, s, newProduct("p3", "SKU-1"))
	assert.Equal(t, 3, rev3)
}

func testPutConcurrentSameSKU(t *testing.T, s store.Store) {
	const n = 8
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		ids  = map[string]int{}
		revs []int
		errs []error
	)
	for i := range n {
		wg.Go(func() {
			id, rev, err := s.PutProduct(context.Background(), newProduct(fmt.Sprintf("p%d", i), "SKU-SAME"))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			ids[id]++
			revs = append(revs, rev)
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	assert.Len(t, ids, 1, "every put of one SKU returns one ID")
	slices.Sort(revs)
	assert.Equal(t, []int{1, 2, 3, 4, 5, 6, 7, 8}, revs, "every put gets its own revision")
	for id := range ids {
		assert.Equal(t, n, get(t, s, id).Revision)
	}
}

func testPutInvalid(t *testing.T, s store.Store) {
	tests := []struct {
		name string
		p    store.NewProduct
	}{
		{"empty ID", newProduct("", "SKU-1")},
		{"empty SKU", newProduct("p1", "")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := s.PutProduct(context.Background(), tt.p)
			assert.Error(t, err)
		})
	}
	list, err := s.Products(context.Background(), 10, "")
	require.NoError(t, err)
	assert.Empty(t, list, "nothing invalid was stored")
}

func testPutIDOfAnotherSKU(t *testing.T, s store.Store) {
	put(t, s, newProduct("p1", "SKU-1"))
	_, _, err := s.PutProduct(context.Background(), newProduct("p1", "SKU-2"))
	assert.Error(t, err, "an ID already taken by another SKU")
	assert.Equal(t, "SKU-1", get(t, s, "p1").Product.SKU)
}

func testProductNotFound(t *testing.T, s store.Store) {
	_, err := s.Product(context.Background(), "missing")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testSetStage(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateDone, UpdatedAt: at}))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageSEO, store.Stage{State: store.StateFailed, Reasons: []string{"no title", "no keywords"}, UpdatedAt: at.Add(time.Second)}))

	p := get(t, s, id)
	assert.Equal(t, store.Stage{State: store.StateDone, UpdatedAt: at}, p.Stages[store.StageImages])
	assert.Equal(t, store.Stage{State: store.StateFailed, Reasons: []string{"no title", "no keywords"}, UpdatedAt: at.Add(time.Second)}, p.Stages[store.StageSEO])

	// A later write of the same revision replaces the state; a zero time is stamped now.
	before := time.Now().Add(-time.Second)
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageSEO, store.Stage{State: store.StateDone}))
	seo := get(t, s, id).Stages[store.StageSEO]
	assert.Equal(t, store.StateDone, seo.State)
	assert.Empty(t, seo.Reasons)
	assert.True(t, seo.UpdatedAt.After(before), "updated_at %v is stamped at write", seo.UpdatedAt)
	assert.Equal(t, time.UTC, seo.UpdatedAt.Location())
}

// testSetStageImagesFailed: the seo stage works on the images stage's output, so when
// the images stage fails it fails too, saying why, instead of staying pending for
// ever; a stage already decided, another revision and the next upload are untouched.
func testSetStageImagesFailed(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"photo 0: corrupt jpeg"}, UpdatedAt: at}))
	p := get(t, s, id)
	assert.Equal(t, store.Stage{State: store.StateFailed, Reasons: []string{"photo 0: corrupt jpeg"}, UpdatedAt: at}, p.Stages[store.StageImages])
	assert.Equal(t, store.Stage{State: store.StateFailed, Reasons: []string{store.ReasonImagesFailed}, UpdatedAt: at}, p.Stages[store.StageSEO])
	list, err := s.Products(ctx, 10, "")
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, store.StateFailed, list[0].Stages[store.StageSEO].State, "the list shows it too")

	// The next upload of the SKU starts both stages again; a late failure of the old
	// revision changes nothing.
	id, rev2 := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"late"}}))
	p = get(t, s, id)
	assert.Equal(t, store.StatePending, p.Stages[store.StageImages].State)
	assert.Equal(t, store.StatePending, p.Stages[store.StageSEO].State)

	// A seo stage already decided keeps its state.
	require.NoError(t, s.SetStage(ctx, id, rev2, store.StageSEO, store.Stage{State: store.StateDone, UpdatedAt: at}))
	require.NoError(t, s.SetStage(ctx, id, rev2, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"late"}, UpdatedAt: at}))
	assert.Equal(t, store.Stage{State: store.StateDone, UpdatedAt: at}, get(t, s, id).Stages[store.StageSEO])
}

func testSetStageInvalid(t *testing.T, s store.Store) {
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	tests := []struct {
		name  string
		stage string
		state string
	}{
		{"unknown stage", "shipping", store.StateDone},
		{"empty stage", "", store.StateDone},
		{"unknown state", store.StageImages, "almost"},
		{"empty state", store.StageImages, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetStage(context.Background(), id, rev, tt.stage, store.Stage{State: tt.state})
			assert.Error(t, err)
		})
	}
	p := get(t, s, id)
	assert.Len(t, p.Stages, 2)
	assert.Equal(t, store.StatePending, p.Stages[store.StageImages].State)
}

func testPutImages(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	images := []messages.Image{
		{Photo: 0, Variant: messages.Amazon, Key: "aa.jpg", ContentType: "image/jpeg", Width: 2000, Height: 2000, Bytes: 4000},
		{Photo: 1, Variant: "thumbnail", Key: "bb.jpg", ContentType: "image/jpeg", Width: 200, Height: 200, Bytes: 400},
	}
	analysis := []messages.Analysis{
		{Photo: 0, Sharpness: 120.5, Brightness: 200, Background: 0.9, Fill: 0.7, Colors: []messages.Color{{Hex: "#ffffff", EN: "white", TR: "beyaz", Share: 0.6}}},
		{Photo: 1, Sharpness: 80},
	}
	require.NoError(t, s.PutImages(ctx, id, rev, images, analysis))
	p := get(t, s, id)
	assert.Equal(t, images, p.Images)
	assert.Equal(t, analysis, p.Analysis)

	// A second put of the same revision replaces, not appends.
	require.NoError(t, s.PutImages(ctx, id, rev, images[:1], nil))
	p = get(t, s, id)
	assert.Equal(t, images[:1], p.Images)
	assert.Empty(t, p.Analysis)
}

func testPutTexts(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	texts := map[string]messages.ListingText{
		messages.Amazon:   {Language: "en", Title: "White ceramic mug", Description: "A mug.", Bullets: []string{"dishwasher safe"}, Keywords: []string{"mug"}},
		messages.Trendyol: {Language: "tr", Title: "Beyaz seramik kupa", Description: "Bir kupa."},
	}
	require.NoError(t, s.PutTexts(ctx, id, rev, texts))
	assert.Equal(t, texts, get(t, s, id).Texts)

	// Replacing drops the marketplaces the new texts do not name.
	only := map[string]messages.ListingText{messages.Hepsiburada: {Language: "tr", Title: "Kupa"}}
	require.NoError(t, s.PutTexts(ctx, id, rev, only))
	assert.Equal(t, only, get(t, s, id).Texts)

	err := s.PutTexts(ctx, id, rev, map[string]messages.ListingText{"ebay": {Title: "x"}})
	assert.Error(t, err, "unknown marketplace")
	assert.Equal(t, only, get(t, s, id).Texts)
}

func testSetListing(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingSubmitted, UpdatedAt: at}))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingRejected, Reasons: []string{"title too long"}, UpdatedAt: at}))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingAccepted, UpdatedAt: at.Add(time.Minute)}))

	assert.Equal(t, map[string]store.Listing{
		messages.Amazon:   {State: store.ListingAccepted, UpdatedAt: at.Add(time.Minute)},
		messages.Trendyol: {State: store.ListingRejected, Reasons: []string{"title too long"}, UpdatedAt: at},
	}, get(t, s, id).Listings)
}

func testSetListingMapping(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	mapping := json.RawMessage(`{"category":"56","brand":"40","attributes":[{"id":"47","value_ids":["1001"],"from":"auto"}]}`)
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "b-1", Mapping: mapping}))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingSubmitted}))
	p := get(t, s, id)
	assert.JSONEq(t, string(mapping), string(p.Listings[messages.Trendyol].Mapping), "the product shows the mapping")
	assert.Empty(t, p.Listings[messages.Amazon].Mapping)

	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted, Submission: "b-1"}))
	l := get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingAccepted, l.State)
	assert.JSONEq(t, string(mapping), string(l.Mapping), "a nil mapping keeps the stored one")

	other := json.RawMessage(`{"category":"411"}`)
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingRejected, Mapping: other}))
	assert.JSONEq(t, string(other), string(get(t, s, id).Listings[messages.Trendyol].Mapping), "a new mapping replaces it")

	// The JSON of a product shows the mapping as an object, not a string.
	b, err := json.Marshal(get(t, s, id))
	require.NoError(t, err)
	var shown struct {
		Listings map[string]struct {
			Mapping struct {
				Category string `json:"category"`
			} `json:"mapping"`
		} `json:"listings"`
	}
	require.NoError(t, json.Unmarshal(b, &shown))
	assert.Equal(t, "411", shown.Listings[messages.Trendyol].Mapping.Category)
}

func testSetListingInvalid(t *testing.T, s store.Store) {
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	tests := []struct {
		name        string
		marketplace string
		state       string
	}{
		{"unknown marketplace", "ebay", store.ListingQueued},
		{"empty marketplace", "", store.ListingQueued},
		{"unknown state", messages.Amazon, "listed"},
		{"empty state", messages.Amazon, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.SetListing(context.Background(), id, rev, tt.marketplace, store.Listing{State: tt.state})
			assert.Error(t, err)
		})
	}
	assert.Empty(t, get(t, s, id).Listings)
}

func testOtherRevisionIgnored(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, _ := put(t, s, newProduct("p1", "SKU-1"))
	_, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.Equal(t, 2, rev)
	images := []messages.Image{{Variant: messages.Amazon, Key: "new.jpg"}}
	texts := map[string]messages.ListingText{messages.Amazon: {Title: "new"}}
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateDone, UpdatedAt: at}))
	require.NoError(t, s.PutImages(ctx, id, rev, images, nil))
	require.NoError(t, s.PutTexts(ctx, id, rev, texts))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingAccepted, UpdatedAt: at}))
	want := get(t, s, id)

	for _, other := range []struct {
		name     string
		revision int
	}{{"stale", 1}, {"future", 3}} {
		t.Run(other.name, func(t *testing.T) {
			r := other.revision
			assert.NoError(t, s.SetStage(ctx, id, r, store.StageImages, store.Stage{State: store.StateFailed, Reasons: []string{"old"}}))
			assert.NoError(t, s.SetStage(ctx, id, r, store.StageSEO, store.Stage{State: store.StateDone}))
			assert.NoError(t, s.PutImages(ctx, id, r, []messages.Image{{Key: "old.jpg"}}, nil))
			assert.NoError(t, s.PutTexts(ctx, id, r, map[string]messages.ListingText{messages.Trendyol: {Title: "old"}}))
			assert.NoError(t, s.SetListing(ctx, id, r, messages.Amazon, store.Listing{State: store.ListingRejected}))
			assert.NoError(t, s.SetListing(ctx, id, r, messages.Trendyol, store.Listing{State: store.ListingQueued}))
			assert.Equal(t, want, get(t, s, id), "writes of revision %d change nothing", r)
		})
	}
}

func testWritesNotFound(t *testing.T, s store.Store) {
	ctx := context.Background()
	put(t, s, newProduct("p1", "SKU-1"))
	tests := []struct {
		name  string
		write func() error
	}{
		{"SetStage", func() error {
			return s.SetStage(ctx, "missing", 1, store.StageImages, store.Stage{State: store.StateDone})
		}},
		{"PutImages", func() error { return s.PutImages(ctx, "missing", 1, nil, nil) }},
		{"PutTexts", func() error {
			return s.PutTexts(ctx, "missing", 1, map[string]messages.ListingText{messages.Amazon: {Title: "x"}})
		}},
		{"SetListing", func() error {
			return s.SetListing(ctx, "missing", 1, messages.Amazon, store.Listing{State: store.ListingQueued})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.write(), store.ErrNotFound)
		})
	}
}

func testProductsEmpty(t *testing.T, s store.Store) {
	list, err := s.Products(context.Background(), 10, "")
	require.NoError(t, err)
	assert.Empty(t, list)
}

func testProductsPaging(t *testing.T, s store.Store) {
	ctx := context.Background()
	const n = 25
	want := map[string]bool{}
	for i := range n {
		id, _ := put(t, s, newProduct(fmt.Sprintf("p%02d", i), fmt.Sprintf("SKU-%02d", i)))
		want[id] = true
	}
	// A new revision does not move a product in the list.
	put(t, s, newProduct("ignored", "SKU-00"))

	tests := []struct {
		name  string
		limit int
		pages int
	}{
		{"pages of 7", 7, 4},
		{"pages of 5", 5, 5},
		{"pages of 1", 1, 25},
		{"one page", 100, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var all []store.Summary
			after, pages := "", 0
			for {
				page, err := s.Products(ctx, tt.limit, after)
				require.NoError(t, err)
				require.LessOrEqual(t, len(page), tt.limit)
				if len(page) == 0 {
					break
				}
				pages++
				require.LessOrEqual(t, pages, n+1, "paging does not end")
				all = append(all, page...)
				after = page[len(page)-1].ID
			}
			assert.Equal(t, tt.pages, pages)
			got := map[string]bool{}
			for _, sum := range all {
				assert.False(t, got[sum.ID], "%s listed twice", sum.ID)
				got[sum.ID] = true
			}
			assert.Equal(t, want, got, "every product is listed once")
			for i := 1; i < len(all); i++ {
				prev, cur := all[i-1], all[i]
				newer := prev.CreatedAt.After(cur.CreatedAt) || (prev.CreatedAt.Equal(cur.CreatedAt) && prev.ID > cur.ID)
				assert.True(t, newer, "%s (%v) listed before %s (%v)", prev.ID, prev.CreatedAt, cur.ID, cur.CreatedAt)
			}
		})
	}

	last, err := s.Products(ctx, 1, "")
	require.NoError(t, err)
	require.Len(t, last, 1)
	assert.Equal(t, "p24", last[0].ID, "the newest product comes first")
}

func testProductsSummary(t *testing.T, s store.Store) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateDone, UpdatedAt: at}))
	put(t, s, newProduct("p2", "SKU-2"))

	list, err := s.Products(ctx, 10, "")
	require.NoError(t, err)
	require.Len(t, list, 2)
	sum := list[1]
	assert.Equal(t, "p1", sum.ID)
	assert.Equal(t, "SKU-1", sum.SKU)
	assert.Equal(t, "Ceramic mug SKU-1", sum.Name)
	assert.Equal(t, 1, sum.Revision)
	assert.Equal(t, get(t, s, id).CreatedAt, sum.CreatedAt)
	assert.Equal(t, store.Stage{State: store.StateDone, UpdatedAt: at}, sum.Stages[store.StageImages])
	assert.Equal(t, store.StatePending, sum.Stages[store.StageSEO].State)
	assert.Equal(t, store.StatePending, list[0].Stages[store.StageImages].State)
}

func testProductsInvalid(t *testing.T, s store.Store) {
	put(t, s, newProduct("p1", "SKU-1"))
	tests := []struct {
		name     string
		limit    int
		after    string
		notFound bool
	}{
		{"zero limit", 0, "", false},
		{"negative limit", -1, "", false},
		{"unknown after", 10, "missing", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Products(context.Background(), tt.limit, tt.after)
			require.Error(t, err)
			assert.Equal(t, tt.notFound, errors.Is(err, store.ErrNotFound))
		})
	}
}

// testConcurrentWriters runs every kind of write from 16 goroutines at once, as the
// services' handlers do, and counts that every write landed.
func testConcurrentWriters(t *testing.T, s store.Store) {
	ctx := context.Background()
	const (
		workers  = 16
		products = 5
	)
	shared, sharedRev := put(t, s, newProduct("shared", "SKU-SHARED"))

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	for w := range workers {
		wg.Go(func() {
			for i := range products {
				id, rev, err := s.PutProduct(ctx, newProduct(fmt.Sprintf("w%02d-%d", w, i), fmt.Sprintf("SKU-W%02d-%d", w, i)))
				if err != nil {
					fail(err)
					continue
				}
				for _, err := range []error{
					s.SetStage(ctx, id, rev, store.StageImages, store.Stage{State: store.StateDone}),
					s.PutImages(ctx, id, rev, []messages.Image{{Key: fmt.Sprintf("%s.jpg", id)}}, nil),
					s.PutTexts(ctx, id, rev, map[string]messages.ListingText{messages.Amazon: {Title: id}}),
					s.SetStage(ctx, id, rev, store.StageSEO, store.Stage{State: store.StateDone}),
					s.SetListing(ctx, id, rev, messages.Amazon, store.Listing{State: store.ListingAccepted}),
				} {
					if err != nil {
						fail(err)
					}
				}
				if _, err := s.Product(ctx, id); err != nil {
					fail(err)
				}
			}
			// Every worker also writes to one shared product, as the three
			// marketplace services do.
			m := messages.Marketplaces[w%len(messages.Marketplaces)]
			if err := s.SetListing(ctx, shared, sharedRev, m, store.Listing{State: store.ListingSubmitted}); err != nil {
				fail(err)
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)

	var all []store.Summary
	after := ""
	for {
		page, err := s.Products(ctx, 10, after)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		all = append(all, page...)
		after = page[len(page)-1].ID
	}
	assert.Len(t, all, workers*products+1)

	complete := 0
	for _, sum := range all {
		if sum.ID == shared {
			continue
		}
		p := get(t, s, sum.ID)
		if p.Stages[store.StageImages].State == store.StateDone &&
			p.Stages[store.StageSEO].State == store.StateDone &&
			len(p.Images) == 1 && p.Images[0].Key == p.ID+".jpg" &&
			p.Texts[messages.Amazon].Title == p.ID &&
			p.Listings[messages.Amazon].State == store.ListingAccepted {
			complete++
		}
	}
	assert.Equal(t, workers*products, complete, "products with every write landed")
	assert.Len(t, get(t, s, shared).Listings, len(messages.Marketplaces))
}
