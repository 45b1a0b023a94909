package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// scrape is one read of an admin server's /metrics: the families by name (with their
// type) and every sample by its name and labels as the text format prints them.
type scrape struct {
	families map[string]string
	samples  map[string]float64
}

// scrapeMetrics reads base's /metrics.
func scrapeMetrics(t *testing.T, base string) scrape {
	t.Helper()
	res, err := http.Get(base + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	return parseMetrics(t, res.Body)
}

func parseMetrics(t *testing.T, r io.Reader) scrape {
	t.Helper()
	s := scrape{families: map[string]string{}, samples: map[string]float64{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(f, " ")
			s.families[name] = typ
			continue
		}
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		require.Positive(t, i, line)
		v, err := strconv.ParseFloat(line[i+1:], 64)
		require.NoError(t, err, line)
		s.samples[line[:i]] = v
	}
	require.NoError(t, sc.Err())
	return s
}

// value returns a sample, failing when it is missing.
func (s scrape) value(t *testing.T, sample string) float64 {
	t.Helper()
	v, ok := s.samples[sample]
	require.True(t, ok, "no sample %s", sample)
	return v
}

// startServices builds the routers of the services named (and the API when "image"
// is one of them) on the in-memory broker and SQLite, as `stox serve` and `stox run`
// do, without running them, and serves their admin server.
func startServices(t *testing.T, names ...string) (*app, string) {
	t.Helper()
	cfg := baseConfig(t)
	cfg.Marketplaces = defaultMarketplaces(t)
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	t.Cleanup(a.close)
	var routers []*message.Router
	for _, name := range names {
		r, err := a.router(name)
		require.NoError(t, err, name)
		routers = append(routers, r)
	}
	if slices.Contains(names, "image") {
		_, err := a.apiHandler()
		require.NoError(t, err)
	}
	srv := httptest.NewServer(a.adminServer(routers).Handler)
	t.Cleanup(srv.Close)
	return a, srv.URL
}

// TestMetricsAtStart: every service's /metrics shows each of its series before it
// handled anything, at zero, with the label values known at start; `stox run`
// shows every one of them.
func TestMetricsAtStart(t *testing.T) {
	for _, name := range append(slices.Clone(services), "run") {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			names := []string{name}
			if name == "run" {
				names = services
			}
			_, base := startServices(t, names...)
			s := scrapeMetrics(t, base)
			for _, family := range metrics.Names(name) {
				assert.Contains(t, s.families, family, "%s: %s", name, family)
			}
			for family, typ := range s.families {
				if !strings.HasPrefix(family, "stox_") || typ != "counter" {
					continue
				}
				for sample, v := range s.samples {
					if strings.HasPrefix(sample, family+"{") {
						assert.Zero(t, v, "%s at start", sample)
					}
				}
			}
			assertPrecreated(t, name, s)
		})
	}
}

// assertPrecreated checks a few of the label values each service knows at start.
func assertPrecreated(t *testing.T, name string, s scrape) {
	t.Helper()
	run := name == "run"
	if run || name == "image" {
		assert.Zero(t, s.value(t, `stox_http_requests_total{code="202",method="POST",route="/v1/products"}`))
		assert.Zero(t, s.value(t, `stox_http_request_duration_seconds_count{method="GET",route="/v1/products/{id}"}`))
		assert.Zero(t, s.value(t, `stox_stage_messages_total{handler="intake",outcome="poisoned",service="image"}`))
		assert.Zero(t, s.value(t, `stox_poisoned_messages_total{queue="image_uploads"}`))
	}
	if run || name == "ai" {
		assert.Zero(t, s.value(t, `stox_stage_duration_seconds_count{handler="enhance",service="ai"}`), "the workers are one handler")
	}
	if run || name == "sync" {
		assert.Zero(t, s.value(t, `stox_orders_total{marketplace="amazon",status="created"}`))
		assert.Zero(t, s.value(t, `stox_oversells_total{marketplace="hepsiburada"}`))
		assert.Zero(t, s.value(t, `stox_poisoned_messages_total{queue="trendyol_orders"}`))
	}
	for _, m := range messages.Marketplaces {
		if !run && name != m {
			continue
		}
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_listings{marketplace="%s",state="queued"}`, m)))
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_outbox_depth{kind="stock",marketplace="%s"}`, m)))
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_marketplace_requests_total{code="200",marketplace="%s",method="GET"}`, m)))
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_marketplace_limiter_pauses_total{marketplace="%s"}`, m)))
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_stock_lag_seconds_count{marketplace="%s"}`, m)))
		assert.Zero(t, s.value(t, fmt.Sprintf(`stox_poisoned_messages_total{queue="%s_stock"}`, m)))
	}
}

// TestMetricsMove runs every service in one process against the sandbox and watches
// the series move: the API's requests by route and code, the marketplaces' requests by
// code, a poisoned order, orders applied, and the stock lag from an order on each
// marketplace to every marketplace's acknowledgement.
func TestMetricsMove(t *testing.T) {
	e2eParallel(t)
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb, sbSrv := serveSandbox(t)
	cfg := marketConfig(t, baseConfig(t), sbSrv.URL)
	a, srv, _ := startApp(t, ctx, cfg, log, nil)
	admin := httptest.NewServer(a.adminServer(nil).Handler)
	defer admin.Close()

	res, err := http.Get(srv.URL + "/v1/products/no-such-product")
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusNotFound, res.StatusCode)
	id := upload(t, srv.URL, 0, 1)
	s := scrapeMetrics(t, admin.URL)
	assert.Equal(t, 1.0, s.value(t, `stox_http_requests_total{code="404",method="GET",route="/v1/products/{id}"}`))
	assert.Equal(t, 1.0, s.value(t, `stox_http_requests_total{code="202",method="POST",route="/v1/products"}`))

	// An order no ledger can apply goes to its poison queue, and is counted there.
	pub, err := a.broker.Publisher(a.broker.Topology().Name(topology.ExchangeOrders))
	require.NoError(t, err)
	bad, err := router.Encode(messages.OrderV1{Marketplace: messages.Trendyol, OrderID: "bad", Status: "shipped",
		Lines: []messages.OrderLine{{LineID: "1", SKU: "SKU-0000", Quantity: 1}}})
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topology.OrderKey(messages.Trendyol), bad))
	waitFor(t, time.Minute, "the bad order poisoned", func() (bool, string) {
		s := scrapeMetrics(t, admin.URL)
		v := s.samples[`stox_poisoned_messages_total{queue="trendyol_orders"}`]
		return v == 1 && s.samples[`stox_stage_messages_total{handler="apply-order-trendyol",outcome="poisoned",service="sync"}`] == 1,
			fmt.Sprintf("poisoned %v", v)
	})

	answered := map[string]bool{}
	waitFor(t, 3*time.Minute, "the product accepted on every marketplace", func() (bool, string) {
		p, err := a.store.Product(ctx, id)
		require.NoError(t, err)
		accepted := 0
		for _, m := range messages.Marketplaces {
			l := p.Listings[m]
			if l.State == store.ListingNeedsInput && !answered[m] {
				supplyInput(t, srv.URL, id, m, l)
				answered[m] = true
			}
			if l.State == store.ListingAccepted {
				accepted++
			}
		}
		return accepted == len(messages.Marketplaces), fmt.Sprintf("%d accepted", accepted)
	})
	waitStock(t, sb, []string{"SKU-0000"}, func(string) int { return initialStock }, "initial stock everywhere")
	_, err = sb.PlaceOrder(messages.Hepsiburada, "SKU-0000", 2)
	require.NoError(t, err)
	waitFor(t, 2*time.Minute, "the order's stock lag observed on every marketplace", func() (bool, string) {
		s := scrapeMetrics(t, admin.URL)
		var counts []float64
		for _, m := range messages.Marketplaces {
			counts = append(counts, s.samples[fmt.Sprintf(`stox_stock_lag_seconds_count{marketplace="%s"}`, m)])
		}
		return !slices.Contains(counts, 0), fmt.Sprintf("lag counts %v", counts)
	})
	s = scrapeMetrics(t, admin.URL)
	assert.Equal(t, 1.0, s.value(t, `stox_orders_total{marketplace="hepsiburada",status="created"}`))
	for _, m := range messages.Marketplaces {
		sum := s.value(t, fmt.Sprintf(`stox_stock_lag_seconds_sum{marketplace="%s"}`, m))
		assert.Greater(t, sum, 0.0, m)
		assert.Less(t, sum, 60.0, "%s: a lag measured from the ledger change, not from the start", m)
		var ok float64
		for sample, v := range s.samples {
			if strings.HasPrefix(sample, "stox_marketplace_requests_total{") && strings.Contains(sample, `code="200"`) &&
				strings.Contains(sample, fmt.Sprintf(`marketplace="%s"`, m)) {
				ok += v
			}
		}
		assert.Positive(t, ok, "%s: the sandbox's answers are counted by code", m)
		assert.Positive(t, s.value(t, fmt.Sprintf(`stox_marketplace_request_duration_seconds_count{marketplace="%s"}`, m)))
		t.Logf("%s: %d stock lag(s), sum %.6fs", m, int(s.value(t, fmt.Sprintf(`stox_stock_lag_seconds_count{marketplace="%s"}`, m))), sum)
	}
	assert.Positive(t, s.value(t, `stox_stage_messages_total{handler="apply-order-hepsiburada",outcome="ok",service="sync"}`))
	assert.Positive(t, s.value(t, `stox_stage_duration_seconds_count{handler="enhance",service="ai"}`))
	assert.Contains(t, s.families, "stox_sync_handler_execution_time_seconds", "Watermill's router metrics stay")
}

// TestMetricsThrottled: a marketplace answering 429 with Retry-After shows in the
// service's series: the request by its code, and the limiter's pause.
func TestMetricsThrottled(t *testing.T) {
	sb := sandbox.New(sandbox.Options{Faults: sandbox.Faults{StormEvery: time.Hour, StormLength: time.Hour}})
	sbSrv := httptest.NewServer(sb)
	defer sbSrv.Close()
	cfg := marketConfig(t, baseConfig(t), sbSrv.URL)
	reg := prometheus.NewRegistry()
	set, err := metrics.Register(reg)
	require.NoError(t, err)
	c, _, err := cfg.observedClient(messages.Trendyol, nil, set.Marketplace(messages.Trendyol))
	require.NoError(t, err)
	_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: "SKU-0000", Barcode: "8680000000001", Quantity: 1}})
	var rl *marketplace.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP stox_marketplace_limiter_pauses_total Pauses of a marketplace limiter after a throttled (429) answer with Retry-After.
# TYPE stox_marketplace_limiter_pauses_total counter
stox_marketplace_limiter_pauses_total{marketplace="trendyol"} 1
# HELP stox_marketplace_requests_total HTTP requests to the marketplace's API, by method and status code (error: no answer).
# TYPE stox_marketplace_requests_total counter
stox_marketplace_requests_total{code="200",marketplace="trendyol",method="GET"} 0
stox_marketplace_requests_total{code="200",marketplace="trendyol",method="PATCH"} 0
stox_marketplace_requests_total{code="200",marketplace="trendyol",method="POST"} 0
stox_marketplace_requests_total{code="200",marketplace="trendyol",method="PUT"} 0
stox_marketplace_requests_total{code="429",marketplace="trendyol",method="POST"} 1
`), metrics.LimiterPauses, metrics.MarketplaceRequests))
}
