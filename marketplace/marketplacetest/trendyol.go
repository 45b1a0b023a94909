package marketplacetest

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// RunTrendyolFidelity runs the cases of Trendyol's own rules that Run does not reach
// (issue 17): a barcode with spaces is held under its joined form and its stock
// reaches it; orders are read in windows of at most two weeks, none lost or repeated
// at a window's edge; price changes of one barcode stay under Trendyol's limit of 30
// a minute, and stock never waits for them. newClient returns a Trendyol client
// pointed at sb that runs on sb's clock and waits by moving it on (its Now is sb.Now,
// its Sleep calls sb.Advance); valid is as for Run. The cases move sb's clock on by
// weeks, so they run after Run.
func RunTrendyolFidelity(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	t.Run("barcode with spaces", func(t *testing.T) { trendyolSpacedBarcode(t, newClient, sb, valid) })
	t.Run("orders window", func(t *testing.T) { trendyolOrdersWindow(t, newClient, sb, valid) })
	t.Run("price changes under the per-barcode limit", func(t *testing.T) { trendyolPriceLimit(t, newClient, sb, valid) })
	t.Run("stock never waits for the price limit", func(t *testing.T) { trendyolStockFirst(t, newClient, sb, valid) })
}

// trendyolSpacedBarcode: Trendyol takes "869 0000 000012" as 8690000000012 and keys
// the product by it [C S-TY3]; stock pushed under either form, by a client that saw
// the create or by one that did not (a restart), reaches it, and the next revision
// updates it rather than making a second product.
func trendyolSpacedBarcode(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	c := newClient(t)
	l := valid("space")
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, l.SKU)
	joined := "869" + digits
	var spaced strings.Builder
	spaced.WriteString("869")
	for i, r := range digits {
		if i%4 == 0 {
			spaced.WriteByte(' ')
		}
		spaced.WriteRune(r)
	}
	l.Barcode = spaced.String()
	require.Contains(t, l.Barcode, " ")

	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	created := bySKU(waitDone(t, c, sb, sub.ID).Items)[l.SKU]
	require.Equal(t, marketplace.SubmissionAccepted, created.State, "reasons: %q", created.Reasons)
	assert.Equal(t, joined, created.Barcode, "the result names the barcode Trendyol holds the product under")
	_, ok := sb.TrendyolProduct(joined)
	assert.True(t, ok, "the product is held under the joined barcode")
	_, ok = sb.TrendyolProduct(l.Barcode)
	assert.False(t, ok, "and not under the spaced one")

	tests := []struct {
		name   string
		client marketplace.Client
		stock  marketplace.Stock
	}{
		{"by SKU, from the client that created it", c, marketplace.Stock{SKU: l.SKU, Quantity: 7}},
		{"under the spaced barcode, from a new client", newClient(t), marketplace.Stock{SKU: l.SKU, Barcode: l.Barcode, Quantity: 6}},
		{"under the echoed barcode, from a new client", newClient(t), marketplace.Stock{SKU: l.SKU, Barcode: created.Barcode, Quantity: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := tt.client.PushStock(ctx, []marketplace.Stock{tt.stock})
			require.NoError(t, err)
			done := waitDone(t, tt.client, sb, sub.ID)
			require.Len(t, done.Items, 1)
			assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
			assert.Equal(t, tt.stock.Quantity, stock(t, sb, "trendyol", l.SKU))
		})
	}

	t.Run("the next revision updates the product", func(t *testing.T) {
		next := l
		next.Existing = true
		next.Text.Title += " yeni sezon"
		state, reasons := Outcome(t, newClient(t), sb, next)
		assert.Equal(t, marketplace.SubmissionAccepted, state, "reasons: %q", reasons)
		p, ok := sb.TrendyolProduct(joined)
		require.True(t, ok)
		assert.Equal(t, next.Text.Title, p.Title)
	})
}

// trendyolOrdersWindow: Trendyol takes a startDate–endDate window of at most two weeks
// and about a month of history [C S-TY7]. The first read starts two weeks back, a
// cursor weeks old is walked in windows up to now, an order exactly at a window's end
// comes back once, and an idle cursor (or one from before the window rule) still reads.
func trendyolOrdersWindow(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	c := newClient(t)
	_, cursor := drain(t, c, "")
	l := listed(t, c, sb, valid("window"))
	const day = 24 * time.Hour
	place := func() string {
		t.Helper()
		var out struct {
			OrderID string `json:"orderId"`
		}
		body := hook(t, sb, http.MethodPost, "/sandbox/trendyol/orders", map[string]any{"stockCode": l.SKU, "quantity": 1}, http.StatusCreated)
		require.NoError(t, json.Unmarshal(body, &out))
		return out.OrderID
	}
	ids := func(orders []marketplace.Order) []string {
		var out []string
		for _, o := range orders {
			out = append(out, o.OrderID)
		}
		return out
	}

	a := place()
	orders, cursor := drain(t, c, cursor)
	require.Equal(t, []string{a}, ids(orders))

	// The cursor stands at a; the next order comes exactly two weeks later, at the
	// end of the first window, and another two weeks after that.
	sb.Advance(14 * day)
	b := place()
	sb.Advance(14 * day)
	cc := place()
	orders, cursor = drain(t, c, cursor)
	assert.Equal(t, []string{b, cc}, ids(orders), "four weeks are read in two windows, the order at their edge once")

	// Three idle weeks: the cursor walks on without orders.
	sb.Advance(21 * day)
	orders, cursor = drain(t, c, cursor)
	assert.Empty(t, orders)
	d := place()
	orders, _ = drain(t, c, cursor)
	assert.Equal(t, []string{d}, ids(orders))

	// A cursor from before the window rule (nothing read yet) reads what Trendyol
	// still serves, the last four weeks: cc three weeks back and d, not a or b.
	orders, _ = drain(t, c, "0:")
	assert.Equal(t, []string{cc, d}, ids(orders))
}

// trendyolPriceLimit: Trendyol takes 30 price changes a minute per barcode [C S-TY10];
// 35 changes pushed at once all go through, the ones past the 30th when the minute
// has passed, and the last price and quantity stand.
func trendyolPriceLimit(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	c := newClient(t)
	l := listed(t, c, sb, valid("price"))
	start := sb.Now()
	const n = 35
	var subs []string
	for i := range n {
		sub, err := c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 10 + i, Price: 60 + float64(i), ListPrice: 120}})
		require.NoError(t, err)
		subs = append(subs, sub.ID)
	}
	for i, id := range subs {
		for _, it := range waitDone(t, c, sb, id).Items {
			assert.Equal(t, marketplace.SubmissionAccepted, it.State, "change %d: %q", i+1, it.Reasons)
		}
	}
	p, ok := sb.TrendyolProduct(l.Barcode)
	require.True(t, ok)
	assert.Equal(t, 60+float64(n-1), p.SalePrice)
	assert.Equal(t, 120.0, p.ListPrice)
	assert.Equal(t, 10+n-1, p.Quantity)
	assert.GreaterOrEqual(t, sb.Now().Sub(start), time.Minute, "the changes past the 30th waited for the minute to pass")
}

// trendyolStockFirst: with a barcode's price changes used up for the minute, a
// stock-only push goes at once, and so does the stock of a push that also changes the
// price; the price follows when there is room.
func trendyolStockFirst(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	c := newClient(t)
	l := listed(t, c, sb, valid("first"))
	for i := range 30 {
		_, err := c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 20, Price: 50 + float64(i), ListPrice: 120}})
		require.NoError(t, err)
	}

	at := sb.Now()
	sub, err := c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 3}})
	require.NoError(t, err)
	assert.Equal(t, at, sb.Now(), "a stock-only push does not wait")
	done := waitDone(t, c, sb, sub.ID)
	require.Len(t, done.Items, 1)
	assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
	assert.Equal(t, 3, stock(t, sb, "trendyol", l.SKU))

	at = sb.Now()
	sub, err = c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 4, Price: 99, ListPrice: 120}})
	require.NoError(t, err)
	done = waitDone(t, c, sb, sub.ID)
	require.Len(t, done.Items, 1)
	assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
	p, ok := sb.TrendyolProduct(l.Barcode)
	require.True(t, ok)
	assert.Equal(t, 4, p.Quantity)
	assert.Equal(t, 99.0, p.SalePrice)
	stocked, priced := time.UnixMilli(p.StockUpdatedAt), time.UnixMilli(p.PriceUpdatedAt)
	assert.Less(t, stocked.Sub(at), 10*time.Second, "the stock went at once")
	assert.GreaterOrEqual(t, priced.Sub(stocked), 30*time.Second, "the price waited for room")
}

// TrendyolListing is a listing the sandbox's Trendyol accepts: a men's navy T-shirt,
// size M, mapped into its taxonomy (category 1174, brand 1791, the category's required
// attributes), with a fresh SKU starting with prefix.
func TrendyolListing(prefix string) marketplace.Listing {
	l := Listing(prefix)
	l.Category, l.Brand = "Tişört", "TRENDYOLMILLA"
	l.Text.Title = "Erkek pamuklu tişört lacivert"
	l.CategoryID, l.BrandID = "1174", "1791"
	l.Mapped = []marketplace.MappedAttribute{
		{ID: "47", Name: "Renk", ValueIDs: []string{"603"}, Value: "Lacivert"},
		{ID: "338", Name: "Beden", ValueIDs: []string{"6980"}, Value: "M"},
		{ID: "296", Name: "Cinsiyet", ValueIDs: []string{"1235"}, Value: "Erkek"},
		{ID: "59810", Name: "Menşei", ValueIDs: []string{"2178167"}, Value: "Türkiye"},
		{ID: "17620", Name: "Materyal Bileşeni", ValueIDs: []string{"228701"}, Value: "Pamuk"},
	}
	return l
}
