// Package amazon is the marketplace.Client (and marketplace.StockReader) for Amazon's
// Selling Partner API: Login with Amazon tokens, Listings Items 2021-08-01
// (putListingsItem, patchListingsItem, getListingsItem), Feeds 2021-06-30 for rounds of
// many listings (JSON_LISTINGS_FEED) and Orders 2026-01-01 (searchOrders); and the
// taxonomy.Source of its product types from Product Type Definitions 2020-09-01, whose
// JSON Schemas also check listings before they are sent. Requests follow Amazon's
// official models, which package spmodel holds and validates against.
package amazon

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
)

// Name is the marketplace's name in messages and configuration.
const Name = "amazon"

// Defaults.
const (
	// DefaultBaseURL is the SP-API endpoint of the Europe region (Turkey included).
	DefaultBaseURL = "https://sellingpartnerapi-eu.amazon.com"
	// DefaultTokenURL is Login with Amazon's token endpoint.
	DefaultTokenURL = "https://api.amazon.com/auth/o2/token"
	// MarketplaceTurkey is Amazon.com.tr's marketplace ID.
	MarketplaceTurkey = "A33AVAJ2PDY3EV"
	// DefaultProductType is the product type of listings without amazon_product_type.
	DefaultProductType = "PRODUCT"
)

// AttrProductType is the Listing.Attributes key naming the Amazon product type (e.g.
// HOME, SHIRT) of a listing the mapping step has not mapped; it overrides
// Config.ProductType. A mapped listing's product type is its CategoryID.
const AttrProductType = "amazon_product_type"

// DefaultTaxCodes maps VAT rates to product_tax_code values: Amazon's general codes of
// its European stores for Turkey's rates since July 2023 (20 standard, 10 reduced, 1
// super-reduced). The codes come from Amazon's EU tax-code list and are not confirmed
// for Amazon.com.tr; override Config.TaxCodes once the store's product type definition
// says otherwise.
var DefaultTaxCodes = map[int]string{20: "A_GEN_STANDARD", 10: "A_GEN_REDUCED", 1: "A_GEN_SUPERREDUCED"}

// Config configures a Client.
type Config struct {
	// BaseURL is the SP-API endpoint (default DefaultBaseURL); TokenURL is LWA's token
	// endpoint (default DefaultTokenURL).
	BaseURL  string
	TokenURL string
	// ClientID and ClientSecret are the app's LWA credentials; RefreshToken is the
	// seller's authorisation of the app.
	ClientID     string
	ClientSecret string
	RefreshToken string
	// SellerID is the selling partner ID (merchant token) in listings paths.
	SellerID string
	// MarketplaceID is the store (default MarketplaceTurkey).
	MarketplaceID string
	// ProductType is the product type of listings neither mapped nor with
	// amazon_product_type (default DefaultProductType).
	ProductType string
	// LanguageTag is the store's language: it tags texts that do not say their own,
	// and mapped attribute values (default LanguageTag(MarketplaceID), else en_US).
	LanguageTag string
	// Currency of prices (default TRY).
	Currency string
	// TaxCodes maps Listing.VATRate to product_tax_code (default DefaultTaxCodes). A
	// rate of 0 sends no tax code (the seller's account default applies); any other
	// rate missing from the map cannot be told to Amazon and rejects the listing.
	TaxCodes map[int]string
	// UserAgent defaults to DefaultUserAgent.
	UserAgent string
	// MaxBatch is how many listings or stock items one call takes (default 20). The
	// Listings Items API takes one SKU per request: a batch is sent one by one.
	MaxBatch int
	// PageSize is searchOrders' maxResultsPerPage, 1 to 100 (default 100).
	PageSize int
	// Lookback is how far back the first Orders call (empty cursor) reads (default 7 days).
	Lookback time.Duration
	// HTTPClient defaults to a client with a 30 s timeout.
	HTTPClient *http.Client
	// Limiter paces listings requests that have no limiter of their own below (nil:
	// unpaced); a 429 pauses only the limiter of the request refused.
	Limiter *marketplace.Limiter
	// GetLimiter, PutLimiter and PatchLimiter pace getListingsItem (polls and stock
	// reads), putListingsItem (listings) and patchListingsItem (stock pushes); nil:
	// Limiter. Amazon counts each operation on its own token bucket: get 5 rps burst
	// 10, put 5/10, patch 5/5. With one bucket each, stock pushes never wait behind
	// polls or listings, and a 429 on one operation pauses only it.
	GetLimiter   *marketplace.Limiter
	PutLimiter   *marketplace.Limiter
	PatchLimiter *marketplace.Limiter
	// DefinitionsLimiter paces the Product Type Definitions calls (nil: Limiter); both
	// operations' plans are 5 rps burst 10.
	DefinitionsLimiter *marketplace.Limiter
	// Schema returns the JSON Schema of a product type as last read by the taxonomy sync
	// (nil, nil when there is none). A listing whose product type has one is checked
	// against it before it is sent, and one that breaks it is rejected with the schema's
	// reasons without reaching Amazon; the schema also shapes mapped attributes. Without
	// one (or without the hook) nothing is checked before sending, and mapped listings
	// are shaped by the schema read from Amazon once per product type.
	Schema func(ctx context.Context, productType string) (json.RawMessage, error)
	// OrdersLimiter paces searchOrders (nil: Limiter). Its plan is 0.0056 rps burst 20
	// (one request every 3 minutes once the burst is spent):
	// marketplace.NewLimiter(0.0056, 20) in production; a poll interval of several
	// minutes keeps the burst for catching up.
	OrdersLimiter *marketplace.Limiter
	// Now is the clock token expiry and the first orders window are measured on
	// (default time.Now).
	Now func() time.Time
	// Feeds configures the bulk path, rounds of many listings sent as one
	// JSON_LISTINGS_FEED (feeds.go); zero values take its defaults.
	Feeds FeedsConfig
}

var _ marketplace.StockReader = (*Client)(nil)

// Client speaks the Selling Partner API. It is safe for concurrent use.
type Client struct {
	cfg    Config
	tokens *tokenSource

	mu      sync.Mutex
	schemas map[string]*productSchema
	feeds   feedMemory
}

// New returns a client; zero Config fields take their defaults.
func New(cfg Config) *Client {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&cfg.BaseURL, DefaultBaseURL)
	def(&cfg.TokenURL, DefaultTokenURL)
	def(&cfg.MarketplaceID, MarketplaceTurkey)
	def(&cfg.ProductType, DefaultProductType)
	def(&cfg.LanguageTag, LanguageTag(cfg.MarketplaceID))
	def(&cfg.LanguageTag, "en_US")
	def(&cfg.Currency, "TRY")
	def(&cfg.UserAgent, DefaultUserAgent)
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.TaxCodes == nil {
		cfg.TaxCodes = DefaultTaxCodes
	}
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 20
	}
	if cfg.PageSize <= 0 || cfg.PageSize > 100 {
		cfg.PageSize = 100
	}
	if cfg.Lookback <= 0 {
		cfg.Lookback = 7 * 24 * time.Hour
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.OrdersLimiter == nil {
		cfg.OrdersLimiter = cfg.Limiter
	}
	if cfg.DefinitionsLimiter == nil {
		cfg.DefinitionsLimiter = cfg.Limiter
	}
	for _, l := range []**marketplace.Limiter{&cfg.GetLimiter, &cfg.PutLimiter, &cfg.PatchLimiter} {
		if *l == nil {
			*l = cfg.Limiter
		}
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.Feeds = cfg.Feeds.withDefaults()
	c := &Client{cfg: cfg, schemas: map[string]*productSchema{}}
	c.tokens = &tokenSource{cfg: &c.cfg}
	return c
}

// Name implements marketplace.Client.
func (c *Client) Name() string { return Name }

// MaxBatch implements marketplace.Client.
func (c *Client) MaxBatch() int { return c.cfg.MaxBatch }

// Acknowledge does nothing: Orders 2026-01-01 has no acknowledgement call; Amazon
// considers an order taken once it is shipped (or its shipment confirmed).
func (c *Client) Acknowledge(context.Context, []string) error { return nil }

// submission is what a Submission ID stands for: every SKU with its outcome so far, so
// any process can Poll it without shared state.
type submission struct {
	Kind  string    `json:"k"` // listings or stock
	Items []subItem `json:"i"`
}

type subItem struct {
	SKU     string   `json:"s"`
	State   string   `json:"t"`
	Reasons []string `json:"r,omitempty"`
}

func encodeSubmission(s submission) marketplace.Submission {
	raw, _ := json.Marshal(s)
	out := marketplace.Submission{ID: "amzn." + base64.RawURLEncoding.EncodeToString(raw), Done: true}
	for _, it := range s.Items {
		out.Items = append(out.Items, marketplace.ItemResult{SKU: it.SKU, State: it.State, Reasons: it.Reasons})
		if it.State == marketplace.SubmissionPending {
			out.Done = false
		}
	}
	return out
}

func decodeSubmission(id string) (submission, error) {
	var s submission
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(id, "amzn."))
	if err != nil || !strings.HasPrefix(id, "amzn.") {
		return s, fmt.Errorf("amazon: %q is not a submission ID of this adapter", id)
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("amazon: submission ID: %w", err)
	}
	return s, nil
}

// submissionResponse is putListingsItem's and patchListingsItem's answer.
type submissionResponse struct {
	SKU          string  `json:"sku"`
	Status       string  `json:"status"`
	SubmissionID string  `json:"submissionId"`
	Issues       []issue `json:"issues"`
}

type issue struct {
	Code           string   `json:"code"`
	Message        string   `json:"message"`
	Severity       string   `json:"severity"`
	AttributeNames []string `json:"attributeNames"`
}

// errorReasons are the messages of ERROR issues (warnings do not stop a listing).
func errorReasons(issues []issue) []string {
	var out []string
	for _, is := range issues {
		if is.Severity == "ERROR" {
			out = append(out, is.Message)
		}
	}
	return out
}

// UpsertListings puts every listing in full (putListingsItem, requirements LISTING),
// one request per SKU. A mapped listing (CategoryID set) goes as its product type with
// its mapped attributes. A listing that breaks its product type's schema
// (Config.Schema) is rejected with the schema's reasons and not sent. An INVALID
// answer rejects the SKU at once with the issues' messages; an ACCEPTED one stays
// pending until Poll sees it processed. A listing whose VAT rate has no tax code is
// checked with mode=VALIDATION_PREVIEW instead, so the seller gets Amazon's other
// issues with it, and rejected without being stored.
//
// A round of more than Config.Feeds.Threshold listings goes as one JSON_LISTINGS_FEED
// instead (upsertFeed), each listing checked as here first.
func (c *Client) UpsertListings(ctx context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	if c.bulk(len(ls)) {
		return c.upsertFeed(ctx, ls)
	}
	return c.upsertEach(ctx, ls)
}

// upsertEach puts every listing with its own putListingsItem.
func (c *Client) upsertEach(ctx context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	sub := submission{Kind: "listings"}
	for _, l := range ls {
		it, err := c.putListing(ctx, l)
		if err != nil {
			return marketplace.Submission{}, fmt.Errorf("upsert listing %s: %w", l.SKU, err)
		}
		sub.Items = append(sub.Items, it)
	}
	return encodeSubmission(sub), nil
}

// putRetries is how often a PUT answered with a server error is sent again, the
// pauses doubling from putRetryPause.
const (
	putRetries    = 3
	putRetryPause = 50 * time.Millisecond
)

func (c *Client) putListing(ctx context.Context, l marketplace.Listing) (subItem, error) {
	attrs, local := c.attributes(l)
	productType := c.productType(l)
	refused, err := c.prepare(ctx, l, productType, attrs)
	if err != nil {
		return subItem{}, err
	}
	if len(refused) > 0 {
		return subItem{SKU: l.SKU, State: marketplace.SubmissionRejected, Reasons: append(local, refused...)}, nil
	}
	q := url.Values{"marketplaceIds": {c.cfg.MarketplaceID}, "includedData": {"issues"}}
	if len(local) > 0 {
		q.Set("mode", "VALIDATION_PREVIEW")
	}
	body := map[string]any{"productType": productType, "requirements": "LISTING", "attributes": attrs}
	var out submissionResponse
	// A PUT replaces the whole listing, so one that got a server error (or no answer)
	// is sent again at once, a few times: in a batch of many SKUs, one 500 would
	// otherwise fail them all, and the batch would be sent whole again and again.
	pause := putRetryPause
	for try := 0; ; try++ {
		err := c.do(ctx, c.cfg.PutLimiter, http.MethodPut, c.itemPath(l.SKU), q, body, &out)
		if err == nil {
			break
		}
		if !errors.Is(err, marketplace.ErrUnavailable) || try == putRetries {
			return subItem{}, err
		}
		select {
		case <-ctx.Done():
			return subItem{}, err
		case <-time.After(pause):
		}
		pause *= 2
	}
	reasons := append(local, errorReasons(out.Issues)...)
	switch {
	case len(reasons) > 0 || out.Status == "INVALID":
		if len(reasons) == 0 {
			reasons = []string{"amazon answered INVALID without issues"}
		}
		return subItem{SKU: l.SKU, State: marketplace.SubmissionRejected, Reasons: reasons}, nil
	case out.Status == "ACCEPTED":
		return subItem{SKU: l.SKU, State: marketplace.SubmissionPending}, nil
	}
	return subItem{}, fmt.Errorf("unexpected submission status %q", out.Status)
}

// prepare adds a mapped listing's attributes to attrs, in its product type's shape, and
// checks the listing against the schema Config.Schema has for its product type. It
// returns why the listing must not be sent: the schema's reasons, or a product type
// Amazon does not have.
func (c *Client) prepare(ctx context.Context, l marketplace.Listing, productType string, attrs map[string]any) ([]string, error) {
	if l.CategoryID == "" && c.cfg.Schema == nil {
		return nil, nil
	}
	s, check, err := c.productSchema(ctx, productType, l.CategoryID != "")
	if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
		return []string{fmt.Sprintf("product type %s is not available in marketplace %s", productType, c.cfg.MarketplaceID)}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("product type %s schema: %w", productType, err)
	}
	if l.CategoryID != "" {
		for _, m := range l.Mapped {
			if !isFilled(m.ID) {
				attrs[m.ID] = s.items(m, c.cfg.MarketplaceID, c.cfg.LanguageTag)
			}
		}
	}
	if !check || s == nil {
		return nil, nil
	}
	vs, err := s.validate(attrs)
	if err != nil {
		return nil, fmt.Errorf("product type %s schema: %w", productType, err)
	}
	var reasons []string
	for _, v := range vs {
		reasons = append(reasons, v.String())
	}
	return reasons, nil
}

// productType is a mapped listing's CategoryID, else its amazon_product_type, else
// Config.ProductType.
func (c *Client) productType(l marketplace.Listing) string {
	if l.CategoryID != "" {
		return l.CategoryID
	}
	if pt := strings.TrimSpace(l.Attributes[AttrProductType]); pt != "" {
		return pt
	}
	return c.cfg.ProductType
}

func (c *Client) itemPath(sku string) string {
	return "/listings/2021-08-01/items/" + url.PathEscape(c.cfg.SellerID) + "/" + url.PathEscape(sku)
}

// attributes builds a listing's attributes for requirements LISTING, and the reasons it
// cannot be listed that Amazon would not see (a VAT rate without a tax code).
func (c *Client) attributes(l marketplace.Listing) (map[string]any, []string) {
	mid := c.cfg.MarketplaceID
	text := func(v string) []any {
		return []any{map[string]any{"value": v, "language_tag": c.languageTag(l.Text.Language), "marketplace_id": mid}}
	}
	a := map[string]any{
		"item_name":      text(l.Text.Title),
		"brand":          text(l.Brand),
		"condition_type": []any{map[string]any{"value": "new_new", "marketplace_id": mid}},
		"purchasable_offer": []any{map[string]any{
			"marketplace_id": mid, "currency": c.currency(l.Currency), "audience": "ALL",
			"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": l.Price}}}},
		}},
		"fulfillment_availability": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": max(0, l.Quantity)}},
	}
	if l.Text.Description != "" {
		a["product_description"] = text(l.Text.Description)
	}
	// Bullet points: the text's, then amazon_bullet_point* attributes in key order;
	// Amazon takes five.
	var keys []string
	for k, v := range l.Attributes {
		if strings.HasPrefix(k, "amazon_bullet_point") && strings.TrimSpace(v) != "" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var bp []any
	for _, v := range l.Text.Bullets {
		if strings.TrimSpace(v) != "" {
			bp = append(bp, map[string]any{"value": v, "language_tag": c.languageTag(l.Text.Language), "marketplace_id": mid})
		}
	}
	for _, k := range keys {
		bp = append(bp, map[string]any{"value": l.Attributes[k], "language_tag": c.languageTag(l.Text.Language), "marketplace_id": mid})
	}
	if len(bp) > 0 {
		a["bullet_point"] = bp[:min(len(bp), 5)]
	}
	if gtin := strings.TrimSpace(l.Barcode); validGTIN(gtin) {
		typ := "ean"
		if len(gtin) == 14 {
			typ = "gtin"
		} else if len(gtin) == 12 {
			typ = "upc"
		}
		a["externally_assigned_product_identifier"] = []any{map[string]any{"type": typ, "value": gtin, "marketplace_id": mid}}
	} else {
		// Without a GTIN Amazon asks for a product identifier exemption (granted per
		// brand in Seller Central).
		a["supplier_declared_has_product_identifier_exemption"] = []any{map[string]any{"value": true, "marketplace_id": mid}}
	}
	if l.ListPrice > l.Price {
		a["list_price"] = []any{map[string]any{"marketplace_id": mid, "currency": c.currency(l.Currency), "value_with_tax": l.ListPrice}}
	}
	for i, img := range l.Images {
		loc := []any{map[string]any{"media_location": img.URL, "marketplace_id": mid}}
		if i == 0 {
			a["main_product_image_locator"] = loc
		} else {
			a["other_product_image_locator_"+strconv.Itoa(i)] = loc
		}
	}
	var local []string
	if l.VATRate != 0 {
		if code, ok := c.cfg.TaxCodes[l.VATRate]; ok {
			a["product_tax_code"] = []any{map[string]any{"value": code, "marketplace_id": mid}}
		} else {
			local = append(local, fmt.Sprintf("VAT rate %d%% has no Amazon product tax code (configured rates: %s)", l.VATRate, c.taxRates()))
		}
	}
	return a, local
}

func (c *Client) taxRates() string {
	rates := make([]int, 0, len(c.cfg.TaxCodes))
	for r := range c.cfg.TaxCodes {
		rates = append(rates, r)
	}
	sort.Ints(rates)
	s := make([]string, 0, len(rates)+1)
	s = append(s, "0")
	for _, r := range rates {
		s = append(s, strconv.Itoa(r))
	}
	return strings.Join(s, ", ")
}

func (c *Client) currency(cur string) string {
	if cur == "" {
		return c.cfg.Currency
	}
	return cur
}

// validGTIN reports whether s is an 8, 12, 13 or 14 digit GTIN with a correct check digit.
func validGTIN(s string) bool {
	if n := len(s); n != 8 && n != 12 && n != 13 && n != 14 {
		return false
	}
	sum := 0
	for i := range len(s) {
		ch := s[len(s)-1-i]
		if ch < '0' || ch > '9' {
			return false
		}
		d := int(ch - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return sum%10 == 0
}

// Poll reads every pending SKU of a listings submission back (getListingsItem with
// summaries and issues): ERROR issues reject it, a BUYABLE or DISCOVERABLE summary
// without them accepts it, and 404 (not processed yet) keeps it pending. A re-put of a
// SKU that is already live shows as accepted as soon as its old version does: the
// Listings Items API has no per-submission status. A feed's submission is followed
// through the feed instead (pollFeed).
//
// One SKU's read failing leaves that SKU pending and the others are still read, so a
// large submission completes even when some reads fail (a 500 now and then): the
// error is returned only when no SKU could be read. Throttling or refused credentials
// stop the round at once.
func (c *Client) Poll(ctx context.Context, id string) (marketplace.Submission, error) {
	if strings.HasPrefix(id, feedPrefix) {
		return c.pollFeed(ctx, id)
	}
	sub, err := decodeSubmission(id)
	if err != nil {
		return marketplace.Submission{}, err
	}
	var failed error
	read := 0
	for i, it := range sub.Items {
		if it.State != marketplace.SubmissionPending {
			continue
		}
		state, reasons, err := c.itemState(ctx, it.SKU)
		if err != nil {
			if failed == nil {
				failed = fmt.Errorf("poll listing %s: %w", it.SKU, err)
			}
			if errors.Is(err, marketplace.ErrRateLimited) || errors.Is(err, marketplace.ErrUnauthorized) || ctx.Err() != nil {
				break
			}
			continue
		}
		read++
		sub.Items[i].State, sub.Items[i].Reasons = state, reasons
	}
	if failed != nil && read == 0 {
		return marketplace.Submission{}, failed
	}
	out := encodeSubmission(sub)
	out.ID = id
	return out, nil
}

func (c *Client) itemState(ctx context.Context, sku string) (string, []string, error) {
	q := url.Values{"marketplaceIds": {c.cfg.MarketplaceID}, "includedData": {"summaries,issues"}}
	var item struct {
		Summaries []struct {
			MarketplaceID string   `json:"marketplaceId"`
			Status        []string `json:"status"`
		} `json:"summaries"`
		Issues []issue `json:"issues"`
	}
	err := c.do(ctx, c.cfg.GetLimiter, http.MethodGet, c.itemPath(sku), q, nil, &item)
	if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
		return marketplace.SubmissionPending, nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if reasons := errorReasons(item.Issues); len(reasons) > 0 {
		return marketplace.SubmissionRejected, reasons, nil
	}
	for _, s := range item.Summaries {
		if s.MarketplaceID == c.cfg.MarketplaceID && len(s.Status) > 0 {
			return marketplace.SubmissionAccepted, nil, nil
		}
	}
	return marketplace.SubmissionPending, nil, nil
}

// PushStock patches each SKU's quantity (merge of fulfillment_availability, channel
// DEFAULT) and, when Price > 0, its offer (replace of purchasable_offer, and list_price
// when ListPrice > Price). PATCH sets absolute values, so ACCEPTED counts as accepted at
// once: reading the quantity back could wait forever once an order has taken stock in
// between. INVALID rejects the SKU with the issues' messages.
func (c *Client) PushStock(ctx context.Context, stock []marketplace.Stock) (marketplace.Submission, error) {
	sub := submission{Kind: "stock"}
	mid := c.cfg.MarketplaceID
	for _, s := range stock {
		patches := []any{map[string]any{"op": "merge", "path": "/attributes/fulfillment_availability",
			"value": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": max(0, s.Quantity)}}}}
		if s.Price > 0 {
			patches = append(patches, map[string]any{"op": "replace", "path": "/attributes/purchasable_offer",
				"value": []any{map[string]any{"marketplace_id": mid, "currency": c.cfg.Currency, "audience": "ALL",
					"our_price": []any{map[string]any{"schedule": []any{map[string]any{"value_with_tax": s.Price}}}}}}})
			if s.ListPrice > s.Price {
				patches = append(patches, map[string]any{"op": "replace", "path": "/attributes/list_price",
					"value": []any{map[string]any{"marketplace_id": mid, "currency": c.cfg.Currency, "value_with_tax": s.ListPrice}}})
			}
		}
		body := map[string]any{"productType": c.cfg.ProductType, "patches": patches}
		q := url.Values{"marketplaceIds": {mid}, "includedData": {"issues"}}
		var out submissionResponse
		if err := c.do(ctx, c.cfg.PatchLimiter, http.MethodPatch, c.itemPath(s.SKU), q, body, &out); err != nil {
			return marketplace.Submission{}, fmt.Errorf("push stock %s: %w", s.SKU, err)
		}
		it := subItem{SKU: s.SKU, State: marketplace.SubmissionAccepted}
		if out.Status != "ACCEPTED" {
			it.State, it.Reasons = marketplace.SubmissionRejected, errorReasons(out.Issues)
			if len(it.Reasons) == 0 {
				it.Reasons = []string{"amazon answered " + out.Status + " without issues"}
			}
		}
		sub.Items = append(sub.Items, it)
	}
	return encodeSubmission(sub), nil
}

// ReadStock implements marketplace.StockReader with getListingsItem
// (includedData=fulfillmentAvailability), one request per SKU: the Listings Items API
// has no batch read of quantities. A SKU's quantity is its DEFAULT channel's (the
// seller's own fulfilment, the one PushStock sets; an entry without a quantity offers
// nothing, 0). A SKU Amazon does not have (404), or offers only through Amazon's own
// fulfilment network, is absent. Any other failure ends the call with its error.
func (c *Client) ReadStock(ctx context.Context, items []marketplace.Stock) (map[string]int, error) {
	if len(items) > c.MaxBatch() {
		return nil, fmt.Errorf("read stock of %d items: at most %d per call", len(items), c.MaxBatch())
	}
	out := map[string]int{}
	q := url.Values{"marketplaceIds": {c.cfg.MarketplaceID}, "includedData": {"fulfillmentAvailability"}}
	for _, it := range items {
		var item struct {
			SKU                     string `json:"sku"`
			FulfillmentAvailability []struct {
				FulfillmentChannelCode string `json:"fulfillmentChannelCode"`
				Quantity               *int   `json:"quantity"`
			} `json:"fulfillmentAvailability"`
		}
		err := c.do(ctx, c.cfg.GetLimiter, http.MethodGet, c.itemPath(it.SKU), q, nil, &item)
		if e := (*Error)(nil); errors.As(err, &e) && e.Status == http.StatusNotFound {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read stock of %s: %w", it.SKU, err)
		}
		if item.SKU == "" {
			return nil, fmt.Errorf("read stock of %s: answer has no sku", it.SKU)
		}
		for _, fa := range item.FulfillmentAvailability {
			if fa.FulfillmentChannelCode == "DEFAULT" {
				out[it.SKU] = 0
				if fa.Quantity != nil {
					out[it.SKU] = *fa.Quantity
				}
			}
		}
	}
	return out, nil
}

// ordersCursor is what an Orders cursor stands for: orders updated at or after After,
// except those in Seen (orderId/status) that were updated exactly at After.
type ordersCursor struct {
	After time.Time `json:"a"`
	Seen  []string  `json:"s,omitempty"`
}

// Orders reads orders updated since the cursor (searchOrders with lastUpdatedAfter,
// every page) and maps them: CANCELLED → OrderCancelled; PENDING, UNSHIPPED,
// PARTIALLY_SHIPPED, SHIPPED and PENDING_AVAILABILITY → OrderCreated (Amazon takes the
// stock when the order is placed); UNFULFILLABLE is skipped. The cursor holds the
// latest update time seen and the orders seen at it, so each order and status comes
// back once across calls — as long as its status does not change; an order moving
// from PENDING to UNSHIPPED later comes back as OrderCreated again, and consumers
// dedupe on (OrderID, Status). An empty cursor starts Config.Lookback ago.
func (c *Client) Orders(ctx context.Context, cursor string) ([]marketplace.Order, string, error) {
	cur := ordersCursor{After: c.cfg.Now().Add(-c.cfg.Lookback).UTC().Truncate(time.Second)}
	if cursor != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cursor)
		if err != nil || json.Unmarshal(raw, &cur) != nil {
			return nil, "", fmt.Errorf("amazon: orders cursor %q is not this adapter's", cursor)
		}
	}
	seen := map[string]bool{}
	for _, k := range cur.Seen {
		seen[k] = true
	}
	next := ordersCursor{After: cur.After, Seen: cur.Seen}
	var out []marketplace.Order
	q := url.Values{
		"lastUpdatedAfter":  {cur.After.UTC().Format(time.RFC3339)},
		"marketplaceIds":    {c.cfg.MarketplaceID},
		"maxResultsPerPage": {strconv.Itoa(c.cfg.PageSize)},
		"includedData":      {"FULFILLMENT"},
	}
	for page := 0; ; page++ {
		var resp searchOrdersResponse
		if err := c.do(ctx, c.cfg.OrdersLimiter, http.MethodGet, "/orders/2026-01-01/orders", q, nil, &resp); err != nil {
			return nil, "", fmt.Errorf("search orders: %w", err)
		}
		for _, o := range resp.Orders {
			if o.Fulfillment.FulfillmentStatus == "" {
				return nil, "", fmt.Errorf("order %s has no fulfillmentStatus although FULFILLMENT was asked for", o.OrderID)
			}
			ord, ok := o.order()
			if !ok {
				continue
			}
			key := ord.OrderID + "/" + ord.Status
			updated, err := time.Parse(time.RFC3339Nano, o.LastUpdatedTime)
			if err != nil {
				return nil, "", fmt.Errorf("order %s: lastUpdatedTime %q: %w", o.OrderID, o.LastUpdatedTime, err)
			}
			// lastUpdatedAfter has whole seconds: orders of that second before the
			// cursor's time came back in an earlier call.
			if updated.Before(cur.After) || (updated.Equal(cur.After) && seen[key]) {
				continue
			}
			switch {
			case updated.After(next.After):
				next.After, next.Seen = updated, []string{key}
			case updated.Equal(next.After):
				next.Seen = append(next.Seen, key)
			}
			out = append(out, ord)
		}
		if resp.Pagination.NextToken == "" || page > 1000 {
			break
		}
		q.Set("paginationToken", resp.Pagination.NextToken) // with the same filters
	}
	raw, _ := json.Marshal(next)
	return out, base64.RawURLEncoding.EncodeToString(raw), nil
}

type searchOrdersResponse struct {
	Orders     []amazonOrder `json:"orders"`
	Pagination struct {
		NextToken string `json:"nextToken"`
	} `json:"pagination"`
}

type amazonOrder struct {
	OrderID         string `json:"orderId"`
	CreatedTime     string `json:"createdTime"`
	LastUpdatedTime string `json:"lastUpdatedTime"`
	Fulfillment     struct {
		FulfillmentStatus string `json:"fulfillmentStatus"`
	} `json:"fulfillment"`
	OrderItems []struct {
		OrderItemID     string `json:"orderItemId"`
		QuantityOrdered int    `json:"quantityOrdered"`
		Product         struct {
			SellerSKU string `json:"sellerSku"`
		} `json:"product"`
	} `json:"orderItems"`
}

func (o amazonOrder) order() (marketplace.Order, bool) {
	var status string
	switch o.Fulfillment.FulfillmentStatus {
	case "CANCELLED":
		status = messages.OrderCancelled
	case "PENDING", "PENDING_AVAILABILITY", "UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED":
		status = messages.OrderCreated
	default:
		return marketplace.Order{}, false
	}
	ord := marketplace.Order{Marketplace: Name, OrderID: o.OrderID, Status: status, PlacedAt: o.CreatedTime}
	for _, it := range o.OrderItems {
		ord.Lines = append(ord.Lines, messages.OrderLine{LineID: it.OrderItemID, SKU: it.Product.SellerSKU, Quantity: it.QuantityOrdered})
	}
	return ord, true
}

// do sends one SP-API request with a valid access token and decodes the JSON answer
// into out. When Amazon refuses the token itself (expired or revoked before its time),
// it drops it, fetches a new one and tries once more.
func (c *Client) do(ctx context.Context, lim *marketplace.Limiter, method, path string, q url.Values, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		tok, err := c.tokens.get(ctx)
		if err != nil {
			return err
		}
		err = c.send(ctx, lim, method, path, q, body, tok, out)
		if e := (*Error)(nil); attempt == 0 && errors.As(err, &e) && e.tokenRejected() {
			c.tokens.drop(tok)
			continue
		}
		return err
	}
}

func (c *Client) send(ctx context.Context, lim *marketplace.Limiter, method, path string, q url.Values, body []byte, tok string, out any) error {
	u := c.cfg.BaseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("x-amz-access-token", tok)
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	_, _, raw, err := marketplace.Send(c.cfg.HTTPClient, lim, req, parseError)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("decode answer: %w", err)
	}
	return nil
}
