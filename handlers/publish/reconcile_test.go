package publish_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/listing"
	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// TestReconcilerCorrectsDriftOnTheSandbox: a listed product's stock is changed on
// Trendyol behind Stox's back (the sandbox's drift hook, as a seller editing it in the
// panel would); the reconciler reads it back, sees the difference last, pushes the
// ledger's quantity again and counts it.
func TestReconcilerCorrectsDriftOnTheSandbox(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	inv, outbox := st.(store.Inventory), st.(store.Outbox)

	sb := sandbox.New(sandbox.Options{Trendyol: sandbox.TrendyolOptions{ProcessDelay: time.Millisecond, RateLimit: 100000}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	client := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "100000", APIKey: "sandbox-key",
		APISecret: "sandbox-secret", HTTPClient: srv.Client()})
	pub := &publish.Publisher{Client: client, Store: st, Outbox: outbox, Logger: slog.New(slog.DiscardHandler),
		PollEvery: 10 * time.Millisecond, Linger: time.Millisecond, Buffer: 1,
		ReconcileEvery: 50 * time.Millisecond, DriftConfirm: 200 * time.Millisecond}
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(pub))
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = pub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })

	const barcode = "8690000000036"
	product := messages.Product{SKU: "TY-DRIFT-1", Name: "Erkek pamuklu tişört", Brand: "TRENDYOLMILLA", Category: "Tişört",
		Price: 100, ListPrice: 120, Currency: "TRY", Stock: 10, Marketplaces: []string{messages.Trendyol},
		Attributes: map[string]string{
			listing.AttrBarcode: barcode, trendyol.AttrCategoryID: "1174", trendyol.AttrBrandID: "1791",
			trendyol.AttrValuePrefix + "47": "603", trendyol.AttrValuePrefix + "338": "6980", trendyol.AttrValuePrefix + "296": "1235",
			trendyol.AttrValuePrefix + "59810": "2178167", trendyol.AttrValuePrefix + "17620": "228701",
		}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p-drift", Product: product})
	require.NoError(t, err)
	s, err := inv.SetStock(ctx, product.SKU, 10)
	require.NoError(t, err)
	_, err = inv.MarkSent(ctx, messages.Trendyol, product.SKU, s.Quantity, s.Version)
	require.NoError(t, err)
	rec := listing.Recorder{Marketplace: messages.Trendyol, Outbox: outbox, Inventory: inv, Notify: pub.WakeListings}
	require.NoError(t, rec.Record(ctx, messages.ListingV1{ProductID: id, Revision: rev, Product: product,
		Texts: map[string]messages.ListingText{messages.Trendyol: {Language: "tr", Title: "Erkek pamuklu tişört lacivert",
			Description: "<p>Yumuşak pamuklu, lacivert erkek tişört.</p>"}},
		Images: map[string][]messages.ListingImage{messages.Trendyol: {{Key: "1.jpg", URL: marketplacetest.ImageURL(1200, 1800), Width: 1200, Height: 1800}}}}))

	shows := func() int { return sb.Listings(messages.Trendyol)[product.SKU] }
	require.Eventually(t, func() bool {
		left, err := outbox.Unpushed(ctx, messages.Trendyol, 10, 10)
		return err == nil && len(left) == 0 && shows() == 9
	}, 10*time.Second, 10*time.Millisecond, "listed and pushed: 10 minus the buffer")

	// Later (Trendyol refuses a body it took in the last 15 minutes), the stock is
	// changed behind Stox's back.
	sb.Advance(sb.DuplicateWindow(messages.Trendyol) + time.Minute)
	require.NoError(t, sb.SetStock(messages.Trendyol, product.SKU, 25))
	require.Eventually(t, func() bool { return shows() == 9 }, 10*time.Second, 10*time.Millisecond, "the drift corrected")
	assert.Equal(t, 1.0, testutil.ToFloat64(metric(t, reg, "stox_marketplace_stock_drift_total")))
	q, _, err := inv.Stock(ctx, product.SKU)
	require.NoError(t, err)
	assert.Equal(t, 10, q, "the ledger is the truth; the marketplace follows it")
}

// metric is the one metric called name that reg gathers, as a collector.
func metric(t *testing.T, reg *prometheus.Registry, name string) prometheus.Collector {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			v := mf.GetMetric()[0].GetCounter().GetValue()
			return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: name}, func() float64 { return v })
		}
	}
	t.Fatalf("no metric %s", name)
	return nil
}
