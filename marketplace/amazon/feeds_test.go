package amazon_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

// pollDone polls a submission, moving the sandbox clock a second between polls.
func pollDone(t *testing.T, e *env, c marketplace.Client, id string) marketplace.Submission {
	t.Helper()
	for range 30 {
		sub, err := c.Poll(context.Background(), id)
		require.NoError(t, err)
		if sub.Done {
			return sub
		}
		e.sb.Advance(time.Second)
	}
	t.Fatalf("submission %s not done after 30 polls", id)
	return marketplace.Submission{}
}

func outcomes(sub marketplace.Submission) map[string]marketplace.ItemResult {
	out := map[string]marketplace.ItemResult{}
	for _, it := range sub.Items {
		out[it.SKU] = it
	}
	return out
}

// TestFeedRound sends a round of twenty listings: one JSON_LISTINGS_FEED (document,
// upload, feed; getFeed until DONE; one report) carries the eighteen that may go, with
// the attributes a PUT would carry; the one with a VAT rate Amazon has no code for is
// previewed with a PUT and rejected, and the one the sandbox refuses is rejected with
// its reason from the report. Every request and answer matches Amazon's models and
// the documents their schemas.
func TestFeedRound(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	ctx := context.Background()

	// The same listing alone goes as a PUT: its attributes are the feed message's.
	single := validListing("single")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{single})
	require.NoError(t, err)
	assert.Equal(t, marketplace.SubmissionAccepted, outcomes(pollDone(t, e, c, sub.ID))[single.SKU].State)
	require.Equal(t, 1, e.check.opCount("putListingsItem"))
	assert.Zero(t, e.check.opCount("createFeed"), "one listing goes as a PUT")
	put := e.check.puts[0]

	var ls []marketplace.Listing
	for range 18 {
		ls = append(ls, validListing("bulk"))
	}
	ls[0].SKU = single.SKU // sent again, now in the feed
	invalid := validListing("toolong")
	invalid.Text.Title = strings.Repeat("x", 300)
	vat := validListing("vat")
	vat.VATRate = 18
	ls = append(ls, invalid, vat)

	sub, err = c.UpsertListings(ctx, ls)
	require.NoError(t, err)
	assert.False(t, sub.Done)
	assert.Equal(t, marketplace.SubmissionRejected, outcomes(sub)[vat.SKU].State, "refused before the feed is sent")
	assert.Equal(t, marketplace.SubmissionPending, outcomes(sub)[invalid.SKU].State)
	done := pollDone(t, e, c, sub.ID)
	got := outcomes(done)
	for _, l := range ls[:18] {
		assert.Equal(t, marketplace.SubmissionAccepted, got[l.SKU].State, "%s: %q", l.SKU, got[l.SKU].Reasons)
	}
	assert.Equal(t, marketplace.SubmissionRejected, got[invalid.SKU].State)
	assert.Contains(t, strings.Join(got[invalid.SKU].Reasons, "; "), "item_name")
	listed := e.sb.Listings(amazon.Name)
	assert.Contains(t, listed, ls[5].SKU)
	assert.NotContains(t, listed, invalid.SKU)
	assert.NotContains(t, listed, vat.SKU)

	assert.Equal(t, 2, e.check.opCount("putListingsItem"), "the single listing and the VAT preview")
	assert.Equal(t, 1, e.check.opCount("createFeedDocument"))
	assert.Equal(t, 1, e.check.opCount("createFeed"))
	assert.Positive(t, e.check.opCount("getFeed"))
	assert.Equal(t, 1, e.check.opCount("getFeedDocument"))
	e.check.mu.Lock()
	defer e.check.mu.Unlock()
	assert.Empty(t, e.check.problems)
	require.Len(t, e.check.documents["PUT"], 1)
	require.Len(t, e.check.documents["GET"], 1)

	uploaded := e.check.documents["PUT"][0]
	vs, err := spmodel.ValidateListingsFeed(uploaded)
	require.NoError(t, err)
	assert.Empty(t, vs)
	var feed struct {
		Messages []struct {
			MessageID     int            `json:"messageId"`
			SKU           string         `json:"sku"`
			OperationType string         `json:"operationType"`
			Attributes    map[string]any `json:"attributes"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal(uploaded, &feed))
	require.Len(t, feed.Messages, 19, "all but the VAT preview")
	assert.Equal(t, single.SKU, feed.Messages[0].SKU)
	assert.Equal(t, "UPDATE", feed.Messages[0].OperationType)
	assert.Equal(t, put["attributes"], feed.Messages[0].Attributes, "a message carries what the PUT carried")

	zr, err := gzip.NewReader(bytes.NewReader(e.check.documents["GET"][0]))
	require.NoError(t, err, "the report comes gzipped")
	report, err := io.ReadAll(zr)
	require.NoError(t, err)
	vs, err = spmodel.ValidateProcessingReport(report)
	require.NoError(t, err)
	assert.Empty(t, vs)
}

// TestFeedThreshold: a round of as many listings as the threshold goes one by one, one
// more goes as a feed; a negative threshold sends every round one by one and takes
// rounds of MaxBatch.
func TestFeedThreshold(t *testing.T) {
	ctx := context.Background()
	round := func(n int) []marketplace.Listing {
		var ls []marketplace.Listing
		for range n {
			ls = append(ls, validListing("threshold"))
		}
		return ls
	}
	e := newEnv(t, sandboxOpts)
	c := e.client(func(cfg *amazon.Config) { cfg.Feeds.Threshold = 3 })
	assert.Equal(t, amazon.DefaultFeedListings, c.MaxListings())
	_, err := c.UpsertListings(ctx, round(3))
	require.NoError(t, err)
	assert.Equal(t, 3, e.check.opCount("putListingsItem"))
	assert.Zero(t, e.check.opCount("createFeed"))
	sub, err := c.UpsertListings(ctx, round(4))
	require.NoError(t, err)
	assert.Equal(t, 3, e.check.opCount("putListingsItem"))
	assert.Equal(t, 1, e.check.opCount("createFeed"))
	pollDone(t, e, c, sub.ID)

	e = newEnv(t, sandboxOpts)
	c = e.client(func(cfg *amazon.Config) { cfg.Feeds.Threshold = -1 })
	assert.Equal(t, c.MaxBatch(), c.MaxListings())
	_, err = c.UpsertListings(ctx, round(8))
	require.NoError(t, err)
	assert.Equal(t, 8, e.check.opCount("putListingsItem"))
	assert.Zero(t, e.check.opCount("createFeed"))
}

// TestFeedThrottled: past five JSON_LISTINGS_FEED submissions in five minutes the
// sandbox throttles createFeed; the error is a RateLimitError, and the default
// limiter of that plan keeps the client itself from asking: it waits for a token, or
// sends the round one by one when that is sooner.
func TestFeedThrottled(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, sandboxOpts)
	unpaced := e.client(func(cfg *amazon.Config) {
		cfg.Feeds.Threshold = 1
		cfg.Feeds.ListingsFeed = marketplace.NewLimiter(1000, 1000)
	})
	for i := range 6 {
		_, err := unpaced.UpsertListings(ctx, []marketplace.Listing{validListing("rl"), validListing("rl")})
		if i < 5 {
			require.NoError(t, err, "feed %d", i+1)
			continue
		}
		var rl *marketplace.RateLimitError
		require.ErrorAs(t, err, &rl)
		assert.Positive(t, rl.RetryAfter)
	}

	// When one PUT each would take longer than the wait for a feed (here PUTs are
	// slow), the sixth feed waits for the client's own bucket.
	e = newEnv(t, sandboxOpts)
	paced := e.client(func(cfg *amazon.Config) {
		cfg.Feeds.Threshold = 1
		cfg.PutLimiter = marketplace.NewLimiter(0.001, 1)
	})
	for i := range 5 {
		_, err := paced.UpsertListings(ctx, []marketplace.Listing{validListing("rl"), validListing("rl")})
		require.NoError(t, err, "feed %d", i+1)
	}
	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err := paced.UpsertListings(short, []marketplace.Listing{validListing("rl"), validListing("rl")})
	assert.ErrorIs(t, err, context.DeadlineExceeded, "the sixth waits for the client's own bucket")

	// When they are sooner, the round goes one putListingsItem each at once.
	spent := marketplace.NewLimiter(5.0/300, 5)
	for range 5 {
		require.NoError(t, spent.Wait(ctx))
	}
	eager := e.client(func(cfg *amazon.Config) {
		cfg.Feeds.Threshold = 1
		cfg.Feeds.ListingsFeed = spent
	})
	sub, err := eager.UpsertListings(ctx, []marketplace.Listing{validListing("rl"), validListing("rl")})
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(sub.ID, "amzn.feed."), "not a feed: %s", sub.ID)
	assert.Len(t, sub.Items, 2)
}

// TestFeedRefusedGoesOneByOne: when Amazon refuses the feed itself (a 400 to
// createFeed), the round goes one putListingsItem each and still ends decided.
func TestFeedRefusedGoesOneByOne(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/feeds/2021-06-30/feeds" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errors":[{"code":"InvalidInput","message":"Invalid input"}]}`))
			return
		}
		e.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(refusing.Close)
	c := amazon.New(amazon.Config{BaseURL: refusing.URL, TokenURL: refusing.URL + "/auth/o2/token",
		ClientID: sandboxOpts.ClientID, ClientSecret: sandboxOpts.ClientSecret, RefreshToken: sandboxOpts.RefreshToken,
		SellerID: sandboxOpts.SellerID, Now: e.sb.Now, Feeds: amazon.FeedsConfig{Threshold: 2}})
	// Three listings: a poll of the single path reads them all within the sandbox's
	// getListingsItem plan.
	var ls []marketplace.Listing
	for range 3 {
		ls = append(ls, validListing("refused"))
	}
	sub, err := c.UpsertListings(context.Background(), ls)
	require.NoError(t, err)
	assert.False(t, strings.HasPrefix(sub.ID, "amzn.feed."), "not a feed's submission")
	got := outcomes(pollDone(t, e, c, sub.ID))
	require.Len(t, got, 3)
	for _, l := range ls {
		assert.Equal(t, marketplace.SubmissionAccepted, got[l.SKU].State, "%q", got[l.SKU].Reasons)
	}
}
