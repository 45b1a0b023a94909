package storetest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// outboxStore is what the outbox suite needs from one store.
type outboxStore interface {
	store.Store
	store.Inventory
	store.Outbox
}

// RunOutbox runs the contract suite of store.Outbox. open must return a new, empty
// store for each call, which must also implement store.Inventory and store.Outbox;
// RunOutbox closes it when the subtest ends.
func RunOutbox(t *testing.T, open func(t *testing.T) store.Store) {
	newOutbox := func(t *testing.T) outboxStore {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		o, ok := s.(outboxStore)
		require.True(t, ok, "%T does not implement store.Inventory and store.Outbox", s)
		return o
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s outboxStore)
	}{
		{"Listings/QueueSubmitDecide", testOutboxListingFlow},
		{"Listings/FailedAttemptsReject", testOutboxListingFailed},
		{"Listings/OlderRevisionIsNotWork", testOutboxOlderRevision},
		{"Stock/OnlyAcceptedListingsAndChangedQuantities", testOutboxUnpushed},
		{"Stock/FailuresStopRetries", testOutboxPushFailed},
		{"Cursor", testOutboxCursor},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newOutbox(t)) })
	}
}

var outboxPayload = json.RawMessage(`{"SKU":"SKU-1","Title":"Mug"}`)

func queue(t *testing.T, s outboxStore, id string, rev int, barcode string) {
	t.Helper()
	require.NoError(t, s.QueueListing(context.Background(), id, rev, messages.Trendyol, store.QueuedListing{Payload: outboxPayload, Barcode: barcode}))
}

func testOutboxListingFlow(t *testing.T, s outboxStore) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "869000000001")

	q, err := s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.Equal(t, store.PendingListing{ProductID: id, Revision: rev, SKU: "SKU-1", Payload: q[0].Payload}, q[0])
	assert.JSONEq(t, string(outboxPayload), string(q[0].Payload))
	none, err := s.Queued(ctx, messages.Amazon, 10)
	require.NoError(t, err)
	assert.Empty(t, none, "queues are per marketplace")

	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "batch-1"}))
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	assert.Empty(t, q)
	sub, err := s.Submitted(ctx, messages.Trendyol)
	require.NoError(t, err)
	require.Len(t, sub, 1)
	assert.Equal(t, "batch-1", sub[0].Submission)
	assert.Equal(t, "batch-1", get(t, s, id).Listings[messages.Trendyol].Submission, "the product shows its submission")

	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted, Submission: "batch-1"}))
	sub, err = s.Submitted(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, sub)

	// The next revision is an update: the marketplace has the SKU.
	id, rev = put(t, s, newProduct("p1", "SKU-1"))
	assert.Empty(t, get(t, s, id).Listings, "a new revision shows no listings until they are queued again")
	queue(t, s, id, rev, "869000000001")
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.True(t, q[0].Existing)
	assert.Equal(t, 2, q[0].Revision)
}

func testOutboxListingFailed(t *testing.T, s outboxStore) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	rejected, err := s.ListingFailed(ctx, id, rev, messages.Trendyol, "trendyol answered 500", 2)
	require.NoError(t, err)
	assert.False(t, rejected)
	q, err := s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1, "a failed attempt stays queued")
	assert.Equal(t, 1, q[0].Attempts)

	rejected, err = s.ListingFailed(ctx, id, rev, messages.Trendyol, "brand is unknown", 2)
	require.NoError(t, err)
	assert.True(t, rejected)
	l := get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingRejected, l.State)
	assert.Equal(t, []string{"brand is unknown"}, l.Reasons)
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	assert.Empty(t, q)

	queue(t, s, id, rev, "")
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.Zero(t, q[0].Attempts, "queueing again starts the count again")
}

func testOutboxOlderRevision(t *testing.T, s outboxStore) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "b"}))
	put(t, s, newProduct("p1", "SKU-1"))
	sub, err := s.Submitted(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, sub, "a submission of an older revision is not tracked")
	queue(t, s, id, rev, "")
	q, err := s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	assert.Empty(t, q, "an older revision cannot be queued")
}

func testOutboxUnpushed(t *testing.T, s outboxStore) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	put(t, s, newProduct("p2", "SKU-2"))
	for _, sku := range []string{"SKU-1", "SKU-2", "SKU-3"} {
		send, err := s.MarkSent(ctx, messages.Trendyol, sku, 5, 1)
		require.NoError(t, err)
		require.True(t, send)
	}
	unpushed := func() []store.Push {
		t.Helper()
		p, err := s.Unpushed(ctx, messages.Trendyol, 100, 3)
		require.NoError(t, err)
		return p
	}
	assert.Empty(t, unpushed(), "nothing is pushed before the marketplace accepted the listing")

	queue(t, s, id, rev, "869000000001")
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	assert.Equal(t, []store.Push{{SKU: "SKU-1", Barcode: "869000000001", Quantity: 5, Version: 1}}, unpushed())
	other, err := s.Unpushed(ctx, messages.Amazon, 100, 3)
	require.NoError(t, err)
	assert.Empty(t, other, "accepted on trendyol only")

	require.NoError(t, s.Pushed(ctx, messages.Trendyol, unpushed()))
	assert.Empty(t, unpushed())

	_, err = s.MarkSent(ctx, messages.Trendyol, "SKU-1", 5, 2)
	require.NoError(t, err)
	assert.Empty(t, unpushed(), "a newer version of the quantity the marketplace has is not pushed")
	_, err = s.MarkSent(ctx, messages.Trendyol, "SKU-1", 4, 3)
	require.NoError(t, err)
	assert.Equal(t, []store.Push{{SKU: "SKU-1", Barcode: "869000000001", Quantity: 4, Version: 3}}, unpushed())

	// An older acknowledgement arriving late does not hide the newer quantity.
	require.NoError(t, s.Pushed(ctx, messages.Trendyol, []store.Push{{SKU: "SKU-1", Quantity: 5, Version: 2}}))
	require.NoError(t, s.Pushed(ctx, messages.Trendyol, []store.Push{{SKU: "SKU-1", Quantity: 4, Version: 3}}))
	require.NoError(t, s.Pushed(ctx, messages.Trendyol, []store.Push{{SKU: "SKU-1", Quantity: 5, Version: 2}}))
	assert.Empty(t, unpushed())
}

func testOutboxPushFailed(t *testing.T, s outboxStore) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	_, err := s.MarkSent(ctx, messages.Trendyol, "SKU-1", 5, 1)
	require.NoError(t, err)
	p := store.Push{SKU: "SKU-1", Quantity: 5, Version: 1}
	for i := range 2 {
		left, err := s.Unpushed(ctx, messages.Trendyol, 10, 2)
		require.NoError(t, err)
		require.Len(t, left, 1, "failure %d: still tried", i)
		require.NoError(t, s.PushFailed(ctx, messages.Trendyol, p))
	}
	left, err := s.Unpushed(ctx, messages.Trendyol, 10, 2)
	require.NoError(t, err)
	assert.Empty(t, left, "given up after maxFailures")
	_, err = s.MarkSent(ctx, messages.Trendyol, "SKU-1", 7, 2)
	require.NoError(t, err)
	require.NoError(t, s.Pushed(ctx, messages.Trendyol, []store.Push{{SKU: "SKU-1", Quantity: 7, Version: 2}}))
	require.NoError(t, s.PushFailed(ctx, messages.Trendyol, store.Push{SKU: "SKU-1", Quantity: 7, Version: 2}))
	left, err = s.Unpushed(ctx, messages.Trendyol, 10, 2)
	require.NoError(t, err)
	assert.Len(t, left, 1, "an item failing after its batch was acknowledged is pushed again")
	_, err = s.MarkSent(ctx, messages.Trendyol, "SKU-1", 6, 3)
	require.NoError(t, err)
	left, err = s.Unpushed(ctx, messages.Trendyol, 10, 2)
	require.NoError(t, err)
	assert.Len(t, left, 1, "a newer version is tried again")
}

func testOutboxCursor(t *testing.T, s outboxStore) {
	ctx := context.Background()
	c, err := s.Cursor(ctx, messages.Amazon)
	require.NoError(t, err)
	assert.Empty(t, c)
	require.NoError(t, s.SetCursor(ctx, messages.Amazon, "2026-11-26T00:00:00Z"))
	require.NoError(t, s.SetCursor(ctx, messages.Amazon, "2026-11-26T01:00:00Z"))
	c, err = s.Cursor(ctx, messages.Amazon)
	require.NoError(t, err)
	assert.Equal(t, "2026-11-26T01:00:00Z", c)
	c, err = s.Cursor(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, c)
}
