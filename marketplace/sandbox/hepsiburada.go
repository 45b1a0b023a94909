package sandbox

import (
	"fmt"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
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

func (h *hepsiburada) newID(prefix string) string {
	h.seq++
	return fmt.Sprintf("%s%07x-4b1d-4e6a-9c3f-%012d", prefix, h.seq, h.seq)
}

// hb is the Hepsiburada imitation.
func (s *Server) hb() *hepsiburada { return s.marketplaces["hepsiburada"].(*hepsiburada) }

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
