package sandbox_test

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

const (
	azSeller = "A1SANDBOXSELLER"
	azMarket = "A33AVAJ2PDY3EV"
	// azAgent is a User-Agent in the form Amazon asks every request to carry.
	azAgent = "StoxTest/1.0 (Language=Go/1.26)"
)

type azEnv struct {
	sb    *sandbox.Server
	token string
	// img is a 1200×1200 JPEG on a loopback address, an image Amazon takes.
	img string
	// images serves /{w}x{h}.jpg, a real JPEG of that size, and /text, which is none.
	images *httptest.Server
}

func newAzEnv(t *testing.T, o sandbox.Options) *azEnv {
	if o.Now == nil {
		start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
		o.Now = func() time.Time { return start }
	}
	e := &azEnv{sb: sandbox.New(o), images: azImageServer(t)}
	e.img = e.image(1200, 1200)
	status, out := e.lwa(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Atzr|sandbox-refresh-token"},
		"client_id": {"amzn1.application-oa2-client.sandbox"}, "client_secret": {"sandbox-secret"}})
	require.Equal(t, http.StatusOK, status, "%v", out)
	e.token = out["access_token"].(string)
	return e
}

// azImageServer serves real JPEGs of any size, as a seller's image host would.
func azImageServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var width, height int
		if _, err := fmt.Sscanf(r.URL.Path, "/%dx%d.jpg", &width, &height); err != nil {
			_, _ = w.Write([]byte("not an image"))
			return
		}
		w.Header().Set("Content-Type", "image/jpeg")
		_ = jpeg.Encode(w, image.NewGray(image.Rect(0, 0, width, height)), nil)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// image is the address of a width×height JPEG.
func (e *azEnv) image(width, height int) string {
	return fmt.Sprintf("%s/%dx%d.jpg", e.images.URL, width, height)
}

func (e *azEnv) lwa(t *testing.T, form url.Values) (int, map[string]any) {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "/auth/o2/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, out
}

// do sends an SP-API request with the env's token (unless mod changes it) and checks
// the answer against Amazon's model before returning it.
func (e *azEnv) do(t *testing.T, method, target string, body any, mod func(*http.Request)) (int, http.Header, map[string]any) {
	t.Helper()
	var raw []byte
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		raw = b
	}
	r := httptest.NewRequest(method, target, bytes.NewReader(raw))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("x-amz-access-token", e.token)
	r.Header.Set("User-Agent", azAgent)
	if mod != nil {
		mod(r)
	}
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	require.NoError(t, spmodel.ValidateResponse(r, rec.Code, rec.Header(), rec.Body.Bytes()), "the sandbox's answer breaks the model")
	assert.NotEmpty(t, rec.Header().Get("x-amzn-RequestId"))
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return rec.Code, rec.Header(), out
}

func itemPath(sku string, query string) string {
	return "/listings/2021-08-01/items/" + azSeller + "/" + sku + "?marketplaceIds=" + azMarket + query
}

func azListing(title, image string) map[string]any {
	v := func(s string) []any { return []any{map[string]any{"value": s, "marketplace_id": azMarket}} }
	text := func(s string) []any {
		return []any{map[string]any{"value": s, "language_tag": "tr_TR", "marketplace_id": azMarket}}
	}
	return map[string]any{"productType": "HOME", "requirements": "LISTING", "attributes": map[string]any{
		"item_name": text(title), "brand": text("Stox"), "condition_type": v("new_new"),
		"supplier_declared_has_product_identifier_exemption": []any{map[string]any{"value": true}},
		"main_product_image_locator":                         []any{map[string]any{"media_location": image}},
		"purchasable_offer": []any{map[string]any{"marketplace_id": azMarket, "currency": "TRY", "audience": "ALL",
			"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": 100}}}}}},
		"fulfillment_availability": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": 10}},
	}}
}

func errorCode(out map[string]any) string {
	errs, _ := out["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	return errs[0].(map[string]any)["code"].(string)
}

func TestAmazonLWA(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	assert.True(t, strings.HasPrefix(e.token, "Atza|"))
	good := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Atzr|sandbox-refresh-token"},
		"client_id": {"amzn1.application-oa2-client.sandbox"}, "client_secret": {"sandbox-secret"}}
	with := func(k, v string) url.Values {
		f := url.Values{}
		for kk, vv := range good {
			f[kk] = vv
		}
		f.Set(k, v)
		return f
	}
	for _, tc := range []struct {
		name   string
		form   url.Values
		status int
		code   string
	}{
		{"good", good, 200, ""},
		{"wrong secret", with("client_secret", "nope"), 401, "invalid_client"},
		{"wrong client", with("client_id", "nope"), 401, "invalid_client"},
		{"wrong refresh token", with("refresh_token", "Atzr|nope"), 400, "invalid_grant"},
		{"other grant", with("grant_type", "client_credentials"), 400, "unsupported_grant_type"},
		{"missing refresh token", with("refresh_token", ""), 400, "invalid_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, out := e.lwa(t, tc.form)
			assert.Equal(t, tc.status, status)
			if tc.code == "" {
				assert.EqualValues(t, 3600, out["expires_in"])
				assert.Equal(t, "bearer", out["token_type"])
				assert.NotEqual(t, e.token, out["access_token"], "every grant gives a new token")
			} else {
				assert.Equal(t, tc.code, out["error"])
				assert.NotEmpty(t, out["error_description"])
			}
		})
	}
}

func TestAmazonAccessToken(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{TokenTTL: 10 * time.Minute}})
	get := itemPath("NOPE", "")
	status, _, _ := e.do(t, http.MethodGet, get, nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "a valid token reaches the operation")

	details := func(out map[string]any) string {
		return out["errors"].([]any)[0].(map[string]any)["details"].(string)
	}
	status, _, out := e.do(t, http.MethodGet, get, nil, func(r *http.Request) { r.Header.Del("x-amz-access-token") })
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "Unauthorized", errorCode(out))
	status, _, out = e.do(t, http.MethodGet, get, nil, func(r *http.Request) { r.Header.Set("x-amz-access-token", "Atza|forged") })
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, details(out), "revoked, malformed or invalid")
	status, _, _ = e.do(t, http.MethodGet, "/listings/2021-08-01/items/OTHERSELLER/NOPE?marketplaceIds="+azMarket, nil, nil)
	assert.Equal(t, http.StatusForbidden, status, "the token is the seller's own")

	e.sb.Advance(10*time.Minute - time.Second)
	status, _, _ = e.do(t, http.MethodGet, get, nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "still valid a second before expiry")
	e.sb.Advance(time.Second)
	status, _, out = e.do(t, http.MethodGet, get, nil, nil)
	assert.Equal(t, http.StatusForbidden, status)
	assert.Equal(t, "Access to requested resource is denied.", out["errors"].([]any)[0].(map[string]any)["message"])
	assert.Equal(t, "The access token you provided has expired.", details(out))

	fresh := newAzEnv(t, sandbox.Options{})
	require.NoError(t, fresh.sb.SetRevoked("amazon", true))
	status, _, _ = fresh.do(t, http.MethodGet, get, nil, nil)
	assert.Equal(t, http.StatusForbidden, status, "revoking drops issued tokens")
	code, lwa := fresh.lwa(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Atzr|sandbox-refresh-token"},
		"client_id": {"amzn1.application-oa2-client.sandbox"}, "client_secret": {"sandbox-secret"}})
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, "invalid_grant", lwa["error"])
	require.NoError(t, fresh.sb.SetRevoked("amazon", false))
	assert.NotNil(t, newAzEnv(t, sandbox.Options{}).token)
}

func TestAmazonTokenBuckets(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	patch := map[string]any{"productType": "HOME", "patches": []any{map[string]any{"op": "merge", "path": "/attributes/fulfillment_availability",
		"value": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": 1}}}}}
	for i := range 5 {
		status, h, _ := e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
		require.Equal(t, http.StatusOK, status, "request %d is within the burst of 5", i+1)
		assert.Equal(t, "5", h.Get("x-amzn-RateLimit-Limit"))
	}
	status, h, out := e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "QuotaExceeded", errorCode(out))
	assert.Equal(t, "5", h.Get("x-amzn-RateLimit-Limit"))
	status, _, _ = e.do(t, http.MethodGet, itemPath("SKU-1", ""), nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "each operation has its own bucket")
	e.sb.Advance(200 * time.Millisecond)
	status, _, _ = e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
	assert.Equal(t, http.StatusOK, status, "one token back after 1/rate seconds")
	status, _, _ = e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)

	// searchOrders' real plan: burst 20, then one request every ~3 minutes.
	orders := "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-01T00:00:00Z"
	for range 20 {
		status, _, _ = e.do(t, http.MethodGet, orders, nil, nil)
		require.Equal(t, http.StatusOK, status)
	}
	status, h, _ = e.do(t, http.MethodGet, orders, nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "0.0056", h.Get("x-amzn-RateLimit-Limit"))
	e.sb.Advance(179 * time.Second)
	status, _, _ = e.do(t, http.MethodGet, orders, nil, nil)
	assert.Equal(t, http.StatusOK, status)
}

func TestAmazonModelValidation(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	good := azListing("Stox seramik kupa", e.img)
	noType := azListing("Stox seramik kupa", e.img)
	delete(noType, "productType")
	for _, tc := range []struct {
		name, method, target string
		body                 any
	}{
		{"put without productType", http.MethodPut, itemPath("SKU-1", ""), noType},
		{"put without marketplaceIds", http.MethodPut, "/listings/2021-08-01/items/" + azSeller + "/SKU-1", good},
		{"put with unknown requirements", http.MethodPut, itemPath("SKU-1", ""), map[string]any{"productType": "HOME", "requirements": "ALL", "attributes": map[string]any{}}},
		{"patch with an unknown op", http.MethodPatch, itemPath("SKU-1", ""), map[string]any{"productType": "HOME", "patches": []any{map[string]any{"op": "move", "path": "/attributes/x"}}}},
		{"get with unknown includedData", http.MethodGet, itemPath("SKU-1", "&includedData=everything"), nil},
		{"orders with a bad date", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=yesterday", nil},
		{"orders with a non-numeric page size", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-01T00:00:00Z&maxResultsPerPage=abc", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, spmodel.ValidateRequest(reqFor(t, tc.method, tc.target, tc.body)), "the model itself rejects it")
			status, _, out := e.do(t, tc.method, tc.target, tc.body, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "InvalidInput", errorCode(out))
		})
	}
	// Business rules the model leaves to Amazon.
	status, _, out := e.do(t, http.MethodGet, "/orders/2026-01-01/orders?createdAfter=2026-11-01T00:00:00Z&lastUpdatedAfter=2026-11-01T00:00:00Z", nil, nil)
	assert.Equal(t, http.StatusBadRequest, status, "exactly one of createdAfter and lastUpdatedAfter: %v", out)
	status, _, _ = e.do(t, http.MethodGet, "/orders/2026-01-01/orders", nil, nil)
	assert.Equal(t, http.StatusBadRequest, status)
}

func reqFor(t *testing.T, method, target string, body any) (*http.Request, []byte) {
	var raw []byte
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		raw = b
	}
	r := httptest.NewRequest(method, target, bytes.NewReader(raw))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	return r, raw
}

func TestAmazonListingLifecycle(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	status, _, out := e.do(t, http.MethodPut, itemPath("SKU-1", "&includedData=issues"), azListing("Stox seramik kupa", e.img), nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ACCEPTED", out["status"], "%v", out)
	assert.NotEmpty(t, out["submissionId"])

	status, _, _ = e.do(t, http.MethodGet, itemPath("SKU-1", "&includedData=summaries,issues"), nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "not processed yet")
	assert.NotContains(t, e.sb.Listings("amazon"), "SKU-1")
	e.sb.Advance(2 * time.Second)
	status, _, out = e.do(t, http.MethodGet, itemPath("SKU-1", "&includedData=summaries,issues,fulfillmentAvailability"), nil, nil)
	require.Equal(t, http.StatusOK, status)
	s := out["summaries"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"BUYABLE", "DISCOVERABLE"}, s["status"])
	assert.Equal(t, "HOME", s["productType"])
	assert.Equal(t, "Stox seramik kupa", s["itemName"])
	assert.Empty(t, out["issues"])
	assert.Equal(t, []any{map[string]any{"fulfillmentChannelCode": "DEFAULT", "quantity": float64(10)}}, out["fulfillmentAvailability"])
	assert.Equal(t, 10, e.sb.Listings("amazon")["SKU-1"])

	patch := map[string]any{"productType": "HOME", "patches": []any{
		map[string]any{"op": "merge", "path": "/attributes/fulfillment_availability", "value": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": 3}}},
		map[string]any{"op": "replace", "path": "/attributes/purchasable_offer", "value": []any{map[string]any{"marketplace_id": azMarket, "currency": "TRY", "audience": "ALL",
			"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": 0}}}}}}},
	}}
	status, _, out = e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "INVALID", out["status"], "a zero price is refused")
	assert.Equal(t, 10, e.sb.Listings("amazon")["SKU-1"], "an INVALID patch changes nothing")
	patch["patches"] = patch["patches"].([]any)[:1]
	_, _, out = e.do(t, http.MethodPatch, itemPath("SKU-1", ""), patch, nil)
	assert.Equal(t, "ACCEPTED", out["status"], "%v", out)
	assert.Equal(t, 3, e.sb.Listings("amazon")["SKU-1"])
	_, _, out = e.do(t, http.MethodPatch, itemPath("OTHER", ""), patch, nil)
	assert.Equal(t, "INVALID", out["status"], "nothing to patch")
}

func TestAmazonListingIssues(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	// The marketplace contract's bad listing: a 300-character title and an http image.
	bad := azListing(strings.Repeat("x", 300), "http://insecure.example.com/1.jpg")
	status, _, out := e.do(t, http.MethodPut, itemPath("BAD", ""), bad, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "INVALID", out["status"])
	issues := out["issues"].([]any)
	require.Len(t, issues, 2, "%v", issues)
	var attrs []any
	for _, is := range issues {
		m := is.(map[string]any)
		assert.Equal(t, "ERROR", m["severity"])
		attrs = append(attrs, m["attributeNames"].([]any)...)
	}
	assert.ElementsMatch(t, []any{"item_name", "main_product_image_locator"}, attrs)
	status, _, _ = e.do(t, http.MethodGet, itemPath("BAD", ""), nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "an INVALID put stores nothing")

	// The model's static sandbox example: VALIDATION_PREVIEW without condition_type.
	preview := azListing("Stox kupa", e.img)
	delete(preview["attributes"].(map[string]any), "condition_type")
	_, _, out = e.do(t, http.MethodPut, itemPath("VALIDATION_INVALID", "&mode=VALIDATION_PREVIEW&includedData=issues"), preview, nil)
	assert.Equal(t, "INVALID", out["status"])
	is := out["issues"].([]any)[0].(map[string]any)
	assert.Equal(t, "90220", is["code"])
	assert.Equal(t, "'condition_type' is required but not supplied.", is["message"])
	assert.Equal(t, []any{"MISSING_ATTRIBUTE"}, is["categories"])
	_, _, out = e.do(t, http.MethodPut, itemPath("VALIDATION_VALID", "&mode=VALIDATION_PREVIEW"), azListing("Stox kupa", e.img), nil)
	assert.Equal(t, "VALID", out["status"])
	e.sb.Advance(time.Minute)
	assert.NotContains(t, e.sb.Listings("amazon"), "VALIDATION_VALID", "a preview stores nothing")
}

func TestValidateAmazonAttributes(t *testing.T) {
	base := func() map[string]any {
		return azListing("Stox seramik kupa", "https://img.example.com/1.jpg")["attributes"].(map[string]any)
	}
	set := func(k string, v any) map[string]any {
		a := base()
		if v == nil {
			delete(a, k)
		} else {
			a[k] = v
		}
		return a
	}
	val := func(s any) []any { return []any{map[string]any{"value": s}} }
	offerIn := func(market, cur string, price float64) []any {
		return []any{map[string]any{"marketplace_id": market, "currency": cur,
			"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": price}}}}}}
	}
	offer := func(cur string, price float64) []any { return offerIn(azMarket, cur, price) }
	availability := func(code string, quantity float64) []any {
		return []any{map[string]any{"fulfillment_channel_code": code, "quantity": quantity}}
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]any
		want  []string // attribute names with issues
	}{
		{"valid", base(), nil},
		{"missing brand", set("brand", nil), []string{"brand"}},
		{"missing image", set("main_product_image_locator", nil), []string{"main_product_image_locator"}},
		{"long title", set("item_name", val(strings.Repeat("a", 201))), []string{"item_name"}},
		{"title of 200", set("item_name", val(strings.Repeat("a", 200))), nil},
		{"banned character", set("item_name", val("Kupa!")), []string{"item_name"}},
		{"bad condition", set("condition_type", val("mint")), []string{"condition_type"}},
		{"unknown tax code", set("product_tax_code", val("TR_VAT_18")), []string{"product_tax_code"}},
		{"known tax code", set("product_tax_code", val("A_GEN_STANDARD")), nil},
		{"bad EAN check digit", set("externally_assigned_product_identifier", []any{map[string]any{"type": "ean", "value": "8690000000019"}}), []string{"externally_assigned_product_identifier"}},
		{"good EAN", set("externally_assigned_product_identifier", []any{map[string]any{"type": "ean", "value": "8690000000012"}}), nil},
		{"no identifier", set("supplier_declared_has_product_identifier_exemption", nil), []string{"externally_assigned_product_identifier"}},
		{"euro in Turkey", set("purchasable_offer", offer("EUR", 10)), []string{"purchasable_offer"}},
		{"zero price", set("purchasable_offer", offer("TRY", 0)), []string{"purchasable_offer"}},
		{"list price below", set("list_price", []any{map[string]any{"value_with_tax": 50.0}}), []string{"list_price"}},
		{"ninth other image", set("other_product_image_locator_9", []any{map[string]any{"media_location": "https://x/9.jpg"}}), []string{"other_product_image_locator_9"}},
		{"negative quantity", set("fulfillment_availability", []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": -1.0}}), []string{"fulfillment_availability"}},
		{"fractional quantity", set("fulfillment_availability", availability("DEFAULT", 1.5)), []string{"fulfillment_availability"}},
		{"no channel", set("fulfillment_availability", availability("", 1)), []string{"fulfillment_availability"}},
		{"another channel without a quantity", set("fulfillment_availability", []any{map[string]any{"fulfillment_channel_code": "AMAZON_EU"}}), nil},
		{"offer for another store", set("purchasable_offer", offerIn("A1PA6795UKMFR9", "TRY", 100)), []string{"purchasable_offer"}},
		{"image without a location", set("main_product_image_locator", []any{map[string]any{"media_location": ""}}), []string{"main_product_image_locator"}},
		{"not an array", set("brand", "Stox"), []string{"brand", "brand"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(tc.attrs)
			require.NoError(t, err)
			var attrs map[string]any
			require.NoError(t, json.Unmarshal(raw, &attrs))
			var got []string
			for _, is := range sandbox.ValidateAmazonAttributes("LISTING", azMarket, attrs) {
				got = append(got, is.AttributeNames...)
			}
			assert.ElementsMatch(t, tc.want, got)
		})
	}
}

// TestValidateAmazonAttributesRequirements checks which attributes each requirements
// set asks for, and the category a missing one is reported under.
func TestValidateAmazonAttributesRequirements(t *testing.T) {
	for _, tc := range []struct {
		requirements string
		want         map[string]string // missing attribute → its issue's category
	}{
		{"LISTING", map[string]string{"item_name": "MISSING_ATTRIBUTE", "brand": "MISSING_ATTRIBUTE",
			"condition_type": "MISSING_ATTRIBUTE", "main_product_image_locator": "MISSING_IMAGE",
			"purchasable_offer": "MISSING_PRICE", "fulfillment_availability": "MISSING_ATTRIBUTE",
			"externally_assigned_product_identifier": "MISSING_ATTRIBUTE"}},
		{"LISTING_PRODUCT_ONLY", map[string]string{"item_name": "MISSING_ATTRIBUTE", "brand": "MISSING_ATTRIBUTE",
			"main_product_image_locator": "MISSING_IMAGE"}},
		{"LISTING_OFFER_ONLY", map[string]string{"condition_type": "MISSING_ATTRIBUTE", "purchasable_offer": "MISSING_PRICE",
			"fulfillment_availability": "MISSING_ATTRIBUTE", "externally_assigned_product_identifier": "MISSING_ATTRIBUTE"}},
	} {
		t.Run(tc.requirements, func(t *testing.T) {
			got := map[string]string{}
			for _, is := range sandbox.ValidateAmazonAttributes(tc.requirements, azMarket, map[string]any{}) {
				require.Len(t, is.AttributeNames, 1)
				require.Len(t, is.Categories, 1)
				assert.Equal(t, "90220", is.Code)
				got[is.AttributeNames[0]] = is.Categories[0]
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAmazonOrders(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{Orders: sandbox.AmazonRate{Rate: 100, Burst: 100}}})
	_, _, out := e.do(t, http.MethodPut, itemPath("SKU-1", ""), azListing("Stox kupa", e.img), nil)
	require.Equal(t, "ACCEPTED", out["status"])
	_, err := e.sb.PlaceOrder("amazon", "SKU-1", 1)
	assert.ErrorIs(t, err, sandbox.ErrNotListed, "not processed yet")
	e.sb.Advance(2 * time.Second)
	var ids []string
	for q := range 3 {
		id, err := e.sb.PlaceOrder("amazon", "SKU-1", q+1)
		require.NoError(t, err)
		ids = append(ids, id)
		e.sb.Advance(time.Second)
	}
	_, err = e.sb.PlaceOrder("amazon", "SKU-1", 5)
	assert.ErrorIs(t, err, sandbox.ErrNoStock, "10 - 6 left")
	require.NoError(t, e.sb.CancelOrder("amazon", ids[0]))
	assert.ErrorIs(t, e.sb.CancelOrder("amazon", ids[0]), sandbox.ErrAlreadyCancelled)
	assert.Equal(t, 5, e.sb.Listings("amazon")["SKU-1"])

	target := "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&marketplaceIds=" + azMarket + "&maxResultsPerPage=2&includedData=FULFILLMENT"
	status, _, page1 := e.do(t, http.MethodGet, target, nil, nil)
	require.Equal(t, http.StatusOK, status, "%v", page1)
	orders := page1["orders"].([]any)
	require.Len(t, orders, 2)
	token := page1["pagination"].(map[string]any)["nextToken"].(string)
	_, _, page2 := e.do(t, http.MethodGet, target+"&paginationToken="+url.QueryEscape(token), nil, nil)
	orders = append(orders, page2["orders"].([]any)...)
	require.Len(t, orders, 3)
	assert.Nil(t, page2["pagination"])
	var got []string
	for _, o := range orders {
		m := o.(map[string]any)
		got = append(got, m["orderId"].(string)+" "+m["fulfillment"].(map[string]any)["fulfillmentStatus"].(string))
		item := m["orderItems"].([]any)[0].(map[string]any)
		assert.Equal(t, "SKU-1", item["product"].(map[string]any)["sellerSku"])
	}
	// Oldest update first: the cancellation made the first order the newest.
	assert.Equal(t, []string{ids[1] + " UNSHIPPED", ids[2] + " UNSHIPPED", ids[0] + " CANCELLED"}, got)

	_, _, out = e.do(t, http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:04Z&fulfillmentStatuses=CANCELLED", nil, nil)
	require.Len(t, out["orders"].([]any), 1)
	_, _, out = e.do(t, http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&marketplaceIds=ATVPDKIKX0DER", nil, nil)
	assert.Empty(t, out["orders"], "other marketplaces have none")

	status, _, out = e.do(t, http.MethodGet, "/orders/2026-01-01/orders/"+ids[1]+"?includedData=FULFILLMENT", nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, ids[1], out["order"].(map[string]any)["orderId"])

	e.sb.Advance(25 * time.Hour)
	_, lwa := e.lwa(t, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"Atzr|sandbox-refresh-token"},
		"client_id": {"amzn1.application-oa2-client.sandbox"}, "client_secret": {"sandbox-secret"}})
	e.token = lwa["access_token"].(string)
	status, _, out = e.do(t, http.MethodGet, target+"&paginationToken="+url.QueryEscape(token), nil, nil)
	assert.Equal(t, http.StatusBadRequest, status, "pagination tokens expire after 24 hours: %v", out)
}

// TestAmazonSearchOrdersQuery checks searchOrders' refusals of a query that names no
// page it can serve; the sandbox's clock is at 12:00.
func TestAmazonSearchOrdersQuery(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{Orders: sandbox.AmazonRate{Rate: 100, Burst: 100}}})
	tests := []struct {
		name, query, details string
	}{
		{"page size over 100", "createdAfter=2026-11-25T10:00:00Z&maxResultsPerPage=101", "maxResultsPerPage"},
		{"no after date", "createdBefore=2026-11-25T11:00:00Z", "exactly one of createdAfter and lastUpdatedAfter is required"},
		{"both after dates", "createdAfter=2026-11-25T10:00:00Z&lastUpdatedAfter=2026-11-25T10:00:00Z", "exactly one of createdAfter and lastUpdatedAfter is required"},
		{"mixed dates", "createdAfter=2026-11-25T10:00:00Z&lastUpdatedBefore=2026-11-25T11:00:00Z", "cannot be mixed"},
		{"before earlier than after", "createdAfter=2026-11-25T10:00:00Z&createdBefore=2026-11-25T09:00:00Z", "at least two minutes before the time of the request"},
		{"before too recent", "lastUpdatedAfter=2026-11-25T10:00:00Z&lastUpdatedBefore=2026-11-25T11:59:00Z", "at least two minutes before the time of the request"},
		{"token not ours", "paginationToken=bm90LWpzb24", "paginationToken is not valid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, _, out := e.do(t, http.MethodGet, "/orders/2026-01-01/orders?marketplaceIds="+azMarket+"&"+tt.query, nil, nil)
			require.Equal(t, http.StatusBadRequest, status, "%v", out)
			errs := out["errors"].([]any)
			require.Len(t, errs, 1)
			assert.Contains(t, errs[0].(map[string]any)["details"], tt.details)
		})
	}
	status, _, out := e.do(t, http.MethodGet, "/orders/2026-01-01/orders?marketplaceIds="+azMarket+
		"&createdAfter=2026-11-25T10:00:00Z&createdBefore=2026-11-25T11:58:00Z", nil, nil)
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.Equal(t, "2026-11-25T11:58:00Z", out["createdBefore"], "the window ends at the before date")
}

func TestAmazonServerErrorShape(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	faulty := &azEnv{sb: sandbox.New(sandbox.Options{Faults: sandbox.Faults{ErrorRate: 1}}), token: e.token}
	status, _, out := faulty.do(t, http.MethodGet, itemPath("SKU-1", ""), nil, nil)
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.Equal(t, "InternalFailure", errorCode(out))
	storm := &azEnv{sb: sandbox.New(sandbox.Options{Faults: sandbox.Faults{StormEvery: time.Hour, StormLength: time.Hour}}), token: e.token}
	status, h, out := storm.do(t, http.MethodGet, itemPath("SKU-1", ""), nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "QuotaExceeded", errorCode(out))
	assert.Equal(t, "5", h.Get("x-amzn-RateLimit-Limit"))
}

func TestAmazonDefinitionsSearch(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	search := "/definitions/2020-09-01/productTypes?marketplaceIds=" + azMarket
	names := func(out map[string]any) map[string]string {
		got := map[string]string{}
		for _, p := range out["productTypes"].([]any) {
			m := p.(map[string]any)
			assert.Equal(t, []any{azMarket}, m["marketplaceIds"])
			got[m["name"].(string)] = m["displayName"].(string)
		}
		return got
	}
	for _, tc := range []struct {
		name, query string
		want        map[string]string // some of the product types and display names answered
		count       int               // how many, when known
	}{
		{"all in Turkish", "", map[string]string{"SHOES": "Ayakkabı", "DRESS": "Elbise", "CELLULAR_PHONE_CASE": "Telefon Kılıfı", "HOME": "Ev ve Yaşam"}, 37},
		{"all in English", "&locale=en_US", map[string]string{"SHOES": "Shoes", "BED_LINEN_SET": "Bed Linen Set"}, 37},
		{"keyword in Turkish, folded", "&keywords=ayakkabi", map[string]string{"SHOES": "Ayakkabı"}, 1},
		{"keyword as the name", "&keywords=BABY_BOTTLE", map[string]string{"BABY_BOTTLE": "Biberon"}, 1},
		{"several keywords", "&keywords=Kulakl%C4%B1k,Matara", map[string]string{"HEADPHONES": "Kulaklık", "WATER_BOTTLE": "Matara ve Su Şişesi"}, 2},
		{"recommendation from an item name", "&itemName=Nike+Air+Erkek+Spor+Ayakkab%C4%B1", map[string]string{"SHOES": "Ayakkabı"}, 1},
		{"nothing matches", "&keywords=uzay+gemisi", map[string]string{}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, h, out := e.do(t, http.MethodGet, search+tc.query, nil, nil)
			require.Equal(t, http.StatusOK, status, "%v", out)
			assert.Equal(t, "5", h.Get("x-amzn-RateLimit-Limit"))
			assert.NotEmpty(t, out["productTypeVersion"])
			got := names(out)
			assert.Len(t, got, tc.count, "%v", got)
			for name, display := range tc.want {
				assert.Equal(t, display, got[name], name)
			}
		})
	}
	for _, tc := range []struct{ name, target string }{
		{"keywords with itemName", search + "&keywords=SHOES&itemName=Ayakkab%C4%B1"},
		{"another marketplace", "/definitions/2020-09-01/productTypes?marketplaceIds=ATVPDKIKX0DER"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, out := e.do(t, http.MethodGet, tc.target, nil, nil)
			assert.Equal(t, http.StatusBadRequest, status)
			assert.Equal(t, "InvalidInput", errorCode(out))
		})
	}
	status, _, out := e.do(t, http.MethodGet, "/definitions/2020-09-01/productTypes", nil, nil)
	assert.Equal(t, http.StatusBadRequest, status, "marketplaceIds is required by the model: %v", out)
}

// azDefinition gets a product type's definition and the schema its link points at,
// fetched without any SP-API header, as Amazon's pre-signed links are.
func (e *azEnv) azDefinition(t *testing.T, productType, query string) (map[string]any, []byte) {
	t.Helper()
	status, _, def := e.do(t, http.MethodGet, "/definitions/2020-09-01/productTypes/"+productType+"?marketplaceIds="+azMarket+query, nil, nil)
	require.Equal(t, http.StatusOK, status, "%v", def)
	link := def["schema"].(map[string]any)["link"].(map[string]any)
	assert.Equal(t, "GET", link["verb"])
	u, err := url.Parse(link["resource"].(string))
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, u.RequestURI(), nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	sum := md5.Sum(rec.Body.Bytes())
	assert.Equal(t, base64.StdEncoding.EncodeToString(sum[:]), def["schema"].(map[string]any)["checksum"], "the checksum is the schema's Base64 MD5")
	return def, rec.Body.Bytes()
}

func TestAmazonDefinitionsEveryProductType(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{DefinitionsGet: sandbox.AmazonRate{Rate: 100, Burst: 100}}})
	_, _, out := e.do(t, http.MethodGet, "/definitions/2020-09-01/productTypes?marketplaceIds="+azMarket, nil, nil)
	types := out["productTypes"].([]any)
	require.Len(t, types, 37)
	for _, p := range types {
		name := p.(map[string]any)["name"].(string)
		t.Run(name, func(t *testing.T) {
			def, raw := e.azDefinition(t, name, "&requirements=LISTING&locale=tr_TR")
			assert.Equal(t, name, def["productType"])
			assert.Equal(t, p.(map[string]any)["displayName"], def["displayName"])
			assert.Equal(t, "tr_TR", def["locale"])
			assert.Equal(t, "ENFORCED", def["requirementsEnforced"])
			var schema struct {
				Schema     string                    `json:"$schema"`
				Required   []string                  `json:"required"`
				Properties map[string]map[string]any `json:"properties"`
			}
			require.NoError(t, json.Unmarshal(raw, &schema))
			assert.Equal(t, spmodel.MetaSchemaURL, schema.Schema)
			_, err := spmodel.CompileProductType(raw)
			require.NoError(t, err, "the schema compiles as draft 2019-09")
			for _, r := range []string{"item_name", "brand", "condition_type", "main_product_image_locator", "purchasable_offer", "fulfillment_availability"} {
				assert.Contains(t, schema.Required, r)
			}
			for name, prop := range schema.Properties {
				assert.NotEmpty(t, prop["title"], "%s has a title", name)
				assert.Equal(t, "array", prop["type"], "%s is an array of values", name)
			}
			if name == "HOME" || name == "PRODUCT" {
				assert.Len(t, schema.Required, 6, "generic types ask only for what every listing needs")
				return
			}
			assert.Contains(t, schema.Required, "country_of_origin")
			assert.Contains(t, schema.Required, "bullet_point")
			groups := def["propertyGroups"].(map[string]any)
			assert.Contains(t, groups, "offer")
			assert.Contains(t, groups["safety_and_compliance"].(map[string]any)["propertyNames"], "country_of_origin")
		})
	}
}

func TestAmazonDefinitionsVariants(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	required := func(raw []byte) ([]string, map[string]any) {
		var s struct {
			Required   []string       `json:"required"`
			Properties map[string]any `json:"properties"`
		}
		require.NoError(t, json.Unmarshal(raw, &s))
		return s.Required, s.Properties
	}
	t.Run("LISTING asks for the offer and the product's facts", func(t *testing.T) {
		def, raw := e.azDefinition(t, "SHOES", "")
		assert.Equal(t, "LISTING", def["requirements"], "the default")
		req, props := required(raw)
		assert.Subset(t, req, []string{"color", "department", "footwear_size", "country_of_origin", "purchasable_offer"})
		assert.NotContains(t, req, "material", "optional")
		assert.Contains(t, props, "material")
		assert.Contains(t, props, "other_product_image_locator_8")
	})
	t.Run("LISTING_PRODUCT_ONLY has no offer", func(t *testing.T) {
		_, raw := e.azDefinition(t, "SHOES", "&requirements=LISTING_PRODUCT_ONLY")
		req, props := required(raw)
		assert.Contains(t, req, "footwear_size")
		assert.NotContains(t, props, "purchasable_offer")
		assert.NotContains(t, req, "condition_type")
	})
	t.Run("LISTING_OFFER_ONLY has no product facts", func(t *testing.T) {
		_, raw := e.azDefinition(t, "SHOES", "&requirements=LISTING_OFFER_ONLY")
		req, props := required(raw)
		assert.ElementsMatch(t, []string{"condition_type", "fulfillment_availability", "purchasable_offer"}, req)
		assert.NotContains(t, props, "footwear_size")
		assert.Contains(t, props, "externally_assigned_product_identifier")
	})
	t.Run("NOT_ENFORCED requires nothing", func(t *testing.T) {
		def, raw := e.azDefinition(t, "SHOES", "&requirementsEnforced=NOT_ENFORCED")
		assert.Equal(t, "NOT_ENFORCED", def["requirementsEnforced"])
		req, _ := required(raw)
		assert.Empty(t, req)
	})
	t.Run("English display name", func(t *testing.T) {
		def, _ := e.azDefinition(t, "BED_LINEN_SET", "&locale=en_GB")
		assert.Equal(t, "Bed Linen Set", def["displayName"])
		assert.Equal(t, "en_GB", def["locale"])
	})
	t.Run("a version that is not the latest is not found", func(t *testing.T) {
		def, _ := e.azDefinition(t, "SHOES", "")
		version := def["productTypeVersion"].(map[string]any)
		assert.Equal(t, true, version["latest"])
		again, _ := e.azDefinition(t, "SHOES", "&productTypeVersion="+url.QueryEscape(version["version"].(string)))
		assert.Equal(t, def["schema"], again["schema"])
		status, _, _ := e.do(t, http.MethodGet, "/definitions/2020-09-01/productTypes/SHOES?marketplaceIds="+azMarket+"&productTypeVersion=UOLD", nil, nil)
		assert.Equal(t, http.StatusNotFound, status)
	})
	t.Run("unknown product type", func(t *testing.T) {
		status, _, out := e.do(t, http.MethodGet, "/definitions/2020-09-01/productTypes/SPACESHIP?marketplaceIds="+azMarket, nil, nil)
		assert.Equal(t, http.StatusNotFound, status)
		assert.Equal(t, "NOT_FOUND", errorCode(out))
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/selling-partner-definitions/schema/SPACESHIP/LISTING/ENFORCED", nil))
		assert.Equal(t, http.StatusNotFound, rec.Code)
	})
	t.Run("token and rate limit as every SP-API operation", func(t *testing.T) {
		get := "/definitions/2020-09-01/productTypes/SHOES?marketplaceIds=" + azMarket
		status, _, _ := e.do(t, http.MethodGet, get, nil, func(r *http.Request) { r.Header.Del("x-amz-access-token") })
		assert.Equal(t, http.StatusForbidden, status)
		fresh := newAzEnv(t, sandbox.Options{})
		for i := range 10 {
			status, _, _ := fresh.do(t, http.MethodGet, get, nil, nil)
			require.Equal(t, http.StatusOK, status, "request %d is within the burst of 10", i+1)
		}
		status, h, out := fresh.do(t, http.MethodGet, get, nil, nil)
		assert.Equal(t, http.StatusTooManyRequests, status)
		assert.Equal(t, "QuotaExceeded", errorCode(out))
		assert.Equal(t, "5", h.Get("x-amzn-RateLimit-Limit"))
	})
}

// azShoes is a SHOES listing the imitation accepts.
func azShoes(image string) map[string]any {
	l := azListing("Stox Erkek Spor Ayakkabı", image)
	l["productType"] = "SHOES"
	a := l["attributes"].(map[string]any)
	text := func(s string) []any {
		return []any{map[string]any{"value": s, "language_tag": "tr_TR", "marketplace_id": azMarket}}
	}
	a["product_description"] = text("Hafif, nefes alan spor ayakkabı.")
	a["bullet_point"] = text("Kauçuk taban")
	a["color"] = text("Lacivert")
	a["department"] = text("Erkek")
	a["footwear_size"] = []any{map[string]any{"size_system": "eu_footwear_size_system", "age_range_description": "adult",
		"size_class": "numeric", "size": "numeric_42", "marketplace_id": azMarket}}
	a["country_of_origin"] = []any{map[string]any{"value": "TR", "marketplace_id": azMarket}}
	return l
}

func TestAmazonProductTypeEnforcement(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{ListingsPut: sandbox.AmazonRate{Rate: 100, Burst: 100}}})
	type issue struct{ code, category, attribute, message string }
	for _, tc := range []struct {
		name   string
		change func(l map[string]any)
		want   []issue // none: ACCEPTED
	}{
		{"valid", func(map[string]any) {}, nil},
		{"a required category attribute missing", func(l map[string]any) { delete(l["attributes"].(map[string]any), "color") },
			[]issue{{"90220", "MISSING_ATTRIBUTE", "color", "'color' is required but not supplied."}}},
		{"bullet points missing", func(l map[string]any) { delete(l["attributes"].(map[string]any), "bullet_point") },
			[]issue{{"90220", "MISSING_ATTRIBUTE", "bullet_point", "'bullet_point' is required but not supplied."}}},
		{"a value outside the enum", func(l map[string]any) {
			l["attributes"].(map[string]any)["department"].([]any)[0].(map[string]any)["value"] = "Çocuk"
		}, []issue{{"INVALID_VALUE", "INVALID_ATTRIBUTE", "department", `'department' value "Çocuk" is not allowed: must be one of Kadın, Erkek, Unisex, Kız Çocuk, Erkek Çocuk, Bebek.`}}},
		{"a size outside the enum", func(l map[string]any) {
			l["attributes"].(map[string]any)["footwear_size"].([]any)[0].(map[string]any)["size"] = "numeric_50"
		}, []issue{{"INVALID_VALUE", "INVALID_ATTRIBUTE", "footwear_size", ""}}},
		{"a colour of the seller's own is taken", func(l map[string]any) {
			l["attributes"].(map[string]any)["color"].([]any)[0].(map[string]any)["value"] = "Gece Mavisi"
		}, nil},
		{"a field the item does not have", func(l map[string]any) {
			l["attributes"].(map[string]any)["country_of_origin"].([]any)[0].(map[string]any)["language_tag"] = "tr_TR"
		}, []issue{{"INVALID_VALUE", "INVALID_ATTRIBUTE", "country_of_origin", ""}}},
		{"an unknown product type", func(l map[string]any) { l["productType"] = "SPACESHIP" },
			[]issue{{"INVALID_PRODUCT_TYPE", "INVALID_ATTRIBUTE", "", "Product type 'SPACESHIP' is not available in marketplace A33AVAJ2PDY3EV."}}},
		{"an image too small", func(l map[string]any) {
			l["attributes"].(map[string]any)["main_product_image_locator"] = []any{map[string]any{"media_location": e.image(400, 900)}}
		}, []issue{{"INVALID_IMAGE_URL", "INVALID_IMAGE", "main_product_image_locator", ""}}},
		{"an image that is not one", func(l map[string]any) {
			l["attributes"].(map[string]any)["other_product_image_locator_1"] = []any{map[string]any{"media_location": e.images.URL + "/text"}}
		}, []issue{{"INVALID_IMAGE_URL", "INVALID_IMAGE", "other_product_image_locator_1", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := azShoes(e.img)
			tc.change(l)
			status, _, out := e.do(t, http.MethodPut, itemPath("SHOE-1", "&mode=VALIDATION_PREVIEW"), l, nil)
			require.Equal(t, http.StatusOK, status, "%v", out)
			var got []issue
			for _, is := range out["issues"].([]any) {
				m := is.(map[string]any)
				assert.Equal(t, "ERROR", m["severity"])
				g := issue{code: m["code"].(string), category: m["categories"].([]any)[0].(string), message: m["message"].(string)}
				if names, _ := m["attributeNames"].([]any); len(names) > 0 {
					g.attribute = names[0].(string)
				}
				got = append(got, g)
			}
			if tc.want == nil {
				assert.Equal(t, "VALID", out["status"], "%v", got)
				return
			}
			assert.Equal(t, "INVALID", out["status"])
			require.Len(t, got, len(tc.want), "%v", got)
			for i, w := range tc.want {
				assert.Equal(t, w.code, got[i].code)
				assert.Equal(t, w.category, got[i].category)
				assert.Equal(t, w.attribute, got[i].attribute)
				if w.message != "" {
					assert.Equal(t, w.message, got[i].message)
				}
			}
		})
	}
	t.Run("image reasons say what is wrong", func(t *testing.T) {
		l := azShoes(e.image(400, 900))
		_, _, out := e.do(t, http.MethodPut, itemPath("SHOE-2", ""), l, nil)
		require.Equal(t, "INVALID", out["status"])
		msg := out["issues"].([]any)[0].(map[string]any)["message"].(string)
		assert.Contains(t, msg, "400×900")
		assert.Contains(t, msg, "500")
		status, _, _ := e.do(t, http.MethodGet, itemPath("SHOE-2", ""), nil, nil)
		assert.Equal(t, http.StatusNotFound, status, "an INVALID put stores nothing")
	})
}
