package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// IDs of the imitation's taxonomy the tests use.
const (
	tyTshirt      = 1174  // Giyim > Üst Giyim > Tişört
	tyTrendyolBrd = 1791  // TRENDYOLMILLA
	tyRenkID      = 47    // Renk: free text allowed besides its values
	tyBedenID     = 338   // Beden: XS–3XL, required, no free text
	tyCinsiyetID  = 296   // Cinsiyet
	tyMenseiID    = 59810 // Menşei: more values than the attribute list carries
	tyLacivert    = 603
	tyBedenM      = 6980
	tyBedenL      = 6981
	tyErkek       = 1235
	tyTurkiye     = 2178167
)

// tshirtAttributes are the attributes of a valid men's T-shirt in the create form.
func tshirtAttributes(beden int) []map[string]any {
	return []map[string]any{
		{"attributeId": tyRenkID, "attributeValueId": tyLacivert},
		{"attributeId": tyBedenID, "attributeValueId": beden},
		{"attributeId": tyCinsiyetID, "attributeValueId": tyErkek},
		{"attributeId": tyMenseiID, "attributeValueId": tyTurkiye},
	}
}

// tshirtUpdate are the attributes of a valid men's T-shirt in the update form, its
// colour given as free text.
func tshirtUpdate(beden int, colour string) []any {
	return []any{
		map[string]any{"attributeId": tyRenkID, "attributeValue": colour},
		map[string]any{"attributeId": tyBedenID, "attributeValueIds": []int{beden}},
		map[string]any{"attributeId": tyCinsiyetID, "attributeValueIds": []int{tyErkek}},
		map[string]any{"attributeId": tyMenseiID, "attributeValueIds": []int{tyTurkiye}},
	}
}

// tshirtStored is how the sandbox holds tshirtUpdate's attributes.
func tshirtStored(beden int, colour string) []sandbox.TrendyolAttribute {
	return []sandbox.TrendyolAttribute{{AttributeID: tyRenkID, Value: colour}, {AttributeID: tyBedenID, ValueIDs: []int64{int64(beden)}},
		{AttributeID: tyCinsiyetID, ValueIDs: []int64{tyErkek}}, {AttributeID: tyMenseiID, ValueIDs: []int64{tyTurkiye}}}
}

func validItem() map[string]any {
	return map[string]any{
		"barcode": "BC-001", "title": "Erkek pamuklu tişört", "productMainId": "TS-1", "brandId": tyTrendyolBrd, "categoryId": tyTshirt,
		"quantity": 10, "stockCode": "SKU-1", "dimensionalWeight": 1, "description": "<p>Tişört</p>", "currencyType": "TRY",
		"listPrice": 120, "salePrice": 100, "vatRate": 20, "images": []map[string]any{{"url": marketplacetest.ImageURL(1200, 1800)}},
		"attributes": tshirtAttributes(tyBedenM),
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
		{name: "missing attributes", change: func(m map[string]any) { m["categoryId"] = 1462; delete(m, "attributes") }, reason: "attributes is required"},
		{name: "no attributes where none are required", change: func(m map[string]any) { m["categoryId"], m["attributes"] = 1462, []any{} }, barcode: "BC-001"},
		{name: "vat 18", change: func(m map[string]any) { m["vatRate"] = 18 }, reason: "vatRate must be one of"},
		{name: "vat 0", change: func(m map[string]any) { m["vatRate"] = 0 }, barcode: "BC-001"},
		{name: "list below sale", change: func(m map[string]any) { m["listPrice"] = 99.99 }, reason: "listPrice must not be lower"},
		{name: "list equals sale", change: func(m map[string]any) { m["listPrice"] = 100 }, barcode: "BC-001"},
		{name: "no images", change: func(m map[string]any) { m["images"] = []any{} }, reason: "at least one image"},
		{name: "8 images", change: func(m map[string]any) { m["images"] = images(8, "https") }, barcode: "BC-001"},
		{name: "9 images", change: func(m map[string]any) { m["images"] = images(9, "https") }, reason: "at most 8 images"},
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
	assert.Equal(t, []any{"no approved product with this barcode"}, items[1].(map[string]any)["failureReasons"])

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

const (
	productBasePath = "/integration/product/sellers/42/product/"
	unapprovedPath  = "/integration/product/sellers/42/products/unapproved-bulk-update"
	contentPath     = "/integration/product/sellers/42/products/content-bulk-update"
	webhooksPath    = "/integration/webhook/sellers/42/webhooks"
)

// batch submits items to path and returns the batch once the sandbox has processed it.
func (e *env) batch(t *testing.T, path string, items ...any) map[string]any {
	t.Helper()
	code, body := e.do(t, http.MethodPost, path, map[string]any{"items": items}, nil)
	require.Equal(t, http.StatusOK, code, "%v", body)
	id, _ := body["batchRequestId"].(string)
	require.NotEmpty(t, id)
	e.now = e.now.Add(3 * time.Second)
	code, out := e.do(t, http.MethodGet, batchPath+id, nil, nil)
	require.Equal(t, http.StatusOK, code)
	if path != inventoryPath { // inventory batches carry no top-level status
		require.Equal(t, "COMPLETED", out["status"])
	}
	return out
}

// outcomes is each item's status and reasons.
func outcomes(b map[string]any) (statuses []string, reasons [][]string) {
	for _, it := range b["items"].([]any) {
		m := it.(map[string]any)
		statuses = append(statuses, m["status"].(string))
		var rs []string
		for _, r := range m["failureReasons"].([]any) {
			rs = append(rs, r.(string))
		}
		reasons = append(reasons, rs)
	}
	return statuses, reasons
}

func TestTrendyolApprovedContentUpdate(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second}})
	e.batch(t, productsPath, validItem())

	code, base := e.do(t, http.MethodGet, productBasePath+"BC-001", nil, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, true, base["approved"])
	assert.EqualValues(t, e.now.Add(-2*time.Second).UnixMilli(), base["approvedDate"], "approved when the create batch was processed")
	contentID := base["contentId"].(float64)
	assert.Positive(t, contentID)
	code, body := e.do(t, http.MethodGet, productBasePath+"BC-404", nil, nil)
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, "product.not.found", body["errors"].([]any)[0].(map[string]any)["key"])

	b := e.batch(t, contentPath,
		map[string]any{"contentId": contentID, "title": "Yeni tişört", "images": []any{map[string]any{"url": marketplacetest.ImageURL(1200, 1200)}},
			"attributes": tshirtUpdate(tyBedenL, "Gece Mavisi")},
		map[string]any{"title": strings.Repeat("x", 101)},
		map[string]any{"contentId": 1, "title": "Başka"},
	)
	assert.Equal(t, "ApprovedProductContentUpdate", b["batchRequestType"])
	assert.EqualValues(t, 2, b["failedItemCount"])
	statuses, reasons := outcomes(b)
	assert.Equal(t, []string{"SUCCESS", "FAILED", "FAILED"}, statuses)
	assert.Len(t, reasons[1], 2, "contentId and title: %q", reasons[1])
	assert.Equal(t, []string{"no approved product with this contentId"}, reasons[2])
	assert.EqualValues(t, contentID, b["items"].([]any)[0].(map[string]any)["requestItem"].(map[string]any)["contentId"])

	p, ok := e.sb.TrendyolProduct("BC-001")
	require.True(t, ok)
	assert.Equal(t, "Yeni tişört", p.Title)
	assert.Equal(t, "<p>Tişört</p>", p.Description, "fields not sent are kept")
	assert.Equal(t, []string{marketplacetest.ImageURL(1200, 1200)}, p.Images)
	assert.Equal(t, tshirtStored(tyBedenL, "Gece Mavisi"), p.Attributes)
	assert.Equal(t, 10, p.Quantity, "content updates leave stock alone")

	tests := []struct {
		name   string
		item   map[string]any
		reason string
	}{
		{name: "attributes must all be sent", item: map[string]any{"contentId": contentID, "attributes": []any{map[string]any{"attributeId": 47, "attributeValue": "Beyaz"}}}, reason: "missing 338"},
		{name: "barcode cannot change", item: map[string]any{"contentId": contentID, "barcode": "BC-002"}, reason: "barcode cannot be updated"},
		{name: "brand cannot change", item: map[string]any{"contentId": contentID, "brandId": 5}, reason: "brandId cannot be updated"},
		{name: "http image", item: map[string]any{"contentId": contentID, "images": []any{map[string]any{"url": "http://img.example.com/1.jpg"}}}, reason: `image 1: "http://img.example.com/1.jpg" must be an HTTPS address`},
		{name: "mixed attribute forms", item: map[string]any{"contentId": contentID, "attributes": []any{map[string]any{"attributeId": 338, "attributeValueId": 1, "attributeValueIds": []int{2}}}}, reason: "do not mix"},
		{name: "attribute without value", item: map[string]any{"contentId": contentID, "attributes": []any{map[string]any{"attributeId": 338}}}, reason: "a value is required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			statuses, reasons := outcomes(e.batch(t, contentPath, tt.item))
			require.Equal(t, []string{"FAILED"}, statuses)
			require.Len(t, reasons[0], 1, "%q", reasons[0])
			assert.Contains(t, reasons[0][0], tt.reason)
		})
	}

	// An item without contentId that sends every identifying field gets a reason for
	// each, in the same order every time.
	statuses, reasons = outcomes(e.batch(t, contentPath, map[string]any{"barcode": "BC-9", "productMainId": "TS-9", "brandId": 5, "categoryId": 6}))
	assert.Equal(t, []string{"FAILED"}, statuses)
	assert.Equal(t, []string{
		"barcode cannot be updated on approved products",
		"brandId cannot be updated on approved products",
		"categoryId cannot be updated on approved products",
		"contentId is required (from the approved product filter or the product's base information)",
		"productMainId cannot be updated on approved products",
	}, reasons[0])

	statuses, reasons = outcomes(e.batch(t, unapprovedPath, map[string]any{"barcode": "BC-001", "title": "Taslak"}))
	assert.Equal(t, []string{"FAILED"}, statuses)
	assert.Contains(t, reasons[0][0], "content-bulk-update", "approved products are not updated as unapproved ones")

	statuses, reasons = outcomes(e.batch(t, productsPath, validItem()))
	assert.Equal(t, []string{"FAILED"}, statuses)
	assert.Contains(t, reasons[0][0], "already exists", "create does not update an existing barcode")
}

func TestTrendyolUnapprovedUpdateAndApproval(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second, ApprovalDelay: time.Hour}})
	e.batch(t, productsPath, validItem())

	code, base := e.do(t, http.MethodGet, productBasePath+"BC-001", nil, nil)
	require.Equal(t, http.StatusOK, code)
	assert.Equal(t, false, base["approved"])
	assert.Nil(t, base["approvedDate"])
	assert.Empty(t, e.sb.Listings("trendyol"), "unapproved products are not on sale")
	_, err := e.sb.PlaceOrder("trendyol", "SKU-1", 1)
	assert.ErrorIs(t, err, sandbox.ErrNotListed)
	statuses, reasons := outcomes(e.batch(t, inventoryPath, map[string]any{"barcode": "BC-001", "quantity": 3}))
	assert.Equal(t, []string{"FAILED"}, statuses)
	assert.Contains(t, reasons[0][0], "no approved product")

	b := e.batch(t, unapprovedPath,
		map[string]any{"barcode": "BC-001", "title": "Taslak tişört", "vatRate": 10,
			"attributes": tshirtUpdate(tyBedenL, "Beyaz")},
		map[string]any{"barcode": "BC-002", "title": "Yok"},
		map[string]any{"barcode": "BC-003", "vatRate": 18},
		map[string]any{"title": "no barcode"},
	)
	assert.Equal(t, "ProductV2Update", b["batchRequestType"])
	statuses, reasons = outcomes(b)
	assert.Equal(t, []string{"SUCCESS", "FAILED", "FAILED", "FAILED"}, statuses)
	assert.Contains(t, reasons[1][0], "no product with this barcode")
	assert.Equal(t, []string{"vatRate must be one of 0, 1, 10, 20"}, reasons[2])
	assert.Equal(t, []string{"barcode is required"}, reasons[3])

	p, ok := e.sb.TrendyolProduct("BC-001")
	require.True(t, ok)
	assert.Equal(t, "Taslak tişört", p.Title)
	assert.Equal(t, 10, p.VATRate)
	assert.Equal(t, "TS-1", p.ProductMainID, "fields not sent are kept")
	assert.Equal(t, tshirtStored(tyBedenL, "Beyaz"), p.Attributes)
	assert.False(t, p.Approved)

	e.now = e.now.Add(time.Hour)
	_, base = e.do(t, http.MethodGet, productBasePath+"BC-001", nil, nil)
	assert.Equal(t, true, base["approved"], "approved once the approval delay has passed")
	assert.Equal(t, map[string]int{"SKU-1": 10}, e.sb.Listings("trendyol"))
}

// receiver is a webhook endpoint that records what the sandbox delivers.
type receiver struct {
	mu     sync.Mutex
	bodies []map[string]any
	auth   []string
	fail   int // answer this many requests with 500 first
	status int // answer every request with this status (0: 200)
	during func()
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rc.during != nil {
		rc.during()
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.fail > 0 {
		rc.fail--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if rc.status != 0 {
		w.WriteHeader(rc.status)
		return
	}
	var body map[string]any
	_ = json.NewDecoder(r.Body).Decode(&body)
	rc.bodies = append(rc.bodies, body)
	if u, p, ok := r.BasicAuth(); ok {
		rc.auth = append(rc.auth, "basic "+u+":"+p)
	} else {
		rc.auth = append(rc.auth, "key "+r.Header.Get("x-api-key"))
	}
}

func (rc *receiver) got() ([]map[string]any, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.bodies...), append([]string(nil), rc.auth...)
}

func TestTrendyolWebhookRegistration(t *testing.T) {
	e := newEnv(t, sandbox.Options{})
	basic := func(u string) map[string]any {
		return map[string]any{"url": u, "authenticationType": "BASIC_AUTHENTICATION", "username": "u", "password": "p"}
	}
	tests := []struct {
		name string
		body map[string]any
		key  string // "" means accepted
	}{
		{name: "https", body: basic("https://hooks.example.com/ty")},
		{name: "http on localhost", body: basic("http://localhost:8080/ty")},
		{name: "http on 127.0.0.1", body: basic("http://127.0.0.1:8080/ty")},
		{name: "api key", body: map[string]any{"url": "https://hooks.example.com/k", "authenticationType": "API_KEY", "apiKey": "k", "subscribedStatuses": []string{"CREATED", "CANCELLED"}}},
		{name: "http elsewhere", body: basic("http://hooks.example.com/ty"), key: "webhook.url.invalid"},
		{name: "no url", body: basic(""), key: "webhook.url.invalid"},
		{name: "basic without password", body: map[string]any{"url": "https://hooks.example.com", "authenticationType": "BASIC_AUTHENTICATION", "username": "u"}, key: "webhook.authentication.invalid"},
		{name: "api key without key", body: map[string]any{"url": "https://hooks.example.com", "authenticationType": "API_KEY"}, key: "webhook.authentication.invalid"},
		{name: "unknown auth", body: map[string]any{"url": "https://hooks.example.com", "authenticationType": "OAUTH"}, key: "webhook.authentication.invalid"},
		{name: "unknown status", body: map[string]any{"url": "https://hooks.example.com", "authenticationType": "API_KEY", "apiKey": "k", "subscribedStatuses": []string{"Created"}}, key: "webhook.status.invalid"},
	}
	accepted := 0
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do(t, http.MethodPost, webhooksPath, tt.body, nil)
			if tt.key == "" {
				require.Equal(t, http.StatusOK, code, "%v", body)
				assert.NotEmpty(t, body["id"])
				accepted++
				return
			}
			require.Equal(t, http.StatusBadRequest, code)
			assert.Equal(t, tt.key, body["errors"].([]any)[0].(map[string]any)["key"])
		})
	}
	for accepted < 15 {
		code, _ := e.do(t, http.MethodPost, webhooksPath, basic("https://hooks.example.com/more"), nil)
		require.Equal(t, http.StatusOK, code)
		accepted++
	}
	code, body := e.do(t, http.MethodPost, webhooksPath, basic("https://hooks.example.com/16"), nil)
	assert.Equal(t, http.StatusBadRequest, code, "at most 15 per seller")
	assert.Equal(t, "webhook.limit.exceeded", body["errors"].([]any)[0].(map[string]any)["key"])

	r := httptest.NewRequest(http.MethodGet, webhooksPath, nil)
	r.SetBasicAuth("k", "s")
	r.Header.Set("User-Agent", "42 - SelfIntegration")
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code)
	var list []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	assert.Len(t, list, 15)
	assert.NotContains(t, rec.Body.String(), `"p"`, "passwords are not listed")
	assert.Len(t, list[0]["subscribedStatuses"], 13, "no statuses means all of them")

	code, _ = e.do(t, http.MethodPost, webhooksPath, basic("https://hooks.example.com"), func(r *http.Request) { r.SetBasicAuth("k", "x") })
	assert.Equal(t, http.StatusUnauthorized, code)
}

func TestTrendyolWebhookDelivery(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Second, WebhookBackoff: time.Millisecond, WebhookAttempts: 3}})
	e.batch(t, productsPath, validItem())

	all, cancels := &receiver{}, &receiver{fail: 2}
	// A receiver calling back into the sandbox while it is delivered to: deliveries must
	// not hold the imitation's lock.
	all.during = func() { _ = e.sb.Listings("trendyol") }
	allSrv, cancelSrv := httptest.NewServer(all), httptest.NewServer(cancels)
	t.Cleanup(allSrv.Close)
	t.Cleanup(cancelSrv.Close)
	code, _ := e.do(t, http.MethodPost, webhooksPath, map[string]any{"url": allSrv.URL, "authenticationType": "BASIC_AUTHENTICATION",
		"username": "stox", "password": "pw", "subscribedStatuses": []string{"CREATED", "CANCELLED"}}, nil)
	require.Equal(t, http.StatusOK, code)
	code, _ = e.do(t, http.MethodPost, webhooksPath, map[string]any{"url": cancelSrv.URL, "authenticationType": "API_KEY",
		"apiKey": "secret-key", "subscribedStatuses": []string{"CANCELLED"}}, nil)
	require.Equal(t, http.StatusOK, code)

	id, err := e.sb.PlaceOrder("trendyol", "SKU-1", 2)
	require.NoError(t, err)
	require.NoError(t, e.sb.CancelOrder("trendyol", id))
	require.Eventually(t, func() bool {
		st := e.sb.TrendyolWebhookStats()
		return st.Pending == 0 && st.Delivered == 3
	}, 5*time.Second, 5*time.Millisecond)
	st := e.sb.TrendyolWebhookStats()
	assert.Equal(t, 0, st.Failed)
	assert.Equal(t, 5, st.Attempts, "two deliveries at once, one after two failures")

	bodies, auth := all.got()
	require.Len(t, bodies, 2)
	assert.Equal(t, []string{"basic stox:pw", "basic stox:pw"}, auth)
	assert.Equal(t, "Created", bodies[0]["status"], "deliveries to one webhook keep their order")
	assert.Equal(t, "Cancelled", bodies[1]["status"])
	for _, b := range bodies {
		assert.Equal(t, id, strconv.FormatFloat(b["shipmentPackageId"].(float64), 'f', -1, 64))
		line := b["lines"].([]any)[0].(map[string]any)
		assert.Equal(t, "SKU-1", line["stockCode"])
		assert.EqualValues(t, 2, line["quantity"])
	}
	bodies, auth = cancels.got()
	require.Len(t, bodies, 1, "only the subscribed status")
	assert.Equal(t, "Cancelled", bodies[0]["status"])
	assert.Equal(t, []string{"key secret-key"}, auth)

	// A receiver that refuses every delivery: tried WebhookAttempts times, then failed.
	all.mu.Lock()
	all.status = http.StatusUnauthorized
	all.mu.Unlock()
	_, err = e.sb.PlaceOrder("trendyol", "SKU-1", 1)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		st := e.sb.TrendyolWebhookStats()
		return st.Pending == 0 && st.Failed == 1
	}, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, 8, e.sb.TrendyolWebhookStats().Attempts)

	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/sandbox/trendyol/webhooks/stats", nil))
	assert.JSONEq(t, `{"delivered":3,"failed":1,"attempts":8,"pending":0}`, rec.Body.String())
}
