package publish

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/store"
)

// bulkClient takes more listings a round than stock items (Amazon's feed).
type bulkClient struct{ *fakeClient }

func (bulkClient) MaxListings() int { return 6 }

// TestBulkSubmissions: a ListingBatcher's rounds take MaxListings listings; what a
// submission decides at once is recorded at once; a submission the marketplace gives
// up on as a whole (ErrSubmissionFailed) sends its listings again at once, counting an
// attempt; one that finishes without an outcome for a listing sends that one again.
func TestBulkSubmissions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	ids := map[string]string{}
	for i := range 7 {
		sku := fmt.Sprintf("S%d", i)
		ids[sku] = f.queue(t, sku)
	}
	f.client.upsert = func(ls []marketplace.Listing) (marketplace.Submission, error) {
		sub := marketplace.Submission{ID: fmt.Sprintf("feed-%d", len(f.client.batches))}
		for _, l := range ls {
			it := marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionPending}
			if l.SKU == "S0" {
				it.State, it.Reasons = marketplace.SubmissionRejected, []string{"no tax code"}
			}
			sub.Items = append(sub.Items, it)
		}
		return sub, nil
	}
	f.client.poll = func(id string) (marketplace.Submission, error) {
		return marketplace.Submission{}, fmt.Errorf("%w: amazon ended feed 1 FATAL: bad document", marketplace.ErrSubmissionFailed)
	}
	p := f.publisher("a")
	p.Client = bulkClient{f.client}
	p.init()
	more, err := p.submitListings(ctx)
	require.NoError(t, err)
	assert.True(t, more, "a full round of six")
	require.Len(t, f.client.batches, 1)
	assert.Len(t, f.client.batches[0], 6)
	s0 := f.state(t, ids["S0"])
	assert.Equal(t, store.ListingRejected, s0.State, "decided at once")
	assert.Equal(t, []string{"no tax code"}, s0.Reasons)
	assert.Equal(t, store.ListingSubmitted, f.state(t, ids["S1"]).State)

	require.NoError(t, p.pollListingSubmissions(ctx))
	s1 := f.state(t, ids["S1"])
	assert.Equal(t, store.ListingQueued, s1.State, "sent again, not rejected")
	require.Len(t, s1.Reasons, 1)
	assert.Contains(t, s1.Reasons[0], "FATAL: bad document")
	assert.Equal(t, store.ListingRejected, f.state(t, ids["S0"]).State, "a decided listing stays decided")

	// Sent again with S6; the feed finishes with outcomes for S1 and S2 only.
	f.client.poll = func(id string) (marketplace.Submission, error) {
		return marketplace.Submission{ID: id, Done: true, Items: []marketplace.ItemResult{
			{SKU: "S1", State: marketplace.SubmissionAccepted},
			{SKU: "S2", State: marketplace.SubmissionRejected, Reasons: []string{"title too long"}}}}, nil
	}
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	require.Len(t, f.client.batches, 2)
	assert.Len(t, f.client.batches[1], 6, "S1–S6")
	require.NoError(t, p.pollListingSubmissions(ctx))
	assert.Equal(t, store.ListingAccepted, f.state(t, ids["S1"]).State)
	assert.Equal(t, store.ListingRejected, f.state(t, ids["S2"]).State)
	s3 := f.state(t, ids["S3"])
	assert.Equal(t, store.ListingQueued, s3.State)
	require.Len(t, s3.Reasons, 1)
	assert.Contains(t, s3.Reasons[0], "finished without an outcome")

	// Two failed attempts of three; the third rejects with its reason.
	f.client.poll = func(string) (marketplace.Submission, error) {
		return marketplace.Submission{}, fmt.Errorf("%w: amazon ended feed 3 CANCELLED", marketplace.ErrSubmissionFailed)
	}
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	require.NoError(t, p.pollListingSubmissions(ctx))
	s3 = f.state(t, ids["S3"])
	assert.Equal(t, store.ListingRejected, s3.State)
	assert.Contains(t, s3.Reasons[0], "CANCELLED")
}
