package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// taxonomyStore is what the taxonomy suite needs from one store.
type taxonomyStore interface {
	store.Store
	store.Taxonomy
}

// RunTaxonomy runs the contract suite of store.Taxonomy. open must return a new,
// empty store for each call; RunTaxonomy closes it when the subtest ends.
func RunTaxonomy(t *testing.T, open func(t *testing.T) store.Stores) {
	newTaxonomy := func(t *testing.T) taxonomyStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s taxonomyStore)
	}{
		{"Replace/RoundTrip", testTaxonomyRoundTrip},
		{"Replace/OldCategoriesGone", testTaxonomyReplaced},
		{"Replace/Thousands", testTaxonomyThousands},
		{"Replace/ReaderNeverSeesHalf", testTaxonomyAtomic},
		{"Replace/Invalid", testTaxonomyInvalid},
		{"Definitions/PutOnFirstUse", testPutDefinition},
		{"Brands/FoldedLookup", testBrandsNamed},
		{"Brands/Upsert", testBrandsUpsert},
		{"Brands/Invalid", testBrandsInvalid},
		{"Pins/ReplaceAndUnpin", testPins},
		{"Pins/Invalid", testPinsInvalid},
		{"Pins/CategoryIsALeaf", testPinLeaf},
		{"ListingInput", testListingInput},
		{"ListingInput/Invalid", testListingInputInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newTaxonomy(t))
		})
	}
}

// testPutDefinition stores a category's definition read on first use, replaces it,
// lists it among the categories in use, and loses it to the next replacement.
func testPutDefinition(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	require.NoError(t, s.ReplaceTaxonomy(ctx, messages.Trendyol, trendyolTree, nil, time.Time{}))
	defined, err := s.Defined(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, defined)
	_, err = s.Definition(ctx, messages.Trendyol, "56")
	require.ErrorIs(t, err, store.ErrNotFound)

	first := taxonomy.Definition{CategoryID: "56", Attributes: []taxonomy.Attribute{{ID: "338", Name: "Beden", Required: true}}}
	require.NoError(t, s.PutDefinition(ctx, messages.Trendyol, first))
	again := taxonomy.Definition{CategoryID: "56", Attributes: []taxonomy.Attribute{{ID: "47", Name: "Renk"}, {ID: "338", Name: "Beden"}},
		Schema: json.RawMessage(`{"type":"object"}`)}
	require.NoError(t, s.PutDefinition(ctx, messages.Trendyol, again))
	require.NoError(t, s.PutDefinition(ctx, messages.Trendyol, taxonomy.Definition{CategoryID: "411"}))
	got, err := s.Definition(ctx, messages.Trendyol, "56")
	require.NoError(t, err)
	assert.Equal(t, again.Attributes, got.Attributes)
	assert.JSONEq(t, `{"type":"object"}`, string(got.Schema))
	defined, err = s.Defined(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, []string{"411", "56"}, defined)
	other, err := s.Defined(ctx, messages.Hepsiburada)
	require.NoError(t, err)
	assert.Empty(t, other)

	assert.Error(t, s.PutDefinition(ctx, "n11", first), "unknown marketplace")
	assert.Error(t, s.PutDefinition(ctx, messages.Trendyol, taxonomy.Definition{}), "no category ID")
	assert.Error(t, s.PutDefinition(ctx, messages.Trendyol, taxonomy.Definition{CategoryID: "56", Schema: json.RawMessage("{")}), "schema not JSON")

	require.NoError(t, s.ReplaceTaxonomy(ctx, messages.Trendyol, trendyolTree, nil, time.Time{}))
	defined, err = s.Defined(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, defined, "a replacement replaces the definitions too")
}

// testPinLeaf: a category pin must name a leaf of the stored taxonomy, once there is one.
func testPinLeaf(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	pin := store.Pin{Marketplace: messages.Trendyol, Kind: store.PinCategory, From: "Abiye", To: "522"}
	require.NoError(t, s.Pin(ctx, pin), "nothing to check against before the first sync")
	require.NoError(t, s.ReplaceTaxonomy(ctx, messages.Trendyol, trendyolTree, nil, time.Time{}))
	err := s.Pin(ctx, pin)
	require.ErrorIs(t, err, store.ErrBadPin)
	assert.Contains(t, err.Error(), "is not a leaf")
	pin.To = "999"
	err = s.Pin(ctx, pin)
	require.ErrorIs(t, err, store.ErrBadPin)
	assert.Contains(t, err.Error(), "has no category 999")
	pin.To = "56"
	require.NoError(t, s.Pin(ctx, pin))
	ps, err := s.Pins(ctx, messages.Trendyol)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	assert.Equal(t, "56", ps[0].To)
}

// trendyolTree is a small category tree in Trendyol's shape: parents before children.
var trendyolTree = []taxonomy.Category{
	{ID: "522", Name: "Giyim", Path: []string{"Giyim"}},
	{ID: "82", ParentID: "522", Name: "Kadın", Path: []string{"Giyim", "Kadın"}},
	{ID: "56", ParentID: "82", Name: "Elbise", Path: []string{"Giyim", "Kadın", "Elbise"}, Leaf: true},
	{ID: "403", Name: "Ayakkabı", Path: []string{"Ayakkabı"}},
	{ID: "411", ParentID: "403", Name: "Sneaker", Path: []string{"Ayakkabı", "Sneaker"}, Leaf: true},
}

// dressDefinition is the definition of trendyolTree's Elbise.
var dressDefinition = taxonomy.Definition{
	CategoryID: "56",
	Attributes: []taxonomy.Attribute{
		{ID: "47", Name: "Renk", Required: true, AllowCustom: true, Values: []taxonomy.Value{{ID: "1001", Name: "Lacivert"}, {ID: "1002", Name: "Siyah"}}},
		{ID: "338", Name: "Beden", Required: true, Varianter: true, Values: []taxonomy.Value{{ID: "6821", Name: "S"}, {ID: "6822", Name: "M"}}},
		{ID: "14", Name: "Materyal", Multiple: true, Values: []taxonomy.Value{{ID: "77", Name: "Pamuk"}}},
	},
}

// shoesDefinition is an Amazon product type, whose schema must come back as it was.
var shoesDefinition = taxonomy.Definition{
	CategoryID: "SHOES",
	Attributes: []taxonomy.Attribute{{ID: "color", Name: "Colour", Required: true, AllowCustom: true}},
	Schema:     json.RawMessage(`{"$schema": "https://json-schema.org/draft/2019-09/schema",  "required":["color"], "a":1}`),
}

func replace(t *testing.T, s taxonomyStore, marketplace string, cs []taxonomy.Category, ds []taxonomy.Definition) {
	t.Helper()
	require.NoError(t, s.ReplaceTaxonomy(context.Background(), marketplace, cs, ds, at))
}

func categories(t *testing.T, s taxonomyStore, marketplace string) []taxonomy.Category {
	t.Helper()
	cs, err := s.Categories(context.Background(), marketplace)
	require.NoError(t, err)
	return cs
}

func testTaxonomyRoundTrip(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	synced, err := s.TaxonomySynced(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.True(t, synced.IsZero(), "never synced")
	none := categories(t, s, messages.Trendyol)
	assert.Empty(t, none)
	assert.NotNil(t, none, "no categories are [] in JSON, not null")

	replace(t, s, messages.Trendyol, trendyolTree, []taxonomy.Definition{dressDefinition, {CategoryID: "411"}})
	amazon := []taxonomy.Category{{ID: "SHOES", Name: "Shoes", Path: []string{"Shoes"}, Leaf: true}}
	replace(t, s, messages.Amazon, amazon, []taxonomy.Definition{shoesDefinition})

	assert.Equal(t, trendyolTree, categories(t, s, messages.Trendyol), "the tree comes back in its order")
	assert.Equal(t, amazon, categories(t, s, messages.Amazon))
	assert.Empty(t, categories(t, s, messages.Hepsiburada))

	tests := []struct {
		name        string
		marketplace string
		category    string
		want        taxonomy.Definition
	}{
		{"attributes and values", messages.Trendyol, "56", dressDefinition},
		{"no attributes", messages.Trendyol, "411", taxonomy.Definition{CategoryID: "411"}},
		{"schema byte for byte", messages.Amazon, "SHOES", shoesDefinition},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := s.Definition(ctx, tt.marketplace, tt.category)
			require.NoError(t, err)
			assert.Equal(t, tt.want.CategoryID, d.CategoryID)
			assert.Equal(t, tt.want.Attributes, d.Attributes)
			assert.Equal(t, string(tt.want.Schema), string(d.Schema))
		})
	}
	for _, missing := range []struct{ marketplace, category string }{
		{messages.Trendyol, "522"},      // a parent has no definition
		{messages.Trendyol, "SHOES"},    // another marketplace's
		{messages.Hepsiburada, "56"},    // never synced
		{messages.Trendyol, "no-such"},  // unknown
		{messages.Amazon, "shoes"},      // IDs are exact
		{messages.Amazon, ""},           // empty
		{messages.Trendyol, "56 "},      // no trimming
		{messages.Hepsiburada, "SHOES"}, // never synced
	} {
		_, err := s.Definition(ctx, missing.marketplace, missing.category)
		assert.ErrorIs(t, err, store.ErrNotFound, "%s %q", missing.marketplace, missing.category)
	}

	synced, err = s.TaxonomySynced(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, at, synced)
	later := at.Add(time.Hour)
	require.NoError(t, s.ReplaceTaxonomy(ctx, messages.Trendyol, trendyolTree, nil, later))
	synced, err = s.TaxonomySynced(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, later, synced)
	synced, err = s.TaxonomySynced(ctx, messages.Amazon)
	require.NoError(t, err)
	assert.Equal(t, at, synced, "each marketplace has its own sync time")
}

func testTaxonomyReplaced(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	replace(t, s, messages.Trendyol, trendyolTree, []taxonomy.Definition{dressDefinition})
	replace(t, s, messages.Hepsiburada, trendyolTree[:2], nil)

	next := []taxonomy.Category{
		{ID: "403", Name: "Ayakkabı", Path: []string{"Ayakkabı"}},
		{ID: "1172", ParentID: "403", Name: "Bot", Path: []string{"Ayakkabı", "Bot"}, Leaf: true},
	}
	boots := taxonomy.Definition{CategoryID: "1172", Attributes: []taxonomy.Attribute{{ID: "62", Name: "Numara", Required: true}}}
	replace(t, s, messages.Trendyol, next, []taxonomy.Definition{boots})

	assert.Equal(t, next, categories(t, s, messages.Trendyol), "only the new tree")
	_, err := s.Definition(ctx, messages.Trendyol, "56")
	assert.ErrorIs(t, err, store.ErrNotFound, "the old definitions are gone")
	d, err := s.Definition(ctx, messages.Trendyol, "1172")
	require.NoError(t, err)
	assert.Equal(t, boots.Attributes, d.Attributes)
	assert.Equal(t, trendyolTree[:2], categories(t, s, messages.Hepsiburada), "other marketplaces keep theirs")

	replace(t, s, messages.Trendyol, nil, nil)
	assert.Empty(t, categories(t, s, messages.Trendyol), "an empty taxonomy replaces too")
}

// bigTree returns n categories under one root, IDs counting down so stored order and
// ID order differ, and a definition for every second leaf.
func bigTree(prefix string, n int) ([]taxonomy.Category, []taxonomy.Definition) {
	cs := []taxonomy.Category{{ID: prefix + "root", Name: "Kök", Path: []string{"Kök"}}}
	var ds []taxonomy.Definition
	for i := range n - 1 {
		id := prefix + strconv.Itoa(n-i)
		name := fmt.Sprintf("Kategori %d", i)
		cs = append(cs, taxonomy.Category{ID: id, ParentID: prefix + "root", Name: name, Path: []string{"Kök", name}, Leaf: true})
		if i%2 == 0 {
			ds = append(ds, taxonomy.Definition{CategoryID: id, Attributes: []taxonomy.Attribute{{ID: "47", Name: "Renk", Required: true}}})
		}
	}
	return cs, ds
}

func testTaxonomyThousands(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	cs, ds := bigTree("c", 3000)
	replace(t, s, messages.Trendyol, cs, ds)
	got := categories(t, s, messages.Trendyol)
	require.Len(t, got, 3000)
	assert.Equal(t, cs, got)
	for _, d := range []taxonomy.Definition{ds[0], ds[len(ds)/2], ds[len(ds)-1]} {
		stored, err := s.Definition(ctx, messages.Trendyol, d.CategoryID)
		require.NoError(t, err)
		assert.Equal(t, d, stored)
	}

	cs, ds = bigTree("d", 1201)
	replace(t, s, messages.Trendyol, cs, ds)
	got = categories(t, s, messages.Trendyol)
	require.Len(t, got, 1201, "the larger tree is gone")
	assert.Equal(t, cs, got)
}

func testTaxonomyAtomic(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	a, _ := bigTree("a", 700)
	b, _ := bigTree("b", 1100)
	replace(t, s, messages.Trendyol, a, nil)

	var (
		wg   sync.WaitGroup
		errs = make(chan error, 1)
	)
	wg.Go(func() {
		for i := range 8 {
			next := a
			if i%2 == 0 {
				next = b
			}
			if err := s.ReplaceTaxonomy(ctx, messages.Trendyol, next, nil, at); err != nil {
				errs <- err
				return
			}
		}
	})
	for range 30 {
		got := categories(t, s, messages.Trendyol)
		switch len(got) {
		case len(a):
			assert.Equal(t, a, got)
		case len(b):
			assert.Equal(t, b, got)
		default:
			assert.Failf(t, "half a taxonomy", "read %d categories, want %d or %d", len(got), len(a), len(b))
		}
	}
	wg.Wait()
	close(errs)
	require.NoError(t, <-errs)
	assert.Equal(t, a, categories(t, s, messages.Trendyol), "the last replace wins")
}

func testTaxonomyInvalid(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	replace(t, s, messages.Trendyol, trendyolTree, []taxonomy.Definition{dressDefinition})
	tests := []struct {
		name        string
		marketplace string
		cs          []taxonomy.Category
		ds          []taxonomy.Definition
	}{
		{"unknown marketplace", "ebay", trendyolTree, nil},
		{"category without ID", messages.Trendyol, []taxonomy.Category{{Name: "Giyim"}}, nil},
		{"category twice", messages.Trendyol, []taxonomy.Category{trendyolTree[0], trendyolTree[0]}, nil},
		{"definition without category", messages.Trendyol, trendyolTree, []taxonomy.Definition{{}}},
		{"category defined twice", messages.Trendyol, trendyolTree, []taxonomy.Definition{dressDefinition, dressDefinition}},
		{"schema not JSON", messages.Trendyol, trendyolTree, []taxonomy.Definition{{CategoryID: "56", Schema: json.RawMessage(`{"type":`)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.ReplaceTaxonomy(ctx, tt.marketplace, tt.cs, tt.ds, at.Add(time.Hour))
			assert.Error(t, err)
		})
	}
	assert.Equal(t, trendyolTree, categories(t, s, messages.Trendyol), "nothing invalid was stored")
	d, err := s.Definition(ctx, messages.Trendyol, "56")
	require.NoError(t, err)
	assert.Equal(t, dressDefinition.Attributes, d.Attributes)
	synced, err := s.TaxonomySynced(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, at, synced)
}

func brandCount(t *testing.T, s taxonomyStore, marketplace string) int {
	t.Helper()
	n, err := s.BrandCount(context.Background(), marketplace)
	require.NoError(t, err)
	return n
}

func testBrandsNamed(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	brands := []taxonomy.Brand{
		{ID: "40", Name: "Nike"},
		{ID: "2032", Name: "Kiğılı"},
		{ID: "777", Name: "L'Oréal Paris"},
		{ID: "41", Name: "NIKE"}, // a registry may hold one name twice
		{ID: "1500", Name: "Koton"},
	}
	require.NoError(t, s.PutBrands(ctx, messages.Trendyol, brands))
	require.NoError(t, s.PutBrands(ctx, messages.Hepsiburada, []taxonomy.Brand{{ID: "nike", Name: "Nike"}}))
	assert.Equal(t, 5, brandCount(t, s, messages.Trendyol))
	assert.Equal(t, 1, brandCount(t, s, messages.Hepsiburada))
	assert.Zero(t, brandCount(t, s, messages.Amazon))

	tests := []struct {
		name        string
		marketplace string
		query       string
		want        []taxonomy.Brand
	}{
		{"Turkish capitals", messages.Trendyol, "KIĞILI", []taxonomy.Brand{{ID: "2032", Name: "Kiğılı"}}},
		{"typed without Turkish letters", messages.Trendyol, "kigili", []taxonomy.Brand{{ID: "2032", Name: "Kiğılı"}}},
		{"accents and apostrophe", messages.Trendyol, "l'oreal paris", []taxonomy.Brand{{ID: "777", Name: "L'Oréal Paris"}}},
		{"typographic apostrophe", messages.Trendyol, "L’ORÉAL  PARIS", []taxonomy.Brand{{ID: "777", Name: "L'Oréal Paris"}}},
		{"every brand of the name, by ID", messages.Trendyol, "nike", []taxonomy.Brand{{ID: "40", Name: "Nike"}, {ID: "41", Name: "NIKE"}}},
		{"per marketplace", messages.Hepsiburada, "Nike", []taxonomy.Brand{{ID: "nike", Name: "Nike"}}},
		{"part of a name", messages.Trendyol, "L'Oréal", []taxonomy.Brand{}},
		{"unknown", messages.Trendyol, "Adidas", []taxonomy.Brand{}},
		{"empty", messages.Trendyol, "", []taxonomy.Brand{}},
		{"only punctuation", messages.Trendyol, "'-", []taxonomy.Brand{}},
		{"no registry", messages.Amazon, "Nike", []taxonomy.Brand{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.BrandsNamed(ctx, tt.marketplace, tt.query)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func testBrandsUpsert(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	page := make([]taxonomy.Brand, 1200)
	for i := range page {
		page[i] = taxonomy.Brand{ID: strconv.Itoa(i + 1), Name: fmt.Sprintf("Marka %d", i+1)}
	}
	require.NoError(t, s.PutBrands(ctx, messages.Trendyol, page))
	require.Equal(t, 1200, brandCount(t, s, messages.Trendyol))

	// The next page renames one, repeats one and adds one.
	require.NoError(t, s.PutBrands(ctx, messages.Trendyol, []taxonomy.Brand{
		{ID: "7", Name: "Mavi"},
		{ID: "8", Name: "Marka 8"},
		{ID: "1201", Name: "LC Waikiki"},
		{ID: "1201", Name: "LC Waikiki"},
	}))
	assert.Equal(t, 1201, brandCount(t, s, messages.Trendyol))
	got, err := s.BrandsNamed(ctx, messages.Trendyol, "mavi")
	require.NoError(t, err)
	assert.Equal(t, []taxonomy.Brand{{ID: "7", Name: "Mavi"}}, got)
	got, err = s.BrandsNamed(ctx, messages.Trendyol, "Marka 7")
	require.NoError(t, err)
	assert.Empty(t, got, "the old name is gone")
	got, err = s.BrandsNamed(ctx, messages.Trendyol, "lc waikiki")
	require.NoError(t, err)
	assert.Equal(t, []taxonomy.Brand{{ID: "1201", Name: "LC Waikiki"}}, got)
	require.NoError(t, s.PutBrands(ctx, messages.Trendyol, nil))
	assert.Equal(t, 1201, brandCount(t, s, messages.Trendyol))
}

func testBrandsInvalid(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	tests := []struct {
		name        string
		marketplace string
		brands      []taxonomy.Brand
	}{
		{"unknown marketplace", "ebay", []taxonomy.Brand{{ID: "1", Name: "Nike"}}},
		{"no ID", messages.Trendyol, []taxonomy.Brand{{ID: "1", Name: "Nike"}, {Name: "Puma"}}},
		{"no name", messages.Trendyol, []taxonomy.Brand{{ID: "1", Name: "Nike"}, {ID: "2", Name: " "}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Error(t, s.PutBrands(ctx, tt.marketplace, tt.brands))
		})
	}
	assert.Zero(t, brandCount(t, s, messages.Trendyol), "nothing of a refused page was stored")
}

func pins(t *testing.T, s taxonomyStore, marketplace string) []store.Pin {
	t.Helper()
	ps, err := s.Pins(context.Background(), marketplace)
	require.NoError(t, err)
	return ps
}

func testPins(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	assert.Empty(t, pins(t, s, ""))
	before := time.Now().Add(-time.Second)
	for _, p := range []store.Pin{
		{Marketplace: messages.Trendyol, Kind: store.PinValue, Attribute: "47", From: "Navy", To: "1001"},
		{Marketplace: messages.Trendyol, Kind: store.PinCategory, From: "Ayakkabı", To: "411"},
		{Marketplace: messages.Amazon, Kind: store.PinCategory, From: "Ayakkabı", To: "SHOES"},
		{Marketplace: messages.Trendyol, Kind: store.PinBrand, From: "Kiğılı", To: "2032", CreatedAt: at},
		{Marketplace: messages.Trendyol, Kind: store.PinValue, Attribute: "338", From: "Navy", To: "x"},
	} {
		require.NoError(t, s.Pin(ctx, p))
	}
	got := pins(t, s, "")
	require.Len(t, got, 5)
	for _, p := range got {
		assert.True(t, p.CreatedAt.After(before), "%s %s: created_at %v is the store's clock", p.Kind, p.From, p.CreatedAt)
		assert.Equal(t, time.UTC, p.CreatedAt.Location())
	}
	type key struct{ marketplace, kind, attribute, from, to string }
	keys := func(ps []store.Pin) []key {
		var out []key
		for _, p := range ps {
			out = append(out, key{p.Marketplace, p.Kind, p.Attribute, p.From, p.To})
		}
		return out
	}
	assert.Equal(t, []key{
		{messages.Amazon, store.PinCategory, "", "Ayakkabı", "SHOES"},
		{messages.Trendyol, store.PinBrand, "", "Kiğılı", "2032"},
		{messages.Trendyol, store.PinCategory, "", "Ayakkabı", "411"},
		{messages.Trendyol, store.PinValue, "338", "Navy", "x"},
		{messages.Trendyol, store.PinValue, "47", "Navy", "1001"},
	}, keys(got), "ordered by marketplace, kind, attribute, word")

	// The same word, typed otherwise, replaces the pin.
	require.NoError(t, s.Pin(ctx, store.Pin{Marketplace: messages.Trendyol, Kind: store.PinCategory, From: "AYAKKABI", To: "1172"}))
	require.NoError(t, s.Pin(ctx, store.Pin{Marketplace: messages.Trendyol, Kind: store.PinValue, Attribute: "338", From: "navy", To: "6822"}))
	assert.Equal(t, []key{
		{messages.Trendyol, store.PinBrand, "", "Kiğılı", "2032"},
		{messages.Trendyol, store.PinCategory, "", "AYAKKABI", "1172"},
		{messages.Trendyol, store.PinValue, "338", "navy", "6822"},
		{messages.Trendyol, store.PinValue, "47", "Navy", "1001"},
	}, keys(pins(t, s, messages.Trendyol)))

	require.NoError(t, s.Unpin(ctx, store.Pin{Marketplace: messages.Trendyol, Kind: store.PinBrand, From: "KIGILI"}))
	require.NoError(t, s.Unpin(ctx, store.Pin{Marketplace: messages.Trendyol, Kind: store.PinValue, Attribute: "47", From: "NAVY"}))
	assert.Equal(t, []key{
		{messages.Trendyol, store.PinCategory, "", "AYAKKABI", "1172"},
		{messages.Trendyol, store.PinValue, "338", "navy", "6822"},
	}, keys(pins(t, s, messages.Trendyol)))
	assert.Len(t, pins(t, s, messages.Amazon), 1, "unpinning on trendyol leaves amazon's")
	assert.Empty(t, pins(t, s, messages.Hepsiburada))

	for _, missing := range []store.Pin{
		{Marketplace: messages.Trendyol, Kind: store.PinBrand, From: "Kiğılı"},
		{Marketplace: messages.Hepsiburada, Kind: store.PinCategory, From: "Ayakkabı"},
		{Marketplace: messages.Trendyol, Kind: store.PinValue, Attribute: "47", From: "Ayakkabı"},
	} {
		assert.ErrorIs(t, s.Unpin(ctx, missing), store.ErrNotFound, "%+v", missing)
	}
}

func testPinsInvalid(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	tests := []struct {
		name string
		pin  store.Pin
		says string
	}{
		{"unknown marketplace", store.Pin{Marketplace: "ebay", Kind: store.PinCategory, From: "Ayakkabı", To: "411"}, "marketplace"},
		{"unknown kind", store.Pin{Marketplace: messages.Trendyol, Kind: "colour", From: "Navy", To: "1001"}, "kind"},
		{"no word", store.Pin{Marketplace: messages.Trendyol, Kind: store.PinCategory, To: "411"}, "word"},
		{"word of punctuation", store.Pin{Marketplace: messages.Trendyol, Kind: store.PinCategory, From: "--", To: "411"}, "word"},
		{"no target", store.Pin{Marketplace: messages.Trendyol, Kind: store.PinCategory, From: "Ayakkabı"}, "ID"},
		{"value pin without attribute", store.Pin{Marketplace: messages.Trendyol, Kind: store.PinValue, From: "Navy", To: "1001"}, "attribute"},
		{"brand pin with attribute", store.Pin{Marketplace: messages.Trendyol, Kind: store.PinBrand, Attribute: "47", From: "Nike", To: "40"}, "attribute"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorContains(t, s.Pin(ctx, tt.pin), tt.says)
		})
	}
	assert.Empty(t, pins(t, s, ""), "nothing invalid was stored")
	assert.ErrorContains(t, s.Unpin(ctx, store.Pin{Marketplace: messages.Trendyol, Kind: store.PinValue, From: "Navy"}), "attribute")
}

func testListingInput(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	id, _ := put(t, s, newProduct("p1", "SKU-1"))
	in, err := s.ListingInput(ctx, id, messages.Trendyol)
	require.NoError(t, err)
	assert.Zero(t, in, "nothing supplied yet")

	before := time.Now().Add(-time.Second)
	first := store.ListingInput{Category: "56", Brand: "40", Attributes: map[string]string{"Renk": "Lacivert", "338": "6822"}}
	require.NoError(t, s.SetListingInput(ctx, id, messages.Trendyol, first))
	require.NoError(t, s.SetListingInput(ctx, id, messages.Amazon, store.ListingInput{Category: "SHOES", UpdatedAt: at}))

	in, err = s.ListingInput(ctx, id, messages.Trendyol)
	require.NoError(t, err)
	assert.True(t, in.UpdatedAt.After(before), "updated_at %v is stamped at write", in.UpdatedAt)
	in.UpdatedAt = time.Time{}
	assert.Equal(t, first, in)
	in, err = s.ListingInput(ctx, id, messages.Amazon)
	require.NoError(t, err)
	assert.Equal(t, store.ListingInput{Category: "SHOES", UpdatedAt: at}, in)

	// Replacing drops what the new input does not name; a new revision keeps it.
	second := store.ListingInput{Attributes: map[string]string{"Beden": "M"}, UpdatedAt: at}
	require.NoError(t, s.SetListingInput(ctx, id, messages.Trendyol, second))
	_, rev := put(t, s, newProduct("p1", "SKU-1"))
	require.Equal(t, 2, rev)
	in, err = s.ListingInput(ctx, id, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, second, in)
	in, err = s.ListingInput(ctx, id, messages.Hepsiburada)
	require.NoError(t, err)
	assert.Zero(t, in)
}

func testListingInputInvalid(t *testing.T, s taxonomyStore) {
	ctx := context.Background()
	id, _ := put(t, s, newProduct("p1", "SKU-1"))
	err := s.SetListingInput(ctx, "missing", messages.Trendyol, store.ListingInput{Category: "56"})
	assert.ErrorIs(t, err, store.ErrNotFound)
	err = s.SetListingInput(ctx, id, "ebay", store.ListingInput{Category: "56"})
	assert.ErrorContains(t, err, "marketplace")
	in, err := s.ListingInput(ctx, id, "ebay")
	require.NoError(t, err)
	assert.Zero(t, in)
	in, err = s.ListingInput(ctx, "missing", messages.Trendyol)
	require.NoError(t, err)
	assert.Zero(t, in)
}
