// Package metrics holds the Prometheus series Stox's services export on their admin
// /metrics, under the names dashboards and alert rules use. Register creates every
// collector on one registry; each service then pre-creates the label values it knows
// at start (its handlers and queues, its marketplace, the order statuses), so its
// series exist at zero before the first message. Handlers and the API never see
// Prometheus: they get the plain functions this package hands out.
package metrics

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
)

// The names of Stox's own series.
const (
	BuildInfo           = "stox_build_info"
	HTTPRequests        = "stox_http_requests_total"
	HTTPRequestDuration = "stox_http_request_duration_seconds"
	StageMessages       = "stox_stage_messages_total"
	StageDuration       = "stox_stage_duration_seconds"
	Listings            = "stox_listings"
	OutboxDepth         = "stox_outbox_depth"
	MarketplaceRequests = "stox_marketplace_requests_total"
	MarketplaceDuration = "stox_marketplace_request_duration_seconds"
	LimiterPauses       = "stox_marketplace_limiter_pauses_total"
	MarketplacePaused   = "stox_marketplace_paused_seconds"
	StockLag            = "stox_stock_lag_seconds"
	Orders              = "stox_orders_total"
	Oversells           = "stox_oversells_total"
	PoisonedMessages    = "stox_poisoned_messages_total"
)

// marketplaceRequestTimeout is the marketplace clients' timeout in seconds: the last
// bucket of their requests' durations.
const marketplaceRequestTimeout = 30

// Names lists the series a service registers at start, sorted: what its /metrics
// shows before it handled anything. service is a name `stox serve` takes, or "run"
// for every service in one process (stox run).
func Names(service string) []string {
	names := []string{BuildInfo, StageMessages, StageDuration, PoisonedMessages}
	switch {
	case service == "run":
		names = append(names, HTTPRequests, HTTPRequestDuration, Orders, Oversells)
		names = append(names, marketplaceNames...)
	case service == "image":
		names = append(names, HTTPRequests, HTTPRequestDuration)
	case service == "sync":
		names = append(names, Orders, Oversells)
	case messages.IsMarketplace(service):
		names = append(names, marketplaceNames...)
	}
	slices.Sort(names)
	return names
}

var marketplaceNames = []string{Listings, OutboxDepth, MarketplaceRequests, MarketplaceDuration,
	LimiterPauses, MarketplacePaused, StockLag}

// Set is the collectors of one process, registered on its registry.
type Set struct {
	httpRequests  *prometheus.CounterVec
	httpDuration  *prometheus.HistogramVec
	stageMessages *prometheus.CounterVec
	stageDuration *prometheus.HistogramVec
	poisoned      *prometheus.CounterVec
	mpRequests    *prometheus.CounterVec
	mpDuration    *prometheus.HistogramVec
	pauses        *prometheus.CounterVec
	lag           *prometheus.HistogramVec
	orders        *prometheus.CounterVec
	oversells     *prometheus.CounterVec
}

// Register creates Stox's collectors on reg and sets the build's stox_build_info.
// A vector shows no series until a service pre-creates its labels (Stage, HTTP,
// Marketplace, Sync), so a service exports only its own.
func Register(reg prometheus.Registerer) (*Set, error) {
	counter := func(name, help string, labels ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	}
	histogram := func(name, help string, buckets []float64, labels ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name, Help: help, Buckets: buckets}, labels)
	}
	s := &Set{
		httpRequests: counter(HTTPRequests, "API requests answered, by route pattern (other: no route), method and status code.",
			"route", "method", "code"),
		httpDuration: histogram(HTTPRequestDuration, "Time to answer an API request, uploads included.",
			[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}, "route", "method"),
		stageMessages: counter(StageMessages, "Messages a handler finished with, by outcome: ok (acked), error (back to its queue), poisoned (to its poison queue).",
			"service", "handler", "outcome"),
		stageDuration: histogram(StageDuration, "Time of one attempt of a handler at a message, retries counted apart.",
			[]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}, "service", "handler"),
		poisoned: counter(PoisonedMessages, "Messages this service sent to a poison queue, by the queue they came from.", "queue"),
		mpRequests: counter(MarketplaceRequests, "HTTP requests to the marketplace's API, by method and status code (error: no answer).",
			"marketplace", "method", "code"),
		mpDuration: histogram(MarketplaceDuration, "Time until the marketplace's API answered (its headers) or failed.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, marketplaceRequestTimeout}, "marketplace"),
		pauses: counter(LimiterPauses, "Pauses of a marketplace limiter after a throttled (429) answer with Retry-After.", "marketplace"),
		lag: histogram(StockLag, "Time from a ledger change (an order applied, stock set by hand) to the marketplace acknowledging that quantity or a newer one.",
			[]float64{.01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120}, "marketplace"),
		orders:    counter(Orders, "Order messages the sync service applied to the ledger (a redelivery counts again), by status.", "marketplace", "status"),
		oversells: counter(Oversells, "Order lines the ledger could not cover with stock (recorded oversells).", "marketplace"),
	}
	info := prometheus.NewGauge(prometheus.GaugeOpts{Name: BuildInfo, Help: "Always 1; its labels say which build runs.",
		ConstLabels: prometheus.Labels{"version": version(), "goversion": runtime.Version()}})
	info.Set(1)
	for _, c := range []prometheus.Collector{info, s.httpRequests, s.httpDuration, s.stageMessages, s.stageDuration,
		s.poisoned, s.mpRequests, s.mpDuration, s.pauses, s.lag, s.orders, s.oversells} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// version is the module's version, or the VCS revision of a development build.
func version() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	switch {
	case rev == "":
		return "devel"
	case dirty:
		return rev + "-dirty"
	}
	return rev
}

// Stage pre-creates the series of one handler of service consuming queue (its name
// on the broker) and returns what its stack calls: outcome once per message, attempt
// once per try. ai's competing workers (enhance-1, enhance-2, …) are one handler.
func (s *Set) Stage(service, handler, queue string) (outcome func(string), attempt func(time.Duration)) {
	handler = trimWorker(handler)
	counts := map[string]prometheus.Counter{}
	for _, o := range []string{middleware.OutcomeOK, middleware.OutcomeError, middleware.OutcomePoisoned} {
		counts[o] = s.stageMessages.WithLabelValues(service, handler, o)
	}
	poisoned := s.poisoned.WithLabelValues(queue)
	took := s.stageDuration.WithLabelValues(service, handler)
	outcome = func(o string) {
		if c, ok := counts[o]; ok {
			c.Inc()
		}
		if o == middleware.OutcomePoisoned {
			poisoned.Inc()
		}
	}
	return outcome, func(d time.Duration) { took.Observe(d.Seconds()) }
}

// trimWorker drops a worker number ("enhance-3" → "enhance").
func trimWorker(handler string) string {
	i := len(handler)
	for i > 0 && handler[i-1] >= '0' && handler[i-1] <= '9' {
		i--
	}
	if i < len(handler) && i > 1 && handler[i-1] == '-' {
		return handler[:i-1]
	}
	return handler
}

// Route is an API route as its mux pattern's path, its method, and the status code of
// its success (pre-created at zero).
type Route struct {
	Method, Path string
	Code         int
}

// HTTP pre-creates the API's series for routes and returns what the API calls after
// each answer: route is the pattern's path, "other" when no route matched.
func (s *Set) HTTP(routes []Route) func(route, method string, code int, took time.Duration) {
	for _, r := range routes {
		s.httpRequests.WithLabelValues(r.Path, method(r.Method), strconv.Itoa(r.Code))
		s.httpDuration.WithLabelValues(r.Path, method(r.Method))
	}
	return func(route, m string, code int, took time.Duration) {
		m = method(m)
		s.httpRequests.WithLabelValues(route, m, strconv.Itoa(code)).Inc()
		s.httpDuration.WithLabelValues(route, m).Observe(took.Seconds())
	}
}

// method bounds the method label: a client may send any token.
func method(m string) string {
	switch m {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return m
	}
	return "other"
}

// Sync pre-creates the sync service's series for marketplaces and returns what it
// calls for each order message applied, with the oversells the ledger recorded.
func (s *Set) Sync(marketplaces []string) func(o messages.OrderV1, oversold int) {
	for _, m := range marketplaces {
		for _, st := range []string{messages.OrderCreated, messages.OrderCancelled, messages.OrderReturned} {
			s.orders.WithLabelValues(m, st)
		}
		s.oversells.WithLabelValues(m)
	}
	return func(o messages.OrderV1, oversold int) {
		s.orders.WithLabelValues(o.Marketplace, o.Status).Inc()
		if oversold > 0 {
			s.oversells.WithLabelValues(o.Marketplace).Add(float64(oversold))
		}
	}
}
