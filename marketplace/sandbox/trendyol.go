package sandbox

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
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
}

const (
	trendyolDuplicateWindow = 15 * time.Minute
	trendyolBatchTTL        = 4 * time.Hour
	trendyolMaxItems        = 1000
	trendyolMaxStock        = 20000
	trendyolDuplicateMsg    = "15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!"
)

var (
	barcodeRe   = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	userAgentRe = regexp.MustCompile(`^[A-Za-z0-9]{1,30}$`)
	forbiddenRe = regexp.MustCompile(`(?i)<\s*(script|style|iframe)`)
)

type trendyol struct {
	srv  *Server
	opts TrendyolOptions

	mu        sync.Mutex
	revoked   bool
	limits    window
	products  map[string]*tyProduct // by barcode
	batches   map[string]*tyBatch
	lastBody  map[string]sentBody // by seller and the body's sorted barcodes
	packages  []*TrendyolPackage
	nextID    int64
	nextBatch int64
}

type tyProduct struct {
	Barcode   string
	StockCode string
	Title     string
	Quantity  int
	SalePrice float64
	ListPrice float64
	VATRate   int
	Approved  bool
}

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
	// apply runs at completion and returns failure reasons (none means success).
	apply   func(t *trendyol) []string
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
	return &trendyol{
		srv:      srv,
		opts:     o,
		limits:   window{limit: o.RateLimit, span: o.RateWindow, hits: map[string][]time.Time{}},
		products: map[string]*tyProduct{},
		batches:  map[string]*tyBatch{},
		lastBody: map[string]sentBody{},
		nextID:   1000000,
	}
}

// routes registers Trendyol's endpoints and the test hooks, which need no credentials:
//
//	POST /sandbox/trendyol/orders                    {"stockCode","quantity"} places an order against listed stock
//	POST /sandbox/trendyol/orders/{package}/cancel   cancels a package and returns its stock
//	GET  /sandbox/trendyol/stock/{stockCode}         what the sandbox holds for a product
func (t *trendyol) routes(mux *http.ServeMux) {
	mux.Handle("POST /integration/product/sellers/{sid}/v2/products", t.api(t.createProducts))
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
func (t *trendyol) api(h func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.srv.inject(w, r, t) {
			return
		}
		sid := r.PathValue("sid")
		ua := r.Header.Get("User-Agent")
		prefix, name, ok := strings.Cut(ua, " - ")
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

// settle completes every batch whose delay has passed and forgets those older than 4 h.
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
		for _, it := range b.items {
			if it.status == "FAILED" {
				continue
			}
			if reasons := it.apply(t); len(reasons) > 0 {
				it.status, it.reasons = "FAILED", reasons
			} else {
				it.status = "SUCCESS"
			}
		}
		b.completed = true
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

// trendyolItem is a V2 create item; pointers tell a missing field from a zero one.
type trendyolItem struct {
	Barcode           *string           `json:"barcode"`
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

// ValidateTrendyolItem checks one V2 create item against Trendyol's documented rules and
// returns the failure reasons (none when valid) and the canonical barcode (inner spaces
// joined, as Trendyol does).
func ValidateTrendyolItem(raw json.RawMessage) (reasons []string, barcode string) {
	var it trendyolItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return []string{"item is not a valid product object: " + err.Error()}, ""
	}
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	str := func(name string, p *string, max int) string {
		switch {
		case p == nil || strings.TrimSpace(*p) == "":
			fail("%s is required", name)
		case utf8.RuneCountInString(*p) > max:
			fail("%s must be at most %d characters", name, max)
		default:
			return *p
		}
		return ""
	}
	if it.Barcode == nil || strings.TrimSpace(*it.Barcode) == "" {
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
	str("productMainId", it.ProductMainID, 40)
	str("stockCode", it.StockCode, 100)
	if d := str("description", it.Description, 30000); forbiddenRe.MatchString(d) {
		fail("description must not contain script, style or iframe")
	}
	if it.BrandID == nil || *it.BrandID <= 0 {
		fail("brandId is required")
	}
	if it.CategoryID == nil || *it.CategoryID <= 0 {
		fail("categoryId is required (a leaf category)")
	}
	if it.Quantity == nil {
		fail("quantity is required")
	} else if *it.Quantity < 0 || *it.Quantity > trendyolMaxStock {
		fail("quantity must be between 0 and %d", trendyolMaxStock)
	}
	if it.DimensionalWeight == nil || *it.DimensionalWeight < 0 {
		fail("dimensionalWeight is required")
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
	if it.VATRate == nil {
		fail("vatRate is required")
	} else if v := *it.VATRate; v != 0 && v != 1 && v != 10 && v != 20 {
		fail("vatRate must be one of 0, 1, 10, 20")
	}
	switch {
	case len(it.Images) == 0:
		fail("at least one image is required")
	case len(it.Images) > 8:
		fail("at most 8 images are allowed")
	}
	for i, img := range it.Images {
		s, _ := img["url"].(string)
		u, err := url.Parse(s)
		if err != nil || u.Scheme != "https" || u.Host == "" {
			fail("image %d: url must be an HTTPS address", i+1)
		}
	}
	if it.Attributes == nil {
		fail("attributes is required")
	}
	return reasons, barcode
}

func (t *trendyol) createProducts(w http.ResponseWriter, r *http.Request, now time.Time) {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&body); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return
	}
	if len(body.Items) == 0 || len(body.Items) > trendyolMaxItems {
		tyErrors(w, http.StatusBadRequest, "invalid.item.count", fmt.Sprintf("items must hold 1 to %d products", trendyolMaxItems))
		return
	}
	b := t.newBatch("ProductV2OnBoarding", now)
	seen := map[string]bool{}
	for _, raw := range body.Items {
		reasons, barcode := ValidateTrendyolItem(raw)
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
			var it trendyolItem
			_ = json.Unmarshal(raw, &it)
			item.apply = func(t *trendyol) []string {
				if _, ok := t.products[barcode]; ok {
					return []string{"a product with this barcode already exists; use the update endpoints"}
				}
				t.products[barcode] = &tyProduct{Barcode: barcode, StockCode: *it.StockCode, Title: *it.Title,
					Quantity: *it.Quantity, SalePrice: *it.SalePrice, ListPrice: *it.ListPrice, VATRate: *it.VATRate, Approved: true}
				return nil
			}
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
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
		item := &tyBatchItem{requestItem: echo}
		if len(reasons) > 0 {
			item.status, item.reasons = "FAILED", reasons
		} else {
			it := it
			item.apply = func(t *trendyol) []string {
				p, ok := t.products[it.Barcode]
				if !ok || !p.Approved {
					return []string{"no approved product with this barcode"}
				}
				if it.Quantity != nil {
					p.Quantity = *it.Quantity
				}
				if it.SalePrice != nil {
					p.SalePrice = *it.SalePrice
				}
				if it.ListPrice != nil {
					p.ListPrice = *it.ListPrice
				}
				return nil
			}
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
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
	start, ok3 := num("startDate", 0)
	end, ok4 := num("endDate", now.UnixMilli())
	if !ok1 || !ok2 || !ok3 || !ok4 {
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

func (t *trendyol) byStockCode(code string) *tyProduct {
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
