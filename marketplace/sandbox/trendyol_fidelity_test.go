package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

// TestTrendyolOrdersWindow: the orders endpoint takes a window of at most two weeks
// and about a month of history [C S-TY7], and refuses the rest with a 400 in
// Trendyol's error shape.
func TestTrendyolOrdersWindow(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{RateLimit: 1000}})
	now := e.now.UnixMilli()
	day := (24 * time.Hour).Milliseconds()
	q := func(start, end int64) string {
		return "?startDate=" + strconv.FormatInt(start, 10) + "&endDate=" + strconv.FormatInt(end, 10)
	}
	tests := []struct {
		name  string
		query string
		key   string // refusal's key; "" means 200
	}{
		{"no dates: the last two weeks", "", ""},
		{"two weeks exactly", q(now-14*day, now), ""},
		{"only an end", "?endDate=" + strconv.FormatInt(now, 10), ""},
		{"four weeks back, two weeks wide", q(now-28*day, now-14*day), ""},
		{"startDate 0 and no end", "?startDate=0", "invalid.date.range"},
		{"a millisecond over two weeks", q(now-14*day-1, now), "invalid.date.range"},
		{"end before start", q(now, now-1), "invalid.date.range"},
		{"older than a month", q(now-31*day, now-20*day), "invalid.start.date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := e.do(t, http.MethodGet, ordersPath+tt.query, nil, nil)
			if tt.key == "" {
				assert.Equal(t, http.StatusOK, code, "%v", body)
				assert.Contains(t, body, "content")
				return
			}
			assert.Equal(t, http.StatusBadRequest, code)
			errs, _ := body["errors"].([]any)
			require.Len(t, errs, 1, "%v", body)
			got := errs[0].(map[string]any)
			assert.Equal(t, tt.key, got["key"])
			assert.Equal(t, "400", got["errorCode"])
			assert.NotEmpty(t, got["message"])
		})
	}

	// Both ends are inclusive: a package at a window's end is in that window and at
	// the next one's start.
	_, body := e.do(t, http.MethodPost, productsPath, map[string]any{"items": []any{validItem()}}, nil)
	require.NotEmpty(t, body["batchRequestId"])
	e.now = e.now.Add(3 * time.Second)
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/sandbox/trendyol/orders", strings.NewReader(`{"stockCode":"SKU-1","quantity":1}`)))
	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	at := e.now.UnixMilli()
	for _, w := range []struct {
		start, end int64
		want       int
	}{{at - day, at, 1}, {at, at + day, 1}, {at - day, at - 1, 0}, {at + 1, at + day, 0}} {
		code, body := e.do(t, http.MethodGet, ordersPath+q(w.start, w.end)+"&orderByField=PackageLastModifiedDate", nil, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		assert.Len(t, body["content"], w.want, "window %d–%d", w.start-at, w.end-at)
	}
}

// TestTrendyolPriceLimit: price-and-inventory takes 30 price changes a minute per
// barcode [C S-TY10]; the 31st is refused, whole, in the batch result, while stock
// alone, an unchanged price and other barcodes go on, and the next minute takes
// changes again.
func TestTrendyolPriceLimit(t *testing.T) {
	e := newEnv(t, sandbox.Options{Trendyol: sandbox.TrendyolOptions{RateLimit: 1000}})
	other := validItem()
	other["barcode"], other["stockCode"] = "BC-002", "SKU-2"
	statuses, reasons := outcomes(e.batch(t, productsPath, validItem(), other))
	require.Equal(t, []string{"SUCCESS", "SUCCESS"}, statuses, "%q", reasons)

	send := func(items ...any) string {
		t.Helper()
		code, body := e.do(t, http.MethodPost, inventoryPath, map[string]any{"items": items}, nil)
		require.Equal(t, http.StatusOK, code, "%v", body)
		return body["batchRequestId"].(string)
	}
	result := func(id string) ([]string, [][]string) {
		t.Helper()
		code, body := e.do(t, http.MethodGet, batchPath+id, nil, nil)
		require.Equal(t, http.StatusOK, code)
		return outcomes(body)
	}
	price := func(barcode string, quantity int, sale float64) map[string]any {
		return map[string]any{"barcode": barcode, "quantity": quantity, "salePrice": sale, "listPrice": 120}
	}

	var ids []string
	for i := range 30 {
		ids = append(ids, send(price("BC-001", 10, 70+float64(i))))
	}
	tests := []struct {
		name   string
		item   map[string]any
		status string
	}{
		{"a 31st price change", price("BC-001", 9, 98.5), "FAILED"},
		{"stock alone", map[string]any{"barcode": "BC-001", "quantity": 8}, "SUCCESS"},
		{"the price last asked for, unchanged", price("BC-001", 7, 99), "SUCCESS"},
		{"another barcode", price("BC-002", 6, 99), "SUCCESS"},
	}
	for _, tt := range tests {
		ids = append(ids, send(tt.item))
	}
	e.now = e.now.Add(3 * time.Second)
	for i, id := range ids[:30] {
		statuses, reasons := result(id)
		assert.Equal(t, []string{"SUCCESS"}, statuses, "change %d: %q", i+1, reasons)
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			statuses, reasons := result(ids[30+i])
			require.Len(t, statuses, 1)
			assert.Equal(t, tt.status, statuses[0], "%q", reasons)
			if tt.status == "FAILED" {
				assert.Contains(t, strings.Join(reasons[0], " "), "dakikada en fazla 30 fiyat")
				assert.Contains(t, strings.Join(reasons[0], " "), "at most 30 price updates")
			}
		})
	}
	p, ok := e.sb.TrendyolProduct("BC-001")
	require.True(t, ok)
	assert.Equal(t, 99.0, p.SalePrice, "the 30th change stands, the 31st was refused")
	assert.Equal(t, 7, p.Quantity, "the refused item's quantity was not taken either")
	assert.Equal(t, e.now.Add(-time.Second).UnixMilli(), p.PriceUpdatedAt)

	e.now = e.now.Add(time.Minute)
	id := send(price("BC-001", 5, 55))
	e.now = e.now.Add(3 * time.Second)
	statuses, reasons = result(id)
	assert.Equal(t, []string{"SUCCESS"}, statuses, "a minute later: %q", reasons)
}
