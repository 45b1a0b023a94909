// Package router builds one Watermill router per service from its dependencies: the
// standard middleware stack around typed handlers (Handle, HandleMany, Consume in
// adapt.go), consuming the service's queues and publishing to the exchanges the
// topology names. The broker is chosen in cmd/stox; handlers see only functions.
package router

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/components/metrics"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// Deps is what every service router needs.
type Deps struct {
	Broker broker.Broker
	Logger *slog.Logger
	// Retry and Timeout configure the standard middleware stack.
	Retry   middleware.Retry
	Timeout time.Duration
	// Metrics, when set, gets Watermill's router metrics under stox_<service>_….
	Metrics prometheus.Registerer
	// Stages, when set, counts each handler's messages and times its attempts.
	Stages Stages
	// CloseTimeout bounds how long a closing router waits for in-flight handlers.
	CloseTimeout time.Duration
	// Unavailable, when set, recognises errors of the service's dependencies that
	// mean they are unavailable (store.Unavailable): retried while the outage lasts,
	// never poisoned.
	Unavailable func(error) bool
}

// Stages counts and times handlers (metrics.Set is one): Stage is called once per
// handler as it is added, with its service, its name and the broker's name of the
// queue it consumes, and returns what the handler's stack calls: outcome once per
// message (ok, error, poisoned), attempt once per try.
type Stages interface {
	Stage(service, handler, queue string) (outcome func(string), attempt func(time.Duration))
}

// service is a router under construction; it names handlers and finds queues.
type service struct {
	name string
	d    Deps
	r    *message.Router
	// mw configures the standard stack; each handler gets its own, with its output.
	mw middleware.Config
}

func newService(name string, d Deps) (*service, error) {
	if d.Broker == nil {
		return nil, errors.New("router: no broker")
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	if d.CloseTimeout == 0 {
		d.CloseTimeout = 30 * time.Second
	}
	logger := d.Logger.With("service", name)
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: d.CloseTimeout}, middleware.Logger(logger))
	if err != nil {
		return nil, err
	}
	poison, err := d.Broker.Publisher(d.Broker.Topology().Name(topology.ExchangePoison))
	if err != nil {
		return nil, fmt.Errorf("%s: poison publisher: %w", name, err)
	}
	mw := middleware.Config{Retry: d.Retry, Timeout: d.Timeout, Poison: poison, Unavailable: d.Unavailable, Logger: logger}
	if _, err := middleware.Stack(mw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if d.Metrics != nil {
		metrics.NewPrometheusMetricsBuilder(d.Metrics, "stox", name).AddPrometheusRouterMetrics(r)
	}
	return &service{name: name, d: d, r: r, mw: mw}, nil
}

// handle adds a handler consuming queue (a logical name) and publishing what it
// returns to exchange with routing key key. The stack publishes it (middleware.Output),
// not the router, so a refused publish is retried with backoff.
func (s *service) handle(name, queue, exchange, key string, h message.HandlerFunc) error {
	pub, err := s.d.Broker.Publisher(s.d.Broker.Topology().Name(exchange))
	if err != nil {
		return err
	}
	return s.add(name, queue, middleware.Output{Publisher: pub, Topic: key}, h)
}

// consume adds a handler consuming queue that publishes nothing.
func (s *service) consume(name, queue string, h message.NoPublishHandlerFunc) error {
	return s.add(name, queue, middleware.Output{}, func(msg *message.Message) ([]*message.Message, error) {
		return nil, h(msg)
	})
}

// add wraps h in the standard stack and adds it to the router.
func (s *service) add(name, queue string, out middleware.Output, h message.HandlerFunc) error {
	sub, err := s.d.Broker.Subscriber()
	if err != nil {
		return err
	}
	c := s.mw
	c.Output = out
	queue = s.d.Broker.Topology().Name(queue)
	if s.d.Stages != nil {
		c.Outcome, c.Attempt = s.d.Stages.Stage(s.name, name, queue)
	}
	stack, err := middleware.Stack(c)
	if err != nil {
		return fmt.Errorf("%s.%s: %w", s.name, name, err)
	}
	for i := len(stack) - 1; i >= 0; i-- {
		h = stack[i](h)
	}
	s.r.AddConsumerHandler(s.name+"."+name, queue, sub, func(msg *message.Message) error {
		_, err := h(msg)
		return err
	})
	return nil
}

// NewImage builds the image service's router: the intake handler turns uploads into
// work for the AI stage.
func NewImage(d Deps, prepare func(context.Context, messages.ImageUploadV1) (messages.ImageProcessV1, error)) (*message.Router, error) {
	s, err := newService("image", d)
	if err != nil {
		return nil, err
	}
	if err := s.handle("intake", topology.QueueImageUploads, topology.ExchangeImages, topology.KeyImageProcess, Handle(prepare)); err != nil {
		return nil, err
	}
	return s.r, nil
}

// NewAI builds the ai service's router with workers competing handlers on one queue
// (one AMQP subscription handles one message at a time).
func NewAI(d Deps, workers int, enhance func(context.Context, messages.ImageProcessV1) (messages.ImageEnhancedV1, error)) (*message.Router, error) {
	if workers < 1 {
		return nil, fmt.Errorf("ai: workers must be at least 1, got %d", workers)
	}
	s, err := newService("ai", d)
	if err != nil {
		return nil, err
	}
	for i := 1; i <= workers; i++ {
		if err := s.handle(fmt.Sprintf("enhance-%d", i), topology.QueueAIProcessing, topology.ExchangeImages, topology.KeyImageEnhanced, Handle(enhance)); err != nil {
			return nil, err
		}
	}
	return s.r, nil
}

// NewSEO builds the seo service's router: enhanced products become listings on the
// marketplaces fanout.
func NewSEO(d Deps, write func(context.Context, messages.ImageEnhancedV1) (messages.ListingV1, error)) (*message.Router, error) {
	s, err := newService("seo", d)
	if err != nil {
		return nil, err
	}
	if err := s.handle("write", topology.QueueSEOGeneration, topology.ExchangeMarketplaces, "", Handle(write)); err != nil {
		return nil, err
	}
	return s.r, nil
}

// Marketplace is what a marketplace service does with the messages it consumes.
type Marketplace struct {
	// Name is the marketplace: amazon, trendyol or hepsiburada.
	Name string
	// Listing handles a listing from the marketplaces fanout.
	Listing func(context.Context, messages.ListingV1) error
	// Stock handles a new quantity from the inventory fanout.
	Stock func(context.Context, messages.StockV1) error
}

// NewMarketplace builds one marketplace service's router: its listings queue and its
// stock queue.
func NewMarketplace(d Deps, m Marketplace) (*message.Router, error) {
	if !messages.IsMarketplace(m.Name) {
		return nil, fmt.Errorf("marketplace: unknown marketplace %q", m.Name)
	}
	if m.Listing == nil || m.Stock == nil {
		return nil, fmt.Errorf("%s: listing and stock handlers are required", m.Name)
	}
	s, err := newService(m.Name, d)
	if err != nil {
		return nil, err
	}
	if err := s.consume("listing", topology.ListingsQueue(m.Name), Consume(m.Listing)); err != nil {
		return nil, err
	}
	if err := s.consume("stock", topology.StockQueue(m.Name), Consume(m.Stock)); err != nil {
		return nil, err
	}
	return s.r, nil
}

// NewSync builds the sync service's router: orders from every marketplace become new
// stock quantities on the inventory fanout.
func NewSync(d Deps, marketplaces []string, apply func(context.Context, messages.OrderV1) ([]messages.StockV1, error)) (*message.Router, error) {
	s, err := newService("sync", d)
	if err != nil {
		return nil, err
	}
	for _, m := range marketplaces {
		if err := s.handle("apply-order-"+m, topology.OrdersQueue(m), topology.ExchangeInventory, "", HandleMany(apply)); err != nil {
			return nil, err
		}
	}
	return s.r, nil
}
