package publish_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
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
	e := newOnTrendyol(t)
	fs := &forgetful{Store: e.st}
	fs.fail.Store(1)
	pub := e.publisher(&publish.Publisher{Store: fs, ClaimFor: 200 * time.Millisecond})
	e.run(t, pub)

	const barcode = "8690000000029"
	product := tshirt("TY-RESENT-1", barcode, messages.Trendyol)
	l := e.decided(t, e.list(t, pub, "p-resent", product))
	require.Equal(t, store.ListingAccepted, l.State, "reasons: %q", l.Reasons)
	assert.Less(t, fs.fail.Load(), int32(0), "the first recording failed")
	_, ok := e.sb.TrendyolProduct(barcode)
	assert.True(t, ok)
}
