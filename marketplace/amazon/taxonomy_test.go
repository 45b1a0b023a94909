package amazon_test

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/taxonomy"
)

func TestSourceCategories(t *testing.T) {
	for _, tc := range []struct {
		name, marketplace, locale, shoes string
	}{
		{"Turkey in Turkish", amazon.MarketplaceTurkey, "tr_TR", "Ayakkabı"},
		{"United States in English", "ATVPDKIKX0DER", "en_US", "Shoes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := sandboxOpts
			opts.MarketplaceID = tc.marketplace
			e := newEnv(t, opts)
			c := e.client(func(cfg *amazon.Config) { cfg.MarketplaceID = tc.marketplace })
			cats, err := c.Categories(context.Background())
			require.NoError(t, err)
			require.Len(t, cats, 37)
			byID := map[string]taxonomy.Category{}
			for _, cat := range cats {
				assert.True(t, cat.Leaf, cat.ID)
				assert.Empty(t, cat.ParentID, cat.ID)
				assert.Equal(t, []string{cat.Name}, cat.Path, cat.ID)
				byID[cat.ID] = cat
			}
			assert.Equal(t, tc.shoes, byID["SHOES"].Name)
			assert.Equal(t, []string{tc.locale}, e.locales, "the store's own locale")
			assert.NoError(t, c.Brands(context.Background(), func([]taxonomy.Brand) error {
				return errors.New("amazon has no brand registry to page through")
			}))
			assert.Empty(t, e.check.problems)
		})
	}
}

func TestSourceDefinitions(t *testing.T) {
	opts := sandboxOpts
	opts.DefinitionsGet = sandbox.AmazonRate{Rate: 100, Burst: 100}
	e := newEnv(t, opts)
	c := e.client(nil)
	ctx := context.Background()
	cats, err := c.Categories(ctx)
	require.NoError(t, err)
	defs := map[string]taxonomy.Definition{}
	for _, cat := range cats {
		def, err := c.Definition(ctx, cat.ID)
		require.NoError(t, err, cat.ID)
		assert.Equal(t, cat.ID, def.CategoryID)
		_, err = spmodel.CompileProductType(def.Schema)
		require.NoError(t, err, "%s: the schema as read compiles", cat.ID)
		for _, a := range def.Attributes {
			assert.NotContains(t, []string{"item_name", "brand", "product_description", "bullet_point", "condition_type",
				"purchasable_offer", "fulfillment_availability", "list_price", "product_tax_code",
				"externally_assigned_product_identifier", "supplier_declared_has_product_identifier_exemption"}, a.ID,
				"%s: the adapter fills %s itself", cat.ID, a.ID)
			assert.NotContains(t, a.ID, "image_locator", cat.ID)
			assert.NotEmpty(t, a.Name, "%s.%s has a title", cat.ID, a.ID)
		}
		defs[cat.ID] = def
	}
	require.Len(t, defs, 37)
	assert.Empty(t, defs["HOME"].Attributes, "the generic type has no category attributes")
	assert.Empty(t, e.check.problems)
	assert.Equal(t, 37, e.check.schemas, "one schema fetched per product type")
	assert.Zero(t, e.check.signed, "schema links are fetched without SP-API credentials")

	for id, def := range defs {
		if id == "HOME" || id == "PRODUCT" {
			continue
		}
		origin := attribute(def, "country_of_origin")
		require.NotNil(t, origin, "%s has country_of_origin", id)
		assert.True(t, origin.Required, id)
		assert.False(t, origin.AllowCustom, id)
		assert.Contains(t, origin.Values, taxonomy.Value{ID: "TR", Name: "Türkiye"}, id)
	}

	type want struct {
		name                                  string
		required, custom, multiple, varianter bool
		value                                 *taxonomy.Value // one of the values
	}
	for _, tc := range []struct {
		productType string
		attrs       map[string]want
	}{
		{"SHOES", map[string]want{
			"color":             {"Renk", true, true, false, true, &taxonomy.Value{ID: "Lacivert", Name: "Lacivert"}},
			"department":        {"Departman", true, false, false, false, &taxonomy.Value{ID: "Erkek", Name: "Erkek"}},
			"footwear_size":     {"Numara", true, false, false, true, &taxonomy.Value{ID: "numeric_42", Name: "42"}},
			"material":          {"Materyal", false, true, true, false, &taxonomy.Value{ID: "Deri", Name: "Deri"}},
			"country_of_origin": {"Menşei", true, false, false, false, &taxonomy.Value{ID: "CN", Name: "Çin"}},
		}},
		{"SHIRT", map[string]want{
			"apparel_size": {"Beden", true, false, false, true, &taxonomy.Value{ID: "x_l", Name: "XL"}},
		}},
		{"CELLULAR_PHONE_CASE", map[string]want{
			"compatible_devices":      {"Uyumlu Marka", true, false, true, false, &taxonomy.Value{ID: "Samsung", Name: "Samsung"}},
			"compatible_phone_models": {"Uyumlu Model", false, true, true, false, nil},
		}},
		{"DRINKING_CUP", map[string]want{
			"capacity": {"Kapasite", false, true, false, false, nil},
		}},
		{"TOY_BUILDING_BLOCK", map[string]want{
			"age_range_description": {"Yaş Grubu", true, false, false, false, &taxonomy.Value{ID: "6-8 Yaş", Name: "6-8 Yaş"}},
			"number_of_pieces":      {"Parça Sayısı", false, true, false, false, nil},
		}},
	} {
		t.Run(tc.productType, func(t *testing.T) {
			def := defs[tc.productType]
			if tc.productType == "SHOES" {
				assert.Len(t, def.Attributes, len(tc.attrs), "every attribute of the product type")
				assert.True(t, def.Attributes[0].Required, "required attributes come first")
			}
			for id, w := range tc.attrs {
				a := attribute(def, id)
				require.NotNil(t, a, id)
				assert.Equal(t, w.name, a.Name, id)
				assert.Equal(t, w.required, a.Required, "%s required", id)
				assert.Equal(t, w.custom, a.AllowCustom, "%s allows custom values", id)
				assert.Equal(t, w.multiple, a.Multiple, "%s takes several values", id)
				assert.Equal(t, w.varianter, a.Varianter, "%s tells variants apart", id)
				if w.value != nil {
					assert.Contains(t, a.Values, *w.value, id)
				} else {
					assert.Empty(t, a.Values, id)
				}
			}
		})
	}
}

func attribute(def taxonomy.Definition, id string) *taxonomy.Attribute {
	for i := range def.Attributes {
		if def.Attributes[i].ID == id {
			return &def.Attributes[i]
		}
	}
	return nil
}

func TestDefinitionFailures(t *testing.T) {
	schema := []byte(`{"type":"object","properties":{"color":{"title":"Renk","type":"array"}}}`)
	sum := md5.Sum(schema)
	good := base64.StdEncoding.EncodeToString(sum[:])
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/auth/o2/token":
			_, _ = w.Write([]byte(`{"access_token":"Atza|t","token_type":"bearer","expires_in":3600}`))
		case strings.HasPrefix(r.URL.Path, "/definitions/2020-09-01/productTypes/"):
			pt := strings.TrimPrefix(r.URL.Path, "/definitions/2020-09-01/productTypes/")
			if pt == "MISSING" {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"errors":[{"code":"NOT_FOUND","message":"Resource not found."}]}`))
				return
			}
			checksum := good
			if pt == "TAMPERED" {
				checksum = "AAAAAAAAAAAAAAAAAAAAAA=="
			}
			_ = json.NewEncoder(w).Encode(map[string]any{"productType": pt,
				"schema": map[string]any{"link": map[string]any{"resource": srv.URL + "/s3/" + pt, "verb": "GET"}, "checksum": checksum}})
		case r.URL.Path == "/s3/GONE":
			http.Error(w, "NoSuchKey", http.StatusNotFound)
		case r.URL.Path == "/s3/DOWN":
			http.Error(w, "SlowDown", http.StatusServiceUnavailable)
		default:
			_, _ = w.Write(schema)
		}
	}))
	t.Cleanup(srv.Close)
	c := amazon.New(amazon.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/auth/o2/token", ClientID: "c", ClientSecret: "s", RefreshToken: "r"})
	for _, tc := range []struct {
		productType string
		check       func(t *testing.T, err error)
	}{
		{"OK", func(t *testing.T, err error) { assert.NoError(t, err) }},
		{"TAMPERED", func(t *testing.T, err error) { assert.ErrorContains(t, err, "checksum") }},
		{"GONE", func(t *testing.T, err error) {
			assert.ErrorContains(t, err, "HTTP 404")
			assert.NotErrorIs(t, err, marketplace.ErrUnavailable)
		}},
		{"DOWN", func(t *testing.T, err error) { assert.ErrorIs(t, err, marketplace.ErrUnavailable) }},
		{"MISSING", func(t *testing.T, err error) {
			var e *amazon.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, http.StatusNotFound, e.Status)
		}},
	} {
		t.Run(tc.productType, func(t *testing.T) {
			def, err := c.Definition(context.Background(), tc.productType)
			tc.check(t, err)
			if err == nil {
				assert.JSONEq(t, string(schema), string(def.Schema))
				assert.Equal(t, []taxonomy.Attribute{{ID: "color", Name: "Renk", Multiple: true, Varianter: true, AllowCustom: true}}, def.Attributes)
			}
		})
	}
}

// schemaHook is Config.Schema served from the sandbox's own definitions, as the
// taxonomy sync would store them, and counts its calls.
func schemaHook(e *env, calls *int) func(ctx context.Context, productType string) (json.RawMessage, error) {
	src := e.client(nil)
	return func(ctx context.Context, productType string) (json.RawMessage, error) {
		*calls++
		def, err := src.Definition(ctx, productType)
		return def.Schema, err
	}
}

func TestLocalValidation(t *testing.T) {
	opts := sandboxOpts
	opts.ListingsPut = sandbox.AmazonRate{Rate: 100, Burst: 100}
	opts.DefinitionsGet = sandbox.AmazonRate{Rate: 100, Burst: 100}
	e := newEnv(t, opts)
	calls := 0
	c := e.client(func(cfg *amazon.Config) { cfg.Schema = schemaHook(e, &calls) })
	ctx := context.Background()
	mapped := func(l marketplace.Listing, id string, m *marketplace.MappedAttribute) marketplace.Listing {
		var out []marketplace.MappedAttribute
		for _, a := range l.Mapped {
			if a.ID != id {
				out = append(out, a)
			} else if m != nil {
				out = append(out, *m)
			}
		}
		l.Mapped = out
		return l
	}
	for _, tc := range []struct {
		name    string
		listing func() marketplace.Listing
		state   string
		reasons []string // exact, or with prefix "~" contained in one reason
		sent    bool
	}{
		{"valid", func() marketplace.Listing { return validListing("ok") }, marketplace.SubmissionPending, nil, true},
		{"missing colour", func() marketplace.Listing { return mapped(validListing("nocolor"), "color", nil) },
			marketplace.SubmissionRejected, []string{"color (Renk): required but not supplied"}, false},
		{"missing bullets", func() marketplace.Listing {
			l := validListing("nobullets")
			l.Text.Bullets = nil
			return l
		}, marketplace.SubmissionRejected, []string{"bullet_point (Madde İşaretli Özellikler): required but not supplied"}, false},
		{"country outside its values", func() marketplace.Listing {
			return mapped(validListing("xx"), "country_of_origin", &marketplace.MappedAttribute{ID: "country_of_origin", ValueIDs: []string{"XX"}})
		}, marketplace.SubmissionRejected, []string{`~country_of_origin (Menşei): value "XX" is not allowed: must be one of TR, CN, DE`}, false},
		{"capacity that is no number", func() marketplace.Listing {
			return mapped(validListing("cap"), "capacity", &marketplace.MappedAttribute{ID: "capacity", Value: "büyük boy"})
		}, marketplace.SubmissionRejected, []string{"~capacity (Kapasite): "}, false},
		{"a VAT rate without tax code and a missing colour", func() marketplace.Listing {
			l := mapped(validListing("vat"), "color", nil)
			l.VATRate = 18
			return l
		}, marketplace.SubmissionRejected, []string{"VAT rate 18% has no Amazon product tax code (configured rates: 0, 1, 10, 20)", "color (Renk): required but not supplied"}, false},
		{"an unmapped listing is checked against its product type too", func() marketplace.Listing {
			return marketplacetest.Listing("home")
		}, marketplace.SubmissionPending, nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(e.check.puts)
			sub, err := c.UpsertListings(ctx, []marketplace.Listing{tc.listing()})
			require.NoError(t, err)
			require.Len(t, sub.Items, 1)
			it := sub.Items[0]
			assert.Equal(t, tc.state, it.State, "%q", it.Reasons)
			if len(tc.reasons) == 1 && strings.HasPrefix(tc.reasons[0], "~") {
				require.Len(t, it.Reasons, 1)
				assert.Contains(t, it.Reasons[0], tc.reasons[0][1:])
			} else {
				assert.Equal(t, tc.reasons, it.Reasons)
			}
			sent := len(e.check.puts) - before
			if tc.sent {
				assert.Equal(t, 1, sent)
			} else {
				assert.Zero(t, sent, "an invalid listing is not sent")
			}
		})
	}
	assert.Equal(t, 7, calls, "the hook is asked once per listing")
	assert.Empty(t, e.check.problems)

	t.Run("without a stored schema the listing is sent and Amazon judges it", func(t *testing.T) {
		c := e.client(func(cfg *amazon.Config) {
			cfg.Schema = func(context.Context, string) (json.RawMessage, error) { return nil, nil }
		})
		before, schemas := len(e.check.puts), e.check.schemas
		sub, err := c.UpsertListings(ctx, []marketplace.Listing{mapped(validListing("nostore"), "color", nil)})
		require.NoError(t, err)
		assert.Equal(t, 1, len(e.check.puts)-before)
		assert.Equal(t, 1, e.check.schemas-schemas, "shaped by the schema read from Amazon")
		assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State)
		assert.Equal(t, []string{"'color' is required but not supplied."}, sub.Items[0].Reasons)
	})
	t.Run("a hook that fails fails the call", func(t *testing.T) {
		down := errors.New("store down")
		c := e.client(func(cfg *amazon.Config) {
			cfg.Schema = func(context.Context, string) (json.RawMessage, error) { return nil, down }
		})
		_, err := c.UpsertListings(ctx, []marketplace.Listing{validListing("down")})
		assert.ErrorIs(t, err, down)
	})
}

func TestMappedWireFormat(t *testing.T) {
	opts := sandboxOpts
	opts.ListingsPut = sandbox.AmazonRate{Rate: 100, Burst: 100}
	e := newEnv(t, opts)
	ctx := context.Background()
	mid := amazon.MarketplaceTurkey
	shoes := func(prefix string) marketplace.Listing {
		l := marketplacetest.Listing(prefix)
		l.Text.Title = "Stox Erkek Spor Ayakkabı Lacivert 42"
		l.Text.Bullets = []string{"Kauçuk taban", "Nefes alan file"}
		l.CategoryID = "SHOES"
		l.Mapped = []marketplace.MappedAttribute{
			{ID: "color", Name: "Renk", ValueIDs: []string{"Lacivert"}},
			{ID: "department", Name: "Departman", ValueIDs: []string{"Erkek"}},
			{ID: "footwear_size", Name: "Numara", ValueIDs: []string{"numeric_42"}, Value: "42"},
			{ID: "material", Name: "Materyal", Value: "File ve Süet"},
			{ID: "country_of_origin", Name: "Menşei", ValueIDs: []string{"TR"}},
			{ID: "brand", Name: "Marka", Value: "not a category attribute: the adapter's own"},
		}
		return l
	}
	for _, tc := range []struct {
		name string
		hook bool
	}{{"shaped by the stored schema", true}, {"shaped by the schema read from Amazon", false}} {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			c := e.client(func(cfg *amazon.Config) {
				if tc.hook {
					cfg.Schema = schemaHook(e, &calls)
				}
			})
			schemas := e.check.schemas
			var ids []string
			for range 2 {
				l := shoes("shoe")
				ids = append(ids, l.SKU)
				sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
				require.NoError(t, err)
				require.Equal(t, marketplace.SubmissionPending, sub.Items[0].State, "%q", sub.Items[0].Reasons)
			}
			put := e.check.puts[len(e.check.puts)-1]
			assert.Equal(t, "SHOES", put["productType"])
			a := put["attributes"].(map[string]any)
			assert.Equal(t, []any{map[string]any{"value": "Lacivert", "language_tag": "tr_TR", "marketplace_id": mid}}, a["color"])
			assert.Equal(t, []any{map[string]any{"value": "Erkek", "language_tag": "tr_TR", "marketplace_id": mid}}, a["department"])
			assert.Equal(t, []any{map[string]any{"size": "numeric_42", "size_system": "eu_footwear_size_system", "age_range_description": "adult",
				"size_class": "numeric", "marketplace_id": mid}}, a["footwear_size"])
			assert.Equal(t, []any{map[string]any{"value": "File ve Süet", "language_tag": "tr_TR", "marketplace_id": mid}}, a["material"])
			assert.Equal(t, []any{map[string]any{"value": "TR", "marketplace_id": mid}}, a["country_of_origin"])
			assert.Equal(t, "Stox", a["brand"].([]any)[0].(map[string]any)["value"], "mapped attributes do not replace the adapter's own")
			assert.Len(t, a["bullet_point"], 2)
			if tc.hook {
				assert.Equal(t, 2, calls)
				assert.Equal(t, 2, e.check.schemas-schemas, "the hook read the schema once per listing")
			} else {
				assert.Equal(t, 1, e.check.schemas-schemas, "the schema is read from Amazon once per product type")
			}
			e.sb.Advance(3 * time.Second)
			for _, sku := range ids {
				assert.Contains(t, e.sb.Listings(amazon.Name), sku, "the sandbox took the mapped listing")
			}
		})
	}

	t.Run("a product type Amazon does not have", func(t *testing.T) {
		l := validListing("spaceship")
		l.CategoryID = "SPACESHIP"
		before := len(e.check.puts)
		sub, err := e.client(nil).UpsertListings(ctx, []marketplace.Listing{l})
		require.NoError(t, err)
		assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State)
		assert.Equal(t, []string{"product type SPACESHIP is not available in marketplace A33AVAJ2PDY3EV"}, sub.Items[0].Reasons)
		assert.Equal(t, before, len(e.check.puts), "nothing was sent")
	})

	t.Run("quantities with units", func(t *testing.T) {
		c := e.client(nil)
		for _, tc := range []struct {
			text string
			want map[string]any
		}{
			{"350 ml", map[string]any{"value": float64(350), "unit": "milliliters", "marketplace_id": mid}},
			{"1,5 L", map[string]any{"value": 1.5, "unit": "liters", "marketplace_id": mid}},
			{"2 fincan", map[string]any{"value": float64(2), "unit": "cups", "marketplace_id": mid}},
			{"400", map[string]any{"value": float64(400), "unit": "milliliters", "marketplace_id": mid}},
		} {
			l := validListing("cup")
			for i := range l.Mapped {
				if l.Mapped[i].ID == "capacity" {
					l.Mapped[i].Value = tc.text
				}
			}
			sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
			require.NoError(t, err)
			assert.Equal(t, marketplace.SubmissionPending, sub.Items[0].State, "%s: %q", tc.text, sub.Items[0].Reasons)
			put := e.check.puts[len(e.check.puts)-1]
			assert.Equal(t, []any{tc.want}, put["attributes"].(map[string]any)["capacity"], tc.text)
		}
	})
	assert.Empty(t, e.check.problems)
}

func TestLanguageTag(t *testing.T) {
	for id, want := range map[string]string{
		"A33AVAJ2PDY3EV": "tr_TR", "A1PA6795UKMFR9": "de_DE", "A1F83G8C2ARO7P": "en_GB", "ATVPDKIKX0DER": "en_US",
		"A13V1IB3VIYZZH": "fr_FR", "APJ6JRA9NG5V4": "it_IT", "A1RKKUPIHCS9HS": "es_ES", "A1805IZSGTT6HS": "nl_NL",
		"A1C3SOZRARQ6R3": "pl_PL", "A2NODRKZP88ZB9": "sv_SE", "A1VC38T7YXB528": "ja_JP", "NOTAMARKETPLACE": "",
	} {
		assert.Equal(t, want, amazon.LanguageTag(id), id)
	}

	// The tag a text gets: its own language, in the store's form where the store
	// speaks it.
	var tags []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/o2/token" {
			_, _ = w.Write([]byte(`{"access_token":"Atza|t","token_type":"bearer","expires_in":3600}`))
			return
		}
		var body struct {
			Attributes map[string][]map[string]any `json:"attributes"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		tag, _ := body.Attributes["item_name"][0]["language_tag"].(string)
		tags = append(tags, tag)
		_, _ = w.Write([]byte(`{"sku":"x","status":"ACCEPTED","submissionId":"s1","issues":[]}`))
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		name, marketplace, lang, want string
	}{
		{"Turkish on Turkey", amazon.MarketplaceTurkey, "tr", "tr_TR"},
		{"German on Germany", "A1PA6795UKMFR9", "de", "de_DE"},
		{"Turkish on Germany is still Turkish", "A1PA6795UKMFR9", "tr", "tr_TR"},
		{"no language on Germany is German", "A1PA6795UKMFR9", "", "de_DE"},
		{"English on the United States", "ATVPDKIKX0DER", "en", "en_US"},
		{"English on the United Kingdom", "A1F83G8C2ARO7P", "EN", "en_GB"},
		{"English on Turkey", amazon.MarketplaceTurkey, "en", "en_GB"},
		{"a full tag", amazon.MarketplaceTurkey, "tr-TR", "tr_TR"},
		{"an unknown language is the store's", "A13V1IB3VIYZZH", "xx", "fr_FR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := amazon.New(amazon.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/auth/o2/token", ClientID: "c", ClientSecret: "s",
				RefreshToken: "r", SellerID: "A2SELLER", MarketplaceID: tc.marketplace, Currency: "EUR"})
			l := marketplacetest.Listing("lang")
			l.Text.Language = tc.lang
			tags = nil
			_, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
			require.NoError(t, err)
			assert.Equal(t, []string{tc.want}, tags)
		})
	}
}
