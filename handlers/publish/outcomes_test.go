package publish

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
)

// TestStockOutcomesDoNotWaitForListingPolls: the outcomes of stock pushes are polled on
// a loop of their own, so a marketplace throttling listing polls does not hold back
// the stock it refused.
func TestStockOutcomesDoNotWaitForListingPolls(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.queue(t, "L")
	f.accept(t, "B", 3)
	p := f.publisher("a")
	p.init()
	f.client.upsert = func(ls []marketplace.Listing) (marketplace.Submission, error) {
		return marketplace.Submission{ID: "listings-1", Items: []marketplace.ItemResult{{SKU: "L", State: marketplace.SubmissionPending}}}, nil
	}
	f.client.push = func([]marketplace.Stock) (marketplace.Submission, error) {
		return marketplace.Submission{ID: "stock-1"}, nil
	}
	f.client.poll = func(id string) (marketplace.Submission, error) {
		if id == "listings-1" {
			return marketplace.Submission{}, &marketplace.RateLimitError{RetryAfter: time.Minute}
		}
		return marketplace.Submission{ID: id, Done: true, Items: []marketplace.ItemResult{
			{SKU: "B", State: marketplace.SubmissionRejected, Reasons: []string{"stock too high"}}}}, nil
	}
	_, err := p.submitListings(ctx)
	require.NoError(t, err)
	_, err = p.pushStock(ctx)
	require.NoError(t, err)

	_, err = p.pollSubmissions(ctx)
	require.ErrorIs(t, err, marketplace.ErrRateLimited)
	left, err := f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.Empty(t, left, "listing polls leave stock outcomes to their own loop")

	_, err = p.pollStockOutcomes(ctx)
	require.NoError(t, err)
	left, err = f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, "B", left[0].SKU, "the refused item is pushed again")
}

// TestChangedQuantityIsPushedAtOnce: a quantity to send wakes the stock loop, which
// pushes it within the linger, not at the next tick.
func TestChangedQuantityIsPushedAtOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFixture(t)
	p := f.publisher("a")
	p.PollEvery = time.Hour
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	time.Sleep(100 * time.Millisecond) // the first rounds find nothing; the next tick is an hour away

	f.accept(t, "A", 4)
	woken := time.Now()
	p.WakeStock()
	require.Eventually(t, func() bool {
		f.client.mu.Lock()
		defer f.client.mu.Unlock()
		return len(f.client.pushes) == 1
	}, 5*time.Second, 5*time.Millisecond)
	assert.Less(t, time.Since(woken), 2*time.Second)
	assert.Equal(t, marketplace.Stock{SKU: "A", Quantity: 4}, f.client.pushes[0])
	cancel()
	require.NoError(t, <-done)
}
