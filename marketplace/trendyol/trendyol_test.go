package trendyol_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
)

func TestContract(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb := sandbox.New(sandbox.Options{
		Now:      func() time.Time { return start },
		Trendyol: sandbox.TrendyolOptions{SellerID: "123456", APIKey: "key", APISecret: "secret", ProcessDelay: 2 * time.Second},
	})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	newClient := func(t *testing.T) marketplace.Client {
		return trendyol.New(onClock(trendyol.Config{
			BaseURL: srv.URL, SellerID: "123456", APIKey: "key", APISecret: "secret",
			PageSize: 2, StockPageSize: 2, HTTPClient: srv.Client(),
		}, sb))
	}
	marketplacetest.Run(t, newClient, sb, valid)
	t.Run("fidelity", func(t *testing.T) { marketplacetest.RunTrendyolFidelity(t, newClient, sb, valid) })
}

// onClock runs an adapter on the sandbox's clock: it waits by moving that clock on.
func onClock(cfg trendyol.Config, sb *sandbox.Server) trendyol.Config {
	cfg.Now = sb.Now
	cfg.Sleep = func(ctx context.Context, d time.Duration) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sb.Advance(d)
		return nil
	}
	return cfg
}

// valid is a men's navy T-shirt, size M, mapped into the sandbox's Trendyol taxonomy.
func valid(prefix string) marketplace.Listing { return marketplacetest.TrendyolListing(prefix) }

func TestWireFormat(t *testing.T) {
	var got *http.Request
	var body map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
		_, _ = w.Write([]byte(`{"batchRequestId":"b-1"}`))
	}))
	t.Cleanup(srv.Close)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL + "/", SellerID: "77", APIKey: "k", APISecret: "s", CategoryID: 9})
	l := marketplacetest.Listing("wire")
	delete(l.Attributes, trendyol.AttrCategoryID)
	l.Attributes["trendyol_attribute_338"] = "6980"
	l.Attributes["trendyol_custom_47"] = "Beyaz"
	l.Attributes[trendyol.AttrDimensionalWeight] = "2.5"
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	assert.Equal(t, "b-1", sub.ID)
	require.NotNil(t, got)
	assert.Equal(t, "/integration/product/sellers/77/v2/products", got.URL.Path)
	assert.Equal(t, "77 - SelfIntegration", got.Header.Get("User-Agent"))
	user, pass, ok := got.BasicAuth()
	assert.True(t, ok)
	assert.Equal(t, "k:s", user+":"+pass)
	items := body["items"].([]any)
	require.Len(t, items, 1)
	it := items[0].(map[string]any)
	assert.Equal(t, l.Barcode, it["barcode"])
	assert.Equal(t, l.SKU, it["stockCode"])
	assert.Equal(t, l.SKU, it["productMainId"])
	assert.EqualValues(t, 1791, it["brandId"], "from the listing attribute")
	assert.EqualValues(t, 9, it["categoryId"], "from the configured default")
	assert.EqualValues(t, 2.5, it["dimensionalWeight"])
	assert.EqualValues(t, 120, it["listPrice"])
	assert.EqualValues(t, 100, it["salePrice"])
	assert.Equal(t, []any{map[string]any{"url": l.Images[0].URL}}, it["images"])
	assert.ElementsMatch(t, []any{
		map[string]any{"attributeId": float64(338), "attributeValueId": float64(6980)},
		map[string]any{"attributeId": float64(47), "customAttributeValue": "Beyaz"},
	}, it["attributes"])

	c = trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	got = nil
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{l})
	assert.ErrorContains(t, err, "trendyol_category_id")
	assert.Nil(t, got, "nothing is sent when a listing cannot be mapped")
}

func TestCancelledAndUnmappedStatuses(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	now := start
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return now }, Trendyol: sandbox.TrendyolOptions{SellerID: "1", APIKey: "k", APISecret: "s"}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c := trendyol.New(onClock(trendyol.Config{BaseURL: srv.URL, SellerID: "1", APIKey: "k", APISecret: "s", HTTPClient: srv.Client()}, sb))
	l := valid("cancel")
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	now = now.Add(time.Minute)
	done, err := c.Poll(context.Background(), sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)

	hook := func(path, body string) map[string]any {
		rec := httptest.NewRecorder()
		sb.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		require.Less(t, rec.Code, 300, rec.Body.String())
		var out map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
		return out
	}
	pkg := hook("/sandbox/trendyol/orders", `{"stockCode":"`+l.SKU+`","quantity":2}`)
	orders, cursor, err := c.Orders(context.Background(), "")
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, messages.OrderCreated, orders[0].Status)
	assert.Equal(t, now.Format(time.RFC3339), orders[0].PlacedAt)

	now = now.Add(time.Second)
	hook("/sandbox/trendyol/orders/"+pkg["orderId"].(string)+"/cancel", "")
	orders, _, err = c.Orders(context.Background(), cursor)
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, messages.OrderCancelled, orders[0].Status)
	assert.Equal(t, pkg["orderId"], orders[0].OrderID)
	assert.Equal(t, 2, orders[0].Lines[0].Quantity)

	_, _, err = c.Orders(context.Background(), "not-a-cursor")
	assert.ErrorContains(t, err, "bad cursor")
	assert.NoError(t, c.Acknowledge(context.Background(), []string{orders[0].OrderID}))
}
