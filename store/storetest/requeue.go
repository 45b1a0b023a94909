package storetest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testOutboxRequeue checks that a rejected listing is queued again, on the same
// revision, with the payload as edited, and that a listing never queued or an edit
// that fails changes nothing.
func testOutboxRequeue(t *testing.T, s store.Stores) {
	ctx := context.Background()
	id, rev := put(t, s, newProduct("p1", "SKU-1"))
	err := s.RequeueListing(ctx, id, messages.Trendyol, func(p json.RawMessage) (json.RawMessage, error) { return p, nil })
	require.ErrorIs(t, err, store.ErrNotQueued, "nothing was queued yet")

	queue(t, s, id, rev, "")
	rejected, err := s.ListingFailed(ctx, id, rev, messages.Trendyol, "title too long", 1)
	require.NoError(t, err)
	require.True(t, rejected)

	boom := errors.New("boom")
	err = s.RequeueListing(ctx, id, messages.Trendyol, func(json.RawMessage) (json.RawMessage, error) { return nil, boom })
	require.ErrorIs(t, err, boom)
	assert.Equal(t, store.ListingRejected, get(t, s, id).Listings[messages.Trendyol].State, "a failed edit changes nothing")

	edited := json.RawMessage(`{"SKU":"SKU-1","Title":"Short mug"}`)
	require.NoError(t, s.RequeueListing(ctx, id, messages.Trendyol, func(p json.RawMessage) (json.RawMessage, error) {
		assert.JSONEq(t, string(outboxPayload), string(p), "the edit sees the stored payload")
		return edited, nil
	}))
	p := get(t, s, id)
	assert.Equal(t, rev, p.Revision, "no new revision")
	l := p.Listings[messages.Trendyol]
	assert.Equal(t, store.ListingQueued, l.State)
	assert.Empty(t, l.Reasons)
	q, err := s.Queued(ctx, messages.Trendyol, 10)
	require.NoError(t, err)
	require.Len(t, q, 1)
	assert.JSONEq(t, string(edited), string(q[0].Payload))
	assert.Zero(t, q[0].Attempts, "attempts start again")

	assert.ErrorIs(t, s.RequeueListing(ctx, "missing", messages.Trendyol, func(p json.RawMessage) (json.RawMessage, error) { return p, nil }), store.ErrNotFound)
}
