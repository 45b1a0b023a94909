package metrics

import (
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Marketplace is one marketplace service's series: its HTTP client's requests, its
// limiters' pauses and its stock lag.
type Marketplace struct {
	name     string
	s        *Set
	duration prometheus.Observer
	pauses   prometheus.Counter
	// Lag measures the stock lag; see StockLagTracker.
	Lag *StockLagTracker
}

// Marketplace pre-creates the series of the marketplace service called name. The
// request counter is pre-created for the methods the adapters use, with code 200.
func (s *Set) Marketplace(name string) *Marketplace {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH"} {
		s.mpRequests.WithLabelValues(name, m, "200")
	}
	return &Marketplace{name: name, s: s, duration: s.mpDuration.WithLabelValues(name),
		pauses: s.pauses.WithLabelValues(name), Lag: newStockLag(s.lag.WithLabelValues(name), maxPendingChanges)}
}

// Paused is the limiters' pause hook (marketplace.Limiter.OnPause): it counts a pause.
func (m *Marketplace) Paused(time.Duration) { m.pauses.Inc() }

// Transport counts and times every request sent through next (nil:
// http.DefaultTransport), by method and status code, "error" when no answer came.
func (m *Marketplace) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripper{m: m, next: next}
}

type roundTripper struct {
	m    *Marketplace
	next http.RoundTripper
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.m.duration.Observe(time.Since(start).Seconds())
	t.m.s.mpRequests.WithLabelValues(t.m.name, method(req.Method), code).Inc()
	return resp, err
}

// maxPendingChanges bounds the changes a StockLagTracker remembers per marketplace.
const maxPendingChanges = 10_000

// maxPendingAge is how long a change waits for its acknowledgement before it may be
// forgotten to make room: far beyond the last bucket, for a SKU the marketplace never
// acknowledges (not listed there).
const maxPendingAge = time.Hour

// StockLagTracker remembers, per SKU, when each version still unacknowledged was
// changed in the ledger, and observes the lag when the marketplace acknowledges it.
// An acknowledgement of version v settles every remembered version up to v: the
// marketplace shows a quantity at least that new, though a coalesced push sent only
// the last. It remembers at most max changes; beyond that, changes older than
// maxPendingAge are forgotten, and then new ones are not measured.
type StockLagTracker struct {
	obs prometheus.Observer
	max int

	mu      sync.Mutex
	n       int
	pending map[string][]change // SKU → changes not yet acknowledged, by version
}

type change struct {
	version int64
	at      time.Time
}

func newStockLag(obs prometheus.Observer, max int) *StockLagTracker {
	return &StockLagTracker{obs: obs, max: max, pending: map[string][]change{}}
}

// Changed notes that version of sku was made at at, and is to be pushed. A zero at
// (a message from before ChangedAt existed, or a rebroadcast) is not measured.
func (l *StockLagTracker) Changed(sku string, version int64, at time.Time) {
	if at.IsZero() {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n >= l.max {
		l.forget(time.Now().Add(-maxPendingAge))
		if l.n >= l.max {
			return
		}
	}
	cs := l.pending[sku]
	i := len(cs)
	for i > 0 && cs[i-1].version >= version {
		if cs[i-1].version == version {
			return // a redelivery
		}
		i--
	}
	l.pending[sku] = slices.Insert(cs, i, change{version, at})
	l.n++
}

// Acked observes the lag of every remembered change of sku up to version.
func (l *StockLagTracker) Acked(sku string, version int64) {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	cs := l.pending[sku]
	i := 0
	for ; i < len(cs) && cs[i].version <= version; i++ {
		l.obs.Observe(now.Sub(cs[i].at).Seconds())
	}
	l.n -= i
	if i == len(cs) {
		delete(l.pending, sku)
		return
	}
	l.pending[sku] = cs[i:]
}

// forget drops the changes made before cutoff; l.mu is held.
func (l *StockLagTracker) forget(cutoff time.Time) {
	for sku, cs := range l.pending {
		kept := cs[:0]
		for _, c := range cs {
			if c.at.After(cutoff) {
				kept = append(kept, c)
			}
		}
		l.n -= len(cs) - len(kept)
		if len(kept) == 0 {
			delete(l.pending, sku)
		} else {
			l.pending[sku] = kept
		}
	}
}

// Pending is how many changes wait for their acknowledgement.
func (l *StockLagTracker) Pending() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}
