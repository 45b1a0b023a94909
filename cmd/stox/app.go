package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"runtime"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/broker/rabbitmq"
	"github.com/stox-dev/stox/handlers/ai"
	"github.com/stox-dev/stox/handlers/intake"
	"github.com/stox-dev/stox/handlers/ledger"
	"github.com/stox-dev/stox/handlers/texts"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/seo"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// services are the names `stox serve` takes, in start order.
var services = append([]string{"image", "ai", "seo", "sync"}, messages.Marketplaces...)

// app holds the dependencies of the services of one process.
type app struct {
	cfg     Config
	log     *slog.Logger
	broker  broker.Broker
	store   store.Stores
	blobs   blob.Store
	metrics *prometheus.Registry
	// series are Stox's own metrics on that registry (package metrics).
	series *metrics.Set
	// loops run beside the routers (the marketplace services' publishers);
	// webhooks are served on the admin server, path → handler.
	loops    []func(context.Context) error
	webhooks map[string]http.Handler
	// checks are what /readyz asks beyond the routers: each names what is not ready
	// (the broker's connection, a marketplace's credentials…) or returns nil.
	checks []func(context.Context) error
	// acked, when set, hears of every quantity a marketplace acknowledged; sent of
	// every listing it took.
	acked func(marketplace string, ps []store.Push)
	sent  func(marketplace string, skus []string)
	// names are the services this process runs, as /status lists them.
	names []string

	// imageURL is where listings' image URLs point; nil: the image service.
	imageURL imageURL
}

// openApp connects to the broker and the database and opens the blob store. With no
// STOX_AMQP_URL the broker is the in-memory one.
func openApp(ctx context.Context, cfg Config, log *slog.Logger) (*app, error) {
	a := &app{cfg: cfg, log: log, metrics: prometheus.NewRegistry(), webhooks: map[string]http.Handler{}}
	a.metrics.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	series, err := metrics.Register(a.metrics)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	a.series = series
	topo := topology.New(cfg.Prefix, cfg.AMQPQuorum, messages.Marketplaces)
	if cfg.AMQPURL == "" {
		a.broker = memory.New(topo)
	} else {
		b, err := rabbitmq.New(ctx, rabbitmq.Config{URL: cfg.AMQPURL, ChannelPoolSize: cfg.AMQPPool, Prefetch: cfg.Prefetch}, topo, middleware.Logger(log))
		if err != nil {
			return nil, fmt.Errorf("connect to RabbitMQ at %s: %w", redactURL(cfg.AMQPURL), err)
		}
		a.broker = b
		a.checks = append(a.checks, func(context.Context) error {
			if !b.Connected() {
				return errors.New("RabbitMQ connection down")
			}
			return nil
		})
	}
	if err := a.broker.Declare(ctx); err != nil {
		a.close()
		return nil, fmt.Errorf("declare topology: %w", err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("open store: %w", err)
	}
	a.store = st
	a.blobs, a.imageURL, err = openBlobs(ctx, cfg)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("open blobs: %w", err)
	}
	return a, nil
}

func (a *app) close() {
	if a.broker != nil {
		_ = a.broker.Close()
	}
	if a.store != nil {
		_ = a.store.Close()
	}
}

func (a *app) deps() router.Deps {
	retry := middleware.DefaultRetry
	retry.MaxRetries = a.cfg.MaxRetries
	return router.Deps{Broker: a.broker, Logger: a.log, Retry: retry, Timeout: a.cfg.Timeout, Metrics: a.metrics,
		Stages: a.series, Unavailable: store.Unavailable}
}

// router builds the message router of one service.
func (a *app) router(name string) (*message.Router, error) {
	a.names = append(a.names, name) // for /status
	d := a.deps()
	switch name {
	case "image":
		return router.NewImage(d, intake.Intake{Blobs: a.blobs, Store: a.store}.Prepare)
	case "ai":
		workers := a.cfg.Workers
		if workers == 0 {
			workers = runtime.GOMAXPROCS(0)
		}
		return router.NewAI(d, workers, ai.Enhancer{Blobs: a.blobs, Store: a.store, MaxPixels: a.cfg.MaxPixels}.Process)
	case "seo":
		// Amazon's text is in its marketplace's language (amazon.com.tr: Turkish).
		w := texts.Writer{Store: a.store, PublicBaseURL: a.cfg.PublicBaseURL, ImageURL: a.imageURL,
			Languages: map[string]string{messages.Amazon: amazon.LanguageTag(a.cfg.AmazonMarketplaceID)}}
		if a.cfg.LLMURL != "" {
			// below the handler timeout, so a slow model leaves time for the fallback
			w.Text = seo.LLM{BaseURL: a.cfg.LLMURL, APIKey: a.cfg.LLMAPIKey, Model: a.cfg.LLMModel, Timeout: a.cfg.Timeout / 4}
		}
		return router.NewSEO(d, w.Process)
	case "sync":
		applied := a.series.Sync(messages.Marketplaces)
		return router.NewSync(d, messages.Marketplaces, ledger.Bookkeeper{Inventory: a.store, Applied: applied}.ApplyOrder)
	}
	if messages.IsMarketplace(name) {
		return a.marketplaceRouter(name, d)
	}
	return nil, fmt.Errorf("unknown service %q (one of %v)", name, services)
}

// apiHandler is the image service's HTTP API, publishing uploads to the pipeline.
func (a *app) apiHandler() (http.Handler, error) {
	topo := a.broker.Topology()
	pub, err := a.broker.Publisher(topo.Name(topology.ExchangeImages))
	if err != nil {
		return nil, err
	}
	stockPub, err := a.broker.Publisher(topo.Name(topology.ExchangeInventory))
	if err != nil {
		return nil, err
	}
	// setStock records a quantity in the ledger and broadcasts it to every
	// marketplace service; a broadcast lost after the ledger committed is repaired by
	// the next change of that SKU, or by setting it again.
	broadcast := func(ctx context.Context, s messages.StockV1) error {
		return publishCorrelated(ctx, stockPub, "", "stock/"+s.SKU, s)
	}
	setStock := func(ctx context.Context, sku string, quantity int) (messages.StockV1, error) {
		s, err := a.store.SetStock(ctx, sku, quantity)
		if err != nil {
			return s, err
		}
		changed := s
		changed.ChangedAt = time.Now() // the marketplaces' stock lag starts here
		return s, broadcast(ctx, changed)
	}
	log := a.log.With("service", "image")
	relist, err := a.relister()
	if err != nil {
		return nil, err
	}
	h, err := api.New(api.Config{
		Requeue:  a.store.RequeueListing,
		Search:   a.store.Search,
		Relist:   relist,
		SetStock: setStock,
		Stock:    a.store.Stock,
		// The ledger recording the stock is what counts: every listing starts from the
		// ledger's quantity (listing.Recorder), so a broadcast the broker refuses loses
		// nothing and does not fail the upload, which would leave the product stored
		// and its stock recorded behind a 503 that says otherwise.
		InitStock: func(ctx context.Context, sku string, quantity int) error {
			_, _, err := a.store.Stock(ctx, sku)
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			s, err := a.store.SetStock(ctx, sku, quantity)
			if err != nil {
				return err
			}
			if err := broadcast(ctx, s); err != nil {
				log.WarnContext(ctx, "initial stock recorded but not broadcast; listings start from the ledger",
					"sku", sku, "quantity", quantity, "error", err)
			}
			return nil
		},
		Store:         a.store,
		Taxonomy:      a.store,
		Imports:       a.store,
		Blobs:         a.blobs,
		APIKeys:       a.cfg.APIKeys,
		KeyRate:       a.cfg.APIKeyRate,
		KeyBurst:      a.cfg.APIKeyBurst,
		MaxPixels:     a.cfg.MaxPixels,
		MaxPhotoBytes: a.cfg.MaxPhotoBytes,
		UploadMemory:  a.cfg.UploadMemory,
		TempDir:       filepath.Join(a.cfg.DataDir, "uploads"),
		Logger:        log,
		Observe:       a.series.HTTP(apiRoutes()),
		Publish: func(ctx context.Context, m messages.ImageUploadV1) error {
			return publishCorrelated(ctx, pub, topology.KeyImageUpload, m.ProductID+"/"+fmt.Sprint(m.Revision), m)
		},
		RequestTimeout: a.cfg.APITimeout,
	})
	if err != nil {
		return nil, err
	}
	return a.withConsole(h, log, relist)
}

// publishCorrelated encodes m, gives it correlationID (which follows the product or
// order through every stage) and publishes it with routing key key ("" on a fanout
// exchange), carrying ctx, within which the broker's confirm is awaited.
func publishCorrelated(ctx context.Context, pub message.Publisher, key, correlationID string, m messages.Message) error {
	msg, err := router.Encode(m)
	if err != nil {
		return err
	}
	msg.Metadata.Set(middleware.MetaCorrelationID, correlationID)
	msg.SetContext(ctx)
	return pub.Publish(key, msg)
}

// serve runs routers, the app's loops and HTTP servers until ctx ends, then shuts
// them down gracefully: routers finish their in-flight messages (up to their close
// timeout).
func (a *app) serve(ctx context.Context, routers []*message.Router, servers []*http.Server) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make(chan error, len(routers)+len(servers)+len(a.loops))
	var wg sync.WaitGroup
	loops, stopLoops := context.WithCancel(context.WithoutCancel(ctx))
	defer stopLoops()
	for _, run := range a.loops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := run(loops); err != nil {
				errs <- err
			}
		}()
	}
	for _, r := range routers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.Run(ctx); err != nil {
				errs <- err
			}
			cancel()
		}()
	}
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errs <- fmt.Errorf("listen on %s: %w", s.Addr, err)
				cancel()
			}
		}()
	}
	<-ctx.Done()
	shutdown, done := context.WithTimeout(context.Background(), 30*time.Second)
	defer done()
	for _, s := range servers {
		_ = s.Shutdown(shutdown)
	}
	for _, r := range routers {
		_ = r.Close()
	}
	stopLoops()
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

// adminServer serves /healthz (the process is up), /readyz (every router runs and
// every check passes, such as the RabbitMQ connection being up), Prometheus /metrics
// and the marketplaces' order webhooks.
func (a *app) adminServer(routers []*message.Router) *http.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.ready(r.Context(), routers); err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /status", a.statusHandler(routers))
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics, promhttp.HandlerOpts{}))
	for path, h := range a.webhooks {
		mux.Handle("POST "+path, h)
	}
	return adminHTTPServer(a.cfg.AdminAddr, a.adminGuard(mux))
}

// ready says why the process is not ready, or nil: a router not running yet
// ("starting"), or the checks that fail.
func (a *app) ready(ctx context.Context, routers []*message.Router) error {
	for _, r := range routers {
		if !r.IsRunning() {
			return errors.New("starting")
		}
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var errs []error
	for _, check := range a.checks {
		if err := check(ctx); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("not ready: %w", errors.Join(errs...))
	}
	return nil
}

// apiServer serves the API. It sets no ReadTimeout: the API paces request bodies
// itself (a deadline that progress extends), so a slow client cannot hold a
// connection while a large upload at a fair rate is never cut.
func (a *app) apiServer(h http.Handler) *http.Server {
	return &http.Server{Addr: a.cfg.HTTPAddr, Handler: h, ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout: 2 * time.Minute, MaxHeaderBytes: maxHeaderBytes}
}
