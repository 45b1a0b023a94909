package amazon

import (
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

func gzipped(t *testing.T, raw []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	_, err := zw.Write(raw)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return b.Bytes()
}

func byState(items []marketplace.ItemResult) map[string]marketplace.ItemResult {
	out := map[string]marketplace.ItemResult{}
	for _, it := range items {
		out[it.SKU] = it
	}
	return out
}

// TestReportOutcomes maps processing reports to outcomes: by message ID when the SKUs
// are known, by the report's SKUs when not (Amazon's own example report), gzipped or
// not; a report with errors about the feed itself decides only the listings it names.
func TestReportOutcomes(t *testing.T) {
	example, err := os.ReadFile("spmodel/models/listings-feed-processing-report-schema-v2.example.json")
	require.NoError(t, err)
	plain, err := readReport(example, "")
	require.NoError(t, err)
	zipped, err := readReport(gzipped(t, example), "GZIP")
	require.NoError(t, err)
	assert.Equal(t, plain, zipped)
	_, err = readReport(example, "GZIP")
	assert.Error(t, err, "plain bytes said to be gzipped")
	_, err = readReport(example, "ZSTD")
	assert.ErrorContains(t, err, "ZSTD")

	// Amazon's example names SKUs in its issues and items: without this client's
	// memory of the feed they decide the outcome; its items' warnings do not reject.
	got := byState(plain.outcomes(nil))
	require.Len(t, got, 2)
	assert.Equal(t, marketplace.SubmissionRejected, got["My-SKU-B"].State)
	assert.Equal(t, []string{"'[batteries_required]' is required but not supplied.",
		"'[supplier_declared_dg_hz_regulation]' is required but not supplied."}, got["My-SKU-B"].Reasons)
	assert.Equal(t, marketplace.SubmissionRejected, got["My-SKU-C"].State)
	assert.Len(t, got["My-SKU-C"].Reasons, 1)

	report := []byte(`{"header":{"sellerId":"A1","version":"2.0","feedId":"9"},
		"issues":[{"messageId":2,"code":"90220","severity":"ERROR","message":"'brand' is required but not supplied."},
			{"messageId":3,"severity":"WARNING","message":"image is small"}],
		"summary":{"errors":1,"warnings":1,"messagesProcessed":4,"messagesAccepted":3,"messagesInvalid":1},
		"items":[{"sku":"D","issues":[{"code":"DUPLICATE","severity":"ERROR","message":"identifier used by E"}]}]}`)
	rep, err := readReport(gzipped(t, report), "GZIP")
	require.NoError(t, err)
	got = byState(rep.outcomes([]string{"A", "B", "C", "D"}))
	require.Len(t, got, 4)
	assert.Equal(t, marketplace.SubmissionAccepted, got["A"].State)
	assert.Equal(t, marketplace.ItemResult{SKU: "B", State: marketplace.SubmissionRejected, Reasons: []string{"'brand' is required but not supplied."}}, got["B"])
	assert.Equal(t, marketplace.SubmissionAccepted, got["C"].State, "a warning does not reject")
	assert.Empty(t, got["C"].Reasons)
	assert.Equal(t, []string{"identifier used by E"}, got["D"].Reasons, "found while processing")

	whole, err := readReport([]byte(`{"header":{"sellerId":"A1","version":"2.0","feedId":"9"},
		"issues":[{"severity":"ERROR","message":"processing stopped"},{"messageId":1,"severity":"ERROR","message":"bad price"}],
		"summary":{"errors":2,"warnings":0,"messagesProcessed":1,"messagesAccepted":0,"messagesInvalid":1}}`), "")
	require.NoError(t, err)
	assert.Equal(t, []string{"processing stopped"}, whole.feedIssues())
	got = byState(whole.outcomes([]string{"A", "B"}))
	assert.Equal(t, map[string]marketplace.ItemResult{"A": {SKU: "A", State: marketplace.SubmissionRejected, Reasons: []string{"bad price"}}}, got,
		"B has no outcome: the feed stopped before it")
}

// feedEnv is a sandbox on a fixed clock and a client of this package against it.
func feedEnv(t *testing.T) (*sandbox.Server, *Client) {
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	o := sandbox.AmazonOptions{SellerID: "A2SELLER"}
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return t0 }, Amazon: o})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	c := New(Config{BaseURL: srv.URL, TokenURL: srv.URL + "/auth/o2/token", ClientID: "amzn1.application-oa2-client.sandbox",
		ClientSecret: "sandbox-secret", RefreshToken: "Atzr|sandbox-refresh-token", SellerID: "A2SELLER", Now: sb.Now})
	return sb, c
}

// createRawFeed uploads doc as a feed document and creates a feed of it.
func createRawFeed(t *testing.T, c *Client, doc string) string {
	t.Helper()
	ctx := context.Background()
	var created struct {
		FeedDocumentID string `json:"feedDocumentId"`
		URL            string `json:"url"`
	}
	require.NoError(t, c.do(ctx, nil, http.MethodPost, "/feeds/2021-06-30/documents", nil, map[string]any{"contentType": feedContentType}, &created))
	_, err := c.transfer(ctx, http.MethodPut, created.URL, []byte(doc))
	require.NoError(t, err)
	var feed struct {
		FeedID string `json:"feedId"`
	}
	require.NoError(t, c.do(ctx, nil, http.MethodPost, "/feeds/2021-06-30/feeds", nil, map[string]any{
		"feedType": feedType, "marketplaceIds": []string{MarketplaceTurkey}, "inputFeedDocumentId": created.FeedDocumentID}, &feed))
	return feed.FeedID
}

// TestFeedFailedAsAWhole: a FATAL feed (its document breaks the feed schema) and a
// CANCELLED one end Poll with ErrSubmissionFailed and Amazon's reason, so their
// listings are sent again rather than rejected.
func TestFeedFailedAsAWhole(t *testing.T) {
	ctx := context.Background()
	sb, c := feedEnv(t)
	fatal := createRawFeed(t, c, `{"header":{"sellerId":"A2SELLER","version":"2.0"},"messages":[{"messageId":1,"sku":"S1","operationType":"UPSERT"}]}`)
	id := feedSubmissionID(fatal, 1)
	sub, err := c.Poll(ctx, id)
	require.NoError(t, err)
	assert.False(t, sub.Done, "in queue")
	sb.Advance(time.Minute)
	_, err = c.Poll(ctx, id)
	require.ErrorIs(t, err, marketplace.ErrSubmissionFailed)
	assert.ErrorContains(t, err, "FATAL")
	assert.ErrorContains(t, err, "/messages/0", "the report's reason names the broken message")

	cancelled := createRawFeed(t, c, `{"header":{"sellerId":"A2SELLER","version":"2.0"},"messages":[{"messageId":1,"sku":"S2","operationType":"DELETE"}]}`)
	tok, err := c.tokens.get(ctx)
	require.NoError(t, err)
	r, err := http.NewRequest(http.MethodDelete, c.cfg.BaseURL+"/feeds/2021-06-30/feeds/"+cancelled, nil)
	require.NoError(t, err)
	r.Header.Set("x-amz-access-token", tok)
	r.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := http.DefaultClient.Do(r)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, "cancelFeed of a feed in queue")
	sb.Advance(time.Minute)
	_, err = c.Poll(ctx, feedSubmissionID(cancelled, 1))
	require.ErrorIs(t, err, marketplace.ErrSubmissionFailed)
	assert.ErrorContains(t, err, "CANCELLED")

	_, err = c.Poll(ctx, "amzn.feed.x.1")
	assert.ErrorContains(t, err, "not a feed submission ID")
}

// TestFeedPolledByAnotherClient: a client that did not send the feed (a restart,
// another replica) maps its report by the SKUs the report names.
func TestFeedPolledByAnotherClient(t *testing.T) {
	ctx := context.Background()
	sb, c := feedEnv(t)
	attrs := `{"item_name":[{"value":"Kupa","language_tag":"tr_TR","marketplace_id":"A33AVAJ2PDY3EV"}]}`
	feed := createRawFeed(t, c, `{"header":{"sellerId":"A2SELLER","version":"2.0","report":{"includedData":["summaries","issues"],"apiVersion":"2021-08-01"}},
		"messages":[{"messageId":1,"sku":"S1","operationType":"UPDATE","productType":"PRODUCT","requirements":"LISTING","attributes":`+attrs+`}]}`)
	sb.Advance(time.Minute)
	other := New(c.cfg)
	sub, err := other.Poll(ctx, feedSubmissionID(feed, 1))
	require.NoError(t, err)
	require.True(t, sub.Done)
	require.Len(t, sub.Items, 1)
	assert.Equal(t, "S1", sub.Items[0].SKU)
	assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State, "brand, offer and the rest are missing")
	assert.NotEmpty(t, sub.Items[0].Reasons)
}

// TestBulkWhenTheFeedIsSooner: a round above the threshold goes as a feed while the
// Feeds API's buckets have room; when a feed would wait (Amazon's five listings feeds
// in five minutes spent), a round that one putListingsItem each gets through sooner
// goes that way, and a catalogue still waits for its feed.
func TestBulkWhenTheFeedIsSooner(t *testing.T) {
	c := New(Config{PutLimiter: marketplace.NewLimiter(5, 10)})
	assert.False(t, c.bulk(DefaultFeedThreshold), "at the threshold: one by one")
	assert.True(t, c.bulk(DefaultFeedThreshold+1), "above it, with room for a feed")

	for range 5 {
		require.NoError(t, c.cfg.Feeds.ListingsFeed.Wait(context.Background()))
	}
	wait := c.cfg.Feeds.ListingsFeed.Delay()
	require.InDelta(t, time.Minute, wait, float64(time.Second), "one listings feed a minute once the five are spent")
	assert.False(t, c.bulk(30), "30 PUTs at 5/s (6 s) beat a minute's wait")
	assert.True(t, c.bulk(1000), "1000 PUTs (200 s) do not")

	never := New(Config{Feeds: FeedsConfig{Threshold: -1}})
	assert.False(t, never.bulk(1000), "threshold -1: never a feed")
}
