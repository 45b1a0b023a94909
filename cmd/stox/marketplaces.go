package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/handlers/listing"
	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/handlers/stock"
	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
	"github.com/stox-dev/stox/topology"
)

// Marketplaces is the marketplace services' configuration. Every base URL defaults to
// the sandbox (stox sandbox, which stox run starts itself), with the sandbox's
// credentials, so nothing reaches a real marketplace unless configured to.
type Marketplaces struct {
	SandboxAddr string         `envconfig:"STOX_SANDBOX_ADDR" default:"127.0.0.1:8090" desc:"where stox sandbox (and stox run's embedded sandbox) listens; empty: stox run starts none"`
	SandboxKey  string         `envconfig:"STOX_SANDBOX_KEY" desc:"bearer key the sandbox's /sandbox/ hooks require (401 without it); the marketplace imitations keep their own auth; empty: open"`
	PollEvery   time.Duration  `envconfig:"STOX_MARKETPLACE_POLL" default:"2s" desc:"how often submissions are polled"`
	OrdersEvery time.Duration  `envconfig:"STOX_MARKETPLACE_ORDERS_POLL" default:"5s" desc:"how often each marketplace's orders are read"`
	StockBuffer map[string]int `envconfig:"STOX_STOCK_BUFFER" desc:"units held back per marketplace, e.g. trendyol:2,amazon:1 (each shows stock minus its buffer)"`

	ReconcileEvery  time.Duration `envconfig:"STOX_RECONCILE_EVERY" default:"15m" desc:"how often the stock each marketplace shows is read back and compared with the ledger (0: never)"`
	OutboxHighWater int           `envconfig:"STOX_OUTBOX_HIGH_WATER" default:"1000" desc:"listings waiting to be sent to or decided by a marketplace before its service stops taking listing messages (they wait in RabbitMQ)"`

	TaxonomyRefresh   time.Duration     `envconfig:"STOX_TAXONOMY_REFRESH" default:"24h" desc:"how old each marketplace's categories, attributes and brands may grow before they are read again"`
	AttributeDefaults map[string]string `envconfig:"STOX_ATTRIBUTE_DEFAULTS" default:"menşei:TR" desc:"values for required attributes a product does not give, by attribute name in any spelling (menşei:TR,garanti süresi:24)"`

	TrendyolURL       string  `envconfig:"STOX_TRENDYOL_URL" desc:"Trendyol gateway (https://apigw.trendyol.com); default the sandbox"`
	TrendyolSellerID  string  `envconfig:"STOX_TRENDYOL_SELLER_ID" default:"100000" desc:"Trendyol seller ID"`
	TrendyolAPIKey    string  `envconfig:"STOX_TRENDYOL_API_KEY" default:"sandbox-key" desc:"Trendyol API key"`
	TrendyolAPISecret string  `envconfig:"STOX_TRENDYOL_API_SECRET" default:"sandbox-secret" desc:"Trendyol API secret"`
	TrendyolRate      float64 `envconfig:"STOX_TRENDYOL_RATE" default:"4" desc:"Trendyol requests per second per endpoint, each paced on its own (its cap: 50 per 10 s per endpoint)"`
	// Trendyol's order webhook: the credentials it sends with every delivery, and the
	// public URL it is registered under at start (the service serves it on its admin
	// address, at /webhooks/trendyol).
	TrendyolWebhookURL      string `envconfig:"STOX_TRENDYOL_WEBHOOK_URL" desc:"public URL of the trendyol service's /webhooks/trendyol, registered with Trendyol at start; empty: orders are only polled"`
	TrendyolWebhookUsername string `envconfig:"STOX_TRENDYOL_WEBHOOK_USERNAME" desc:"Basic user name Trendyol sends with webhook deliveries"`
	TrendyolWebhookPassword string `envconfig:"STOX_TRENDYOL_WEBHOOK_PASSWORD" desc:"Basic password Trendyol sends with webhook deliveries"`
	TrendyolWebhookAPIKey   string `envconfig:"STOX_TRENDYOL_WEBHOOK_API_KEY" desc:"x-api-key Trendyol sends with webhook deliveries instead of Basic (preferred when set)"`

	HepsiburadaURL        string  `envconfig:"STOX_HEPSIBURADA_URL" desc:"one base URL for Hepsiburada's catalog, listing and order services (the sandbox serves all three); default the sandbox"`
	HepsiburadaCatalogURL string  `envconfig:"STOX_HEPSIBURADA_CATALOG_URL" desc:"Hepsiburada catalog service (https://mpop.hepsiburada.com); overrides STOX_HEPSIBURADA_URL"`
	HepsiburadaListingURL string  `envconfig:"STOX_HEPSIBURADA_LISTING_URL" desc:"Hepsiburada listing service (https://listing-external.hepsiburada.com); overrides STOX_HEPSIBURADA_URL"`
	HepsiburadaOMSURL     string  `envconfig:"STOX_HEPSIBURADA_OMS_URL" desc:"Hepsiburada order service (https://oms-external.hepsiburada.com); overrides STOX_HEPSIBURADA_URL"`
	HepsiburadaMerchantID string  `envconfig:"STOX_HEPSIBURADA_MERCHANT_ID" default:"7d1f3b2a-6c4e-4f59-8a0b-1e2d3c4b5a69" desc:"Hepsiburada merchant ID (Basic user)"`
	HepsiburadaServiceKey string  `envconfig:"STOX_HEPSIBURADA_SERVICE_KEY" default:"sandboxkey12" desc:"Hepsiburada service key (Basic password)"`
	HepsiburadaUserAgent  string  `envconfig:"STOX_HEPSIBURADA_USER_AGENT" default:"stox_dev" desc:"Hepsiburada integrator username, sent as User-Agent"`
	HepsiburadaRate       float64 `envconfig:"STOX_HEPSIBURADA_RATE" default:"50" desc:"Hepsiburada requests per second (catalog cap: 100/s)"`

	AmazonURL           string  `envconfig:"STOX_AMAZON_URL" desc:"SP-API endpoint (https://sellingpartnerapi-eu.amazon.com); default the sandbox"`
	AmazonTokenURL      string  `envconfig:"STOX_AMAZON_TOKEN_URL" desc:"Login with Amazon token URL (https://api.amazon.com/auth/o2/token); default the sandbox's"`
	AmazonClientID      string  `envconfig:"STOX_AMAZON_CLIENT_ID" default:"amzn1.application-oa2-client.sandbox" desc:"LWA client ID"`
	AmazonClientSecret  string  `envconfig:"STOX_AMAZON_CLIENT_SECRET" default:"sandbox-secret" desc:"LWA client secret"`
	AmazonRefreshToken  string  `envconfig:"STOX_AMAZON_REFRESH_TOKEN" default:"Atzr|sandbox-refresh-token" desc:"LWA refresh token of the seller"`
	AmazonSellerID      string  `envconfig:"STOX_AMAZON_SELLER_ID" default:"A1SANDBOXSELLER" desc:"Amazon selling partner ID"`
	AmazonMarketplaceID string  `envconfig:"STOX_AMAZON_MARKETPLACE_ID" default:"A33AVAJ2PDY3EV" desc:"Amazon marketplace (Turkey)"`
	AmazonRate          float64 `envconfig:"STOX_AMAZON_RATE" default:"5" desc:"Amazon listings requests per second (putListingsItem: 5/s)"`
	AmazonOrdersRate    float64 `envconfig:"STOX_AMAZON_ORDERS_RATE" default:"0.0056" desc:"Amazon searchOrders requests per second (its plan: 0.0056/s, burst 20)"`
	AmazonFeedAbove     int     `envconfig:"STOX_AMAZON_FEED_ABOVE" default:"5" desc:"Amazon rounds of more listings than this go as one JSON_LISTINGS_FEED, fewer one putListingsItem each; -1: never a feed"`
}

// sandboxURL is the sandbox's base URL, the default of every marketplace URL.
func (m Marketplaces) sandboxURL() string {
	addr := m.SandboxAddr
	if addr == "" {
		addr = "127.0.0.1:8090"
	}
	return "http://" + loopback(addr)
}

// loopback is a listen address as this host dials it: ":8090" is 127.0.0.1:8090.
func loopback(addr string) string {
	if addr != "" && addr[0] == ':' {
		return "127.0.0.1" + addr
	}
	return addr
}

func or(v, def string) string {
	if v != "" {
		return v
	}
	return def
}

// client builds the marketplace client of one marketplace from the configuration.
// With tax, the Amazon client checks each listing against its product type's stored
// JSON Schema before sending it.
// Every operation the stock path uses (pushes, outcome polls, order reads) gets a
// limiter of its own at the marketplace's plan, so none waits behind another and a
// throttled answer pauses only its own; the limiter returned paces listing
// submissions (the listing handler holds back while it is paused).
func (m Marketplaces) client(name string, tax store.Taxonomy) (marketplace.Client, *marketplace.Limiter, error) {
	return m.observedClient(name, tax, nil)
}

// observedClient is client, its requests and its limiters' pauses counted by obs
// (nil: not counted).
func (m Marketplaces) observedClient(name string, tax store.Taxonomy, obs *metrics.Marketplace) (marketplace.Client, *marketplace.Limiter, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	newLimiter := marketplace.NewLimiter
	if obs != nil {
		hc.Transport = obs.Transport(nil)
		newLimiter = func(rate float64, burst int) *marketplace.Limiter {
			return marketplace.NewLimiter(rate, burst).OnPause(obs.Paused)
		}
	}
	switch name {
	case messages.Trendyol:
		// 10 at once and 4 a second stay within 50 per 10 s, per endpoint.
		endpoint := func() *marketplace.Limiter { return newLimiter(m.TrendyolRate, 10) }
		l := endpoint()
		return trendyol.New(trendyol.Config{
			BaseURL: or(m.TrendyolURL, m.sandboxURL()), SellerID: m.TrendyolSellerID,
			APIKey: m.TrendyolAPIKey, APISecret: m.TrendyolAPISecret, HTTPClient: hc, Limiter: l,
			StockLimiter: endpoint(), PollLimiter: endpoint(), OrdersLimiter: endpoint(),
			WebhookUsername: m.TrendyolWebhookUsername, WebhookPassword: m.TrendyolWebhookPassword,
			WebhookAPIKey: m.TrendyolWebhookAPIKey,
		}), l, nil
	case messages.Hepsiburada:
		base := or(m.HepsiburadaURL, m.sandboxURL())
		perService := func(rate float64) *marketplace.Limiter { return newLimiter(rate, int(max(1, rate))) }
		l := perService(m.HepsiburadaRate)
		return hepsiburada.New(hepsiburada.Config{
			CatalogURL: or(m.HepsiburadaCatalogURL, base), ListingURL: or(m.HepsiburadaListingURL, base),
			OMSURL: or(m.HepsiburadaOMSURL, base), MerchantID: m.HepsiburadaMerchantID,
			ServiceKey: m.HepsiburadaServiceKey, UserAgent: m.HepsiburadaUserAgent, HTTPClient: hc, Limiter: l,
			// The listing service's uploads and reads share its one limit: half each.
			StockLimiter: perService(m.HepsiburadaRate / 2), PollLimiter: perService(m.HepsiburadaRate / 2),
			OrdersLimiter: perService(m.HepsiburadaRate),
		}), l, nil
	case messages.Amazon:
		if m.AmazonFeedAbove < -1 {
			return nil, nil, fmt.Errorf("STOX_AMAZON_FEED_ABOVE must be at least 1 (0 takes the default), or -1 for never a feed; got %d", m.AmazonFeedAbove)
		}
		base := or(m.AmazonURL, m.sandboxURL())
		var schema func(context.Context, string) (json.RawMessage, error)
		if tax != nil {
			schema = publish.SchemaOf(tax, messages.Amazon)
		}
		// Amazon's plans: getListingsItem and putListingsItem burst 10, patchListingsItem 5.
		l := newLimiter(m.AmazonRate, 10)
		return amazon.New(amazon.Config{
			Schema:  schema,
			BaseURL: base, TokenURL: or(m.AmazonTokenURL, base+"/auth/o2/token"),
			ClientID: m.AmazonClientID, ClientSecret: m.AmazonClientSecret, RefreshToken: m.AmazonRefreshToken,
			SellerID: m.AmazonSellerID, MarketplaceID: m.AmazonMarketplaceID, HTTPClient: hc,
			Limiter: l, PutLimiter: l, GetLimiter: newLimiter(m.AmazonRate, 10),
			PatchLimiter: newLimiter(m.AmazonRate, 5), OrdersLimiter: newLimiter(m.AmazonOrdersRate, 20),
			Feeds: amazon.FeedsConfig{Threshold: m.AmazonFeedAbove},
		}), l, nil
	}
	return nil, nil, fmt.Errorf("no client for marketplace %q", name)
}

// marketplaceService is what a marketplace service runs: its router (listing and
// stock queues filling the outbox), its publisher's loops (sending the outbox,
// following submissions, reading orders, reconciling stock), and its order webhook
// if the marketplace has one (path "" when not).
type marketplaceService struct {
	router      *message.Router
	publisher   *publish.Publisher
	webhookPath string
	webhook     http.Handler
	// register, when set, registers the webhook with the marketplace.
	register func(context.Context) error
}

// newMarketplaceService builds the marketplace service called name.
func (a *app) newMarketplaceService(name string, d router.Deps) (*marketplaceService, error) {
	obs := a.series.Marketplace(name)
	client, limiter, err := a.cfg.observedClient(name, a.store, obs)
	if err != nil {
		return nil, err
	}
	pub, err := a.broker.Publisher(a.broker.Topology().Name(topology.ExchangeOrders))
	if err != nil {
		return nil, err
	}
	src, ok := client.(taxonomy.Source)
	if !ok {
		return nil, fmt.Errorf("%s: the client reads no taxonomy", name)
	}
	reconcile := a.cfg.ReconcileEvery
	if reconcile == 0 {
		reconcile = -1 // never
	}
	p := &publish.Publisher{
		Mapping: &publish.Mapping{
			Mapper: publish.NewMapper(name, a.store, src, a.cfg.AttributeDefaults),
			Store:  a.store, Source: src, SyncEvery: a.cfg.TaxonomyRefresh,
		},
		Client: client, Limiter: limiter, Store: a.store, Outbox: a.store, Logger: a.log.With("service", name),
		PollEvery: a.cfg.PollEvery, OrdersEvery: a.cfg.OrdersEvery, Buffer: a.cfg.StockBuffer[name],
		HighWater: a.cfg.OutboxHighWater, ReconcileEvery: reconcile,
		Acked: func(ps []store.Push) {
			for _, p := range ps {
				obs.Lag.Acked(p.SKU, p.Version)
			}
			if a.acked != nil {
				a.acked(name, ps)
			}
		},
		Sent: func(skus []string) {
			if a.sent != nil {
				a.sent(name, skus)
			}
		},
		PublishOrder: func(ctx context.Context, o messages.OrderV1) error {
			return publishCorrelated(ctx, pub, topology.OrderKey(name), o.Marketplace+"/"+o.OrderID, o)
		},
	}
	r, err := router.NewMarketplace(d, router.Marketplace{
		Name: name,
		// Listings wait in RabbitMQ while the marketplace pauses us or the outbox is full.
		Listing: publish.Throttle(p, listing.Recorder{Marketplace: name, Outbox: a.store, Inventory: a.store, Notify: p.WakeListings}.Record),
		Stock: stock.Pusher{Marketplace: name, Inventory: a.store, Notify: p.WakeStock,
			Pending: func(s messages.StockV1) { obs.Lag.Changed(s.SKU, s.Version, s.ChangedAt) }}.Apply,
	})
	if err != nil {
		return nil, err
	}
	m := &marketplaceService{router: r, publisher: p}
	m.webhookPath, m.webhook = p.Webhook()
	if t, ok := client.(*trendyol.Client); ok && a.cfg.TrendyolWebhookURL != "" {
		m.register = func(ctx context.Context) error { return t.RegisterWebhook(ctx, a.cfg.TrendyolWebhookURL, nil) }
	}
	return m, nil
}

// marketplaceRouter builds the marketplace service called name and adds what runs
// beside its router to the app: the publisher's loops, the webhook's registration,
// its readiness check, its metrics, and the webhook on the admin server.
func (a *app) marketplaceRouter(name string, d router.Deps) (*message.Router, error) {
	m, err := a.newMarketplaceService(name, d)
	if err != nil {
		return nil, err
	}
	if err := a.metrics.Register(m.publisher); err != nil {
		return nil, fmt.Errorf("%s: metrics: %w", name, err)
	}
	a.loops = append(a.loops, m.publisher.Run)
	a.checks = append(a.checks, m.publisher.Ready)
	if m.webhook != nil {
		a.webhooks[m.webhookPath] = m.webhook
	}
	if m.register != nil {
		a.loops = append(a.loops, func(ctx context.Context) error { return retryRegister(ctx, a.log.With("service", name), m.register) })
	}
	return m.router, nil
}

// retryRegister registers a webhook, trying again with a growing pause (up to 5
// minutes) until it is registered or ctx ends: the marketplace may be down at start.
func retryRegister(ctx context.Context, log *slog.Logger, register func(context.Context) error) error {
	wait := time.Second
	for {
		err := register(ctx)
		if err == nil {
			log.Info("webhook registered")
			return nil
		}
		if ctx.Err() != nil {
			return nil
		}
		log.Warn("webhook registration failed; trying again", "in", wait, "error", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Minute)
	}
}
