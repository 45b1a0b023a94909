package hepsiburada_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/taxonomy"
)

// counting counts the requests a client sends.
type counting struct {
	n    atomic.Int64
	next http.RoundTripper
}

func (c *counting) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.next.RoundTrip(r)
}

// taxonomyClient is a client of srv with the given taxonomy page size, and its
// request counter.
func taxonomyClient(srv *httptest.Server, pageSize int) (*hepsiburada.Client, *counting) {
	rt := &counting{next: srv.Client().Transport}
	return hepsiburada.New(hepsiburada.Config{
		CatalogURL: srv.URL, MerchantID: merchant, ServiceKey: key, UserAgent: agent,
		TaxonomyPageSize: pageSize, HTTPClient: &http.Client{Transport: rt},
	}), rt
}

func TestCategories(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, srv := newSandbox(t, &now)
	ctx := context.Background()

	whole, _ := taxonomyClient(srv, 0)
	cats, err := whole.Categories(ctx)
	require.NoError(t, err)
	require.Greater(t, len(cats), 60)

	paged, rt := taxonomyClient(srv, 7)
	inPages, err := paged.Categories(ctx)
	require.NoError(t, err)
	assert.Equal(t, cats, inPages, "pages of 7 add up to the same tree")
	assert.EqualValues(t, (len(cats)+6)/7, rt.n.Load(), "one request per page")

	byID := map[string]taxonomy.Category{}
	tshirts := map[string]string{}
	for _, c := range cats {
		if c.ParentID != "" {
			parent, ok := byID[c.ParentID]
			require.True(t, ok, "%s comes before its parent %s", c.ID, c.ParentID)
			assert.Equal(t, parent.Path, c.Path[:len(c.Path)-1])
		} else {
			assert.Equal(t, []string{c.Name}, c.Path)
		}
		byID[c.ID] = c
		if c.Name == "Tişört" {
			tshirts[c.Path[1]] = c.ID
		}
	}
	assert.Equal(t, taxonomy.Category{ID: "18021982", ParentID: "60004100", Name: "Kupa",
		Path: []string{"Ev, Yaşam, Kırtasiye, Ofis", "Mutfak Gereçleri", "Kupa"}, Leaf: true}, byID["18021982"])
	assert.False(t, byID["60004100"].Leaf)
	assert.Equal(t, map[string]string{"Kadın Giyim": "60001102", "Erkek Giyim": "60001201"}, tshirts, "one T-shirt leaf per gender")
	assert.NotContains(t, byID, "60003105", "a passive category is not offered")
	assert.NotContains(t, byID, "60006300", "a category the merchant may not sell in is not offered")
}

func TestCategoriesWithoutPaths(t *testing.T) {
	// Rows without paths, children before their parents, one whose parent is not
	// listed, over two pages.
	pages := []string{
		`{"success":true,"code":0,"totalElements":4,"totalPages":2,"number":0,"first":true,"last":false,"data":[
			{"categoryId":3,"name":"Elbise","parentCategoryId":2,"leaf":true},
			{"categoryId":2,"name":"Kadın Giyim","parentCategoryId":1,"leaf":false}]}`,
		`{"success":true,"code":0,"totalElements":4,"totalPages":2,"number":1,"first":false,"last":true,"data":[
			{"categoryId":1,"name":"Moda","parentCategoryId":null,"leaf":false},
			{"categoryId":9,"name":"","displayName":"Yetim","parentCategoryId":8,"leaf":true}]}`,
	}
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked = append(asked, r.URL.RawQuery)
		var n int
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &n)
		_, _ = w.Write([]byte(pages[n]))
	}))
	t.Cleanup(srv.Close)
	c, _ := taxonomyClient(srv, 2)
	cats, err := c.Categories(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []taxonomy.Category{
		{ID: "1", Name: "Moda", Path: []string{"Moda"}},
		{ID: "9", Name: "Yetim", Path: []string{"Yetim"}, Leaf: true},
		{ID: "2", ParentID: "1", Name: "Kadın Giyim", Path: []string{"Moda", "Kadın Giyim"}},
		{ID: "3", ParentID: "2", Name: "Elbise", Path: []string{"Moda", "Kadın Giyim", "Elbise"}, Leaf: true},
	}, cats)
	assert.Equal(t, []string{
		"status=ACTIVE&available=true&version=1&page=0&size=2",
		"status=ACTIVE&available=true&version=1&page=1&size=2",
	}, asked)
}

func TestDefinition(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, srv := newSandbox(t, &now)
	ctx := context.Background()
	c, rt := taxonomyClient(srv, 7)

	def, err := c.Definition(ctx, "60001101")
	require.NoError(t, err)
	assert.Equal(t, "60001101", def.CategoryID)
	assert.Nil(t, def.Schema)
	byID := map[string]taxonomy.Attribute{}
	var ids []string
	for _, a := range def.Attributes {
		byID[a.ID] = a
		ids = append(ids, a.ID)
	}
	assert.Equal(t, []string{"cinsiyet", "materyal", "mensei", "boy", "renk_variant_property", "beden_variant_property"}, ids,
		"category attributes, then variant attributes")
	// One attributes request, then per enum attribute its values in pages of 7:
	// cinsiyet 1, materyal 2, mensei 3, boy 1, renk 3, beden 1.
	assert.EqualValues(t, 12, rt.n.Load())

	colour := byID["renk_variant_property"]
	assert.Equal(t, "Renk", colour.Name)
	assert.True(t, colour.Required)
	assert.True(t, colour.Varianter)
	assert.False(t, colour.AllowCustom)
	assert.False(t, colour.Multiple)
	require.Len(t, colour.Values, 20, "every page of colours")
	assert.Contains(t, colour.Values, taxonomy.Value{ID: "Lacivert", Name: "Lacivert"}, "the value is its own ID")
	assert.Contains(t, colour.Values, taxonomy.Value{ID: "Çok Renkli", Name: "Çok Renkli"})
	assert.Equal(t, taxonomy.Attribute{ID: "cinsiyet", Name: "Cinsiyet", Required: true,
		Values: []taxonomy.Value{{ID: "Kadın", Name: "Kadın"}, {ID: "Erkek", Name: "Erkek"}, {ID: "Unisex", Name: "Unisex"}}}, byID["cinsiyet"])
	assert.False(t, byID["materyal"].Required)
	assert.False(t, byID["cinsiyet"].Varianter)

	cream, err := c.Definition(ctx, "60002101")
	require.NoError(t, err)
	attrs := map[string]taxonomy.Attribute{}
	for _, a := range cream.Attributes {
		attrs[a.ID] = a
	}
	assert.Equal(t, taxonomy.Attribute{ID: "hacim", Name: "Hacim", AllowCustom: true}, attrs["hacim"], "free text, no values")
	assert.True(t, attrs["cilt_tipi"].Multiple)
	assert.Len(t, attrs["cilt_tipi"].Values, 6)

	tests := []struct {
		name, category string
		status         int // 0: refused before asking
	}{
		{"unknown category", "99999999", http.StatusNotFound},
		{"not a leaf", "60001100", http.StatusBadRequest},
		{"not a number", "elbise", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := rt.n.Load()
			_, err := c.Definition(ctx, tt.category)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.category)
			var hbErr *hepsiburada.Error
			if tt.status == 0 {
				assert.Equal(t, before, rt.n.Load(), "nothing is asked")
				assert.False(t, errors.As(err, &hbErr))
				return
			}
			require.ErrorAs(t, err, &hbErr)
			assert.Equal(t, tt.status, hbErr.Status)
		})
	}
}

func TestBrands(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, srv := newSandbox(t, &now)
	c, rt := taxonomyClient(srv, 0)
	called := false
	err := c.Brands(context.Background(), func([]taxonomy.Brand) error { called = true; return nil })
	assert.NoError(t, err)
	assert.False(t, called, "Hepsiburada takes the brand as text: there is no registry to page through")
	assert.Zero(t, rt.n.Load())
}

func TestMappedWireFormat(t *testing.T) {
	srv, calls := importServer(t)
	c := hepsiburada.New(hepsiburada.Config{CatalogURL: srv.URL, MerchantID: "m-1", ServiceKey: "k", UserAgent: "acme_dev", CategoryID: 60001})
	l := marketplacetest.Listing("mapped")
	l.Price, l.VATRate, l.Quantity = 249.9, 20, 4
	l.CategoryID = "60002101"
	l.Mapped = []marketplace.MappedAttribute{
		{ID: "hacim", Name: "Hacim", Value: "50 ml"},
		{ID: "cilt_tipi", Name: "Cilt Tipi", ValueIDs: []string{"Kuru", "Hassas"}, Value: "Kuru, Hassas"},
		{ID: "mensei", Name: "Menşei", ValueIDs: []string{"TR"}},
	}
	l.Attributes[hepsiburada.AttrPrefix+"renk"] = "Beyaz"
	l.Attributes[hepsiburada.AttrWarrantyMonths] = "0"
	l.Attributes["skin"] = "dry"
	_, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)

	got := <-calls
	require.Len(t, got.file, 1)
	it := got.file[0].(map[string]any)
	assert.EqualValues(t, 60002101, it["categoryId"], "the mapped category, not the attribute's or the default")
	assert.Equal(t, map[string]any{
		"merchantSku": l.SKU, "VaryantGroupID": l.SKU, "Barcode": l.Barcode,
		"UrunAdi": l.Text.Title, "UrunAciklamasi": l.Text.Description, "Marka": "Stox",
		"GarantiSuresi": float64(0), "kg": "1", "tax_vat_rate": "20",
		"price": "249,90", "stock": "4", "Image1": l.Images[0].URL,
		"hacim": "50 ml", "cilt_tipi": []any{"Kuru", "Hassas"}, "mensei": "TR",
	}, it["attributes"], "mapped attributes only: no hepsiburada_attr_ keys, no seller keys")

	l.CategoryID = "Yüz Kremi"
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{l})
	assert.ErrorContains(t, err, `category "Yüz Kremi" is not a hepsiburada category ID`)
	assert.Empty(t, calls, "nothing is sent")
}

func TestMappedListingsAgainstSandbox(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &now)
	c := newClient(srv, 100)
	tests := []struct {
		name    string
		change  func(l *marketplace.Listing)
		reasons []string // nil: accepted
	}{
		{name: "mapped dress", change: func(*marketplace.Listing) {}},
		{name: "seller keys are not sent", change: func(l *marketplace.Listing) { l.Attributes["renk"] = "navy" }},
		{name: "size outside the values", change: func(l *marketplace.Listing) {
			l.Mapped[1] = marketplace.MappedAttribute{ID: "beden_variant_property", Name: "Beden", Value: "XXXL"}
		}, reasons: []string{`"XXXL" is not a value of Beden (beden_variant_property) in category 60001101 (Elbise); allowed: XS, S, M, L, XL, XXL, 3XL`}},
		{name: "no gender", change: func(l *marketplace.Listing) { l.Mapped = l.Mapped[:2] },
			reasons: []string{
				"Cinsiyet (cinsiyet) is required in category 60001101 (Elbise)",
				"Menşei (mensei) is required in category 60001101 (Elbise)",
			}},
		{name: "men's T-shirt attributes", change: func(l *marketplace.Listing) {
			l.Mapped = append(l.Mapped, marketplace.MappedAttribute{ID: "yaka_tipi", Name: "Yaka Tipi", Value: "V Yaka"})
		}, reasons: []string{"yaka_tipi is not an attribute of category 60001101 (Elbise)"}},
		{name: "a parent category", change: func(l *marketplace.Listing) { l.CategoryID = "60001000" },
			reasons: []string{"categoryId: category 60001000 (Moda) is not a leaf category; products go in one of its subcategories"}},
		{name: "a small image", change: func(l *marketplace.Listing) { l.Images[0].URL = marketplacetest.ImageURL(400, 400) },
			reasons: []string{"Image1: image " + marketplacetest.ImageURL(400, 400) + " is 400×400 pixels; at least 500×500 are required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := dress("sb")
			tt.change(&l)
			state, reasons := marketplacetest.Outcome(t, c, sb, l)
			if tt.reasons == nil {
				assert.Equal(t, marketplace.SubmissionAccepted, state, "reasons: %q", reasons)
				return
			}
			assert.Equal(t, marketplace.SubmissionRejected, state)
			assert.Equal(t, tt.reasons, reasons, strings.Join(reasons, "; "))
		})
	}
}
