package taxonomy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/taxonomy"
)

// memory is a Reader over a taxonomy held in memory.
type memory struct {
	synced time.Time
	cats   []taxonomy.Category
	defs   map[string]taxonomy.Definition
	brands []taxonomy.Brand
	reads  int
}

var errNotFound = errors.New("not found")

func (m *memory) Categories(context.Context, string) ([]taxonomy.Category, error) {
	m.reads++
	return m.cats, nil
}

func (m *memory) Definition(_ context.Context, _, id string) (taxonomy.Definition, error) {
	d, ok := m.defs[id]
	if !ok {
		return d, errNotFound
	}
	return d, nil
}

func (m *memory) TaxonomySynced(context.Context, string) (time.Time, error) { return m.synced, nil }

func (m *memory) BrandsNamed(_ context.Context, _, name string) ([]taxonomy.Brand, error) {
	var out []taxonomy.Brand
	for _, b := range m.brands {
		if taxonomy.Fold(b.Name) == taxonomy.Fold(name) {
			out = append(out, b)
		}
	}
	return out, nil
}

func (m *memory) BrandCount(context.Context, string) (int, error) { return len(m.brands), nil }

// tree builds categories from "ID:Parent>Path>Name" specs; a spec ending in * is a leaf.
func tree(specs ...string) []taxonomy.Category {
	var out []taxonomy.Category
	byPath := map[string]string{}
	for _, s := range specs {
		id, path, _ := strings.Cut(s, ":")
		leaf := strings.HasSuffix(path, "*")
		parts := strings.Split(strings.TrimSuffix(path, "*"), ">")
		c := taxonomy.Category{ID: id, Name: parts[len(parts)-1], Path: parts, Leaf: leaf,
			ParentID: byPath[strings.Join(parts[:len(parts)-1], ">")]}
		byPath[strings.Join(parts, ">")] = id
		out = append(out, c)
	}
	return out
}

var (
	colour = taxonomy.Attribute{ID: "47", Name: "Renk", Required: true, Values: []taxonomy.Value{
		{ID: "1", Name: "Siyah"}, {ID: "2", Name: "Beyaz"}, {ID: "3", Name: "Lacivert"}, {ID: "4", Name: "Kırmızı"}}}
	size = taxonomy.Attribute{ID: "338", Name: "Beden", Required: true, Varianter: true, Values: []taxonomy.Value{
		{ID: "10", Name: "S"}, {ID: "11", Name: "M"}, {ID: "12", Name: "L"}, {ID: "13", Name: "XL"}, {ID: "14", Name: "XXL"}}}
	gender = taxonomy.Attribute{ID: "22", Name: "Cinsiyet", Required: true, Values: []taxonomy.Value{
		{ID: "30", Name: "Kadın"}, {ID: "31", Name: "Erkek"}, {ID: "32", Name: "Unisex"}}}
	origin = taxonomy.Attribute{ID: "1192", Name: "Menşei", Required: true, Values: []taxonomy.Value{
		{ID: "40", Name: "TR"}, {ID: "41", Name: "CN"}}}
	material = taxonomy.Attribute{ID: "14", Name: "Materyal", AllowCustom: true, Values: []taxonomy.Value{
		{ID: "50", Name: "Pamuk"}, {ID: "51", Name: "Polyester"}}}
	shoeSize = taxonomy.Attribute{ID: "62", Name: "Numara", Required: true, Values: []taxonomy.Value{
		{ID: "70", Name: "40"}, {ID: "71", Name: "41"}, {ID: "72", Name: "42"}}}
	compatible = taxonomy.Attribute{ID: "90", Name: "Uyumlu Marka", Required: true, Values: []taxonomy.Value{
		{ID: "91", Name: "Apple"}, {ID: "92", Name: "Samsung"}}}
	model = taxonomy.Attribute{ID: "93", Name: "Uyumlu Model", AllowCustom: true}
)

func newMemory() *memory {
	return &memory{
		synced: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC),
		cats: tree(
			"1:Giyim", "2:Giyim>Kadın", "3:Giyim>Kadın>Tişört*", "4:Giyim>Kadın>Elbise*",
			"5:Giyim>Erkek", "6:Giyim>Erkek>Tişört*",
			"7:Ayakkabı", "8:Ayakkabı>Erkek Ayakkabı", "9:Ayakkabı>Erkek Ayakkabı>Spor Ayakkabı*",
			"10:Ayakkabı>Kadın Ayakkabı", "11:Ayakkabı>Kadın Ayakkabı>Topuklu Ayakkabı*",
			"12:Elektronik", "13:Elektronik>Telefon Aksesuarları", "14:Elektronik>Telefon Aksesuarları>Telefon Kılıfı*",
			"15:Elektronik>Kulaklık*",
		),
		defs: map[string]taxonomy.Definition{
			"3":  {CategoryID: "3", Attributes: []taxonomy.Attribute{colour, size, gender, origin, material}},
			"4":  {CategoryID: "4", Attributes: []taxonomy.Attribute{colour, size, origin}},
			"6":  {CategoryID: "6", Attributes: []taxonomy.Attribute{colour, size, gender, origin, material}},
			"9":  {CategoryID: "9", Attributes: []taxonomy.Attribute{colour, shoeSize, gender}},
			"11": {CategoryID: "11", Attributes: []taxonomy.Attribute{colour, shoeSize}},
			"14": {CategoryID: "14", Attributes: []taxonomy.Attribute{compatible, model, colour}},
			"15": {CategoryID: "15", Attributes: []taxonomy.Attribute{colour}},
		},
		brands: []taxonomy.Brand{{ID: "100", Name: "Nike"}, {ID: "101", Name: "Kiğılı"}, {ID: "102", Name: "L'Oréal Paris"}, {ID: "103", Name: "Apple"}},
	}
}

func TestMapCategory(t *testing.T) {
	cases := []struct {
		name     string
		product  taxonomy.Product
		pins     taxonomy.Pins
		input    taxonomy.Input
		want     string // category ID, "" when none is chosen
		source   string
		reasonIn string
	}{
		{name: "the seller's word and the name's gender", want: "9", source: taxonomy.SourceAutomatic,
			product: taxonomy.Product{Name: "Nike Air Max 270 Erkek Spor Ayakkabı", Category: "Ayakkabı"}},
		{name: "an English word and a gender attribute", want: "3", source: taxonomy.SourceAutomatic,
			product: taxonomy.Product{Name: "Basic Pamuklu", Category: "T-Shirt", Attributes: map[string]string{"cinsiyet": "Kadın"}}},
		{name: "a synonym in the name", want: "11", source: taxonomy.SourceAutomatic,
			product: taxonomy.Product{Name: "Rugan Stiletto Kadın", Category: "Ayakkabı"}},
		{name: "a case is a phone case", want: "14", source: taxonomy.SourceAutomatic,
			product: taxonomy.Product{Name: "iPhone 15 Silikon Kılıf", Category: "Telefon Kılıfı"}},
		{name: "without a gender two t-shirts tie", want: "", reasonIn: "clearly enough",
			product: taxonomy.Product{Name: "Basic Pamuklu", Category: "Tişört"}},
		{name: "an unknown word chooses nothing", want: "", reasonIn: "Bahçe Hortumu",
			product: taxonomy.Product{Name: "Bahçe Hortumu 20 m", Category: "Bahçe Hortumu"}},
		{name: "a pin wins", want: "6", source: taxonomy.SourcePinned,
			product: taxonomy.Product{Name: "Basic Pamuklu", Category: "Tişört"},
			pins:    taxonomy.Pins{Category: map[string]string{"tisort": "6"}}},
		{name: "the seller's input wins over a pin", want: "3", source: taxonomy.SourceInput,
			product: taxonomy.Product{Name: "Basic Pamuklu", Category: "Tişört"},
			pins:    taxonomy.Pins{Category: map[string]string{"tisort": "6"}}, input: taxonomy.Input{Category: "3"}},
		{name: "a pinned parent is not taken", want: "", reasonIn: "not a leaf",
			product: taxonomy.Product{Name: "Basic Pamuklu", Category: "Tişört"},
			pins:    taxonomy.Pins{Category: map[string]string{"tisort": "5"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: newMemory()}
			got, err := m.Map(context.Background(), tc.product, tc.pins, tc.input)
			require.NoError(t, err)
			if tc.want == "" {
				assert.Nil(t, got.Category)
				require.NotEmpty(t, got.Missing)
				assert.Equal(t, "category", got.Missing[0].Field)
				assert.Contains(t, got.Missing[0].Reason, tc.reasonIn)
				return
			}
			require.NotNil(t, got.Category, "missing: %+v", got.Missing)
			assert.Equal(t, tc.want, got.Category.ID)
			assert.Equal(t, tc.source, got.Category.Source)
		})
	}
}

func TestMapAmbiguousListsCandidates(t *testing.T) {
	m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: newMemory()}
	got, err := m.Map(context.Background(), taxonomy.Product{Name: "Basic", Category: "Tişört", Brand: "Nike"}, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	require.Len(t, got.Missing, 1)
	assert.Contains(t, got.Missing[0].Allowed, "3: Giyim > Kadın > Tişört")
	assert.Contains(t, got.Missing[0].Allowed, "6: Giyim > Erkek > Tişört")
	assert.False(t, got.Complete())
}

func TestMapAttributes(t *testing.T) {
	m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: newMemory(), Defaults: map[string]string{"origin": "TR"}}
	p := taxonomy.Product{Name: "Kiğılı Erkek Basic Tişört", Brand: "KIĞILI", Category: "T-shirt",
		Attributes: map[string]string{"color": "Navy", "Beden": "xl", "kumaş": "%100 Pamuk", "barcode": "869000"}}
	got, err := m.Map(context.Background(), p, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	require.True(t, got.Complete(), "missing: %+v", got.Missing)
	assert.Equal(t, "6", got.Category.ID)
	assert.Equal(t, &taxonomy.Choice{ID: "101", Name: "Kiğılı", Source: taxonomy.SourceAutomatic}, got.Brand)
	byID := map[string]taxonomy.MappedAttribute{}
	for _, a := range got.Attributes {
		byID[a.ID] = a
	}
	assert.Equal(t, []string{"3"}, byID["47"].ValueIDs, "Navy is Lacivert")
	assert.Equal(t, "Lacivert", byID["47"].Value)
	assert.Equal(t, []string{"13"}, byID["338"].ValueIDs)
	assert.Equal(t, []string{"31"}, byID["22"].ValueIDs, "the name says Erkek")
	assert.Equal(t, taxonomy.SourceAutomatic, byID["22"].Source)
	assert.Equal(t, []string{"40"}, byID["1192"].ValueIDs)
	assert.Equal(t, taxonomy.SourceDefault, byID["1192"].Source)
	assert.Equal(t, []string{"50"}, byID["14"].ValueIDs, "%100 Pamuk is Pamuk")
	assert.Len(t, got.Attributes, 5, "barcode is no category attribute")
}

func TestMapMissing(t *testing.T) {
	m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: newMemory()}
	p := taxonomy.Product{Name: "Kadın Elbise", Brand: "Mavi", Category: "Elbise", Attributes: map[string]string{"renk": "Lacivertimsi"}}
	got, err := m.Map(context.Background(), p, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	assert.False(t, got.Complete())
	byName := map[string]taxonomy.Missing{}
	for _, x := range got.Missing {
		byName[x.Field+"/"+x.Name] = x
	}
	require.Contains(t, byName, "brand/Mavi")
	assert.Contains(t, byName["brand/Mavi"].Reason, "not in trendyol's brand registry")
	require.Contains(t, byName, "attribute/Beden")
	assert.Equal(t, []string{"S", "M", "L", "XL", "XXL"}, byName["attribute/Beden"].Allowed)
	require.Contains(t, byName, "attribute/Renk")
	assert.Contains(t, byName["attribute/Renk"].Reason, `"Lacivertimsi"`)
	assert.Contains(t, byName["attribute/Renk"].Allowed, "Lacivert")
	require.Contains(t, byName, "attribute/Menşei", "no default: origin is missing, never invented")
	assert.Len(t, got.Missing, 4)

	// The seller supplies what was missing: the mapping completes.
	in := taxonomy.Input{Brand: "100", Attributes: map[string]string{"Beden": "M", "Renk": "Lacivert", "1192": "TR"}}
	got, err = m.Map(context.Background(), p, taxonomy.Pins{}, in)
	require.NoError(t, err)
	require.True(t, got.Complete(), "missing: %+v", got.Missing)
	assert.Equal(t, taxonomy.SourceInput, got.Brand.Source)
	for _, a := range got.Attributes {
		assert.Equal(t, taxonomy.SourceInput, a.Source, a.Name)
	}
}

func TestMapPinnedValueAndCustom(t *testing.T) {
	m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: newMemory()}
	p := taxonomy.Product{Name: "Apple iPhone 15 Pro Kılıf", Brand: "Apple", Category: "Telefon Kılıfı",
		Attributes: map[string]string{"renk": "Gece Mavisi", "uyumlu model": "iPhone 15 Pro"}}
	pins := taxonomy.Pins{Value: map[string]map[string]string{"47": {"gece mavisi": "3"}}}
	got, err := m.Map(context.Background(), p, pins, taxonomy.Input{})
	require.NoError(t, err)
	require.True(t, got.Complete(), "missing: %+v", got.Missing)
	byID := map[string]taxonomy.MappedAttribute{}
	for _, a := range got.Attributes {
		byID[a.ID] = a
	}
	assert.Equal(t, []string{"3"}, byID["47"].ValueIDs)
	assert.Equal(t, taxonomy.SourcePinned, byID["47"].Source)
	assert.Equal(t, "iPhone 15 Pro", byID["93"].Value, "free text goes as written")
	assert.Empty(t, byID["93"].ValueIDs)
	assert.Equal(t, []string{"91"}, byID["90"].ValueIDs, "the name says Apple once")
}

func TestMapWithoutBrandRegistry(t *testing.T) {
	mem := newMemory()
	mem.brands = nil
	m := &taxonomy.Mapper{Marketplace: "hepsiburada", Reader: mem}
	got, err := m.Map(context.Background(), taxonomy.Product{Name: "Kulaklık", Brand: "Yeni Marka", Category: "Kulaklık",
		Attributes: map[string]string{"renk": "Siyah"}}, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	require.True(t, got.Complete(), "missing: %+v", got.Missing)
	assert.Equal(t, &taxonomy.Choice{Name: "Yeni Marka", Source: taxonomy.SourceAutomatic}, got.Brand)
}

func TestMapNotSyncedAndReload(t *testing.T) {
	mem := newMemory()
	synced := mem.synced
	mem.synced = time.Time{}
	m := &taxonomy.Mapper{Marketplace: "trendyol", Reader: mem}
	_, err := m.Map(context.Background(), taxonomy.Product{Name: "x"}, taxonomy.Pins{}, taxonomy.Input{})
	require.ErrorIs(t, err, taxonomy.ErrNotSynced)

	mem.synced = synced
	p := taxonomy.Product{Name: "Bahçe Hortumu", Category: "Bahçe Hortumu"}
	got, err := m.Map(context.Background(), p, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	assert.Nil(t, got.Category)
	_, err = m.Map(context.Background(), p, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	assert.Equal(t, 1, mem.reads, "the tree is read once per sync")

	// A new sync brings a garden hose category: the next product finds it.
	mem.cats = append(mem.cats, tree("20:Bahçe", "21:Bahçe>Bahçe Hortumu*")...)
	mem.defs["21"] = taxonomy.Definition{CategoryID: "21"}
	mem.synced = synced.Add(time.Hour)
	got, err = m.Map(context.Background(), taxonomy.Product{Name: "Hortum", Brand: "Nike", Category: "Bahçe Hortumu"}, taxonomy.Pins{}, taxonomy.Input{})
	require.NoError(t, err)
	require.NotNil(t, got.Category)
	assert.Equal(t, "21", got.Category.ID)
	assert.Equal(t, 2, mem.reads)
}

func TestSearch(t *testing.T) {
	cats := newMemory().cats
	ids := func(cs []taxonomy.Category) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.ID)
		}
		return out
	}
	assert.Equal(t, []string{"3", "6"}, ids(taxonomy.Search(cats, "tisort", 0)), "Turkish letters optional, leaves only")
	assert.Equal(t, []string{"3"}, ids(taxonomy.Search(cats, "KADIN tişört", 0)))
	assert.Equal(t, []string{"3"}, ids(taxonomy.Search(cats, "tişört", 1)))
	assert.Empty(t, taxonomy.Search(cats, "bahçe", 0))
	assert.Len(t, taxonomy.Search(cats, "", 0), 7, "no words: every leaf")
}
