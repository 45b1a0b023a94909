package sandbox_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

const approvedStockPath = "/integration/product/sellers/42/products/approved/inventory-and-price"

// TestTrendyolApprovedStock: the approved products' stock filter shows what
// price-and-inventory, orders and the seller's panel (the drift hook) left, behind
// Trendyol's checks and paging limits.
func TestTrendyolApprovedStock(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second}})
	second := validItem()
	second["barcode"], second["stockCode"] = "BC-002", "SKU-2"
	code, _ := e.do(t, http.MethodPost, productsPath, map[string]any{"items": []any{validItem(), second}}, nil)
	require.Equal(t, http.StatusOK, code)

	code, body := e.do(t, http.MethodGet, approvedStockPath+"?barcodes=BC-001,BC-002", nil, nil)
	require.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 0, body["totalElements"], "nothing before the create batch is processed")

	e.now = e.now.Add(time.Second)
	hook := func(method, path, body string) int {
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec.Code
	}
	require.Equal(t, http.StatusOK, hook(http.MethodPut, "/sandbox/trendyol/stock/SKU-1", `{"quantity":4}`))
	assert.Equal(t, http.StatusNotFound, hook(http.MethodPut, "/sandbox/trendyol/stock/SKU-404", `{"quantity":4}`))
	assert.Equal(t, http.StatusBadRequest, hook(http.MethodPut, "/sandbox/trendyol/stock/SKU-1", `{"quantity":20001}`), "over Trendyol's cap")
	require.Equal(t, http.StatusCreated, hook(http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-2","quantity":3}`))

	variant := func(body map[string]any) map[string]any {
		content := body["content"].([]any)
		require.Len(t, content, 1)
		vs := content[0].(map[string]any)["variants"].([]any)
		require.Len(t, vs, 1)
		return vs[0].(map[string]any)
	}
	code, body = e.do(t, http.MethodGet, approvedStockPath+"?barcodes=BC-001,BC-002,BC-404&size=1&page=0", nil, nil)
	require.Equal(t, http.StatusOK, code)
	assert.EqualValues(t, 2, body["totalElements"])
	assert.EqualValues(t, 2, body["totalPages"])
	v := variant(body)
	assert.Equal(t, "BC-001", v["barcode"])
	assert.EqualValues(t, 4, v["quantity"], "as the seller set it")
	assert.EqualValues(t, e.now.UnixMilli(), v["stockLastModifiedDate"])
	_, body = e.do(t, http.MethodGet, approvedStockPath+"?barcodes=BC-001,BC-002,BC-404&size=1&page=1", nil, nil)
	v = variant(body)
	assert.Equal(t, "BC-002", v["barcode"])
	assert.EqualValues(t, 7, v["quantity"], "ten created, three ordered")
	assert.Nil(t, v["stockLastModifiedDate"], "an order is no stock update")

	many := make([]string, 51)
	for i := range many {
		many[i] = fmt.Sprintf("BC-%03d", i)
	}
	for _, tt := range []struct {
		name, query string
		mod         func(*http.Request)
		code        int
	}{
		{name: "size over 100", query: "?size=101", code: http.StatusBadRequest},
		{name: "page×size over 10000", query: "?size=100&page=101", code: http.StatusBadRequest},
		{name: "51 barcodes", query: "?barcodes=" + strings.Join(many, ","), code: http.StatusBadRequest},
		{name: "no user agent", mod: func(r *http.Request) { r.Header.Del("User-Agent") }, code: http.StatusForbidden},
		{name: "wrong secret", mod: func(r *http.Request) { r.SetBasicAuth("k", "x") }, code: http.StatusUnauthorized},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _ := e.do(t, http.MethodGet, approvedStockPath+tt.query, nil, tt.mod)
			assert.Equal(t, tt.code, code)
		})
	}
}
