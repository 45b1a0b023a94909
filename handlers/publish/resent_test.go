package publish_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

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

// forgetful is a store whose first recordings of a listing's state fail, as they do
// when the database goes away right after a submission reached the marketplace.
type forgetful struct {
	store.Store
	fail atomic.Int32
}

func (f *forgetful) SetListing(ctx context.Context, id string, revision int, marketplace string, l store.Listing) error {
	if f.fail.Add(-1) >= 0 {
		return errors.New("connection reset by peer")
	}
	return f.Store.SetListing(ctx, id, revision, marketplace, l)
}

// TestSubmittedButNotRecordedIsNotCreatedTwice is issue 11, item 1's last case: a
// listing reached Trendyol but its submission was never recorded; its claim runs out
// and it is sent again. It must be sent as an existing listing (looked up, then
// updated), not created twice: a second create is refused ("barcode already exists")
// and marked the live listing rejected, so its stock was never pushed again.
func TestSubmittedButNotRecordedIsNotCreatedTwice(t *testing.T) {
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
	fs := &forgetful{Store: st}
	fs.fail.Store(1)
	pub := &publish.Publisher{Client: client, Store: fs, Outbox: outbox, Logger: slog.New(slog.DiscardHandler),
		PollEvery: 10 * time.Millisecond, Linger: time.Millisecond, ClaimFor: 200 * time.Millisecond}
	stopped := make(chan struct{})
	go func() { defer close(stopped); _ = pub.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-stopped })

	const barcode = "8690000000029"
	product := messages.Product{SKU: "TY-RESENT-1", Name: "Erkek pamuklu tişört", Brand: "TRENDYOLMILLA", Category: "Tişört",
		Price: 100, ListPrice: 120, Currency: "TRY", Stock: 10, Marketplaces: []string{messages.Trendyol},
		Attributes: map[string]string{
			listing.AttrBarcode: barcode, trendyol.AttrCategoryID: "1174", trendyol.AttrBrandID: "1791",
			trendyol.AttrValuePrefix + "47": "603", trendyol.AttrValuePrefix + "338": "6980", trendyol.AttrValuePrefix + "296": "1235",
			trendyol.AttrValuePrefix + "59810": "2178167", trendyol.AttrValuePrefix + "17620": "228701",
		}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p-resent", Product: product})
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
	require.Eventually(t, func() bool { s := listed().State; return s == store.ListingAccepted || s == store.ListingRejected },
		10*time.Second, 10*time.Millisecond)
	l := listed()
	require.Equal(t, store.ListingAccepted, l.State, "reasons: %q", l.Reasons)
	assert.Less(t, fs.fail.Load(), int32(0), "the first recording failed")
	held, ok := sb.TrendyolProduct(barcode)
	require.True(t, ok)
	assert.Equal(t, product.Name, held.Title[:len(product.Name)])
}
