package sandbox

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// HepsiburadaOptions configures the Hepsiburada imitation. Zero values take the defaults.
type HepsiburadaOptions struct {
	// MerchantID and ServiceKey are the accepted Basic credentials (defaults
	// DefaultHepsiburadaMerchantID and "sandboxkey12", a 12-character alphanumeric
	// Servis Anahtarı as Hepsiburada issues them).
	MerchantID string
	ServiceKey string
	// UserAgent is the integrator username every request must send as its exact
	// User-Agent (default "stox_dev").
	UserAgent string
	// ProcessDelay is how long imports and stock/price uploads stay processing
	// (default 2s of sandbox time).
	ProcessDelay time.Duration
	// RateLimit is how many requests the catalog and the listing service each take per
	// RateWindow (default 100, the catalog's documented 100 req/s); OrderRateLimit is the
	// order service's (default 1000, its documented 1000 req/s). RateWindow defaults to 1s.
	RateLimit      int
	OrderRateLimit int
	RateWindow     time.Duration
}

// DefaultHepsiburadaMerchantID is the merchant the Hepsiburada imitation accepts when
// HepsiburadaOptions.MerchantID is empty.
const DefaultHepsiburadaMerchantID = "7d1f3b2a-6c4e-4f59-8a0b-1e2d3c4b5a69"

const (
	// hbMaxItems caps imports and uploads. Hepsiburada documents no import cap; ~1000
	// per listing upload is what open-source clients use. [I]
	hbMaxItems = 1000
	// hbMaxTitle is UrunAdi's limit; Hepsiburada's portal rules are not public. [I]
	hbMaxTitle = 200
	// hbMaxImages is Image1…Image10 (raised from 5 to 10 in June 2025).
	hbMaxImages = 10
	// hbMaxPage is the largest limit the order service takes. [I]
	hbMaxPage = 100
	// hbKept is how long import and upload results can be polled ("24+ hours"). [I]
	hbKept = 24 * time.Hour
	// hbDateLayout is begindate/enddate's format, in Turkish time.
	hbDateLayout = "2006-01-02 15:04"
	// hbMissingPaging is the order service's 400 message since 21 May 2024.
	hbMissingPaging = "limit and offset parameters are required"
)

var (
	hbTurkey     = time.FixedZone("TRT", 3*60*60)
	hbBarcodeRe  = regexp.MustCompile(`^[A-Za-z0-9._-]{1,50}$`)
	hbPriceRe    = regexp.MustCompile(`^[0-9]+(,[0-9]{1,2})?$`)
	hbStockRe    = regexp.MustCompile(`^[0-9]+$`)
	hbWeightRe   = regexp.MustCompile(`^[0-9]+([.,][0-9]+)?$`)
	hbImageKeyRe = regexp.MustCompile(`^Image([0-9]+)$`)

	// hbVATRates are the tax_vat_rate values the import takes, as the integer text
	// Hepsiburada's own sample sends ("tax_vat_rate":"5"). Hepsiburada publishes no
	// list. The set is Turkish VAT law's rates since 10 July 2023 (0 for exempt
	// supplies, 1, 10 and 20; the former 8 and 18 were raised to 10 and 20) [I], plus 5
	// because the official import sample of the June 2025 changelog sends it [C S-HB3]:
	// an imitation must not refuse what Hepsiburada's documentation sends. 8 and 18
	// (and anything else) are refused, which the contract suite relies on.
	hbVATRates = []string{"0", "1", "5", "10", "20"}
)

type hbService string

const (
	hbCatalog hbService = "catalog"
	hbListing hbService = "listing"
	hbOMS     hbService = "oms"
)

type hepsiburada struct {
	srv  *Server
	opts HepsiburadaOptions

	mu          sync.Mutex
	revoked     bool
	limits      window // catalog and listing, keyed by service
	orderLimits window
	products    map[string]*hbProduct // by merchantSku
	imports     map[string]*hbImport
	uploads     map[string]*hbUpload
	jobs        []*hbJob // pending work in submission order
	lines       []*HepsiburadaLine
	seq         int64
}

type hbProduct struct {
	MerchantSKU string
	HBSKU       string
	Barcode     string
	Title       string
	Brand       string
	CategoryID  int64
	VATRate     int
	Price       float64
	Stock       int
	// FulfilledByHB is isFulfilledByHB: Hepsiburada ships the listing from its own
	// warehouse, and Stock is that warehouse's count (SetHepsiburadaFulfilledByHB).
	FulfilledByHB bool
}

// hbJob is work that runs once its due time has passed on the sandbox clock.
type hbJob struct {
	due time.Time
	run func(h *hepsiburada)
}

type hbImport struct {
	id        string
	created   time.Time
	completed bool
	items     []*hbImportItem
}

type hbImportItem struct {
	merchantSKU string
	barcode     string
	failures    []HepsiburadaValidation
}

type hbUpload struct {
	id        string
	kind      string // stock or price
	created   time.Time
	completed bool
	total     int
	errors    []hbElementError
}

type hbElementError struct {
	ElementNo      int      `json:"elementNo"`
	HepsiburadaSKU string   `json:"hepsiburadaSku"`
	MerchantSKU    string   `json:"merchantSku"`
	Errors         []string `json:"errors"`
}

// HepsiburadaMoney is an amount as the order service writes money.
type HepsiburadaMoney struct {
	Currency string  `json:"currency"`
	Amount   float64 `json:"amount"`
}

// HepsiburadaLine is one order line as the order service lists it (one row per line).
type HepsiburadaLine struct {
	ID                   string           `json:"id"`
	SKU                  string           `json:"sku"`
	MerchantSKU          string           `json:"merchantSKU"`
	OrderID              string           `json:"orderId"`
	OrderNumber          string           `json:"orderNumber"`
	OrderDate            string           `json:"orderDate"`
	Quantity             int              `json:"quantity"`
	MerchantID           string           `json:"merchantId"`
	Status               string           `json:"status"`
	TotalPrice           HepsiburadaMoney `json:"totalPrice"`
	UnitPrice            HepsiburadaMoney `json:"unitPrice"`
	VAT                  float64          `json:"vat"`
	VATRate              int              `json:"vatRate"`
	CustomerName         string           `json:"customerName"`
	DueDate              string           `json:"dueDate"`
	LastStatusUpdateDate string           `json:"lastStatusUpdateDate"`
	DeliveryType         string           `json:"deliveryType"`

	placed  time.Time
	changed time.Time
}

func newHepsiburada(srv *Server, o HepsiburadaOptions) *hepsiburada {
	if o.MerchantID == "" {
		o.MerchantID = DefaultHepsiburadaMerchantID
	}
	if o.ServiceKey == "" {
		o.ServiceKey = "sandboxkey12"
	}
	if o.UserAgent == "" {
		o.UserAgent = "stox_dev"
	}
	if o.ProcessDelay == 0 {
		o.ProcessDelay = 2 * time.Second
	}
	if o.RateLimit == 0 {
		o.RateLimit = 100
	}
	if o.OrderRateLimit == 0 {
		o.OrderRateLimit = 1000
	}
	if o.RateWindow == 0 {
		o.RateWindow = time.Second
	}
	return &hepsiburada{
		srv:         srv,
		opts:        o,
		limits:      window{limit: o.RateLimit, span: o.RateWindow, hits: map[string][]time.Time{}},
		orderLimits: window{limit: o.OrderRateLimit, span: o.RateWindow, hits: map[string][]time.Time{}},
		products:    map[string]*hbProduct{},
		imports:     map[string]*hbImport{},
		uploads:     map[string]*hbUpload{},
	}
}

// routes registers the three services' endpoints under their real paths (the catalog
// on mpop, stock and price on listing-external, orders on oms-external); one sandbox
// serves all three hosts.
func (h *hepsiburada) routes(mux *http.ServeMux) {
	mux.Handle("POST /product/api/products/import", h.guard(hbCatalog, h.importProducts))
	mux.Handle("GET /product/api/products/status/{trackingId}", h.api(hbCatalog, h.importStatus))
	mux.Handle("GET /product/api/categories/get-all-categories", h.api(hbCatalog, h.categories))
	mux.Handle("GET /product/api/categories/{categoryId}/attributes", h.api(hbCatalog, h.categoryAttributes))
	mux.Handle("GET /product/api/categories/{categoryId}/attribute/{attributeId}/values", h.api(hbCatalog, h.attributeValues))
	mux.Handle("GET /listings/merchantid/{mid}", h.api(hbListing, h.listListings))
	for _, kind := range []string{"stock", "price"} {
		mux.Handle("POST /listings/merchantid/{mid}/"+kind+"-uploads", h.api(hbListing, h.upload(kind)))
		mux.Handle("GET /listings/merchantid/{mid}/"+kind+"-uploads/id/{id}", h.api(hbListing, h.uploadStatus(kind)))
	}
	mux.Handle("GET /orders/merchantid/{mid}", h.api(hbOMS, h.orders(false)))
	mux.Handle("GET /orders/merchantid/{mid}/cancelled", h.api(hbOMS, h.orders(true)))
	mux.HandleFunc("PUT /sandbox/hepsiburada/listings/{merchantSku}/fulfilled-by-hb", h.fulfilledByHBHook)
}

func (h *hepsiburada) setRevoked(v bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.revoked = v
}

// duplicateWindow: Hepsiburada documents no refusal of repeated stock bodies.
func (h *hepsiburada) duplicateWindow() time.Duration { return 0 }

// serverError is a 500 in the order service's error shape (the one documented body).
func (h *hepsiburada) serverError(w http.ResponseWriter) {
	h.omsError(w, http.StatusInternalServerError, "Internal Server Error")
}

// throttled is the order service's 429 with its X-RateLimit-* headers (Reset is the
// seconds until the window resets); Retry-After is added for generic clients.
func (h *hepsiburada) throttled(w http.ResponseWriter, retryAfter time.Duration) {
	h.rateHeaders(w, h.opts.OrderRateLimit, retryAfter)
	h.omsError(w, http.StatusTooManyRequests, "Too Many Requests")
}

func (h *hepsiburada) rateHeaders(w http.ResponseWriter, limit int, wait time.Duration) {
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", retryAfterSeconds(wait))
	w.Header().Set("Retry-After", retryAfterSeconds(wait))
}

func (h *hepsiburada) newID(prefix string) string {
	h.seq++
	return fmt.Sprintf("%s%07x-4b1d-4e6a-9c3f-%012d", prefix, h.seq, h.seq)
}

// omsError is the order service's error body; the listing service's 4xx bodies are
// not documented and use the same shape. [I]
func (h *hepsiburada) omsError(w http.ResponseWriter, status int, msg string) {
	h.seq++
	writeJSON(w, status, map[string]any{
		"statusCode": status, "code": strconv.Itoa(status), "defaultMessage": nil,
		"correlationId": fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", h.seq), "message": msg,
	})
}

// catalogError is the catalog's envelope with success false.
func catalogError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "code": code, "version": 1, "message": msg, "data": nil})
}

func catalogOK(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "code": 0, "version": 1, "message": nil, "data": data})
}

// api wraps a handler with Hepsiburada's checks (see guard) and runs it holding the
// imitation's lock, after settling due work so every handler sees the state at the
// sandbox's current time.
func (h *hepsiburada) api(svc hbService, fn func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return h.guard(svc, func(w http.ResponseWriter, r *http.Request, now time.Time) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.settle(now)
		fn(w, r, now)
	})
}

// guard wraps a handler with Hepsiburada's checks: Basic merchantId:serviceKey and the
// exact integrator User-Agent (401 in each service's own shape: the catalog's
// envelope, the listing service's text/plain "Missing Credentials!", the order
// service's empty body), then the service's rate limit (catalog: 403, as documented
// since January 2026; listing and orders: 429 with X-RateLimit-* headers). fn runs
// without the imitation's lock, so it may fetch images first; it takes the lock itself.
func (h *hepsiburada) guard(svc hbService, fn func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.srv.inject(w, r, h) {
			return
		}
		if now, ok := h.admit(w, r, svc); ok {
			fn(w, r, now)
		}
	})
}

// admit applies guard's checks, answering when a request fails them.
func (h *hepsiburada) admit(w http.ResponseWriter, r *http.Request, svc hbService) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	mid := r.PathValue("mid")
	if h.revoked || !h.authorized(r) || (mid != "" && !strings.EqualFold(mid, h.opts.MerchantID)) {
		switch svc {
		case hbCatalog:
			catalogError(w, http.StatusUnauthorized, http.StatusUnauthorized, "Unauthorized")
		case hbListing:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Missing Credentials!")
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
		return time.Time{}, false
	}
	now := h.srv.Now()
	lim := &h.limits
	if svc == hbOMS {
		lim = &h.orderLimits
	}
	if ok, wait := lim.allow(string(svc), now); !ok {
		if svc == hbCatalog {
			catalogError(w, http.StatusForbidden, http.StatusForbidden,
				fmt.Sprintf("Rate limit exceeded: at most %d requests per %s; sustained excess blocks the IP", h.opts.RateLimit, h.opts.RateWindow))
			return time.Time{}, false
		}
		h.rateHeaders(w, lim.limit, wait)
		h.omsError(w, http.StatusTooManyRequests, "Too Many Requests")
		return time.Time{}, false
	}
	return now, true
}

func (h *hepsiburada) authorized(r *http.Request) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(h.opts.MerchantID+":"+h.opts.ServiceKey))
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1 &&
		r.Header.Get("User-Agent") == h.opts.UserAgent
}

// settle runs every job whose time has come, in submission order, and forgets results
// older than hbKept.
func (h *hepsiburada) settle(now time.Time) {
	kept := h.jobs[:0]
	for _, j := range h.jobs {
		if now.Before(j.due) {
			kept = append(kept, j)
			continue
		}
		j.run(h)
	}
	clear(h.jobs[len(kept):])
	h.jobs = kept
	for id, imp := range h.imports {
		if imp.completed && now.Sub(imp.created) > hbKept {
			delete(h.imports, id)
		}
	}
	for id, u := range h.uploads {
		if u.completed && now.Sub(u.created) > hbKept {
			delete(h.uploads, id)
		}
	}
}

func (h *hepsiburada) schedule(now time.Time, run func(h *hepsiburada)) {
	h.jobs = append(h.jobs, &hbJob{due: now.Add(h.srv.batchDelay(h.opts.ProcessDelay)), run: run})
}

// HepsiburadaValidation is one broken rule of an imported item.
type HepsiburadaValidation struct {
	AttributeName string `json:"attributeName"`
	Message       string `json:"message"`
}

// attrText renders a JSON scalar attribute value as text (numbers as written).
func attrText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// hbMinImageSide is the shorter side an image must have. Hepsiburada documents no
// minimum; 500 px, what Trendyol and Amazon ask at least, is an inference. [I]
const hbMinImageSide = 500

// hb is the Hepsiburada imitation.
func (s *Server) hb() *hepsiburada { return s.marketplaces["hepsiburada"].(*hepsiburada) }

// ValidateHepsiburadaItem checks one catalog import item ({categoryId, merchant,
// attributes{…}}) as the Hepsiburada imitation's import does and returns the rules it
// breaks (none when valid) and its merchantSku. The rules are Hepsiburada's documented
// ones (Turkish keys, price as a decimal-comma string, stock as an integer string, VAT
// 0/1/5/10/20 (see hbVATRates), Image1…Image10 fetched over HTTPS, an active and
// available leaf category with its mandatory attributes and allowed values; see
// hepsiburada_taxonomy.go) plus
// inferred limits where it publishes none: UrunAdi ≤ 200 characters, barcode
// letters/digits/. - _ up to 50, kg a positive number, images at least 500 px. [I]
func (s *Server) ValidateHepsiburadaItem(ctx context.Context, raw json.RawMessage) (failures []HepsiburadaValidation, merchantSKU string) {
	return s.hb().validate(ctx, raw)
}

func (h *hepsiburada) validate(ctx context.Context, raw json.RawMessage) (failures []HepsiburadaValidation, merchantSKU string) {
	merchant := h.opts.MerchantID
	var it struct {
		CategoryID json.Number    `json:"categoryId"`
		Merchant   string         `json:"merchant"`
		Attributes map[string]any `json:"attributes"`
	}
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&it); err != nil {
		return []HepsiburadaValidation{{Message: "item is not a valid product object: " + err.Error()}}, ""
	}
	fail := func(attr, format string, args ...any) {
		failures = append(failures, HepsiburadaValidation{AttributeName: attr, Message: fmt.Sprintf(format, args...)})
	}
	if n, err := it.CategoryID.Int64(); err != nil || n <= 0 {
		fail("categoryId", "categoryId is required (a leaf, active category)")
	} else {
		validateTaxonomy(n, it.Attributes, fail)
	}
	if !strings.EqualFold(it.Merchant, merchant) {
		fail("merchant", "merchant must be your merchant ID")
	}
	attr := func(name string) (string, bool) {
		v, ok := it.Attributes[name]
		if !ok || v == nil {
			return "", false
		}
		s, ok := attrText(v)
		if !ok {
			return "", false
		}
		s = strings.TrimSpace(s)
		return s, s != ""
	}
	required := func(name string, max int) string {
		s, ok := attr(name)
		switch {
		case !ok || s == "":
			fail(name, "%s is required", name)
		case max > 0 && utf8.RuneCountInString(s) > max:
			fail(name, "%s must be at most %d characters", name, max)
		default:
			return s
		}
		return ""
	}
	merchantSKU = required("merchantSku", 100)
	if b := required("Barcode", 0); b != "" && !hbBarcodeRe.MatchString(b) {
		fail("Barcode", "Barcode must be 1 to 50 letters, digits or . - _")
	}
	required("UrunAdi", hbMaxTitle)
	required("UrunAciklamasi", 0)
	required("Marka", 100)
	if w := required("kg", 0); w != "" {
		if f, err := strconv.ParseFloat(strings.Replace(w, ",", ".", 1), 64); !hbWeightRe.MatchString(w) || err != nil || f <= 0 {
			fail("kg", "kg must be a positive number")
		}
	}
	if g, ok := attr("GarantiSuresi"); ok {
		if n, err := strconv.Atoi(g); err != nil || n < 0 {
			fail("GarantiSuresi", "GarantiSuresi must be a whole number of months")
		}
	}
	if v := required("tax_vat_rate", 0); v != "" && !slices.Contains(hbVATRates, v) {
		fail("tax_vat_rate", "tax_vat_rate must be one of %s, got %q", strings.Join(hbVATRates, ", "), v)
	}
	if p := required("price", 0); p != "" {
		f, err := strconv.ParseFloat(strings.Replace(p, ",", ".", 1), 64)
		if !hbPriceRe.MatchString(p) || err != nil || f <= 0 {
			fail("price", `price must be a positive amount with a decimal comma, e.g. "130,50"`)
		}
	}
	if s := required("stock", 0); s != "" && !hbStockRe.MatchString(s) {
		fail("stock", "stock must be a whole number of at least 0")
	}
	if _, ok := attr("Image1"); !ok {
		fail("Image1", "Image1 is required")
	}
	var keys []string
	tooMany := false
	for k := range it.Attributes {
		m := hbImageKeyRe.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > hbMaxImages {
			tooMany = true
			continue
		}
		keys = append(keys, k)
	}
	if tooMany {
		fail("Image", "at most %d images are allowed (Image1 to Image%d)", hbMaxImages, hbMaxImages)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) < len(keys[j]) || (len(keys[i]) == len(keys[j]) && keys[i] < keys[j])
	})
	for _, k := range keys {
		if s, _ := attr(k); s != "" {
			if reason := h.srv.checkImage(ctx, s, hbMinImageSide); reason != "" {
				fail(k, "%s: %s", k, reason)
			}
		}
	}
	return failures, merchantSKU
}

// readImport reads the import's JSON array from the multipart part "file" or, as
// some clients send it, from a plain JSON body.
func readImport(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	var raw []byte
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, fmt.Errorf(`multipart body needs a part named "file": %w`, err)
		}
		defer f.Close()
		if raw, err = io.ReadAll(f); err != nil {
			return nil, fmt.Errorf("read file part: %w", err)
		}
	} else {
		var err error
		if raw, err = io.ReadAll(r.Body); err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("file must hold a JSON array of products: %w", err)
	}
	return items, nil
}

// importProducts takes a catalog import. Items are validated (fetching their images)
// before the imitation's lock is taken; the outcome shows in the import's status once
// it has been processed.
func (h *hepsiburada) importProducts(w http.ResponseWriter, r *http.Request, now time.Time) {
	items, err := readImport(w, r)
	if err != nil {
		catalogError(w, http.StatusBadRequest, 1001, err.Error())
		return
	}
	if len(items) == 0 || len(items) > hbMaxItems {
		catalogError(w, http.StatusBadRequest, 1002, fmt.Sprintf("the file must hold 1 to %d products", hbMaxItems))
		return
	}
	type valid struct {
		p   hbProduct
		qty int
	}
	var checked []*hbImportItem
	var ok []valid
	seen := map[string]bool{}
	for _, raw := range items {
		failures, sku := h.validate(r.Context(), raw)
		if sku != "" && seen[sku] {
			failures = append(failures, HepsiburadaValidation{AttributeName: "merchantSku", Message: "merchantSku appears more than once in the file"})
		}
		seen[sku] = true
		var it struct {
			CategoryID json.Number    `json:"categoryId"`
			Attributes map[string]any `json:"attributes"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		_ = dec.Decode(&it)
		text := func(k string) string { s, _ := attrText(it.Attributes[k]); return strings.TrimSpace(s) }
		item := &hbImportItem{merchantSKU: sku, barcode: text("Barcode"), failures: failures}
		checked = append(checked, item)
		if len(failures) == 0 {
			cat, _ := it.CategoryID.Int64()
			vat, _ := strconv.Atoi(text("tax_vat_rate"))
			price, _ := strconv.ParseFloat(strings.Replace(text("price"), ",", ".", 1), 64)
			qty, _ := strconv.Atoi(text("stock"))
			ok = append(ok, valid{qty: qty, p: hbProduct{MerchantSKU: sku, Barcode: item.barcode, Title: text("UrunAdi"),
				Brand: text("Marka"), CategoryID: cat, VATRate: vat, Price: price}})
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(now)
	imp := &hbImport{id: h.newID(""), created: now, items: checked}
	h.imports[imp.id] = imp
	h.schedule(now, func(h *hepsiburada) {
		// A new merchantSku becomes a listed product with the file's price and stock;
		// importing a listed one updates its catalog content only, as price and stock
		// belong to the listing service afterwards. [I]
		for _, v := range ok {
			if p, exists := h.products[v.p.MerchantSKU]; exists {
				p.Barcode, p.Title, p.Brand, p.CategoryID, p.VATRate = v.p.Barcode, v.p.Title, v.p.Brand, v.p.CategoryID, v.p.VATRate
				continue
			}
			p := v.p
			h.seq++
			p.HBSKU = fmt.Sprintf("HBV%011d", h.seq)
			p.Stock = v.qty
			h.products[p.MerchantSKU] = &p
		}
		imp.completed = true
	})
	catalogOK(w, map[string]any{"trackingId": imp.id})
}

// importStatus answers a trackingId. Hepsiburada's exact status payload is not
// public; this one is an inference [I]: the catalog envelope around
// {trackingId, status PROCESSING|COMPLETED, createdAt, total, successCount,
// failureCount, items[{merchantSku, barcode, status PROCESSING|SUCCESS|FAILED,
// productStatus WAITING|CREATED|REJECTED, validationResults[{attributeName, message}]}]}.
func (h *hepsiburada) importStatus(w http.ResponseWriter, r *http.Request, now time.Time) {
	imp, ok := h.imports[r.PathValue("trackingId")]
	if !ok {
		catalogError(w, http.StatusNotFound, 1004, "trackingId not found")
		return
	}
	status, succeeded, failed := "PROCESSING", 0, 0
	items := make([]map[string]any, 0, len(imp.items))
	for _, it := range imp.items {
		row := map[string]any{"merchantSku": it.merchantSKU, "barcode": it.barcode, "status": "PROCESSING",
			"productStatus": "WAITING", "validationResults": []HepsiburadaValidation{}}
		if imp.completed {
			if len(it.failures) > 0 {
				row["status"], row["productStatus"], row["validationResults"] = "FAILED", "REJECTED", it.failures
				failed++
			} else {
				row["status"], row["productStatus"] = "SUCCESS", "CREATED"
				succeeded++
			}
		}
		items = append(items, row)
	}
	if imp.completed {
		status = "COMPLETED"
	}
	catalogOK(w, map[string]any{
		"trackingId": imp.id, "status": status, "createdAt": imp.created.UTC().Format(time.RFC3339),
		"total": len(imp.items), "successCount": succeeded, "failureCount": failed, "items": items,
	})
}

type hbElement struct {
	HepsiburadaSKU string   `json:"hepsiburadaSku"`
	MerchantSKU    string   `json:"merchantSku"`
	AvailableStock *float64 `json:"availableStock"`
	Price          *float64 `json:"price"`
}

// upload takes a stock or price upload: a JSON array of elements, applied after the
// processing delay; elements that cannot be applied are listed in the result's errors.
func (h *hepsiburada) upload(kind string) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		var elems []hbElement
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&elems); err != nil {
			h.omsError(w, http.StatusBadRequest, "body must be a JSON array of "+kind+" elements: "+err.Error())
			return
		}
		if len(elems) == 0 || len(elems) > hbMaxItems {
			h.omsError(w, http.StatusBadRequest, fmt.Sprintf("an upload takes 1 to %d elements", hbMaxItems))
			return
		}
		u := &hbUpload{id: h.newID(""), kind: kind, created: now, total: len(elems)}
		h.uploads[u.id] = u
		h.schedule(now, func(h *hepsiburada) {
			for i, e := range elems {
				if errs := h.apply(kind, e); len(errs) > 0 {
					u.errors = append(u.errors, hbElementError{ElementNo: i, HepsiburadaSKU: e.HepsiburadaSKU, MerchantSKU: e.MerchantSKU, Errors: errs})
				}
			}
			u.completed = true
		})
		writeJSON(w, http.StatusOK, map[string]any{"id": u.id})
	}
}

func (h *hepsiburada) apply(kind string, e hbElement) []string {
	var p *hbProduct
	switch {
	case e.MerchantSKU == "" && e.HepsiburadaSKU == "":
		return []string{"merchantSku or hepsiburadaSku is required"}
	case e.MerchantSKU != "":
		p = h.products[e.MerchantSKU]
		if p != nil && e.HepsiburadaSKU != "" && e.HepsiburadaSKU != p.HBSKU {
			return []string{"hepsiburadaSku does not belong to merchantSku"}
		}
	default:
		for _, q := range h.products {
			if q.HBSKU == e.HepsiburadaSKU {
				p = q
			}
		}
	}
	if p == nil {
		return []string{"listing not found"}
	}
	switch kind {
	case "stock":
		// A fulfilled-by-Hepsiburada listing takes the upload too: the merchant's number
		// overwrites Hepsiburada's warehouse count, the hazard open-source clients warn
		// about ("can overwrite Hepsiburada's stock figure and oversell"), so they leave
		// such listings out of stock pushes. Hepsiburada documents no refusal. [C-oss S-OSS3]
		if e.AvailableStock == nil || *e.AvailableStock < 0 || *e.AvailableStock != math.Trunc(*e.AvailableStock) {
			return []string{"availableStock must be a whole number of at least 0"}
		}
		p.Stock = int(*e.AvailableStock)
	case "price":
		if e.Price == nil || *e.Price <= 0 {
			return []string{"price must be greater than 0"}
		}
		p.Price = *e.Price
	}
	return nil
}

func (h *hepsiburada) uploadStatus(kind string) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		u, ok := h.uploads[r.PathValue("id")]
		if !ok || u.kind != kind {
			h.omsError(w, http.StatusNotFound, kind+" upload not found")
			return
		}
		status := "PROCESSING"
		switch {
		case !u.completed:
		case len(u.errors) == 0:
			status = "COMPLETED"
		case len(u.errors) == u.total:
			status = "FAILED"
		default:
			status = "COMPLETED_WITH_ERRORS"
		}
		out := map[string]any{"id": u.id, "status": status, "createdAt": u.created.UTC().Format(time.RFC3339),
			"total": u.total, "errors": append([]hbElementError{}, u.errors...)}
		if kind == "price" {
			out["priceValidations"] = []any{}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

// paging reads the mandatory offset and limit.
func (h *hepsiburada) paging(w http.ResponseWriter, r *http.Request) (offset, limit int, ok bool) {
	q := r.URL.Query()
	if q.Get("offset") == "" || q.Get("limit") == "" {
		h.omsError(w, http.StatusBadRequest, hbMissingPaging)
		return 0, 0, false
	}
	offset, err1 := strconv.Atoi(q.Get("offset"))
	limit, err2 := strconv.Atoi(q.Get("limit"))
	if err1 != nil || err2 != nil || offset < 0 || limit < 1 || limit > hbMaxPage {
		h.omsError(w, http.StatusBadRequest, fmt.Sprintf("offset must be 0 or more and limit 1 to %d", hbMaxPage))
		return 0, 0, false
	}
	return offset, limit, true
}

// listListings is the listing service's read of the merchant's listings, paged (offset
// and limit are mandatory), optionally only the merchantSkus of merchantSkuList or the
// Hepsiburada SKUs of hbSkuList (comma-separated, at most 50 each [C S-HB7; C-oss
// S-OSS3]). Each row says isFulfilledByHB, true for a listing Hepsiburada ships from
// its own warehouse. [C-oss S-OSS3 row shape]
func (h *hepsiburada) listListings(w http.ResponseWriter, r *http.Request, now time.Time) {
	offset, limit, ok := h.paging(w, r)
	if !ok {
		return
	}
	merchantSKUs, ok := h.skuList(w, r, "merchantSkuList")
	if !ok {
		return
	}
	hbSKUs, ok := h.skuList(w, r, "hbSkuList")
	if !ok {
		return
	}
	skus := make([]string, 0, len(h.products))
	for sku, p := range h.products {
		if (merchantSKUs == nil || merchantSKUs[sku]) && (hbSKUs == nil || hbSKUs[p.HBSKU]) {
			skus = append(skus, sku)
		}
	}
	sort.Strings(skus)
	rows := []map[string]any{}
	for _, sku := range skus[min(offset, len(skus)):min(offset+limit, len(skus))] {
		p := h.products[sku]
		rows = append(rows, map[string]any{"listingId": "L" + p.HBSKU, "uniqueIdentifier": "", "hepsiburadaSku": p.HBSKU,
			"merchantSku": p.MerchantSKU, "price": p.Price, "availableStock": p.Stock, "dispatchTime": 1,
			"isSalable": p.Stock > 0, "isSuspended": false, "isLocked": false, "isFrozen": false,
			"isFulfilledByHB": p.FulfilledByHB})
	}
	writeJSON(w, http.StatusOK, map[string]any{"totalCount": len(skus), "limit": limit, "offset": offset, "listings": rows})
}

// hbMaxSKUList is how many SKUs the listing read's merchantSkuList and hbSkuList take.
// [C S-HB7]
const hbMaxSKUList = 50

// skuList reads a comma-separated SKU filter of the listing read: nil when absent,
// false (after answering 400) when it names more than hbMaxSKUList SKUs.
func (h *hepsiburada) skuList(w http.ResponseWriter, r *http.Request, name string) (map[string]bool, bool) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, true
	}
	set := map[string]bool{}
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			set[s] = true
		}
	}
	if len(set) > hbMaxSKUList {
		h.omsError(w, http.StatusBadRequest, fmt.Sprintf("%s takes at most %d SKUs, got %d", name, hbMaxSKUList, len(set)))
		return nil, false
	}
	return set, true
}

// orders lists open (Open, Unpacked) or cancelled lines, one row per line, oldest
// first (open lines by orderDate, cancelled ones by lastStatusUpdateDate, the cancel
// time [I]), optionally from begindate to enddate ("yyyy-MM-dd HH:mm", Turkish time,
// inclusive).
func (h *hepsiburada) orders(cancelled bool) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		offset, limit, ok := h.paging(w, r)
		if !ok {
			return
		}
		from, to := time.Time{}, time.Time{}
		for name, dst := range map[string]*time.Time{"begindate": &from, "enddate": &to} {
			if v := r.URL.Query().Get(name); v != "" {
				t, err := time.ParseInLocation(hbDateLayout, v, hbTurkey)
				if err != nil {
					h.omsError(w, http.StatusBadRequest, name+" must be yyyy-MM-dd HH:mm")
					return
				}
				*dst = t
			}
		}
		if !to.IsZero() {
			to = to.Add(time.Minute) // the whole end minute
		}
		at := func(l *HepsiburadaLine) time.Time {
			if cancelled {
				return l.changed
			}
			return l.placed
		}
		var match []*HepsiburadaLine
		for _, l := range h.lines {
			if (l.Status == "Cancelled") != cancelled {
				continue
			}
			if t := at(l); t.Before(from) || (!to.IsZero() && !t.Before(to)) {
				continue
			}
			match = append(match, l)
		}
		sort.SliceStable(match, func(i, j int) bool { return at(match[i]).Before(at(match[j])) })
		items := []*HepsiburadaLine{}
		if offset < len(match) {
			items = match[offset:min(offset+limit, len(match))]
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"totalCount": len(match), "limit": limit, "offset": offset,
			"pageCount": (len(match) + limit - 1) / limit, "items": items,
		})
	}
}

func hbTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// placeOrder is a paid customer order of one line: it shows as an Open line and takes
// the stock. The order's ID is its orderNumber.
func (h *hepsiburada) placeOrder(merchantSKU string, quantity int) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.srv.Now()
	h.settle(now)
	p := h.products[merchantSKU]
	if p == nil {
		return "", fmt.Errorf("hepsiburada: %w: %s", ErrNotListed, merchantSKU)
	}
	if p.Stock < quantity {
		return "", fmt.Errorf("hepsiburada: %w: %s has %d, order wants %d", ErrNoStock, merchantSKU, p.Stock, quantity)
	}
	p.Stock -= quantity
	total := math.Round(p.Price*float64(quantity)*100) / 100
	vat := math.Round(total*float64(p.VATRate)/float64(100+p.VATRate)*100) / 100
	l := &HepsiburadaLine{
		ID: h.newID("1"), SKU: p.HBSKU, MerchantSKU: p.MerchantSKU, OrderID: h.newID("0"),
		OrderNumber: strconv.FormatInt(4000000000+h.seq, 10), OrderDate: hbTime(now), Quantity: quantity,
		MerchantID: h.opts.MerchantID, Status: "Open",
		TotalPrice: HepsiburadaMoney{Currency: "TRY", Amount: total}, UnitPrice: HepsiburadaMoney{Currency: "TRY", Amount: p.Price},
		VAT: vat, VATRate: p.VATRate, CustomerName: "Sandbox Müşteri", DueDate: hbTime(now.Add(48 * time.Hour)),
		LastStatusUpdateDate: hbTime(now), DeliveryType: "Standard", placed: now, changed: now,
	}
	h.lines = append(h.lines, l)
	return l.OrderNumber, nil
}

// cancelOrder cancels every line of an order (by orderNumber), giving the stock back.
func (h *hepsiburada) cancelOrder(orderNumber string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.srv.Now()
	var found []*HepsiburadaLine
	for _, l := range h.lines {
		if l.OrderNumber == orderNumber {
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		return fmt.Errorf("hepsiburada: %w: order %s", ErrNoOrder, orderNumber)
	}
	cancelled := 0
	for _, l := range found {
		if l.Status == "Cancelled" {
			cancelled++
			continue
		}
		l.Status, l.LastStatusUpdateDate, l.changed = "Cancelled", hbTime(now), now
		if p := h.products[l.MerchantSKU]; p != nil {
			p.Stock += l.Quantity
		}
	}
	if cancelled == len(found) {
		return fmt.Errorf("hepsiburada: %w: order %s", ErrAlreadyCancelled, orderNumber)
	}
	return nil
}

// setStock sets a listing's availableStock as the merchant panel does, without an
// upload (a listing fulfilled by Hepsiburada too: its warehouse count changes so).
func (h *hepsiburada) setStock(merchantSKU string, quantity int) error {
	return h.change(merchantSKU, func(p *hbProduct) { p.Stock = quantity })
}

// change changes a listed product as the merchant panel would, after what is due
// has settled.
func (h *hepsiburada) change(merchantSKU string, fn func(*hbProduct)) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(h.srv.Now())
	p := h.products[merchantSKU]
	if p == nil {
		return fmt.Errorf("hepsiburada: %w: %s", ErrNotListed, merchantSKU)
	}
	fn(p)
	return nil
}

// listings is every listed product's merchantSku and available stock.
func (h *hepsiburada) listings() map[string]int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(h.srv.Now())
	out := make(map[string]int, len(h.products))
	for sku, p := range h.products {
		out[sku] = p.Stock
	}
	return out
}
