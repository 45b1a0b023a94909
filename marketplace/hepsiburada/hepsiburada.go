// Package hepsiburada is the marketplace.Client for Hepsiburada's merchant integration
// services: the catalog (product import, tracking-ID status), the listing service
// (stock and price uploads) and the order service (open and cancelled order lines). Its
// Client is also the taxonomy.Source reading the catalog's category tree, category
// attributes and their values.
package hepsiburada

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
)

// Name is the marketplace's name in messages and configuration.
const Name = "hepsiburada"

// Production base URLs of the three services; the SIT ones insert "-sit" after the
// first label (mpop-sit, listing-external-sit, oms-external-sit).
const (
	DefaultCatalogURL = "https://mpop.hepsiburada.com"
	DefaultListingURL = "https://listing-external.hepsiburada.com"
	DefaultOMSURL     = "https://oms-external.hepsiburada.com"
)

// Listing attributes the adapter reads instead of sending them as category attributes.
const (
	// AttrCategoryID is the Listing.Attributes key holding Hepsiburada's leaf category ID.
	AttrCategoryID = "hepsiburada_category_id"
	// AttrVariantGroupID groups variants (VaryantGroupID; default: the SKU).
	AttrVariantGroupID = "hepsiburada_variant_group_id"
	// AttrWarrantyMonths is GarantiSuresi in months (default Config.WarrantyMonths).
	AttrWarrantyMonths = "hepsiburada_warranty_months"
	// AttrWeight is "kg", the desi/weight (default Config.Weight).
	AttrWeight = "hepsiburada_kg"
	// AttrPrefix marks a category attribute sent as is:
	// "hepsiburada_attr_<attribute name>" → "value".
	AttrPrefix = "hepsiburada_attr_"
)

// Config configures a Client.
type Config struct {
	// CatalogURL, ListingURL and OMSURL are the catalog (mpop), listing and order
	// services' base URLs (defaults: the production hosts).
	CatalogURL string
	ListingURL string
	OMSURL     string
	// MerchantID (a UUID) and ServiceKey (the "Servis Anahtarı") are the Basic credentials.
	MerchantID string
	ServiceKey string
	// UserAgent is the integrator username Hepsiburada issued; it is required and sent
	// exactly as the User-Agent.
	UserAgent string
	// CategoryID is used for listings that are not mapped (Listing.CategoryID empty)
	// and have no hepsiburada_category_id attribute; zero means such a listing is
	// refused.
	CategoryID int64
	// WarrantyMonths is GarantiSuresi for listings without hepsiburada_warranty_months.
	WarrantyMonths int
	// Weight is "kg" for listings without hepsiburada_kg (default 1).
	Weight float64
	// PageSize is the orders page size, 1 to 100 (default 100).
	PageSize int
	// ListingPageSize is the limit of the listing service's reads (ReadStock, and
	// isFulfilledByHB before a push), 1 to 100 (default 50, as many as one read may
	// name SKUs).
	ListingPageSize int
	// TaxonomyPageSize is the page size of the category and attribute-value lists, 1
	// to 1000 (default 1000; categories take up to 2000, values are not documented).
	TaxonomyPageSize int
	// OrderLookback is how far before the newest order line seen Orders keeps asking
	// (and remembering line IDs), so lines that show up late (payment checks) are
	// still caught (default 1h).
	OrderLookback time.Duration
	// FulfilmentRefresh is how long PushStock trusts what the listing service said of
	// a SKU's isFulfilledByHB before reading it again (default 1h; Hepsiburada suggests
	// sending stock every 20 to 60 minutes, so a SKU is read about once per push cycle
	// at most). A listing moves to Hepsiburada's warehouse rarely, and only after the
	// seller sends it goods.
	FulfilmentRefresh time.Duration
	// Now is the clock FulfilmentRefresh is measured on (default time.Now).
	Now func() time.Time
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// Limiter paces every request without a limiter of its own below (nil: unpaced);
	// a throttled answer pauses only the limiter of the request refused.
	Limiter *marketplace.Limiter
	// StockLimiter paces the listing service's uploads (stock and price pushes),
	// PollLimiter its reads (upload status, listings), OrdersLimiter the order service;
	// nil: Limiter, which paces the catalog. Hepsiburada counts requests per service
	// (catalog 100 a second, order service 1000 [C S-HB6, S-HB12]), so StockLimiter and
	// PollLimiter together must stay within the listing service's one limit. With a
	// limiter each, pushes never wait behind polls or catalog calls.
	StockLimiter  *marketplace.Limiter
	PollLimiter   *marketplace.Limiter
	OrdersLimiter *marketplace.Limiter
}

// Client speaks Hepsiburada's merchant integration API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	auth string

	mu      sync.Mutex
	uploads map[string][]string // upload ID → SKUs by element number
	order   []string            // upload IDs, oldest first, to bound the map
	fbh     map[string]fulfilment
	held    int64 // numbers the fbh parts of submission IDs
}

var (
	_ marketplace.Client      = (*Client)(nil)
	_ marketplace.StockReader = (*Client)(nil)
)

// maxUploads bounds how many uploads' SKU lists a Client remembers for Poll.
const maxUploads = 4096

// New returns a Client for cfg.
func New(cfg Config) *Client {
	trim := func(v, def string) string {
		if v == "" {
			v = def
		}
		return strings.TrimRight(v, "/")
	}
	cfg.CatalogURL = trim(cfg.CatalogURL, DefaultCatalogURL)
	cfg.ListingURL = trim(cfg.ListingURL, DefaultListingURL)
	cfg.OMSURL = trim(cfg.OMSURL, DefaultOMSURL)
	if cfg.Weight <= 0 {
		cfg.Weight = 1
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 100 {
		cfg.PageSize = 100
	}
	if cfg.ListingPageSize <= 0 || cfg.ListingPageSize > 100 {
		cfg.ListingPageSize = maxSKUList
	}
	if cfg.TaxonomyPageSize <= 0 || cfg.TaxonomyPageSize > 1000 {
		cfg.TaxonomyPageSize = 1000
	}
	if cfg.OrderLookback <= 0 {
		cfg.OrderLookback = time.Hour
	}
	if cfg.FulfilmentRefresh <= 0 {
		cfg.FulfilmentRefresh = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	return &Client{
		cfg:     cfg,
		auth:    "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.MerchantID+":"+cfg.ServiceKey)),
		uploads: map[string][]string{},
		fbh:     map[string]fulfilment{},
	}
}

// Name implements marketplace.Client.
func (c *Client) Name() string { return Name }

// MaxBatch implements marketplace.Client: 1000. Hepsiburada documents no cap for the
// import file; for stock and price uploads ~1000 elements per call is what open-source
// clients use, and one number keeps listings and stock batches alike.
func (c *Client) MaxBatch() int { return 1000 }

type importItem struct {
	CategoryID int64          `json:"categoryId"`
	Merchant   string         `json:"merchant"`
	Attributes map[string]any `json:"attributes"`
}

// decimalComma writes an amount the way the import wants it: "130,50".
func decimalComma(v float64) string {
	return strings.Replace(strconv.FormatFloat(v, 'f', 2, 64), ".", ",", 1)
}

// category is the listing's leaf category: the mapped one, else its
// hepsiburada_category_id attribute, else the configured default.
func (c *Client) category(l marketplace.Listing) (int64, error) {
	if l.CategoryID != "" {
		n, err := strconv.ParseInt(l.CategoryID, 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("category %q is not a hepsiburada category ID", l.CategoryID)
		}
		return n, nil
	}
	if v, ok := l.Attributes[AttrCategoryID]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("attribute %s=%q is not a positive integer", AttrCategoryID, v)
		}
		return n, nil
	}
	if c.cfg.CategoryID == 0 {
		return 0, fmt.Errorf("listing is not mapped, and has no %s attribute and no default category is configured", AttrCategoryID)
	}
	return c.cfg.CategoryID, nil
}

// mappedValue is a mapped attribute's value as the import takes it: the text (for an
// enum, the value's name, which is also its ID), or a JSON array of several values.
func mappedValue(m marketplace.MappedAttribute) any {
	switch {
	case len(m.ValueIDs) > 1:
		return m.ValueIDs
	case m.Value != "":
		return m.Value
	case len(m.ValueIDs) == 1:
		return m.ValueIDs[0]
	}
	return ""
}

func (c *Client) item(l marketplace.Listing) (importItem, error) {
	category, err := c.category(l)
	if err != nil {
		return importItem{}, err
	}
	warranty := c.cfg.WarrantyMonths
	if v, ok := l.Attributes[AttrWarrantyMonths]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 {
			return importItem{}, fmt.Errorf("attribute %s=%q is not a whole number of months", AttrWarrantyMonths, v)
		}
		warranty = n
	}
	weight := strconv.FormatFloat(c.cfg.Weight, 'f', -1, 64)
	if v, ok := l.Attributes[AttrWeight]; ok {
		f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(v), ",", ".", 1), 64)
		if err != nil || f <= 0 {
			return importItem{}, fmt.Errorf("attribute %s=%q is not a positive number", AttrWeight, v)
		}
		weight = strconv.FormatFloat(f, 'f', -1, 64)
	}
	group := l.SKU
	if v := l.Attributes[AttrVariantGroupID]; v != "" {
		group = v
	}
	barcode := l.Barcode
	if barcode == "" {
		barcode = l.SKU
	}
	// tax_vat_rate is the rate as integer text, as Hepsiburada's own sample sends it
	// ("5") [C S-HB3]; the catalog, not the adapter, decides which rates it takes, so a
	// listing with a rate it refuses gets the catalog's reason in the import's outcome.
	a := map[string]any{
		"merchantSku":    l.SKU,
		"VaryantGroupID": group,
		"Barcode":        barcode,
		"UrunAdi":        l.Text.Title,
		"UrunAciklamasi": l.Text.Description,
		"Marka":          l.Brand,
		"GarantiSuresi":  warranty,
		"kg":             weight,
		"tax_vat_rate":   strconv.Itoa(l.VATRate),
		"price":          decimalComma(l.Price),
		"stock":          strconv.Itoa(l.Quantity),
	}
	for i, img := range l.Images {
		a["Image"+strconv.Itoa(i+1)] = img.URL
	}
	if l.CategoryID != "" {
		// A mapped listing sends what the mapping chose, and nothing else.
		for _, m := range l.Mapped {
			a[m.ID] = mappedValue(m)
		}
		return importItem{CategoryID: category, Merchant: c.cfg.MerchantID, Attributes: a}, nil
	}
	for k, v := range l.Attributes {
		if name, ok := strings.CutPrefix(k, AttrPrefix); ok && name != "" {
			a[name] = v
		}
	}
	return importItem{CategoryID: category, Merchant: c.cfg.MerchantID, Attributes: a}, nil
}

// Submission IDs are opaque to callers; inside they say which call made them:
// "import:<trackingId>" for catalog imports, "stock:<id>" for stock uploads,
// "stock:<id>+price:<id>" when a stock push carried prices too, and a part
// "fbh:<n>" naming the SKUs a push left out as fulfilled by Hepsiburada (held in
// memory, as nothing was sent for them).
const (
	kindImport = "import"
	kindStock  = "stock"
	kindPrice  = "price"
	kindHeld   = "fbh"
)

// UpsertListings implements marketplace.Client with the catalog import: a multipart
// upload whose part "file" holds the JSON array of items with Hepsiburada's Turkish
// attribute keys, price as a decimal-comma string and stock as a string. The import
// both creates new merchantSkus and resubmits known ones.
func (c *Client) UpsertListings(ctx context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	if len(ls) == 0 || len(ls) > c.MaxBatch() {
		return marketplace.Submission{}, fmt.Errorf("upsert %d listings: hepsiburada takes 1 to %d per request", len(ls), c.MaxBatch())
	}
	items := make([]importItem, 0, len(ls))
	sub := marketplace.Submission{}
	for _, l := range ls {
		it, err := c.item(l)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("listing %s: %w", l.SKU, err)
		}
		items = append(items, it)
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionPending})
	}
	file, err := json.Marshal(items)
	if err != nil {
		return marketplace.Submission{}, fmt.Errorf("encode import file: %w", err)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="integrator.json"`)
	h.Set("Content-Type", "application/json")
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(file)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return marketplace.Submission{}, fmt.Errorf("build import body: %w", err)
	}
	var out struct {
		Data *struct {
			TrackingID string `json:"trackingId"`
		} `json:"data"`
		TrackingID string `json:"trackingId"`
	}
	err = c.do(ctx, http.MethodPost, c.cfg.CatalogURL+"/product/api/products/import", mw.FormDataContentType(), body.Bytes(), &out)
	if err != nil {
		return marketplace.Submission{}, fmt.Errorf("import products: %w", err)
	}
	id := out.TrackingID
	if out.Data != nil && out.Data.TrackingID != "" {
		id = out.Data.TrackingID
	}
	if id == "" {
		return marketplace.Submission{}, errors.New("import products: answer has no trackingId")
	}
	sub.ID = kindImport + ":" + id
	return sub, nil
}

// Poll implements marketplace.Client for every ID UpsertListings and PushStock return.
func (c *Client) Poll(ctx context.Context, id string) (marketplace.Submission, error) {
	var parts [][2]string
	for _, p := range strings.Split(id, "+") {
		kind, ref, ok := strings.Cut(p, ":")
		if !ok || ref == "" || (kind != kindImport && kind != kindStock && kind != kindPrice && kind != kindHeld) {
			return marketplace.Submission{}, fmt.Errorf("poll %s: not a hepsiburada submission ID", id)
		}
		parts = append(parts, [2]string{kind, ref})
	}
	if parts[0][0] == kindImport {
		if len(parts) != 1 {
			return marketplace.Submission{}, fmt.Errorf("poll %s: not a hepsiburada submission ID", id)
		}
		sub, err := c.pollImport(ctx, parts[0][1])
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("poll import %s: %w", parts[0][1], err)
		}
		sub.ID = id
		return sub, nil
	}
	return c.pollUploads(ctx, id, parts)
}

// importStatus is the tracking-ID status. Hepsiburada does not publish its exact
// payload; this reads the shape the sandbox serves (see sandbox.ValidateHepsiburadaItem
// and its importStatus): the catalog envelope around per-SKU rows with a status and
// validation messages. A row is done once its status is SUCCESS or FAILED (or a
// catalog product status past WAITING).
type importStatus struct {
	Data struct {
		Status string      `json:"status"`
		Items  []importRow `json:"items"`
	} `json:"data"`
}

type importRow struct {
	MerchantSKU       string `json:"merchantSku"`
	Status            string `json:"status"`
	ProductStatus     string `json:"productStatus"`
	ValidationResults []struct {
		AttributeName string `json:"attributeName"`
		Message       string `json:"message"`
	} `json:"validationResults"`
}

func (c *Client) pollImport(ctx context.Context, trackingID string) (marketplace.Submission, error) {
	var res importStatus
	if err := c.do(ctx, http.MethodGet, c.cfg.CatalogURL+"/product/api/products/status/"+url.PathEscape(trackingID), "", nil, &res); err != nil {
		return marketplace.Submission{}, err
	}
	sub := marketplace.Submission{Done: len(res.Data.Items) > 0}
	for _, row := range res.Data.Items {
		r := marketplace.ItemResult{SKU: row.MerchantSKU, State: marketplace.SubmissionPending}
		switch strings.ToUpper(row.Status) {
		case "SUCCESS", "SUCCEEDED", "COMPLETED":
			r.State = marketplace.SubmissionAccepted
		case "FAILED", "FAILURE", "ERROR", "REJECTED":
			r.State = marketplace.SubmissionRejected
		default:
			switch strings.ToUpper(row.ProductStatus) {
			case "CREATED", "MATCHED", "PRE_MATCHED", "MATCHED_WITH_STAGED":
				r.State = marketplace.SubmissionAccepted
			case "REJECTED", "MISSING_INFO", "BLOCKED":
				r.State = marketplace.SubmissionRejected
			}
		}
		if r.State == marketplace.SubmissionRejected {
			for _, v := range row.ValidationResults {
				msg := strings.TrimSpace(v.Message)
				if v.AttributeName != "" && !strings.Contains(msg, v.AttributeName) {
					msg = v.AttributeName + ": " + msg
				}
				if msg != "" {
					r.Reasons = append(r.Reasons, msg)
				}
			}
			if len(r.Reasons) == 0 {
				r.Reasons = []string{"rejected by hepsiburada without a reason (product status " + row.ProductStatus + ")"}
			}
		}
		if r.State == marketplace.SubmissionPending {
			sub.Done = false
		}
		sub.Items = append(sub.Items, r)
	}
	return sub, nil
}

type uploadResult struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Total  int    `json:"total"`
	Errors []struct {
		ElementNo      int      `json:"elementNo"`
		HepsiburadaSKU string   `json:"hepsiburadaSku"`
		MerchantSKU    string   `json:"merchantSku"`
		Errors         []string `json:"errors"`
	} `json:"errors"`
}

// uploadDone reads an upload's status: PROCESSING (and the like) means still running.
func uploadDone(status string) bool {
	switch strings.ToUpper(status) {
	case "", "PROCESSING", "IN_PROGRESS", "INPROGRESS", "PENDING", "WAITING", "CREATED", "QUEUED":
		return false
	}
	return true
}

// pollUploads combines a stock upload and, when the push carried prices, a price
// upload: a SKU is rejected if either upload has errors for it, accepted once both are
// done without. Uploads answer only with errors, so the SKUs of accepted elements come
// from what PushStock remembered, as do the SKUs it left out as fulfilled by
// Hepsiburada (accepted, with ReasonFulfilledByHB); after a restart only rejected SKUs
// are reported.
func (c *Client) pollUploads(ctx context.Context, id string, parts [][2]string) (marketplace.Submission, error) {
	sub := marketplace.Submission{ID: id, Done: true}
	type outcome struct {
		state   string
		reasons []string
	}
	results := map[string]*outcome{}
	var order []string
	touch := func(sku string) *outcome {
		if o, ok := results[sku]; ok {
			return o
		}
		o := &outcome{state: marketplace.SubmissionAccepted}
		results[sku] = o
		order = append(order, sku)
		return o
	}
	for _, p := range parts {
		kind, ref := p[0], p[1]
		if kind == kindHeld {
			c.mu.Lock()
			skus := c.uploads[kindHeld+":"+ref]
			c.mu.Unlock()
			for _, sku := range skus {
				o := touch(sku)
				o.reasons = append(o.reasons, ReasonFulfilledByHB)
			}
			continue
		}
		var res uploadResult
		path := c.cfg.ListingURL + "/listings/merchantid/" + url.PathEscape(c.cfg.MerchantID) + "/" + kind + "-uploads/id/" + url.PathEscape(ref)
		if err := c.do(ctx, http.MethodGet, path, "", nil, &res); err != nil {
			return marketplace.Submission{}, fmt.Errorf("poll %s upload %s: %w", kind, ref, err)
		}
		done := uploadDone(res.Status)
		c.mu.Lock()
		skus := c.uploads[kind+":"+ref]
		c.mu.Unlock()
		for _, sku := range skus {
			o := touch(sku)
			if !done && o.state != marketplace.SubmissionRejected {
				o.state = marketplace.SubmissionPending
			}
		}
		if !done {
			sub.Done = false
			continue
		}
		for _, e := range res.Errors {
			sku := e.MerchantSKU
			if sku == "" && e.ElementNo >= 0 && e.ElementNo < len(skus) {
				sku = skus[e.ElementNo]
			}
			if sku == "" {
				sku = e.HepsiburadaSKU
			}
			o := touch(sku)
			o.state = marketplace.SubmissionRejected
			for _, msg := range e.Errors {
				o.reasons = append(o.reasons, kind+": "+msg)
			}
			if len(e.Errors) == 0 {
				o.reasons = append(o.reasons, kind+": rejected by hepsiburada without a reason")
			}
		}
	}
	for _, sku := range order {
		o := results[sku]
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: sku, State: o.state, Reasons: o.reasons})
	}
	return sub, nil
}

// remember keeps an upload's SKUs by element number for Poll.
func (c *Client) remember(key string, skus []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.uploads[key] = skus
	c.order = append(c.order, key)
	for len(c.order) > maxUploads {
		delete(c.uploads, c.order[0])
		c.order = c.order[1:]
	}
}

// PushStock implements marketplace.Client with a stock upload of every item's
// absolute availableStock and, for items with a Price, a price upload; the Submission
// covers both. Items are keyed by merchantSku.
//
// Listings fulfilled by Hepsiburada (isFulfilledByHB) are left out of the stock
// upload: Hepsiburada ships them from its own warehouse, and the listing service
// would take our number over its warehouse count [C-oss S-OSS3]. They are reported
// accepted, with ReasonFulfilledByHB, since there is nothing to change; their prices
// are still the seller's and are sent. Which SKUs those are comes from the listing
// service's read (see fulfilledByHB), kept for FulfilmentRefresh.
func (c *Client) PushStock(ctx context.Context, s []marketplace.Stock) (marketplace.Submission, error) {
	if len(s) == 0 || len(s) > c.MaxBatch() {
		return marketplace.Submission{}, fmt.Errorf("push %d stock items: hepsiburada takes 1 to %d per request", len(s), c.MaxBatch())
	}
	type stockElem struct {
		MerchantSKU    string `json:"merchantSku"`
		AvailableStock int    `json:"availableStock"`
	}
	type priceElem struct {
		MerchantSKU string  `json:"merchantSku"`
		Price       float64 `json:"price"`
	}
	skus := make([]string, 0, len(s))
	for _, st := range s {
		if st.Quantity < 0 {
			return marketplace.Submission{}, fmt.Errorf("push stock %s: quantity %d is negative", st.SKU, st.Quantity)
		}
		skus = append(skus, st.SKU)
	}
	byHB, err := c.fulfilledByHB(ctx, skus)
	if err != nil {
		return marketplace.Submission{}, fmt.Errorf("push stock: %w", err)
	}
	var stocks []stockElem
	var prices []priceElem
	var stockSKUs, priceSKUs, heldSKUs []string
	sub := marketplace.Submission{}
	for _, st := range s {
		item := marketplace.ItemResult{SKU: st.SKU, State: marketplace.SubmissionPending}
		if byHB[st.SKU] {
			heldSKUs = append(heldSKUs, st.SKU)
			item.Reasons = []string{ReasonFulfilledByHB}
			if st.Price <= 0 {
				item.State = marketplace.SubmissionAccepted
			}
		} else {
			stocks = append(stocks, stockElem{MerchantSKU: st.SKU, AvailableStock: st.Quantity})
			stockSKUs = append(stockSKUs, st.SKU)
		}
		if st.Price > 0 {
			prices = append(prices, priceElem{MerchantSKU: st.SKU, Price: st.Price})
			priceSKUs = append(priceSKUs, st.SKU)
		}
		sub.Items = append(sub.Items, item)
	}
	var parts []string
	if len(stocks) > 0 {
		stockID, err := c.upload(ctx, kindStock, stocks)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("upload stock: %w", err)
		}
		c.remember(kindStock+":"+stockID, stockSKUs)
		parts = append(parts, kindStock+":"+stockID)
	}
	if len(prices) > 0 {
		priceID, err := c.upload(ctx, kindPrice, prices)
		if err != nil {
			if len(parts) > 0 {
				// The stock upload is already on its way; say so rather than pretend nothing happened.
				return marketplace.Submission{}, fmt.Errorf("upload prices (stock upload %s was accepted): %w", strings.TrimPrefix(parts[0], kindStock+":"), err)
			}
			return marketplace.Submission{}, fmt.Errorf("upload prices: %w", err)
		}
		c.remember(kindPrice+":"+priceID, priceSKUs)
		parts = append(parts, kindPrice+":"+priceID)
	}
	if len(heldSKUs) > 0 {
		c.mu.Lock()
		c.held++
		ref := strconv.FormatInt(c.cfg.Now().UnixNano(), 36) + "-" + strconv.FormatInt(c.held, 10)
		c.mu.Unlock()
		c.remember(kindHeld+":"+ref, heldSKUs)
		parts = append(parts, kindHeld+":"+ref)
	}
	sub.ID = strings.Join(parts, "+")
	// Nothing was sent when every item is held without a price: the outcome is known.
	sub.Done = len(stocks) == 0 && len(prices) == 0
	return sub, nil
}

// ReasonFulfilledByHB is the reason PushStock gives a SKU it did not push because the
// listing is fulfilled by Hepsiburada (isFulfilledByHB): its stock is Hepsiburada's
// warehouse count, not the seller's. Such an item is reported accepted.
const ReasonFulfilledByHB = "not pushed: fulfilled by hepsiburada (isFulfilledByHB), whose warehouse holds its stock"

// fulfilment is what the listing service last said of a SKU.
type fulfilment struct {
	byHB bool
	at   time.Time
}

// maxSKUList is how many merchantSkus one listing read may name. [C S-HB7]
const maxSKUList = 50

// maxFulfilment bounds the SKUs whose fulfilment a Client keeps; past it, stale
// entries are dropped.
const maxFulfilment = 100_000

// fulfilledByHB returns which of skus are fulfilled by Hepsiburada. It reads the
// listings (merchantSkuList, 50 a request) of the SKUs it knows nothing of, or whose
// knowledge is older than FulfilmentRefresh, so a SKU is read at most once per
// FulfilmentRefresh however often it is pushed. A SKU the listing service does not
// list (not yet created) counts as the seller's. A merchantSku with a comma cannot be
// named in the list and is taken as the seller's.
func (c *Client) fulfilledByHB(ctx context.Context, skus []string) (map[string]bool, error) {
	now := c.cfg.Now()
	var stale []string
	seen := map[string]bool{}
	c.mu.Lock()
	for _, sku := range skus {
		if seen[sku] || sku == "" || strings.Contains(sku, ",") {
			continue
		}
		seen[sku] = true
		if f, ok := c.fbh[sku]; !ok || now.Sub(f.at) >= c.cfg.FulfilmentRefresh {
			stale = append(stale, sku)
		}
	}
	c.mu.Unlock()
	for len(stale) > 0 {
		chunk := stale[:min(maxSKUList, len(stale))]
		stale = stale[len(chunk):]
		listed, err := c.readFulfilment(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("read listings: %w", err)
		}
		c.mu.Lock()
		for _, sku := range chunk {
			c.fbh[sku] = fulfilment{byHB: listed[strings.ToLower(sku)], at: now}
		}
		c.mu.Unlock()
	}
	out := map[string]bool{}
	c.mu.Lock()
	defer c.mu.Unlock()
	for sku := range seen {
		if c.fbh[sku].byHB {
			out[sku] = true
		}
	}
	if len(c.fbh) > maxFulfilment {
		for sku, f := range c.fbh {
			if now.Sub(f.at) >= c.cfg.FulfilmentRefresh {
				delete(c.fbh, sku)
			}
		}
	}
	return out, nil
}

// readFulfilment reads the listings of up to 50 merchantSkus and returns, by
// lower-cased merchantSku, whether each listed one is fulfilled by Hepsiburada.
func (c *Client) readFulfilment(ctx context.Context, skus []string) (map[string]bool, error) {
	rows, err := c.readListings(ctx, skus)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, l := range rows {
		key := strings.ToLower(l.MerchantSKU)
		out[key] = out[key] || l.IsFulfilledByHB
	}
	return out, nil
}

// listing is one row of the listing service's read.
type listing struct {
	MerchantSKU     string `json:"merchantSku"`
	AvailableStock  int    `json:"availableStock"`
	IsFulfilledByHB bool   `json:"isFulfilledByHB"`
}

// readListings reads the listings of up to 50 merchantSkus (merchantSkuList), page by
// page (offset and limit are mandatory).
func (c *Client) readListings(ctx context.Context, skus []string) ([]listing, error) {
	var out []listing
	limit := c.cfg.ListingPageSize
	q := url.Values{"limit": {strconv.Itoa(limit)}, "merchantSkuList": {strings.Join(skus, ",")}}
	path := c.cfg.ListingURL + "/listings/merchantid/" + url.PathEscape(c.cfg.MerchantID)
	for offset := 0; ; offset += limit {
		q.Set("offset", strconv.Itoa(offset))
		var res struct {
			TotalCount int       `json:"totalCount"`
			Listings   []listing `json:"listings"`
		}
		if err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), "", nil, &res); err != nil {
			return nil, err
		}
		out = append(out, res.Listings...)
		if len(res.Listings) == 0 || offset+len(res.Listings) >= res.TotalCount {
			return out, nil
		}
	}
}

// ReadStock implements marketplace.StockReader with the listing service's read of the
// items' merchantSkus (50 a request, every page): each listing's availableStock,
// keyed by the item's SKU (merchantSkus compared without case, as for fulfilment).
// A SKU the listing service does not list is absent, and so is one with a comma (it
// cannot be named in the list). Listings fulfilled by Hepsiburada are absent too:
// their stock is Hepsiburada's warehouse count, which Stox neither pushes nor corrects.
// What the read says of isFulfilledByHB is kept for PushStock, as its own read is.
func (c *Client) ReadStock(ctx context.Context, items []marketplace.Stock) (map[string]int, error) {
	if len(items) > c.MaxBatch() {
		return nil, fmt.Errorf("read stock of %d items: hepsiburada takes at most %d per call", len(items), c.MaxBatch())
	}
	skus := map[string][]string{} // lower-cased merchantSku → the items' SKUs
	var names []string
	for _, it := range items {
		if it.SKU == "" || strings.Contains(it.SKU, ",") {
			continue
		}
		key := strings.ToLower(it.SKU)
		if _, ok := skus[key]; !ok {
			names = append(names, it.SKU)
		}
		skus[key] = append(skus[key], it.SKU)
	}
	now := c.cfg.Now()
	out := map[string]int{}
	for len(names) > 0 {
		chunk := names[:min(maxSKUList, len(names))]
		names = names[len(chunk):]
		rows, err := c.readListings(ctx, chunk)
		if err != nil {
			return nil, fmt.Errorf("read stock of %d listings: %w", len(chunk), err)
		}
		byHB := map[string]bool{}
		for _, l := range rows {
			key := strings.ToLower(l.MerchantSKU)
			byHB[key] = byHB[key] || l.IsFulfilledByHB
		}
		for _, l := range rows {
			if key := strings.ToLower(l.MerchantSKU); !byHB[key] {
				for _, sku := range skus[key] {
					out[sku] = l.AvailableStock
				}
			}
		}
		c.mu.Lock()
		for _, name := range chunk {
			for _, sku := range skus[strings.ToLower(name)] {
				c.fbh[sku] = fulfilment{byHB: byHB[strings.ToLower(name)], at: now}
			}
		}
		c.mu.Unlock()
	}
	return out, nil
}

func (c *Client) upload(ctx context.Context, kind string, elems any) (string, error) {
	b, err := json.Marshal(elems)
	if err != nil {
		return "", fmt.Errorf("encode request: %w", err)
	}
	var out struct {
		ID string `json:"id"`
	}
	path := c.cfg.ListingURL + "/listings/merchantid/" + url.PathEscape(c.cfg.MerchantID) + "/" + kind + "-uploads"
	if err := c.do(ctx, http.MethodPost, path, "application/json", b, &out); err != nil {
		return "", err
	}
	if out.ID == "" {
		return "", errors.New("answer has no id")
	}
	return out.ID, nil
}

// orderLine is one row of the order service's lists (one row per order line).
type orderLine struct {
	ID                   string `json:"id"`
	SKU                  string `json:"sku"`
	MerchantSKU          string `json:"merchantSKU"`
	OrderNumber          string `json:"orderNumber"`
	OrderDate            string `json:"orderDate"`
	Quantity             int    `json:"quantity"`
	Status               string `json:"status"`
	LastStatusUpdateDate string `json:"lastStatusUpdateDate"`
}

var turkey = time.FixedZone("TRT", 3*60*60)

// parseTime reads the order service's dates: RFC 3339, or without a zone (Turkish time).
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02T15:04:05.999999999", s, turkey); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// cursor is where Orders resumes, per list (open and cancelled): the newest line
// time seen and the IDs of lines seen from Lookback before it. The order service lists
// a line until it is packed (open) and keeps cancelled lines; lines can appear late
// (after payment checks) and lists shift while paged, so offsets alone would skip or
// repeat lines. Each call asks from begindate = newest − Lookback, walks every page, and
// emits the lines whose IDs it has not seen; IDs older than the lookback are dropped,
// which bounds the cursor.
type cursor struct {
	Open      listCursor `json:"o"`
	Cancelled listCursor `json:"c"`
}

type listCursor struct {
	// Newest is the newest line time seen, in Unix milliseconds.
	Newest int64 `json:"n,omitempty"`
	// Seen maps line IDs to their time (Unix ms).
	Seen map[string]int64 `json:"s,omitempty"`
}

func parseCursor(s string) (cursor, error) {
	var c cursor
	if s != "" {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil || json.Unmarshal(raw, &c) != nil {
			return cursor{}, fmt.Errorf("bad cursor %q", s)
		}
	}
	if c.Open.Seen == nil {
		c.Open.Seen = map[string]int64{}
	}
	if c.Cancelled.Seen == nil {
		c.Cancelled.Seen = map[string]int64{}
	}
	return c, nil
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Orders implements marketplace.Client with the order service's open lines (Open and
// Unpacked, paid) as OrderCreated and its cancelled lines as OrderCancelled, lines
// grouped by orderNumber (OrderID); LineID is the line's id and SKU its merchantSKU.
// The cursor is opaque; "" starts from every line the service still lists.
func (c *Client) Orders(ctx context.Context, cur string) ([]marketplace.Order, string, error) {
	pos, err := parseCursor(cur)
	if err != nil {
		return nil, cur, fmt.Errorf("list orders: %w", err)
	}
	base := c.cfg.OMSURL + "/orders/merchantid/" + url.PathEscape(c.cfg.MerchantID)
	open, err := c.newLines(ctx, base, &pos.Open, false)
	if err != nil {
		return nil, cur, fmt.Errorf("list open orders: %w", err)
	}
	cancelled, err := c.newLines(ctx, base+"/cancelled", &pos.Cancelled, true)
	if err != nil {
		return nil, cur, fmt.Errorf("list cancelled orders: %w", err)
	}
	orders := group(open, messages.OrderCreated)
	orders = append(orders, group(cancelled, messages.OrderCancelled)...)
	return orders, pos.String(), nil
}

// newLines walks every page of one list from the cursor's begindate and returns the
// lines not seen before, updating lc.
func (c *Client) newLines(ctx context.Context, path string, lc *listCursor, cancelled bool) ([]orderLine, error) {
	q := url.Values{"limit": {strconv.Itoa(c.cfg.PageSize)}}
	if lc.Newest > 0 {
		from := time.UnixMilli(lc.Newest).Add(-c.cfg.OrderLookback).In(turkey)
		q.Set("begindate", from.Format("2006-01-02 15:04"))
	}
	var fresh []orderLine
	seen := map[string]bool{}
	for offset := 0; ; offset += c.cfg.PageSize {
		q.Set("offset", strconv.Itoa(offset))
		var res struct {
			TotalCount int         `json:"totalCount"`
			Items      []orderLine `json:"items"`
		}
		if err := c.do(ctx, http.MethodGet, path+"?"+q.Encode(), "", nil, &res); err != nil {
			return nil, fmt.Errorf("offset %d: %w", offset, err)
		}
		for _, l := range res.Items {
			if l.ID == "" || seen[l.ID] {
				continue
			}
			seen[l.ID] = true
			at := l.OrderDate
			if cancelled && l.LastStatusUpdateDate != "" {
				at = l.LastStatusUpdateDate
			}
			t, ok := parseTime(at)
			ms := t.UnixMilli()
			if !ok {
				ms = lc.Newest // undated: remember it at the current mark
			}
			if _, old := lc.Seen[l.ID]; old {
				continue
			}
			lc.Seen[l.ID] = ms
			lc.Newest = max(lc.Newest, ms)
			fresh = append(fresh, l)
		}
		if len(res.Items) == 0 || offset+len(res.Items) >= res.TotalCount {
			break
		}
	}
	// Forget IDs the next call's begindate can no longer return.
	horizon := time.UnixMilli(lc.Newest).Add(-c.cfg.OrderLookback).Truncate(time.Minute).UnixMilli()
	for id, ms := range lc.Seen {
		if ms < horizon-int64(time.Minute/time.Millisecond) {
			delete(lc.Seen, id)
		}
	}
	return fresh, nil
}

// group turns lines into one order per orderNumber, in first-seen order.
func group(lines []orderLine, status string) []marketplace.Order {
	var out []marketplace.Order
	index := map[string]int{}
	for _, l := range lines {
		i, ok := index[l.OrderNumber]
		if !ok {
			o := marketplace.Order{Marketplace: Name, OrderID: l.OrderNumber, Status: status}
			if t, ok := parseTime(l.OrderDate); ok {
				o.PlacedAt = t.UTC().Format(time.RFC3339)
			}
			i = len(out)
			index[l.OrderNumber] = i
			out = append(out, o)
		}
		out[i].Lines = append(out[i].Lines, messages.OrderLine{LineID: l.ID, SKU: l.MerchantSKU, Quantity: l.Quantity})
	}
	return out
}

// Acknowledge implements marketplace.Client. Hepsiburada has no acknowledge call for
// open order lines: a seller moves them on by packing them (creating packages), which
// belongs to fulfilment, so there is nothing to send.
func (c *Client) Acknowledge(ctx context.Context, orderIDs []string) error { return nil }

// limiter is the limiter a request to the full URL u counts against.
func (c *Client) limiter(method, u string) *marketplace.Limiter {
	path, _, _ := strings.Cut(u, "?")
	var l *marketplace.Limiter
	switch {
	case strings.HasPrefix(path, c.cfg.OMSURL+"/orders/"):
		l = c.cfg.OrdersLimiter
	case strings.HasPrefix(path, c.cfg.ListingURL+"/listings/") && method == http.MethodPost:
		l = c.cfg.StockLimiter
	case strings.HasPrefix(path, c.cfg.ListingURL+"/listings/"):
		l = c.cfg.PollLimiter
	}
	if l == nil {
		return c.cfg.Limiter
	}
	return l
}

// do sends one request to a full URL and decodes a 2xx JSON answer into out.
func (c *Client) do(ctx context.Context, method, u, contentType string, body []byte, out any) error {
	if c.cfg.UserAgent == "" {
		return fmt.Errorf("%w: Config.UserAgent (the integrator username Hepsiburada issued) is required", marketplace.ErrUnauthorized)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	status, header, raw, err := marketplace.Send(c.cfg.HTTPClient, c.limiter(method, u), req, parseError)
	if err != nil {
		return err
	}
	var env struct {
		Success *bool `json:"success"`
		Code    any   `json:"code"`
		Message any   `json:"message"`
	}
	if json.Unmarshal(raw, &env) == nil && env.Success != nil && !*env.Success {
		// The catalog can answer 200 with success false.
		return parseError(status, header, raw)
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
