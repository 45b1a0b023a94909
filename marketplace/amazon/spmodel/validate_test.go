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

// TestRequestProblemsNameTheirField checks that each refusal says what is wrong and
// where: which parameter, which body field.
func TestRequestProblemsNameTheirField(t *testing.T) {
	const item = "/listings/2021-08-01/items/A1SELLER/SKU-1"
	put := `{"productType":"HOME","requirements":"LISTING","attributes":{}}`
	for _, tc := range []struct {
		name, method, target, body string
		want                       []string
	}{
		{"missing required query parameter", http.MethodPut, item, put,
			[]string{"query parameter marketplaceIds is required"}},
		{"query enum", http.MethodPut, item + "?marketplaceIds=A&includedData=issues,summaries", put,
			[]string{`query parameter includedData at /1: "summaries" is not one of identifiers, issues`}},
		{"scalar query enum", http.MethodPut, item + "?marketplaceIds=A&mode=LIVE", put,
			[]string{`query parameter mode: "LIVE" is not one of VALIDATION_PREVIEW`}},
		{"too many items", http.MethodPut, item + "?marketplaceIds=A,B", put,
			[]string{"query parameter marketplaceIds: maxItems: got 2, want 1"}},
		{"repeated query parameter is one list", http.MethodPut, item + "?marketplaceIds=A&marketplaceIds=B", put,
			[]string{"query parameter marketplaceIds: maxItems: got 2, want 1"}},
		{"not an integer", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&maxResultsPerPage=abc", "",
			[]string{`query parameter maxResultsPerPage: "abc" is not a number`}},
		{"a fraction for an integer", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&maxResultsPerPage=1.5", "",
			[]string{"query parameter maxResultsPerPage: got number, want integer"}},
		{"above maximum", http.MethodGet, "/listings/2021-08-01/items/A1SELLER?marketplaceIds=A&pageSize=21", "",
			[]string{"query parameter pageSize: maximum: got 21, want 20"}},
		{"below minimum", http.MethodGet, "/feeds/2021-06-30/feeds?pageSize=0", "",
			[]string{"query parameter pageSize: minimum: got 0, want 1"}},
		{"not a boolean", http.MethodGet, "/feeds/2021-06-30/documents/D1?enableContentEncodingUrlHeader=maybe", "",
			[]string{`query parameter enableContentEncodingUrlHeader: "maybe" is not a boolean`}},
		{"not a date-time", http.MethodGet, "/orders/2026-01-01/orders?createdAfter=2026-11-25", "",
			[]string{"query parameter createdAfter: '2026-11-25' is not valid date-time"}},
		{"body field of the wrong type", http.MethodPut, item + "?marketplaceIds=A", `{"productType":7,"attributes":{}}`,
			[]string{"body at /productType: got number, want string"}},
		{"body enum deep down", http.MethodPatch, item + "?marketplaceIds=A", `{"productType":"HOME","patches":[{"op":"move","path":"/attributes/x"}]}`,
			[]string{`body at /patches/0/op: "move" is not one of add, replace, merge, delete`}},
		{"missing body field", http.MethodPost, "/feeds/2021-06-30/feeds", `{"marketplaceIds":["A"],"inputFeedDocumentId":"D1"}`,
			[]string{"body: missing property 'feedType'"}},
		{"missing body", http.MethodPut, item + "?marketplaceIds=A", "", []string{"body is required"}},
		{"body that is not JSON", http.MethodPut, item + "?marketplaceIds=A", `{"productType":`, []string{"body is not JSON"}},
		{"every problem at once", http.MethodPut, item + "?includedData=summaries", `{"attributes":{}}`, []string{
			"query parameter marketplaceIds is required",
			`query parameter includedData at /0: "summaries" is not one of identifiers, issues`,
			"body: missing property 'productType'"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := spmodel.ValidateRequest(req(tc.method, tc.target, tc.body), []byte(tc.body))
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Equal(t, len(tc.want)-1, strings.Count(err.Error(), "; "), "one problem each: %v", err)
		})
	}

	r := httptest.NewRequest(http.MethodPut, item+"?marketplaceIds=A", strings.NewReader(put))
	r.Header.Set("Content-Type", "text/plain")
	assert.ErrorContains(t, spmodel.ValidateRequest(r, []byte(put)), `body: Content-Type "text/plain" is not application/json`)
	r.Header.Set("Content-Type", "application/json; charset=utf-8")
	assert.NoError(t, spmodel.ValidateRequest(r, []byte(put)), "media type parameters do not matter")
}

func TestResponseProblemsNameTheirField(t *testing.T) {
	put := req(http.MethodPut, putPath, "{}")
	search := req(http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z", "")
	json := http.Header{"Content-Type": {"application/json"}}
	for _, tc := range []struct {
		name   string
		r      *http.Request
		status int
		header http.Header
		body   string
		want   []string
	}{
		{"wrong shape", put, 200, json, `{"sku":"SKU-1","status":"DONE","issues":{}}`, []string{
			`body at /status: "DONE" is not one of ACCEPTED, INVALID, VALID`,
			"body at /issues: got object, want array",
			"body: missing property 'submissionId'"}},
		{"deep in an order", search, 200, json, `{"orders":[{"orderId":"1","createdTime":"2026-11-25T12:00:00Z","lastUpdatedTime":"2026-11-25T12:00:00Z","salesChannel":{"channelName":"AMAZON"},"orderItems":[{"orderItemId":"1","quantityOrdered":"two","product":{}}]}]}`,
			[]string{"body at /orders/0/orderItems/0/quantityOrdered: got string, want integer"}},
		{"undocumented status", put, 404, json, `{"errors":[]}`, []string{"status 404 is not documented"}},
		{"no content type", put, 200, http.Header{}, `{}`, []string{`body: Content-Type "" is not application/json`}},
		{"no body", put, 200, json, ``, []string{"body is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := spmodel.ValidateResponse(tc.r, tc.status, tc.header, []byte(tc.body))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "answer to "+tc.r.Method)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	// cancelFeed's 200 describes no body: there is nothing to check.
	cancel := req(http.MethodDelete, "/feeds/2021-06-30/feeds/F1", "")
	assert.NoError(t, spmodel.ValidateResponse(cancel, 200, http.Header{}, nil))
}

// TestModelExamplesAreValid checks every static sandbox example of the models against
// the models: its request (built from the example's parameters) and its response.
// The examples Amazon wrote to break the model are refused, with a reason.
func TestModelExamplesAreValid(t *testing.T) {
	m, err := spmodel.Default()
	require.NoError(t, err)
	bodies := map[string]any{ // for examples that leave the body to fill
		"putListingsItem":   map[string]any{"productType": "LUGGAGE", "requirements": "LISTING", "attributes": map[string]any{}},
		"patchListingsItem": map[string]any{"productType": "LUGGAGE", "patches": []any{map[string]any{"op": "delete", "path": "/attributes/x"}}},
	}
	fill := func(op string) func(spmodel.Parameter) any {
		return func(p spmodel.Parameter) any {
			switch {
			case p.In == "body":
				return bodies[op]
			case p.Array:
				return []any{"A33AVAJ2PDY3EV"}
			}
			return "X"
		}
	}
	refused := map[string]string{}
	n := 0
	for _, op := range m.Operations() {
		for _, ex := range op.Examples {
			n++
			target, body, err := ex.Target(fill(op.ID))
			require.NoError(t, err, ex.Name)
			r := req(ex.Method, target, string(body))
			if err := m.ValidateRequest(r, body); err != nil {
				refused[ex.Name] = err.Error()
			}
			h := http.Header{"Content-Type": {"application/json"}}
			assert.NoError(t, m.ValidateResponse(r, ex.Status, h, ex.Response), ex.Name)
		}
	}
	assert.Greater(t, n, 20)
	want := map[string]string{
		"createFeed 400 #1":         "body: missing property 'feedType'",
		"createFeedDocument 400 #1": "body: missing property 'contentType'",
		"getFeeds 400 #1":           `query parameter processingStatuses at /0: "BAD_VALUE" is not one of`,
		"searchOrders 400 #1":       "query parameter createdAfter: 'TEST_CASE_400' is not valid date-time",
	}
	require.Len(t, refused, len(want), "refused: %v", refused)
	for name, reason := range want {
		assert.Contains(t, refused[name], reason, name)
	}
}
