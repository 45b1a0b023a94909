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
