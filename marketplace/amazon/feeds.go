package amazon

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
)

// Bulk listing defaults.
const (
	// DefaultFeedThreshold is how many listings a round may have and still go one
	// putListingsItem each: a round of more goes as one JSON_LISTINGS_FEED. Five PUTs
	// take a second and answer at once; a feed takes minutes on Amazon, but carries
	// thousands of listings for the price of four requests.
	DefaultFeedThreshold = 5
	// DefaultFeedListings is how many listings one feed (one round) takes. Amazon takes
	// up to 25,000 messages and recommends documents under 10 MiB; 5,000 of Stox's
	// listings (about 1.5 KiB each) stay well under it, and at one feed per two minutes
	// (createFeed's plan) keep a catalogue upload at 2,500 listings a minute.
	DefaultFeedListings = 5000
	// maxFeedBytes is the largest feed document sent (Amazon's recommended maximum).
	maxFeedBytes = 10 << 20
	// feedContentType is the feed document's content type, given to createFeedDocument
	// and sent with the upload (the presigned URL is signed for it).
	feedContentType = "application/json; charset=UTF-8"
	// feedType is the Feeds API's type of listings feeds.
	feedType = "JSON_LISTINGS_FEED"
)

// FeedsConfig configures the bulk path: a round of more than Threshold listings goes
// to Amazon as one JSON_LISTINGS_FEED (Feeds API 2021-06-30: createFeedDocument, upload,
// createFeed; getFeed and getFeedDocument to follow it), as Amazon recommends for
// volume, instead of one putListingsItem per SKU.
type FeedsConfig struct {
	// Threshold is the most listings a round sends one by one (default
	// DefaultFeedThreshold); negative sends every round one by one.
	Threshold int
	// MaxListings is how many listings a round takes when it may go as a feed
	// (default DefaultFeedListings, at most 25,000).
	MaxListings int
	// Limiters of the Feeds operations, each its own bucket; nil takes Amazon's plan
	// (not unpaced, unlike Config.Limiter: at these rates an unpaced client would mostly
	// be refused): createFeedDocument 0.5 rps burst 15; createFeed 0.0083 rps burst
	// 15; JSON_LISTINGS_FEED submissions besides, five per five minutes (Amazon's
	// changelog of May 2025), a bucket of 5 refilled at one a minute; getFeed 2 rps
	// burst 15; getFeedDocument 0.0222 rps burst 10.
	CreateDocument *marketplace.Limiter
	Create         *marketplace.Limiter
	ListingsFeed   *marketplace.Limiter
	Get            *marketplace.Limiter
	GetDocument    *marketplace.Limiter
}

func (f FeedsConfig) withDefaults() FeedsConfig {
	if f.Threshold == 0 {
		f.Threshold = DefaultFeedThreshold
	}
	if f.MaxListings <= 0 || f.MaxListings > 25000 {
		f.MaxListings = DefaultFeedListings
	}
	def := func(l **marketplace.Limiter, rate float64, burst int) {
		if *l == nil {
			*l = marketplace.NewLimiter(rate, burst)
		}
	}
	def(&f.CreateDocument, 0.5, 15)
	def(&f.Create, 0.0083, 15)
	def(&f.ListingsFeed, 5.0/300, 5)
	def(&f.Get, 2, 15)
	def(&f.GetDocument, 0.0222, 10)
	return f
}

// MaxListings implements marketplace.ListingBatcher: a round takes as many listings as
// a feed does, or MaxBatch when every round goes one by one.
func (c *Client) MaxListings() int {
	if c.cfg.Feeds.Threshold < 0 {
		return c.MaxBatch()
	}
	return max(c.cfg.Feeds.MaxListings, c.MaxBatch())
}

// bulk reports whether a round of n listings goes as a feed: more than the threshold,
// and the feed can start before one putListingsItem each would be through. Amazon
// allows five listings feeds in five minutes and a createFeed about every two minutes
// after its burst: a few dozen listings that would wait a minute for a feed go one by
// one at once instead, a catalogue still waits for its feed.
func (c *Client) bulk(n int) bool {
	if c.cfg.Feeds.Threshold < 0 || n <= c.cfg.Feeds.Threshold {
		return false
	}
	f := c.cfg.Feeds
	wait := max(f.CreateDocument.Delay(), f.Create.Delay(), f.ListingsFeed.Delay())
	if wait == 0 {
		return true
	}
	rate := c.cfg.PutLimiter.Rate()
	return rate > 0 && wait < time.Duration(float64(n)/rate*float64(time.Second))
}

// feedMessage is one listing in a JSON_LISTINGS_FEED: an UPDATE with the body a
// putListingsItem would carry.
type feedMessage struct {
	MessageID     int            `json:"messageId"`
	SKU           string         `json:"sku"`
	OperationType string         `json:"operationType"`
	ProductType   string         `json:"productType"`
	Requirements  string         `json:"requirements"`
	Attributes    map[string]any `json:"attributes"`
}

// upsertFeed sends a round as one feed. Each listing is checked first as the single
// path checks it: one its product type's schema refuses is rejected with the schema's
// reasons, and one with a reason Amazon would not see (a VAT rate without a tax code)
// goes through putListing's VALIDATION_PREVIEW for Amazon's other issues; neither is
// put in the feed. The submission returned is pending for the feed's listings and
// already decided for those; Poll follows the feed.
func (c *Client) upsertFeed(ctx context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	var decided []subItem
	var msgs []feedMessage
	for _, l := range ls {
		attrs, local := c.attributes(l)
		if len(local) > 0 {
			it, err := c.putListing(ctx, l)
			if err != nil {
				return marketplace.Submission{}, fmt.Errorf("upsert listing %s: %w", l.SKU, err)
			}
			decided = append(decided, it)
			continue
		}
		productType := c.productType(l)
		refused, err := c.prepare(ctx, l, productType, attrs)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("upsert listing %s: %w", l.SKU, err)
		}
		if len(refused) > 0 {
			decided = append(decided, subItem{SKU: l.SKU, State: marketplace.SubmissionRejected, Reasons: refused})
			continue
		}
		msgs = append(msgs, feedMessage{MessageID: len(msgs) + 1, SKU: l.SKU, OperationType: "UPDATE",
			ProductType: productType, Requirements: "LISTING", Attributes: attrs})
	}
	if len(msgs) == 0 {
		return encodeSubmission(submission{Kind: "listings", Items: decided}), nil
	}
	feedID, err := c.submitFeed(ctx, msgs)
	if refusedAsAWhole(err) {
		// Amazon refused the feed itself, not any one listing in it: the round goes one
		// by one instead, slower but with an outcome for each listing.
		return c.upsertEach(ctx, ls)
	}
	if err != nil {
		return marketplace.Submission{}, err
	}
	skus := make([]string, len(msgs))
	for i, m := range msgs {
		skus[i] = m.SKU
	}
	c.feeds.remember(feedID, skus)
	out := encodeSubmission(submission{Kind: "listings", Items: decided})
	out.ID, out.Done = feedSubmissionID(feedID, len(msgs)), false
	for _, sku := range skus {
		out.Items = append(out.Items, marketplace.ItemResult{SKU: sku, State: marketplace.SubmissionPending})
	}
	return out, nil
}

// submitFeed uploads msgs as a feed document and creates the feed; it returns the
// feed's ID. A document over maxFeedBytes is not sent: the error says to send fewer
// listings at once (the publisher halves a round that fails).
func (c *Client) submitFeed(ctx context.Context, msgs []feedMessage) (string, error) {
	doc := map[string]any{
		"header": map[string]any{"sellerId": c.cfg.SellerID, "version": "2.0", "issueLocale": c.cfg.LanguageTag,
			// The report then carries each listing's summary and issues after processing,
			// so the outcome needs no getListingsItem per SKU.
			"report": map[string]any{"includedData": []string{"summaries", "issues"}, "apiVersion": "2021-08-01"}},
		"messages": msgs,
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("encode feed: %w", err)
	}
	if len(raw) > maxFeedBytes {
		return "", fmt.Errorf("a feed of %d listings is %d bytes, over the %d Amazon takes: send fewer at once", len(msgs), len(raw), maxFeedBytes)
	}
	// JSON_LISTINGS_FEED's own plan is the scarcest: wait for it before a document is
	// made that could not be used for minutes.
	if err := c.cfg.Feeds.ListingsFeed.Wait(ctx); err != nil {
		return "", err
	}
	var created struct {
		FeedDocumentID string `json:"feedDocumentId"`
		URL            string `json:"url"`
	}
	err = c.do(ctx, c.cfg.Feeds.CreateDocument, http.MethodPost, "/feeds/2021-06-30/documents", nil,
		map[string]any{"contentType": feedContentType}, &created)
	if err != nil {
		return "", fmt.Errorf("create feed document: %w", err)
	}
	if _, err := c.transfer(ctx, http.MethodPut, created.URL, raw); err != nil {
		return "", fmt.Errorf("upload feed document %s: %w", created.FeedDocumentID, err)
	}
	var feed struct {
		FeedID string `json:"feedId"`
	}
	err = c.do(ctx, c.cfg.Feeds.Create, http.MethodPost, "/feeds/2021-06-30/feeds", nil, map[string]any{
		"feedType": feedType, "marketplaceIds": []string{c.cfg.MarketplaceID}, "inputFeedDocumentId": created.FeedDocumentID,
	}, &feed)
	if err != nil {
		return "", fmt.Errorf("create feed: %w", err)
	}
	if feed.FeedID == "" {
		return "", errors.New("create feed: amazon answered without a feedId")
	}
	return feed.FeedID, nil
}

// transfer sends a request to a feed document's presigned URL (Amazon's S3, no SP-API
// token) and returns the answer's body.
func (c *Client) transfer(ctx context.Context, method, u string, body []byte) ([]byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", feedContentType)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	_, _, raw, err := marketplace.Send(c.cfg.HTTPClient, nil, req, parseDocumentError)
	return raw, err
}

// documentError is a refusal of a feed document's store (S3 behind the presigned URL).
type documentError struct {
	Status        int
	Code, Message string
}

func (e *documentError) Error() string {
	if e.Code == "" {
		return fmt.Sprintf("amazon feed document store: HTTP %d: %s", e.Status, e.Message)
	}
	return fmt.Sprintf("amazon feed document store: HTTP %d: %s (%s)", e.Status, e.Code, e.Message)
}

// parseDocumentError reads S3's XML error answer (<Error><Code>…</Code><Message>…).
func parseDocumentError(status int, _ http.Header, body []byte) error {
	var e struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	if xml.Unmarshal(body, &e) == nil && e.Code != "" {
		return &documentError{Status: status, Code: e.Code, Message: marketplace.Shorten(e.Message)}
	}
	return &documentError{Status: status, Message: marketplace.Shorten(string(body))}
}

// refusedAsAWhole reports an error of the feed's own requests that sending it again
// would not cure: a 4xx answer other than throttling and refused credentials.
func refusedAsAWhole(err error) bool {
	if err == nil || errors.Is(err, marketplace.ErrRateLimited) || errors.Is(err, marketplace.ErrUnauthorized) {
		return false
	}
	status := 0
	if e := (*Error)(nil); errors.As(err, &e) {
		status = e.Status
	} else if e := (*documentError)(nil); errors.As(err, &e) {
		status = e.Status
	}
	return status >= 400 && status < 500
}

// A feed submission's ID names the feed and how many listings went in it:
// amzn.feed.<n>.<feedId>. Its listings' SKUs are not in it (a round's ID is stored
// with each of its listings, and thousands of SKUs in each would be quadratic): Poll
// maps the report's messages to SKUs with what this client remembers of the feed, or,
// for a feed it did not send (a restart, another replica), with the SKUs the report
// names.
const feedPrefix = "amzn.feed."

func feedSubmissionID(feedID string, n int) string {
	return feedPrefix + strconv.Itoa(n) + "." + feedID
}

func parseFeedSubmissionID(id string) (feedID string, n int, err error) {
	rest, _ := strings.CutPrefix(id, feedPrefix)
	count, feedID, ok := strings.Cut(rest, ".")
	n, cerr := strconv.Atoi(count)
	if !ok || cerr != nil || n < 1 || feedID == "" {
		return "", 0, fmt.Errorf("amazon: %q is not a feed submission ID of this adapter", id)
	}
	return feedID, n, nil
}

// pollFeed reads a feed's processing status (getFeed) and, once it is DONE, its
// processing report (getFeedDocument), mapping the report to each listing's outcome.
// A FATAL or CANCELLED feed is an error wrapping marketplace.ErrSubmissionFailed, so
// its listings are sent again rather than rejected: Amazon processed none of them,
// or an unknown part (FATAL: "some, none, or all"), for a reason that lies in the feed
// or in Amazon, not in any listing — a seller expects them retried, and rejected with
// the reason only once retrying keeps failing (the publisher's attempts).
func (c *Client) pollFeed(ctx context.Context, id string) (marketplace.Submission, error) {
	feedID, n, err := parseFeedSubmissionID(id)
	if err != nil {
		return marketplace.Submission{}, err
	}
	var feed struct {
		ProcessingStatus     string `json:"processingStatus"`
		ResultFeedDocumentID string `json:"resultFeedDocumentId"`
	}
	if err := c.do(ctx, c.cfg.Feeds.Get, http.MethodGet, "/feeds/2021-06-30/feeds/"+url.PathEscape(feedID), nil, nil, &feed); err != nil {
		return marketplace.Submission{}, fmt.Errorf("get feed %s: %w", feedID, err)
	}
	skus := c.feeds.skus(feedID, n)
	switch feed.ProcessingStatus {
	case "IN_QUEUE", "IN_PROGRESS":
		out := marketplace.Submission{ID: id}
		for _, sku := range skus {
			out.Items = append(out.Items, marketplace.ItemResult{SKU: sku, State: marketplace.SubmissionPending})
		}
		return out, nil
	case "DONE":
		rep, err := c.feedReport(ctx, feed.ResultFeedDocumentID)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("feed %s: %w", feedID, err)
		}
		c.feeds.forget(feedID)
		return marketplace.Submission{ID: id, Done: true, Items: rep.outcomes(skus)}, nil
	case "FATAL", "CANCELLED":
		reason := fmt.Sprintf("amazon ended feed %s %s", feedID, feed.ProcessingStatus)
		if feed.ResultFeedDocumentID != "" {
			if rep, err := c.feedReport(ctx, feed.ResultFeedDocumentID); err == nil && len(rep.feedIssues()) > 0 {
				reason += ": " + strings.Join(rep.feedIssues(), "; ")
			}
		}
		c.feeds.forget(feedID)
		return marketplace.Submission{}, fmt.Errorf("%w: %s", marketplace.ErrSubmissionFailed, reason)
	}
	return marketplace.Submission{}, fmt.Errorf("feed %s: unexpected processing status %q", feedID, feed.ProcessingStatus)
}

// feedReport reads a processing report: getFeedDocument, then the document itself.
func (c *Client) feedReport(ctx context.Context, docID string) (processingReport, error) {
	if docID == "" {
		return processingReport{}, errors.New("amazon named no processing report")
	}
	var doc struct {
		URL                  string `json:"url"`
		CompressionAlgorithm string `json:"compressionAlgorithm"`
	}
	if err := c.do(ctx, c.cfg.Feeds.GetDocument, http.MethodGet, "/feeds/2021-06-30/documents/"+url.PathEscape(docID), nil, nil, &doc); err != nil {
		return processingReport{}, fmt.Errorf("get processing report %s: %w", docID, err)
	}
	raw, err := c.transfer(ctx, http.MethodGet, doc.URL, nil)
	if err != nil {
		return processingReport{}, fmt.Errorf("download processing report %s: %w", docID, err)
	}
	rep, err := readReport(raw, doc.CompressionAlgorithm)
	if err != nil {
		return processingReport{}, fmt.Errorf("processing report %s: %w", docID, err)
	}
	return rep, nil
}

// processingReport is the part of a JSON_LISTINGS_FEED processing report (v2) the
// outcomes are read from.
type processingReport struct {
	Issues []struct {
		MessageID int    `json:"messageId"`
		SKU       string `json:"sku"`
		Severity  string `json:"severity"`
		Message   string `json:"message"`
	} `json:"issues"`
	Items []struct {
		SKU    string  `json:"sku"`
		Issues []issue `json:"issues"`
	} `json:"items"`
}

// readReport decodes a processing report as downloaded, gunzipping it when
// getFeedDocument said GZIP.
func readReport(raw []byte, compression string) (processingReport, error) {
	var rep processingReport
	switch compression {
	case "":
	case "GZIP":
		zr, err := gzip.NewReader(bytes.NewReader(raw))
		if err != nil {
			return rep, fmt.Errorf("gunzip: %w", err)
		}
		if raw, err = io.ReadAll(io.LimitReader(zr, 256<<20)); err != nil {
			return rep, fmt.Errorf("gunzip: %w", err)
		}
	default:
		return rep, fmt.Errorf("unknown compression %q", compression)
	}
	if err := json.Unmarshal(raw, &rep); err != nil {
		return rep, fmt.Errorf("decode: %w", err)
	}
	return rep, nil
}

// feedIssues are the messages of the report's ERROR issues about the feed as a whole
// (no message ID): why Amazon could not process it.
func (r processingReport) feedIssues() []string {
	var out []string
	for _, is := range r.Issues {
		if is.MessageID == 0 && is.Severity == "ERROR" {
			out = append(out, is.Message)
		}
	}
	return out
}

// outcomes maps the report to each listing: rejected with the messages of its ERROR
// issues (those of its message, and those found while processing it, in the report's
// items), else accepted; warnings do not stop a listing, and a decided listing has
// nowhere to keep them. skus are the feed's SKUs by message ID when this client sent
// the feed (nil otherwise: the SKUs the report names are used). When Amazon reports
// errors with the feed itself, only listings the report speaks of are decided; the
// others have no outcome (the publisher sends them again).
func (r processingReport) outcomes(skus []string) []marketplace.ItemResult {
	reasons := map[string][]string{}
	mentioned := map[string]bool{}
	var order []string
	note := func(sku string) {
		if _, ok := reasons[sku]; !ok {
			reasons[sku] = nil
			order = append(order, sku)
		}
		mentioned[sku] = true
	}
	for _, sku := range skus {
		if _, ok := reasons[sku]; !ok {
			reasons[sku] = nil
			order = append(order, sku)
		}
	}
	for _, is := range r.Issues {
		sku := is.SKU
		if is.MessageID >= 1 && is.MessageID <= len(skus) {
			sku = skus[is.MessageID-1]
		}
		if is.MessageID == 0 || sku == "" {
			continue
		}
		note(sku)
		if is.Severity == "ERROR" {
			reasons[sku] = append(reasons[sku], is.Message)
		}
	}
	for _, it := range r.Items {
		if it.SKU != "" {
			note(it.SKU)
			reasons[it.SKU] = append(reasons[it.SKU], errorReasons(it.Issues)...)
		}
	}
	whole := len(r.feedIssues()) > 0
	var out []marketplace.ItemResult
	for _, sku := range order {
		switch {
		case len(reasons[sku]) > 0:
			out = append(out, marketplace.ItemResult{SKU: sku, State: marketplace.SubmissionRejected, Reasons: reasons[sku]})
		case !whole || mentioned[sku]:
			out = append(out, marketplace.ItemResult{SKU: sku, State: marketplace.SubmissionAccepted})
		}
	}
	return out
}

// feedMemory is what this client remembers of the feeds it sent: their SKUs by
// message ID, until Poll has read the feed's outcome (a day at most).
type feedMemory struct {
	mu    sync.Mutex
	feeds map[string]rememberedFeed
}

type rememberedFeed struct {
	skus []string
	at   time.Time
}

const feedMemoryFor = 24 * time.Hour

func (m *feedMemory) remember(feedID string, skus []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.feeds == nil {
		m.feeds = map[string]rememberedFeed{}
	}
	now := time.Now()
	for id, f := range m.feeds {
		if now.Sub(f.at) > feedMemoryFor {
			delete(m.feeds, id)
		}
	}
	m.feeds[feedID] = rememberedFeed{skus: skus, at: now}
}

// skus returns the SKUs of a feed of n messages this client sent, nil when it does not
// remember it.
func (m *feedMemory) skus(feedID string, n int) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	f, ok := m.feeds[feedID]
	if !ok || len(f.skus) != n {
		return nil
	}
	return f.skus
}

func (m *feedMemory) forget(feedID string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.feeds, feedID)
}
