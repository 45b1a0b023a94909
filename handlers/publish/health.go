package publish

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/store"
)

// loopHealth is how one of the publisher's loops fares.
type loopHealth struct {
	ok      time.Time // when a round last succeeded
	failing int       // rounds failed in a row
	failed  int       // rounds failed since start
	err     error     // the last failure
}

func (p *Publisher) loopHealth(name string) *loopHealth {
	p.mu.Lock()
	defer p.mu.Unlock()
	h, ok := p.health[name]
	if !ok {
		h = &loopHealth{}
		p.health[name] = h
	}
	return h
}

// record notes the outcome of a round of the loop called name.
func (p *Publisher) record(name string, err error) {
	h := p.loopHealth(name)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err == nil {
		h.ok, h.failing, h.err = time.Now(), 0, nil
		return
	}
	h.failing++
	h.failed++
	h.err = err
}

// Ready says why the marketplace service cannot do its work now, or nil: the
// database does not answer, or the marketplace refuses our credentials.
func (p *Publisher) Ready(ctx context.Context) error {
	p.init()
	var errs []error
	if _, err := p.Outbox.Backlog(ctx, p.Client.Name(), p.MaxFailures); err != nil {
		errs = append(errs, fmt.Errorf("%s: database: %w", p.Client.Name(), err))
	}
	p.mu.Lock()
	for name, h := range p.health {
		if h.failing > 0 && errors.Is(h.err, marketplace.ErrUnauthorized) {
			errs = append(errs, fmt.Errorf("%s refuses our credentials (%s loop): %w", p.Client.Name(), name, h.err))
			break
		}
	}
	p.mu.Unlock()
	return errors.Join(errs...)
}

// descs are a publisher's metrics, labelled with its marketplace.
type descs struct {
	listings, depth, paused, failed, since, drift *prometheus.Desc
}

func newDescs(marketplace string) descs {
	l := prometheus.Labels{"marketplace": marketplace}
	return descs{
		listings: prometheus.NewDesc(metrics.Listings, "Listings of current revisions by state.", []string{"state"}, l),
		depth: prometheus.NewDesc(metrics.OutboxDepth,
			"The outbox: listings waiting to be sent to or decided by the marketplace (queued, submitted), and SKUs whose stock it has not acknowledged.",
			[]string{"kind"}, l),
		paused: prometheus.NewDesc(metrics.MarketplacePaused,
			"How much longer the marketplace's Retry-After holds our requests back.", nil, l),
		failed: prometheus.NewDesc("stox_marketplace_rounds_failed_total",
			"Rounds of a marketplace loop that failed (listings, submissions, stock, orders, taxonomy, inputs, reconcile).",
			[]string{"loop"}, l),
		since: prometheus.NewDesc("stox_marketplace_since_success_seconds",
			"Seconds since a round of the loop last succeeded (since start, when none has).", []string{"loop"}, l),
		drift: prometheus.NewDesc("stox_marketplace_stock_drift_total",
			"SKUs whose stock on the marketplace differed from the ledger's and was pushed again.", nil, l),
	}
}

// Describe implements prometheus.Collector.
func (p *Publisher) Describe(ch chan<- *prometheus.Desc) {
	p.init()
	for _, d := range []*prometheus.Desc{p.descs.listings, p.descs.depth, p.descs.paused, p.descs.failed, p.descs.since, p.descs.drift} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the outbox is counted at each scrape.
func (p *Publisher) Collect(ch chan<- prometheus.Metric) {
	p.init()
	d := p.descs
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if b, err := p.Outbox.Backlog(ctx, p.Client.Name(), p.MaxFailures); err == nil {
		for _, state := range []string{store.ListingNeedsInput, store.ListingQueued, store.ListingSubmitted, store.ListingAccepted, store.ListingRejected} {
			ch <- prometheus.MustNewConstMetric(d.listings, prometheus.GaugeValue, float64(b.Listings[state]), state)
		}
		waiting := b.Listings[store.ListingQueued] + b.Listings[store.ListingSubmitted]
		ch <- prometheus.MustNewConstMetric(d.depth, prometheus.GaugeValue, float64(waiting), "listings")
		ch <- prometheus.MustNewConstMetric(d.depth, prometheus.GaugeValue, float64(b.Unpushed), "stock")
	}
	ch <- prometheus.MustNewConstMetric(d.paused, prometheus.GaugeValue, p.Limiter.Paused().Seconds())
	p.mu.Lock()
	defer p.mu.Unlock()
	for loop, h := range p.health {
		ch <- prometheus.MustNewConstMetric(d.failed, prometheus.CounterValue, float64(h.failed), loop)
		since := p.started
		if !h.ok.IsZero() {
			since = h.ok
		}
		ch <- prometheus.MustNewConstMetric(d.since, prometheus.GaugeValue, time.Since(since).Seconds(), loop)
	}
	ch <- prometheus.MustNewConstMetric(d.drift, prometheus.CounterValue, float64(p.drifted))
}

// backlogCache keeps the outbox's size for a second, for the throttle's checks.
type backlogCache struct {
	mu   sync.Mutex
	at   time.Time
	busy int // listings queued or submitted
}

// Backpressure is the error a throttled handler returns when the marketplace cannot
// take more now: the message stays in its queue and is tried again later, without
// counting as a failed attempt (it says Unavailable).
type Backpressure struct{ Reason string }

func (e *Backpressure) Error() string     { return "backpressure: " + e.Reason }
func (e *Backpressure) Unavailable() bool { return true }

// hold says why the listing handler should take no message now, or "".
func (p *Publisher) hold(ctx context.Context) (string, error) {
	if d := p.Limiter.Paused(); d > 0 {
		return fmt.Sprintf("%s asked us to wait %s", p.Client.Name(), d.Round(time.Second)), nil
	}
	if p.HighWater < 0 {
		return "", nil
	}
	p.backlog.mu.Lock()
	defer p.backlog.mu.Unlock()
	if time.Since(p.backlog.at) > time.Second {
		b, err := p.Outbox.Backlog(ctx, p.Client.Name(), p.MaxFailures)
		if err != nil {
			return "", err
		}
		p.backlog.at, p.backlog.busy = time.Now(), b.Listings[store.ListingQueued]+b.Listings[store.ListingSubmitted]
	}
	if p.backlog.busy >= p.HighWater {
		return fmt.Sprintf("%d listings wait to be sent to or decided by %s (high-water mark %d)", p.backlog.busy, p.Client.Name(), p.HighWater), nil
	}
	return "", nil
}

// Throttle wraps the listing handler: while the marketplace has paused us
// (Retry-After) or HighWater listings wait in the outbox, it takes no message. It
// waits, checking every second, for up to 30s or until ctx ends, then returns a Backpressure error, so
// the backlog waits in the broker's queue, where it is seen and bounded (a full queue
// refuses the stage before it), not in the outbox.
func Throttle[T any](p *Publisher, h func(context.Context, T) error) func(context.Context, T) error {
	return func(ctx context.Context, m T) error {
		p.init()
		giveUp := time.After(30 * time.Second)
		for {
			reason, err := p.hold(ctx)
			if err != nil {
				return err
			}
			if reason == "" {
				return h(ctx, m)
			}
			select {
			case <-ctx.Done():
				return &Backpressure{Reason: reason}
			case <-giveUp:
				return &Backpressure{Reason: reason}
			case <-time.After(time.Second):
			}
		}
	}
}
