package sandbox_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

const (
	hbMerchant = "0b8c7a1e-2f3d-4c5b-9a6e-7d8f9a0b1c2d"
	hbKey      = "Abc123Def456"
	hbAgent    = "acme_dev"

	hbImportPath = "/product/api/products/import"
	hbStatusPath = "/product/api/products/status/"
	hbStockPath  = "/listings/merchantid/" + hbMerchant + "/stock-uploads"
	hbPricePath  = "/listings/merchantid/" + hbMerchant + "/price-uploads"
	hbOrdersPath = "/orders/merchantid/" + hbMerchant
)

func hbItem(sku string) map[string]any {
	return map[string]any{
		"categoryId": 18021982, "merchant": hbMerchant,
		"attributes": map[string]any{
			"merchantSku": sku, "VaryantGroupID": sku, "Barcode": "BC-" + sku, "UrunAdi": "Seramik kupa",
			"UrunAciklamasi": "<p>Kupa</p>", "Marka": "Stox", "GarantiSuresi": 24, "kg": "1", "tax_vat_rate": "20",
			"price": "130,50", "stock": "13", "Image1": marketplacetest.ImageURL(800, 800),
		},
	}
}

func TestValidateHepsiburadaItem(t *testing.T) {
	attr := func(k string, v any) func(m map[string]any) {
		return func(m map[string]any) {
			a := m["attributes"].(map[string]any)
			if v == nil {
				delete(a, k)
				return
			}
			a[k] = v
		}
	}
	tests := []struct {
		name   string
		change func(m map[string]any)
		reason string // a substring of the one expected reason; "" means valid
	}{
		{name: "valid", change: func(map[string]any) {}},
		{name: "title of 200 runes", change: attr("UrunAdi", strings.Repeat("ş", 200))},
		{name: "title of 201 runes", change: attr("UrunAdi", strings.Repeat("ş", 201)), reason: "UrunAdi must be at most 200"},
		{name: "missing title", change: attr("UrunAdi", nil), reason: "UrunAdi is required"},
		{name: "missing merchantSku", change: attr("merchantSku", nil), reason: "merchantSku is required"},
		{name: "missing brand", change: attr("Marka", nil), reason: "Marka is required"},
		{name: "missing description", change: attr("UrunAciklamasi", ""), reason: "UrunAciklamasi is required"},
		{name: "barcode with slash", change: attr("Barcode", "BC/1"), reason: "Barcode must be"},
		{name: "vat 18", change: attr("tax_vat_rate", "18"), reason: "tax_vat_rate must be one of 0, 1, 5, 10, 20"},
		{name: "vat 8", change: attr("tax_vat_rate", "8"), reason: `got "8"`},
		{name: "vat 20,0", change: attr("tax_vat_rate", "20,0"), reason: "tax_vat_rate must be one of"},
		{name: "vat 5 as in hepsiburada's sample", change: attr("tax_vat_rate", "5")},
		{name: "vat 1", change: attr("tax_vat_rate", "1")},
		{name: "vat 0", change: attr("tax_vat_rate", "0")},
		{name: "vat as number", change: attr("tax_vat_rate", 10)},
		{name: "price with dot", change: attr("price", "130.50"), reason: "decimal comma"},
		{name: "price whole", change: attr("price", "130")},
		{name: "price zero", change: attr("price", "0,00"), reason: "positive amount"},
		{name: "price as number", change: attr("price", 130.5), reason: "decimal comma"},
		{name: "stock negative", change: attr("stock", "-1"), reason: "stock must be a whole number"},
		{name: "stock missing", change: attr("stock", nil), reason: "stock is required"},
		{name: "kg zero", change: attr("kg", "0"), reason: "kg must be a positive"},
		{name: "warranty not a number", change: attr("GarantiSuresi", "iki yıl"), reason: "GarantiSuresi must be"},
		{name: "no image", change: attr("Image1", nil), reason: "Image1 is required"},
		{name: "http image", change: attr("Image1", "http://img.example.com/1.jpg"), reason: "must be an HTTPS address"},
		{name: "http second image", change: attr("Image2", "http://img.example.com/2.jpg"), reason: "Image2: "},
		{name: "image too small", change: attr("Image1", marketplacetest.ImageURL(499, 900)), reason: "at least 500×500"},
		{name: "image of 500 px", change: attr("Image1", marketplacetest.ImageURL(500, 500))},
		{name: "not an image", change: attr("Image1", marketplacetest.NotAnImageURL()), reason: "not an image"},
		{name: "image not found", change: attr("Image3", marketplacetest.MissingImageURL()), reason: "HTTP 404"},
		{name: "ten images", change: func(m map[string]any) {
			for i := 2; i <= 10; i++ {
				attr(fmt.Sprintf("Image%d", i), marketplacetest.ImageURL(600+i, 600))(m)
			}
		}},
		{name: "eleven images", change: attr("Image11", "https://img.example.com/11.jpg"), reason: "at most 10 images"},
		{name: "missing category", change: func(m map[string]any) { delete(m, "categoryId") }, reason: "categoryId is required"},
		{name: "another merchant", change: func(m map[string]any) { m["merchant"] = "someone-else" }, reason: "merchant must be"},
	}
	e := newHBEnv(t, sandbox.HepsiburadaOptions{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := hbItem("SKU-1")
			tt.change(m)
			raw, err := json.Marshal(m)
			require.NoError(t, err)
			failures, sku := e.sb.ValidateHepsiburadaItem(context.Background(), raw)
			if tt.reason == "" {
				assert.Empty(t, failures)
				assert.Equal(t, "SKU-1", sku)
				return
			}
			require.Len(t, failures, 1, "failures: %+v", failures)
			assert.Contains(t, failures[0].Message, tt.reason)
		})
	}

	t.Run("contract's bad listing gives three reasons", func(t *testing.T) {
		m := hbItem("SKU-1")
		attr("UrunAdi", strings.Repeat("x", 300))(m)
		attr("tax_vat_rate", "18")(m)
		attr("Image1", "http://insecure.example.com/1.jpg")(m)
		raw, _ := json.Marshal(m)
		failures, _ := e.sb.ValidateHepsiburadaItem(context.Background(), raw)
		assert.Len(t, failures, 3, "%+v", failures)
	})
}

// hbEnv is a sandbox on a fixed clock with a caller that signs Hepsiburada requests.
type hbEnv struct {
	sb  *sandbox.Server
	now time.Time
}

func newHBEnv(t *testing.T, o sandbox.HepsiburadaOptions) *hbEnv {
	t.Helper()
	e := &hbEnv{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	o.MerchantID, o.ServiceKey, o.UserAgent = hbMerchant, hbKey, hbAgent
	e.sb = sandbox.New(sandbox.Options{Now: func() time.Time { return e.now }, Hepsiburada: o})
	return e
}

// do sends body as JSON (or as is when it is a *bytes.Buffer with mod setting the
// content type) and returns the recorder.
func (e *hbEnv) do(t *testing.T, method, path string, body any, mod func(*http.Request)) *httptest.ResponseRecorder {
	t.Helper()
	var buf *bytes.Buffer
	switch b := body.(type) {
	case *bytes.Buffer:
		buf = b
	case nil:
		buf = &bytes.Buffer{}
	default:
		buf = &bytes.Buffer{}
		require.NoError(t, json.NewEncoder(buf).Encode(b))
	}
	r := httptest.NewRequest(method, path, buf)
	r.SetBasicAuth(hbMerchant, hbKey)
	r.Header.Set("User-Agent", hbAgent)
	if mod != nil {
		mod(r)
	}
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	return rec
}

func decode(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out), rec.Body.String())
	return out
}

func TestHepsiburadaAuth(t *testing.T) {
	mods := map[string]func(*http.Request){
		"no user agent":        func(r *http.Request) { r.Header.Del("User-Agent") },
		"merchant-prefixed UA": func(r *http.Request) { r.Header.Set("User-Agent", hbMerchant+" - "+hbAgent) },
		"wrong key":            func(r *http.Request) { r.SetBasicAuth(hbMerchant, "Zzz123Def456") },
		"integrator as user":   func(r *http.Request) { r.SetBasicAuth(hbAgent, hbKey) },
		"no auth":              func(r *http.Request) { r.Header.Del("Authorization") },
	}
	for name, mod := range mods {
		t.Run(name, func(t *testing.T) {
			e := newHBEnv(t, sandbox.HepsiburadaOptions{})
			rec := e.do(t, http.MethodGet, hbStatusPath+"nope", nil, mod)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, false, decode(t, rec)["success"], "catalog answers with its envelope")

			rec = e.do(t, http.MethodGet, hbStockPath+"/id/nope", nil, mod)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Equal(t, "Missing Credentials!", rec.Body.String())
			assert.Contains(t, rec.Header().Get("Content-Type"), "text/plain")

			rec = e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10", nil, mod)
			assert.Equal(t, http.StatusUnauthorized, rec.Code)
			assert.Empty(t, rec.Body.String(), "the order service's 401 has no body")
		})
	}
	t.Run("ok and revoked", func(t *testing.T) {
		e := newHBEnv(t, sandbox.HepsiburadaOptions{})
		assert.Equal(t, http.StatusOK, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10", nil, nil).Code)
		assert.Equal(t, http.StatusUnauthorized, e.do(t, http.MethodGet, "/orders/merchantid/another?offset=0&limit=10", nil, nil).Code,
			"another merchant's path")
		require.NoError(t, e.sb.SetRevoked("hepsiburada", true))
		assert.Equal(t, http.StatusUnauthorized, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10", nil, nil).Code)
	})
}

func multipartFile(t *testing.T, name string, v any) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	w, err := mw.CreateFormFile(name, "integrator.json")
	require.NoError(t, err)
	require.NoError(t, json.NewEncoder(w).Encode(v))
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

func TestHepsiburadaImportLifecycle(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{ProcessDelay: 3 * time.Second})
	bad := hbItem("SKU-2")
	bad["attributes"].(map[string]any)["tax_vat_rate"] = "18"
	body, ct := multipartFile(t, "file", []any{hbItem("SKU-1"), bad})
	rec := e.do(t, http.MethodPost, hbImportPath, body, func(r *http.Request) { r.Header.Set("Content-Type", ct) })
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	out := decode(t, rec)
	assert.Equal(t, true, out["success"])
	id, _ := out["data"].(map[string]any)["trackingId"].(string)
	require.NotEmpty(t, id)

	data := decode(t, e.do(t, http.MethodGet, hbStatusPath+id, nil, nil))["data"].(map[string]any)
	assert.Equal(t, "PROCESSING", data["status"])
	for _, it := range data["items"].([]any) {
		assert.Equal(t, "PROCESSING", it.(map[string]any)["status"], "no outcome before processing")
	}
	assert.Empty(t, e.sb.Listings("hepsiburada"))

	e.now = e.now.Add(3 * time.Second)
	data = decode(t, e.do(t, http.MethodGet, hbStatusPath+id, nil, nil))["data"].(map[string]any)
	assert.Equal(t, "COMPLETED", data["status"])
	items := data["items"].([]any)
	require.Len(t, items, 2)
	assert.Equal(t, "SUCCESS", items[0].(map[string]any)["status"])
	failed := items[1].(map[string]any)
	assert.Equal(t, "FAILED", failed["status"])
	assert.Equal(t, "SKU-2", failed["merchantSku"])
	require.Len(t, failed["validationResults"], 1)
	assert.Equal(t, map[string]int{"SKU-1": 13}, e.sb.Listings("hepsiburada"))

	// A plain JSON body is taken too; a part with another name is not.
	rec = e.do(t, http.MethodPost, hbImportPath, []any{hbItem("SKU-3")}, func(r *http.Request) { r.Header.Set("Content-Type", "application/json") })
	assert.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	body, ct = multipartFile(t, "products", []any{hbItem("SKU-4")})
	rec = e.do(t, http.MethodPost, hbImportPath, body, func(r *http.Request) { r.Header.Set("Content-Type", ct) })
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, decode(t, rec)["message"], `part named "file"`)

	rec = e.do(t, http.MethodGet, hbStatusPath+"missing", nil, nil)
	assert.Equal(t, http.StatusNotFound, rec.Code)
}

func TestHepsiburadaUploads(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{ProcessDelay: time.Second})
	require.Equal(t, http.StatusOK, e.do(t, http.MethodPost, hbImportPath, []any{hbItem("SKU-1")}, nil).Code)
	e.now = e.now.Add(time.Second)
	require.Equal(t, map[string]int{"SKU-1": 13}, e.sb.Listings("hepsiburada"))

	rec := e.do(t, http.MethodPost, hbStockPath, []any{
		map[string]any{"merchantSku": "SKU-1", "availableStock": 4},
		map[string]any{"merchantSku": "NOPE", "availableStock": 1},
		map[string]any{"merchantSku": "SKU-1", "availableStock": -2},
	}, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	stockID := decode(t, rec)["id"].(string)
	rec = e.do(t, http.MethodPost, hbPricePath, []any{map[string]any{"merchantSku": "SKU-1", "price": 99.9}}, nil)
	require.Equal(t, http.StatusOK, rec.Code)
	priceID := decode(t, rec)["id"].(string)

	out := decode(t, e.do(t, http.MethodGet, hbStockPath+"/id/"+stockID, nil, nil))
	assert.Equal(t, "PROCESSING", out["status"])
	assert.Empty(t, out["errors"])
	assert.Equal(t, 13, e.sb.Listings("hepsiburada")["SKU-1"], "nothing applied before processing")

	e.now = e.now.Add(time.Second)
	out = decode(t, e.do(t, http.MethodGet, hbStockPath+"/id/"+stockID, nil, nil))
	assert.Equal(t, "COMPLETED_WITH_ERRORS", out["status"])
	assert.EqualValues(t, 3, out["total"])
	errs := out["errors"].([]any)
	require.Len(t, errs, 2)
	assert.EqualValues(t, 1, errs[0].(map[string]any)["elementNo"])
	assert.Equal(t, []any{"listing not found"}, errs[0].(map[string]any)["errors"])
	assert.EqualValues(t, 2, errs[1].(map[string]any)["elementNo"])
	assert.Equal(t, 4, e.sb.Listings("hepsiburada")["SKU-1"])

	out = decode(t, e.do(t, http.MethodGet, hbPricePath+"/id/"+priceID, nil, nil))
	assert.Equal(t, "COMPLETED", out["status"])
	assert.Contains(t, out, "priceValidations")
	assert.Equal(t, http.StatusNotFound, e.do(t, http.MethodGet, hbPricePath+"/id/"+stockID, nil, nil).Code, "a stock id is not a price upload")

	assert.Equal(t, http.StatusBadRequest, e.do(t, http.MethodPost, hbStockPath, []any{}, nil).Code)
	assert.Equal(t, http.StatusBadRequest, e.do(t, http.MethodPost, hbStockPath, map[string]any{"merchantSku": "SKU-1"}, nil).Code)

	listed := decode(t, e.do(t, http.MethodGet, "/listings/merchantid/"+hbMerchant+"?offset=0&limit=10", nil, nil))
	require.Len(t, listed["listings"], 1)
	row := listed["listings"].([]any)[0].(map[string]any)
	assert.Equal(t, "SKU-1", row["merchantSku"])
	assert.EqualValues(t, 99.9, row["price"])
	assert.EqualValues(t, 4, row["availableStock"])
}

func TestHepsiburadaRateLimits(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{RateLimit: 3, OrderRateLimit: 2, RateWindow: 10 * time.Second})
	orders := hbOrdersPath + "?offset=0&limit=10"
	for i := range 2 {
		require.Equal(t, http.StatusOK, e.do(t, http.MethodGet, orders, nil, nil).Code, "request %d", i+1)
	}
	rec := e.do(t, http.MethodGet, orders, nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "2", rec.Header().Get("X-RateLimit-Limit"))
	assert.Equal(t, "0", rec.Header().Get("X-RateLimit-Remaining"))
	assert.Equal(t, "10", rec.Header().Get("X-RateLimit-Reset"))
	assert.EqualValues(t, 429, decode(t, rec)["statusCode"])

	for range 3 {
		require.Equal(t, http.StatusNotFound, e.do(t, http.MethodGet, hbStatusPath+"x", nil, nil).Code, "the catalog has its own budget")
	}
	rec = e.do(t, http.MethodGet, hbStatusPath+"x", nil, nil)
	assert.Equal(t, http.StatusForbidden, rec.Code, "the catalog answers over-limit with 403")
	assert.Contains(t, decode(t, rec)["message"], "Rate limit exceeded")

	for range 3 {
		require.Equal(t, http.StatusNotFound, e.do(t, http.MethodGet, hbStockPath+"/id/x", nil, nil).Code)
	}
	rec = e.do(t, http.MethodGet, hbStockPath+"/id/x", nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.Equal(t, "3", rec.Header().Get("X-RateLimit-Limit"))

	e.now = e.now.Add(10 * time.Second)
	assert.Equal(t, http.StatusOK, e.do(t, http.MethodGet, orders, nil, nil).Code, "the window has passed")
}

func TestHepsiburadaOrders(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{ProcessDelay: time.Second})
	require.Equal(t, http.StatusOK, e.do(t, http.MethodPost, hbImportPath, []any{hbItem("SKU-1")}, nil).Code)
	e.now = e.now.Add(time.Second)

	for _, q := range []string{"", "?offset=0", "?limit=10"} {
		rec := e.do(t, http.MethodGet, hbOrdersPath+q, nil, nil)
		assert.Equal(t, http.StatusBadRequest, rec.Code, q)
		assert.Equal(t, "limit and offset parameters are required", decode(t, rec)["message"])
	}
	assert.Equal(t, http.StatusBadRequest, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10&begindate=yesterday", nil, nil).Code)

	hook := func(method, path, body string) (int, map[string]any) {
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		var out map[string]any
		_ = json.Unmarshal(rec.Body.Bytes(), &out)
		return rec.Code, out
	}
	code, placed := hook(http.MethodPost, "/sandbox/hepsiburada/orders", `{"stockCode":"SKU-1","quantity":5}`)
	require.Equal(t, http.StatusCreated, code)
	number := placed["orderId"].(string)
	code, _ = hook(http.MethodPost, "/sandbox/hepsiburada/orders", `{"stockCode":"SKU-1","quantity":9}`)
	assert.Equal(t, http.StatusConflict, code, "only 8 left")
	e.now = e.now.Add(time.Hour)
	_, second := hook(http.MethodPost, "/sandbox/hepsiburada/orders", `{"stockCode":"SKU-1","quantity":1}`)
	assert.Equal(t, 7, e.sb.Listings("hepsiburada")["SKU-1"])

	out := decode(t, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=1", nil, nil))
	assert.EqualValues(t, 2, out["totalCount"])
	assert.EqualValues(t, 2, out["pageCount"])
	items := out["items"].([]any)
	require.Len(t, items, 1)
	line := items[0].(map[string]any)
	assert.Equal(t, number, line["orderNumber"])
	assert.Equal(t, "SKU-1", line["merchantSKU"])
	assert.Equal(t, "Open", line["status"])
	assert.EqualValues(t, 5, line["quantity"])
	assert.Equal(t, map[string]any{"currency": "TRY", "amount": 652.5}, line["totalPrice"])
	assert.NotEmpty(t, line["id"])

	// begindate is Turkish time: 13:00 UTC is 16:00 there, which leaves only the later order.
	out = decode(t, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10&begindate=2026-11-25%2015:30", nil, nil))
	require.Len(t, out["items"], 1)
	assert.Equal(t, second["orderId"], out["items"].([]any)[0].(map[string]any)["orderNumber"])

	code, _ = hook(http.MethodPost, "/sandbox/hepsiburada/orders/"+number+"/cancel", "")
	require.Equal(t, http.StatusOK, code)
	code, _ = hook(http.MethodPost, "/sandbox/hepsiburada/orders/"+number+"/cancel", "")
	assert.Equal(t, http.StatusConflict, code, "already cancelled")
	code, _ = hook(http.MethodPost, "/sandbox/hepsiburada/orders/404/cancel", "")
	assert.Equal(t, http.StatusNotFound, code)
	assert.Equal(t, 12, e.sb.Listings("hepsiburada")["SKU-1"], "the cancel gave 5 back")

	out = decode(t, e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10", nil, nil))
	assert.EqualValues(t, 1, out["totalCount"], "a cancelled line leaves the open list")
	out = decode(t, e.do(t, http.MethodGet, hbOrdersPath+"/cancelled?offset=0&limit=10", nil, nil))
	require.Len(t, out["items"], 1)
	cancelled := out["items"].([]any)[0].(map[string]any)
	assert.Equal(t, "Cancelled", cancelled["status"])
	assert.Equal(t, number, cancelled["orderNumber"])
}

func TestHepsiburadaFaultShapes(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{})
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return e.now }, Faults: sandbox.Faults{ErrorRate: 1},
		Hepsiburada: sandbox.HepsiburadaOptions{MerchantID: hbMerchant, ServiceKey: hbKey, UserAgent: hbAgent}})
	e.sb = sb
	rec := e.do(t, http.MethodGet, hbOrdersPath+"?offset=0&limit=10", nil, nil)
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	out := decode(t, rec)
	assert.EqualValues(t, 500, out["statusCode"])
	assert.NotEmpty(t, out["correlationId"])

	e.sb = sandbox.New(sandbox.Options{Now: func() time.Time { return e.now }, Faults: sandbox.Faults{StormEvery: time.Minute, StormLength: time.Minute},
		Hepsiburada: sandbox.HepsiburadaOptions{MerchantID: hbMerchant, ServiceKey: hbKey, UserAgent: hbAgent}})
	rec = e.do(t, http.MethodGet, hbStatusPath+"x", nil, nil)
	assert.Equal(t, http.StatusTooManyRequests, rec.Code)
	assert.NotEmpty(t, rec.Header().Get("X-RateLimit-Reset"))
}
