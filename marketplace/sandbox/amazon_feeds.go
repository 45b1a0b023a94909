package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

// AmazonFeedsOptions configures the imitation of the Feeds API 2021-06-30 for
// JSON_LISTINGS_FEED. Zero values take the defaults.
type AmazonFeedsOptions struct {
	// Delay is how long a feed takes from createFeed to DONE on the sandbox clock
	// (default 3s; Faults.SlowBatches adds to it): IN_QUEUE for its first fifth, then
	// IN_PROGRESS. Amazon takes minutes.
	Delay time.Duration
	// Rate limits; zero values take Amazon's plans: createFeedDocument 0.5 rps burst
	// 15, createFeed 0.0083/15, getFeed 2/15, getFeedDocument 0.0222/10, cancelFeed
	// 2/15, and JSON_LISTINGS_FEED submissions five per five minutes besides
	// createFeed's own plan (ListingsFeed, 1/60 rps burst 5).
	CreateDocument AmazonRate
	Create         AmazonRate
	ListingsFeed   AmazonRate
	Get            AmazonRate
	GetDocument    AmazonRate
	Cancel         AmazonRate
}

func (o AmazonFeedsOptions) withDefaults() AmazonFeedsOptions {
	if o.Delay == 0 {
		o.Delay = 3 * time.Second
	}
	o.CreateDocument.orDefault(0.5, 15)
	o.Create.orDefault(0.0083, 15)
	o.ListingsFeed.orDefault(1.0/60, 5)
	o.Get.orDefault(2, 15)
	o.GetDocument.orDefault(0.0222, 10)
	o.Cancel.orDefault(2, 15)
	return o
}

// amazonDocumentTTL is how long a feed document's presigned URL works (Amazon: five
// minutes).
const amazonDocumentTTL = 5 * time.Minute

// azFeeds is the Feeds imitation's state: documents (uploaded feeds and processing
// reports, served at presigned URLs of the sandbox's own, as Amazon serves them from
// S3) and feeds in the order they were created.
type azFeeds struct {
	docs  map[string]*azDocument
	feeds map[string]*azFeed
	order []*azFeed
	next  int64
	key   []byte // signs document URLs
}

type azDocument struct {
	id          string
	contentType string
	body        []byte
	uploaded    bool
	gzip        bool // a processing report, stored compressed as Amazon's are
}

// azFeed is one feed: its messages checked at createFeed as putListingsItem checks a
// listing, taken (or refused) when it completes.
type azFeed struct {
	id           string
	marketplaces []string
	created      time.Time
	start, due   time.Time
	cancelled    bool
	done         bool
	fatal        []string // why the feed as a whole cannot be processed
	header       map[string]any
	messages     []azFeedMessage
	resultDocID  string
}

type azFeedMessage struct {
	id          int
	sku         string
	op          string
	productType string
	attributes  map[string]any
	issues      []AmazonIssue
}

func (m azFeedMessage) accepted() bool { return !hasError(m.issues) }

func newAzFeeds() azFeeds {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return azFeeds{docs: map[string]*azDocument{}, feeds: map[string]*azFeed{}, next: 50000, key: key}
}

// feedRoutes registers the Feeds operations on their SP-API paths and the feed
// documents' presigned URLs under /feed-documents/.
func (a *amazon) feedRoutes(mux *http.ServeMux) {
	f := a.opts.Feeds
	mux.Handle("POST /feeds/2021-06-30/documents", a.api("createFeedDocument", f.CreateDocument, a.createFeedDocument))
	mux.Handle("GET /feeds/2021-06-30/documents/{feedDocumentId}", a.api("getFeedDocument", f.GetDocument, a.getFeedDocument))
	mux.Handle("POST /feeds/2021-06-30/feeds", a.api("createFeed", f.Create, a.createFeed))
	mux.Handle("GET /feeds/2021-06-30/feeds/{feedId}", a.api("getFeed", f.Get, a.getFeed))
	mux.Handle("DELETE /feeds/2021-06-30/feeds/{feedId}", a.api("cancelFeed", f.Cancel, a.cancelFeed))
	mux.HandleFunc("PUT /feed-documents/{id}", a.transferDocument)
	mux.HandleFunc("GET /feed-documents/{id}", a.transferDocument)
}

func (a *amazon) createFeedDocument(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	var body struct {
		ContentType string `json:"contentType"`
	}
	_ = json.Unmarshal(raw, &body) // the model check has passed
	a.feeds.next++
	d := &azDocument{id: fmt.Sprintf("amzn1.tortuga.4.eu.%d", a.feeds.next), contentType: body.ContentType}
	a.feeds.docs[d.id] = d
	writeJSON(w, http.StatusCreated, map[string]any{"feedDocumentId": d.id, "url": a.documentURL(r, http.MethodPut, d.id, now)})
}

// documentURL is a presigned-like URL of a document on this sandbox: the method, the
// document and the time, signed with the sandbox's key, valid amazonDocumentTTL.
func (a *amazon) documentURL(r *http.Request, method, id string, now time.Time) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	date := now.UTC().Format("20060102T150405Z")
	q := url.Values{"X-Amz-Algorithm": {"AWS4-HMAC-SHA256"}, "X-Amz-Date": {date},
		"X-Amz-Expires": {strconv.Itoa(int(amazonDocumentTTL / time.Second))}, "X-Amz-SignedHeaders": {"content-type;host"},
		"X-Amz-Signature": {a.sign(method, id, date)}}
	return scheme + "://" + r.Host + "/feed-documents/" + url.PathEscape(id) + "?" + q.Encode()
}

func (a *amazon) sign(method, id, date string) string {
	m := hmac.New(sha256.New, a.feeds.key)
	m.Write([]byte(method + "\n" + id + "\n" + date))
	return hex.EncodeToString(m.Sum(nil))
}

// transferDocument is S3 behind a presigned URL: PUT uploads a feed document (with the
// content type createFeedDocument was given, which the URL is signed for), GET
// downloads a processing report. Refusals are S3's XML errors. No SP-API token, rate
// limit or injected fault applies.
func (a *amazon) transferDocument(w http.ResponseWriter, r *http.Request) {
	body, err := readAll(w, r)
	if err != nil {
		s3Error(w, http.StatusBadRequest, "EntityTooLarge", err.Error())
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	q := r.URL.Query()
	id, date := r.PathValue("id"), q.Get("X-Amz-Date")
	signed, err := time.Parse("20060102T150405Z", date)
	d := a.feeds.docs[id]
	switch {
	case err != nil || !hmac.Equal([]byte(q.Get("X-Amz-Signature")), []byte(a.sign(r.Method, id, date))):
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided.")
		return
	case a.srv.Now().After(signed.Add(amazonDocumentTTL)):
		s3Error(w, http.StatusForbidden, "AccessDenied", "Request has expired")
		return
	case d == nil:
		s3Error(w, http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	if r.Method == http.MethodGet {
		w.Header().Set("Content-Type", d.contentType)
		_, _ = w.Write(d.body)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != d.contentType {
		s3Error(w, http.StatusForbidden, "SignatureDoesNotMatch",
			fmt.Sprintf("The request signature we calculated does not match the signature you provided: Content-Type %q is not the signed %q.", ct, d.contentType))
		return
	}
	d.body, d.uploaded = body, true
	w.WriteHeader(http.StatusOK)
}

func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n<Error><Code>%s</Code><Message>%s</Message><RequestId>%s</RequestId></Error>",
		code, xmlEscape(msg), requestID())
}

func xmlEscape(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

func (a *amazon) getFeedDocument(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	d := a.feeds.docs[r.PathValue("feedDocumentId")]
	if d == nil {
		azErrors(w, http.StatusNotFound, "NotFound", "The requested feed document does not exist.", "")
		return
	}
	out := map[string]any{"feedDocumentId": d.id, "url": a.documentURL(r, http.MethodGet, d.id, now)}
	if d.gzip {
		out["compressionAlgorithm"] = "GZIP"
	}
	writeJSON(w, http.StatusOK, out)
}

// createFeed takes a JSON_LISTINGS_FEED: the feed type's own bucket besides the
// operation's, the marketplace, the document. Its messages are checked now, as
// putListingsItem checks a listing (images fetched outside the lock); a document
// never uploaded, or one that breaks the listings feed schema, makes the feed FATAL
// when it is processed, with a report saying why.
func (a *amazon) createFeed(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	var body struct {
		FeedType            string   `json:"feedType"`
		MarketplaceIDs      []string `json:"marketplaceIds"`
		InputFeedDocumentID string   `json:"inputFeedDocumentId"`
	}
	_ = json.Unmarshal(raw, &body)
	d := a.feeds.docs[body.InputFeedDocumentID]
	switch {
	case body.FeedType != "JSON_LISTINGS_FEED":
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", fmt.Sprintf("feedType %s is not available: the sandbox takes JSON_LISTINGS_FEED", body.FeedType))
		return
	case len(body.MarketplaceIDs) != 1 || body.MarketplaceIDs[0] != a.opts.MarketplaceID:
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", fmt.Sprintf("marketplaceIds %q: the seller participates in %s only", body.MarketplaceIDs, a.opts.MarketplaceID))
		return
	case d == nil || d.gzip:
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", "inputFeedDocumentId "+body.InputFeedDocumentID+" is no feed document of this seller")
		return
	case !a.allow("JSON_LISTINGS_FEED", a.opts.Feeds.ListingsFeed, now):
		a.throttled(w, 0)
		return
	}
	a.feeds.next++
	f := &azFeed{id: strconv.FormatInt(a.feeds.next, 10), marketplaces: body.MarketplaceIDs, created: now}
	delay := a.srv.batchDelay(a.opts.Feeds.Delay)
	f.start, f.due = now.Add(delay/5), now.Add(delay)
	if f.fatal = a.readFeed(f, d); len(f.fatal) == 0 {
		a.checkMessages(r.Context(), f)
	}
	// Known only now that its messages are checked: nothing processes it before.
	a.feeds.feeds[f.id] = f
	a.feeds.order = append(a.feeds.order, f)
	writeJSON(w, http.StatusAccepted, map[string]any{"feedId": f.id})
}

// readFeed reads a feed's document into f and returns why it cannot be processed.
func (a *amazon) readFeed(f *azFeed, d *azDocument) []string {
	if !d.uploaded {
		return []string{fmt.Sprintf("The feed document %s was not uploaded before the feed was created.", d.id)}
	}
	vs, err := spmodel.ValidateListingsFeed(d.body)
	if err != nil {
		return []string{"The feed could not be checked: " + err.Error()}
	}
	var fatal []string
	for _, v := range vs {
		fatal = append(fatal, "The feed does not match the JSON_LISTINGS_FEED schema: "+v.String())
	}
	if len(fatal) > 0 {
		return fatal
	}
	var doc struct {
		Header   map[string]any `json:"header"`
		Messages []struct {
			MessageID     int            `json:"messageId"`
			SKU           string         `json:"sku"`
			OperationType string         `json:"operationType"`
			ProductType   string         `json:"productType"`
			Requirements  string         `json:"requirements"`
			Attributes    map[string]any `json:"attributes"`
		} `json:"messages"`
	}
	_ = json.Unmarshal(d.body, &doc) // the schema check has passed
	if seller, _ := doc.Header["sellerId"].(string); seller != a.opts.SellerID {
		return []string{fmt.Sprintf("The feed's sellerId %q is not the seller the access token was issued for.", seller)}
	}
	f.header = doc.Header
	seen := map[int]bool{}
	for _, m := range doc.Messages {
		if seen[m.MessageID] {
			return []string{fmt.Sprintf("messageId %d is used by more than one message.", m.MessageID)}
		}
		seen[m.MessageID] = true
		req := m.Requirements
		if req == "" {
			req = "LISTING"
		}
		f.messages = append(f.messages, azFeedMessage{id: m.MessageID, sku: m.SKU, op: m.OperationType,
			productType: m.ProductType, attributes: m.Attributes, issues: a.messageIssues(m.OperationType, m.ProductType, req, m.Attributes)})
	}
	return nil
}

// messageIssues checks one message as putItem checks a PUT (images aside); the
// imitation processes UPDATE messages only.
func (a *amazon) messageIssues(op, productType, requirements string, attrs map[string]any) []AmazonIssue {
	if op != "UPDATE" {
		return []AmazonIssue{{Code: "UNSUPPORTED_OPERATION", Severity: "ERROR", Categories: []string{},
			Message: fmt.Sprintf("operationType %s is not processed by the sandbox: send listings with UPDATE.", op)}}
	}
	issues := ValidateAmazonAttributes(requirements, a.opts.MarketplaceID, attrs)
	return azMergeIssues(issues, a.productTypeIssues(productType, requirements, attrs))
}

// checkMessages fetches every UPDATE message's images as putItem does, with the lock
// released meanwhile (f is not the imitation's yet: nothing else sees it).
func (a *amazon) checkMessages(ctx context.Context, f *azFeed) {
	msgs := f.messages
	a.mu.Unlock()
	found := make([][]AmazonIssue, len(msgs))
	for i, m := range msgs {
		if m.op == "UPDATE" {
			found[i] = a.imageIssues(ctx, m.attributes)
		}
	}
	a.mu.Lock()
	for i := range msgs {
		msgs[i].issues = azMergeIssues(msgs[i].issues, found[i])
	}
}

func (a *amazon) getFeed(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	f := a.feeds.feeds[r.PathValue("feedId")]
	if f == nil {
		azErrors(w, http.StatusNotFound, "NotFound", "The requested feed does not exist.", "")
		return
	}
	ts := func(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
	out := map[string]any{"feedId": f.id, "feedType": "JSON_LISTINGS_FEED", "marketplaceIds": f.marketplaces,
		"createdTime": ts(f.created), "processingStatus": f.status(now)}
	if !now.Before(f.start) && !f.cancelled {
		out["processingStartTime"] = ts(f.start)
	}
	if f.done {
		out["processingEndTime"] = ts(f.due)
		out["resultFeedDocumentId"] = f.resultDocID
	}
	writeJSON(w, http.StatusOK, out)
}

func (f *azFeed) status(now time.Time) string {
	switch {
	case f.cancelled:
		return "CANCELLED"
	case f.done && len(f.fatal) > 0:
		return "FATAL"
	case f.done:
		return "DONE"
	case now.Before(f.start):
		return "IN_QUEUE"
	}
	return "IN_PROGRESS"
}

// cancelFeed cancels a feed still IN_QUEUE, as Amazon allows; its messages are never
// processed.
func (a *amazon) cancelFeed(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	f := a.feeds.feeds[r.PathValue("feedId")]
	switch {
	case f == nil:
		azErrors(w, http.StatusNotFound, "NotFound", "The requested feed does not exist.", "")
	case f.status(now) != "IN_QUEUE":
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", "Only feeds in processingStatus IN_QUEUE can be cancelled; feed "+f.id+" is "+f.status(now)+".")
	default:
		f.cancelled = true
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
	}
}

// completeFeeds processes every feed due by now, in the order they were created: its
// accepted messages become listing versions due at the feed's end, processed at once
// (settle), and its processing report is written from what came of them.
func (a *amazon) completeFeeds(now time.Time) {
	for _, f := range a.feeds.order {
		if f.done || f.cancelled || now.Before(f.due) {
			continue
		}
		f.done = true
		if len(f.fatal) == 0 {
			for _, m := range f.messages {
				if m.accepted() {
					a.takeVersion(m.sku, &azVersion{productType: m.productType, attributes: m.attributes, due: f.due}, f.created)
				}
			}
			a.settle(now) // f is done: this does not come back to it
		}
		a.writeReport(f)
	}
	// A new slice: the settle above may have run this too, while this loop still
	// ranges over the old one.
	kept := make([]*azFeed, 0, len(a.feeds.order))
	for _, f := range a.feeds.order {
		if !f.done && !f.cancelled {
			kept = append(kept, f)
		}
	}
	a.feeds.order = kept
}

// takeVersion makes v the SKU's version being processed, as an ACCEPTED
// putListingsItem does.
func (a *amazon) takeVersion(sku string, v *azVersion, at time.Time) {
	l := a.items[sku]
	if l == nil {
		a.nextID++
		l = &azListing{sku: sku, created: at, asin: fmt.Sprintf("B0%08X", a.nextID)}
		a.items[sku] = l
	}
	l.submissions++
	l.pending = v
}
