package publish_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/listing"
	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/handlers/stock"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// TestSpacedBarcodeOnTrendyol follows a product whose barcode is written with spaces
// (issue 17, item 1) through the Trendyol publisher, on SQLite and the sandbox:
// Trendyol accepts it under the joined barcode, the store keeps that form, and an
// order on another marketplace moves the product's stock on Trendyol.
func TestSpacedBarcodeOnTrendyol(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	inv, outbox := st.(store.Inventory), st.(store.Outbox)

	// The sandbox runs on real time here, with batches that finish at once.
	sb := sandbox.New(sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Millisecond, RateLimit: 100000}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "100000", APIKey: "sandbox-key",
		APISecret: "sandbox-secret", HTTPClient: srv.Client()})
	pub := &publish.Publisher{Client: client, Store: st, Outbox: outbox, Logger: slog.New(slog.DiscardHandler),
		PollEvery: 10 * time.Millisecond, Linger: time.Millisecond}
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = pub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })

	const spaced, joined = "869 0000 000012", "8690000000012"
	product := messages.Product{SKU: "TY-SPACE-1", Name: "Erkek pamuklu tişört", Brand: "TRENDYOLMILLA", Category: "Tişört",
		Price: 100, ListPrice: 120, Currency: "TRY", Stock: 10, Marketplaces: []string{messages.Trendyol, messages.Hepsiburada},
		Attributes: map[string]string{
			listing.AttrBarcode: spaced, trendyol.AttrCategoryID: "1174", trendyol.AttrBrandID: "1791",
			trendyol.AttrValuePrefix + "47": "603", trendyol.AttrValuePrefix + "338": "6980", trendyol.AttrValuePrefix + "296": "1235",
			trendyol.AttrValuePrefix + "59810": "2178167", trendyol.AttrValuePrefix + "17620": "228701",
		}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p-space", Product: product})
	require.NoError(t, err)
	_, err = inv.SetStock(ctx, product.SKU, 10)
	require.NoError(t, err)
	rec := listing.Recorder{Marketplace: messages.Trendyol, Outbox: outbox, Inventory: inv, Notify: pub.WakeListings}
	require.NoError(t, rec.Record(ctx, messages.ListingV1{ProductID: id, Revision: rev, Product: product,
		Texts: map[string]messages.ListingText{messages.Trendyol: {Language: "tr", Title: "Erkek pamuklu tişört lacivert",
			Description: "<p>Yumuşak pamuklu, lacivert erkek tişört.</p>"}},
		Images: map[string][]messages.ListingImage{messages.Trendyol: {{Key: "1.jpg", URL: marketplacetest.ImageURL(1200, 1800), Width: 1200, Height: 1800}}}}))

	listed := func() store.Listing {
		p, err := st.Product(ctx, id)
		require.NoError(t, err)
		return p.Listings[messages.Trendyol]
	}
	require.Eventually(t, func() bool { return listed().State != store.ListingQueued && listed().State != store.ListingSubmitted },
		10*time.Second, 10*time.Millisecond)
	l := listed()
	require.Equal(t, store.ListingAccepted, l.State, "reasons: %q", l.Reasons)
	assert.Equal(t, joined, l.Barcode, "the store keeps the barcode Trendyol holds the product under")
	held, ok := sb.TrendyolProduct(joined)
	require.True(t, ok)
	assert.Equal(t, 10, held.Quantity)

	// A customer on Hepsiburada buys 3: the ledger's new quantity goes to Trendyol.
	changed, oversold, err := inv.ApplyOrder(ctx, messages.OrderV1{Marketplace: messages.Hepsiburada, OrderID: "HB-1",
		Status: messages.OrderCreated, Lines: []messages.OrderLine{{LineID: "1", SKU: product.SKU, Quantity: 3}}})
	require.NoError(t, err)
	require.Empty(t, oversold)
	require.Len(t, changed, 1)
	pusher := stock.Pusher{Marketplace: messages.Trendyol, Inventory: inv, Notify: pub.WakeStock}
	require.NoError(t, pusher.Apply(ctx, changed[0]))

	assert.Eventually(t, func() bool {
		p, ok := sb.TrendyolProduct(joined)
		return ok && p.Quantity == 7
	}, 10*time.Second, 10*time.Millisecond, "the order on Hepsiburada moves the Trendyol stock")
	assert.Eventually(t, func() bool {
		left, err := outbox.Unpushed(ctx, messages.Trendyol, 10, 10)
		return err == nil && len(left) == 0
	}, 10*time.Second, 10*time.Millisecond, "Trendyol acknowledged the quantity")
}
