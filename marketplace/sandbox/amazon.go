package sandbox

import (
	"net/http"
	"sync"
	"time"
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
	// Feeds configures the Feeds API imitation (JSON_LISTINGS_FEED, amazon_feeds.go).
	Feeds AmazonFeedsOptions
}

// AmazonRate is a token bucket: Rate requests per second, Burst at once.
type AmazonRate struct {
	Rate  float64
	Burst int
}

// orDefault fills a zero rate or burst with the plan's.
func (r *AmazonRate) orDefault(rps float64, burst int) {
	if r.Rate == 0 {
		r.Rate = rps
	}
	if r.Burst == 0 {
		r.Burst = burst
	}
}

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
	feeds   azFeeds
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
	o.ListingsGet.orDefault(5, 10)
	o.ListingsPut.orDefault(5, 10)
	o.ListingsPatch.orDefault(5, 5)
	o.Orders.orDefault(0.0056, 20)
	o.GetOrder.orDefault(0.5, 30)
	o.DefinitionsSearch.orDefault(5, 10)
	o.DefinitionsGet.orDefault(5, 10)
	o.Feeds = o.Feeds.withDefaults()
	return &amazon{
		srv:     srv,
		opts:    o,
		defs:    newAzDefinitions(o.MarketplaceID),
		tokens:  map[string]time.Time{},
		buckets: map[string]*azBucket{},
		items:   map[string]*azListing{},
		nextID:  1000000,
		feeds:   newAzFeeds(),
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
	a.feedRoutes(mux)
}
