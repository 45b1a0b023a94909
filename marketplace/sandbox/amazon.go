package sandbox

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

// AmazonOptions configures the Amazon Selling Partner API imitation. Zero values take
// the defaults.
type AmazonOptions struct {
	// ClientID, ClientSecret and RefreshToken are the Login with Amazon credentials the
	// token endpoint accepts (defaults amzn1.application-oa2-client.sandbox,
	// sandbox-secret, Atzr|sandbox-refresh-token).
	ClientID     string
	ClientSecret string
	RefreshToken string
	// SellerID is the authorised selling partner (default A1SANDBOXSELLER) and
	// MarketplaceID its store (default Turkey, A33AVAJ2PDY3EV).
	SellerID      string
	MarketplaceID string
	// TokenTTL is how long an access token lives on the sandbox clock (default 1h).
	TokenTTL time.Duration
	// ProcessDelay is how long an ACCEPTED listing takes to become BUYABLE (or to show
	// the issues found while processing it) on the sandbox clock (default 2s).
	ProcessDelay time.Duration
	// Rate limits per operation; zero values take Amazon's documented usage plans:
	// getListingsItem 5 rps burst 10, putListingsItem 5/10, patchListingsItem 5/5,
	// searchOrders 0.0056/20, getOrder 0.5/30, searchDefinitionsProductTypes and
	// getDefinitionsProductType 5/10. Tests usually raise Orders, whose real plan allows
	// one request every three minutes once the burst is spent.
	ListingsGet       AmazonRate
	ListingsPut       AmazonRate
	ListingsPatch     AmazonRate
	Orders            AmazonRate
	GetOrder          AmazonRate
	DefinitionsSearch AmazonRate
	DefinitionsGet    AmazonRate
	// Static makes the imitation Amazon's static sandbox (the
	// sandbox.sellingpartnerapi-{na,eu,fe}.amazon.com endpoints) instead of a store:
	// every operation of the official models answers a request with the response of
	// the model's x-amzn-api-sandbox static example whose parameters the request has,
	// and with 400 InvalidInput "Could not match input arguments" when none has; nothing
	// is stored and the rates above do not apply (see amazonStaticRate). Login with
	// Amazon, the access token and the User-Agent are checked as they are otherwise.
	Static bool
}

// AmazonRate is a token bucket: Rate requests per second, Burst at once.
type AmazonRate struct {
	Rate  float64
	Burst int
}

// Amazon product tax codes the imitation takes in product_tax_code (the general
// codes of Amazon's European stores).
var amazonTaxCodes = map[string]bool{"A_GEN_STANDARD": true, "A_GEN_REDUCED": true, "A_GEN_SUPERREDUCED": true, "A_GEN_NOTAX": true}

var amazonConditions = map[string]bool{"new_new": true, "new_open_box": true, "new_oem": true, "refurbished_refurbished": true,
	"used_like_new": true, "used_very_good": true, "used_good": true, "used_acceptable": true, "collectible_like_new": true,
	"collectible_very_good": true, "collectible_good": true, "collectible_acceptable": true, "club_club": true}

const (
	amazonMaxTitle     = 200
	amazonOtherImages  = 8
	amazonTitleBanned  = "!$?_{}^¬¦"
	amazonPageTokenTTL = 24 * time.Hour
	amazonMissingCode  = "90220" // Amazon's code for a required attribute not supplied
	// amazonMinImageSide is the shorter side, in pixels, below which an image is
	// refused: Amazon asks for 1000 px on the longest side for zoom and takes 500.
	amazonMinImageSide = 500
)

type amazon struct {
	srv  *Server
	opts AmazonOptions
	defs *azDefinitions

	mu      sync.Mutex
	revoked bool
	tokens  map[string]time.Time // access token → expiry
	buckets map[string]*azBucket // by operation
	items   map[string]*azListing
	orders  []*azOrder
	nextID  int64
}

// azBucket is a token bucket on the sandbox clock.
type azBucket struct {
	rate   AmazonRate
	tokens float64
	last   time.Time
}

func (b *azBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens, b.last = float64(b.rate.Burst), now
	}
	if now.After(b.last) {
		b.tokens = math.Min(float64(b.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*b.rate.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// azListing is one SKU: the live version buyers see and the version being processed.
type azListing struct {
	sku         string
	asin        string
	created     time.Time
	updated     time.Time
	live        *azVersion // nil until the first version is processed
	pending     *azVersion
	issues      []AmazonIssue // found while processing the last version
	quantity    int
	submissions int
}

type azVersion struct {
	productType string
	attributes  map[string]any
	due         time.Time
}

// AmazonIssue is a listings item issue in the Listings Items 2021-08-01 shape.
type AmazonIssue struct {
	Code           string   `json:"code"`
	Message        string   `json:"message"`
	Severity       string   `json:"severity"`
	AttributeNames []string `json:"attributeNames,omitempty"`
	Categories     []string `json:"categories"`
}

type azOrder struct {
	id      string
	created time.Time
	updated time.Time
	status  string
	items   []azOrderItem
}

type azOrderItem struct {
	id, sku, asin, title string
	quantity             int
	price                float64
}

func newAmazon(srv *Server, o AmazonOptions) *amazon {
	def := func(s *string, v string) {
		if *s == "" {
			*s = v
		}
	}
	def(&o.ClientID, "amzn1.application-oa2-client.sandbox")
	def(&o.ClientSecret, "sandbox-secret")
	def(&o.RefreshToken, "Atzr|sandbox-refresh-token")
	def(&o.SellerID, "A1SANDBOXSELLER")
	def(&o.MarketplaceID, "A33AVAJ2PDY3EV")
	if o.TokenTTL == 0 {
		o.TokenTTL = time.Hour
	}
	if o.ProcessDelay == 0 {
		o.ProcessDelay = 2 * time.Second
	}
	rate := func(r *AmazonRate, rps float64, burst int) {
		if r.Rate == 0 {
			r.Rate = rps
		}
		if r.Burst == 0 {
			r.Burst = burst
		}
	}
	rate(&o.ListingsGet, 5, 10)
	rate(&o.ListingsPut, 5, 10)
	rate(&o.ListingsPatch, 5, 5)
	rate(&o.Orders, 0.0056, 20)
	rate(&o.GetOrder, 0.5, 30)
	rate(&o.DefinitionsSearch, 5, 10)
	rate(&o.DefinitionsGet, 5, 10)
	return &amazon{
		srv:     srv,
		opts:    o,
		defs:    newAzDefinitions(o.MarketplaceID),
		tokens:  map[string]time.Time{},
		buckets: map[string]*azBucket{},
		items:   map[string]*azListing{},
		nextID:  1000000,
	}
}

// routes registers Login with Amazon's token endpoint and the SP-API operations the
// adapter uses, on their real paths; with AmazonOptions.Static, every operation of the
// models, answered as Amazon's static sandbox answers.
func (a *amazon) routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /auth/o2/token", a.token)
	if a.opts.Static {
		a.staticRoutes(mux)
		return
	}
	mux.Handle("GET /listings/2021-08-01/items/{sellerId}/{sku}", a.api("getListingsItem", a.opts.ListingsGet, a.getItem))
	mux.Handle("PUT /listings/2021-08-01/items/{sellerId}/{sku}", a.api("putListingsItem", a.opts.ListingsPut, a.putItem))
	mux.Handle("PATCH /listings/2021-08-01/items/{sellerId}/{sku}", a.api("patchListingsItem", a.opts.ListingsPatch, a.patchItem))
	mux.Handle("GET /orders/2026-01-01/orders", a.api("searchOrders", a.opts.Orders, a.searchOrders))
	mux.Handle("GET /orders/2026-01-01/orders/{orderId}", a.api("getOrder", a.opts.GetOrder, a.getOrder))
	mux.Handle("GET /definitions/2020-09-01/productTypes", a.api("searchDefinitionsProductTypes", a.opts.DefinitionsSearch, a.searchProductTypes))
	mux.Handle("GET /definitions/2020-09-01/productTypes/{productType}", a.api("getDefinitionsProductType", a.opts.DefinitionsGet, a.getProductType))
	mux.HandleFunc("GET /selling-partner-definitions/schema/{productType}/{requirements}/{enforced}", a.schemaDocument)
	mux.HandleFunc("GET /selling-partner-definitions/meta-schema/v1", a.metaSchema)
}

// setRevoked invalidates every access token and the refresh token (the seller removed
// the app's authorisation), or makes the refresh token valid again.
func (a *amazon) setRevoked(v bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked = v
	if v {
		a.tokens = map[string]time.Time{}
	}
}

// duplicateWindow is zero: PATCH sets absolute values and Amazon takes repeats.
func (a *amazon) duplicateWindow() time.Duration { return 0 }

func (a *amazon) serverError(w http.ResponseWriter) {
	azErrors(w, http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again.", "")
}

// throttled is Amazon's 429. Amazon sends no Retry-After; x-amzn-RateLimit-Limit is set
// by the rate check itself, where the operation is known.
func (a *amazon) throttled(w http.ResponseWriter, _ time.Duration) {
	azErrors(w, http.StatusTooManyRequests, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
}

func azErrors(w http.ResponseWriter, status int, code, msg, details string) {
	if w.Header().Get("x-amzn-RequestId") == "" {
		w.Header().Set("x-amzn-RequestId", requestID())
	}
	e := map[string]any{"code": code, "message": msg}
	if details != "" {
		e["details"] = details
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// token is Login with Amazon's refresh-token grant.
func (a *amazon) token(w http.ResponseWriter, r *http.Request) {
	if a.srv.inject(w, r, a) {
		return
	}
	lwaError := func(status int, code, desc string) {
		writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil {
		lwaError(http.StatusBadRequest, "invalid_request", "The request body must be application/x-www-form-urlencoded")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "refresh_token" {
		lwaError(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be refresh_token")
		return
	}
	if f.Get("refresh_token") == "" || f.Get("client_id") == "" || f.Get("client_secret") == "" {
		lwaError(http.StatusBadRequest, "invalid_request", "refresh_token, client_id and client_secret are required")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !equal(f.Get("client_id"), a.opts.ClientID) || !equal(f.Get("client_secret"), a.opts.ClientSecret) {
		lwaError(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	if a.revoked || !equal(f.Get("refresh_token"), a.opts.RefreshToken) {
		lwaError(http.StatusBadRequest, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
		return
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "Atza|" + base64.RawURLEncoding.EncodeToString(b[:])
	a.tokens[tok] = a.srv.Now().Add(a.opts.TokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "refresh_token": a.opts.RefreshToken, "token_type": "bearer",
		"expires_in": int(a.opts.TokenTTL / time.Second),
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// api wraps an SP-API handler with Amazon's checks in its order: access token (403),
// the operation's token bucket (429), the User-Agent (400 InvalidInput), then the
// request against the official model (400 InvalidInput). Every answer carries
// x-amzn-RequestId and the operation's x-amzn-RateLimit-Limit. Listings due by now are
// processed first.
func (a *amazon) api(op string, rate AmazonRate, h func(w http.ResponseWriter, r *http.Request, body []byte, now time.Time)) http.Handler {
	limit := strconv.FormatFloat(rate.Rate, 'f', -1, 64)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", requestID())
		w.Header().Set("x-amzn-RateLimit-Limit", limit)
		if a.srv.inject(w, r, a) {
			return
		}
		body, err := readAll(w, r)
		if err != nil {
			azErrors(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request is too large.", err.Error())
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		now := a.srv.Now()
		if !a.authorized(w, r, now, true) {
			return
		}
		if !a.allow(op, rate, now) {
			a.throttled(w, 0)
			return
		}
		if !userAgentOK(w, r) {
			return
		}
		if err := spmodel.ValidateRequest(r, body); err != nil {
			azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", err.Error())
			return
		}
		a.settle(now)
		h(w, r, body, now)
	})
}

// authorized checks the request's access token (and, with seller, that the sellerId
// in its path is the token's seller), answering Amazon's 403 when it fails.
func (a *amazon) authorized(w http.ResponseWriter, r *http.Request, now time.Time, seller bool) bool {
	const denied = "Access to requested resource is denied."
	tok := r.Header.Get("x-amz-access-token")
	exp, known := a.tokens[tok]
	switch {
	case tok == "":
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The request has no x-amz-access-token header.")
		return false
	case !known:
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token you provided is revoked, malformed or invalid.")
		return false
	case !now.Before(exp):
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token you provided has expired.")
		return false
	}
	if sid := r.PathValue("sellerId"); seller && sid != "" && sid != a.opts.SellerID {
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token was not issued for seller "+sid+".")
		return false
	}
	return true
}

// allow takes a token from the bucket of key, made with rate on first use.
func (a *amazon) allow(key string, rate AmazonRate, now time.Time) bool {
	b := a.buckets[key]
	if b == nil {
		b = &azBucket{rate: rate}
		a.buckets[key] = b
	}
	return b.allow(now)
}

// userAgentOK checks the User-Agent every SP-API request must carry, in the form
// Amazon documents: AppName/Version (Language=…) [C S-AZ2]. Amazon documents the form
// and a refusal of headers over 500 characters, not the answer to a bad one: the
// imitation answers as for any other invalid parameter, 400 InvalidInput, which every
// operation's model documents ("Request has missing or invalid parameters and cannot
// be parsed") [I].
func userAgentOK(w http.ResponseWriter, r *http.Request) bool {
	if err := spmodel.ValidateUserAgent(r.Header.Get("User-Agent")); err != nil {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", err.Error())
		return false
	}
	return true
}

// settle processes every listing version due by now: identifiers already used by
// another SKU make an ERROR issue (as Amazon's catalog matching raises after ACCEPTED);
// otherwise the version goes live.
func (a *amazon) settle(now time.Time) {
	for _, l := range a.items {
		p := l.pending
		if p == nil || now.Before(p.due) {
			continue
		}
		l.pending = nil
		l.updated = p.due
		l.issues = nil
		if ean := firstString(p.attributes, "externally_assigned_product_identifier", "value"); ean != "" {
			for _, o := range a.items {
				if o != l && o.live != nil && firstString(o.live.attributes, "externally_assigned_product_identifier", "value") == ean {
					l.issues = append(l.issues, AmazonIssue{Code: "DUPLICATE_IDENTIFIER", Severity: "ERROR",
						Message:        fmt.Sprintf("The product identifier %s is already used by SKU %s.", ean, o.sku),
						AttributeNames: []string{"externally_assigned_product_identifier"}, Categories: []string{"DUPLICATE"}})
				}
			}
		}
		if len(l.issues) > 0 {
			continue
		}
		l.live = p
		if q, ok := quantityOf(p.attributes); ok {
			l.quantity = q
		}
	}
}

func (a *amazon) checkMarketplace(w http.ResponseWriter, r *http.Request) bool {
	if m := r.URL.Query().Get("marketplaceIds"); m != a.opts.MarketplaceID {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", fmt.Sprintf("marketplaceIds %q is not a marketplace the seller participates in", m))
		return false
	}
	return true
}

func (a *amazon) submission(w http.ResponseWriter, sku, status string, issues []AmazonIssue) {
	if issues == nil {
		issues = []AmazonIssue{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku": sku, "status": status, "submissionId": requestID(), "issues": issues})
}

func (a *amazon) putItem(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	var body struct {
		ProductType  string         `json:"productType"`
		Requirements string         `json:"requirements"`
		Attributes   map[string]any `json:"attributes"`
	}
	_ = json.Unmarshal(raw, &body) // the model check has passed
	if body.Requirements == "" {
		body.Requirements = "LISTING"
	}
	sku := r.PathValue("sku")
	issues := ValidateAmazonAttributes(body.Requirements, a.opts.MarketplaceID, body.Attributes)
	issues = azMergeIssues(issues, a.productTypeIssues(body.ProductType, body.Requirements, body.Attributes))
	// Fetching images takes time: other requests go on meanwhile. Nothing of the
	// imitation's state has been read yet.
	a.mu.Unlock()
	images := a.imageIssues(r.Context(), body.Attributes)
	a.mu.Lock()
	issues = azMergeIssues(issues, images)
	preview := r.URL.Query().Get("mode") == "VALIDATION_PREVIEW"
	switch {
	case hasError(issues) || (preview && len(issues) > 0):
		a.submission(w, sku, "INVALID", issues)
		return
	case preview:
		a.submission(w, sku, "VALID", issues)
		return
	}
	l := a.items[sku]
	if l == nil {
		a.nextID++
		l = &azListing{sku: sku, created: now, asin: fmt.Sprintf("B0%08X", a.nextID)}
		a.items[sku] = l
	}
	l.submissions++
	l.pending = &azVersion{productType: body.ProductType, attributes: body.Attributes, due: now.Add(a.srv.batchDelay(a.opts.ProcessDelay))}
	a.submission(w, sku, "ACCEPTED", issues)
}

// azMergeIssues adds more issues to issues, except those about an attribute issues
// already has one for (the more specific rule speaks first), sorted by attribute.
func azMergeIssues(issues, more []AmazonIssue) []AmazonIssue {
	seen := map[string]bool{}
	for _, is := range issues {
		seen[strings.Join(is.AttributeNames, ",")] = true
	}
	for _, is := range more {
		if len(is.AttributeNames) == 0 || !seen[strings.Join(is.AttributeNames, ",")] {
			issues = append(issues, is)
		}
	}
	azSortIssues(issues)
	return issues
}

func azSortIssues(issues []AmazonIssue) {
	sort.SliceStable(issues, func(i, j int) bool {
		return strings.Join(issues[i].AttributeNames, ",") < strings.Join(issues[j].AttributeNames, ",")
	})
}

// imageIssues fetches every image of a listing as Amazon does (Server.checkImage, at
// least 500 px on the shorter side) and returns an INVALID_IMAGE issue for each one it
// cannot use.
func (a *amazon) imageIssues(ctx context.Context, attrs map[string]any) []AmazonIssue {
	var issues []AmazonIssue
	for name := range attrs {
		if name != "main_product_image_locator" && !strings.HasPrefix(name, "other_product_image_locator_") {
			continue
		}
		for _, v := range values(attrs, name) {
			s, _ := v["media_location"].(string)
			if reason := a.srv.checkImage(ctx, s, amazonMinImageSide); reason != "" {
				issues = append(issues, AmazonIssue{Code: "INVALID_IMAGE_URL", Severity: "ERROR", Categories: []string{"INVALID_IMAGE"},
					AttributeNames: []string{name}, Message: fmt.Sprintf("'%s' cannot be used: %s.", name, reason)})
			}
		}
	}
	azSortIssues(issues)
	return issues
}

// ValidateAmazonAttributes checks a listing's attributes for a requirements set
// (LISTING, LISTING_PRODUCT_ONLY, LISTING_OFFER_ONLY) against the rules every product
// type shares, and returns the issues (none when valid); the product type's own schema
// and the images themselves are checked by putListingsItem besides. It checks:
//   - required attributes (Amazon's code 90220);
//   - item_name at most 200 characters without ! $ ? _ { } ^ ¬ ¦ (Seller Central title policy);
//   - image locators: at most 8 other images;
//   - purchasable_offer: the store's marketplace and currency (TRY for Turkey), our_price
//     above zero, list_price not below it;
//   - fulfillment_availability: a channel code and a quantity of zero or more;
//   - condition_type, product_tax_code and EAN/GTIN/UPC check digits.
//
// Issue codes other than 90220 are the imitation's own.
func ValidateAmazonAttributes(requirements, marketplaceID string, attrs map[string]any) []AmazonIssue {
	var issues []AmazonIssue
	add := func(code, category, attr, format string, args ...any) {
		issues = append(issues, AmazonIssue{Code: code, Severity: "ERROR", Message: fmt.Sprintf(format, args...),
			AttributeNames: []string{attr}, Categories: []string{category}})
	}
	required := map[string][]string{
		"LISTING":              {"item_name", "brand", "condition_type", "main_product_image_locator", "purchasable_offer", "fulfillment_availability"},
		"LISTING_PRODUCT_ONLY": {"item_name", "brand", "main_product_image_locator"},
		"LISTING_OFFER_ONLY":   {"condition_type", "purchasable_offer", "fulfillment_availability"},
	}[requirements]
	for _, name := range required {
		if len(values(attrs, name)) == 0 {
			category := "MISSING_ATTRIBUTE"
			switch name {
			case "main_product_image_locator":
				category = "MISSING_IMAGE"
			case "purchasable_offer":
				category = "MISSING_PRICE"
			}
			add(amazonMissingCode, category, name, "'%s' is required but not supplied.", name)
		}
	}
	if requirements != "LISTING_PRODUCT_ONLY" && len(values(attrs, "externally_assigned_product_identifier")) == 0 &&
		len(values(attrs, "merchant_suggested_asin")) == 0 && len(values(attrs, "supplier_declared_has_product_identifier_exemption")) == 0 {
		add(amazonMissingCode, "MISSING_ATTRIBUTE", "externally_assigned_product_identifier",
			"'externally_assigned_product_identifier' is required but not supplied: give an EAN, UPC or GTIN, a merchant_suggested_asin or a product identifier exemption.")
	}
	for name, v := range attrs {
		if _, ok := v.([]any); !ok {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", name, "'%s' must be an array of values.", name)
		}
	}
	for _, v := range values(attrs, "item_name") {
		s, _ := v["value"].(string)
		switch {
		case strings.TrimSpace(s) == "":
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' must not be empty.")
		case utf8.RuneCountInString(s) > amazonMaxTitle:
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' is %d characters; at most %d are allowed.", utf8.RuneCountInString(s), amazonMaxTitle)
		case strings.ContainsAny(s, amazonTitleBanned):
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' must not contain any of %s.", strings.Join(strings.Split(amazonTitleBanned, ""), " "))
		}
	}
	for _, v := range values(attrs, "brand") {
		if s, _ := v["value"].(string); strings.TrimSpace(s) == "" {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "brand", "'brand' must not be empty.")
		}
	}
	for _, v := range values(attrs, "condition_type") {
		if s, _ := v["value"].(string); !amazonConditions[s] {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "condition_type", "'condition_type' value %q is not a condition.", s)
		}
	}
	for _, v := range values(attrs, "product_tax_code") {
		if s, _ := v["value"].(string); !amazonTaxCodes[s] {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "product_tax_code", "'product_tax_code' value %q is not a tax code of this store.", s)
		}
	}
	for _, v := range values(attrs, "externally_assigned_product_identifier") {
		typ, _ := v["type"].(string)
		s, _ := v["value"].(string)
		if (typ != "ean" && typ != "upc" && typ != "gtin") || !ValidGTIN(s) {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "externally_assigned_product_identifier", "'externally_assigned_product_identifier' %s %q is not a valid EAN, UPC or GTIN.", typ, s)
		}
	}
	others := 0
	for name := range attrs {
		isOther := strings.HasPrefix(name, "other_product_image_locator_")
		if name != "main_product_image_locator" && !isOther {
			continue
		}
		if isOther {
			n, err := strconv.Atoi(strings.TrimPrefix(name, "other_product_image_locator_"))
			if err != nil || n < 1 || n > amazonOtherImages {
				add("INVALID_VALUE", "INVALID_IMAGE", name, "'%s' is not an image attribute: other images are other_product_image_locator_1 to _%d.", name, amazonOtherImages)
				continue
			}
			others++
		}
		for _, v := range values(attrs, name) {
			if s, _ := v["media_location"].(string); s == "" {
				add("INVALID_IMAGE_URL", "INVALID_IMAGE", name, "'%s' needs a media_location.", name)
			}
		}
	}
	for _, v := range values(attrs, "purchasable_offer") {
		if m, _ := v["marketplace_id"].(string); m != marketplaceID {
			add("INVALID_VALUE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' marketplace_id %q is not this store (%s).", m, marketplaceID)
		}
		if c, _ := v["currency"].(string); marketplaceID == "A33AVAJ2PDY3EV" && c != "TRY" {
			add("INVALID_VALUE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' currency %q must be TRY in this store.", c)
		}
		our, ok := ourPrice(v)
		if !ok || our <= 0 {
			add("INVALID_PRICE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' needs our_price with a schedule value_with_tax above zero.")
			continue
		}
		for _, lp := range values(attrs, "list_price") {
			if p, ok := lp["value_with_tax"].(float64); !ok || p < our {
				add("INVALID_PRICE", "INVALID_PRICE", "list_price", "'list_price' %v must not be below our_price %v.", lp["value_with_tax"], our)
			}
		}
	}
	for _, v := range values(attrs, "fulfillment_availability") {
		code, _ := v["fulfillment_channel_code"].(string)
		q, ok := v["quantity"].(float64)
		if code == "" || (code == "DEFAULT" && (!ok || q < 0 || q != math.Trunc(q))) {
			add("INVALID_VALUE", "INVALID_ATTRIBUTE", "fulfillment_availability", "'fulfillment_availability' needs a fulfillment_channel_code and, for DEFAULT, a whole quantity of zero or more.")
		}
	}
	azSortIssues(issues)
	return issues
}

// ValidGTIN reports whether s is an 8, 12, 13 or 14 digit GTIN with a correct check digit.
func ValidGTIN(s string) bool {
	if n := len(s); n != 8 && n != 12 && n != 13 && n != 14 {
		return false
	}
	sum := 0
	for i := range len(s) {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return sum%10 == 0
}

func hasError(issues []AmazonIssue) bool {
	for _, i := range issues {
		if i.Severity == "ERROR" {
			return true
		}
	}
	return false
}

// values is an attribute's values, those that are JSON objects.
func values(attrs map[string]any, name string) []map[string]any {
	list, _ := attrs[name].([]any)
	var out []map[string]any
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func firstString(attrs map[string]any, name, field string) string {
	for _, v := range values(attrs, name) {
		if s, ok := v[field].(string); ok {
			return s
		}
	}
	return ""
}

func ourPrice(offer map[string]any) (float64, bool) {
	ours, _ := offer["our_price"].([]any)
	for _, o := range ours {
		m, _ := o.(map[string]any)
		sched, _ := m["schedule"].([]any)
		for _, s := range sched {
			sm, _ := s.(map[string]any)
			if p, ok := sm["value_with_tax"].(float64); ok {
				return p, true
			}
		}
	}
	return 0, false
}

func quantityOf(attrs map[string]any) (int, bool) {
	for _, v := range values(attrs, "fulfillment_availability") {
		if v["fulfillment_channel_code"] == "DEFAULT" {
			if q, ok := v["quantity"].(float64); ok {
				return int(q), true
			}
		}
	}
	return 0, false
}

// patchItem applies JSON patches to top-level attributes. Quantity and price patches
// take effect at once, as offer updates do within moments on Amazon.
func (a *amazon) patchItem(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	var body struct {
		ProductType string `json:"productType"`
		Patches     []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value []any  `json:"value"`
		} `json:"patches"`
	}
	_ = json.Unmarshal(raw, &body)
	sku := r.PathValue("sku")
	l := a.items[sku]
	if l == nil || (l.live == nil && l.pending == nil) {
		a.submission(w, sku, "INVALID", []AmazonIssue{{Code: "SKU_NOT_FOUND", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
			Message: fmt.Sprintf("SKU %s has no listing in marketplace %s to patch.", sku, a.opts.MarketplaceID)}})
		return
	}
	v := l.live
	if v == nil {
		v = l.pending
	}
	attrs := map[string]any{}
	for k, val := range v.attributes {
		attrs[k] = val
	}
	var issues []AmazonIssue
	patched := map[string]bool{}
	for i, p := range body.Patches {
		name, ok := strings.CutPrefix(p.Path, "/attributes/")
		if !ok || name == "" || strings.Contains(name, "/") {
			issues = append(issues, AmazonIssue{Code: "INVALID_PATCH_PATH", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
				Message: fmt.Sprintf("patches[%d].path %q must be /attributes/{top-level attribute}.", i, p.Path)})
			continue
		}
		patched[name] = true
		switch p.Op {
		case "delete":
			delete(attrs, name)
		case "add", "replace":
			attrs[name] = p.Value
		case "merge":
			attrs[name] = mergeValues(values(attrs, name), p.Value)
		}
	}
	if len(issues) == 0 {
		for _, is := range ValidateAmazonAttributes("LISTING_OFFER_ONLY", a.opts.MarketplaceID, attrs) {
			if is.Code != amazonMissingCode || patched[is.AttributeNames[0]] {
				issues = append(issues, is)
			}
		}
	}
	if hasError(issues) {
		a.submission(w, sku, "INVALID", issues)
		return
	}
	for _, ver := range []*azVersion{l.live, l.pending} {
		if ver != nil {
			ver.attributes = attrs
		}
	}
	if q, ok := quantityOf(attrs); ok {
		l.quantity = q
	}
	l.updated = now
	l.submissions++
	a.submission(w, sku, "ACCEPTED", issues)
}

// mergeValues merges patch values into current ones, matching entries on their
// selectors (fulfillment_channel_code; marketplace_id, currency and audience).
func mergeValues(current []map[string]any, patch []any) []any {
	selectors := []string{"fulfillment_channel_code", "marketplace_id", "currency", "audience"}
	same := func(a, b map[string]any) bool {
		for _, s := range selectors {
			if a[s] != b[s] {
				return false
			}
		}
		return true
	}
	out := make([]any, 0, len(current)+len(patch))
	merged := make([]map[string]any, 0, len(current))
	for _, c := range current {
		cp := map[string]any{}
		for k, v := range c {
			cp[k] = v
		}
		merged = append(merged, cp)
	}
	for _, p := range patch {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		found := false
		for _, c := range merged {
			if same(c, pm) {
				for k, v := range pm {
					c[k] = v
				}
				found = true
			}
		}
		if !found {
			merged = append(merged, pm)
		}
	}
	for _, m := range merged {
		out = append(out, m)
	}
	return out
}

func (a *amazon) getItem(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	sku := r.PathValue("sku")
	l := a.items[sku]
	if l == nil || (l.live == nil && len(l.issues) == 0) {
		azErrors(w, http.StatusNotFound, "NOT_FOUND", "Requested item not found", fmt.Sprintf("SKU '%s' not found in marketplace %s", sku, a.opts.MarketplaceID))
		return
	}
	included := map[string]bool{}
	for _, d := range strings.Split(r.URL.Query().Get("includedData"), ",") {
		included[d] = true
	}
	if r.URL.Query().Get("includedData") == "" {
		included["summaries"] = true
	}
	v := l.live
	if v == nil {
		v = &azVersion{attributes: map[string]any{}}
		if l.pending != nil {
			v = l.pending
		}
	}
	out := map[string]any{"sku": sku}
	if included["summaries"] {
		status := []string{}
		if l.live != nil {
			status = []string{"BUYABLE", "DISCOVERABLE"}
		}
		productType := v.productType
		if productType == "" {
			productType = "PRODUCT"
		}
		s := map[string]any{"marketplaceId": a.opts.MarketplaceID, "asin": l.asin, "productType": productType, "status": status,
			"createdDate": l.created.UTC().Format(time.RFC3339), "lastUpdatedDate": l.updated.UTC().Format(time.RFC3339)}
		if c := firstString(v.attributes, "condition_type", "value"); c != "" && amazonConditions[c] {
			s["conditionType"] = c
		}
		if n := firstString(v.attributes, "item_name", "value"); n != "" {
			s["itemName"] = n
		}
		out["summaries"] = []any{s}
	}
	if included["attributes"] {
		out["attributes"] = v.attributes
	}
	if included["issues"] {
		issues := l.issues
		if issues == nil {
			issues = []AmazonIssue{}
		}
		out["issues"] = issues
	}
	if included["fulfillmentAvailability"] {
		out["fulfillmentAvailability"] = []any{map[string]any{"fulfillmentChannelCode": "DEFAULT", "quantity": l.quantity}}
	}
	writeJSON(w, http.StatusOK, out)
}

// amazonPage is what a searchOrders pagination token stands for.
type amazonPage struct {
	After   time.Time `json:"a"`
	Before  time.Time `json:"b"`
	Created bool      `json:"c"`
	Offset  int       `json:"o"`
	Issued  time.Time `json:"i"`
}

func (a *amazon) searchOrders(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	q := r.URL.Query()
	bad := func(details string) { azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid Input", details) }
	size := 100
	if s := q.Get("maxResultsPerPage"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			bad("maxResultsPerPage must be between 1 and 100")
			return
		}
		size = n
	}
	var page amazonPage
	if tok := q.Get("paginationToken"); tok != "" {
		raw, err := base64.RawURLEncoding.DecodeString(tok)
		if err != nil || json.Unmarshal(raw, &page) != nil {
			bad("paginationToken is not valid")
			return
		}
		if now.Sub(page.Issued) > amazonPageTokenTTL {
			bad("paginationToken has expired")
			return
		}
	} else {
		created, updated := q.Get("createdAfter"), q.Get("lastUpdatedAfter")
		if (created == "") == (updated == "") {
			bad("exactly one of createdAfter and lastUpdatedAfter is required")
			return
		}
		if updated != "" && (q.Get("createdBefore") != "") || created != "" && q.Get("lastUpdatedBefore") != "" {
			bad("createdAfter/createdBefore and lastUpdatedAfter/lastUpdatedBefore cannot be mixed")
			return
		}
		after, before := updated, q.Get("lastUpdatedBefore")
		if created != "" {
			after, before = created, q.Get("createdBefore")
		}
		t, err := time.Parse(time.RFC3339, after)
		if err != nil {
			bad("the after date must be ISO 8601")
			return
		}
		page = amazonPage{After: t, Before: now, Created: created != "", Issued: now}
		if before != "" {
			b, err := time.Parse(time.RFC3339, before)
			if err != nil || b.Before(t) || now.Sub(b) < 2*time.Minute {
				bad("the before date must be at or after the after date and at least two minutes before the time of the request")
				return
			}
			page.Before = b
		}
	}
	if ids := q.Get("marketplaceIds"); ids != "" && !strings.Contains(","+ids+",", ","+a.opts.MarketplaceID+",") {
		writeJSON(w, http.StatusOK, map[string]any{"orders": []any{}})
		return
	}
	statuses := map[string]bool{}
	for _, s := range strings.Split(q.Get("fulfillmentStatuses"), ",") {
		if s != "" {
			statuses[s] = true
		}
	}
	when := func(o *azOrder) time.Time {
		if page.Created {
			return o.created
		}
		return o.updated
	}
	var match []*azOrder
	for _, o := range a.orders {
		if t := when(o); !t.Before(page.After) && !t.After(page.Before) && (len(statuses) == 0 || statuses[o.status]) {
			match = append(match, o)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		if ti, tj := when(match[i]), when(match[j]); !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return match[i].id < match[j].id
	})
	included := map[string]bool{}
	for _, d := range strings.Split(q.Get("includedData"), ",") {
		included[d] = true
	}
	end := min(page.Offset+size, len(match))
	orders := make([]any, 0, size)
	for _, o := range match[min(page.Offset, len(match)):end] {
		orders = append(orders, a.orderJSON(o, included))
	}
	out := map[string]any{"orders": orders}
	if page.Created {
		out["createdBefore"] = page.Before.UTC().Format(time.RFC3339Nano)
	} else {
		out["lastUpdatedBefore"] = page.Before.UTC().Format(time.RFC3339Nano)
	}
	if end < len(match) {
		next := page
		next.Offset = end
		raw, _ := json.Marshal(next)
		out["pagination"] = map[string]any{"nextToken": base64.RawURLEncoding.EncodeToString(raw)}
	}
	writeJSON(w, http.StatusOK, out)
}

func (a *amazon) getOrder(w http.ResponseWriter, r *http.Request, _ []byte, _ time.Time) {
	for _, o := range a.orders {
		if o.id == r.PathValue("orderId") {
			included := map[string]bool{}
			for _, d := range strings.Split(r.URL.Query().Get("includedData"), ",") {
				included[d] = true
			}
			writeJSON(w, http.StatusOK, map[string]any{"order": a.orderJSON(o, included)})
			return
		}
	}
	azErrors(w, http.StatusNotFound, "NotFound", "The requested order was not found.", "")
}

// orderJSON is an order in the Orders 2026-01-01 shape, with the FULFILLMENT and
// CANCELLATION datasets when asked for.
func (a *amazon) orderJSON(o *azOrder, included map[string]bool) map[string]any {
	items := make([]any, 0, len(o.items))
	for _, it := range o.items {
		m := map[string]any{
			"orderItemId":     it.id,
			"quantityOrdered": it.quantity,
			"product": map[string]any{"asin": it.asin, "title": it.title, "sellerSku": it.sku,
				"condition": map[string]any{"conditionType": "New"},
				"price":     map[string]any{"unitPrice": map[string]any{"amount": strconv.FormatFloat(it.price, 'f', 2, 64), "currencyCode": "TRY"}}},
		}
		if included["FULFILLMENT"] {
			unfulfilled := it.quantity
			if o.status == "CANCELLED" {
				unfulfilled = 0
			}
			m["fulfillment"] = map[string]any{"quantityFulfilled": 0, "quantityUnfulfilled": unfulfilled}
		}
		if included["CANCELLATION"] && o.status == "CANCELLED" {
			m["cancellation"] = map[string]any{"cancellationExecution": map[string]any{"cancelledBy": "BUYER", "cancelReason": "BUYER_CANCELLED"}}
		}
		items = append(items, m)
	}
	out := map[string]any{
		"orderId":         o.id,
		"createdTime":     o.created.UTC().Format(time.RFC3339Nano),
		"lastUpdatedTime": o.updated.UTC().Format(time.RFC3339Nano),
		"salesChannel":    map[string]any{"channelName": "AMAZON", "marketplaceId": a.opts.MarketplaceID, "marketplaceName": "Amazon.com.tr"},
		"orderItems":      items,
	}
	if included["FULFILLMENT"] {
		out["fulfillment"] = map[string]any{"fulfillmentStatus": o.status, "fulfilledBy": "MERCHANT", "fulfillmentServiceLevel": "STANDARD"}
	}
	return out
}

// placeOrder is a buyer's order against a live listing's quantity: an UNSHIPPED
// merchant-fulfilled order with one item.
func (a *amazon) placeOrder(sku string, quantity int) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.srv.Now()
	a.settle(now)
	l := a.items[sku]
	if l == nil || l.live == nil {
		return "", fmt.Errorf("amazon: %w: %s", ErrNotListed, sku)
	}
	if l.quantity < quantity {
		return "", fmt.Errorf("amazon: %w: %s has %d, order wants %d", ErrNoStock, sku, l.quantity, quantity)
	}
	l.quantity -= quantity
	a.nextID++
	price := 0.0
	for _, v := range values(l.live.attributes, "purchasable_offer") {
		price, _ = ourPrice(v)
	}
	o := &azOrder{
		id:      fmt.Sprintf("407-%07d-%07d", a.nextID%10000000, (a.nextID*7919)%10000000),
		created: now, updated: now, status: "UNSHIPPED",
		items: []azOrderItem{{id: fmt.Sprintf("%014d", a.nextID*100+1), sku: sku, asin: l.asin,
			title: firstString(l.live.attributes, "item_name", "value"), quantity: quantity, price: price}},
	}
	a.orders = append(a.orders, o)
	return o.id, nil
}

// cancelOrder cancels an order as the buyer, giving its quantity back.
func (a *amazon) cancelOrder(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range a.orders {
		if o.id != id {
			continue
		}
		if o.status == "CANCELLED" {
			return fmt.Errorf("amazon: %w: %s", ErrAlreadyCancelled, id)
		}
		o.status, o.updated = "CANCELLED", a.srv.Now()
		for _, it := range o.items {
			if l := a.items[it.sku]; l != nil {
				l.quantity += it.quantity
			}
		}
		return nil
	}
	return fmt.Errorf("amazon: %w: %s", ErrNoOrder, id)
}

// setStock sets a live listing's DEFAULT-channel quantity as Seller Central does,
// without a submission; orders take from the same quantity.
func (a *amazon) setStock(sku string, quantity int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(a.srv.Now())
	l := a.items[sku]
	if l == nil || l.live == nil {
		return fmt.Errorf("amazon: %w: %s", ErrNotListed, sku)
	}
	l.quantity = quantity
	return nil
}

// listings is every live listing's SKU and quantity.
func (a *amazon) listings() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(a.srv.Now())
	out := map[string]int{}
	for sku, l := range a.items {
		if l.live != nil {
			out[sku] = l.quantity
		}
	}
	return out
}
