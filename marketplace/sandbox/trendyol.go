package sandbox

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"time"
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

func (t *trendyol) byStockCode(code string) *TrendyolProduct {
	for _, p := range t.products {
		if p.StockCode == code && p.Approved {
			return p
		}
	}
	return nil
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
