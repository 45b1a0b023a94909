// Package trendyol is the marketplace.Client for Trendyol's integration API (product V2
// create, unapproved and approved-content updates, batch-request polling,
// price-and-inventory, v2 shipment-package orders), its marketplace.StockReader (the
// approved products' stock and price filter), its marketplace.WebhookReceiver
// for Trendyol's order webhooks, and its taxonomy.Source (category tree, category
// attributes and their values, brands).
package trendyol

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
)

// Name is the marketplace's name in messages and configuration.
const Name = "trendyol"

// DefaultBaseURL is Trendyol's production gateway; paths below it start with /integration.
const DefaultBaseURL = "https://apigw.trendyol.com"

// Listing attributes the adapter reads instead of sending them as product attributes.
const (
	// AttrBrandID is the Listing.Attributes key holding Trendyol's numeric brand ID.
	AttrBrandID = "trendyol_brand_id"
	// AttrCategoryID is the Listing.Attributes key holding Trendyol's numeric leaf category ID.
	AttrCategoryID = "trendyol_category_id"
	// AttrProductMainID groups variants (default: the SKU).
	AttrProductMainID = "trendyol_product_main_id"
	// AttrDimensionalWeight is the desi (default Config.DimensionalWeight).
	AttrDimensionalWeight = "trendyol_desi"
	// AttrValuePrefix marks a category attribute with a catalogued value:
	// "trendyol_attribute_<attributeId>" → "<attributeValueId>".
	AttrValuePrefix = "trendyol_attribute_"
	// AttrCustomPrefix marks a category attribute with free text:
	// "trendyol_custom_<attributeId>" → "text".
	AttrCustomPrefix = "trendyol_custom_"
)

// Config configures a Client.
type Config struct {
	// BaseURL is the gateway without /integration (default DefaultBaseURL).
	BaseURL   string
	SellerID  string
	APIKey    string
	APISecret string
	// Integrator names the integration in the User-Agent (default SelfIntegration).
	Integrator string
	// BrandID and CategoryID are used for listings without the trendyol_brand_id and
	// trendyol_category_id attributes; zero means such a listing is refused.
	BrandID    int64
	CategoryID int64
	// DimensionalWeight is the desi sent when a listing has no trendyol_desi (default 1).
	DimensionalWeight float64
	// PageSize is the orders page size, at most 200 (default 200).
	PageSize int
	// BrandPageSize is the brands page size Brands reads with, at most 1000 (default 1000).
	BrandPageSize int
	// StockPageSize is the page size ReadStock reads approved products with, at most
	// 100 (default 100).
	StockPageSize int
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// Limiter paces every request without a limiter of its own below (nil: unpaced);
	// a 429 pauses only the limiter of the request refused.
	Limiter *marketplace.Limiter
	// StockLimiter paces price-and-inventory (stock pushes), PollLimiter the
	// batch-request reads (submission outcomes), OrdersLimiter the order reads; nil:
	// Limiter. Trendyol counts each endpoint on its own, 50 requests per 10 s [C S-TY1]:
	// marketplace.NewLimiter(4, 10) never passes that (10 at once, then 40 in 10 s).
	// With a limiter each, pushes never wait behind polls or order reads.
	StockLimiter  *marketplace.Limiter
	PollLimiter   *marketplace.Limiter
	OrdersLimiter *marketplace.Limiter

	// WebhookPath is the path the marketplace service serves webhook deliveries on
	// (default DefaultWebhookPath).
	WebhookPath string
	// WebhookUsername and WebhookPassword are the Basic credentials Trendyol sends with
	// every delivery (authenticationType BASIC_AUTHENTICATION). WebhookAPIKey, when set,
	// is the x-api-key it sends instead (API_KEY), and RegisterWebhook prefers it. With
	// none of them set, Webhook refuses every delivery.
	WebhookUsername string
	WebhookPassword string
	WebhookAPIKey   string

	// PriceChanges is how many price changes one barcode may get per PriceWindow
	// (defaults 30 and a minute: Trendyol's per-barcode limit on price updates from
	// 14 September 2026 [C S-TY10]). PushStock spaces further changes out.
	PriceChanges int
	PriceWindow  time.Duration
	// Now is the adapter's clock (default time.Now): the orders window and the
	// spacing of price changes read it. Sleep waits on that clock (default: a timer
	// that the context ends early). Tests that run the adapter on a sandbox's clock
	// pass that clock and a Sleep that moves it on.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// DefaultWebhookPath is where webhook deliveries are served unless Config says otherwise.
const DefaultWebhookPath = "/webhooks/trendyol"

// Client speaks Trendyol's integration API. It is safe for concurrent use.
type Client struct {
	cfg  Config
	auth string
	ua   string

	mu       sync.Mutex
	barcodes map[string]string // SKU → canonical barcode, learned from UpsertListings
	given    map[string]string // SKU → the listing's barcode as UpsertListings was given it
	skus     map[string]string // canonical barcode → SKU
	contents map[string]string // contentId → SKU, for content-update batch results
	approved map[string]int64  // canonical barcode → contentId of products seen approved
	offers   map[string]*offer // canonical barcode → what was last sent for it
}

var (
	_ marketplace.Client          = (*Client)(nil)
	_ marketplace.StockReader     = (*Client)(nil)
	_ marketplace.WebhookReceiver = (*Client)(nil)
)

// New returns a Client for cfg.
func New(cfg Config) *Client {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.Integrator == "" {
		cfg.Integrator = "SelfIntegration"
	}
	if cfg.DimensionalWeight == 0 {
		cfg.DimensionalWeight = 1
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 200 {
		cfg.PageSize = 200
	}
	if cfg.BrandPageSize <= 0 || cfg.BrandPageSize > 1000 {
		cfg.BrandPageSize = 1000
	}
	if cfg.StockPageSize <= 0 || cfg.StockPageSize > 100 {
		cfg.StockPageSize = 100
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.WebhookPath == "" {
		cfg.WebhookPath = DefaultWebhookPath
	}
	if cfg.PriceChanges <= 0 {
		cfg.PriceChanges = 30
	}
	if cfg.PriceWindow <= 0 {
		cfg.PriceWindow = time.Minute
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleep
	}
	req, _ := http.NewRequest(http.MethodGet, "/", nil)
	req.SetBasicAuth(cfg.APIKey, cfg.APISecret)
	return &Client{
		cfg:      cfg,
		auth:     req.Header.Get("Authorization"),
		ua:       cfg.SellerID + " - " + cfg.Integrator,
		barcodes: map[string]string{},
		given:    map[string]string{},
		skus:     map[string]string{},
		contents: map[string]string{},
		approved: map[string]int64{},
		offers:   map[string]*offer{},
	}
}

// Name implements marketplace.Client.
func (c *Client) Name() string { return Name }

// MaxBatch implements marketplace.Client: Trendyol takes 1000 items per request.
func (c *Client) MaxBatch() int { return 1000 }

type image struct {
	URL string `json:"url"`
}

// attribute is a category attribute in create's form: one entry per value ID, or
// free text.
type attribute struct {
	AttributeID          int64  `json:"attributeId"`
	AttributeValueID     int64  `json:"attributeValueId,omitempty"`
	CustomAttributeValue string `json:"customAttributeValue,omitempty"`
}

// categoryAttribute is one attribute of a product with all its values, before it is
// written in create's or the updates' form.
type categoryAttribute struct {
	ID       int64
	ValueIDs []int64
	Value    string
}

type product struct {
	Barcode           string      `json:"barcode"`
	Title             string      `json:"title"`
	ProductMainID     string      `json:"productMainId"`
	BrandID           int64       `json:"brandId"`
	CategoryID        int64       `json:"categoryId"`
	Quantity          int         `json:"quantity"`
	StockCode         string      `json:"stockCode"`
	DimensionalWeight float64     `json:"dimensionalWeight"`
	Description       string      `json:"description"`
	CurrencyType      string      `json:"currencyType"`
	ListPrice         float64     `json:"listPrice"`
	SalePrice         float64     `json:"salePrice"`
	VATRate           int         `json:"vatRate"`
	Images            []image     `json:"images"`
	Attributes        []attribute `json:"attributes"`

	attrs []categoryAttribute // Attributes, before they are written in create's form
}

// barcodeOf is the listing's canonical barcode, or its SKU's when it has none.
func barcodeOf(l marketplace.Listing) string {
	if b := canonical(l.Barcode); b != "" {
		return b
	}
	return canonical(l.SKU)
}

// canonical is a barcode as Trendyol keeps it: Trendyol silently joins a barcode's
// inner spaces, keys the product by the joined form and echoes it in the batch result
// [C S-TY3, S-TY4]. The adapter sends every barcode in that form, so a barcode stored
// with its spaces still reaches its product.
func canonical(barcode string) string {
	return strings.Join(strings.Fields(barcode), "")
}

// sleep waits d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (c *Client) product(l marketplace.Listing) (product, error) {
	id := func(key string, def int64) (int64, error) {
		v, ok := l.Attributes[key]
		if !ok {
			if def == 0 {
				return 0, fmt.Errorf("no %s attribute and no default configured", key)
			}
			return def, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			return 0, fmt.Errorf("attribute %s=%q is not a positive integer", key, v)
		}
		return n, nil
	}
	brand, err := id(AttrBrandID, c.cfg.BrandID)
	if l.BrandID != "" {
		brand, err = positive("brand ID", l.BrandID)
	}
	if err != nil {
		return product{}, err
	}
	var category int64
	if l.CategoryID != "" {
		category, err = positive("category ID", l.CategoryID)
	} else {
		category, err = id(AttrCategoryID, c.cfg.CategoryID)
	}
	if err != nil {
		return product{}, err
	}
	p := product{
		Barcode: barcodeOf(l), Title: l.Text.Title, ProductMainID: l.SKU, BrandID: brand, CategoryID: category,
		Quantity: l.Quantity, StockCode: l.SKU, DimensionalWeight: c.cfg.DimensionalWeight,
		Description: l.Text.Description, CurrencyType: "TRY", ListPrice: l.ListPrice, SalePrice: l.Price,
		VATRate: l.VATRate, Images: []image{}, Attributes: []attribute{},
	}
	if l.Currency != "" {
		p.CurrencyType = l.Currency
	}
	if p.ListPrice == 0 {
		p.ListPrice = p.SalePrice
	}
	if v := l.Attributes[AttrProductMainID]; v != "" {
		p.ProductMainID = v
	}
	if v, ok := l.Attributes[AttrDimensionalWeight]; ok {
		if p.DimensionalWeight, err = strconv.ParseFloat(v, 64); err != nil {
			return product{}, fmt.Errorf("attribute %s=%q is not a number", AttrDimensionalWeight, v)
		}
	}
	for _, img := range l.Images {
		p.Images = append(p.Images, image{URL: img.URL})
	}
	if l.CategoryID != "" {
		p.attrs, err = mappedAttributes(l.Mapped)
	} else {
		p.attrs, err = keyedAttributes(l.Attributes)
	}
	if err != nil {
		return product{}, err
	}
	sort.Slice(p.attrs, func(i, j int) bool { return p.attrs[i].ID < p.attrs[j].ID })
	for _, a := range p.attrs {
		for _, v := range a.ValueIDs {
			p.Attributes = append(p.Attributes, attribute{AttributeID: a.ID, AttributeValueID: v})
		}
		if len(a.ValueIDs) == 0 {
			p.Attributes = append(p.Attributes, attribute{AttributeID: a.ID, CustomAttributeValue: a.Value})
		}
	}
	return p, nil
}

// positive parses one of Trendyol's numeric IDs.
func positive(what, s string) (int64, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q is not a positive integer", what, s)
	}
	return n, nil
}

// mappedAttributes are the attributes the mapping step chose: value IDs where the
// attribute has catalogued values, else its free text. An attribute with neither is
// left out (Trendyol names it if it was required).
func mappedAttributes(ms []marketplace.MappedAttribute) ([]categoryAttribute, error) {
	var out []categoryAttribute
	for _, m := range ms {
		id, err := positive("attribute ID", m.ID)
		if err != nil {
			return nil, fmt.Errorf("mapped attribute %s: %w", m.Name, err)
		}
		a := categoryAttribute{ID: id}
		for _, v := range m.ValueIDs {
			n, err := positive("value ID", v)
			if err != nil {
				return nil, fmt.Errorf("mapped attribute %s (%s): %w", m.Name, m.ID, err)
			}
			a.ValueIDs = append(a.ValueIDs, n)
		}
		if len(a.ValueIDs) == 0 {
			if a.Value = strings.TrimSpace(m.Value); a.Value == "" {
				continue
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// keyedAttributes reads the legacy attribute keys of an unmapped listing:
// trendyol_attribute_<id> = <value ID> and trendyol_custom_<id> = text.
func keyedAttributes(attrs map[string]string) ([]categoryAttribute, error) {
	var out []categoryAttribute
	for k, v := range attrs {
		var a categoryAttribute
		var rest string
		switch {
		case strings.HasPrefix(k, AttrValuePrefix):
			rest = strings.TrimPrefix(k, AttrValuePrefix)
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("attribute %s=%q: value ID is not an integer", k, v)
			}
			a.ValueIDs = []int64{n}
		case strings.HasPrefix(k, AttrCustomPrefix):
			rest, a.Value = strings.TrimPrefix(k, AttrCustomPrefix), v
		default:
			continue
		}
		var err error
		if a.ID, err = strconv.ParseInt(rest, 10, 64); err != nil {
			return nil, fmt.Errorf("attribute %s: attribute ID is not an integer", k)
		}
		out = append(out, a)
	}
	return out, nil
}

// updateAttribute is an attribute in the update endpoints' form, which differs from
// create's: attributeValueIds (a list) or attributeValue (free text).
type updateAttribute struct {
	AttributeID       int64   `json:"attributeId"`
	AttributeValueIDs []int64 `json:"attributeValueIds,omitempty"`
	AttributeValue    string  `json:"attributeValue,omitempty"`
}

func updateAttributes(as []categoryAttribute) []updateAttribute {
	out := make([]updateAttribute, 0, len(as))
	for _, a := range as {
		u := updateAttribute{AttributeID: a.ID, AttributeValueIDs: a.ValueIDs}
		if len(a.ValueIDs) == 0 {
			u.AttributeValue = a.Value
		}
		out = append(out, u)
	}
	return out
}

// unapprovedItem is an unapproved-bulk-update item: everything create sends except
// stock and prices, keyed by barcode.
type unapprovedItem struct {
	Barcode           string            `json:"barcode"`
	Title             string            `json:"title"`
	Description       string            `json:"description"`
	ProductMainID     string            `json:"productMainId"`
	BrandID           int64             `json:"brandId"`
	CategoryID        int64             `json:"categoryId"`
	StockCode         string            `json:"stockCode"`
	DimensionalWeight float64           `json:"dimensionalWeight"`
	VATRate           int               `json:"vatRate"`
	Images            []image           `json:"images"`
	Attributes        []updateAttribute `json:"attributes,omitempty"`
}

// contentItem is a content-bulk-update item, keyed by contentId. Attributes, when the
// listing has any, are all sent: Trendyol takes no partial attribute update.
type contentItem struct {
	ContentID   int64             `json:"contentId"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Images      []image           `json:"images"`
	Attributes  []updateAttribute `json:"attributes,omitempty"`
}

// UpsertListings implements marketplace.Client. A listing with Existing=false is sent
// to Product V2 create. One with Existing=true is looked up by barcode
// (getProductBase, one request per barcode; approved products' content IDs are
// remembered so later calls skip the lookup) and then:
//   - unknown to Trendyol: created after all;
//   - not approved yet (or rejected): unapproved-bulk-update with the whole item,
//     keyed by barcode;
//   - approved: content-bulk-update of title, description, images and (all)
//     attributes, keyed by contentId. VAT rate, stock code and desi of approved
//     products (variant-bulk-update) are not sent.
//
// No update endpoint takes stock or prices: those stay with PushStock
// (price-and-inventory, approved products only), so a changed price reaches Trendyol
// with the next stock push.
//
// Each endpoint used gives one batch; the Submission's ID joins their batchRequestIds
// with commas (IDs are opaque: pass them to Poll as they are). Updates are sent before
// the create, so when a request fails after others went through, retrying the whole
// call only repeats updates, never a create that already succeeded.
//
// A mapped listing (CategoryID set) is sent in Trendyol's vocabulary as the mapping
// step chose it: CategoryID, BrandID and Mapped, each value ID an attributeValueId
// (one create entry per ID; attributeValueIds in updates), each attribute with only
// text a customAttributeValue (attributeValue in updates); seller attributes are not
// sent. An unmapped listing takes its category and brand from the
// trendyol_category_id and trendyol_brand_id attributes, else from Config, and its
// category attributes from the trendyol_attribute_ and trendyol_custom_ keys; so does
// the brand of a mapped listing without BrandID. A listing whose IDs are not numbers
// fails the whole call, before anything is sent.
func (c *Client) UpsertListings(ctx context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	if len(ls) == 0 || len(ls) > c.MaxBatch() {
		return marketplace.Submission{}, fmt.Errorf("upsert %d listings: trendyol takes 1 to %d per request", len(ls), c.MaxBatch())
	}
	mapped := make([]product, 0, len(ls))
	sub := marketplace.Submission{}
	for _, l := range ls {
		p, err := c.product(l)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("listing %s: %w", l.SKU, err)
		}
		mapped = append(mapped, p)
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionPending})
	}
	c.mu.Lock()
	for _, l := range ls {
		c.barcodes[l.SKU], c.skus[barcodeOf(l)], c.given[l.SKU] = barcodeOf(l), l.SKU, l.Barcode
	}
	c.mu.Unlock()

	var creates []product
	var unapproved []unapprovedItem
	var contents []contentItem
	for i, l := range ls {
		p := mapped[i]
		if !l.Existing {
			creates = append(creates, p)
			continue
		}
		st, err := c.productState(ctx, p.Barcode)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("look up listing %s (barcode %s): %w", l.SKU, p.Barcode, err)
		}
		switch {
		case !st.known:
			creates = append(creates, p)
		case st.approved:
			contents = append(contents, contentItem{ContentID: st.contentID, Title: p.Title, Description: p.Description,
				Images: p.Images, Attributes: updateAttributes(p.attrs)})
			c.mu.Lock()
			c.contents[strconv.FormatInt(st.contentID, 10)] = l.SKU
			c.mu.Unlock()
		default:
			unapproved = append(unapproved, unapprovedItem{Barcode: p.Barcode, Title: p.Title, Description: p.Description,
				ProductMainID: p.ProductMainID, BrandID: p.BrandID, CategoryID: p.CategoryID, StockCode: p.StockCode,
				DimensionalWeight: p.DimensionalWeight, VATRate: p.VATRate, Images: p.Images, Attributes: updateAttributes(p.attrs)})
		}
	}

	var ids []string
	send := func(what, path string, items any) error {
		var out struct {
			BatchRequestID string `json:"batchRequestId"`
		}
		err := c.do(ctx, http.MethodPost, "/integration/product/sellers/"+url.PathEscape(c.cfg.SellerID)+path, map[string]any{"items": items}, &out)
		if err == nil && out.BatchRequestID == "" {
			err = errors.New("answer has no batchRequestId")
		}
		if err != nil {
			if len(ids) > 0 {
				return fmt.Errorf("%s (batches %s were already accepted; retrying the call is safe): %w", what, strings.Join(ids, ","), err)
			}
			return fmt.Errorf("%s: %w", what, err)
		}
		ids = append(ids, out.BatchRequestID)
		return nil
	}
	if len(unapproved) > 0 {
		if err := send("update unapproved products", "/products/unapproved-bulk-update", unapproved); err != nil {
			return marketplace.Submission{}, err
		}
	}
	if len(contents) > 0 {
		if err := send("update approved products' content", "/products/content-bulk-update", contents); err != nil {
			return marketplace.Submission{}, err
		}
	}
	if len(creates) > 0 {
		if err := send("create products", "/v2/products", creates); err != nil {
			return marketplace.Submission{}, err
		}
	}
	sub.ID = strings.Join(ids, ",")
	return sub, nil
}

// productState is what getProductBase says of a barcode.
type productState struct {
	known, approved bool
	contentID       int64
}

// productState looks a barcode up; a 404 means Trendyol does not know it. Approved
// products' content IDs are remembered, since approval is not taken back.
func (c *Client) productState(ctx context.Context, barcode string) (productState, error) {
	c.mu.Lock()
	id, ok := c.approved[barcode]
	c.mu.Unlock()
	if ok {
		return productState{known: true, approved: true, contentID: id}, nil
	}
	var out struct {
		Barcode   string      `json:"barcode"`
		Approved  bool        `json:"approved"`
		Archived  bool        `json:"archived"`
		ContentID json.Number `json:"contentId"`
	}
	path := "/integration/product/sellers/" + url.PathEscape(c.cfg.SellerID) + "/product/" + url.PathEscape(barcode)
	if err := c.do(ctx, http.MethodGet, path, nil, &out); err != nil {
		if te := (*Error)(nil); errors.As(err, &te) && te.Status == http.StatusNotFound {
			return productState{}, nil
		}
		return productState{}, err
	}
	st := productState{known: true, approved: out.Approved}
	if st.approved {
		n, err := strconv.ParseInt(out.ContentID.String(), 10, 64)
		if err != nil || n <= 0 {
			return productState{}, fmt.Errorf("approved product has no usable contentId (%q)", out.ContentID)
		}
		st.contentID = n
		c.mu.Lock()
		c.approved[barcode] = n
		c.mu.Unlock()
	}
	return st, nil
}

// echoed is the part of a batch item's echo the adapter reads: keys, and the prices
// a create or a price-and-inventory item carried.
type echoed struct {
	Barcode   string      `json:"barcode"`
	StockCode string      `json:"stockCode"`
	ContentID json.Number `json:"contentId"`
	SalePrice *float64    `json:"salePrice"`
	ListPrice *float64    `json:"listPrice"`
}

type batchItem struct {
	RequestItem struct {
		echoed
		Product *echoed `json:"product"`
	} `json:"requestItem"`
	Status         string   `json:"status"`
	FailureReasons []string `json:"failureReasons"`
}

type batchResult struct {
	BatchRequestID   string      `json:"batchRequestId"`
	Status           string      `json:"status"`
	BatchRequestType string      `json:"batchRequestType"`
	Items            []batchItem `json:"items"`
}

// inventoryBatch is the batchRequestType of price-and-inventory batches.
const inventoryBatch = "ProductInventoryUpdate"

// Poll implements marketplace.Client. An ID from UpsertListings or PushStock may join
// several batches with commas; their items are merged (one per SKU, the worst outcome
// winning) and the submission is done when every batch is. Product batches say
// COMPLETED even when items failed, and price-and-inventory batches have no top-level
// status at all, so a batch is done when every item has SUCCESS or FAILED (and any
// top-level status is COMPLETED). An accepted listing whose barcode Trendyol holds in
// another form (joined) carries that form in ItemResult.Barcode.
func (c *Client) Poll(ctx context.Context, id string) (marketplace.Submission, error) {
	sub := marketplace.Submission{ID: id, Done: true}
	ids := strings.Split(id, ",")
	for _, one := range ids {
		if one == "" {
			return marketplace.Submission{}, fmt.Errorf("poll %q: empty batch ID", id)
		}
		var res batchResult
		path := "/integration/product/sellers/" + url.PathEscape(c.cfg.SellerID) + "/products/batch-requests/" + url.PathEscape(one)
		if err := c.do(ctx, http.MethodGet, path, nil, &res); err != nil {
			return marketplace.Submission{}, fmt.Errorf("poll batch %s: %w", one, err)
		}
		s := c.submission(one, res)
		sub.Done = sub.Done && s.Done
		sub.Items = append(sub.Items, s.Items...)
	}
	if len(ids) > 1 {
		sub.Items = merge(sub.Items)
	}
	return sub, nil
}

// merge joins the results of one SKU from several batches (PushStock sends a price
// held back by its limit in a batch after the stock's): rejected beats pending beats
// accepted, and the reasons add up.
func merge(items []marketplace.ItemResult) []marketplace.ItemResult {
	rank := map[string]int{marketplace.SubmissionAccepted: 0, marketplace.SubmissionPending: 1, marketplace.SubmissionRejected: 2}
	var out []marketplace.ItemResult
	at := map[string]int{}
	for _, it := range items {
		i, ok := at[it.SKU]
		if !ok {
			at[it.SKU] = len(out)
			out = append(out, it)
			continue
		}
		m := &out[i]
		if rank[it.State] > rank[m.State] {
			m.State = it.State
		}
		m.Reasons = append(m.Reasons, it.Reasons...)
		m.Barcode = cmp(m.Barcode, it.Barcode)
	}
	return out
}

func (c *Client) submission(id string, res batchResult) marketplace.Submission {
	sub := marketplace.Submission{ID: id, Done: len(res.Items) > 0 && (res.Status == "" || res.Status == "COMPLETED")}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, it := range res.Items {
		e := it.RequestItem.echoed
		if p := it.RequestItem.Product; p != nil {
			e.Barcode, e.StockCode = cmp(e.Barcode, p.Barcode), cmp(e.StockCode, p.StockCode)
			e.ContentID = json.Number(cmp(e.ContentID.String(), p.ContentID.String()))
			if e.SalePrice == nil {
				e.SalePrice, e.ListPrice = p.SalePrice, p.ListPrice
			}
		}
		content := e.ContentID.String()
		sku := cmp(e.StockCode, c.skus[e.Barcode], c.contents[content], e.Barcode, content)
		r := marketplace.ItemResult{SKU: sku, State: marketplace.SubmissionPending}
		switch it.Status {
		case "SUCCESS":
			r.State = marketplace.SubmissionAccepted
			if res.BatchRequestType != inventoryBatch {
				c.listed(&r, e)
			}
		case "FAILED":
			r.State, r.Reasons = marketplace.SubmissionRejected, it.FailureReasons
			if len(r.Reasons) == 0 {
				r.Reasons = []string{"rejected by trendyol without a reason"}
			}
			if o := c.offers[e.Barcode]; o != nil && res.BatchRequestType == inventoryBatch {
				// Trendyol did not take these values: send them again next time.
				o.held, o.last = nil, nil
			}
		default:
			sub.Done = false
		}
		sub.Items = append(sub.Items, r)
	}
	return sub
}

// listed notes an accepted listing: the barcode Trendyol holds it under (reported
// when it is not the one the listing was given; content updates echo no barcode, the
// one looked up is used), and the prices a create set. Callers hold mu.
func (c *Client) listed(r *marketplace.ItemResult, e echoed) {
	held := cmp(e.Barcode, c.barcodes[r.SKU])
	if given, ok := c.given[r.SKU]; held != "" && (!ok || given != held) {
		r.Barcode = held
	}
	if held != "" && e.SalePrice != nil {
		o := c.offer(held)
		if o.held == nil {
			o.held = &amount{sale: *e.SalePrice, list: *cmpFloat(e.ListPrice, e.SalePrice)}
		}
	}
}

func cmp(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func cmpFloat(vs ...*float64) *float64 {
	for _, v := range vs {
		if v != nil {
			return v
		}
	}
	return nil
}

// amount is a sale price and a list price.
type amount struct{ sale, list float64 }

// offer is what the adapter last sent for one barcode, and when it changed its price.
type offer struct {
	// held is the price Trendyol holds, or was last sent (nil: not known).
	held *amount
	// want is the price the latest PushStock asked for.
	want amount
	// changes are when price changes were sent, within the last PriceWindow and a margin.
	changes []time.Time
	// last is the item last sent with a quantity.
	last *stockItem
}

// offer returns barcode's offer, making it if needed. Callers hold mu.
func (c *Client) offer(barcode string) *offer {
	o := c.offers[barcode]
	if o == nil {
		o = &offer{}
		c.offers[barcode] = o
	}
	return o
}

// priceMargin is added to PriceWindow when changes are counted: Trendyol's clock
// and the network's delays are not the adapter's [I].
const priceMargin = 2 * time.Second

// slot takes a price change for o at now if fewer than PriceChanges were sent within
// the window, and reports whether it did; when it did not, wait is how long until one
// is free. Callers hold mu.
func (c *Client) slot(o *offer, now time.Time) (ok bool, wait time.Duration) {
	span := c.cfg.PriceWindow + priceMargin
	kept := o.changes[:0]
	for _, at := range o.changes {
		if now.Sub(at) < span {
			kept = append(kept, at)
		}
	}
	o.changes = kept
	if len(o.changes) < c.cfg.PriceChanges {
		o.changes = append(o.changes, now)
		return true, 0
	}
	return false, max(o.changes[0].Add(span).Sub(now), time.Millisecond)
}

// stockItem is a price-and-inventory item; only the fields that change are sent.
type stockItem struct {
	Barcode   string   `json:"barcode"`
	Quantity  *int     `json:"quantity,omitempty"`
	SalePrice *float64 `json:"salePrice,omitempty"`
	ListPrice *float64 `json:"listPrice,omitempty"`
}

// PushStock implements marketplace.Client with price-and-inventory. Items are keyed by
// barcode, in Trendyol's form (inner spaces joined): Stock.Barcode, else the one
// UpsertListings saw for the SKU, else the SKU.
//
// Prices are sent only when they change: a price Trendyol holds (the create's, or the
// last one sent) is left out, and a quantity and price both as last sent are sent
// again exactly as before. Trendyol refuses a body identical to one sent in the last
// 15 minutes; that error wraps marketplace.ErrDuplicate.
//
// Trendyol takes at most Config.PriceChanges price changes per barcode per
// Config.PriceWindow [C S-TY10], and refuses a whole item over it, its quantity too.
// So every quantity goes out at once, in the first request, with the prices that fit
// the limit; a price over it is held back and sent on its own (barcode and prices,
// no quantity) as soon as its barcode has room, PushStock waiting for it (Config.Sleep)
// until ctx ends. The newest price asked for a barcode is the one sent. The
// Submission's ID then joins the batches' IDs, and Poll merges their items.
func (c *Client) PushStock(ctx context.Context, s []marketplace.Stock) (marketplace.Submission, error) {
	if len(s) == 0 || len(s) > c.MaxBatch() {
		return marketplace.Submission{}, fmt.Errorf("push %d stock items: trendyol takes 1 to %d per request", len(s), c.MaxBatch())
	}
	items := make([]stockItem, 0, len(s))
	sub := marketplace.Submission{}
	// repeat: every item goes exactly as it went last time, so Trendyol refusing the
	// body as one it saw within 15 minutes means it holds these values.
	repeat := true
	var later []string         // barcodes whose price waits for room
	undo := map[*offer]offer{} // offers as they were, if the request fails
	c.mu.Lock()
	now := c.cfg.Now()
	for _, st := range s {
		bc := c.stockBarcode(st)
		c.skus[bc] = st.SKU
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: st.SKU, State: marketplace.SubmissionPending})
		o := c.offer(bc)
		if _, ok := undo[o]; !ok {
			undo[o] = offer{held: o.held, want: o.want, changes: slices.Clone(o.changes), last: o.last}
		}
		q := st.Quantity
		it := stockItem{Barcode: bc, Quantity: &q}
		if st.Price > 0 {
			want := amount{sale: st.Price, list: st.Price}
			if st.ListPrice > 0 {
				want.list = st.ListPrice
			}
			o.want = want
			if o.held != nil && *o.held == want {
				if o.last != nil && o.last.Quantity != nil && *o.last.Quantity == q {
					it = *o.last // a repeat: sent as it was, so Trendyol knows it for one
				}
			} else if ok, _ := c.slot(o, now); ok {
				it.SalePrice, it.ListPrice = &want.sale, &want.list
				o.held = &want
			} else {
				later = append(later, bc)
			}
		}
		if o.last == nil || !o.last.same(it) {
			repeat = false
		}
		o.last = &it
		items = append(items, it)
	}
	c.mu.Unlock()

	id, err := c.sendStock(ctx, items)
	if errors.Is(err, marketplace.ErrDuplicate) && !repeat {
		id, err = c.sendVaried(ctx, items, err)
	}
	if err != nil {
		c.mu.Lock()
		for o, was := range undo {
			*o = was
		}
		c.mu.Unlock()
		return marketplace.Submission{}, fmt.Errorf("update price and inventory: %w", err)
	}
	ids := []string{id}
	for len(later) > 0 {
		var ready []stockItem
		var rest []string
		readyWas := map[*offer]*amount{}
		wait := time.Duration(-1)
		c.mu.Lock()
		now := c.cfg.Now()
		for _, bc := range later {
			o := c.offers[bc]
			if o.held != nil && *o.held == o.want {
				continue // sent meanwhile, by another call
			}
			ok, w := c.slot(o, now)
			if !ok {
				rest = append(rest, bc)
				if wait < 0 || w < wait {
					wait = w
				}
				continue
			}
			want := o.want
			readyWas[o] = o.held
			o.held = &want
			ready = append(ready, stockItem{Barcode: bc, SalePrice: &want.sale, ListPrice: &want.list})
		}
		c.mu.Unlock()
		if len(ready) > 0 {
			id, err := c.sendStock(ctx, ready)
			if err != nil {
				c.mu.Lock()
				for o, was := range readyWas {
					o.held = was
				}
				c.mu.Unlock()
				return marketplace.Submission{}, fmt.Errorf("update prices held back by trendyol's per-barcode limit (batches %s were accepted): %w", strings.Join(ids, ","), err)
			}
			ids = append(ids, id)
		}
		if later = rest; len(later) > 0 {
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				return marketplace.Submission{}, fmt.Errorf("wait to update prices held back by trendyol's per-barcode limit (batches %s were accepted): %w", strings.Join(ids, ","), err)
			}
		}
	}
	sub.ID = strings.Join(ids, ",")
	return sub, nil
}

// same reports whether it is the same item as o, field by field.
func (o stockItem) same(it stockItem) bool {
	eq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
	return o.Barcode == it.Barcode && (o.Quantity == nil) == (it.Quantity == nil) &&
		(o.Quantity == nil || *o.Quantity == *it.Quantity) && eq(o.SalePrice, it.SalePrice) && eq(o.ListPrice, it.ListPrice)
}

// sendVaried sends items again after Trendyol refused their body (dup) as a repeat of
// one sent within 15 minutes, although an item in it differs from the one last sent
// for its barcode: Trendyol took other values since (in a batch with other barcodes,
// or from this body's sender before a restart), so the refusal does not mean it holds
// these, and taking it for that would leave the marketplace showing stale stock. The
// same values go again with one item also carrying the price Trendyol holds (read
// back when not known), which makes the body new without changing what it asks for;
// that price costs one of the barcode's price changes. When no item has a known price
// and a free change, the push fails, not as a duplicate, so it is retried.
func (c *Client) sendVaried(ctx context.Context, items []stockItem, dup error) (string, error) {
	if err := c.learnPrices(ctx, items); err != nil {
		return "", fmt.Errorf("%v; reading the prices Trendyol holds, to send it again changed: %w", dup, err)
	}
	varied := slices.Clone(items)
	c.mu.Lock()
	now := c.cfg.Now()
	ok := false
	for i := range varied {
		o := c.offers[varied[i].Barcode]
		if o == nil || o.held == nil || varied[i].SalePrice != nil || varied[i].ListPrice != nil {
			continue
		}
		if ok, _ = c.slot(o, now); ok {
			held := *o.held
			varied[i].SalePrice, varied[i].ListPrice = &held.sale, &held.list
			break
		}
	}
	c.mu.Unlock()
	if !ok {
		return "", fmt.Errorf("trendyol refused the body as a repeat, though it changed since it was sent, and no item may carry its price again now to make it new (%v); the push is retried", dup)
	}
	id, err := c.sendStock(ctx, varied)
	if errors.Is(err, marketplace.ErrDuplicate) {
		// this one too was sent within 15 minutes, and says no more than the first
		return "", fmt.Errorf("trendyol refused the body, and the same with a price, as repeats (%v); the push is retried", err)
	}
	return id, err
}

// learnPrices reads the prices Trendyol holds for the items' barcodes whose price
// the client does not know (after a restart, or for a listing created elsewhere).
func (c *Client) learnPrices(ctx context.Context, items []stockItem) error {
	var unknown []string
	c.mu.Lock()
	for _, it := range items {
		if o := c.offers[it.Barcode]; (o == nil || o.held == nil) && !strings.Contains(it.Barcode, ",") {
			unknown = append(unknown, it.Barcode)
		}
	}
	c.mu.Unlock()
	for len(unknown) > 0 {
		chunk := unknown[:min(maxStockBarcodes, len(unknown))]
		unknown = unknown[len(chunk):]
		if err := c.readStockPages(ctx, chunk, func(v variant) {
			if v.SalePrice == nil {
				return
			}
			c.mu.Lock()
			if o := c.offer(canonical(v.Barcode)); o.held == nil {
				o.held = &amount{sale: *v.SalePrice, list: *cmpFloat(v.ListPrice, v.SalePrice)}
			}
			c.mu.Unlock()
		}); err != nil {
			return err
		}
	}
	return nil
}

// stockBarcode is the barcode an item's stock is kept under on Trendyol, in Trendyol's
// form: Stock.Barcode, else the one UpsertListings saw for the SKU, else the SKU.
// Callers hold mu.
func (c *Client) stockBarcode(st marketplace.Stock) string {
	return canonical(cmp(st.Barcode, c.barcodes[st.SKU], st.SKU))
}

// maxStockBarcodes is how many barcodes one read of approved products' stock may name
// ("barcodes", at most 50) [3P S-TY9; Trendyol's page "Product Filtering - Approved
// Products Stock and Price" says the same].
const maxStockBarcodes = 50

// ReadStock implements marketplace.StockReader with the filter of approved products'
// stock and price (GET …/products/approved/inventory-and-price), naming the items'
// barcodes (keyed as PushStock keys them) 50 a request and reading every page of
// each; the quantity of a variant is what Trendyol sells. A product not approved
// (or not known) is absent, as is an item whose barcode holds a comma (it cannot be
// named in the list, and Trendyol takes no such barcode).
func (c *Client) ReadStock(ctx context.Context, items []marketplace.Stock) (map[string]int, error) {
	if len(items) > c.MaxBatch() {
		return nil, fmt.Errorf("read stock of %d items: trendyol takes at most %d per call", len(items), c.MaxBatch())
	}
	skus := map[string][]string{} // barcode → the SKUs kept under it
	var barcodes []string
	c.mu.Lock()
	for _, it := range items {
		bc := c.stockBarcode(it)
		if bc == "" || strings.Contains(bc, ",") {
			continue
		}
		if _, ok := skus[bc]; !ok {
			barcodes = append(barcodes, bc)
		}
		skus[bc] = append(skus[bc], it.SKU)
	}
	c.mu.Unlock()
	out := map[string]int{}
	for len(barcodes) > 0 {
		chunk := barcodes[:min(maxStockBarcodes, len(barcodes))]
		barcodes = barcodes[len(chunk):]
		if err := c.readStockPages(ctx, chunk, func(v variant) {
			for _, sku := range skus[canonical(v.Barcode)] {
				out[sku] = v.Quantity
			}
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// variant is an approved product's variant as the stock-and-price filter shows it.
type variant struct {
	Barcode   string   `json:"barcode"`
	Quantity  int      `json:"quantity"`
	SalePrice *float64 `json:"salePrice"`
	ListPrice *float64 `json:"listPrice"`
}

// readStockPages reads every page of the approved products' stock of barcodes and
// hands each variant to found.
func (c *Client) readStockPages(ctx context.Context, barcodes []string, found func(variant)) error {
	size := c.cfg.StockPageSize
	q := url.Values{"barcodes": {strings.Join(barcodes, ",")}, "size": {strconv.Itoa(size)}}
	path := "/integration/product/sellers/" + url.PathEscape(c.cfg.SellerID) + "/products/approved/inventory-and-price?"
	for page := 0; ; page++ {
		q.Set("page", strconv.Itoa(page))
		var res struct {
			TotalPages int `json:"totalPages"`
			Content    []struct {
				Variants []variant `json:"variants"`
			} `json:"content"`
		}
		if err := c.do(ctx, http.MethodGet, path+q.Encode(), nil, &res); err != nil {
			return fmt.Errorf("read the stock of %d barcodes (approved products), page %d: %w", len(barcodes), page, err)
		}
		for _, ct := range res.Content {
			for _, v := range ct.Variants {
				found(v)
			}
		}
		// page×size may not pass 10 000 [C S-TY4]: 50 barcodes never get there.
		if page+1 >= res.TotalPages || len(res.Content) == 0 {
			return nil
		}
	}
}

// sendStock sends one price-and-inventory request and returns its batch ID.
func (c *Client) sendStock(ctx context.Context, items []stockItem) (string, error) {
	var out struct {
		BatchRequestID string `json:"batchRequestId"`
	}
	path := "/integration/inventory/sellers/" + url.PathEscape(c.cfg.SellerID) + "/products/price-and-inventory"
	if err := c.do(ctx, http.MethodPost, path, map[string]any{"items": items}, &out); err != nil {
		return "", err
	}
	if out.BatchRequestID == "" {
		return "", errors.New("answer has no batchRequestId")
	}
	return out.BatchRequestID, nil
}

// pkg is a shipment package as the orders endpoint and webhooks carry it. The names
// before Trendyol's April 2026 rename (id, line id, merchantSku) are read too.
type pkg struct {
	ShipmentPackageID json.Number `json:"shipmentPackageId"`
	OldID             json.Number `json:"id"`
	OrderDate         int64       `json:"orderDate"`
	Status            string      `json:"status"`
	LastModifiedDate  int64       `json:"lastModifiedDate"`
	Lines             []struct {
		LineID      json.Number `json:"lineId"`
		OldID       json.Number `json:"id"`
		StockCode   string      `json:"stockCode"`
		MerchantSKU string      `json:"merchantSku"`
		Quantity    int         `json:"quantity"`
	} `json:"lines"`
}

func (p pkg) id() string { return cmp(p.ShipmentPackageID.String(), p.OldID.String()) }

// order maps a package to an order; ok is false for statuses that do not change stock.
func (p pkg) order() (o marketplace.Order, ok bool) {
	status, ok := statuses[normalStatus(p.Status)]
	if !ok {
		return o, false
	}
	o = marketplace.Order{Marketplace: Name, OrderID: p.id(), Status: status}
	if p.OrderDate > 0 {
		o.PlacedAt = time.UnixMilli(p.OrderDate).UTC().Format(time.RFC3339)
	}
	for _, l := range p.Lines {
		o.Lines = append(o.Lines, messages.OrderLine{LineID: cmp(l.LineID.String(), l.OldID.String()),
			SKU: cmp(l.StockCode, l.MerchantSKU), Quantity: l.Quantity})
	}
	return o, true
}

// normalStatus folds the package spelling (UnSupplied) and the webhook subscription
// spelling (UNSUPPLIED) together.
func normalStatus(s string) string {
	return strings.ToLower(strings.ReplaceAll(s, "_", ""))
}

// cursor is where Orders resumes: the last package modification time seen and the
// packages seen at that very millisecond (startDate is inclusive, and many packages
// can share a millisecond).
type cursor struct {
	ms   int64
	seen map[string]bool
}

func parseCursor(s string) (cursor, error) {
	c := cursor{seen: map[string]bool{}}
	if s == "" {
		return c, nil
	}
	ms, ids, _ := strings.Cut(s, ":")
	var err error
	if c.ms, err = strconv.ParseInt(ms, 10, 64); err != nil || c.ms < 0 {
		return c, fmt.Errorf("bad cursor %q", s)
	}
	for _, id := range strings.Split(ids, ",") {
		if id != "" {
			c.seen[id] = true
		}
	}
	return c, nil
}

func (c cursor) String() string {
	ids := make([]string, 0, len(c.seen))
	for id := range c.seen {
		ids = append(ids, id)
	}
	return strconv.FormatInt(c.ms, 10) + ":" + strings.Join(ids, ",")
}

// statuses maps Trendyol package statuses (normalized by normalStatus) to order
// statuses: Created, Cancelled, UnSupplied and Returned. The others (Awaiting,
// Picking, Shipped…) do not change stock and are skipped.
var statuses = map[string]string{
	"created":    messages.OrderCreated,
	"cancelled":  messages.OrderCancelled,
	"unsupplied": messages.OrderCancelled,
	"returned":   messages.OrderReturned,
}

// Trendyol's orders endpoint takes a startDate–endDate window of at most two weeks and
// serves about a month of history [C S-TY7].
const (
	// orderWindow is the widest window Orders asks for.
	orderWindow = 14 * 24 * time.Hour
	// orderHistory is how far back Orders reads: safely inside Trendyol's "about a
	// month" [I]. A cursor older than that starts here; older orders are gone anyway.
	orderHistory = 28 * 24 * time.Hour
	// orderSettle is how long after its end a window is taken as closed: the cursor
	// moves past a window with no orders only once this has passed [I].
	orderSettle = time.Minute
)

// Orders implements marketplace.Client with the v2 orders endpoint, ordered by
// PackageLastModifiedDate ascending, in windows of at most two weeks: the first read
// ("" cursor) starts two weeks back, later ones at the cursor (never more than 28 days
// back), and each walks window after window up to now, every window's pages until the
// last (or Trendyol's page×size ≤ 10 000 cap; the cursor then resumes from there).
// Both ends of a window are inclusive and the cursor keeps the packages seen at its
// millisecond, so a package at a window's edge comes back once. OrderID is the
// shipmentPackageId (a cancel or split makes a new package), line IDs are lineId and
// SKUs stockCode. The cursor is opaque.
func (c *Client) Orders(ctx context.Context, cur string) ([]marketplace.Order, string, error) {
	pos, err := parseCursor(cur)
	if err != nil {
		return nil, cur, fmt.Errorf("list orders: %w", err)
	}
	now := c.cfg.Now().UnixMilli()
	if cur == "" {
		pos.ms = now - orderWindow.Milliseconds()
	}
	if oldest := now - orderHistory.Milliseconds(); pos.ms < oldest {
		pos = cursor{ms: oldest, seen: map[string]bool{}}
	}
	var orders []marketplace.Order
	for from := pos.ms; ; {
		to := max(from, min(from+orderWindow.Milliseconds(), now))
		complete, err := c.readWindow(ctx, from, to, &pos, &orders)
		if err != nil {
			return nil, cur, err
		}
		if !complete || to >= now {
			break
		}
		// A window in the past is read to its end: the cursor moves there, orders or not.
		if settled := min(to, now-orderSettle.Milliseconds()); settled > pos.ms {
			pos = cursor{ms: settled, seen: map[string]bool{}}
		}
		from = to
	}
	return orders, pos.String(), nil
}

// readWindow reads the packages modified from from to to (epoch ms, both inclusive)
// page by page, adds the orders not seen before pos, and moves pos past them. It
// reports false when it stopped at Trendyol's page×size cap before the last page.
func (c *Client) readWindow(ctx context.Context, from, to int64, pos *cursor, orders *[]marketplace.Order) (bool, error) {
	size := c.cfg.PageSize
	for page := 0; ; page++ {
		if (page+1)*size > 10000 {
			return false, nil
		}
		q := url.Values{
			"page": {strconv.Itoa(page)}, "size": {strconv.Itoa(size)},
			"startDate": {strconv.FormatInt(from, 10)}, "endDate": {strconv.FormatInt(to, 10)},
			"orderByField": {"PackageLastModifiedDate"}, "orderByDirection": {"ASC"},
		}
		var res struct {
			TotalPages int   `json:"totalPages"`
			Content    []pkg `json:"content"`
		}
		path := "/integration/order/sellers/" + url.PathEscape(c.cfg.SellerID) + "/v2/orders?" + q.Encode()
		if err := c.do(ctx, http.MethodGet, path, nil, &res); err != nil {
			return false, fmt.Errorf("list orders from %d to %d, page %d: %w", from, to, page, err)
		}
		for _, p := range res.Content {
			key := p.id() + "/" + p.Status
			if p.LastModifiedDate < pos.ms || (p.LastModifiedDate == pos.ms && pos.seen[key]) {
				continue
			}
			if p.LastModifiedDate > pos.ms {
				*pos = cursor{ms: p.LastModifiedDate, seen: map[string]bool{}}
			}
			pos.seen[key] = true
			if o, ok := p.order(); ok {
				*orders = append(*orders, o)
			}
		}
		if page+1 >= res.TotalPages || len(res.Content) == 0 {
			return true, nil
		}
	}
}

// Acknowledge implements marketplace.Client. Trendyol has no acknowledge call (a seller
// moves packages on with Picking/Invoiced status updates, which belong to fulfilment),
// so there is nothing to send.
func (c *Client) Acknowledge(ctx context.Context, orderIDs []string) error { return nil }

// limiter is the limiter of the endpoint a request to path counts against.
func (c *Client) limiter(path string) *marketplace.Limiter {
	path, _, _ = strings.Cut(path, "?")
	var l *marketplace.Limiter
	switch {
	case strings.HasSuffix(path, "/products/price-and-inventory"):
		l = c.cfg.StockLimiter
	case strings.Contains(path, "/products/batch-requests/"):
		l = c.cfg.PollLimiter
	case strings.HasPrefix(path, "/integration/order/"):
		l = c.cfg.OrdersLimiter
	}
	if l == nil {
		return c.cfg.Limiter
	}
	return l
}

// do sends one request and decodes a 2xx JSON answer into out (nil: the answer is
// not read).
func (c *Client) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.cfg.BaseURL+path, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	_, _, raw, err := marketplace.Send(c.cfg.HTTPClient, c.limiter(path), req, parseError)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
