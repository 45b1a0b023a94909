package spmodel_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

func TestOperationsAndExamples(t *testing.T) {
	m, err := spmodel.Default()
	require.NoError(t, err)
	byID := map[string]spmodel.Operation{}
	for _, op := range m.Operations() {
		byID[op.ID] = op
	}
	for _, id := range []string{"putListingsItem", "patchListingsItem", "getListingsItem", "deleteListingsItem", "searchListingsItems",
		"searchOrders", "getOrder", "searchDefinitionsProductTypes", "getDefinitionsProductType"} {
		require.Contains(t, byID, id)
		assert.NotEmpty(t, byID[id].Examples, "%s has static sandbox examples", id)
	}

	put := byID["putListingsItem"]
	assert.Equal(t, "PUT", put.Method)
	assert.Equal(t, "/listings/2021-08-01/items/{sellerId}/{sku}", put.Path)
	assert.Contains(t, put.Parameters, spmodel.Parameter{Name: "marketplaceIds", In: "query", Required: true, Array: true})
	assert.Contains(t, put.Parameters, spmodel.Parameter{Name: "body", In: "body", Required: true})
	assert.Contains(t, put.Parameters, spmodel.Parameter{Name: "sku", In: "path", Required: true})
	names := map[string]spmodel.Example{}
	for _, e := range put.Examples {
		names[e.Name] = e
	}
	require.Contains(t, names, "putListingsItem 200 #1")
	assert.Empty(t, names["putListingsItem 200 #1"].Parameters, "the catch-all example names no values")
	require.Contains(t, names, "putListingsItem 200 #2")
	assert.Equal(t, map[string]any{"sku": "VALIDATION_VALID", "marketplaceIds": []any{"ATVPDKIKX0DER"},
		"includedData": []any{"identifiers", "issues"}, "mode": "VALIDATION_PREVIEW"}, names["putListingsItem 200 #2"].Parameters)
	var valid struct {
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal(names["putListingsItem 200 #2"].Response, &valid))
	assert.Equal(t, "VALID", valid.Status)
	require.Contains(t, names, "putListingsItem 400 #1")
	assert.Equal(t, 400, names["putListingsItem 400 #1"].Status)

	// Orders 2026-01-01 leaves collectionFormat out: Swagger 2's default, csv, applies.
	search := req(http.MethodGet, "/orders/2026-01-01/orders?createdAfter=2024-12-25T00:00:00Z&includedData=BUYER,FULFILLMENT", "")
	assert.NoError(t, m.ValidateRequest(search, nil))
}

func TestMatch(t *testing.T) {
	m, err := spmodel.Default()
	require.NoError(t, err)
	const item = "/listings/2021-08-01/items/A1SELLER/"
	putBody := `{"productType":"LUGGAGE","requirements":"LISTING","attributes":{}}`
	for _, tc := range []struct {
		name, method, target, body string
		want                       string // "" for no match
	}{
		{"any put", http.MethodPut, item + "SKU-1?marketplaceIds=A33AVAJ2PDY3EV", putBody, "putListingsItem 200 #1"},
		{"validation preview, valid", http.MethodPut, item + "VALIDATION_VALID?marketplaceIds=ATVPDKIKX0DER&includedData=identifiers,issues&mode=VALIDATION_PREVIEW", putBody, "putListingsItem 200 #2"},
		{"validation preview, invalid", http.MethodPut, item + "VALIDATION_INVALID?marketplaceIds=ATVPDKIKX0DER&includedData=identifiers,issues&mode=VALIDATION_PREVIEW", putBody, "putListingsItem 200 #3"},
		{"values in another order", http.MethodPut, item + "VALIDATION_VALID?marketplaceIds=ATVPDKIKX0DER&includedData=issues,identifiers&mode=VALIDATION_PREVIEW", putBody, "putListingsItem 200 #1"},
		{"a parameter short", http.MethodPut, item + "VALIDATION_VALID?marketplaceIds=ATVPDKIKX0DER&includedData=identifiers,issues", putBody, "putListingsItem 200 #1"},
		{"bad sku", http.MethodPut, item + "BadSKU?marketplaceIds=A33AVAJ2PDY3EV", putBody, "putListingsItem 400 #1"},
		{"bad sku on a patch", http.MethodPatch, item + "BadSKU?marketplaceIds=A33AVAJ2PDY3EV", `{"productType":"X","patches":[]}`, "patchListingsItem 400 #1"},
		{"any get, whatever its body", http.MethodGet, item + "SKU-1?marketplaceIds=A33AVAJ2PDY3EV&includedData=summaries,issues", "", "getListingsItem 200 #1"},
		{"orders' 400 with more parameters", http.MethodGet, "/orders/2026-01-01/orders?createdAfter=TEST_CASE_400&maxResultsPerPage=5", "", "searchOrders 400 #1"},
		{"orders of Japan", http.MethodGet, "/orders/2026-01-01/orders?createdAfter=2024-12-25T00:00:00Z&marketplaceIds=A1VC38T7YXB528&includedData=BUYER,RECIPIENT,PROCEEDS,EXPENSE,PROMOTION,CANCELLATION,FULFILLMENT,PACKAGES", "", "searchOrders 200 #1"},
		{"orders by update time", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&marketplaceIds=A33AVAJ2PDY3EV", "", ""},
		{"order of Turkey", http.MethodGet, "/orders/2026-01-01/orders/028-1234567-8901234?includedData=BUYER,RECIPIENT,PROCEEDS,FULFILLMENT,TAX", "", "getOrder 200 #2"},
		{"order without its includedData", http.MethodGet, "/orders/2026-01-01/orders/028-1234567-8901234", "", ""},
		{"any product type", http.MethodGet, "/definitions/2020-09-01/productTypes/SHIRT?marketplaceIds=A33AVAJ2PDY3EV", "", "getDefinitionsProductType 200 #1"},
		{"invalid product type", http.MethodGet, "/definitions/2020-09-01/productTypes/INVALID?marketplaceIds=A33AVAJ2PDY3EV", "", "getDefinitionsProductType 400 #1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex, ok, err := m.Match(req(tc.method, tc.target, tc.body), []byte(tc.body))
			require.NoError(t, err)
			if tc.want == "" {
				assert.False(t, ok, "matched %s", ex.Name)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.want, ex.Name)
		})
	}
	_, _, err = m.Match(req(http.MethodGet, "/orders/v0/orders", ""), nil)
	assert.ErrorIs(t, err, spmodel.ErrNoOperation)
}

// TestTargetsMatchTheirExamples builds every example's request and finds the example
// again from it: no example is shadowed by another.
func TestTargetsMatchTheirExamples(t *testing.T) {
	m, err := spmodel.Default()
	require.NoError(t, err)
	n := 0
	for _, op := range m.Operations() {
		for _, ex := range op.Examples {
			n++
			target, body, err := ex.Target(func(p spmodel.Parameter) any {
				switch p.In {
				case "body":
					return map[string]any{"productType": "LUGGAGE"}
				case "query":
					return []any{"A33AVAJ2PDY3EV"}
				}
				return "X"
			})
			require.NoError(t, err, ex.Name)
			r := httptest.NewRequest(ex.Method, target, bytes.NewReader(body))
			got, ok, err := m.Match(r, body)
			require.NoError(t, err, ex.Name)
			require.True(t, ok, "%s: %s matches nothing", ex.Name, target)
			assert.Equal(t, ex.Name, got.Name, target)
		}
	}
	assert.Greater(t, n, 20)

	for _, op := range m.Operations() {
		if op.ID == "putListingsItem" {
			_, _, err = op.Examples[0].Target(func(spmodel.Parameter) any { return nil })
			assert.ErrorContains(t, err, "no value for required", "the catch-all example leaves the path to fill")
		}
	}
}
