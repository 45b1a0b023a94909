package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// RunOutbox runs the contract suite of store.Outbox, which uses the inventory and the
// taxonomy (for the seller's input to listings) of the same store. open must return a
// new, empty store for each call; RunOutbox closes it when the subtest ends.
func RunOutbox(t *testing.T, open func(t *testing.T) store.Stores) {
	newOutbox := func(t *testing.T) store.Stores {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Stores)
	}{
		{"Listings/QueueSubmitDecide", testOutboxListingFlow},
		{"Listings/FailedAttemptsReject", testOutboxListingFailed},
		{"Listings/OlderRevisionIsNotWork", testOutboxOlderRevision},
		{"Listings/NeedsInputRoundTrip", testOutboxNeedsInput},
		{"Listings/HoldOnlyQueuedOfCurrentRevision", testOutboxHoldIgnored},
		{"Listings/Invalid", testOutboxInvalid},
		{"Listings/Requeue", testOutboxRequeue},
		{"Stock/OnlyAcceptedListingsAndChangedQuantities", testOutboxUnpushed},
		{"Stock/FailuresStopRetries", testOutboxPushFailed},
		{"Stock/UnderTheMarketplacesBarcode", testOutboxMarketplaceBarcode},
		{"Cursor", testOutboxCursor},
		{"Claims/ListingsOnePerOwner", testOutboxClaimListings},
		{"Claims/StockOnePerOwner", testOutboxClaimStock},
		{"Claims/ConcurrentReplicasNeverShare", testOutboxClaimConcurrent},
		{"Claims/Expire", testOutboxClaimExpire},
		{"Claims/ResentAfterAClaimRanOut", testOutboxResent},
		{"Lease", testOutboxLease},
		{"Backlog", testOutboxBacklog},
		{"Counts", testCounts},
		{"Imports", testImports},
		{"Stock/AcknowledgedAndRepushed", testOutboxAcknowledged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newOutbox(t)) })
	}
}

var outboxPayload = json.RawMessage(`{"SKU":"SKU-1","Title":"Mug"}`)

func queue(t *testing.T, s store.Stores, id string, rev int, barcode string) {
	t.Helper()
	require.NoError(t, s.QueueListing(context.Background(), id, rev, messages.Trendyol, store.QueuedListing{Payload: outboxPayload, Barcode: barcode}))
}

func testOutboxListingFlow(t *testing.T, s store.Stores) {
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

	// The same revision delivered again changes nothing: never a second create.
	queue(t, s, id, rev, "869000000001")
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	assert.Empty(t, q, "a redelivered listing is not queued again")
	l := get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingSubmitted, l.State)
	assert.Equal(t, "batch-1", l.Submission)

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

func testOutboxListingFailed(t *testing.T, s store.Stores) {
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
	assert.Empty(t, q, "the same revision delivered again stays rejected")

	id, rev = put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	q, err = s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.Zero(t, q[0].Attempts, "a new revision starts the count again")
}

func testOutboxOlderRevision(t *testing.T, s store.Stores) {
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

func testOutboxUnpushed(t *testing.T, s store.Stores) {
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

func testOutboxPushFailed(t *testing.T, s store.Stores) {
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

func testOutboxCursor(t *testing.T, s store.Stores) {
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

var heldMapping = json.RawMessage(`{"category":"56","missing":[{"attribute":"338","name":"Beden","allowed":["S","M"]}]}`)

func needsInput(t *testing.T, s store.Stores, marketplace string) []store.PendingListing {
	t.Helper()
	l, err := s.NeedsInput(context.Background(), marketplace, 10)
	require.NoError(t, err)
	return l
}

func queued(t *testing.T, s store.Stores, marketplace string) []store.PendingListing {
	t.Helper()
	l, err := s.Queued(context.Background(), marketplace, 10)
	require.NoError(t, err)
	return l
}

func testOutboxNeedsInput(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	id2, rev2 := put(t, s, newProduct("p2", "SKU-2"))
	queue(t, s, id, rev, "869000000001")
	queue(t, s, id2, rev2, "")
	_, err := s.ListingFailed(ctx, id, rev, messages.Trendyol, "trendyol answered 503", 5)
	require.NoError(t, err)
	assert.Empty(t, needsInput(t, s, messages.Trendyol))

	reasons := []string{"Beden is required: allowed S, M"}
	require.NoError(t, s.HoldListing(ctx, id, rev, messages.Trendyol, heldMapping, reasons))
	q := queued(t, s, messages.Trendyol)
	require.Len(t, q, 1, "a held listing is not sent")
	assert.Equal(t, id2, q[0].ProductID)
	held := needsInput(t, s, messages.Trendyol)
	require.Len(t, held, 1)
	assert.Equal(t, id, held[0].ProductID)
	assert.Equal(t, rev, held[0].Revision)
	assert.Equal(t, "SKU-1", held[0].SKU)
	assert.JSONEq(t, string(outboxPayload), string(held[0].Payload), "the payload is kept")
	assert.Zero(t, held[0].Input, "nothing supplied yet")
	assert.Empty(t, needsInput(t, s, messages.Amazon), "per marketplace")

	l := get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingNeedsInput, l.State)
	assert.Equal(t, reasons, l.Reasons)
	assert.JSONEq(t, string(heldMapping), string(l.Mapping), "the product shows what is missing")

	// Holding again (mapped again, still missing something) updates it.
	require.NoError(t, s.HoldListing(ctx, id, rev, messages.Trendyol, nil, []string{"Renk is required"}))
	l = get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingNeedsInput, l.State)
	assert.Equal(t, []string{"Renk is required"}, l.Reasons)
	assert.JSONEq(t, string(heldMapping), string(l.Mapping), "a nil mapping keeps the stored one")

	input := store.ListingInput{Attributes: map[string]string{"Beden": "M"}, UpdatedAt: at}
	require.NoError(t, s.SetListingInput(ctx, id, messages.Trendyol, input))
	held = needsInput(t, s, messages.Trendyol)
	require.Len(t, held, 1)
	assert.Equal(t, input, held[0].Input)

	require.NoError(t, s.ReleaseListing(ctx, id, rev, messages.Trendyol))
	assert.Empty(t, needsInput(t, s, messages.Trendyol))
	q = queued(t, s, messages.Trendyol)
	require.Len(t, q, 2)
	released := q[0]
	if released.ProductID != id {
		released = q[1]
	}
	assert.Equal(t, store.PendingListing{ProductID: id, Revision: rev, SKU: "SKU-1", Payload: released.Payload, Input: input}, released,
		"queued again with the seller's input, attempts from zero")
	assert.JSONEq(t, string(outboxPayload), string(released.Payload))
	other := q[0]
	if other.ProductID != id2 {
		other = q[1]
	}
	assert.Zero(t, other.Input, "input is per product")
	l = get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingQueued, l.State)
	assert.Empty(t, l.Reasons)
	assert.JSONEq(t, string(heldMapping), string(l.Mapping), "release keeps the mapping")

	// Submitted with the complete mapping, the product shows it; the same revision
	// delivered again keeps it, a new revision's payload is mapped anew.
	complete := json.RawMessage(`{"category":"56","attributes":[{"id":"338","value_ids":["6822"]}]}`)
	require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "b-1", Mapping: complete}))
	assert.JSONEq(t, string(complete), string(get(t, s, id).Listings[messages.Trendyol].Mapping))
	queue(t, s, id, rev, "")
	assert.JSONEq(t, string(complete), string(get(t, s, id).Listings[messages.Trendyol].Mapping))
	id, rev = put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	assert.Empty(t, get(t, s, id).Listings[messages.Trendyol].Mapping, "a new payload is mapped anew")
}

func testOutboxHoldIgnored(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	_, rev2 := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev2, "")

	require.NoError(t, s.HoldListing(ctx, id, rev, messages.Trendyol, heldMapping, []string{"late"}))
	assert.Empty(t, needsInput(t, s, messages.Trendyol), "a late revision's hold is ignored")
	q := queued(t, s, messages.Trendyol)
	require.Len(t, q, 1)
	assert.Equal(t, rev2, q[0].Revision)
	assert.Empty(t, get(t, s, id).Listings[messages.Trendyol].Reasons)

	require.NoError(t, s.HoldListing(ctx, id, rev2, messages.Trendyol, heldMapping, []string{"Beden is required"}))
	require.Len(t, needsInput(t, s, messages.Trendyol), 1)
	require.NoError(t, s.ReleaseListing(ctx, id, rev, messages.Trendyol))
	assert.Len(t, needsInput(t, s, messages.Trendyol), 1, "a late revision's release is ignored")
	assert.Empty(t, queued(t, s, messages.Trendyol))

	// Only a queued listing is held, only a held one released.
	require.NoError(t, s.ReleaseListing(ctx, id, rev2, messages.Trendyol))
	require.NoError(t, s.SetListing(ctx, id, rev2, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "b-1"}))
	require.NoError(t, s.HoldListing(ctx, id, rev2, messages.Trendyol, heldMapping, []string{"too late"}))
	l := get(t, s, id).Listings[messages.Trendyol]
	assert.Equal(t, store.ListingSubmitted, l.State, "a submitted listing is not held")
	assert.Empty(t, l.Reasons)
	require.NoError(t, s.ReleaseListing(ctx, id, rev2, messages.Trendyol))
	assert.Equal(t, store.ListingSubmitted, get(t, s, id).Listings[messages.Trendyol].State, "only needs_input is released")
	sub, err := s.Submitted(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Len(t, sub, 1)

	// A listing never queued on a marketplace is not created by a hold.
	require.NoError(t, s.HoldListing(ctx, id, rev2, messages.Amazon, heldMapping, nil))
	assert.NotContains(t, get(t, s, id).Listings, messages.Amazon)
}

func testOutboxInvalid(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	tests := []struct {
		name  string
		write func() error
		says  string
	}{
		{"hold on unknown marketplace", func() error {
			return s.HoldListing(ctx, id, rev, "ebay", heldMapping, nil)
		}, "marketplace"},
		{"hold with mapping not JSON", func() error {
			return s.HoldListing(ctx, id, rev, messages.Trendyol, json.RawMessage(`{"category":`), nil)
		}, "mapping"},
		{"release on unknown marketplace", func() error {
			return s.ReleaseListing(ctx, id, rev, "ebay")
		}, "marketplace"},
		{"set listing with mapping not JSON", func() error {
			return s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingQueued, Mapping: json.RawMessage(`nope`)})
		}, "mapping"},
		{"hold of unknown product", func() error {
			return s.HoldListing(ctx, "missing", 1, messages.Trendyol, heldMapping, nil)
		}, store.ErrNotFound.Error()},
		{"release of unknown product", func() error {
			return s.ReleaseListing(ctx, "missing", 1, messages.Trendyol)
		}, store.ErrNotFound.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorContains(t, tt.write(), tt.says)
		})
	}
	assert.Empty(t, needsInput(t, s, messages.Trendyol))
	assert.Len(t, queued(t, s, messages.Trendyol), 1)
	assert.Empty(t, get(t, s, id).Listings[messages.Trendyol].Mapping)
}

func claimQueued(t *testing.T, s store.Stores, owner string, limit int) []string {
	t.Helper()
	q, err := s.ClaimQueued(context.Background(), messages.Trendyol, store.Claim{Owner: owner, For: time.Minute}, limit)
	require.NoError(t, err)
	var ids []string
	for _, l := range q {
		ids = append(ids, l.ProductID)
	}
	return ids
}

func testOutboxClaimListings(t *testing.T, s store.Stores) {
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		id, rev := put(t, s, newProduct(fmt.Sprintf("p%d", i), fmt.Sprintf("SKU-%d", i)))
		queue(t, s, id, rev, "")
	}
	a := claimQueued(t, s, "a", 2)
	require.Len(t, a, 2)
	b := claimQueued(t, s, "b", 10)
	require.Len(t, b, 1, "b gets what a did not claim")
	assert.NotContains(t, a, b[0])
	assert.ElementsMatch(t, a, claimQueued(t, s, "a", 10), "an owner takes its own claims again")
	assert.Equal(t, b, claimQueued(t, s, "b", 10))
	assert.Len(t, queued(t, s, messages.Trendyol), 3, "Queued lists claimed listings too")

	// A failed attempt ends the claim: the listing may go to another replica.
	_, err := s.ListingFailed(ctx, a[0], 1, messages.Trendyol, "timeout", 5)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{a[0], b[0]}, claimQueued(t, s, "b", 10))
	assert.Equal(t, []string{a[1]}, claimQueued(t, s, "a", 10))

	// Submitted: no longer queued for anyone.
	require.NoError(t, s.SetListing(ctx, a[1], 1, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "s1"}))
	assert.Empty(t, claimQueued(t, s, "a", 10))
	assert.Empty(t, claimQueued(t, s, "c", 10), "b still holds its two")

	_, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{}, 10)
	assert.Error(t, err, "a claim without owner")
}

func testOutboxResent(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	first, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "a", For: time.Millisecond}, 10)
	require.NoError(t, err)
	require.Len(t, first, 1)
	assert.False(t, first[0].Resent, "never claimed before")
	// Claimed again without a request going out: nothing to look up.
	again, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "a", For: time.Millisecond}, 10)
	require.NoError(t, err)
	require.Len(t, again, 1)
	assert.False(t, again[0].Resent, "claimed twice, never sent")
	require.NoError(t, s.Sending(ctx, messages.Trendyol, []string{id}))
	// a sent it, then could not record the outcome (or died): its claim runs out.
	require.Eventually(t, func() bool {
		again, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "b", For: time.Minute}, 10)
		require.NoError(t, err)
		return len(again) == 1
	}, 5*time.Second, 5*time.Millisecond)
	assert.True(t, again[0].Resent, "the marketplace may hold it already")

	// Refused with an answer: not sent, so the next claim is not resent on its account.
	require.NoError(t, s.Unclaim(ctx, messages.Trendyol, "b", []string{id}))
	q, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "c", For: time.Minute}, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.True(t, q[0].Resent, "still: a's send may have gone through")
	id2, rev2 := put(t, s, newProduct("p2", "SKU-2"))
	queue(t, s, id2, rev2, "")
	q, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "d", For: time.Minute}, 10)
	require.NoError(t, err)
	require.Len(t, q, 1, "p1 is c's")
	require.NoError(t, s.Sending(ctx, messages.Trendyol, []string{id2}))
	require.NoError(t, s.Unclaim(ctx, messages.Trendyol, "c", []string{id}), "no claim of d's ends")
	require.NoError(t, s.Unclaim(ctx, messages.Trendyol, "d", []string{id2}))
	q, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "e", For: time.Minute}, 10)
	require.NoError(t, err)
	require.Len(t, q, 2)
	for _, l := range q {
		assert.Equal(t, l.ProductID == id, l.Resent, l.ProductID)
	}

	// A new revision keeps that knowledge.
	p := newProduct("p1", "SKU-1")
	p.Product.Name = "Mug, larger"
	id, rev = put(t, s, p)
	require.Equal(t, 2, rev)
	queue(t, s, id, rev, "")
	q, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "f", For: time.Minute}, 1)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.True(t, q[0].Resent)
}

func testOutboxClaimStock(t *testing.T, s store.Stores) {
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		sku := fmt.Sprintf("SKU-%d", i)
		id, rev := put(t, s, newProduct(fmt.Sprintf("p%d", i), sku))
		queue(t, s, id, rev, "")
		require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
		_, err := s.MarkSent(ctx, messages.Trendyol, sku, 5, 1)
		require.NoError(t, err)
	}
	claim := func(owner string) []store.Push {
		t.Helper()
		p, err := s.ClaimUnpushed(ctx, messages.Trendyol, store.Claim{Owner: owner, For: time.Minute}, 2, 3)
		require.NoError(t, err)
		return p
	}
	a := claim("a")
	require.Len(t, a, 2)
	b := claim("b")
	require.Len(t, b, 1)
	assert.NotEqual(t, a[0].SKU, b[0].SKU)
	assert.NotEqual(t, a[1].SKU, b[0].SKU)
	assert.Empty(t, claim("c"))

	require.NoError(t, s.Pushed(ctx, messages.Trendyol, a))
	assert.Empty(t, claim("c"), "pushed: nothing left but b's claim")
	_, err := s.MarkSent(ctx, messages.Trendyol, a[0].SKU, 3, 2)
	require.NoError(t, err)
	assert.Equal(t, []store.Push{{SKU: a[0].SKU, Quantity: 3, Version: 2}}, claim("c"), "a newer quantity is anyone's once the push is recorded")

	require.NoError(t, s.PushFailed(ctx, messages.Trendyol, b[0]))
	got := claim("d")
	require.Len(t, got, 1, "a refused push ends the claim")
	assert.Equal(t, b[0].SKU, got[0].SKU)
}

func testOutboxClaimConcurrent(t *testing.T, s store.Stores) {
	ctx := context.Background()
	const n = 40
	for i := range n {
		id, rev := put(t, s, newProduct(fmt.Sprintf("p%02d", i), fmt.Sprintf("SKU-%02d", i)))
		queue(t, s, id, rev, "")
	}
	var (
		mu    sync.Mutex
		seen  = map[string]string{}
		twice []string
		wg    sync.WaitGroup
	)
	for r := range 4 {
		owner := fmt.Sprintf("replica-%d", r)
		wg.Go(func() {
			for range 20 {
				q, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: owner, For: time.Minute}, 3)
				if !assert.NoError(t, err) {
					return
				}
				mu.Lock()
				for _, l := range q {
					if _, ok := seen[l.ProductID]; ok {
						twice = append(twice, l.ProductID)
					}
					seen[l.ProductID] = owner
				}
				mu.Unlock()
				for _, l := range q { // sent: no longer queued
					assert.NoError(t, s.SetListing(ctx, l.ProductID, l.Revision, messages.Trendyol,
						store.Listing{State: store.ListingSubmitted, Submission: owner}))
				}
				if len(q) == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Empty(t, twice, "listings claimed by two replicas")
	assert.Len(t, seen, n, "every listing claimed")
}

func testOutboxClaimExpire(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	q, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "dead", For: time.Millisecond}, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.Eventually(t, func() bool { return len(claimQueued(t, s, "alive", 10)) == 1 },
		5*time.Second, 5*time.Millisecond, "the claim of a replica that died expires")
	assert.Empty(t, claimQueued(t, s, "dead", 10), "and is not its owner's any more")

	// A replica still at work renews its claims.
	id2, rev2 := put(t, s, newProduct("p2", "SKU-2"))
	queue(t, s, id2, rev2, "")
	q, err = s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "busy", For: 50 * time.Millisecond}, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.NoError(t, s.Renew(ctx, messages.Trendyol, "busy", time.Minute))
	time.Sleep(100 * time.Millisecond)
	assert.Empty(t, claimQueued(t, s, "other", 10), "renewed: still busy's")
}

func testOutboxLease(t *testing.T, s store.Stores) {
	ctx := context.Background()
	lease := func(name, owner string, ttl time.Duration) bool {
		t.Helper()
		ok, err := s.Lease(ctx, name, owner, ttl)
		require.NoError(t, err)
		return ok
	}
	assert.True(t, lease("orders/trendyol", "a", time.Minute))
	assert.False(t, lease("orders/trendyol", "b", time.Minute), "held by a")
	assert.True(t, lease("orders/trendyol", "a", time.Millisecond), "a renews its own")
	assert.True(t, lease("orders/amazon", "b", time.Minute), "another lease")
	require.Eventually(t, func() bool { return lease("orders/trendyol", "b", time.Minute) },
		5*time.Second, 5*time.Millisecond, "an expired lease goes to another owner")
	assert.False(t, lease("orders/trendyol", "a", time.Minute))
	_, err := s.Lease(ctx, "", "a", time.Minute)
	assert.Error(t, err)

	// A replica that stops releases its leases and claims on that marketplace.
	assert.True(t, lease("orders/amazon", "b", time.Minute))
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	queue(t, s, id, rev, "")
	require.Len(t, claimQueued(t, s, "b", 10), 1)
	require.NoError(t, s.Sending(ctx, messages.Trendyol, []string{id}))
	require.NoError(t, s.Release(ctx, messages.Trendyol, "b"))
	assert.True(t, lease("orders/trendyol", "c", time.Minute), "released at once")
	assert.False(t, lease("orders/amazon", "c", time.Minute), "another marketplace's stays")
	q, err := s.ClaimQueued(ctx, messages.Trendyol, store.Claim{Owner: "c", For: time.Minute}, 10)
	require.NoError(t, err)
	require.Len(t, q, 1, "the claim too")
	assert.True(t, q[0].Resent, "it may have been on its way")
}

func testOutboxBacklog(t *testing.T, s store.Stores) {
	ctx := context.Background()
	b, err := s.Backlog(ctx, messages.Trendyol, 3)
	require.NoError(t, err)
	assert.Equal(t, store.Backlog{Listings: map[string]int{}}, b)
	for i := 1; i <= 3; i++ {
		sku := fmt.Sprintf("SKU-%d", i)
		id, rev := put(t, s, newProduct(fmt.Sprintf("p%d", i), sku))
		queue(t, s, id, rev, "")
		_, err := s.MarkSent(ctx, messages.Trendyol, sku, 5, 1)
		require.NoError(t, err)
	}
	require.NoError(t, s.SetListing(ctx, "p1", 1, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	require.NoError(t, s.SetListing(ctx, "p2", 1, messages.Trendyol, store.Listing{State: store.ListingSubmitted, Submission: "s"}))
	b, err = s.Backlog(ctx, messages.Trendyol, 3)
	require.NoError(t, err)
	assert.Equal(t, store.Backlog{Listings: map[string]int{store.ListingQueued: 1, store.ListingSubmitted: 1, store.ListingAccepted: 1}, Unpushed: 1}, b)
	b, err = s.Backlog(ctx, messages.Amazon, 3)
	require.NoError(t, err)
	assert.Equal(t, store.Backlog{Listings: map[string]int{}}, b)
}

func testOutboxAcknowledged(t *testing.T, s store.Stores) {
	ctx := context.Background()
	for i := 1; i <= 3; i++ {
		sku := fmt.Sprintf("SKU-%d", i)
		id, rev := put(t, s, newProduct(fmt.Sprintf("p%d", i), sku))
		queue(t, s, id, rev, fmt.Sprintf("86900000000%d", i))
		if i < 3 {
			require.NoError(t, s.SetListing(ctx, id, rev, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
		}
		_, err := s.MarkSent(ctx, messages.Trendyol, sku, 5, 1)
		require.NoError(t, err)
	}
	ack := func(after string) []store.Push {
		t.Helper()
		p, err := s.Acknowledged(ctx, messages.Trendyol, after, 10)
		require.NoError(t, err)
		return p
	}
	assert.Empty(t, ack(""), "nothing acknowledged yet")
	require.NoError(t, s.Pushed(ctx, messages.Trendyol, []store.Push{{SKU: "SKU-1", Quantity: 5, Version: 1}, {SKU: "SKU-2", Quantity: 5, Version: 1}}))
	assert.Equal(t, []store.Push{{SKU: "SKU-1", Barcode: "869000000001", Quantity: 5, Version: 1}, {SKU: "SKU-2", Barcode: "869000000002", Quantity: 5, Version: 1}}, ack(""))
	assert.Equal(t, []store.Push{{SKU: "SKU-2", Barcode: "869000000002", Quantity: 5, Version: 1}}, ack("SKU-1"), "paged by SKU")
	only, err := s.Acknowledged(ctx, messages.Trendyol, "", 10, "SKU-2", "SKU-3")
	require.NoError(t, err)
	assert.Equal(t, []store.Push{{SKU: "SKU-2", Barcode: "869000000002", Quantity: 5, Version: 1}}, only, "only the SKUs asked for")

	_, err = s.MarkSent(ctx, messages.Trendyol, "SKU-2", 3, 2)
	require.NoError(t, err)
	assert.Len(t, ack(""), 1, "a change on its way is not compared")

	require.NoError(t, s.Repush(ctx, messages.Trendyol, "SKU-1", 1))
	left, err := s.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"SKU-1", "SKU-2"}, []string{left[0].SKU, left[1].SKU}, "repushed")
	assert.Empty(t, ack(""))
	require.NoError(t, s.Repush(ctx, messages.Trendyol, "SKU-2", 1), "an old version: nothing to do")
}
