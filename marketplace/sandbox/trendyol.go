package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// TrendyolOptions configures the Trendyol imitation. Zero values take the defaults.
type TrendyolOptions struct {
	// SellerID, APIKey and APISecret are the accepted credentials
	// (defaults 100000, sandbox-key, sandbox-secret).
	SellerID  string
	APIKey    string
	APISecret string
	// ProcessDelay is how long a batch stays IN_PROGRESS (default 2s of sandbox time).
	ProcessDelay time.Duration
	// RateLimit is how many requests one endpoint takes per RateWindow (defaults 50 and
	// 10s, Trendyol's documented cap).
	RateLimit  int
	RateWindow time.Duration
	// ApprovalDelay is how long (sandbox time) a created product waits in Trendyol's
	// approval after its create batch completes; until then it takes
	// unapproved-bulk-update but no stock, price or orders. Zero approves at once.
	ApprovalDelay time.Duration
	// WebhookClient delivers webhooks (default: a client with a 10 s timeout).
	WebhookClient *http.Client
	// WebhookAttempts is how often one delivery is tried before it counts as failed
	// (default 4), WebhookBackoff the first wait between tries, doubled after each
	// (default 500ms). Deliveries are real HTTP, so these waits are real time, not
	// sandbox time; Trendyol itself retries every 5 minutes.
	WebhookAttempts int
	WebhookBackoff  time.Duration
	// PriceUpdates is how many price changes one barcode takes per PriceWindow on
	// price-and-inventory (defaults 30 and a minute: Trendyol's per-barcode limit from
	// 14 September 2026 [C S-TY10]; the imitation applies it at any date).
	PriceUpdates int
	PriceWindow  time.Duration
}

const (
	trendyolDuplicateWindow = 15 * time.Minute
	trendyolBatchTTL        = 4 * time.Hour
	trendyolMaxItems        = 1000
	trendyolMaxStock        = 20000
	trendyolDuplicateMsg    = "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"
	trendyolMaxWebhooks     = 15
	// trendyolOrderWindow is the widest startDate–endDate window the orders endpoint
	// takes: two weeks [C S-TY7].
	trendyolOrderWindow = 14 * 24 * time.Hour
	// trendyolOrderHistory is how far back the orders endpoint reads: Trendyol says
	// about a month [C S-TY7]; thirty days is the imitation's reading of it [I].
	trendyolOrderHistory = 30 * 24 * time.Hour
)

var (
	barcodeRe   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	userAgentRe = regexp.MustCompile(`^[A-Za-z0-9]{1,30}$`)
	forbiddenRe = regexp.MustCompile(`(?i)<\s*(script|style|iframe)`)
)

type trendyol struct {
	srv  *Server
	opts TrendyolOptions

	mu          sync.Mutex
	revoked     bool
	limits      window
	products    map[string]*TrendyolProduct // by barcode
	batches     map[string]*tyBatch
	lastBody    map[string]sentBody    // by seller and the body's sorted barcodes
	priceHits   map[string][]time.Time // by barcode: price changes taken in the last PriceWindow
	priceAsked  map[string]tyPrice     // by barcode: the price last asked for, until it is applied
	packages    []*TrendyolPackage
	webhooks    map[string][]*tyWebhook // by seller
	nextID      int64
	nextBatch   int64
	nextContent int64
	nextHook    int64

	// wmu guards the webhooks' delivery queues and the delivery counters; deliveries
	// never hold mu while they wait on HTTP.
	wmu   sync.Mutex
	stats TrendyolWebhookStats
}

// TrendyolProduct is the sandbox's state of one product (one barcode). In the sandbox
// every barcode is its own content, so ContentID is unique per product.
type TrendyolProduct struct {
	Barcode           string              `json:"barcode"`
	StockCode         string              `json:"stockCode"`
	ProductMainID     string              `json:"productMainId"`
	BrandID           int64               `json:"brandId"`
	CategoryID        int64               `json:"categoryId"`
	ContentID         int64               `json:"contentId"`
	Title             string              `json:"title"`
	Description       string              `json:"description"`
	Quantity          int                 `json:"quantity"`
	SalePrice         float64             `json:"salePrice"`
	ListPrice         float64             `json:"listPrice"`
	VATRate           int                 `json:"vatRate"`
	DimensionalWeight float64             `json:"dimensionalWeight"`
	Images            []string            `json:"images"`
	Attributes        []TrendyolAttribute `json:"attributes"`
	Approved          bool                `json:"approved"`
	// ApprovedDate is when Trendyol approved it (epoch ms; 0 while unapproved).
	ApprovedDate int64 `json:"approvedDate"`
	// StockUpdatedAt and PriceUpdatedAt are when price-and-inventory last set its
	// quantity and its prices (epoch ms of sandbox time; 0: never). They are the
	// imitation's bookkeeping, not Trendyol fields, so tests can tell which went first.
	StockUpdatedAt int64 `json:"stockUpdatedAt,omitempty"`
	PriceUpdatedAt int64 `json:"priceUpdatedAt,omitempty"`
	// approveAt is when a pending product is approved (zero: never or already).
	approveAt time.Time
	// stockModified is stockLastModifiedDate: when a stock update (price-and-inventory
	// or the seller's panel, SetStock) last set Quantity (epoch ms; 0: never).
	stockModified int64
}

// TrendyolAttribute is a product attribute, normalized from either the create form
// (attributeValueId / customAttributeValue) or the update form (attributeValueIds /
// attributeValue).
type TrendyolAttribute struct {
	AttributeID int64   `json:"attributeId"`
	ValueIDs    []int64 `json:"attributeValueIds,omitempty"`
	Value       string  `json:"attributeValue,omitempty"`
}

// tyPrice is a product's sale and list price.
type tyPrice struct{ sale, list float64 }

// sentBody is the last price-and-inventory body accepted for a set of barcodes.
type sentBody struct {
	sum [32]byte
	at  time.Time
}

type tyBatch struct {
	id        string
	kind      string // ProductV2OnBoarding or ProductInventoryUpdate
	created   time.Time
	due       time.Time
	completed bool
	items     []*tyBatchItem
}

type tyBatchItem struct {
	requestItem map[string]any
	// apply runs at completion (at is when the batch was due) and returns failure
	// reasons (none means success).
	apply   func(t *trendyol, at time.Time) []string
	status  string
	reasons []string
}

// TrendyolPackage is a shipment package as Trendyol's v2 orders endpoint returns it
// (field names after the April 2026 rename).
type TrendyolPackage struct {
	ShipmentPackageID     int64            `json:"shipmentPackageId"`
	OrderNumber           string           `json:"orderNumber"`
	OrderDate             int64            `json:"orderDate"`
	Status                string           `json:"status"`
	ShipmentPackageStatus string           `json:"shipmentPackageStatus"`
	LastModifiedDate      int64            `json:"lastModifiedDate"`
	CurrencyCode          string           `json:"currencyCode"`
	PackageTotalPrice     float64          `json:"packageTotalPrice"`
	CreatedBy             string           `json:"createdBy"`
	PackageHistories      []TrendyolStatus `json:"packageHistories"`
	Lines                 []TrendyolLine   `json:"lines"`
}

// TrendyolStatus is one entry of a package's history.
type TrendyolStatus struct {
	CreatedDate int64  `json:"createdDate"`
	Status      string `json:"status"`
}

// TrendyolLine is one line of a shipment package.
type TrendyolLine struct {
	LineID                  int64   `json:"lineId"`
	Barcode                 string  `json:"barcode"`
	StockCode               string  `json:"stockCode"`
	Quantity                int     `json:"quantity"`
	LineUnitPrice           float64 `json:"lineUnitPrice"`
	VATRate                 int     `json:"vatRate"`
	OrderLineItemStatusName string  `json:"orderLineItemStatusName"`
	ProductName             string  `json:"productName"`
}

func newTrendyol(srv *Server, o TrendyolOptions) *trendyol {
	if o.SellerID == "" {
		o.SellerID = "100000"
	}
	if o.APIKey == "" {
		o.APIKey = "sandbox-key"
	}
	if o.APISecret == "" {
		o.APISecret = "sandbox-secret"
	}
	if o.ProcessDelay == 0 {
		o.ProcessDelay = 2 * time.Second
	}
	if o.RateLimit == 0 {
		o.RateLimit = 50
	}
	if o.RateWindow == 0 {
		o.RateWindow = 10 * time.Second
	}
	if o.WebhookClient == nil {
		o.WebhookClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.WebhookAttempts <= 0 {
		o.WebhookAttempts = 4
	}
	if o.WebhookBackoff <= 0 {
		o.WebhookBackoff = 500 * time.Millisecond
	}
	if o.PriceUpdates <= 0 {
		o.PriceUpdates = 30
	}
	if o.PriceWindow <= 0 {
		o.PriceWindow = time.Minute
	}
	return &trendyol{
		srv:         srv,
		opts:        o,
		limits:      window{limit: o.RateLimit, span: o.RateWindow, hits: map[string][]time.Time{}},
		products:    map[string]*TrendyolProduct{},
		batches:     map[string]*tyBatch{},
		lastBody:    map[string]sentBody{},
		priceHits:   map[string][]time.Time{},
		priceAsked:  map[string]tyPrice{},
		webhooks:    map[string][]*tyWebhook{},
		nextID:      1000000,
		nextContent: 9510900,
	}
}

// routes registers Trendyol's endpoints and the test hooks, which need no credentials:
//
//	POST /sandbox/trendyol/orders                    {"stockCode","quantity"} places an order against listed stock
//	POST /sandbox/trendyol/orders/{package}/cancel   cancels a package and returns its stock
//	GET  /sandbox/trendyol/stock/{stockCode}         what the sandbox holds for a product
//	PUT  /sandbox/trendyol/stock/{stockCode}         {"quantity"} sets it as the seller's panel does
//	GET  /sandbox/trendyol/products/{barcode}        the sandbox's full state of a product (TrendyolProduct)
//	GET  /sandbox/trendyol/webhooks/stats            webhook delivery counters (TrendyolWebhookStats)
//
// Placing and cancelling orders (by hook or by simulated customers) posts the package
// to every webhook subscribed to its new status.
func (t *trendyol) routes(mux *http.ServeMux) {
	mux.Handle("GET /integration/product/product-categories", t.api(t.categories))
	mux.Handle("GET /integration/product/categories/{categoryId}/attributes", t.api(t.categoryAttributes))
	mux.Handle("GET /integration/product/categories/{categoryId}/attributes/{attributeId}/values", t.api(t.attributeValues))
	mux.Handle("GET /integration/product/brands", t.api(t.brands))
	mux.Handle("GET /integration/product/brands/by-name", t.api(t.brandsByName))
	mux.Handle("POST /integration/product/sellers/{sid}/v2/products", t.api(t.createProducts))
	mux.Handle("GET /integration/product/sellers/{sid}/product/{barcode}", t.api(t.productBase))
	mux.Handle("GET /integration/product/sellers/{sid}/products/approved/inventory-and-price", t.api(t.approvedStock))
	mux.Handle("POST /integration/product/sellers/{sid}/products/unapproved-bulk-update", t.api(t.updateUnapproved))
	mux.Handle("POST /integration/product/sellers/{sid}/products/content-bulk-update", t.api(t.updateContent))
	mux.Handle("POST /integration/webhook/sellers/{sid}/webhooks", t.api(t.createWebhook))
	mux.Handle("GET /integration/webhook/sellers/{sid}/webhooks", t.api(t.listWebhooks))
	mux.HandleFunc("GET /sandbox/trendyol/products/{barcode}", func(w http.ResponseWriter, r *http.Request) {
		p, ok := t.product(r.PathValue("barcode"))
		if !ok {
			hookError(w, http.StatusNotFound, "no product with this barcode")
			return
		}
		writeJSON(w, http.StatusOK, p)
	})
	mux.HandleFunc("GET /sandbox/trendyol/webhooks/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, t.webhookStats())
	})
	mux.Handle("GET /integration/product/sellers/{sid}/products/batch-requests/{id}", t.api(t.batchRequest))
	mux.Handle("POST /integration/inventory/sellers/{sid}/products/price-and-inventory", t.api(t.priceAndInventory))
	mux.Handle("GET /integration/order/sellers/{sid}/v2/orders", t.api(t.orders))
}

func (t *trendyol) setRevoked(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.revoked = v
}

func (t *trendyol) duplicateWindow() time.Duration { return trendyolDuplicateWindow }

// serverError is the system-error shape Trendyol answers 500s with.
func (t *trendyol) serverError(w http.ResponseWriter) {
	writeJSON(w, http.StatusInternalServerError, map[string]any{
		"timestamp": t.srv.Now().UnixMilli(),
		"exception": "TrendyolSystemException",
		"errors":    []map[string]any{{"key": "generic.exception", "message": "Exception Occured", "errorCode": nil}},
	})
}

// throttled is Trendyol's 429; it documents no Retry-After or rate headers.
func (t *trendyol) throttled(w http.ResponseWriter, _ time.Duration) {
	tyErrors(w, http.StatusTooManyRequests, "too.many.requests", "too many requests")
}

func tyErrors(w http.ResponseWriter, status int, key, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"key": key, "message": msg, "errorCode": strconv.Itoa(status)}}})
}

// api wraps a Trendyol handler with its checks, in Trendyol's order: User-Agent (403),
// credentials (401), then the per-endpoint rate limit (429). Completed batches are
// settled first, so every handler sees the state at the sandbox's current time.
// Handlers run holding mu. Endpoints without a seller in their path (categories,
// brands) take the seller from the User-Agent, and the credentials must be its.
func (t *trendyol) api(h func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.srv.inject(w, r, t) {
			return
		}
		sid := r.PathValue("sid")
		ua := r.Header.Get("User-Agent")
		prefix, name, ok := strings.Cut(ua, " - ")
		if sid == "" {
			sid = prefix
		}
		if !ok || prefix != sid || !userAgentRe.MatchString(name) {
			writeJSON(w, http.StatusForbidden, map[string]any{"exception": "ClientApiAuthenticationException",
				"errors": []map[string]any{{"key": "user.agent.required", "message": `User-Agent must be "{sellerId} - SelfIntegration" or "{sellerId} - {IntegratorName}"`, "errorCode": "403"}}})
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.revoked || sid != t.opts.SellerID || !t.authorized(r.Header.Get("Authorization")) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"exception": "ClientApiAuthenticationException"})
			return
		}
		now := t.srv.Now()
		if ok, wait := t.limits.allow(sid+" "+r.Pattern, now); !ok {
			t.throttled(w, wait)
			return
		}
		t.settle(now)
		h(w, r, now)
	})
}

func (t *trendyol) authorized(header string) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(t.opts.APIKey+":"+t.opts.APISecret))
	return subtle.ConstantTimeCompare([]byte(header), []byte(want)) == 1
}

// settle completes every batch whose delay has passed (in submission order), approves
// products whose approval time has come, and forgets batches older than 4 h.
func (t *trendyol) settle(now time.Time) {
	ids := make([]string, 0, len(t.batches))
	for id := range t.batches {
		ids = append(ids, id)
	}
	sort.Strings(ids) // batch IDs end in a sequence number: apply in submission order
	for _, id := range ids {
		b := t.batches[id]
		if now.Sub(b.created) > trendyolBatchTTL {
			delete(t.batches, id)
			continue
		}
		if b.completed || now.Before(b.due) {
			continue
		}
		t.approve(b.due) // products approved before this batch was processed
		for _, it := range b.items {
			if it.status == "FAILED" {
				continue
			}
			if reasons := it.apply(t, b.due); len(reasons) > 0 {
				it.status, it.reasons = "FAILED", reasons
			} else {
				it.status = "SUCCESS"
			}
		}
		b.completed = true
	}
	t.approve(now)
}

// approve ends the approval of every pending product whose approval time is at or
// before at.
func (t *trendyol) approve(at time.Time) {
	for _, p := range t.products {
		if !p.Approved && !p.approveAt.IsZero() && !at.Before(p.approveAt) {
			p.Approved, p.ApprovedDate, p.approveAt = true, p.approveAt.UnixMilli(), time.Time{}
		}
	}
}

func (t *trendyol) newBatch(kind string, now time.Time) *tyBatch {
	t.nextBatch++
	b := &tyBatch{
		id:      fmt.Sprintf("%08x-5a4d-4c3b-9a2e-%012d-%d", t.nextBatch, t.nextBatch, now.Unix()),
		kind:    kind,
		created: now,
		due:     now.Add(t.srv.batchDelay(t.opts.ProcessDelay)),
	}
	t.batches[b.id] = b
	return b
}

// trendyolItem is a V2 create or update item; pointers tell a missing field from a
// zero one.
type trendyolItem struct {
	Barcode           *string           `json:"barcode"`
	ContentID         *int64            `json:"contentId"`
	Title             *string           `json:"title"`
	ProductMainID     *string           `json:"productMainId"`
	BrandID           *int64            `json:"brandId"`
	CategoryID        *int64            `json:"categoryId"`
	Quantity          *int              `json:"quantity"`
	StockCode         *string           `json:"stockCode"`
	DimensionalWeight *float64          `json:"dimensionalWeight"`
	Description       *string           `json:"description"`
	CurrencyType      *string           `json:"currencyType"`
	ListPrice         *float64          `json:"listPrice"`
	SalePrice         *float64          `json:"salePrice"`
	VATRate           *int              `json:"vatRate"`
	Images            []map[string]any  `json:"images"`
	Attributes        []json.RawMessage `json:"attributes"`
}

// itemMode says which endpoint an item came to, and so which of its fields are
// required, optional or refused.
type itemMode int

const (
	// modeCreate is V2 create: every documented field is required.
	modeCreate itemMode = iota
	// modeUnapproved is unapproved-bulk-update: keyed by barcode, every other field
	// optional (checked by create's rules when present).
	modeUnapproved
	// modeContent is content-bulk-update of approved products: keyed by contentId;
	// title, description, images and attributes optional; barcode, productMainId,
	// brandId and categoryId cannot change.
	modeContent
)

// ValidateTrendyolItem checks one V2 create item against Trendyol's documented rules and
// the imitation's taxonomy (leaf category, brand, category attributes and their values)
// and returns the failure reasons (none when valid) and the canonical barcode (inner
// spaces joined, as Trendyol does). Images are not fetched here: the imitation checks
// them when it takes a request.
func ValidateTrendyolItem(raw json.RawMessage) (reasons []string, barcode string) {
	var it trendyolItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return []string{"item is not a valid product object: " + err.Error()}, ""
	}
	reasons, barcode, _ = it.check(modeCreate)
	return reasons, barcode
}

// check validates the item for mode and returns its failure reasons, canonical
// barcode and normalized attributes.
func (it *trendyolItem) check(mode itemMode) (reasons []string, barcode string, attrs []TrendyolAttribute) {
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	required := mode == modeCreate
	str := func(name string, p *string, max int) string {
		switch {
		case p == nil && !required:
		case p == nil || strings.TrimSpace(*p) == "":
			fail("%s is required", name)
		case utf8.RuneCountInString(*p) > max:
			fail("%s must be at most %d characters", name, max)
		default:
			return *p
		}
		return ""
	}
	if mode == modeContent {
		if it.ContentID == nil || *it.ContentID <= 0 {
			fail("contentId is required (from the approved product filter or the product's base information)")
		}
		for name, sent := range map[string]bool{"barcode": it.Barcode != nil, "productMainId": it.ProductMainID != nil,
			"brandId": it.BrandID != nil, "categoryId": it.CategoryID != nil} {
			if sent {
				fail("%s cannot be updated on approved products", name)
			}
		}
		sort.Strings(reasons) // map order must not decide the order of reasons
	} else if it.Barcode == nil || strings.TrimSpace(*it.Barcode) == "" {
		fail("barcode is required")
	} else {
		barcode = strings.Join(strings.Fields(*it.Barcode), "")
		switch {
		case utf8.RuneCountInString(barcode) > 40:
			fail("barcode must be at most 40 characters")
		case !barcodeRe.MatchString(barcode):
			fail("barcode may contain only letters, digits and . - _ (Barkod formatı geçersiz)")
		}
	}
	str("title", it.Title, 100)
	if mode != modeContent {
		str("productMainId", it.ProductMainID, 40)
		str("stockCode", it.StockCode, 100)
	}
	if d := str("description", it.Description, 30000); forbiddenRe.MatchString(d) {
		fail("description must not contain script, style or iframe")
	}
	if mode != modeContent {
		if (required || it.BrandID != nil) && (it.BrandID == nil || *it.BrandID <= 0) {
			fail("brandId is required")
		}
		if (required || it.CategoryID != nil) && (it.CategoryID == nil || *it.CategoryID <= 0) {
			fail("categoryId is required (a leaf category)")
		}
	}
	if mode == modeCreate { // stock and prices go through price-and-inventory after create
		if it.Quantity == nil {
			fail("quantity is required")
		} else if *it.Quantity < 0 || *it.Quantity > trendyolMaxStock {
			fail("quantity must be between 0 and %d", trendyolMaxStock)
		}
		if it.CurrencyType != nil && *it.CurrencyType != "TRY" {
			fail("currencyType must be TRY")
		}
		switch {
		case it.SalePrice == nil || *it.SalePrice <= 0:
			fail("salePrice is required and must be positive")
		case it.ListPrice == nil || *it.ListPrice <= 0:
			fail("listPrice is required and must be positive")
		case *it.ListPrice < *it.SalePrice:
			fail("listPrice must not be lower than salePrice")
		}
	}
	if mode != modeContent {
		if (required || it.DimensionalWeight != nil) && (it.DimensionalWeight == nil || *it.DimensionalWeight < 0) {
			fail("dimensionalWeight is required")
		}
		if it.VATRate == nil {
			if required {
				fail("vatRate is required")
			}
		} else if v := *it.VATRate; v != 0 && v != 1 && v != 10 && v != 20 {
			fail("vatRate must be one of 0, 1, 10, 20")
		}
	}
	if required || it.Images != nil {
		switch {
		case len(it.Images) == 0:
			fail("at least one image is required")
		case len(it.Images) > 8:
			fail("at most 8 images are allowed")
		}
	}
	if it.Attributes == nil {
		if required {
			fail("attributes is required")
		}
	} else {
		var more []string
		attrs, more = checkAttributes(it.Attributes)
		reasons = append(reasons, more...)
	}
	// Updates are checked against the taxonomy when they are applied, since the
	// product's own category and brand count where the item sends none.
	if mode == modeCreate && it.CategoryID != nil && *it.CategoryID > 0 && it.BrandID != nil && *it.BrandID > 0 {
		reasons = append(reasons, tyCheckTaxonomy(*it.CategoryID, *it.BrandID, attrs)...)
	}
	return reasons, barcode, attrs
}

// trendyolMinImageSide is the shorter side, in pixels, below which the imitation
// refuses an image. Trendyol documents none (it recommends 1200×1800); 500 is an
// inference, the same as the other imitations'. [I]
const trendyolMinImageSide = 500

// checkImages fetches every image URL of the items (each once, a few at a time) as
// Trendyol does, and returns why each is refused ("" when it is fine). It lets go of
// mu while it waits on the network, so other requests go on meanwhile.
func (t *trendyol) checkImages(ctx context.Context, items []trendyolItem) map[string]string {
	var urls []string
	for _, it := range items {
		urls = append(urls, imageURLs(it.Images)...)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	t.mu.Unlock()
	defer t.mu.Lock()
	out := map[string]string{}
	var wg sync.WaitGroup
	var omu sync.Mutex
	sem := make(chan struct{}, 8)
	for _, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			reason := t.srv.checkImage(ctx, u, trendyolMinImageSide)
			omu.Lock()
			out[u] = reason
			omu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// imageReasons are the item's image failures, from checkImages' answers.
func (it *trendyolItem) imageReasons(checked map[string]string) []string {
	var reasons []string
	for i, u := range imageURLs(it.Images) {
		if r := checked[u]; r != "" {
			reasons = append(reasons, fmt.Sprintf("image %d: %s", i+1, r))
		}
	}
	return reasons
}

// checkAttributes validates attributes in either Trendyol form: create's
// attributeValueId / customAttributeValue or the updates' attributeValueIds /
// attributeValue (Trendyol's own tool says never to mix them; its OpenAPI shows the
// plural form for create too, so both are taken everywhere). In the create form an
// attribute with several values comes once per value; those entries are joined.
// Only well-formed attributes are returned.
func checkAttributes(raws []json.RawMessage) ([]TrendyolAttribute, []string) {
	var reasons []string
	attrs := make([]TrendyolAttribute, 0, len(raws))
	seen := map[int64]bool{}
	joinable := map[int64]int{} // attribute ID → index in attrs of a create-form value ID
	for i, raw := range raws {
		var a struct {
			AttributeID          *int64  `json:"attributeId"`
			AttributeValueID     *int64  `json:"attributeValueId"`
			CustomAttributeValue *string `json:"customAttributeValue"`
			AttributeValueIDs    []int64 `json:"attributeValueIds"`
			AttributeValue       *string `json:"attributeValue"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			reasons = append(reasons, fmt.Sprintf("attribute %d is not a valid attribute object", i+1))
			continue
		}
		if a.AttributeID == nil || *a.AttributeID <= 0 {
			reasons = append(reasons, fmt.Sprintf("attribute %d: attributeId is required", i+1))
			continue
		}
		id := *a.AttributeID
		valueOnly := a.AttributeValueID != nil && a.CustomAttributeValue == nil && len(a.AttributeValueIDs) == 0 && a.AttributeValue == nil
		if i, ok := joinable[id]; ok && valueOnly {
			attrs[i].ValueIDs = append(attrs[i].ValueIDs, *a.AttributeValueID)
			continue
		}
		if seen[id] {
			reasons = append(reasons, fmt.Sprintf("attribute %d appears more than once", id))
			continue
		}
		seen[id] = true
		single := a.AttributeValueID != nil || a.CustomAttributeValue != nil
		plural := len(a.AttributeValueIDs) > 0 || a.AttributeValue != nil
		out := TrendyolAttribute{AttributeID: id, ValueIDs: a.AttributeValueIDs}
		switch {
		case single && plural:
			reasons = append(reasons, fmt.Sprintf("attribute %d: do not mix attributeValueId/customAttributeValue with attributeValueIds/attributeValue", id))
			continue
		case a.AttributeValueID != nil && a.CustomAttributeValue != nil:
			reasons = append(reasons, fmt.Sprintf("attribute %d: send attributeValueId or customAttributeValue, not both", id))
			continue
		case len(a.AttributeValueIDs) > 0 && a.AttributeValue != nil:
			reasons = append(reasons, fmt.Sprintf("attribute %d: send attributeValueIds or attributeValue, not both", id))
			continue
		case !single && !plural:
			reasons = append(reasons, fmt.Sprintf("attribute %d: a value is required", id))
			continue
		case a.AttributeValueID != nil:
			out.ValueIDs = []int64{*a.AttributeValueID}
			joinable[id] = len(attrs)
		case a.CustomAttributeValue != nil:
			out.Value = *a.CustomAttributeValue
		case a.AttributeValue != nil:
			out.Value = *a.AttributeValue
		}
		attrs = append(attrs, out)
	}
	return attrs, reasons
}

func imageURLs(images []map[string]any) []string {
	out := make([]string, 0, len(images))
	for _, img := range images {
		s, _ := img["url"].(string)
		out = append(out, s)
	}
	return out
}

// decodeItems reads a {"items":[…]} body of 1 to 1000 items; it answers the error itself.
func decodeItems(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, bool) {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&body); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return nil, false
	}
	if len(body.Items) == 0 || len(body.Items) > trendyolMaxItems {
		tyErrors(w, http.StatusBadRequest, "invalid.item.count", fmt.Sprintf("items must hold 1 to %d products", trendyolMaxItems))
		return nil, false
	}
	return body.Items, true
}

func (t *trendyol) createProducts(w http.ResponseWriter, r *http.Request, now time.Time) {
	raws, ok := decodeItems(w, r)
	if !ok {
		return
	}
	items := make([]trendyolItem, len(raws))
	for i, raw := range raws {
		_ = json.Unmarshal(raw, &items[i]) // a malformed item is refused by ValidateTrendyolItem below
	}
	images := t.checkImages(r.Context(), items)
	b := t.newBatch("ProductV2OnBoarding", now)
	seen := map[string]bool{}
	for i, raw := range raws {
		reasons, barcode := ValidateTrendyolItem(raw)
		reasons = append(reasons, items[i].imageReasons(images)...)
		var echo map[string]any
		_ = json.Unmarshal(raw, &echo)
		if barcode != "" && echo != nil {
			echo["barcode"] = barcode
		}
		if barcode != "" && seen[barcode] {
			reasons = append(reasons, "barcode appears more than once in the batch")
		}
		seen[barcode] = true
		item := &tyBatchItem{requestItem: map[string]any{"barcode": barcode, "product": echo}}
		if len(reasons) > 0 {
			item.status, item.reasons = "FAILED", reasons
		} else {
			it := items[i]
			_, _, attrs := it.check(modeCreate)
			item.apply = func(t *trendyol, at time.Time) []string {
				if _, ok := t.products[barcode]; ok {
					return []string{"a product with this barcode already exists; use the update endpoints"}
				}
				t.nextContent++
				p := &TrendyolProduct{Barcode: barcode, StockCode: *it.StockCode, ProductMainID: *it.ProductMainID,
					BrandID: *it.BrandID, CategoryID: *it.CategoryID, ContentID: t.nextContent, Title: *it.Title,
					Description: *it.Description, Quantity: *it.Quantity, SalePrice: *it.SalePrice, ListPrice: *it.ListPrice,
					VATRate: *it.VATRate, DimensionalWeight: *it.DimensionalWeight, Images: imageURLs(it.Images), Attributes: attrs}
				if t.opts.ApprovalDelay <= 0 {
					p.Approved, p.ApprovedDate = true, at.UnixMilli()
				} else {
					p.approveAt = at.Add(t.opts.ApprovalDelay)
				}
				t.products[barcode] = p
				return nil
			}
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// updateUnapproved is unapproved-bulk-update: products still in (or refused by)
// approval, keyed by barcode, in a ProductV2Update batch. Only the fields sent change.
func (t *trendyol) updateUnapproved(w http.ResponseWriter, r *http.Request, now time.Time) {
	t.bulkUpdate(w, r, now, modeUnapproved)
}

// updateContent is content-bulk-update: approved products' title, description, images
// and attributes, keyed by contentId, in an ApprovedProductContentUpdate batch.
// Attributes, when sent, must list every attribute the product has.
func (t *trendyol) updateContent(w http.ResponseWriter, r *http.Request, now time.Time) {
	t.bulkUpdate(w, r, now, modeContent)
}

func (t *trendyol) bulkUpdate(w http.ResponseWriter, r *http.Request, now time.Time, mode itemMode) {
	raws, ok := decodeItems(w, r)
	if !ok {
		return
	}
	kind := "ProductV2Update"
	if mode == modeContent {
		kind = "ApprovedProductContentUpdate"
	}
	items := make([]trendyolItem, len(raws))
	errs := make([]error, len(raws))
	for i, raw := range raws {
		errs[i] = json.Unmarshal(raw, &items[i])
	}
	images := t.checkImages(r.Context(), items)
	b := t.newBatch(kind, now)
	seen := map[string]bool{}
	for i, raw := range raws {
		it := items[i]
		var reasons []string
		var barcode string
		var attrs []TrendyolAttribute
		if errs[i] != nil {
			reasons = []string{"item is not a valid product object: " + errs[i].Error()}
		} else {
			reasons, barcode, attrs = it.check(mode)
			reasons = append(reasons, it.imageReasons(images)...)
		}
		var echo map[string]any
		_ = json.Unmarshal(raw, &echo)
		key := barcode
		requestItem := map[string]any{"barcode": barcode, "product": echo}
		if mode == modeContent {
			var id int64
			if it.ContentID != nil {
				id = *it.ContentID
			}
			key = strconv.FormatInt(id, 10)
			requestItem = map[string]any{"contentId": id, "product": echo}
		} else if barcode != "" && echo != nil {
			echo["barcode"] = barcode
		}
		if len(reasons) == 0 && seen[key] {
			reasons = append(reasons, "the same product appears more than once in the batch")
		}
		seen[key] = true
		item := &tyBatchItem{requestItem: requestItem}
		if len(reasons) > 0 {
			item.status, item.reasons = "FAILED", reasons
			b.items = append(b.items, item)
			continue
		}
		item.apply = func(t *trendyol, _ time.Time) []string {
			var p *TrendyolProduct
			if mode == modeContent {
				for _, q := range t.products {
					if q.ContentID == *it.ContentID && q.Approved {
						p = q
					}
				}
				if p == nil {
					return []string{"no approved product with this contentId"}
				}
				if reasons := missingAttributes(p.Attributes, attrs, it.Attributes != nil); reasons != nil {
					return reasons
				}
			} else {
				p = t.products[barcode]
				switch {
				case p == nil:
					return []string{"no product with this barcode; create it first"}
				case p.Approved:
					return []string{"the product is approved; update its content with content-bulk-update"}
				}
			}
			// The product as it would be after the update must fit the taxonomy.
			category, brand, productAttrs := p.CategoryID, p.BrandID, p.Attributes
			set(&category, it.CategoryID)
			set(&brand, it.BrandID)
			if it.Attributes != nil {
				productAttrs = attrs
			}
			if reasons := tyCheckTaxonomy(category, brand, productAttrs); reasons != nil {
				return reasons
			}
			if mode != modeContent {
				set(&p.ProductMainID, it.ProductMainID)
				set(&p.StockCode, it.StockCode)
				set(&p.BrandID, it.BrandID)
				set(&p.CategoryID, it.CategoryID)
				set(&p.VATRate, it.VATRate)
				set(&p.DimensionalWeight, it.DimensionalWeight)
			}
			set(&p.Title, it.Title)
			set(&p.Description, it.Description)
			if it.Images != nil {
				p.Images = imageURLs(it.Images)
			}
			if it.Attributes != nil {
				p.Attributes = attrs
			}
			return nil
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// missingAttributes enforces content-bulk-update's rule that a request changing any
// attribute sends all of them.
func missingAttributes(have, sent []TrendyolAttribute, changing bool) []string {
	if !changing {
		return nil
	}
	got := map[int64]bool{}
	for _, a := range sent {
		got[a.AttributeID] = true
	}
	var missing []string
	for _, a := range have {
		if !got[a.AttributeID] {
			missing = append(missing, strconv.FormatInt(a.AttributeID, 10))
		}
	}
	if missing == nil {
		return nil
	}
	return []string{"when attributes change every attribute of the product must be sent; missing " + strings.Join(missing, ", ")}
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// productBase is getProductBase: a product's approval state and content ID by barcode.
func (t *trendyol) productBase(w http.ResponseWriter, r *http.Request, _ time.Time) {
	p := t.products[r.PathValue("barcode")]
	if p == nil {
		tyErrors(w, http.StatusNotFound, "product.not.found", "Ürün bulunamadı (no product with this barcode)")
		return
	}
	sum := sha256.Sum256([]byte(t.opts.SellerID + "/" + p.Barcode))
	out := map[string]any{
		"barcode":      p.Barcode,
		"approved":     p.Approved,
		"approvedDate": nil,
		"archived":     false,
		"listingId":    fmt.Sprintf("%x", sum[:16]),
		"contentId":    p.ContentID,
	}
	if p.Approved {
		out["approvedDate"] = p.ApprovedDate
	}
	writeJSON(w, http.StatusOK, out)
}

// approvedStock is the filter of approved products' stock and prices: content by
// content (in the sandbox every barcode is its own content), each with its variants'
// barcode, prices and sellable quantity, paged (size at most 100, page×size at most
// 10 000), filtered by barcode, barcodes (comma-separated, at most 50), stockCode or
// productMainId. Unapproved products are not listed. [3P S-TY9; Trendyol's page
// "Product Filtering - Approved Products Stock and Price"] The keys and wording of its
// refusals are the imitation's [I], and so is the default size of 50.
func (t *trendyol) approvedStock(w http.ResponseWriter, r *http.Request, _ time.Time) {
	q := r.URL.Query()
	page, size := 0, 50
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {"size", &size}} {
		name, dst := f.name, f.dst
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				tyErrors(w, http.StatusBadRequest, "invalid."+name, name+" must be a non-negative integer")
				return
			}
			*dst = n
		}
	}
	if size == 0 || size > 100 || page*size > 10000 {
		tyErrors(w, http.StatusBadRequest, "invalid.page.size", "size must be 1 to 100 and page×size at most 10000")
		return
	}
	var barcodes map[string]bool
	if v := q.Get("barcodes"); v != "" {
		barcodes = map[string]bool{}
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				barcodes[b] = true
			}
		}
		if len(barcodes) > 50 {
			tyErrors(w, http.StatusBadRequest, "invalid.barcodes", fmt.Sprintf("en fazla 50 barkod sorgulanabilir (at most 50 barcodes, got %d)", len(barcodes)))
			return
		}
	}
	var match []*TrendyolProduct
	for _, p := range t.products {
		if !p.Approved ||
			(q.Get("barcode") != "" && q.Get("barcode") != p.Barcode) || (barcodes != nil && !barcodes[p.Barcode]) ||
			(q.Get("stockCode") != "" && q.Get("stockCode") != p.StockCode) ||
			(q.Get("productMainId") != "" && q.Get("productMainId") != p.ProductMainID) {
			continue
		}
		match = append(match, p)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].ContentID < match[j].ContentID })
	content := []map[string]any{}
	for _, p := range match[min(page*size, len(match)):min((page+1)*size, len(match))] {
		var modified any
		if p.stockModified > 0 {
			modified = p.stockModified
		}
		content = append(content, map[string]any{"contentId": p.ContentID, "productMainId": p.ProductMainID,
			"variants": []map[string]any{{"variantId": p.ContentID*10 + 1, "barcode": p.Barcode, "stockCode": p.StockCode,
				"salePrice": p.SalePrice, "listPrice": p.ListPrice, "quantity": p.Quantity, "stockLastModifiedDate": modified}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalElements": len(match),
		"totalPages":    (len(match) + size - 1) / size,
		"page":          page,
		"size":          size,
		"content":       content,
	})
}

func (t *trendyol) priceAndInventory(w http.ResponseWriter, r *http.Request, now time.Time) {
	raw, err := readAll(w, r)
	if err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", err.Error())
		return
	}
	var body struct {
		Items []struct {
			Barcode   string   `json:"barcode"`
			Quantity  *int     `json:"quantity"`
			SalePrice *float64 `json:"salePrice"`
			ListPrice *float64 `json:"listPrice"`
		} `json:"items"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return
	}
	if len(body.Items) == 0 || len(body.Items) > trendyolMaxItems {
		tyErrors(w, http.StatusBadRequest, "invalid.item.count", fmt.Sprintf("items must hold 1 to %d entries", trendyolMaxItems))
		return
	}
	// Trendyol refuses the same request for the same products again within 15 minutes;
	// any changed value makes it a new request.
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw)
	barcodes := make([]string, 0, len(body.Items))
	for _, it := range body.Items {
		barcodes = append(barcodes, it.Barcode)
	}
	sort.Strings(barcodes)
	key := r.PathValue("sid") + "\n" + strings.Join(barcodes, "\n")
	sum := sha256.Sum256(compact.Bytes())
	if last, ok := t.lastBody[key]; ok && last.sum == sum && now.Sub(last.at) < trendyolDuplicateWindow {
		tyErrors(w, http.StatusBadRequest, "duplicate.request", trendyolDuplicateMsg)
		return
	}
	t.lastBody[key] = sentBody{sum: sum, at: now}
	b := t.newBatch("ProductInventoryUpdate", now)
	for _, it := range body.Items {
		echo := map[string]any{"barcode": it.Barcode}
		var reasons []string
		if it.Quantity != nil {
			echo["quantity"] = *it.Quantity
			if *it.Quantity < 0 || *it.Quantity > trendyolMaxStock {
				reasons = append(reasons, fmt.Sprintf("quantity must be between 0 and %d", trendyolMaxStock))
			}
		}
		if it.SalePrice != nil {
			echo["salePrice"] = *it.SalePrice
		}
		if it.ListPrice != nil {
			echo["listPrice"] = *it.ListPrice
		}
		if it.SalePrice != nil && it.ListPrice != nil && *it.ListPrice < *it.SalePrice {
			reasons = append(reasons, "listPrice must not be lower than salePrice")
		}
		if len(reasons) == 0 && !t.takePrice(it.Barcode, it.SalePrice, it.ListPrice, now) {
			// The whole item is refused, its quantity too: a client that wants its
			// stock through sends it without the price [I].
			reasons = append(reasons, priceLimitMessage(t.opts.PriceUpdates, t.opts.PriceWindow))
		}
		item := &tyBatchItem{requestItem: echo}
		if len(reasons) > 0 {
			item.status, item.reasons = "FAILED", reasons
		} else {
			it := it
			item.apply = func(t *trendyol, at time.Time) []string {
				p, ok := t.products[it.Barcode]
				if !ok || !p.Approved {
					return []string{"no approved product with this barcode"}
				}
				if it.Quantity != nil {
					p.Quantity, p.StockUpdatedAt, p.stockModified = *it.Quantity, at.UnixMilli(), at.UnixMilli()
				}
				if it.SalePrice != nil || it.ListPrice != nil {
					set(&p.SalePrice, it.SalePrice)
					set(&p.ListPrice, it.ListPrice)
					p.PriceUpdatedAt = at.UnixMilli()
					if t.priceAsked[it.Barcode] == (tyPrice{p.SalePrice, p.ListPrice}) {
						delete(t.priceAsked, it.Barcode)
					}
				}
				return nil
			}
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// priceLimitMessage refuses a price change over the per-barcode limit. The wording is
// the imitation's: Trendyol has not published its own [I].
func priceLimitMessage(n int, window time.Duration) string {
	tr, en := "dakikada", "per minute"
	if window != time.Minute {
		tr, en = window.String()+" içinde", "per "+window.String()
	}
	return fmt.Sprintf("Bu barkod için %s en fazla %d fiyat güncellemesi yapılabilir (at most %d price updates %s for one barcode)", tr, n, n, en)
}

// takePrice counts an item's price change against its barcode's limit of
// PriceUpdates per PriceWindow ("30 req/min per barcode for price updates" [C S-TY10])
// and reports whether it is taken. The change is measured against the price last asked
// for (batches not yet applied count), else the product's own: an item that leaves
// both prices as they are changes nothing and counts nothing, and neither does one
// without prices.
func (t *trendyol) takePrice(barcode string, sale, list *float64, now time.Time) bool {
	if sale == nil && list == nil {
		return true
	}
	ref, ok := t.priceAsked[barcode]
	if p := t.products[barcode]; !ok && p != nil {
		ref = tyPrice{p.SalePrice, p.ListPrice}
	}
	want := ref
	set(&want.sale, sale)
	set(&want.list, list)
	if want == ref {
		return true
	}
	var hits []time.Time
	for _, at := range t.priceHits[barcode] {
		if now.Sub(at) < t.opts.PriceWindow {
			hits = append(hits, at)
		}
	}
	if len(hits) >= t.opts.PriceUpdates {
		t.priceHits[barcode] = hits
		return false
	}
	t.priceHits[barcode] = append(hits, now)
	t.priceAsked[barcode] = want
	return true
}

func (t *trendyol) batchRequest(w http.ResponseWriter, r *http.Request, now time.Time) {
	b, ok := t.batches[r.PathValue("id")]
	if !ok {
		tyErrors(w, http.StatusNotFound, "batch.request.not.found", "batch request not found (results are kept 4 hours)")
		return
	}
	items := make([]map[string]any, 0, len(b.items))
	failed := 0
	for _, it := range b.items {
		m := map[string]any{"requestItem": it.requestItem, "failureReasons": []string{}}
		status := it.status
		if !b.completed && status != "" {
			status = "" // outcomes show only once the batch is processed
		}
		if status != "" {
			m["status"] = status
			if it.reasons != nil {
				m["failureReasons"] = it.reasons
			}
		}
		if status == "FAILED" {
			failed++
		}
		items = append(items, m)
	}
	out := map[string]any{
		"batchRequestId":   b.id,
		"creationDate":     b.created.UnixMilli(),
		"lastModification": b.created.UnixMilli(),
		"sourceType":       "API",
		"itemCount":        len(b.items),
		"failedItemCount":  failed,
		"batchRequestType": b.kind,
		"items":            items,
	}
	if b.completed {
		out["lastModification"] = b.due.UnixMilli()
	}
	if b.kind != "ProductInventoryUpdate" { // inventory batches carry no top-level status
		out["status"] = "IN_PROGRESS"
		if b.completed {
			out["status"] = "COMPLETED"
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (t *trendyol) orders(w http.ResponseWriter, r *http.Request, now time.Time) {
	q := r.URL.Query()
	num := func(name string, def int64) (int64, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			tyErrors(w, http.StatusBadRequest, "invalid."+name, name+" must be a non-negative integer")
			return 0, false
		}
		return n, true
	}
	page, ok1 := num("page", 0)
	size, ok2 := num("size", 50)
	end, ok3 := num("endDate", now.UnixMilli())
	start, ok4 := num("startDate", end-trendyolOrderWindow.Milliseconds())
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	// Trendyol takes a window of at most two weeks and about a month of history
	// [C S-TY7]; without dates the imitation reads the last two weeks [I]. The keys
	// and wording of these refusals are the imitation's [I].
	switch {
	case end < start:
		tyErrors(w, http.StatusBadRequest, "invalid.date.range", "endDate, startDate'ten önce olamaz (endDate must not be before startDate)")
		return
	case end-start > trendyolOrderWindow.Milliseconds():
		tyErrors(w, http.StatusBadRequest, "invalid.date.range",
			"startDate ile endDate arasında en fazla 2 hafta olabilir (the window between startDate and endDate may be at most 2 weeks)")
		return
	case start < now.Add(-trendyolOrderHistory).UnixMilli():
		tyErrors(w, http.StatusBadRequest, "invalid.start.date",
			"siparişler en fazla 1 ay geriye sorgulanabilir (orders can be read at most a month back: startDate is too old)")
		return
	}
	if size == 0 || size > 200 || page*size > 10000 {
		tyErrors(w, http.StatusBadRequest, "invalid.page.size", "size must be 1 to 200 and page×size at most 10000")
		return
	}
	field := q.Get("orderByField")
	if field == "" {
		field = "CreatedDate"
	}
	if field != "CreatedDate" && field != "PackageLastModifiedDate" {
		tyErrors(w, http.StatusBadRequest, "invalid.orderByField", "orderByField must be PackageLastModifiedDate or CreatedDate")
		return
	}
	date := func(p *TrendyolPackage) int64 {
		if field == "PackageLastModifiedDate" {
			return p.LastModifiedDate
		}
		return p.OrderDate
	}
	var match []*TrendyolPackage
	for _, p := range t.packages {
		if d := date(p); d >= start && d <= end && (q.Get("status") == "" || q.Get("status") == p.Status) {
			match = append(match, p)
		}
	}
	desc := q.Get("orderByDirection") != "ASC"
	sort.SliceStable(match, func(i, j int) bool {
		a, b := match[i], match[j]
		if date(a) != date(b) {
			return (date(a) < date(b)) != desc
		}
		return (a.ShipmentPackageID < b.ShipmentPackageID) != desc
	})
	content := []*TrendyolPackage{}
	if from := page * size; from < int64(len(match)) {
		content = match[from:min(from+size, int64(len(match)))]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalElements": len(match),
		"totalPages":    (int64(len(match)) + size - 1) / size,
		"page":          page,
		"size":          size,
		"content":       content,
	})
}

// placeOrder is a customer's order against listed stock: a new shipment package.
func (t *trendyol) placeOrder(stockCode string, quantity int) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.srv.Now()
	t.settle(now)
	p := t.byStockCode(stockCode)
	if p == nil {
		return "", fmt.Errorf("trendyol: %w: %s", ErrNotListed, stockCode)
	}
	if p.Quantity < quantity {
		return "", fmt.Errorf("trendyol: %w: %s has %d, order wants %d", ErrNoStock, stockCode, p.Quantity, quantity)
	}
	p.Quantity -= quantity
	t.nextID++
	ms := now.UnixMilli()
	pkg := &TrendyolPackage{
		ShipmentPackageID:     t.nextID,
		OrderNumber:           strconv.FormatInt(10000000000+t.nextID, 10),
		OrderDate:             ms,
		Status:                "Created",
		ShipmentPackageStatus: "Created",
		LastModifiedDate:      ms,
		CurrencyCode:          "TRY",
		PackageTotalPrice:     p.SalePrice * float64(quantity),
		CreatedBy:             "order-creation",
		PackageHistories:      []TrendyolStatus{{CreatedDate: ms, Status: "Created"}},
		Lines: []TrendyolLine{{LineID: t.nextID*10 + 1, Barcode: p.Barcode, StockCode: p.StockCode, Quantity: quantity,
			LineUnitPrice: p.SalePrice, VATRate: p.VATRate, OrderLineItemStatusName: "Created", ProductName: p.Title}},
	}
	t.packages = append(t.packages, pkg)
	t.notify(pkg)
	return strconv.FormatInt(pkg.ShipmentPackageID, 10), nil
}

// cancelOrder cancels a package, giving its stock back.
func (t *trendyol) cancelOrder(id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	t.mu.Lock()
	defer t.mu.Unlock()
	var pkg *TrendyolPackage
	for _, p := range t.packages {
		if err == nil && p.ShipmentPackageID == n {
			pkg = p
		}
	}
	if pkg == nil {
		return fmt.Errorf("trendyol: %w: shipment package %s", ErrNoOrder, id)
	}
	if pkg.Status == "Cancelled" {
		return fmt.Errorf("trendyol: %w: shipment package %s", ErrAlreadyCancelled, id)
	}
	ms := t.srv.Now().UnixMilli()
	pkg.Status, pkg.ShipmentPackageStatus, pkg.LastModifiedDate = "Cancelled", "Cancelled", ms
	pkg.PackageHistories = append(pkg.PackageHistories, TrendyolStatus{CreatedDate: ms, Status: "Cancelled"})
	for i := range pkg.Lines {
		pkg.Lines[i].OrderLineItemStatusName = "Cancelled"
		if p := t.products[pkg.Lines[i].Barcode]; p != nil {
			p.Quantity += pkg.Lines[i].Quantity
		}
	}
	t.notify(pkg)
	return nil
}

// setStock sets what Trendyol shows of an approved product's stock, as the seller's
// panel does, without a batch; the panel's cap is taken to be the API's 20 000 [I].
func (t *trendyol) setStock(stockCode string, quantity int) error {
	if quantity > trendyolMaxStock {
		return fmt.Errorf("trendyol: quantity must be between 0 and %d", trendyolMaxStock)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.srv.Now()
	t.settle(now)
	p := t.byStockCode(stockCode)
	if p == nil {
		return fmt.Errorf("trendyol: %w: %s", ErrNotListed, stockCode)
	}
	p.Quantity, p.stockModified = quantity, now.UnixMilli()
	return nil
}

// listings is every approved product's stock code and quantity.
func (t *trendyol) listings() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(t.srv.Now())
	out := map[string]int{}
	for _, p := range t.products {
		if p.Approved {
			out[p.StockCode] = p.Quantity
		}
	}
	return out
}

func (t *trendyol) byStockCode(code string) *TrendyolProduct {
	for _, p := range t.products {
		if p.StockCode == code && p.Approved {
			return p
		}
	}
	return nil
}

func readAll(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 64<<20)); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return buf.Bytes(), nil
}

// tyWebhook is one webhook subscription with its delivery queue (guarded by wmu).
type tyWebhook struct {
	ID                 string   `json:"id"`
	URL                string   `json:"url"`
	AuthenticationType string   `json:"authenticationType"`
	Username           string   `json:"username,omitempty"`
	SubscribedStatuses []string `json:"subscribedStatuses"`
	Status             string   `json:"status"`
	password, apiKey   string
	pending            [][]byte
	running            bool
}

// TrendyolWebhookStats counts webhook deliveries over all subscriptions.
type TrendyolWebhookStats struct {
	// Delivered is deliveries a webhook answered with 2xx.
	Delivered int `json:"delivered"`
	// Failed is deliveries given up after every attempt failed.
	Failed int `json:"failed"`
	// Attempts is HTTP requests made, retries included.
	Attempts int `json:"attempts"`
	// Pending is deliveries queued or under way.
	Pending int `json:"pending"`
}

// trendyolWebhookStatuses maps package statuses to the statuses webhooks subscribe to.
var trendyolWebhookStatuses = map[string]string{
	"Awaiting": "AWAITING", "Created": "CREATED", "Picking": "PICKING", "Invoiced": "INVOICED", "Shipped": "SHIPPED",
	"Cancelled": "CANCELLED", "Delivered": "DELIVERED", "UnDelivered": "UNDELIVERED", "Returned": "RETURNED",
	"UnSupplied": "UNSUPPLIED", "UnPacked": "UNPACKED", "AtCollectionPoint": "AT_COLLECTION_POINT", "Verified": "VERIFIED",
}

// createWebhook is createWebhook: at most 15 per seller; the url must be HTTPS, except
// that plain HTTP is taken for localhost, 127.0.0.1 and ::1 so the sandbox can call
// receivers running next to it (Trendyol itself would not reach those). Empty
// subscribedStatuses subscribes to every status, as Trendyol does.
func (t *trendyol) createWebhook(w http.ResponseWriter, r *http.Request, _ time.Time) {
	var in struct {
		URL                string   `json:"url"`
		AuthenticationType string   `json:"authenticationType"`
		Username           string   `json:"username"`
		Password           string   `json:"password"`
		APIKey             string   `json:"apiKey"`
		SubscribedStatuses []string `json:"subscribedStatuses"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return
	}
	invalid := func(key, msg string) { tyErrors(w, http.StatusBadRequest, key, msg) }
	u, err := url.Parse(in.URL)
	local := err == nil && (u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1")
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && local)):
		invalid("webhook.url.invalid", "url must be an HTTPS address (the sandbox also takes http://localhost and http://127.0.0.1)")
		return
	case in.AuthenticationType == "BASIC_AUTHENTICATION" && (in.Username == "" || in.Password == ""):
		invalid("webhook.authentication.invalid", "username and password are required for BASIC_AUTHENTICATION")
		return
	case in.AuthenticationType == "API_KEY" && in.APIKey == "":
		invalid("webhook.authentication.invalid", "apiKey is required for API_KEY")
		return
	case in.AuthenticationType != "BASIC_AUTHENTICATION" && in.AuthenticationType != "API_KEY":
		invalid("webhook.authentication.invalid", "authenticationType must be BASIC_AUTHENTICATION or API_KEY")
		return
	}
	valid := map[string]bool{}
	all := make([]string, 0, len(trendyolWebhookStatuses))
	for _, s := range trendyolWebhookStatuses {
		valid[s] = true
		all = append(all, s)
	}
	sort.Strings(all)
	for _, s := range in.SubscribedStatuses {
		if !valid[s] {
			invalid("webhook.status.invalid", fmt.Sprintf("subscribedStatuses: unknown status %q (one of %s)", s, strings.Join(all, ", ")))
			return
		}
	}
	if len(in.SubscribedStatuses) == 0 {
		in.SubscribedStatuses = all
	}
	sid := r.PathValue("sid")
	if len(t.webhooks[sid]) >= trendyolMaxWebhooks {
		invalid("webhook.limit.exceeded", fmt.Sprintf("a seller may have at most %d webhooks", trendyolMaxWebhooks))
		return
	}
	t.nextHook++
	h := &tyWebhook{ID: fmt.Sprintf("%08x-7e1b-4d2a-8c3f-%012d", t.nextHook, t.nextHook), URL: in.URL,
		AuthenticationType: in.AuthenticationType, SubscribedStatuses: in.SubscribedStatuses, Status: "ACTIVE",
		password: in.Password, apiKey: in.APIKey}
	if in.AuthenticationType == "BASIC_AUTHENTICATION" {
		h.Username = in.Username
	}
	t.webhooks[sid] = append(t.webhooks[sid], h)
	writeJSON(w, http.StatusOK, map[string]any{"id": h.ID})
}

// listWebhooks is getWebhooks: the seller's webhooks, without their secrets.
func (t *trendyol) listWebhooks(w http.ResponseWriter, r *http.Request, _ time.Time) {
	out := []*tyWebhook{}
	out = append(out, t.webhooks[r.PathValue("sid")]...)
	writeJSON(w, http.StatusOK, out)
}

// notify queues a package (as it is now) for every webhook subscribed to its status.
// Callers hold mu; the deliveries run on their own goroutines without it.
func (t *trendyol) notify(pkg *TrendyolPackage) {
	status := trendyolWebhookStatuses[pkg.Status]
	var body []byte
	for _, h := range t.webhooks[t.opts.SellerID] {
		if !slices.Contains(h.SubscribedStatuses, status) {
			continue
		}
		if body == nil {
			var err error
			if body, err = json.Marshal(pkg); err != nil {
				return
			}
		}
		t.wmu.Lock()
		h.pending = append(h.pending, body)
		t.stats.Pending++
		if !h.running {
			h.running = true
			go t.drain(h)
		}
		t.wmu.Unlock()
	}
}

// drain delivers a webhook's queue in order, one delivery at a time, and ends when the
// queue is empty.
func (t *trendyol) drain(h *tyWebhook) {
	for {
		t.wmu.Lock()
		if len(h.pending) == 0 {
			h.running = false
			t.wmu.Unlock()
			return
		}
		body := h.pending[0]
		h.pending = h.pending[1:]
		t.wmu.Unlock()
		ok := t.deliver(h, body)
		t.wmu.Lock()
		t.stats.Pending--
		if ok {
			t.stats.Delivered++
		} else {
			t.stats.Failed++
		}
		t.wmu.Unlock()
	}
}

// deliver posts one package to a webhook with its configured authentication, retrying
// with a doubling backoff until a 2xx answer or the attempts run out.
func (t *trendyol) deliver(h *tyWebhook, body []byte) bool {
	wait := t.opts.WebhookBackoff
	for attempt := 0; attempt < t.opts.WebhookAttempts; attempt++ {
		if attempt > 0 {
			time.Sleep(wait)
			wait *= 2
		}
		t.wmu.Lock()
		t.stats.Attempts++
		t.wmu.Unlock()
		req, err := http.NewRequest(http.MethodPost, h.URL, bytes.NewReader(body))
		if err != nil {
			return false
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("User-Agent", "Trendyol-Webhook-Sandbox")
		if h.AuthenticationType == "API_KEY" {
			req.Header.Set("x-api-key", h.apiKey)
		} else {
			req.SetBasicAuth(h.Username, h.password)
		}
		resp, err := t.opts.WebhookClient.Do(req)
		if err != nil {
			continue
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		_ = resp.Body.Close()
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			return true
		}
	}
	return false
}

func (t *trendyol) webhookStats() TrendyolWebhookStats {
	t.wmu.Lock()
	defer t.wmu.Unlock()
	return t.stats
}

func (t *trendyol) product(barcode string) (TrendyolProduct, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(t.srv.Now())
	p, ok := t.products[barcode]
	if !ok {
		return TrendyolProduct{}, false
	}
	out := *p
	out.Images = slices.Clone(p.Images)
	out.Attributes = slices.Clone(p.Attributes)
	return out, true
}

func (s *Server) ty() *trendyol {
	t, _ := s.marketplaces["trendyol"].(*trendyol)
	return t
}

// TrendyolProduct is the Trendyol imitation's state of the product with this barcode,
// once its create batch has completed.
func (s *Server) TrendyolProduct(barcode string) (TrendyolProduct, bool) {
	return s.ty().product(barcode)
}

// TrendyolWebhookStats counts the Trendyol imitation's webhook deliveries.
func (s *Server) TrendyolWebhookStats() TrendyolWebhookStats {
	return s.ty().webhookStats()
}
