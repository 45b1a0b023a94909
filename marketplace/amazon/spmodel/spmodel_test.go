package spmodel_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

const putPath = "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A33AVAJ2PDY3EV&includedData=issues"

func req(method, target, body string) *http.Request {
	r := httptest.NewRequest(method, "http://127.0.0.1:4000"+target, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r
}

func TestValidateRequest(t *testing.T) {
	for _, tc := range []struct {
		name, method, target, body string
		ok                         bool
	}{
		{"put listing", http.MethodPut, putPath, `{"productType":"HOME","requirements":"LISTING","attributes":{"item_name":[{"value":"x"}]}}`, true},
		{"put without productType", http.MethodPut, putPath, `{"attributes":{}}`, false},
		{"put with unknown requirements", http.MethodPut, putPath, `{"productType":"HOME","requirements":"EVERYTHING","attributes":{}}`, false},
		{"put without marketplaceIds", http.MethodPut, "/listings/2021-08-01/items/A1SELLER/SKU-1", `{"productType":"HOME","attributes":{}}`, false},
		{"put with two marketplaces", http.MethodPut, "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A,B", `{"productType":"HOME","attributes":{}}`, false},
		{"put with unknown includedData", http.MethodPut, "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A&includedData=summaries", `{"productType":"HOME","attributes":{}}`, false},
		{"patch merge", http.MethodPatch, "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A", `{"productType":"HOME","patches":[{"op":"merge","path":"/attributes/fulfillment_availability","value":[{"fulfillment_channel_code":"DEFAULT","quantity":3}]}]}`, true},
		{"patch without patches", http.MethodPatch, "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A", `{"productType":"HOME","patches":[]}`, false},
		{"patch with unknown op", http.MethodPatch, "/listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A", `{"productType":"HOME","patches":[{"op":"move","path":"/attributes/x"}]}`, false},
		{"get item", http.MethodGet, "/listings/2021-08-01/items/A1SELLER/SKU%2F1?marketplaceIds=A&includedData=summaries,issues", "", true},
		{"search orders", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&marketplaceIds=A33AVAJ2PDY3EV&maxResultsPerPage=50&includedData=FULFILLMENT", "", true},
		{"search orders with a bad date", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=yesterday", "", false},
		{"search orders with unknown includedData", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&includedData=EVERYTHING", "", false},
		{"unknown path", http.MethodGet, "/orders/v0/orders", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req(tc.method, tc.target, tc.body)
			err := spmodel.ValidateRequest(r, []byte(tc.body))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestValidateResponse(t *testing.T) {
	put := req(http.MethodPut, putPath, "{}")
	search := req(http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z", "")
	h := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
		body   string
		ok     bool
	}{
		{"accepted", put, 200, `{"sku":"SKU-1","status":"ACCEPTED","submissionId":"s1","issues":[]}`, true},
		{"invalid with issues", put, 200, `{"sku":"SKU-1","status":"INVALID","submissionId":"s1","issues":[{"code":"90220","message":"m","severity":"ERROR","attributeNames":["item_name"],"categories":["MISSING_ATTRIBUTE"]}]}`, true},
		{"unknown status", put, 200, `{"sku":"SKU-1","status":"DONE","submissionId":"s1"}`, false},
		{"no submissionId", put, 200, `{"sku":"SKU-1","status":"ACCEPTED"}`, false},
		{"error list", put, 429, `{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}`, true},
		{"error without message", put, 403, `{"errors":[{"code":"Unauthorized"}]}`, false},
		{"undocumented status", put, 404, `{"errors":[{"code":"NotFound","message":"m"}]}`, false},
		{"orders", search, 200, `{"orders":[{"orderId":"406-1-2","createdTime":"2026-11-25T12:00:00Z","lastUpdatedTime":"2026-11-25T12:00:00Z","salesChannel":{"channelName":"AMAZON"},"orderItems":[{"orderItemId":"1","quantityOrdered":2,"product":{"sellerSku":"S"}}],"fulfillment":{"fulfillmentStatus":"UNSHIPPED"}}]}`, true},
		{"orders with unknown status", search, 200, `{"orders":[{"orderId":"406-1-2","createdTime":"2026-11-25T12:00:00Z","lastUpdatedTime":"2026-11-25T12:00:00Z","salesChannel":{"channelName":"AMAZON"},"orderItems":[],"fulfillment":{"fulfillmentStatus":"Created"}}]}`, false},
		{"orders without items", search, 200, `{"orders":[{"orderId":"406-1-2","createdTime":"2026-11-25T12:00:00Z","lastUpdatedTime":"2026-11-25T12:00:00Z","salesChannel":{"channelName":"AMAZON"}}]}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := spmodel.ValidateResponse(tc.r, tc.status, h, []byte(tc.body))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestOperationID(t *testing.T) {
	m, err := spmodel.Default()
	require.NoError(t, err)
	for target, want := range map[string]string{
		"PUT " + putPath: "putListingsItem",
		"GET /listings/2021-08-01/items/A1SELLER/SKU-1?marketplaceIds=A": "getListingsItem",
		"GET /listings/2021-08-01/items/A1SELLER?marketplaceIds=A":       "searchListingsItems",
		"GET /orders/2026-01-01/orders/406-1-2":                          "getOrder",
	} {
		method, path, _ := strings.Cut(target, " ")
		got, err := m.OperationID(req(method, path, ""))
		require.NoError(t, err, target)
		assert.Equal(t, want, got, target)
	}
	_, err = m.OperationID(req(http.MethodPost, "/listings/2021-08-01/items/A/B", ""))
	assert.ErrorIs(t, err, spmodel.ErrNoOperation)
}

func TestDefinitionsModel(t *testing.T) {
	h := http.Header{"Content-Type": {"application/json"}}
	search := "/definitions/2020-09-01/productTypes?marketplaceIds=A33AVAJ2PDY3EV&locale=tr_TR"
	get := "/definitions/2020-09-01/productTypes/SHOES?marketplaceIds=A33AVAJ2PDY3EV&requirements=LISTING&locale=tr_TR"
	for _, tc := range []struct {
		name, target, body string
		ok                 bool
	}{
		{"search", search, `{"productTypes":[{"name":"SHOES","displayName":"Ayakkabı","marketplaceIds":["A33AVAJ2PDY3EV"]}],"productTypeVersion":"U1"}`, true},
		{"search without version", search, `{"productTypes":[]}`, false},
		{"definition", get, `{"schema":{"link":{"resource":"https://s3/x","verb":"GET"},"checksum":"c"},"requirements":"LISTING","requirementsEnforced":"ENFORCED",
			"propertyGroups":{"offer":{"title":"Teklif","propertyNames":["purchasable_offer"]}},"locale":"tr_TR","marketplaceIds":["A33AVAJ2PDY3EV"],
			"productType":"SHOES","displayName":"Ayakkabı","productTypeVersion":{"version":"U1","latest":true}}`, true},
		{"definition with a POST link", get, `{"schema":{"link":{"resource":"https://s3/x","verb":"POST"},"checksum":"c"},"requirements":"LISTING","requirementsEnforced":"ENFORCED",
			"propertyGroups":{},"locale":"tr_TR","marketplaceIds":["A33AVAJ2PDY3EV"],"productType":"SHOES","displayName":"Ayakkabı","productTypeVersion":{"version":"U1","latest":true}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := req(http.MethodGet, tc.target, "")
			require.NoError(t, spmodel.ValidateRequest(r, nil))
			err := spmodel.ValidateResponse(r, 200, h, []byte(tc.body))
			if tc.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
	for _, target := range []string{
		"/definitions/2020-09-01/productTypes",
		"/definitions/2020-09-01/productTypes/SHOES?marketplaceIds=A&requirements=EVERYTHING",
		"/definitions/2020-09-01/productTypes/SHOES?marketplaceIds=A&locale=klingon",
	} {
		assert.Error(t, spmodel.ValidateRequest(req(http.MethodGet, target, ""), nil), target)
	}
	m, err := spmodel.Default()
	require.NoError(t, err)
	id, err := m.OperationID(req(http.MethodGet, get, ""))
	require.NoError(t, err)
	assert.Equal(t, "getDefinitionsProductType", id)
}

// A product type schema in Amazon's shape: Amazon's meta-schema and keywords, an
// item with a strict enum, one with suggested values, one nested.
const shoesSchema = `{
  "$schema": "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1",
  "$defs": {"marketplace_id": {"type": "string", "editable": false, "hidden": true}},
  "type": "object",
  "required": ["color", "department", "footwear_size"],
  "properties": {
    "color": {"title": "Renk", "type": "array", "maxUniqueItems": 1, "selectors": ["marketplace_id"],
      "items": {"type": "object", "required": ["value"], "additionalProperties": false, "properties": {
        "value": {"type": "string", "anyOf": [{"type": "string"}, {"type": "string", "enum": ["Siyah"], "enumNames": ["Siyah"]}]},
        "marketplace_id": {"$ref": "#/$defs/marketplace_id"}}}},
    "department": {"title": "Departman", "type": "array", "maxItems": 1,
      "items": {"type": "object", "required": ["value"], "properties": {
        "value": {"type": "string", "enum": ["Kadın", "Erkek"], "enumNames": ["Kadın", "Erkek"], "maxUtf8ByteLength": 40}}}},
    "footwear_size": {"title": "Numara", "type": "array",
      "items": {"type": "object", "required": ["size_system", "size"], "properties": {
        "size_system": {"type": "string", "enum": ["eu_footwear_size_system"]},
        "size": {"type": "string", "enum": ["numeric_42", "numeric_43"]}}}},
    "item_volume": {"title": "Hacim", "type": "array",
      "items": {"type": "object", "properties": {"value": {"type": "number", "minimum": 0}}}}
  }
}`

func TestProductTypeSchema(t *testing.T) {
	s, err := spmodel.CompileProductType([]byte(shoesSchema))
	require.NoError(t, err, "Amazon's meta-schema and keywords are taken")
	v := func(x any) []any { return []any{map[string]any{"value": x}} }
	size := func(sz string) []any {
		return []any{map[string]any{"size_system": "eu_footwear_size_system", "size": sz}}
	}
	valid := func() map[string]any {
		return map[string]any{"color": v("Lacivert"), "department": v("Erkek"), "footwear_size": size("numeric_42")}
	}
	with := func(k string, x any) map[string]any {
		a := valid()
		if x == nil {
			delete(a, k)
		} else {
			a[k] = x
		}
		return a
	}
	for _, tc := range []struct {
		name  string
		attrs map[string]any
		want  []string
	}{
		{"valid, with a colour of the seller's own", valid(), nil},
		{"missing attribute", with("color", nil), []string{"color (Renk): required but not supplied"}},
		{"value outside the enum", with("department", v("Çocuk")), []string{`department (Departman): value "Çocuk" is not allowed: must be one of Kadın, Erkek`}},
		{"nested value outside the enum", with("footwear_size", size("numeric_50")), []string{`footwear_size (Numara): size "numeric_50" is not allowed: must be one of numeric_42, numeric_43`}},
		{"nested field missing", with("footwear_size", []any{map[string]any{"size": "numeric_42"}}), []string{"footwear_size (Numara): size_system is required but not supplied"}},
		{"wrong type", with("item_volume", v("çok")), []string{"item_volume (Hacim): got string, want number"}},
		{"a field the item does not have", with("color", []any{map[string]any{"value": "Siyah", "language_tag": "tr_TR"}}), []string{"color (Renk): additional properties 'language_tag' not allowed"}},
		{"missing enum attribute", with("department", nil), []string{"department (Departman): required but not supplied"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := s.Validate(tc.attrs)
			require.NoError(t, err)
			var got []string
			for _, v := range vs {
				got = append(got, v.String())
			}
			assert.Equal(t, tc.want, got)
		})
	}
	vs, err := s.Validate(map[string]any{"department": v("Çocuk")})
	require.NoError(t, err)
	require.Len(t, vs, 3, "every problem, sorted by attribute")
	assert.Equal(t, []string{"color", "department", "footwear_size"}, []string{vs[0].Attribute, vs[1].Attribute, vs[2].Attribute})
	assert.True(t, vs[0].Missing)
	assert.Equal(t, []string{"Kadın", "Erkek"}, vs[1].Allowed)

	_, err = spmodel.CompileProductType([]byte(`{"type": "object", "required": "color"}`))
	assert.Error(t, err, "a schema that is not one is refused")
}
