package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

const (
	categoriesPath = "/integration/product/product-categories"
	brandsPath     = "/integration/product/brands"
)

func attributesPath(category any) string {
	return fmt.Sprintf("/integration/product/categories/%v/attributes", category)
}

// get asks the Trendyol imitation for path as seller 42 and decodes the answer into out.
func (e *env) get(t *testing.T, path string, out any) int {
	t.Helper()
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.SetBasicAuth("k", "s")
	r.Header.Set("User-Agent", "42 - SelfIntegration")
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	if out != nil {
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), out), "%s: %s", path, rec.Body)
	}
	return rec.Code
}

// errorKey is the key of a Trendyol error answer's first error.
func errorKey(t *testing.T, body map[string]any) string {
	t.Helper()
	errs, _ := body["errors"].([]any)
	require.NotEmpty(t, errs, "not an error answer: %v", body)
	return errs[0].(map[string]any)["key"].(string)
}

type tyNodeJSON struct {
	ID            int64        `json:"id"`
	Name          string       `json:"name"`
	ParentID      *int64       `json:"parentId"`
	SubCategories []tyNodeJSON `json:"subCategories"`
}

type tyCategoryAttributeJSON struct {
	CategoryID int64 `json:"categoryId"`
	Attribute  struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"attribute"`
	Required        bool `json:"required"`
	AllowCustom     bool `json:"allowCustom"`
	Multiple        bool `json:"allowMultipleAttributeValues"`
	Varianter       bool `json:"varianter"`
	Slicer          bool `json:"slicer"`
	AttributeValues []struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"attributeValues"`
}

func TestTrendyolCategoryTree(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{RateLimit: 1000}})
	var tree struct {
		Categories []tyNodeJSON `json:"categories"`
	}
	require.Equal(t, http.StatusOK, e.get(t, categoriesPath, &tree))
	require.NotEmpty(t, tree.Categories)

	paths := map[string][]string{} // leaf name → path
	leaves := map[int64][]string{}
	nodes := 0
	var walk func(ns []tyNodeJSON, parent *int64, path []string)
	walk = func(ns []tyNodeJSON, parent *int64, path []string) {
		for _, n := range ns {
			nodes++
			assert.Equal(t, parent, n.ParentID, "parent of %d %s", n.ID, n.Name)
			p := append(slices.Clone(path), n.Name)
			require.NotNil(t, n.SubCategories, "subCategories of %s is [] on leaves, never missing", n.Name)
			if len(n.SubCategories) == 0 {
				assert.NotContains(t, leaves, n.ID, "category %d twice", n.ID)
				leaves[n.ID] = p
				paths[n.Name] = p
			}
			walk(n.SubCategories, &n.ID, p)
		}
	}
	walk(tree.Categories, nil, nil)
	var roots []string
	for _, n := range tree.Categories {
		roots = append(roots, n.Name)
	}
	assert.Equal(t, []string{"Giyim", "Ayakkabı", "Aksesuar", "Kozmetik", "Elektronik", "Ev & Mobilya", "Oyuncak", "Anne & Bebek", "Spor & Outdoor"}, roots)
	assert.Greater(t, nodes, len(leaves))
	assert.Equal(t, []string{"Ayakkabı", "Casual Ayakkabı"}, leaves[411], "Trendyol's documented sample category")
	assert.Equal(t, []string{"Giyim", "Üst Giyim", "Tişört"}, leaves[tyTshirt])

	for _, name := range []string{"Elbise", "Tişört", "Jean", "Sweatshirt", "Sneaker", "Spor Ayakkabı", "Topuklu Ayakkabı", "Bot",
		"Omuz Çantası", "Sırt Çantası", "Cüzdan", "Yüz Kremi", "Şampuan", "Ruj", "Parfüm", "Telefon Kılıfı", "Şarj Cihazı",
		"Ekran Koruyucu", "Bluetooth Kulaklık", "Akıllı Saat", "Powerbank", "Kahve Makinesi", "Tencere Seti", "Nevresim Takımı",
		"Kupa", "Yapı Oyuncakları", "Puzzle", "Oyuncak Bebek", "Bebek Bezi", "Biberon", "Bebek Arabası", "Yoga Matı", "Dambıl", "Matara"} {
		assert.Contains(t, paths, name, "leaf %s", name)
	}

	// Every leaf has a definition; every required attribute without free text lists its values.
	for id, path := range leaves {
		var def struct {
			ID                 int64                     `json:"id"`
			DisplayName        string                    `json:"displayName"`
			CategoryAttributes []tyCategoryAttributeJSON `json:"categoryAttributes"`
		}
		require.Equal(t, http.StatusOK, e.get(t, attributesPath(id), &def), "%v", path)
		assert.Equal(t, id, def.ID)
		assert.Equal(t, path[len(path)-1], def.DisplayName)
		assert.NotEmpty(t, def.CategoryAttributes, "%v", path)
		for _, a := range def.CategoryAttributes {
			assert.Equal(t, id, a.CategoryID)
			if a.Required && !a.AllowCustom && len(a.AttributeValues) == 0 {
				var page struct {
					TotalElements int `json:"totalElements"`
				}
				require.Equal(t, http.StatusOK, e.get(t, fmt.Sprintf("%s/%d/values", attributesPath(id), a.Attribute.ID), &page))
				assert.Positive(t, page.TotalElements, "%v: %s has no values to choose from", path, a.Attribute.Name)
			}
		}
	}
}

func TestTrendyolCategoryAttributes(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	var def struct {
		ID                 int64                     `json:"id"`
		Name               string                    `json:"name"`
		CategoryAttributes []tyCategoryAttributeJSON `json:"categoryAttributes"`
	}
	require.Equal(t, http.StatusOK, e.get(t, attributesPath(tyTshirt), &def))
	assert.Equal(t, "Tişört", def.Name)
	byID := map[int64]tyCategoryAttributeJSON{}
	for _, a := range def.CategoryAttributes {
		byID[a.Attribute.ID] = a
	}
	beden := byID[tyBedenID]
	assert.Equal(t, "Beden", beden.Attribute.Name)
	assert.True(t, beden.Required && beden.Varianter)
	assert.False(t, beden.AllowCustom || beden.Multiple)
	assert.Contains(t, beden.AttributeValues, struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}{tyBedenM, "M"})
	renk := byID[tyRenkID]
	assert.Equal(t, "Renk", renk.Attribute.Name)
	assert.True(t, renk.Required && renk.AllowCustom && renk.Slicer)
	assert.Len(t, renk.AttributeValues, 20)
	assert.Equal(t, "Menşei", byID[tyMenseiID].Attribute.Name)
	assert.Empty(t, byID[tyMenseiID].AttributeValues, "long lists are read from the values endpoint")
	assert.True(t, byID[17620].Multiple && byID[17620].AllowCustom, "Materyal Bileşeni")

	require.Equal(t, http.StatusOK, e.get(t, attributesPath(411), &def))
	assert.Equal(t, "Casual Ayakkabı", def.Name)
	materyal := slices.IndexFunc(def.CategoryAttributes, func(a tyCategoryAttributeJSON) bool { return a.Attribute.ID == 14 })
	require.GreaterOrEqual(t, materyal, 0)
	assert.Equal(t, "Deri", def.CategoryAttributes[materyal].AttributeValues[0].Name)
	assert.EqualValues(t, 82, def.CategoryAttributes[materyal].AttributeValues[0].ID)

	tests := []struct {
		name, category string
		code           int
		key, message   string
	}{
		{name: "not a leaf", category: "522", code: http.StatusBadRequest, key: "category.not.leaf", message: "categoryId 522 (Giyim) is not a leaf category"},
		{name: "unknown", category: "999999", code: http.StatusNotFound, key: "category.not.found", message: "999999"},
		{name: "not a number", category: "giyim", code: http.StatusNotFound, key: "category.not.found", message: "giyim"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body map[string]any
			require.Equal(t, tt.code, e.get(t, attributesPath(tt.category), &body))
			assert.Equal(t, tt.key, errorKey(t, body))
			assert.Contains(t, body["errors"].([]any)[0].(map[string]any)["message"], tt.message)
		})
	}
}

func TestTrendyolAttributeValues(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	type page struct {
		TotalElements int `json:"totalElements"`
		TotalPages    int `json:"totalPages"`
		Page          int `json:"page"`
		Size          int `json:"size"`
		Content       []struct {
			ID   int64  `json:"attributeValueId"`
			Name string `json:"attributeValue"`
		} `json:"content"`
	}
	mensei := fmt.Sprintf("%s/%d/values", attributesPath(tyTshirt), tyMenseiID)
	names := map[string]int64{}
	var first page
	for p := 0; ; p++ {
		var got page
		require.Equal(t, http.StatusOK, e.get(t, fmt.Sprintf("%s?page=%d&size=30", mensei, p), &got))
		assert.Equal(t, p, got.Page)
		assert.Equal(t, 30, got.Size)
		for _, v := range got.Content {
			assert.NotContains(t, names, v.Name)
			names[v.Name] = v.ID
		}
		if p == 0 {
			first = got
		}
		if len(got.Content) < 30 {
			break
		}
	}
	assert.Greater(t, first.TotalElements, 50, "longer than the attribute list carries")
	assert.Len(t, names, first.TotalElements)
	assert.Equal(t, (first.TotalElements+29)/30, first.TotalPages)
	assert.EqualValues(t, tyTurkiye, names["Türkiye"])
	assert.EqualValues(t, 2178083, names["Abd"], "Trendyol's documented value")

	var beden page
	require.Equal(t, http.StatusOK, e.get(t, fmt.Sprintf("%s/%d/values", attributesPath(tyTshirt), tyBedenID), &beden))
	assert.Equal(t, 7, beden.TotalElements)
	assert.Equal(t, 1000, beden.Size, "default size")
	require.Len(t, beden.Content, 7)
	assert.Equal(t, "XS", beden.Content[0].Name)

	tests := []struct {
		name, path string
		code       int
		key        string
	}{
		{name: "size over 1000", path: mensei + "?size=1001", code: http.StatusBadRequest, key: "invalid.size"},
		{name: "size 0", path: mensei + "?size=0", code: http.StatusBadRequest, key: "invalid.size"},
		{name: "negative page", path: mensei + "?page=-1", code: http.StatusBadRequest, key: "invalid.page"},
		{name: "attribute of another category", path: fmt.Sprintf("%s/1193/values", attributesPath(tyTshirt)), code: http.StatusNotFound, key: "category.attribute.not.found"},
		{name: "not a leaf", path: fmt.Sprintf("%s/%d/values", attributesPath(522), tyBedenID), code: http.StatusBadRequest, key: "category.not.leaf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body map[string]any
			require.Equal(t, tt.code, e.get(t, tt.path, &body))
			assert.Equal(t, tt.key, errorKey(t, body))
		})
	}
}

func TestTrendyolBrands(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	type brand struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	var paged []brand
	for p := 0; ; p++ {
		var got struct {
			Brands []brand `json:"brands"`
		}
		require.Equal(t, http.StatusOK, e.get(t, fmt.Sprintf("%s?page=%d&size=100", brandsPath, p), &got))
		paged = append(paged, got.Brands...)
		if len(got.Brands) < 100 {
			break
		}
	}
	var all struct {
		Brands []brand `json:"brands"`
	}
	require.Equal(t, http.StatusOK, e.get(t, brandsPath+"?page=0&size=1000", &all))
	assert.Greater(t, len(all.Brands), 300, "a few hundred brands")
	assert.Equal(t, all.Brands, paged, "pages add up to the whole registry")
	assert.True(t, slices.IsSortedFunc(paged, func(a, b brand) int { return int(a.ID - b.ID) }), "in ID order")
	assert.Contains(t, paged, brand{1791, "TRENDYOLMILLA"})
	var none struct {
		Brands []brand `json:"brands"`
	}
	require.Equal(t, http.StatusOK, e.get(t, brandsPath+"?page=1&size=1000", &none))
	assert.Empty(t, none.Brands)
	var body map[string]any
	require.Equal(t, http.StatusBadRequest, e.get(t, brandsPath+"?size=1001", &body))
	assert.Equal(t, "invalid.size", errorKey(t, body))

	tests := []struct {
		name, query string
		want        []string
	}{
		{name: "lower case", query: "nike", want: []string{"Nike"}},
		{name: "Turkish capitals", query: "KİĞILI", want: []string{"Kiğılı"}},
		{name: "dotless capital I", query: "KIĞILI", want: []string{"Kiğılı"}},
		{name: "apostrophe and accent", query: "l'oréal paris", want: []string{"L'Oréal Paris"}},
		{name: "folded letters are another name", query: "kigili", want: []string{}},
		{name: "part of a name", query: "Nik", want: []string{}},
		{name: "surrounding spaces", query: " Arçelik ", want: []string{"Arçelik"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []brand
			require.Equal(t, http.StatusOK, e.get(t, brandsPath+"/by-name?name="+strings.ReplaceAll(tt.query, " ", "%20"), &got))
			names := []string{}
			for _, b := range got {
				names = append(names, b.Name)
				assert.Positive(t, b.ID)
			}
			assert.Equal(t, tt.want, names)
		})
	}
	require.Equal(t, http.StatusBadRequest, e.get(t, brandsPath+"/by-name", &body))
	assert.Equal(t, "invalid.name", errorKey(t, body))
}

func TestTrendyolTaxonomyAuthAndLimits(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*http.Request)
		code int
	}{
		{name: "ok", code: http.StatusOK},
		{name: "no user agent", mod: func(r *http.Request) { r.Header.Del("User-Agent") }, code: http.StatusForbidden},
		{name: "user agent of another seller", mod: func(r *http.Request) { r.Header.Set("User-Agent", "43 - SelfIntegration") }, code: http.StatusUnauthorized},
		{name: "wrong secret", mod: func(r *http.Request) { r.SetBasicAuth("k", "x") }, code: http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{})
			for _, path := range []string{categoriesPath, attributesPath(tyTshirt), brandsPath, brandsPath + "/by-name?name=Nike"} {
				code, _ := e.do(t, http.MethodGet, path, nil, tt.mod)
				assert.Equal(t, tt.code, code, path)
			}
		})
	}

	e := newEnv(t, sandbox.Options{})
	for i := range 50 {
		code, _ := e.do(t, http.MethodGet, attributesPath(1301+i%3), nil, nil)
		require.Equal(t, http.StatusOK, code, "request %d", i+1)
	}
	code, body := e.do(t, http.MethodGet, attributesPath(tyTshirt), nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, code, "one budget for the endpoint, whatever the category")
	assert.Equal(t, "too.many.requests", errorKey(t, body))
	code, _ = e.do(t, http.MethodGet, brandsPath, nil, nil)
	assert.Equal(t, http.StatusOK, code, "another endpoint has its own budget")
}

// attrsWith is the T-shirt's create-form attributes with the i'th replaced by a (or
// removed, for nil), and more appended.
func attrsWith(i int, a map[string]any, more ...map[string]any) []map[string]any {
	as := tshirtAttributes(tyBedenM)
	if a == nil {
		as = slices.Delete(as, i, i+1)
	} else {
		as[i] = a
	}
	return append(as, more...)
}

func TestTrendyolTaxonomyOnCreate(t *testing.T) {
	set := func(kv ...any) func(map[string]any) {
		return func(m map[string]any) {
			for i := 0; i < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
		}
	}
	tests := []struct {
		name    string
		change  func(map[string]any)
		reasons []string // substrings of the reasons, one each; none means accepted
		stored  []sandbox.TrendyolAttribute
	}{
		{name: "valid", change: set()},
		{name: "colour as free text", change: set("attributes", attrsWith(0, map[string]any{"attributeId": tyRenkID, "customAttributeValue": "Gece Mavisi"})),
			stored: []sandbox.TrendyolAttribute{{AttributeID: tyRenkID, Value: "Gece Mavisi"}, {AttributeID: tyBedenID, ValueIDs: []int64{tyBedenM}},
				{AttributeID: tyCinsiyetID, ValueIDs: []int64{tyErkek}}, {AttributeID: tyMenseiID, ValueIDs: []int64{tyTurkiye}}}},
		{name: "update form on create", change: set("attributes", attrsWith(1, map[string]any{"attributeId": tyBedenID, "attributeValueIds": []int{tyBedenL}}))},
		{name: "several values where allowed", change: set("categoryId", 1301, "attributes", []map[string]any{
			{"attributeId": 1201, "attributeValueId": 8221}, {"attributeId": 1201, "attributeValueId": 8225}, {"attributeId": tyMenseiID, "attributeValueId": 2178005}}),
			stored: []sandbox.TrendyolAttribute{{AttributeID: 1201, ValueIDs: []int64{8221, 8225}}, {AttributeID: tyMenseiID, ValueIDs: []int64{2178005}}}},
		{name: "unknown category", change: set("categoryId", 999999), reasons: []string{"Kategori bulunamadı: categoryId 999999"}},
		{name: "category with subcategories", change: set("categoryId", 1030), reasons: []string{"categoryId 1030 (Üst Giyim) is not a leaf category"}},
		{name: "unknown brand", change: set("brandId", 987654321), reasons: []string{"Marka bulunamadı: brandId 987654321"}},
		{name: "missing required attribute", change: set("attributes", attrsWith(1, nil)),
			reasons: []string{"Zorunlu özellik eksik: Beden (attributeId 338) is required in category Tişört (1174)"}},
		{name: "value of another attribute", change: set("attributes", attrsWith(1, map[string]any{"attributeId": tyBedenID, "attributeValueId": 7040})),
			reasons: []string{"attributeValueId 7040 is not a value of Beden (attributeId 338) in category Tişört"}},
		{name: "free text where none is taken", change: set("attributes", attrsWith(1, map[string]any{"attributeId": tyBedenID, "customAttributeValue": "Orta"})),
			reasons: []string{`Beden (attributeId 338) özelliğine serbest metin girilemez: "Orta"`}},
		{name: "attribute of another category", change: set("attributes", attrsWith(1, tshirtAttributes(tyBedenM)[1], map[string]any{"attributeId": 1193, "attributeValueId": 7040})),
			reasons: []string{"attributeId 1193 is not an attribute of category Tişört (1174)"}},
		{name: "two values where one is taken", change: set("attributes", attrsWith(1, tshirtAttributes(tyBedenM)[1], map[string]any{"attributeId": tyBedenID, "attributeValueId": tyBedenL})),
			reasons: []string{"Beden (attributeId 338) tek değer alır: 2 values sent"}},
		{name: "no attributes at all", change: set("attributes", []any{}), reasons: []string{"Renk (attributeId 47)", "Beden (attributeId 338)",
			"Cinsiyet (attributeId 296)", "Menşei (attributeId 59810)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{})
			item := validItem()
			tt.change(item)
			statuses, reasons := outcomes(e.batch(t, productsPath, item))
			if tt.reasons == nil {
				require.Equal(t, []string{"SUCCESS"}, statuses, "%q", reasons)
				if tt.stored != nil {
					p, ok := e.sb.TrendyolProduct("BC-001")
					require.True(t, ok)
					assert.Equal(t, tt.stored, p.Attributes)
				}
				return
			}
			require.Equal(t, []string{"FAILED"}, statuses)
			require.Len(t, reasons[0], len(tt.reasons), "%q", reasons[0])
			for i, want := range tt.reasons {
				assert.Contains(t, reasons[0][i], want)
			}
			_, ok := e.sb.TrendyolProduct("BC-001")
			assert.False(t, ok, "nothing was created")
		})
	}
}

func TestTrendyolTaxonomyOnUpdates(t *testing.T) {
	tests := []struct {
		name     string
		approval bool // the product waits in approval (unapproved-bulk-update) rather than being approved
		item     func(contentID float64) map[string]any
		reason   string
	}{
		{name: "unknown brand", approval: true, item: func(float64) map[string]any {
			return map[string]any{"barcode": "BC-001", "brandId": 987654321}
		}, reason: "Marka bulunamadı: brandId 987654321"},
		{name: "category that does not fit the attributes", approval: true, item: func(float64) map[string]any {
			return map[string]any{"barcode": "BC-001", "categoryId": 1301}
		}, reason: "attributeId 338 is not an attribute of category Yüz Kremi (1301)"},
		{name: "category with subcategories", approval: true, item: func(float64) map[string]any {
			return map[string]any{"barcode": "BC-001", "categoryId": 403}
		}, reason: "categoryId 403 (Ayakkabı) is not a leaf category"},
		{name: "unapproved attributes missing one", approval: true, item: func(float64) map[string]any {
			return map[string]any{"barcode": "BC-001", "attributes": tshirtUpdate(tyBedenL, "Beyaz")[:3]}
		}, reason: "Zorunlu özellik eksik: Menşei (attributeId 59810)"},
		{name: "content value not listed", item: func(id float64) map[string]any {
			return map[string]any{"contentId": id, "attributes": tshirtUpdate(7040, "Beyaz")}
		}, reason: "attributeValueId 7040 is not a value of Beden (attributeId 338)"},
		{name: "content free text where none is taken", item: func(id float64) map[string]any {
			attrs := tshirtUpdate(tyBedenL, "Beyaz")
			attrs[2] = map[string]any{"attributeId": tyCinsiyetID, "attributeValue": "Erkek"}
			return map[string]any{"contentId": id, "attributes": attrs}
		}, reason: "Cinsiyet (attributeId 296) özelliğine serbest metin girilemez"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := sandbox.TrendyolOptions{}
			path := contentPath
			if tt.approval {
				o.ApprovalDelay, path = 24*time.Hour, unapprovedPath
			}
			e := newEnv(t, sandbox.Options{Trendyol: o})
			e.batch(t, productsPath, validItem())
			before, ok := e.sb.TrendyolProduct("BC-001")
			require.True(t, ok)
			var base map[string]any
			require.Equal(t, http.StatusOK, e.get(t, productBasePath+"BC-001", &base))

			statuses, reasons := outcomes(e.batch(t, path, tt.item(base["contentId"].(float64))))
			require.Equal(t, []string{"FAILED"}, statuses)
			assert.Contains(t, strings.Join(reasons[0], "\n"), tt.reason)
			after, _ := e.sb.TrendyolProduct("BC-001")
			assert.Equal(t, before, after, "a refused update changes nothing")
		})
	}
}

func TestTrendyolImagesAreFetched(t *testing.T) {
	tests := []struct {
		name   string
		urls   []string
		reason string // "" means accepted
	}{
		{name: "500 pixels", urls: []string{marketplacetest.ImageURL(500, 500)}},
		{name: "too small", urls: []string{marketplacetest.ImageURL(499, 900)}, reason: "image 1: image " + marketplacetest.ImageURL(499, 900) + " is 499×900 pixels; at least 500×500"},
		{name: "second image not an image", urls: []string{marketplacetest.ImageURL(800, 800), marketplacetest.NotAnImageURL()}, reason: "image 2: image " + marketplacetest.NotAnImageURL() + " could not be used: not an image"},
		{name: "not found", urls: []string{marketplacetest.MissingImageURL()}, reason: "answered HTTP 404"},
		{name: "plain http elsewhere", urls: []string{"http://img.example.com/1.jpg"}, reason: `image 1: "http://img.example.com/1.jpg" must be an HTTPS address`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{})
			item := validItem()
			var images []map[string]any
			for _, u := range tt.urls {
				images = append(images, map[string]any{"url": u})
			}
			item["images"] = images
			statuses, reasons := outcomes(e.batch(t, productsPath, item))
			if tt.reason == "" {
				assert.Equal(t, []string{"SUCCESS"}, statuses, "%q", reasons)
				return
			}
			require.Equal(t, []string{"FAILED"}, statuses)
			require.Len(t, reasons[0], 1, "%q", reasons[0])
			assert.Contains(t, reasons[0][0], tt.reason)
		})
	}
}
