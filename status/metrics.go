package status

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/stox-dev/stox/metrics"
)

// Metrics is the metrics view, read from every process's /metrics and added up
// over replicas. Latencies are seconds, over the histograms since each process
// started; null when nothing was observed.
type Metrics struct {
	Errors       []string                  `json:"errors,omitempty"`
	Stages       []Stage                   `json:"stages"`
	Listings     map[string]map[string]int `json:"listings"`
	Marketplaces []Marketplace             `json:"marketplaces"`
}

// Stage is one handler: the messages it finished by outcome, how many a second
// (null on a first report), and how long one attempt took.
type Stage struct {
	Service  string   `json:"service"`
	Handler  string   `json:"handler"`
	OK       int64    `json:"ok"`
	Errors   int64    `json:"errors"`
	Poisoned int64    `json:"poisoned"`
	Rate     *float64 `json:"rate"`
	P50      *float64 `json:"p50"`
	P95      *float64 `json:"p95"`
	P99      *float64 `json:"p99"`
}

// Marketplace is one marketplace's API use and how fast it takes stock changes:
// StockLag is from a ledger change to the marketplace acknowledging it.
type Marketplace struct {
	Name          string   `json:"name"`
	Requests      int64    `json:"requests"`
	Throttled     int64    `json:"throttled"`
	Pauses        int64    `json:"pauses"`
	PausedSeconds float64  `json:"paused_seconds"`
	StockChanges  int64    `json:"stock_changes"`
	StockLagP50   *float64 `json:"stock_lag_p50"`
	StockLagP99   *float64 `json:"stock_lag_p99"`
}

// scrape is one process's parsed /metrics.
type scrape struct {
	families map[string]*dto.MetricFamily
	err      error
	addr     string
}

func (o Options) scrape(ctx context.Context, in Instance) scrape {
	s := scrape{addr: in.Addr}
	if in.Error != "" {
		return s
	}
	body, err := o.get(ctx, "http://"+in.Addr+"/metrics", o.AdminKey)
	if err != nil {
		s.err = err
		return s
	}
	s.families, s.err = parser().TextToMetricFamilies(bytes.NewReader(body))
	return s
}

func parser() *expfmt.TextParser {
	p := expfmt.NewTextParser(model.UTF8Validation)
	return &p
}

// series calls fn with the labels of every series of family name in every scrape.
func series(scrapes []scrape, name string, fn func(labels map[string]string, m *dto.Metric)) {
	for _, s := range scrapes {
		f := s.families[name]
		if f == nil {
			continue
		}
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			fn(labels, m)
		}
	}
}

// histogram is a histogram added up over processes: cumulative counts by upper bound.
type histogram struct {
	count   uint64
	buckets map[float64]uint64
}

func (h *histogram) add(m *dto.Metric) {
	if h.buckets == nil {
		h.buckets = map[float64]uint64{}
	}
	h.count += m.GetHistogram().GetSampleCount()
	for _, b := range m.GetHistogram().GetBucket() {
		h.buckets[b.GetUpperBound()] += b.GetCumulativeCount()
	}
}

// quantile estimates the q-quantile as Prometheus's histogram_quantile does: linear
// within the bucket it falls in; in the +Inf bucket, the highest finite bound.
func (h *histogram) quantile(q float64) *float64 {
	if h == nil || h.count == 0 {
		return nil
	}
	bounds := make([]float64, 0, len(h.buckets))
	for b := range h.buckets {
		if !math.IsInf(b, 1) {
			bounds = append(bounds, b)
		}
	}
	slices.Sort(bounds)
	rank := q * float64(h.count)
	lower, below := 0.0, uint64(0)
	for _, b := range bounds {
		n := h.buckets[b]
		if float64(n) >= rank {
			v := lower + (b-lower)*(rank-float64(below))/float64(n-below)
			return &v
		}
		lower, below = b, n
	}
	if len(bounds) == 0 {
		return nil
	}
	v := bounds[len(bounds)-1]
	return &v
}

func metricsOf(scrapes []scrape, prev *Report, at time.Time) Metrics {
	v := Metrics{Listings: map[string]map[string]int{}}
	for _, s := range scrapes {
		if s.err != nil {
			v.Errors = append(v.Errors, fmt.Sprintf("%s: %v", s.addr, s.err))
		}
	}
	v.Stages = stages(scrapes, prev, at)
	v.Marketplaces = marketplaces(scrapes)
	// Every replica of a marketplace counts the same listings: the largest count is
	// the freshest.
	series(scrapes, metrics.Listings, func(l map[string]string, m *dto.Metric) {
		mp := l["marketplace"]
		if v.Listings[mp] == nil {
			v.Listings[mp] = map[string]int{}
		}
		v.Listings[mp][l["state"]] = max(v.Listings[mp][l["state"]], int(m.GetGauge().GetValue()))
	})
	return v
}

func stages(scrapes []scrape, prev *Report, at time.Time) []Stage {
	byKey := map[[2]string]*Stage{}
	stage := func(l map[string]string) *Stage {
		k := [2]string{l["service"], l["handler"]}
		if byKey[k] == nil {
			byKey[k] = &Stage{Service: k[0], Handler: k[1]}
		}
		return byKey[k]
	}
	series(scrapes, metrics.StageMessages, func(l map[string]string, m *dto.Metric) {
		s, n := stage(l), int64(m.GetCounter().GetValue())
		switch l["outcome"] {
		case "ok":
			s.OK += n
		case "error":
			s.Errors += n
		case "poisoned":
			s.Poisoned += n
		}
	})
	hists := map[[2]string]*histogram{}
	series(scrapes, metrics.StageDuration, func(l map[string]string, m *dto.Metric) {
		k := [2]string{l["service"], l["handler"]}
		stage(l)
		if hists[k] == nil {
			hists[k] = &histogram{}
		}
		hists[k].add(m)
	})
	before := map[[2]string]Stage{}
	if prev != nil {
		for _, s := range prev.Metrics.Stages {
			before[[2]string{s.Service, s.Handler}] = s
		}
	}
	out := make([]Stage, 0, len(byKey))
	for k, s := range byKey {
		h := hists[k]
		s.P50, s.P95, s.P99 = h.quantile(.5), h.quantile(.95), h.quantile(.99)
		if b, ok := before[k]; ok && at.After(prev.At) {
			s.Rate = rate(uint64(s.OK+s.Errors+s.Poisoned), uint64(b.OK+b.Errors+b.Poisoned), at.Sub(prev.At).Seconds())
		}
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Service+" "+out[i].Handler < out[j].Service+" "+out[j].Handler
	})
	return out
}

func marketplaces(scrapes []scrape) []Marketplace {
	byName := map[string]*Marketplace{}
	mp := func(l map[string]string) *Marketplace {
		n := l["marketplace"]
		if byName[n] == nil {
			byName[n] = &Marketplace{Name: n}
		}
		return byName[n]
	}
	series(scrapes, metrics.MarketplaceRequests, func(l map[string]string, m *dto.Metric) {
		n := int64(m.GetCounter().GetValue())
		mp(l).Requests += n
		if l["code"] == "429" {
			mp(l).Throttled += n
		}
	})
	series(scrapes, metrics.LimiterPauses, func(l map[string]string, m *dto.Metric) {
		mp(l).Pauses += int64(m.GetCounter().GetValue())
	})
	series(scrapes, metrics.MarketplacePaused, func(l map[string]string, m *dto.Metric) {
		mp(l).PausedSeconds = max(mp(l).PausedSeconds, m.GetGauge().GetValue())
	})
	lags := map[string]*histogram{}
	series(scrapes, metrics.StockLag, func(l map[string]string, m *dto.Metric) {
		mp(l)
		if lags[l["marketplace"]] == nil {
			lags[l["marketplace"]] = &histogram{}
		}
		lags[l["marketplace"]].add(m)
	})
	out := make([]Marketplace, 0, len(byName))
	for name, m := range byName {
		if h := lags[name]; h != nil {
			m.StockChanges = int64(h.count)
			m.StockLagP50, m.StockLagP99 = h.quantile(.5), h.quantile(.99)
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Marketplace) int { return strings.Compare(a.Name, b.Name) })
	return out
}
