package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

const hbCategoriesPath = "/product/api/categories/get-all-categories"

// hbPage is the catalog's paged envelope.
type hbPage[T any] struct {
	Success          bool `json:"success"`
	Code             int  `json:"code"`
	TotalElements    int  `json:"totalElements"`
	TotalPages       int  `json:"totalPages"`
	Number           int  `json:"number"`
	NumberOfElements int  `json:"numberOfElements"`
	First            bool `json:"first"`
	Last             bool `json:"last"`
	Data             []T  `json:"data"`
}

type hbCategoryRow struct {
	CategoryID       int64    `json:"categoryId"`
	Name             string   `json:"name"`
	ParentCategoryID *int64   `json:"parentCategoryId"`
	Paths            []string `json:"paths"`
	Leaf             bool     `json:"leaf"`
	Status           string   `json:"status"`
	Available        bool     `json:"available"`
}

type hbAttributeRow struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Mandatory  bool   `json:"mandatory"`
	Type       string `json:"type"`
	MultiValue bool   `json:"multiValue"`
}

type hbValueRow struct {
	ID    int64  `json:"id"`
	Value string `json:"value"`
}

// newHBTaxonomyEnv is an imitation whose catalog budget does not get in the way of
// walking the taxonomy.
func newHBTaxonomyEnv(t *testing.T) *hbEnv {
	return newHBEnv(t, sandbox.HepsiburadaOptions{RateLimit: 100000, ProcessDelay: time.Second})
}

func hbGet[T any](t *testing.T, e *hbEnv, path string) (int, T) {
	t.Helper()
	rec := e.do(t, http.MethodGet, path, nil, nil)
	var out T
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

// hbAllCategories walks every page of get-all-categories with query q and size.
func hbAllCategories(t *testing.T, e *hbEnv, q url.Values, size int) []hbCategoryRow {
	t.Helper()
	var all []hbCategoryRow
	q.Set("size", fmt.Sprint(size))
	for page := 0; ; page++ {
		q.Set("page", fmt.Sprint(page))
		code, p := hbGet[hbPage[hbCategoryRow]](t, e, hbCategoriesPath+"?"+q.Encode())
		require.Equal(t, http.StatusOK, code)
		require.True(t, p.Success)
		assert.Equal(t, page, p.Number)
		assert.Equal(t, page == 0, p.First)
		assert.Equal(t, len(p.Data), p.NumberOfElements)
		assert.Equal(t, (p.TotalElements+size-1)/size, p.TotalPages)
		all = append(all, p.Data...)
		if p.Last {
			assert.Equal(t, p.TotalElements, len(all), "every page walked")
			return all
		}
		require.Less(t, page, 1000, "the pages never end")
	}
}

func TestHepsiburadaCategories(t *testing.T) {
	e := newHBTaxonomyEnv(t)
	all := hbAllCategories(t, e, url.Values{"version": {"1"}}, 2000)
	require.Greater(t, len(all), 60)

	byID := map[int64]hbCategoryRow{}
	byPath := map[string]hbCategoryRow{}
	for _, c := range all {
		require.NotContains(t, byID, c.CategoryID, "category %d twice", c.CategoryID)
		require.NotEmpty(t, c.Paths)
		assert.Equal(t, c.Name, c.Paths[len(c.Paths)-1], "%d: paths end with the category's own name", c.CategoryID)
		if c.ParentCategoryID == nil {
			assert.Len(t, c.Paths, 1, "%d: a top-level category's path is its name", c.CategoryID)
		} else {
			parent, ok := byID[*c.ParentCategoryID]
			require.True(t, ok, "%d comes before its parent %d", c.CategoryID, *c.ParentCategoryID)
			assert.False(t, parent.Leaf, "%d has a leaf for a parent", c.CategoryID)
			assert.Equal(t, parent.Paths, c.Paths[:len(c.Paths)-1], "%d: its path continues its parent's", c.CategoryID)
		}
		byID[c.CategoryID] = c
		byPath[strings.Join(c.Paths, " > ")] = c
	}
	for _, c := range all {
		hasChild := slices.ContainsFunc(all, func(o hbCategoryRow) bool {
			return o.ParentCategoryID != nil && *o.ParentCategoryID == c.CategoryID
		})
		assert.Equal(t, !hasChild, c.Leaf, "%d is a leaf exactly when it has no children", c.CategoryID)
	}

	kupa := byID[18021982]
	assert.Equal(t, "Kupa", kupa.Name, "the documentation's sample category")
	assert.Equal(t, []string{"Ev, Yaşam, Kırtasiye, Ofis", "Mutfak Gereçleri", "Kupa"}, kupa.Paths)
	assert.True(t, kupa.Leaf)
	assert.Equal(t, "ACTIVE", kupa.Status)
	assert.True(t, kupa.Available)

	t.Run("filters", func(t *testing.T) {
		var leaves, passive, unavailable, usable int
		for _, c := range all {
			if c.Leaf {
				leaves++
				if c.Status == "ACTIVE" && c.Available {
					usable++
				}
			}
			if c.Status == "PASSIVE" {
				passive++
			}
			if !c.Available {
				unavailable++
			}
		}
		require.Positive(t, passive, "the tree has a closed category")
		require.Positive(t, unavailable, "the tree has a category needing an authorisation")
		tests := []struct {
			name  string
			query url.Values
			want  int
			keep  func(hbCategoryRow) bool
		}{
			{"leaves", url.Values{"leaf": {"true"}}, leaves, func(c hbCategoryRow) bool { return c.Leaf }},
			{"parents", url.Values{"leaf": {"false"}}, len(all) - leaves, func(c hbCategoryRow) bool { return !c.Leaf }},
			{"passive", url.Values{"status": {"PASSIVE"}}, passive, func(c hbCategoryRow) bool { return c.Status == "PASSIVE" }},
			{"unavailable", url.Values{"available": {"false"}}, unavailable, func(c hbCategoryRow) bool { return !c.Available }},
			{"what a listing may use", url.Values{"leaf": {"true"}, "status": {"ACTIVE"}, "available": {"true"}}, usable,
				func(c hbCategoryRow) bool { return c.Leaf && c.Status == "ACTIVE" && c.Available }},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := hbAllCategories(t, e, tt.query, 2000)
				assert.Len(t, got, tt.want)
				for _, c := range got {
					assert.True(t, tt.keep(c), "%+v", c)
				}
			})
		}
	})

	t.Run("pages of 7 add up to the whole tree", func(t *testing.T) {
		paged := hbAllCategories(t, e, url.Values{}, 7)
		assert.Equal(t, all, paged)
		code, p := hbGet[hbPage[hbCategoryRow]](t, e, hbCategoriesPath+"?page=1000&size=7")
		assert.Equal(t, http.StatusOK, code)
		assert.Empty(t, p.Data, "a page past the end is empty")
		assert.True(t, p.Last)
	})

	t.Run("bad parameters", func(t *testing.T) {
		for _, q := range []string{"size=2001", "size=0", "page=-1", "leaf=maybe", "available=yes", "status=DELETED"} {
			code, out := hbGet[map[string]any](t, e, hbCategoriesPath+"?"+q)
			assert.Equal(t, http.StatusBadRequest, code, q)
			assert.Equal(t, false, out["success"], q)
		}
	})

	t.Run("every seller category has its leaves", func(t *testing.T) {
		// The leaves Stox's sellers' categories map onto, with the attributes each
		// requires.
		seller := map[string][]string{
			"Moda > Kadın Giyim > Elbise":                                     {"Cinsiyet", "Menşei", "Renk", "Beden"},
			"Moda > Kadın Giyim > Tişört":                                     {"Cinsiyet", "Menşei", "Renk", "Beden"},
			"Moda > Kadın Giyim > Jean Pantolon":                              {"Cinsiyet", "Menşei", "Renk", "Beden"},
			"Moda > Erkek Giyim > Tişört":                                     {"Cinsiyet", "Menşei", "Renk", "Beden"},
			"Moda > Erkek Giyim > Sweatshirt":                                 {"Cinsiyet", "Menşei", "Renk", "Beden"},
			"Moda > Erkek Ayakkabı > Spor Ayakkabı":                           {"Cinsiyet", "Menşei", "Renk", "Numara"},
			"Moda > Kadın Ayakkabı > Topuklu Ayakkabı":                        {"Cinsiyet", "Menşei", "Renk", "Numara"},
			"Moda > Kadın Ayakkabı > Bot":                                     {"Cinsiyet", "Menşei", "Renk", "Numara"},
			"Moda > Çanta > Omuz Çantası":                                     {"Menşei", "Renk"},
			"Moda > Çanta > Sırt Çantası":                                     {"Menşei", "Renk"},
			"Moda > Çanta > Cüzdan":                                           {"Menşei", "Renk"},
			"Kozmetik ve Kişisel Bakım > Cilt Bakımı > Yüz Kremi":             {"Menşei"},
			"Kozmetik ve Kişisel Bakım > Saç Bakımı > Şampuan":                {"Menşei"},
			"Kozmetik ve Kişisel Bakım > Makyaj > Ruj":                        {"Menşei", "Renk"},
			"Kozmetik ve Kişisel Bakım > Parfüm ve Deodorant > Parfüm":        {"Cinsiyet", "Menşei"},
			"Elektronik > Telefon Aksesuarları > Telefon Kılıfı":              {"Uyumlu Marka", "Renk"},
			"Elektronik > Telefon Aksesuarları > Şarj Cihazı":                 {"Konnektör"},
			"Elektronik > Telefon Aksesuarları > Ekran Koruyucu":              {"Uyumlu Marka"},
			"Elektronik > Telefon Aksesuarları > Powerbank":                   {"Kapasite"},
			"Elektronik > Kulaklık > Bluetooth Kulaklık":                      {"Bağlantı"},
			"Elektronik > Giyilebilir Teknoloji > Akıllı Saat":                {"Uyumlu Platform"},
			"Ev, Yaşam, Kırtasiye, Ofis > Küçük Ev Aletleri > Kahve Makinesi": {"Kahve Makinesi Tipi"},
			"Ev, Yaşam, Kırtasiye, Ofis > Mutfak Gereçleri > Tencere Seti":    {},
			"Ev, Yaşam, Kırtasiye, Ofis > Ev Tekstili > Nevresim Takımı":      {"Ebat"},
			"Ev, Yaşam, Kırtasiye, Ofis > Mutfak Gereçleri > Kupa":            {},
			"Anne, Bebek, Oyuncak > Oyuncak > Yapı Oyuncakları":               {"Yaş Grubu", "Menşei"},
			"Anne, Bebek, Oyuncak > Oyuncak > Puzzle":                         {"Yaş Grubu", "Menşei"},
			"Anne, Bebek, Oyuncak > Oyuncak > Oyuncak Bebek":                  {"Yaş Grubu", "Menşei"},
			"Anne, Bebek, Oyuncak > Bebek Bakım > Bebek Bezi":                 {"Numara"},
			"Anne, Bebek, Oyuncak > Emzirme ve Beslenme > Biberon":            {"Yaş Grubu"},
			"Anne, Bebek, Oyuncak > Bebek Taşıma > Bebek Arabası":             {"Bebek Arabası Tipi"},
			"Spor, Outdoor > Fitness ve Kondisyon > Yoga Matı":                {},
			"Spor, Outdoor > Fitness ve Kondisyon > Dambıl":                   {"Ağırlık"},
			"Spor, Outdoor > Outdoor ve Kamp > Matara":                        {},
		}
		for path, required := range seller {
			c, ok := byPath[path]
			if !assert.True(t, ok, "no category %s", path) {
				continue
			}
			assert.True(t, c.Leaf && c.Status == "ACTIVE" && c.Available, "%s is not a usable leaf", path)
			code, out := hbGet[struct {
				Data struct {
					Attributes        []hbAttributeRow `json:"attributes"`
					VariantAttributes []hbAttributeRow `json:"variantAttributes"`
				} `json:"data"`
			}](t, e, fmt.Sprintf("/product/api/categories/%d/attributes", c.CategoryID))
			require.Equal(t, http.StatusOK, code, path)
			got := []string{}
			for _, a := range append(out.Data.Attributes, out.Data.VariantAttributes...) {
				if a.Mandatory {
					got = append(got, a.Name)
				}
			}
			assert.ElementsMatch(t, required, got, "%s requires", path)
		}
	})
}

func TestHepsiburadaCategoryAttributes(t *testing.T) {
	e := newHBTaxonomyEnv(t)
	type attributes struct {
		Success bool `json:"success"`
		Data    struct {
			BaseAttributes    []hbAttributeRow `json:"baseAttributes"`
			Attributes        []hbAttributeRow `json:"attributes"`
			VariantAttributes []hbAttributeRow `json:"variantAttributes"`
		} `json:"data"`
	}
	code, dress := hbGet[attributes](t, e, "/product/api/categories/60001101/attributes")
	require.Equal(t, http.StatusOK, code)
	assert.True(t, dress.Success)
	base := map[string]hbAttributeRow{}
	for _, a := range dress.Data.BaseAttributes {
		base[a.ID] = a
	}
	for _, id := range []string{"merchantSku", "Barcode", "UrunAdi", "UrunAciklamasi", "Marka", "kg", "tax_vat_rate", "price", "stock", "Image1"} {
		assert.True(t, base[id].Mandatory, "base attribute %s is mandatory", id)
	}
	for _, id := range []string{"VaryantGroupID", "GarantiSuresi", "Image2", "Image10"} {
		require.Contains(t, base, id)
		assert.False(t, base[id].Mandatory, "base attribute %s is optional", id)
	}
	assert.NotContains(t, base, "Image11")
	assert.Equal(t, []hbAttributeRow{
		{ID: "renk_variant_property", Name: "Renk", Mandatory: true, Type: "enum"},
		{ID: "beden_variant_property", Name: "Beden", Mandatory: true, Type: "enum"},
	}, dress.Data.VariantAttributes)
	assert.Equal(t, []hbAttributeRow{
		{ID: "cinsiyet", Name: "Cinsiyet", Mandatory: true, Type: "enum"},
		{ID: "materyal", Name: "Materyal", Type: "enum"},
		{ID: "mensei", Name: "Menşei", Mandatory: true, Type: "enum"},
		{ID: "boy", Name: "Boy", Type: "enum"},
	}, dress.Data.Attributes)

	_, cream := hbGet[attributes](t, e, "/product/api/categories/60002101/attributes")
	assert.Contains(t, cream.Data.Attributes, hbAttributeRow{ID: "hacim", Name: "Hacim", Type: "string"}, "free text")
	assert.Contains(t, cream.Data.Attributes, hbAttributeRow{ID: "cilt_tipi", Name: "Cilt Tipi", Type: "enum", MultiValue: true})
	assert.Empty(t, cream.Data.VariantAttributes)

	for path, want := range map[string]int{
		"/product/api/categories/99999999/attributes": http.StatusNotFound,
		"/product/api/categories/60001100/attributes": http.StatusBadRequest,
		"/product/api/categories/elbise/attributes":   http.StatusBadRequest,
	} {
		code, out := hbGet[map[string]any](t, e, path)
		assert.Equal(t, want, code, path)
		assert.Equal(t, false, out["success"], path)
	}
}

func TestHepsiburadaAttributeValues(t *testing.T) {
	e := newHBTaxonomyEnv(t)
	values := func(t *testing.T, category int64, attribute string, size int) []hbValueRow {
		t.Helper()
		var all []hbValueRow
		for page := 0; page < 100; page++ {
			code, p := hbGet[hbPage[hbValueRow]](t, e,
				fmt.Sprintf("/product/api/categories/%d/attribute/%s/values?version=5&page=%d&size=%d", category, attribute, page, size))
			require.Equal(t, http.StatusOK, code)
			assert.Equal(t, page, p.Number)
			all = append(all, p.Data...)
			if p.Last {
				assert.Equal(t, p.TotalElements, len(all))
				return all
			}
		}
		t.Fatal("the pages never end")
		return nil
	}
	names := func(vs []hbValueRow) []string {
		out := []string{}
		for _, v := range vs {
			out = append(out, v.Value)
		}
		return out
	}

	colours := values(t, 60001101, "renk_variant_property", 6)
	assert.Equal(t, []string{"Siyah", "Beyaz", "Lacivert", "Kırmızı", "Mavi", "Yeşil", "Sarı", "Turuncu", "Mor", "Pembe",
		"Gri", "Kahverengi", "Bej", "Ekru", "Haki", "Bordo", "Altın", "Gümüş", "Çok Renkli", "Şeffaf"}, names(colours))
	ids := map[int64]bool{}
	for _, v := range colours {
		assert.NotZero(t, v.ID)
		ids[v.ID] = true
	}
	assert.Len(t, ids, len(colours), "value IDs are distinct")
	assert.Equal(t, colours, values(t, 60001101, "renk_variant_property", 1000), "pages add up to the whole list")

	tests := []struct {
		name      string
		category  int64
		attribute string
		want      []string
	}{
		{"sizes", 60001201, "beden_variant_property", []string{"XS", "S", "M", "L", "XL", "XXL", "3XL"}},
		{"shoe sizes", 60001401, "numara_variant_property", []string{"35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46"}},
		{"diaper sizes share the key, not the values", 60005201, "numara_variant_property",
			[]string{"Yenidoğan", "1 Numara", "2 Numara", "3 Numara", "4 Numara", "5 Numara", "6 Numara", "7 Numara"}},
		{"gender", 60001102, "cinsiyet", []string{"Kadın", "Erkek", "Unisex"}},
		{"free text has no values", 60002101, "hacim", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, names(values(t, tt.category, tt.attribute, 5)))
		})
	}

	for path, want := range map[string]int{
		"/product/api/categories/60001101/attribute/yaka_tipi/values":                       http.StatusNotFound,
		"/product/api/categories/99999999/attribute/renk_variant_property/values":           http.StatusNotFound,
		"/product/api/categories/60001101/attribute/renk_variant_property/values?size=1001": http.StatusBadRequest,
	} {
		code, out := hbGet[map[string]any](t, e, path)
		assert.Equal(t, want, code, path)
		assert.Equal(t, false, out["success"], path)
	}
}

func TestHepsiburadaTaxonomyNeedsAuth(t *testing.T) {
	e := newHBTaxonomyEnv(t)
	for _, path := range []string{
		hbCategoriesPath + "?page=0&size=10",
		"/product/api/categories/60001101/attributes",
		"/product/api/categories/60001101/attribute/renk_variant_property/values",
	} {
		rec := e.do(t, http.MethodGet, path, nil, func(r *http.Request) { r.Header.Set("User-Agent", "someone_else") })
		assert.Equal(t, http.StatusUnauthorized, rec.Code, path)
		assert.Equal(t, false, decode(t, rec)["success"], path)
	}
}

// hbDress is an import item mapped onto Moda > Kadın Giyim > Elbise.
func hbDress(sku string) map[string]any {
	m := hbItem(sku)
	m["categoryId"] = 60001101
	a := m["attributes"].(map[string]any)
	a["renk_variant_property"] = "Lacivert"
	a["beden_variant_property"] = "M"
	a["cinsiyet"] = "Kadın"
	a["mensei"] = "TR"
	a["materyal"] = "Pamuk"
	return m
}

func TestHepsiburadaTaxonomyEnforcement(t *testing.T) {
	e := newHBTaxonomyEnv(t)
	set := func(k string, v any) func(m map[string]any) {
		return func(m map[string]any) {
			if k == "categoryId" {
				m[k] = v
				return
			}
			if v == nil {
				delete(m["attributes"].(map[string]any), k)
				return
			}
			m["attributes"].(map[string]any)[k] = v
		}
	}
	cream := func(m map[string]any) {
		m["categoryId"] = 60002101
		a := m["attributes"].(map[string]any)
		for _, k := range []string{"renk_variant_property", "beden_variant_property", "cinsiyet", "materyal"} {
			delete(a, k)
		}
		a["hacim"] = 50
		a["cilt_tipi"] = []any{"Kuru", "Hassas"}
	}
	then := func(fs ...func(map[string]any)) func(map[string]any) {
		return func(m map[string]any) {
			for _, f := range fs {
				f(m)
			}
		}
	}
	tests := []struct {
		name      string
		change    func(m map[string]any)
		attribute string // the one failure's attributeName; "" means valid
		reason    string
	}{
		{name: "mapped dress", change: func(map[string]any) {}},
		{name: "optional attribute left out", change: set("materyal", nil)},
		{name: "optional attribute empty", change: set("materyal", "")},
		{name: "values are matched after trimming", change: set("renk_variant_property", " Lacivert ")},
		{name: "unknown category", change: set("categoryId", 99999999),
			attribute: "categoryId", reason: "category 99999999 does not exist"},
		{name: "not a leaf", change: set("categoryId", 60001100),
			attribute: "categoryId", reason: "category 60001100 (Kadın Giyim) is not a leaf category"},
		{name: "passive category", change: set("categoryId", 60003105),
			attribute: "categoryId", reason: "category 60003105 (Selfie Çubuğu) is not active"},
		{name: "unavailable category", change: set("categoryId", 60006300),
			attribute: "categoryId", reason: "category 60006300 (Sporcu Besinleri) is not available"},
		{name: "missing colour", change: set("renk_variant_property", nil),
			attribute: "renk_variant_property", reason: "Renk (renk_variant_property) is required in category 60001101 (Elbise)"},
		{name: "blank gender", change: set("cinsiyet", "  "),
			attribute: "cinsiyet", reason: "Cinsiyet (cinsiyet) is required"},
		{name: "size outside the values", change: set("beden_variant_property", "XXXL"),
			attribute: "beden_variant_property", reason: `"XXXL" is not a value of Beden (beden_variant_property) in category 60001101 (Elbise); allowed: XS, S, M`},
		{name: "values are matched exactly", change: set("renk_variant_property", "lacivert"),
			attribute: "renk_variant_property", reason: `"lacivert" is not a value of Renk`},
		{name: "English colour", change: set("renk_variant_property", "Navy"),
			attribute: "renk_variant_property", reason: `"Navy" is not a value of Renk`},
		{name: "two colours where one is taken", change: set("renk_variant_property", []any{"Lacivert", "Beyaz"}),
			attribute: "renk_variant_property", reason: "Renk (renk_variant_property) takes one value, got 2"},
		{name: "an object is not a value", change: set("mensei", map[string]any{"code": "TR"}),
			attribute: "mensei", reason: "Menşei (mensei) must be text"},
		{name: "another category's attribute", change: set("yaka_tipi", "V Yaka"),
			attribute: "yaka_tipi", reason: "yaka_tipi is not an attribute of category 60001101 (Elbise)"},
		{name: "a seller's own key", change: set("color", "navy"),
			attribute: "color", reason: "color is not an attribute of category 60001101"},
		{name: "face cream with several skin types", change: cream},
		{name: "face cream with an unknown skin type", change: then(cream, set("cilt_tipi", []any{"Kuru", "Çok Kuru"})),
			attribute: "cilt_tipi", reason: `"Çok Kuru" is not a value of Cilt Tipi`},
		{name: "mug without category attributes", change: func(m map[string]any) { m["attributes"] = hbItem("SKU-1")["attributes"]; m["categoryId"] = 18021982 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := hbDress("SKU-1")
			tt.change(m)
			raw, err := json.Marshal(m)
			require.NoError(t, err)
			failures, sku := e.sb.ValidateHepsiburadaItem(context.Background(), raw)
			assert.Equal(t, "SKU-1", sku)
			if tt.attribute == "" {
				assert.Empty(t, failures)
				return
			}
			require.Len(t, failures, 1, "failures: %+v", failures)
			assert.Equal(t, tt.attribute, failures[0].AttributeName)
			assert.Contains(t, failures[0].Message, tt.reason)
		})
	}

	t.Run("the import's status names the problem", func(t *testing.T) {
		bad := hbDress("SKU-BAD")
		delete(bad["attributes"].(map[string]any), "beden_variant_property")
		rec := e.do(t, http.MethodPost, hbImportPath, []any{hbDress("SKU-OK"), bad}, nil)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		id := decode(t, rec)["data"].(map[string]any)["trackingId"].(string)
		e.now = e.now.Add(time.Second)
		data := decode(t, e.do(t, http.MethodGet, hbStatusPath+id, nil, nil))["data"].(map[string]any)
		items := data["items"].([]any)
		require.Len(t, items, 2)
		assert.Equal(t, "SUCCESS", items[0].(map[string]any)["status"])
		failed := items[1].(map[string]any)
		assert.Equal(t, "FAILED", failed["status"])
		assert.Equal(t, []any{map[string]any{"attributeName": "beden_variant_property",
			"message": "Beden (beden_variant_property) is required in category 60001101 (Elbise)"}}, failed["validationResults"])
		assert.Equal(t, map[string]int{"SKU-OK": 13}, e.sb.Listings("hepsiburada"))
	})
}
