package hepsiburada_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
)

// listingReads records the merchantSkuList of every listing read a client sends.
type listingReads struct {
	mu    sync.Mutex
	lists [][]string
	next  http.RoundTripper
}

func (l *listingReads) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/listings/merchantid/") && !strings.Contains(r.URL.Path, "-uploads") {
		l.mu.Lock()
		l.lists = append(l.lists, strings.Split(r.URL.Query().Get("merchantSkuList"), ","))
		l.mu.Unlock()
	}
	return l.next.RoundTrip(r)
}

func (l *listingReads) take() [][]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.lists
	l.lists = nil
	return out
}

func TestPushStockLeavesOutFulfilledByHB(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &now)
	clock := now
	reads := &listingReads{next: srv.Client().Transport}
	c := hepsiburada.New(hepsiburada.Config{
		CatalogURL: srv.URL, ListingURL: srv.URL, OMSURL: srv.URL, MerchantID: merchant, ServiceKey: key, UserAgent: agent,
		HTTPClient: &http.Client{Transport: reads}, FulfilmentRefresh: time.Hour, Now: func() time.Time { return clock },
	})
	ctx := context.Background()

	ls := make([]marketplace.Listing, 60)
	for i := range ls {
		ls[i] = marketplacetest.Listing("fbh")
	}
	sub, err := c.UpsertListings(ctx, ls)
	require.NoError(t, err)
	now = now.Add(2 * time.Second)
	done, err := c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)
	require.Len(t, sb.Listings("hepsiburada"), 60)
	held, later := ls[3].SKU, ls[4].SKU
	require.NoError(t, sb.SetHepsiburadaFulfilledByHB(held, true))

	all := make([]marketplace.Stock, len(ls))
	for i, l := range ls {
		all[i] = marketplace.Stock{SKU: l.SKU, Quantity: 5}
	}
	outcome := func(t *testing.T, push []marketplace.Stock) map[string]marketplace.ItemResult {
		t.Helper()
		sub, err := c.PushStock(ctx, push)
		require.NoError(t, err)
		if !sub.Done {
			now = now.Add(2 * time.Second)
			sub, err = c.Poll(ctx, sub.ID)
			require.NoError(t, err)
		}
		require.True(t, sub.Done)
		got := map[string]marketplace.ItemResult{}
		for _, it := range sub.Items {
			got[it.SKU] = it
		}
		return got
	}

	t.Run("first push reads every sku, 50 a request", func(t *testing.T) {
		got := outcome(t, all)
		lists := reads.take()
		require.Len(t, lists, 2)
		assert.Len(t, lists[0], 50)
		assert.Len(t, lists[1], 10)
		require.Len(t, got, 60)
		assert.Equal(t, marketplace.SubmissionAccepted, got[held].State)
		assert.Equal(t, []string{hepsiburada.ReasonFulfilledByHB}, got[held].Reasons)
		assert.Equal(t, 50, sb.Listings("hepsiburada")[held], "the warehouse count is left alone")
		assert.Equal(t, 5, sb.Listings("hepsiburada")[later])
	})

	t.Run("within the refresh nothing is read again", func(t *testing.T) {
		clock = clock.Add(59 * time.Minute)
		require.NoError(t, sb.SetHepsiburadaFulfilledByHB(later, true))
		got := outcome(t, all[:10])
		assert.Empty(t, reads.take())
		assert.Equal(t, []string{hepsiburada.ReasonFulfilledByHB}, got[held].Reasons)
		assert.Empty(t, got[later].Reasons, "what was read an hour ago still holds")
	})

	t.Run("after the refresh the skus pushed are read again", func(t *testing.T) {
		clock = clock.Add(time.Minute)
		got := outcome(t, []marketplace.Stock{{SKU: later, Quantity: 9}, {SKU: ls[5].SKU, Quantity: 9}})
		assert.Equal(t, [][]string{{later, ls[5].SKU}}, reads.take())
		assert.Equal(t, []string{hepsiburada.ReasonFulfilledByHB}, got[later].Reasons)
		assert.Equal(t, 5, sb.Listings("hepsiburada")[later])
		assert.Equal(t, 9, sb.Listings("hepsiburada")[ls[5].SKU])
	})

	t.Run("a held sku's price is still sent", func(t *testing.T) {
		sub, err := c.PushStock(ctx, []marketplace.Stock{{SKU: held, Quantity: 1, Price: 77.5}})
		require.NoError(t, err)
		assert.Regexp(t, `^price:[^+]+\+fbh:.+$`, sub.ID, "no stock upload, a price upload")
		assert.False(t, sub.Done)
		now = now.Add(2 * time.Second)
		sub, err = c.Poll(ctx, sub.ID)
		require.NoError(t, err)
		require.True(t, sub.Done)
		require.Len(t, sub.Items, 1)
		assert.Equal(t, marketplace.SubmissionAccepted, sub.Items[0].State)
		assert.Equal(t, []string{hepsiburada.ReasonFulfilledByHB}, sub.Items[0].Reasons)
		assert.Equal(t, 50, sb.Listings("hepsiburada")[held])
		assert.Equal(t, [][]string{{held}}, reads.take(), "read an hour ago, so read again")
	})

	t.Run("an unlisted sku is read once and refused by the upload", func(t *testing.T) {
		for range 2 {
			got := outcome(t, []marketplace.Stock{{SKU: "not-listed", Quantity: 1}})
			assert.Equal(t, marketplace.SubmissionRejected, got["not-listed"].State)
		}
		assert.Len(t, reads.take(), 1)
	})

	t.Run("a failed read sends nothing", func(t *testing.T) {
		clock = clock.Add(2 * time.Hour)
		require.NoError(t, sb.SetRevoked("hepsiburada", true))
		t.Cleanup(func() { _ = sb.SetRevoked("hepsiburada", false) })
		_, err := c.PushStock(ctx, []marketplace.Stock{{SKU: ls[6].SKU, Quantity: 1}})
		assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
		assert.ErrorContains(t, err, "read listings")
		assert.Equal(t, 5, sb.Listings("hepsiburada")[ls[6].SKU])
	})
}

func TestPollHeldAlone(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, srv := newSandbox(t, &now)
	c := newClient(srv, 100)
	// An ID whose only part is fbh names SKUs this client never held: nothing to report.
	sub, err := c.Poll(context.Background(), "fbh:unknown")
	require.NoError(t, err)
	assert.True(t, sub.Done)
	assert.Empty(t, sub.Items)
	_, err = c.Poll(context.Background(), "fbh:")
	assert.ErrorContains(t, err, "not a hepsiburada submission ID")
}
