package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

func newSet(t *testing.T) (*Set, *prometheus.Registry) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	s, err := Register(reg)
	require.NoError(t, err)
	return s, reg
}

// gathered returns the names of the families reg exports.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

func TestRegisterShowsOnlyBuildInfoUntilServicesPrecreate(t *testing.T) {
	s, reg := newSet(t)
	fams := gathered(t, reg)
	require.Contains(t, fams, BuildInfo)
	assert.Len(t, fams, 1, "a vector without labels shows nothing")
	labels := map[string]string{}
	for _, l := range fams[BuildInfo].GetMetric()[0].GetLabel() {
		labels[l.GetName()] = l.GetValue()
	}
	assert.NotEmpty(t, labels["version"])
	assert.True(t, strings.HasPrefix(labels["goversion"], "go"), labels["goversion"])

	_, err := Register(reg)
	assert.Error(t, err, "a second set on the same registry collides")

	s.Stage("sync", "apply-order-amazon", "amazon_orders")
	s.Sync(messages.Marketplaces)
	fams = gathered(t, reg)
	for _, name := range Names("sync") {
		assert.Contains(t, fams, name)
	}
	assert.NotContains(t, fams, HTTPRequests)
	assert.Len(t, fams[Orders].GetMetric(), 9, "three marketplaces, three statuses")
}

func TestStage(t *testing.T) {
	s, reg := newSet(t)
	outcome, attempt := s.Stage("ai", "enhance-2", "ai_processing")
	s.Stage("ai", "enhance-1", "ai_processing")
	outcome("ok")
	outcome("poisoned")
	outcome("poisoned")
	outcome("bogus") // not an outcome: ignored
	attempt(30 * time.Millisecond)
	assert.Equal(t, 1.0, testutil.ToFloat64(s.stageMessages.WithLabelValues("ai", "enhance", "ok")))
	assert.Equal(t, 2.0, testutil.ToFloat64(s.stageMessages.WithLabelValues("ai", "enhance", "poisoned")))
	assert.Equal(t, 0.0, testutil.ToFloat64(s.stageMessages.WithLabelValues("ai", "enhance", "error")))
	assert.Equal(t, 2.0, testutil.ToFloat64(s.poisoned.WithLabelValues("ai_processing")))
	fams := gathered(t, reg)
	assert.Len(t, fams[StageMessages].GetMetric(), 3, "the workers are one handler")
	h := fams[StageDuration].GetMetric()[0].GetHistogram()
	assert.Equal(t, uint64(1), h.GetSampleCount())
	assert.InDelta(t, 0.03, h.GetSampleSum(), 1e-9)
}

func TestTrimWorker(t *testing.T) {
	for in, want := range map[string]string{
		"enhance-12": "enhance", "apply-order-amazon": "apply-order-amazon", "intake": "intake",
		"v2": "v2", "-3": "-3", "step-": "step-",
	} {
		assert.Equal(t, want, trimWorker(in), in)
	}
}

func TestHTTP(t *testing.T) {
	s, _ := newSet(t)
	observe := s.HTTP([]Route{{"POST", "/v1/products", 202}, {"GET", "/v1/products/{id}", 200}})
	assert.Equal(t, 0.0, testutil.ToFloat64(s.httpRequests.WithLabelValues("/v1/products", "POST", "202")))
	assert.Equal(t, 2, testutil.CollectAndCount(s.httpRequests), "pre-created")
	observe("/v1/products/{id}", "GET", 404, time.Millisecond)
	observe("other", "BREW", 405, time.Millisecond)
	assert.Equal(t, 1.0, testutil.ToFloat64(s.httpRequests.WithLabelValues("/v1/products/{id}", "GET", "404")))
	assert.Equal(t, 1.0, testutil.ToFloat64(s.httpRequests.WithLabelValues("other", "other", "405")),
		"a method no route knows does not become a label value")
}

func TestMarketplaceTransport(t *testing.T) {
	s, reg := newSet(t)
	m := s.Marketplace(messages.Trendyol)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	hc := &http.Client{Transport: m.Transport(nil)}
	res, err := hc.Post(srv.URL, "application/json", strings.NewReader("{}"))
	require.NoError(t, err)
	_ = res.Body.Close()
	_, err = hc.Get("http://127.0.0.1:1/") // nothing listens
	require.Error(t, err)
	m.Paused(time.Second)
	assert.Equal(t, 1.0, testutil.ToFloat64(s.mpRequests.WithLabelValues("trendyol", "POST", "429")))
	assert.Equal(t, 1.0, testutil.ToFloat64(s.mpRequests.WithLabelValues("trendyol", "GET", "error")))
	assert.Equal(t, 0.0, testutil.ToFloat64(s.mpRequests.WithLabelValues("trendyol", "PUT", "200")), "pre-created")
	assert.Equal(t, 1.0, testutil.ToFloat64(s.pauses.WithLabelValues("trendyol")))
	fams := gathered(t, reg)
	for _, name := range marketplaceNames {
		if name == Listings || name == OutboxDepth || name == MarketplacePaused {
			continue // the publisher's collector exports these
		}
		assert.Contains(t, fams, name)
	}
	assert.Equal(t, uint64(2), fams[MarketplaceDuration].GetMetric()[0].GetHistogram().GetSampleCount())
}

// lagCount is how many lags the tracker observed, and their sum.
func lagCount(t *testing.T, s *Set, marketplace string) (uint64, float64) {
	t.Helper()
	var m dto.Metric
	require.NoError(t, s.lag.WithLabelValues(marketplace).(prometheus.Metric).Write(&m))
	return m.GetHistogram().GetSampleCount(), m.GetHistogram().GetSampleSum()
}

func TestStockLag(t *testing.T) {
	s, _ := newSet(t)
	l := s.Marketplace(messages.Amazon).Lag
	now := time.Now()
	l.Changed("A", 2, now.Add(-2*time.Second))
	l.Changed("A", 2, now.Add(-2*time.Second)) // a redelivery
	l.Changed("A", 4, now.Add(-time.Second))
	l.Changed("A", 3, now.Add(-1500*time.Millisecond)) // late, still ordered by version
	l.Changed("B", 1, time.Time{})                     // no ChangedAt: not measured
	assert.Equal(t, 3, l.Pending())

	l.Acked("A", 3)
	n, sum := lagCount(t, s, messages.Amazon)
	assert.Equal(t, uint64(2), n, "versions 2 and 3 are settled by the acknowledgement of 3")
	assert.InDelta(t, 3.5, sum, 0.5)
	assert.Equal(t, 1, l.Pending())
	l.Acked("A", 3) // again: nothing left up to 3
	l.Acked("B", 1)
	n, _ = lagCount(t, s, messages.Amazon)
	assert.Equal(t, uint64(2), n)
	l.Acked("A", 9)
	n, _ = lagCount(t, s, messages.Amazon)
	assert.Equal(t, uint64(3), n)
	assert.Zero(t, l.Pending())
}

func TestStockLagIsBounded(t *testing.T) {
	s, _ := newSet(t)
	l := newStockLag(s.lag.WithLabelValues("amazon"), 3)
	old := time.Now().Add(-2 * maxPendingAge)
	l.Changed("OLD", 1, old)
	l.Changed("A", 1, time.Now())
	l.Changed("B", 1, time.Now())
	assert.Equal(t, 3, l.Pending())
	l.Changed("C", 1, time.Now())
	assert.Equal(t, 3, l.Pending(), "the change older than maxPendingAge made room")
	l.Changed("D", 1, time.Now())
	assert.Equal(t, 3, l.Pending(), "full of recent changes: D is not measured")
	l.Acked("D", 1)
	n, _ := lagCount(t, s, "amazon")
	assert.Zero(t, n)
	l.Acked("C", 1)
	n, _ = lagCount(t, s, "amazon")
	assert.Equal(t, uint64(1), n)
}

func TestNames(t *testing.T) {
	assert.Equal(t, []string{BuildInfo, PoisonedMessages, StageDuration, StageMessages}, Names("ai"))
	assert.Contains(t, Names("image"), HTTPRequests)
	assert.Contains(t, Names("hepsiburada"), StockLag)
	assert.NotContains(t, Names("sync"), StockLag)
	run := Names("run")
	for _, service := range append([]string{"image", "ai", "seo", "sync"}, messages.Marketplaces...) {
		assert.Subset(t, run, Names(service))
	}
	assert.Len(t, run, 15, "every name of the spec")
}
