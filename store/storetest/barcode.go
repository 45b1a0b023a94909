package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testOutboxMarketplaceBarcode: a marketplace that holds a listing under another form
// of its barcode (Trendyol joins inner spaces) gets the SKU's stock under that form,
// for later revisions with the same barcode too, until the seller changes the barcode.
func testOutboxMarketplaceBarcode(t *testing.T, s store.Stores) {
	ctx := context.Background()
	const spaced, joined = "869 0000 000012", "8690000000012"
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	version := int64(0)
	unpushed := func(marketplace string) []store.Push {
		t.Helper()
		version++
		_, err := s.MarkSent(ctx, marketplace, "SKU-1", int(10+version), version)
		require.NoError(t, err)
		p, err := s.Unpushed(ctx, marketplace, 10, 3)
		require.NoError(t, err)
		return p
	}
	listing := func(marketplace string) store.Listing {
		t.Helper()
		return get(t, s, id).Listings[marketplace]
	}

	for _, m := range []string{messages.Trendyol, messages.Hepsiburada} {
		require.NoError(t, s.QueueListing(ctx, id, rev, m, store.QueuedListing{Payload: outboxPayload, Barcode: spaced}))
		require.NoError(t, s.SetListing(ctx, id, rev, m, store.Listing{State: store.ListingSubmitted, Submission: "b-1"}))
	}
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted, Submission: "b-1", Barcode: joined}))
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Hepsiburada, store.Listing{State: store.ListingAccepted, Submission: "b-1"}))

	tests := []struct {
		name        string
		marketplace string
		push        string // barcode Unpushed gives
		shown       string // Listing.Barcode the product shows
	}{
		{"held in another form", messages.Trendyol, joined, joined},
		{"held as queued", messages.Hepsiburada, spaced, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := unpushed(tt.marketplace)
			require.Len(t, p, 1)
			assert.Equal(t, tt.push, p[0].Barcode)
			assert.Equal(t, tt.shown, listing(tt.marketplace).Barcode)
		})
	}

	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	assert.Equal(t, joined, listing(messages.Trendyol).Barcode, "an empty barcode keeps the stored one")

	// The next revision with the same barcode: stock still goes under the held form,
	// before the marketplace has decided the new revision and after.
	id, rev = put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.QueueListing(ctx, id, rev, messages.Trendyol, store.QueuedListing{Payload: outboxPayload, Barcode: spaced}))
	p := unpushed(messages.Trendyol)
	require.Len(t, p, 1)
	assert.Equal(t, joined, p[0].Barcode)
	assert.Equal(t, joined, listing(messages.Trendyol).Barcode)

	// The seller changes the barcode: the held form of the old one goes.
	id, rev = put(t, s, newProduct("p1", "SKU-1"))
	require.NoError(t, s.QueueListing(ctx, id, rev, messages.Trendyol, store.QueuedListing{Payload: outboxPayload, Barcode: "869 0000 000099"}))
	p = unpushed(messages.Trendyol)
	require.Len(t, p, 1)
	assert.Equal(t, "869 0000 000099", p[0].Barcode)
	assert.Empty(t, listing(messages.Trendyol).Barcode)
}
