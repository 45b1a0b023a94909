package trendyol_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/trendyol"
)

// wire is a fake Trendyol that records every request and answers each POST with a
// new batch ID, orders with nothing, and batch polls from results.
type wire struct {
	mu       sync.Mutex
	requests []wireRequest
	fail     bool                      // answer the next POST with a 500
	results  map[string]map[string]any // batch ID → its result
}

type wireRequest struct {
	method, path string
	query        map[string][]string
	items        []map[string]any
}

func newWire(t *testing.T) (*wire, *httptest.Server) {
	w := &wire{results: map[string]map[string]any{}}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.mu.Lock()
		defer w.mu.Unlock()
		req := wireRequest{method: r.Method, path: r.URL.Path, query: r.URL.Query()}
		if r.Method == http.MethodPost {
			var body struct {
				Items []map[string]any `json:"items"`
			}
			require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
			req.items = body.Items
		}
		w.requests = append(w.requests, req)
		switch {
		case r.Method == http.MethodPost && w.fail:
			w.fail = false
			rw.WriteHeader(http.StatusInternalServerError)
			_, _ = rw.Write([]byte(`{"errors":[{"key":"generic.exception","message":"Exception Occured"}]}`))
		case r.Method == http.MethodPost:
			_, _ = fmt.Fprintf(rw, `{"batchRequestId":"b-%d"}`, len(w.requests))
		case strings.Contains(r.URL.Path, "/batch-requests/"):
			id := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
			require.NoError(t, json.NewEncoder(rw).Encode(w.results[id]))
		default:
			_, _ = rw.Write([]byte(`{"totalElements":0,"totalPages":0,"page":0,"size":200,"content":[]}`))
		}
	}))
	t.Cleanup(srv.Close)
	return w, srv
}

// take returns the requests since the last call.
func (w *wire) take() []wireRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.requests
	w.requests = nil
	return out
}

// clock is a fake clock whose Sleep moves it on and records the waits.
type clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return nil
}

func TestSpacedBarcodeOnTheWire(t *testing.T) {
	w, srv := newWire(t)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	l := marketplacetest.Listing("wire")
	l.Barcode = " 869 0000\t000012 "
	_, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 3}})
	require.NoError(t, err)
	_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: "other", Barcode: "869 0000 000013", Quantity: 4}})
	require.NoError(t, err)

	reqs := w.take()
	require.Len(t, reqs, 3)
	for i, want := range []string{"8690000000012", "8690000000012", "8690000000013"} {
		require.Len(t, reqs[i].items, 1)
		assert.Equal(t, want, reqs[i].items[0]["barcode"], "request %d (%s)", i+1, reqs[i].path)
	}
}

func TestSpacedBarcodeInTheResult(t *testing.T) {
	w, srv := newWire(t)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	spaced, plain := marketplacetest.Listing("spaced"), marketplacetest.Listing("plain")
	spaced.Barcode = "869 0000 000012"
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{spaced, plain})
	require.NoError(t, err)
	created := func(barcode, sku string) map[string]any {
		return map[string]any{"requestItem": map[string]any{"barcode": barcode,
			"product": map[string]any{"barcode": barcode, "stockCode": sku, "salePrice": 100, "listPrice": 120}}, "status": "SUCCESS"}
	}
	w.results[sub.ID] = map[string]any{"batchRequestId": sub.ID, "status": "COMPLETED", "batchRequestType": "ProductV2OnBoarding",
		"items": []any{created("8690000000012", spaced.SKU), created(plain.Barcode, plain.SKU)}}

	for name, c := range map[string]*trendyol.Client{
		"the client that sent it":        c,
		"a new client (after a restart)": trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"}),
	} {
		t.Run(name, func(t *testing.T) {
			done, err := c.Poll(context.Background(), sub.ID)
			require.NoError(t, err)
			require.True(t, done.Done)
			got := map[string]marketplace.ItemResult{}
			for _, it := range done.Items {
				got[it.SKU] = it
			}
			assert.Equal(t, "8690000000012", got[spaced.SKU].Barcode)
			if name == "the client that sent it" {
				assert.Empty(t, got[plain.SKU].Barcode, "held as given")
			} else {
				assert.Equal(t, plain.Barcode, got[plain.SKU].Barcode, "a client that did not send it names it")
			}
		})
	}
}

// TestPriceOnlyWhenChanged: a price goes only when it differs from the one Trendyol
// holds (the create's, then the last sent), and a repeat goes exactly as it went.
func TestPriceOnlyWhenChanged(t *testing.T) {
	w, srv := newWire(t)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	l := marketplacetest.Listing("price")
	l.Price, l.ListPrice = 100, 120
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	w.results[sub.ID] = map[string]any{"status": "COMPLETED", "batchRequestType": "ProductV2OnBoarding", "items": []any{map[string]any{
		"requestItem": map[string]any{"barcode": l.Barcode, "product": map[string]any{"barcode": l.Barcode, "stockCode": l.SKU,
			"salePrice": 100, "listPrice": 120}}, "status": "SUCCESS"}}}
	_, err = c.Poll(context.Background(), sub.ID)
	require.NoError(t, err)
	w.take()

	item := func(q int, prices ...float64) map[string]any {
		m := map[string]any{"barcode": l.Barcode, "quantity": float64(q)}
		if len(prices) == 2 {
			m["salePrice"], m["listPrice"] = prices[0], prices[1]
		}
		return m
	}
	tests := []struct {
		name  string
		stock marketplace.Stock
		want  map[string]any
	}{
		{"the create's price", marketplace.Stock{Quantity: 5, Price: 100, ListPrice: 120}, item(5)},
		{"a new price", marketplace.Stock{Quantity: 5, Price: 95, ListPrice: 120}, item(5, 95, 120)},
		{"the same again: sent as it went", marketplace.Stock{Quantity: 5, Price: 95, ListPrice: 120}, item(5, 95, 120)},
		{"new stock, same price", marketplace.Stock{Quantity: 6, Price: 95, ListPrice: 120}, item(6)},
		{"the same again", marketplace.Stock{Quantity: 6, Price: 95, ListPrice: 120}, item(6)},
		{"stock only", marketplace.Stock{Quantity: 7}, item(7)},
		{"list price alone defaults to the sale price", marketplace.Stock{Quantity: 7, Price: 90}, item(7, 90, 90)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.stock.SKU = l.SKU
			_, err := c.PushStock(context.Background(), []marketplace.Stock{tt.stock})
			require.NoError(t, err)
			reqs := w.take()
			require.Len(t, reqs, 1)
			assert.Equal(t, []map[string]any{tt.want}, reqs[0].items)
		})
	}

	t.Run("a price trendyol refused goes again", func(t *testing.T) {
		w.fail = true
		_, err := c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 8, Price: 80, ListPrice: 120}})
		require.Error(t, err)
		_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 8, Price: 80, ListPrice: 120}})
		require.NoError(t, err)
		reqs := w.take()
		require.Len(t, reqs, 2)
		assert.Equal(t, []map[string]any{item(8, 80, 120)}, reqs[1].items, "the failed request left nothing behind")

		w.results["b-bad"] = map[string]any{"batchRequestType": "ProductInventoryUpdate", "items": []any{map[string]any{
			"requestItem": map[string]any{"barcode": l.Barcode, "quantity": 9, "salePrice": 70, "listPrice": 120},
			"status":      "FAILED", "failureReasons": []string{"no"}}}}
		_, err = c.Poll(context.Background(), "b-bad")
		require.NoError(t, err)
		_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 8, Price: 80, ListPrice: 120}})
		require.NoError(t, err)
		reqs = w.take()
		require.Len(t, reqs, 2)
		assert.Equal(t, []map[string]any{item(8, 80, 120)}, reqs[1].items, "after a refused item the price is sent again")
	})
}

// TestPricePacing: past PriceChanges changes in PriceWindow, the stock goes at once
// without the price, and the price follows on its own once the window has room; the
// submission joins both batches and Poll merges their items.
func TestPricePacing(t *testing.T) {
	w, srv := newWire(t)
	clk := &clock{now: time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)}
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s",
		PriceChanges: 2, PriceWindow: time.Minute, Now: clk.Now, Sleep: clk.Sleep})
	push := func(ctx context.Context, q int, price float64) (marketplace.Submission, error) {
		return c.PushStock(ctx, []marketplace.Stock{
			{SKU: "A", Barcode: "BC-A", Quantity: q, Price: price, ListPrice: 200},
			{SKU: "B", Barcode: "BC-B", Quantity: q},
		})
	}
	for i := range 2 {
		_, err := push(context.Background(), 10+i, 100+float64(i))
		require.NoError(t, err)
	}
	w.take()
	require.Empty(t, clk.sleeps, "two changes fit the limit")

	start := clk.Now()
	sub, err := push(context.Background(), 5, 150)
	require.NoError(t, err)
	reqs := w.take()
	require.Len(t, reqs, 2)
	assert.Equal(t, []map[string]any{{"barcode": "BC-A", "quantity": 5.0}, {"barcode": "BC-B", "quantity": 5.0}}, reqs[0].items,
		"the stock goes first, without the price")
	assert.Equal(t, []map[string]any{{"barcode": "BC-A", "salePrice": 150.0, "listPrice": 200.0}}, reqs[1].items,
		"then the price, alone")
	require.Len(t, clk.sleeps, 1)
	assert.GreaterOrEqual(t, clk.Now().Sub(start), time.Minute, "the price waited for the window")
	ids := strings.Split(sub.ID, ",")
	require.Len(t, ids, 2)

	t.Run("poll merges the batches per SKU", func(t *testing.T) {
		w.results[ids[0]] = map[string]any{"batchRequestType": "ProductInventoryUpdate", "items": []any{
			map[string]any{"requestItem": map[string]any{"barcode": "BC-A", "quantity": 5}, "status": "SUCCESS"},
			map[string]any{"requestItem": map[string]any{"barcode": "BC-B", "quantity": 5}, "status": "SUCCESS"}}}
		w.results[ids[1]] = map[string]any{"batchRequestType": "ProductInventoryUpdate", "items": []any{
			map[string]any{"requestItem": map[string]any{"barcode": "BC-A", "salePrice": 150, "listPrice": 200}, "status": "FAILED",
				"failureReasons": []string{"price refused"}}}}
		done, err := c.Poll(context.Background(), sub.ID)
		require.NoError(t, err)
		assert.True(t, done.Done)
		assert.Equal(t, []marketplace.ItemResult{
			{SKU: "A", State: marketplace.SubmissionRejected, Reasons: []string{"price refused"}},
			{SKU: "B", State: marketplace.SubmissionAccepted},
		}, done.Items)
	})

	t.Run("a wait the context ends", func(t *testing.T) {
		w.take()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s",
			PriceChanges: 1, Now: clk.Now, Sleep: func(context.Context, time.Duration) error { return ctx.Err() }})
		_, err := c.PushStock(context.Background(), []marketplace.Stock{{SKU: "C", Barcode: "BC-C", Quantity: 1, Price: 1}})
		require.NoError(t, err)
		_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: "C", Barcode: "BC-C", Quantity: 2, Price: 2}})
		assert.ErrorIs(t, err, context.Canceled)
		assert.ErrorContains(t, err, "were accepted", "the caller learns the stock went")
		reqs := w.take()
		require.Len(t, reqs, 2)
		assert.Equal(t, []map[string]any{{"barcode": "BC-C", "quantity": 2.0}}, reqs[1].items)
	})
}

// TestOrdersWindows: orders are asked for in windows of at most two weeks, starting
// two weeks back on the first read and at most 28 days back after, up to now.
func TestOrdersWindows(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	ms := func(t time.Time) int64 { return t.UnixMilli() }
	tests := []struct {
		name    string
		cursor  string
		windows [][2]time.Time
		next    time.Time
	}{
		{"first read", "", [][2]time.Time{{now.Add(-14 * day), now}}, now.Add(-14 * day)},
		{"a week back", strconv.FormatInt(ms(now.Add(-7*day)), 10) + ":1/Created", [][2]time.Time{{now.Add(-7 * day), now}}, now.Add(-7 * day)},
		{"three weeks back", strconv.FormatInt(ms(now.Add(-21*day)), 10) + ":",
			[][2]time.Time{{now.Add(-21 * day), now.Add(-7 * day)}, {now.Add(-7 * day), now}}, now.Add(-7 * day)},
		{"older than trendyol serves", "0:",
			[][2]time.Time{{now.Add(-28 * day), now.Add(-14 * day)}, {now.Add(-14 * day), now}}, now.Add(-14 * day)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, srv := newWire(t)
			c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s",
				Now: func() time.Time { return now }})
			orders, next, err := c.Orders(context.Background(), tt.cursor)
			require.NoError(t, err)
			assert.Empty(t, orders)
			var got [][2]time.Time
			for _, r := range w.take() {
				start, err1 := strconv.ParseInt(r.query["startDate"][0], 10, 64)
				end, err2 := strconv.ParseInt(r.query["endDate"][0], 10, 64)
				require.NoError(t, errors.Join(err1, err2))
				got = append(got, [2]time.Time{time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC()})
			}
			assert.Equal(t, tt.windows, got)
			assert.True(t, strings.HasPrefix(next, strconv.FormatInt(ms(tt.next), 10)+":"), "next cursor %s", next)
		})
	}
}
