package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// mappingEnv is the API over a real SQLite store holding a small Trendyol taxonomy
// and one product.
func mappingEnv(t *testing.T) (http.Handler, store.Stores) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	require.NoError(t, st.ReplaceTaxonomy(ctx, messages.Trendyol, []taxonomy.Category{
		{ID: "1", Name: "Kadın", Path: []string{"Kadın"}},
		{ID: "2", ParentID: "1", Name: "Elbise", Path: []string{"Kadın", "Elbise"}, Leaf: true},
		{ID: "3", ParentID: "1", Name: "Tişört", Path: []string{"Kadın", "Tişört"}, Leaf: true},
	}, []taxonomy.Definition{
		{CategoryID: "2", Attributes: []taxonomy.Attribute{{ID: "338", Name: "Beden", Required: true, Values: []taxonomy.Value{{ID: "1", Name: "M"}}}}},
		{CategoryID: "3"},
	}, time.Now()))
	_, _, err = st.PutProduct(ctx, store.NewProduct{ID: "p1", Product: messages.Product{SKU: "EL-1", Name: "Elbise", Price: 1,
		Marketplaces: []string{messages.Trendyol}}})
	require.NoError(t, err)
	h, err := New(Config{Store: st, Taxonomy: st, Blobs: newMemBlobs(), Publish: (&publisher{}).Publish, Logger: slog.New(slog.DiscardHandler)})
	require.NoError(t, err)
	return h, st
}

func call(t *testing.T, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestPutInput(t *testing.T) {
	h, st := mappingEnv(t)
	rec := call(t, h, http.MethodPut, "/v1/products/p1/listings/trendyol/input", `{"attributes":{"Beden":"M"}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	in, err := st.ListingInput(context.Background(), "p1", messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"Beden": "M"}, in.Attributes)

	cases := []struct {
		name, path, body string
		status           int
		says             string
	}{
		{"unknown product", "/v1/products/nope/listings/trendyol/input", `{"attributes":{"Beden":"M"}}`, http.StatusNotFound, "no product nope"},
		{"unknown marketplace", "/v1/products/p1/listings/n11/input", `{"attributes":{"Beden":"M"}}`, http.StatusNotFound, "n11"},
		{"nothing supplied", "/v1/products/p1/listings/trendyol/input", `{}`, http.StatusUnprocessableEntity, "supply a category"},
		{"empty value", "/v1/products/p1/listings/trendyol/input", `{"attributes":{"Beden":" "}}`, http.StatusUnprocessableEntity, "a name and a value"},
		{"unknown field", "/v1/products/p1/listings/trendyol/input", `{"size":"M"}`, http.StatusBadRequest, "size"},
		{"not JSON", "/v1/products/p1/listings/trendyol/input", `Beden=M`, http.StatusBadRequest, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, h, http.MethodPut, tc.path, tc.body)
			assert.Equal(t, tc.status, rec.Code, rec.Body.String())
			assert.Contains(t, rec.Body.String(), tc.says)
		})
	}
}

func TestPins(t *testing.T) {
	h, _ := mappingEnv(t)
	rec := call(t, h, http.MethodPut, "/v1/mappings", `{"marketplace":"trendyol","kind":"category","from":"Abiye","to":"2"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	rec = call(t, h, http.MethodPut, "/v1/mappings", `{"marketplace":"trendyol","kind":"value","attribute":"338","from":"Medium","to":"1"}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())

	rec = call(t, h, http.MethodGet, "/v1/mappings?marketplace=trendyol", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var out struct{ Pins []store.Pin }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Len(t, out.Pins, 2)

	for _, tc := range []struct{ name, body, says string }{
		{"a parent category", `{"marketplace":"trendyol","kind":"category","from":"Giyim","to":"1"}`, "not a leaf"},
		{"an unknown category", `{"marketplace":"trendyol","kind":"category","from":"Giyim","to":"99"}`, "no category 99"},
		{"a value pin without its attribute", `{"marketplace":"trendyol","kind":"value","from":"Medium","to":"1"}`, "needs the attribute it applies to"},
		{"an unknown kind", `{"marketplace":"trendyol","kind":"colour","from":"a","to":"b"}`, "unknown pin kind"},
		{"an unknown marketplace", `{"marketplace":"n11","kind":"brand","from":"a","to":"b"}`, "n11"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, h, http.MethodPut, "/v1/mappings", tc.body)
			assert.Equal(t, http.StatusUnprocessableEntity, rec.Code)
			assert.Contains(t, rec.Body.String(), tc.says)
		})
	}

	rec = call(t, h, http.MethodDelete, "/v1/mappings?marketplace=trendyol&kind=category&from=ABİYE", "")
	assert.Equal(t, http.StatusNoContent, rec.Code, rec.Body.String())
	rec = call(t, h, http.MethodDelete, "/v1/mappings?marketplace=trendyol&kind=category&from=Abiye", "")
	assert.Equal(t, http.StatusNotFound, rec.Code)
	rec = call(t, h, http.MethodGet, "/v1/mappings", "")
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	assert.Len(t, out.Pins, 1)
}

func TestTaxonomySearch(t *testing.T) {
	h, _ := mappingEnv(t)
	rec := call(t, h, http.MethodGet, "/v1/taxonomy/trendyol/categories?q=kadin+tisort", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var out struct{ Categories []taxonomy.Category }
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.Len(t, out.Categories, 1)
	assert.Equal(t, "3", out.Categories[0].ID)

	rec = call(t, h, http.MethodGet, "/v1/taxonomy/trendyol/categories/2", "")
	require.Equal(t, http.StatusOK, rec.Code)
	var d taxonomy.Definition
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &d))
	require.Len(t, d.Attributes, 1)
	assert.True(t, d.Attributes[0].Required)

	assert.Equal(t, http.StatusNotFound, call(t, h, http.MethodGet, "/v1/taxonomy/trendyol/categories/1", "").Code)
	assert.Equal(t, http.StatusBadRequest, call(t, h, http.MethodGet, "/v1/taxonomy/trendyol/categories?limit=0", "").Code)
}

// TestNoTaxonomy checks that a server configured without a taxonomy answers its
// routes with 501, saying so, rather than failing on a store that has none.
func TestNoTaxonomy(t *testing.T) {
	e := newEnv(t) // no Config.Taxonomy
	for _, target := range []string{"/v1/mappings?marketplace=trendyol", "/v1/taxonomy/trendyol/categories?q=elbise"} {
		rec := e.get(target)
		require.Equal(t, http.StatusNotImplemented, rec.Code, "%s: %s", target, rec.Body)
		assert.Contains(t, rec.Body.String(), "keeps no marketplace taxonomy", target)
	}
}
