package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

func validItem() map[string]any {
	return map[string]any{
		"barcode": "BC-001", "title": "Seramik kupa", "productMainId": "KUPA-1", "brandId": 1791, "categoryId": 411,
		"quantity": 10, "stockCode": "SKU-1", "dimensionalWeight": 1, "description": "<p>Kupa</p>", "currencyType": "TRY",
		"listPrice": 120, "salePrice": 100, "vatRate": 20, "images": []map[string]any{{"url": "https://img.example.com/1.jpg"}},
		"attributes": []map[string]any{{"attributeId": 338, "attributeValueId": 6980}},
	}
}

func TestValidateTrendyolItem(t *testing.T) {
	images := func(n int, scheme string) []map[string]any {
		var out []map[string]any
		for range n {
			out = append(out, map[string]any{"url": scheme + "://img.example.com/x.jpg"})
		}
		return out
	}
	tests := []struct {
		name    string
		change  func(m map[string]any)
		reason  string // a substring of the one expected reason; "" means valid
		barcode string
	}{
		{name: "valid", change: func(map[string]any) {}, barcode: "BC-001"},
		{name: "inner spaces joined", change: func(m map[string]any) { m["barcode"] = "BC 00 1" }, barcode: "BC001"},
		{name: "title of 100 runes", change: func(m map[string]any) { m["title"] = strings.Repeat("ş", 100) }, barcode: "BC-001"},
		{name: "title of 101 runes", change: func(m map[string]any) { m["title"] = strings.Repeat("ş", 101) }, reason: "title must be at most 100"},
		{name: "barcode of 41", change: func(m map[string]any) { m["barcode"] = strings.Repeat("1", 41) }, reason: "barcode must be at most 40"},
		{name: "barcode with slash", change: func(m map[string]any) { m["barcode"] = "BC/1" }, reason: "barcode may contain only"},
		{name: "missing barcode", change: func(m map[string]any) { delete(m, "barcode") }, reason: "barcode is required"},
		{name: "missing brand", change: func(m map[string]any) { delete(m, "brandId") }, reason: "brandId is required"},
		{name: "missing category", change: func(m map[string]any) { delete(m, "categoryId") }, reason: "categoryId is required"},
		{name: "missing quantity", change: func(m map[string]any) { delete(m, "quantity") }, reason: "quantity is required"},
		{name: "missing stockCode", change: func(m map[string]any) { delete(m, "stockCode") }, reason: "stockCode is required"},
		{name: "missing desi", change: func(m map[string]any) { delete(m, "dimensionalWeight") }, reason: "dimensionalWeight is required"},
		{name: "missing attributes", change: func(m map[string]any) { delete(m, "attributes") }, reason: "attributes is required"},
		{name: "empty attributes allowed", change: func(m map[string]any) { m["attributes"] = []any{} }, barcode: "BC-001"},
		{name: "vat 18", change: func(m map[string]any) { m["vatRate"] = 18 }, reason: "vatRate must be one of"},
		{name: "vat 0", change: func(m map[string]any) { m["vatRate"] = 0 }, barcode: "BC-001"},
		{name: "list below sale", change: func(m map[string]any) { m["listPrice"] = 99.99 }, reason: "listPrice must not be lower"},
		{name: "list equals sale", change: func(m map[string]any) { m["listPrice"] = 100 }, barcode: "BC-001"},
		{name: "no images", change: func(m map[string]any) { m["images"] = []any{} }, reason: "at least one image"},
		{name: "8 images", change: func(m map[string]any) { m["images"] = images(8, "https") }, barcode: "BC-001"},
		{name: "9 images", change: func(m map[string]any) { m["images"] = images(9, "https") }, reason: "at most 8 images"},
		{name: "http image", change: func(m map[string]any) { m["images"] = images(1, "http") }, reason: "image 1: url must be an HTTPS"},
		{name: "script in description", change: func(m map[string]any) { m["description"] = "<SCRIPT>x</script>" }, reason: "must not contain script"},
		{name: "currency EUR", change: func(m map[string]any) { m["currencyType"] = "EUR" }, reason: "currencyType must be TRY"},
		{name: "quantity over cap", change: func(m map[string]any) { m["quantity"] = 20001 }, reason: "quantity must be between"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := validItem()
			tt.change(m)
			raw, err := json.Marshal(m)
			require.NoError(t, err)
			reasons, barcode := sandbox.ValidateTrendyolItem(raw)
			if tt.reason == "" {
				assert.Empty(t, reasons)
				assert.Equal(t, tt.barcode, barcode)
				return
			}
			require.Len(t, reasons, 1, "reasons: %q", reasons)
			assert.Contains(t, reasons[0], tt.reason)
		})
	}
}

// env is a sandbox on a fixed clock with a caller that signs Trendyol requests.
type env struct {
	sb  *sandbox.Server
	now time.Time
}

func newEnv(t *testing.T, o sandbox.Options) *env {
	t.Helper()
	e := &env{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	o.Now = func() time.Time { return e.now }
	o.Trendyol.SellerID, o.Trendyol.APIKey, o.Trendyol.APISecret = "42", "k", "s"
	e.sb = sandbox.New(o)
	return e
}

func (e *env) do(t *testing.T, method, path string, body any, mod func(*http.Request)) (int, map[string]any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		require.NoError(t, json.NewEncoder(&buf).Encode(body))
	}
	r := httptest.NewRequest(method, path, &buf)
	r.SetBasicAuth("k", "s")
	r.Header.Set("User-Agent", "42 - SelfIntegration")
	if mod != nil {
		mod(r)
	}
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

const (
	productsPath  = "/integration/product/sellers/42/v2/products"
	inventoryPath = "/integration/inventory/sellers/42/products/price-and-inventory"
	batchPath     = "/integration/product/sellers/42/products/batch-requests/"
	ordersPath    = "/integration/order/sellers/42/v2/orders"
)

func TestTrendyolAuth(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*http.Request)
		code int
		want string
	}{
		{name: "ok", mod: nil, code: http.StatusOK},
		{name: "no user agent", mod: func(r *http.Request) { r.Header.Del("User-Agent") }, code: http.StatusForbidden},
		{name: "user agent of another seller", mod: func(r *http.Request) { r.Header.Set("User-Agent", "43 - SelfIntegration") }, code: http.StatusForbidden},
		{name: "wrong secret", mod: func(r *http.Request) { r.SetBasicAuth("k", "x") }, code: http.StatusUnauthorized, want: "ClientApiAuthenticationException"},
		{name: "no auth", mod: func(r *http.Request) { r.Header.Del("Authorization") }, code: http.StatusUnauthorized, want: "ClientApiAuthenticationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, sandbox.Options{})
			code, body := e.do(t, http.MethodGet, ordersPath, nil, tt.mod)
			assert.Equal(t, tt.code, code)
			if tt.want != "" {
				assert.Equal(t, tt.want, body["exception"])
			}
		})
	}
}

func TestTrendyolRateLimitPerEndpoint(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	for i := range 50 {
		code, _ := e.do(t, http.MethodGet, ordersPath, nil, nil)
		require.Equal(t, http.StatusOK, code, "request %d", i+1)
	}
	code, body := e.do(t, http.MethodGet, ordersPath, nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, code)
	errs, _ := body["errors"].([]any)
	require.Len(t, errs, 1)
	assert.Equal(t, "too.many.requests", errs[0].(map[string]any)["key"])

	code, _ = e.do(t, http.MethodGet, batchPath+"nope", nil, nil)
	assert.Equal(t, http.StatusNotFound, code, "another endpoint has its own budget")

	e.now = e.now.Add(10 * time.Second)
	code, _ = e.do(t, http.MethodGet, ordersPath, nil, nil)
	assert.Equal(t, http.StatusOK, code, "the window has passed")
}

func TestTrendyolBatchLifecycle(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: 3 * time.Second}})
	bad := validItem()
	bad["barcode"], bad["stockCode"], bad["vatRate"] = "BC-002", "SKU-2", 18
	code, body := e.do(t, http.MethodPost, productsPath, map[string]any{"items": []any{validItem(), bad}}, nil)
	require.Equal(t, http.StatusOK, code)
	id, _ := body["batchRequestId"].(string)
	require.NotEmpty(t, id)

	code, body = e.do(t, http.MethodGet, batchPath+id, nil, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, "IN_PROGRESS", body["status"])
	for _, it := range body["items"].([]any) {
		assert.NotContains(t, it.(map[string]any), "status", "no outcome before processing")
	}

	e.now = e.now.Add(3 * time.Second)
	_, body = e.do(t, http.MethodGet, batchPath+id, nil, nil)
	assert.Equal(t, "COMPLETED", body["status"])
	assert.EqualValues(t, 1, body["failedItemCount"])
	items := body["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "SUCCESS", items[0].(map[string]any)["status"])
	assert.Equal(t, "FAILED", items[1].(map[string]any)["status"])
	assert.Len(t, items[1].(map[string]any)["failureReasons"], 1)

	// Stock for the approved product; the unknown barcode fails at processing.
	inv := map[string]any{"items": []any{map[string]any{"barcode": "BC-001", "quantity": 3}, map[string]any{"barcode": "BC-404", "quantity": 1}}}
	code, body = e.do(t, http.MethodPost, inventoryPath, inv, nil)
	require.Equal(t, http.StatusOK, code)
	invID := body["batchRequestId"].(string)
	code, body = e.do(t, http.MethodPost, inventoryPath, inv, nil)
	assert.Equal(t, http.StatusBadRequest, code, "identical body within 15 minutes")
	assert.Contains(t, body["errors"].([]any)[0].(map[string]any)["message"], "15 dakika")

	e.now = e.now.Add(3 * time.Second)
	_, body = e.do(t, http.MethodGet, batchPath+invID, nil, nil)
	assert.NotContains(t, body, "status", "inventory batches carry no top-level status")
	items = body["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "SUCCESS", items[0].(map[string]any)["status"])
	assert.Equal(t, "FAILED", items[1].(map[string]any)["status"])

	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sandbox/trendyol/stock/SKU-1", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Contains(t, rec.Body.String(), `"quantity":3`)

	e.now = e.now.Add(15 * time.Minute)
	code, _ = e.do(t, http.MethodPost, inventoryPath, inv, nil)
	assert.Equal(t, http.StatusOK, code, "accepted again after 15 minutes")

	e.now = e.now.Add(4*time.Hour + time.Second)
	code, _ = e.do(t, http.MethodGet, batchPath+id, nil, nil)
	assert.Equal(t, http.StatusNotFound, code, "results are kept 4 hours")
}

func TestTrendyolOrderHooks(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second}})
	_, body := e.do(t, http.MethodPost, productsPath, map[string]any{"items": []any{validItem()}}, nil)
	require.NotEmpty(t, body["batchRequestId"])
	e.now = e.now.Add(time.Second)

	hook := func(method, path, body string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	code, pkg := hook(http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-1","quantity":4}`)
	require.Equal(t, http.StatusCreated, code)
	code, _ = hook(http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-1","quantity":7}`)
	assert.Equal(t, http.StatusConflict, code, "only 6 left")
	code, _ = hook(http.MethodPost, "/sandbox/trendyol/orders", `{"stockCode":"SKU-9","quantity":1}`)
	assert.Equal(t, http.StatusNotFound, code)
	_, st := hook(http.MethodGet, "/sandbox/trendyol/stock/SKU-1", "")
	assert.EqualValues(t, 6, st["quantity"])

	id := pkg["orderId"].(string)
	e.now = e.now.Add(time.Second)
	code, _ = hook(http.MethodPost, "/sandbox/trendyol/orders/"+id+"/cancel", "")
	require.Equal(t, http.StatusOK, code)
	_, st = hook(http.MethodGet, "/sandbox/trendyol/stock/SKU-1", "")
	assert.EqualValues(t, 10, st["quantity"], "a cancel returns the stock")
	code, _ = hook(http.MethodPost, "/sandbox/trendyol/orders/"+id+"/cancel", "")
	assert.Equal(t, http.StatusConflict, code)

	code, body = e.do(t, http.MethodGet, ordersPath+"?orderByField=PackageLastModifiedDate&orderByDirection=ASC", nil, nil)
	require.Equal(t, http.StatusOK, code)
	content := body["content"].([]any)
	require.Len(t, content, 1)
	assert.Equal(t, "Cancelled", content[0].(map[string]any)["status"])

	code, _ = e.do(t, http.MethodGet, ordersPath+"?size=201", nil, nil)
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = e.do(t, http.MethodGet, ordersPath+"?page=51&size=200", nil, nil)
	assert.Equal(t, http.StatusBadRequest, code)
}

func TestFaultsAreSeeded(t *testing.T) {
	run := func() []int {
		e := newEnv(t, sandbox.Options{Faults: sandbox.Faults{ErrorRate: 0.5, Seed: 7}, Trendyol: sandbox.TrendyolOptions{RateLimit: 1000}})
		var codes []int
		for range 40 {
			code, _ := e.do(t, http.MethodGet, ordersPath, nil, nil)
			codes = append(codes, code)
		}
		return codes
	}
	first, second := run(), run()
	assert.Equal(t, first, second, "the same seed gives the same faults")
	fails := 0
	for _, c := range first {
		if c == http.StatusInternalServerError {
			fails++
		}
	}
	assert.Greater(t, fails, 5)
	assert.Less(t, fails, 35)
}
