package trendyol_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/taxonomy"
)

// rawGet asks the sandbox directly, as seller 123456, and decodes its answer.
func (rc *recorded) rawGet(t *testing.T, path string, out any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.SetBasicAuth("key", "secret")
	r.Header.Set("User-Agent", "123456 - SelfIntegration")
	rec := httptest.NewRecorder()
	rc.sb.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), out))
}

type treeNode struct {
	ID            int64      `json:"id"`
	SubCategories []treeNode `json:"subCategories"`
}

func countTree(ns []treeNode) (nodes, leaves int) {
	for _, n := range ns {
		sub, subLeaves := countTree(n.SubCategories)
		nodes += 1 + sub
		leaves += subLeaves
		if len(n.SubCategories) == 0 {
			leaves++
		}
	}
	return nodes, leaves
}

func TestSourceCategories(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{})
	c := rc.client(trendyol.Config{})
	cats, err := c.Categories(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"GET /integration/product/product-categories"}, rc.take(), "one request for the whole tree")

	var tree struct {
		Categories []treeNode `json:"categories"`
	}
	rc.rawGet(t, "/integration/product/product-categories", &tree)
	nodes, leaves := countTree(tree.Categories)
	assert.Len(t, cats, nodes)
	byID := map[string]taxonomy.Category{}
	gotLeaves := 0
	for i, cat := range cats {
		byID[cat.ID] = cat
		if cat.Leaf {
			gotLeaves++
		}
		if cat.ParentID != "" {
			parent, ok := byID[cat.ParentID]
			require.True(t, ok, "%s comes after its parent", cat.Name)
			assert.Less(t, len(parent.Path), len(cat.Path), "entry %d", i)
		}
	}
	assert.Equal(t, leaves, gotLeaves)

	tests := []struct {
		id, parent string
		path       []string
		leaf       bool
	}{
		{id: "522", path: []string{"Giyim"}},
		{id: "1030", parent: "522", path: []string{"Giyim", "Üst Giyim"}},
		{id: "1174", parent: "1030", path: []string{"Giyim", "Üst Giyim", "Tişört"}, leaf: true},
		{id: "411", parent: "403", path: []string{"Ayakkabı", "Casual Ayakkabı"}, leaf: true},
		{id: "1322", parent: "1321", path: []string{"Kozmetik", "Makyaj", "Dudak Makyajı", "Ruj"}, leaf: true},
		{id: "1531", parent: "1500", path: []string{"Oyuncak", "Oyuncak Araba"}, leaf: true},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.path, " > "), func(t *testing.T) {
			cat, ok := byID[tt.id]
			require.True(t, ok)
			assert.Equal(t, taxonomy.Category{ID: tt.id, ParentID: tt.parent, Name: tt.path[len(tt.path)-1], Path: tt.path, Leaf: tt.leaf}, cat)
		})
	}
}

func TestSourceDefinition(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{})
	c := rc.client(trendyol.Config{})
	ctx := context.Background()
	def, err := c.Definition(ctx, "1174")
	require.NoError(t, err)
	assert.Equal(t, "1174", def.CategoryID)
	assert.Nil(t, def.Schema)
	attrs := map[string]taxonomy.Attribute{}
	for _, a := range def.Attributes {
		attrs[a.ID] = a
	}
	require.Len(t, attrs, 5)

	beden := attrs["338"]
	assert.Equal(t, "Beden", beden.Name)
	assert.True(t, beden.Required && beden.Varianter)
	assert.False(t, beden.AllowCustom || beden.Multiple)
	assert.Equal(t, []taxonomy.Value{{ID: "6978", Name: "XS"}, {ID: "6979", Name: "S"}, {ID: "6980", Name: "M"}, {ID: "6981", Name: "L"},
		{ID: "6982", Name: "XL"}, {ID: "6983", Name: "XXL"}, {ID: "6984", Name: "3XL"}}, beden.Values)
	assert.True(t, attrs["47"].AllowCustom && attrs["47"].Required)
	assert.Contains(t, attrs["47"].Values, taxonomy.Value{ID: "603", Name: "Lacivert"})
	assert.True(t, attrs["17620"].Multiple)
	mensei := attrs["59810"]
	assert.Equal(t, "Menşei", mensei.Name)
	assert.Len(t, mensei.Values, 74, "read from the values endpoint")
	assert.Contains(t, mensei.Values, taxonomy.Value{ID: "2178167", Name: "Türkiye"})

	paths := rc.take()
	assert.Equal(t, []string{
		"GET /integration/product/categories/1174/attributes",
		"GET /integration/product/categories/1174/attributes/59810/values",
	}, paths, "values are asked for only where the attribute list has none")

	// A free-text attribute asks for its values once and gets none.
	def, err = c.Definition(ctx, "1612")
	require.NoError(t, err)
	require.Len(t, def.Attributes, 2)
	assert.Equal(t, taxonomy.Attribute{ID: "1229", Name: "Ağırlık", Required: true, AllowCustom: true}, def.Attributes[0])
	assert.Len(t, rc.take(), 2)

	tests := []struct {
		category string
		status   int
		key      string
	}{
		{category: "522", status: http.StatusBadRequest, key: "category.not.leaf"},
		{category: "999999", status: http.StatusNotFound, key: "category.not.found"},
	}
	for _, tt := range tests {
		t.Run(tt.category, func(t *testing.T) {
			_, err := c.Definition(ctx, tt.category)
			var te *trendyol.Error
			require.ErrorAs(t, err, &te)
			assert.Equal(t, tt.status, te.Status)
			require.NotEmpty(t, te.Errors)
			assert.Equal(t, tt.key, te.Errors[0].Key)
			assert.ErrorContains(t, err, "read attributes of category "+tt.category)
		})
	}
}

func TestSourceBrands(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{})
	var all struct {
		Brands []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"brands"`
	}
	rc.rawGet(t, "/integration/product/brands?page=0&size=1000", &all)
	require.Greater(t, len(all.Brands), 300)

	tests := []struct {
		name     string
		pageSize int
		pages    int
	}{
		{name: "default size, one page", pageSize: 0, pages: 1},
		{name: "100 a page", pageSize: 100, pages: (len(all.Brands) + 99) / 100},
		{name: "a size that divides the registry ends on an empty page", pageSize: len(all.Brands), pages: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rc.take()
			c := rc.client(trendyol.Config{BrandPageSize: tt.pageSize})
			var got []taxonomy.Brand
			calls := 0
			require.NoError(t, c.Brands(context.Background(), func(bs []taxonomy.Brand) error {
				calls++
				assert.NotEmpty(t, bs)
				got = append(got, bs...)
				return nil
			}))
			assert.Equal(t, tt.pages, calls)
			require.Len(t, got, len(all.Brands))
			for i, b := range all.Brands {
				assert.Equal(t, taxonomy.Brand{ID: jsonID(b.ID), Name: b.Name}, got[i])
			}
			requests := rc.take()
			if tt.pageSize == len(all.Brands) {
				assert.Len(t, requests, 2, "the full page is followed by an empty one")
			} else {
				assert.Len(t, requests, tt.pages)
			}
		})
	}

	rc.take()
	stop := errors.New("enough")
	c := rc.client(trendyol.Config{BrandPageSize: 10})
	err := c.Brands(context.Background(), func([]taxonomy.Brand) error { return stop })
	assert.ErrorIs(t, err, stop)
	assert.Len(t, rc.take(), 1, "fn's error stops the walk")
}

func jsonID(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func TestMappedWireFormat(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`{"barcode":"BC-A","approved":true,"contentId":9510902}`))
			return
		}
		var body map[string]any
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		mu.Lock()
		bodies[r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]] = body
		mu.Unlock()
		_, _ = w.Write([]byte(`{"batchRequestId":"b-1"}`))
	}))
	t.Cleanup(srv.Close)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s", CategoryID: 9, BrandID: 8})

	mapped := func(prefix string) marketplace.Listing {
		l := valid(prefix)
		l.Mapped = append(l.Mapped,
			marketplace.MappedAttribute{ID: "1201", Name: "Cilt Tipi", ValueIDs: []string{"8221", "8225"}, Value: "Kuru, Hassas"},
			marketplace.MappedAttribute{ID: "1213", Name: "Uyumlu Model", Value: " iPhone 15 "},
			marketplace.MappedAttribute{ID: "1229", Name: "Ağırlık"},
		)
		l.Mapped[0] = marketplace.MappedAttribute{ID: "47", Name: "Renk", Value: "Gece Mavisi"}
		l.Attributes["trendyol_attribute_338"] = "6999"
		l.Attributes["trendyol_custom_1"] = "seller text"
		return l
	}
	l := mapped("create")
	_, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	item := bodies["products"]["items"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 1174, item["categoryId"], "the mapped category, not trendyol_category_id or Config")
	assert.EqualValues(t, 1791, item["brandId"])
	attr := func(id, value float64) map[string]any {
		return map[string]any{"attributeId": id, "attributeValueId": value}
	}
	assert.Equal(t, []any{
		map[string]any{"attributeId": float64(47), "customAttributeValue": "Gece Mavisi"},
		attr(296, 1235), attr(338, 6980), attr(1201, 8221), attr(1201, 8225),
		map[string]any{"attributeId": float64(1213), "customAttributeValue": "iPhone 15"},
		attr(17620, 228701), attr(59810, 2178167),
	}, item["attributes"], "create form, one entry per value, no seller keys, nothing for an empty attribute")

	approved := mapped("update")
	approved.Barcode, approved.Existing = "BC-A", true
	approved.BrandID = ""
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{approved})
	require.NoError(t, err)
	content := bodies["content-bulk-update"]["items"].([]any)[0].(map[string]any)
	ids := func(id float64, values ...float64) map[string]any {
		vs := []any{}
		for _, v := range values {
			vs = append(vs, v)
		}
		return map[string]any{"attributeId": id, "attributeValueIds": vs}
	}
	assert.Equal(t, []any{
		map[string]any{"attributeId": float64(47), "attributeValue": "Gece Mavisi"},
		ids(296, 1235), ids(338, 6980), ids(1201, 8221, 8225),
		map[string]any{"attributeId": float64(1213), "attributeValue": "iPhone 15"},
		ids(17620, 228701), ids(59810, 2178167),
	}, content["attributes"], "update form")

	// A mapped listing without a brand ID takes the legacy attribute's.
	noBrand := mapped("nobrand")
	noBrand.BrandID = ""
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{noBrand})
	require.NoError(t, err)
	assert.EqualValues(t, 1791, bodies["products"]["items"].([]any)[0].(map[string]any)["brandId"])

	broken := []struct {
		name   string
		change func(l *marketplace.Listing)
		err    string
	}{
		{name: "category", change: func(l *marketplace.Listing) { l.CategoryID = "Tişört" }, err: `category ID "Tişört" is not a positive integer`},
		{name: "brand", change: func(l *marketplace.Listing) { l.BrandID = "Nike" }, err: `brand ID "Nike" is not a positive integer`},
		{name: "attribute", change: func(l *marketplace.Listing) { l.Mapped[1].ID = "beden" }, err: `mapped attribute Beden: attribute ID "beden"`},
		{name: "value", change: func(l *marketplace.Listing) { l.Mapped[1].ValueIDs = []string{"M"} }, err: `mapped attribute Beden (338): value ID "M"`},
	}
	for _, tt := range broken {
		t.Run(tt.name, func(t *testing.T) {
			mu.Lock()
			clear(bodies)
			mu.Unlock()
			l := valid("broken")
			tt.change(&l)
			_, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
			assert.ErrorContains(t, err, tt.err)
			assert.Empty(t, bodies, "nothing is sent")
		})
	}
}
