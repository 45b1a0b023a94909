package publish_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/listing"
	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// onTrendyol is a Trendyol publisher's world for a test: SQLite, and the sandbox on
// real time with batches that finish at once.
type onTrendyol struct {
	ctx    context.Context
	st     store.Store
	inv    store.Inventory
	outbox store.Outbox
	sb     *sandbox.Server
	client *trendyol.Client
}

func newOnTrendyol(t *testing.T) *onTrendyol {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	sb := sandbox.New(sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Millisecond, RateLimit: 100000}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "100000", APIKey: "sandbox-key",
		APISecret: "sandbox-secret", HTTPClient: srv.Client()})
	return &onTrendyol{ctx: ctx, st: st, inv: st, outbox: st, sb: sb, client: client}
}

// publisher makes p a fast-polling publisher of this world (its other settings kept).
func (e *onTrendyol) publisher(p *publish.Publisher) *publish.Publisher {
	p.Client, p.Outbox, p.Logger = e.client, e.outbox, slog.New(slog.DiscardHandler)
	if p.Store == nil {
		p.Store = e.st
	}
	p.PollEvery, p.Linger = 10*time.Millisecond, time.Millisecond
	return p
}

// run runs pub until the test ends.
func (e *onTrendyol) run(t *testing.T, pub *publish.Publisher) {
	ctx, cancel := context.WithCancel(e.ctx)
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = pub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })
}

// tshirt is a product Trendyol takes as it is (its category, brand and attribute IDs
// given), with this SKU and barcode, listed on these marketplaces.
func tshirt(sku, barcode string, marketplaces ...string) messages.Product {
	return messages.Product{SKU: sku, Name: "Erkek pamuklu tişört", Brand: "TRENDYOLMILLA", Category: "Tişört",
		Price: 100, ListPrice: 120, Currency: "TRY", Stock: 10, Marketplaces: marketplaces,
		Attributes: map[string]string{
			listing.AttrBarcode: barcode, trendyol.AttrCategoryID: "1174", trendyol.AttrBrandID: "1791",
			trendyol.AttrValuePrefix + "47": "603", trendyol.AttrValuePrefix + "338": "6980", trendyol.AttrValuePrefix + "296": "1235",
			trendyol.AttrValuePrefix + "59810": "2178167", trendyol.AttrValuePrefix + "17620": "228701",
		}}
}

// list stores product with stock 10 in the ledger (marked to go to Trendyol) and
// queues its Trendyol listing, as the listing handler does; it returns the product ID.
func (e *onTrendyol) list(t *testing.T, pub *publish.Publisher, id string, product messages.Product) string {
	t.Helper()
	id, rev, err := e.st.PutProduct(e.ctx, store.NewProduct{ID: id, Product: product})
	require.NoError(t, err)
	s, err := e.inv.SetStock(e.ctx, product.SKU, 10)
	require.NoError(t, err)
	_, err = e.inv.MarkSent(e.ctx, messages.Trendyol, product.SKU, s.Quantity, s.Version)
	require.NoError(t, err)
	rec := listing.Recorder{Marketplace: messages.Trendyol, Outbox: e.outbox, Inventory: e.inv, Notify: pub.WakeListings}
	require.NoError(t, rec.Record(e.ctx, messages.ListingV1{ProductID: id, Revision: rev, Product: product,
		Texts: map[string]messages.ListingText{messages.Trendyol: {Language: "tr", Title: "Erkek pamuklu tişört lacivert",
			Description: "<p>Yumuşak pamuklu, lacivert erkek tişört.</p>"}},
		Images: map[string][]messages.ListingImage{messages.Trendyol: {{Key: "1.jpg", URL: marketplacetest.ImageURL(1200, 1800), Width: 1200, Height: 1800}}}}))
	return id
}

// decided waits until the product's Trendyol listing is decided and returns it.
func (e *onTrendyol) decided(t *testing.T, id string) store.Listing {
	t.Helper()
	var l store.Listing
	require.Eventually(t, func() bool {
		p, err := e.st.Product(e.ctx, id)
		require.NoError(t, err)
		l = p.Listings[messages.Trendyol]
		return l.State == store.ListingAccepted || l.State == store.ListingRejected
	}, 10*time.Second, 10*time.Millisecond)
	return l
}
