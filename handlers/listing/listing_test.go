package listing

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

func open(t *testing.T) store.Stores {
	t.Helper()
	s, err := store.Open(context.Background(), "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestRecord(t *testing.T) {
	ctx := context.Background()
	product := messages.Product{SKU: "SKU-1", Name: "Mug", Price: 100, ListPrice: 120, Stock: 9,
		Attributes:   map[string]string{"barcode": "8690000000011", "vat_rate": "10"},
		Marketplaces: []string{messages.Amazon, messages.Trendyol}}
	in := messages.ListingV1{
		Product: product,
		Texts:   map[string]messages.ListingText{messages.Amazon: {Title: "t"}},
		Images:  map[string][]messages.ListingImage{messages.Amazon: {{Key: "k", URL: "https://x/k"}}},
	}
	cases := []struct {
		name        string
		marketplace string
		listing     func() messages.ListingV1
		queued      bool
		permanent   bool
	}{
		{"queued", messages.Amazon, func() messages.ListingV1 { return in }, true, false},
		{"not for this marketplace", messages.Hepsiburada, func() messages.ListingV1 { return in }, false, false},
		{"no text: seo recorded why", messages.Trendyol, func() messages.ListingV1 { return in }, false, false},
		{"text without images", messages.Amazon, func() messages.ListingV1 {
			l := in
			l.Images = nil
			return l
		}, false, true},
		{"bad vat rate", messages.Amazon, func() messages.ListingV1 {
			l := in
			l.Product.Attributes = map[string]string{"vat_rate": "twenty"}
			return l
		}, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := open(t)
			l := c.listing()
			id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p1", Product: l.Product})
			require.NoError(t, err)
			l.ProductID, l.Revision = id, rev
			notified := 0
			err = Recorder{Marketplace: c.marketplace, Outbox: st, Inventory: st, Notify: func() { notified++ }}.Record(ctx, l)
			if c.permanent {
				require.Error(t, err)
				assert.True(t, permanent.Is(err))
			} else {
				require.NoError(t, err)
			}
			q, err := st.Queued(ctx, c.marketplace, 10)
			require.NoError(t, err)
			if !c.queued {
				assert.Empty(t, q)
				assert.Zero(t, notified)
				return
			}
			require.Len(t, q, 1)
			assert.Equal(t, 1, notified)
			var got marketplace.Listing
			require.NoError(t, json.Unmarshal(q[0].Payload, &got))
			assert.Equal(t, "8690000000011", got.Barcode)
			assert.Equal(t, 10, got.VATRate)
			assert.Equal(t, 9, got.Quantity, "no ledger stock yet: the product's")
			assert.Equal(t, "t", got.Text.Title)
			p, err := st.Product(ctx, id)
			require.NoError(t, err)
			assert.Equal(t, store.ListingQueued, p.Listings[c.marketplace].State)
		})
	}
}

func TestRecordStartsAtLedgerStock(t *testing.T) {
	ctx := context.Background()
	st := open(t)
	product := messages.Product{SKU: "SKU-2", Name: "Mug", Price: 10, Stock: 50, Marketplaces: []string{messages.Trendyol}}
	id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: "p2", Product: product})
	require.NoError(t, err)
	_, err = st.SetStock(ctx, "SKU-2", 3)
	require.NoError(t, err)
	err = Recorder{Marketplace: messages.Trendyol, Outbox: st, Inventory: st}.Record(ctx, messages.ListingV1{
		ProductID: id, Revision: rev, Product: product,
		Texts:  map[string]messages.ListingText{messages.Trendyol: {Title: "t"}},
		Images: map[string][]messages.ListingImage{messages.Trendyol: {{URL: "https://x/k"}}},
	})
	require.NoError(t, err)
	q, err := st.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	var got marketplace.Listing
	require.NoError(t, json.Unmarshal(q[0].Payload, &got))
	assert.Equal(t, 3, got.Quantity, "units sold before the listing went out are not offered again")
	assert.Equal(t, 20, got.VATRate)
}
