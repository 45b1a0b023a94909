package publish

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/listing"
	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// fakeMarketplace is a marketplace with a two-category taxonomy that records what it
// is sent and accepts every listing at once.
type fakeMarketplace struct {
	mu      sync.Mutex
	sent    []marketplace.Listing
	defReqs int
}

var (
	fakeSize   = taxonomy.Attribute{ID: "338", Name: "Beden", Required: true, Values: []taxonomy.Value{{ID: "1", Name: "S"}, {ID: "2", Name: "M"}}}
	fakeColour = taxonomy.Attribute{ID: "47", Name: "Renk", Required: true, Values: []taxonomy.Value{{ID: "10", Name: "Siyah"}, {ID: "11", Name: "Lacivert"}}}
)

func (f *fakeMarketplace) Name() string  { return messages.Trendyol }
func (f *fakeMarketplace) MaxBatch() int { return 10 }
func (f *fakeMarketplace) UpsertListings(_ context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, ls...)
	sub := marketplace.Submission{ID: "b-1", Done: true}
	for _, l := range ls {
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionAccepted})
	}
	return sub, nil
}
func (f *fakeMarketplace) Poll(context.Context, string) (marketplace.Submission, error) {
	return marketplace.Submission{Done: true}, nil
}
func (f *fakeMarketplace) PushStock(context.Context, []marketplace.Stock) (marketplace.Submission, error) {
	return marketplace.Submission{Done: true}, nil
}
func (f *fakeMarketplace) Orders(context.Context, string) ([]marketplace.Order, string, error) {
	return nil, "", nil
}
func (f *fakeMarketplace) Acknowledge(context.Context, []string) error { return nil }
func (f *fakeMarketplace) Categories(context.Context) ([]taxonomy.Category, error) {
	return []taxonomy.Category{
		{ID: "1", Name: "Kadın", Path: []string{"Kadın"}},
		{ID: "2", ParentID: "1", Name: "Elbise", Path: []string{"Kadın", "Elbise"}, Leaf: true},
	}, nil
}
func (f *fakeMarketplace) Definition(_ context.Context, id string) (taxonomy.Definition, error) {
	f.mu.Lock()
	f.defReqs++
	f.mu.Unlock()
	return taxonomy.Definition{CategoryID: id, Attributes: []taxonomy.Attribute{fakeColour, fakeSize}}, nil
}
func (f *fakeMarketplace) Brands(_ context.Context, fn func([]taxonomy.Brand) error) error {
	return fn([]taxonomy.Brand{{ID: "7", Name: "Defacto"}})
}

func (f *fakeMarketplace) listings() []marketplace.Listing {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]marketplace.Listing(nil), f.sent...)
}

// TestNeedsInputThenSent follows a listing that lacks a required attribute: it is
// held in needs_input, never sent, with what is missing; once the seller supplies the
// value it is sent, mapped, and accepted.
func TestNeedsInputThenSent(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	fake := &fakeMarketplace{}
	p := &Publisher{
		Client: fake, Store: st, Outbox: st, Logger: slog.New(slog.DiscardHandler),
		Mapping: &Mapping{Mapper: NewMapper(fake.Name(), st, fake, nil), Store: st, Source: fake},
	}
	p.init()

	product := messages.Product{SKU: "EL-1", Name: "Kadın Çiçekli Midi Elbise", Brand: "Defacto", Category: "Elbise",
		Price: 499, Stock: 5, Attributes: map[string]string{"color": "Navy"}, Marketplaces: []string{fake.Name()}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p1", Product: product})
	require.NoError(t, err)
	l, err := listing.Build(messages.ListingV1{ProductID: id, Revision: rev, Product: product,
		Texts:  map[string]messages.ListingText{fake.Name(): {Language: "tr", Title: "Defacto Kadın Çiçekli Midi Elbise"}},
		Images: map[string][]messages.ListingImage{fake.Name(): {{URL: "https://img.example/1.jpg"}}}}, fake.Name(), 5)
	require.NoError(t, err)
	payload, err := json.Marshal(l)
	require.NoError(t, err)
	require.NoError(t, st.QueueListing(ctx, id, rev, fake.Name(), store.QueuedListing{Payload: payload}))

	// Before the taxonomy is synced nothing is judged: the listing waits, queued.
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.ListingQueued, listingOf(t, st, id).State)

	_, err = p.syncTaxonomy(ctx)
	require.NoError(t, err)
	cats, err := st.Categories(ctx, fake.Name())
	require.NoError(t, err)
	assert.Len(t, cats, 2)
	assert.Zero(t, fake.defReqs, "a category's definition is read when a listing first needs it")

	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	assert.Empty(t, fake.listings(), "a listing that lacks a required attribute is not sent")
	assert.Equal(t, 1, fake.defReqs)
	_, err = st.Definition(ctx, fake.Name(), "2")
	require.NoError(t, err, "the definition read is kept")
	got := listingOf(t, st, id)
	require.Equal(t, store.ListingNeedsInput, got.State)
	var m taxonomy.Mapping
	require.NoError(t, json.Unmarshal(got.Mapping, &m))
	require.Len(t, m.Missing, 1)
	assert.Equal(t, "Beden", m.Missing[0].Name)
	assert.Equal(t, []string{"S", "M"}, m.Missing[0].Allowed)
	require.Len(t, got.Reasons, 1)
	assert.Contains(t, got.Reasons[0], "Beden")

	// Mapping again with nothing new changes nothing.
	_, err = p.remap(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.ListingNeedsInput, listingOf(t, st, id).State)

	require.NoError(t, st.SetListingInput(ctx, id, fake.Name(), store.ListingInput{Attributes: map[string]string{"Beden": "M"}}))
	_, err = p.remap(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.ListingQueued, listingOf(t, st, id).State)
	_, err = p.submitListings(ctx)
	require.NoError(t, err)

	sent := fake.listings()
	require.Len(t, sent, 1)
	assert.Equal(t, 1, fake.defReqs, "the definition is read once")
	assert.Equal(t, "2", sent[0].CategoryID)
	assert.Equal(t, "7", sent[0].BrandID)
	assert.ElementsMatch(t, []marketplace.MappedAttribute{
		{ID: "47", Name: "Renk", ValueIDs: []string{"11"}, Value: "Lacivert"},
		{ID: "338", Name: "Beden", ValueIDs: []string{"2"}, Value: "M"},
	}, sent[0].Mapped)
	got = listingOf(t, st, id)
	assert.Equal(t, store.ListingAccepted, got.State)
	m = taxonomy.Mapping{}
	require.NoError(t, json.Unmarshal(got.Mapping, &m))
	assert.Empty(t, m.Missing)
	assert.Equal(t, "2", m.Category.ID)
	sources := map[string]string{}
	for _, a := range m.Attributes {
		sources[a.Name] = a.Source
	}
	assert.Equal(t, map[string]string{"Renk": taxonomy.SourceAutomatic, "Beden": taxonomy.SourceInput}, sources)
}

// TestSyncAgainWhenOld reads the taxonomy again once it is older than SyncEvery,
// with the definitions of the categories in use, and not before.
func TestSyncAgainWhenOld(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	fake := &fakeMarketplace{}
	p := &Publisher{Client: fake, Store: st, Outbox: st, Logger: slog.New(slog.DiscardHandler),
		Mapping: &Mapping{Mapper: NewMapper(fake.Name(), st, fake, nil), Store: st, Source: fake, SyncEvery: time.Hour}}
	p.init()
	old := []taxonomy.Category{{ID: "2", Name: "Elbise", Path: []string{"Elbise"}, Leaf: true}}
	require.NoError(t, st.ReplaceTaxonomy(ctx, fake.Name(), old, []taxonomy.Definition{{CategoryID: "2"}}, time.Now().Add(-30*time.Minute)))
	_, err = p.syncTaxonomy(ctx)
	require.NoError(t, err)
	assert.Zero(t, fake.defReqs, "a taxonomy younger than SyncEvery is kept")

	require.NoError(t, st.ReplaceTaxonomy(ctx, fake.Name(), old, []taxonomy.Definition{{CategoryID: "2"}}, time.Now().Add(-2*time.Hour)))
	_, err = p.syncTaxonomy(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, fake.defReqs, "the definition in use is read again")
	cats, err := st.Categories(ctx, fake.Name())
	require.NoError(t, err)
	assert.Len(t, cats, 2)
	d, err := st.Definition(ctx, fake.Name(), "2")
	require.NoError(t, err)
	assert.Len(t, d.Attributes, 2)
}

func listingOf(t *testing.T, st store.Store, id string) store.Listing {
	t.Helper()
	p, err := st.Product(context.Background(), id)
	require.NoError(t, err)
	return p.Listings[messages.Trendyol]
}

// TestRedeliveredListingIsNotSentAgain: the same listing message delivered again
// (a broker redelivery, a requeue) while its submission is pending, or after the
// marketplace accepted it, sends nothing and changes nothing (issue 11: a second
// create was refused as a duplicate and the live listing marked rejected for good).
func TestRedeliveredListingIsNotSentAgain(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	fake := &fakeMarketplace{}
	p := &Publisher{Client: fake, Store: st, Outbox: st, Logger: slog.New(slog.DiscardHandler),
		Mapping: &Mapping{Mapper: NewMapper(fake.Name(), st, fake, nil), Store: st, Source: fake}}
	p.init()
	_, err = p.syncTaxonomy(ctx)
	require.NoError(t, err)
	rec := listing.Recorder{Marketplace: fake.Name(), Outbox: st, Inventory: st}

	product := messages.Product{SKU: "EL-2", Name: "Kadın Elbise", Brand: "Defacto", Category: "Elbise", Price: 10, Stock: 3,
		Attributes: map[string]string{"renk": "Siyah", "beden": "S"}, Marketplaces: []string{fake.Name()}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p2", Product: product})
	require.NoError(t, err)
	msg := messages.ListingV1{ProductID: id, Revision: rev, Product: product,
		Texts:  map[string]messages.ListingText{fake.Name(): {Language: "tr", Title: "Defacto Kadın Elbise"}},
		Images: map[string][]messages.ListingImage{fake.Name(): {{URL: "https://img.example/2.jpg"}}}}

	require.NoError(t, rec.Record(ctx, msg))
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	require.Len(t, fake.listings(), 1)
	require.Equal(t, store.ListingAccepted, listingOf(t, st, id).State)

	require.NoError(t, rec.Record(ctx, msg), "the same message again")
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	assert.Len(t, fake.listings(), 1, "no second create")
	assert.Equal(t, store.ListingAccepted, listingOf(t, st, id).State)

	// The seller's next revision is sent, as an update.
	id, rev, err = st.PutProduct(ctx, store.NewProduct{ID: "p2", Product: product})
	require.NoError(t, err)
	msg.ProductID, msg.Revision = id, rev
	require.NoError(t, rec.Record(ctx, msg))
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	sent := fake.listings()
	require.Len(t, sent, 2)
	assert.True(t, sent[1].Existing, "the accepted SKU's next revision is an update")
}
