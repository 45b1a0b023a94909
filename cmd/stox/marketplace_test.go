package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/kelseyhightower/envconfig"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
	"github.com/stox-dev/stox/taxonomy"
	"github.com/stox-dev/stox/topology"
)

// Sizes of the marketplace end-to-end run: products uploaded, orders placed (full
// size with STOX_E2E=full: make e2e).
func marketSizes() (products, orders int) {
	if fullSize() {
		return 300, 1000
	}
	return 30, 100
}

const initialStock = 10

// TestMarketplacesInProcess: products go out to all three sandbox marketplaces,
// customers order on all three, every order is delivered twice, and every SKU's stock
// ends the same everywhere: initial minus sold, or zero with the oversells recorded.
func TestMarketplacesInProcess(t *testing.T) {
	e2eParallel(t)
	runMarketplaces(t, baseConfig(t), sandbox.Faults{}, 1)
}

// TestMarketplacesRabbitMQ is the same run on RabbitMQ and PostgreSQL.
func TestMarketplacesRabbitMQ(t *testing.T) {
	e2eParallel(t)
	runMarketplaces(t, rabbitConfig(t), sandbox.Faults{}, 1)
}

// TestMarketplacesReplicas is the RabbitMQ run with two replicas of each marketplace
// service (a second process's worth: its own connections to RabbitMQ and PostgreSQL)
// sharing the queues and the outbox: every listing is sent once and every stock
// change pushed once per marketplace (issue 11).
func TestMarketplacesReplicas(t *testing.T) {
	e2eParallel(t)
	runMarketplaces(t, rabbitConfig(t), sandbox.Faults{}, 2)
}

// TestMarketplacesFaults is the RabbitMQ run with the sandbox answering 20% of
// requests with 500s and throttling everything for one second in every ten.
func TestMarketplacesFaults(t *testing.T) {
	e2eParallel(t)
	runMarketplaces(t, rabbitConfig(t), sandbox.Faults{ErrorRate: 0.2, Seed: 42, StormEvery: 10 * time.Second, StormLength: time.Second}, 1)
}

func rabbitConfig(t *testing.T) Config {
	cfg := baseConfig(t)
	cfg.AMQPURL = testenv.AMQPURL(t)
	cfg.DatabaseURL = storetest.PostgresSchemaURL(t)
	cfg.Prefix = testenv.Unique("mkt") + "."
	t.Cleanup(func() { deleteTopology(t, cfg.AMQPURL, topology.New(cfg.Prefix, false, messages.Marketplaces)) })
	return cfg
}

// fastSandbox raises the sandbox's rate limits: this run checks correctness, the
// benchmarks measure against the real limits.
func fastSandbox(faults sandbox.Faults) sandbox.Options {
	fast := sandbox.AmazonRate{Rate: 200, Burst: 50}
	return sandbox.Options{
		Faults:      faults,
		Trendyol:    sandbox.TrendyolOptions{RateLimit: 5000, ProcessDelay: 300 * time.Millisecond},
		Hepsiburada: sandbox.HepsiburadaOptions{RateLimit: 5000, OrderRateLimit: 5000, ProcessDelay: 300 * time.Millisecond},
		Amazon: sandbox.AmazonOptions{ProcessDelay: 300 * time.Millisecond,
			ListingsGet: fast, ListingsPut: fast, ListingsPatch: fast, Orders: fast, GetOrder: fast},
	}
}

// defaultMarketplaces is the marketplaces' configuration with its defaults (the
// sandbox's credentials).
// serveSandbox serves a fast sandbox without faults for the rest of the test.
func serveSandbox(t testing.TB) (*sandbox.Server, *httptest.Server) {
	sb := sandbox.New(fastSandbox(sandbox.Faults{}))
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, srv
}

// errorLog is what an end-to-end test shows of its services' logs: errors, on stderr.
func errorLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
}

func defaultMarketplaces(t *testing.T) Marketplaces {
	var m Marketplaces
	require.NoError(t, envconfigDefaults(&m))
	return m
}

// envconfigDefaults fills v from the environment, where tests set no STOX_ variable:
// the defaults.
func envconfigDefaults(v any) error { return envconfig.Process("", v) }

// marketConfig points every marketplace at the sandbox with fast rates and polls.
func marketConfig(t *testing.T, cfg Config, url string) Config {
	cfg.Marketplaces = defaultMarketplaces(t)
	cfg.TrendyolURL, cfg.HepsiburadaURL, cfg.AmazonURL = url, url, url
	cfg.TrendyolRate, cfg.HepsiburadaRate, cfg.AmazonRate, cfg.AmazonOrdersRate = 200, 200, 200, 200
	cfg.PollEvery, cfg.OrdersEvery = 100*time.Millisecond, 100*time.Millisecond
	// The seller's defaults: made in Türkiye, the legal two-year warranty.
	cfg.AttributeDefaults = map[string]string{"menşei": "TR", "garanti süresi": "2 Yıl"}
	return cfg
}

// sends counts, across replicas, the listings each marketplace took per SKU and the
// stock it acknowledged per SKU and version.
type sends struct {
	mu       sync.Mutex
	listings map[string]int // marketplace/SKU → listings sent
	stock    map[string]int // marketplace/SKU/version → pushes acknowledged
	byApp    map[int]int    // replica → listings and pushes it sent
}

// hook counts what replica i sends.
func (s *sends) hook(i int) func(*app) {
	return func(a *app) {
		a.sent = func(m string, skus []string) {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, sku := range skus {
				s.listings[m+"/"+sku]++
			}
			s.byApp[i] += len(skus)
		}
		a.acked = func(m string, ps []store.Push) {
			s.mu.Lock()
			defer s.mu.Unlock()
			for _, p := range ps {
				s.stock[fmt.Sprintf("%s/%s/%d", m, p.SKU, p.Version)]++
			}
			s.byApp[i] += len(ps)
		}
	}
}

// runMarketplaces runs the marketplace end to end with replicas of each marketplace
// service.
func runMarketplaces(t *testing.T, cfg Config, faults sandbox.Faults, replicas int) {
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb := sandbox.New(fastSandbox(faults))
	sbSrv := httptest.NewServer(sb)
	defer sbSrv.Close()
	cfg = marketConfig(t, cfg, sbSrv.URL)

	counts := &sends{listings: map[string]int{}, stock: map[string]int{}, byApp: map[int]int{}}
	a, srv, served := startApp(t, ctx, cfg, log, counts.hook(0))
	for i := 1; i < replicas; i++ {
		startMarketplaceReplica(t, ctx, cfg, log, counts.hook(i))
	}

	nProducts, nOrders := marketSizes()
	ids := map[string]string{} // product ID → SKU
	for i := range nProducts {
		id := upload(t, srv.URL, i, 1)
		ids[id] = fmt.Sprintf("SKU-%04d", i)
	}

	// Count out: every product accepted on every marketplace. A listing that lacks a
	// required attribute waits in needs_input, naming it with its allowed values; the
	// seller supplies one through the API, as a seller would, and it goes on.
	start := time.Now()
	answered := map[string]bool{}
	waitFor(t, 3*time.Minute, "every product accepted on every marketplace", func() (bool, string) {
		accepted := 0
		stuck := map[string]int{}
		example := ""
		for id := range ids {
			p, err := a.store.Product(ctx, id)
			require.NoError(t, err)
			for _, m := range messages.Marketplaces {
				l := p.Listings[m]
				require.NotEqual(t, store.ListingRejected, l.State, "%s on %s: %v", id, m, l.Reasons)
				if l.State == store.ListingNeedsInput && !answered[id+"/"+m] {
					supplyInput(t, srv.URL, id, m, l)
					answered[id+"/"+m] = true
				}
				if l.State == store.ListingAccepted {
					accepted++
				} else {
					stuck[m+"/"+l.State]++
					example = fmt.Sprintf("%s on %s: %+v", ids[id], m, l)
				}
			}
		}
		return accepted == nProducts*len(messages.Marketplaces), fmt.Sprintf("%d of %d accepted; not yet: %v, e.g. %s", accepted, nProducts*len(messages.Marketplaces), stuck, example)
	})
	t.Logf("%s: %d products accepted on every marketplace, %d listings after the seller's input", time.Since(start).Round(time.Millisecond), nProducts, len(answered))
	assert.NotEmpty(t, answered, "the catalog has products that lack a required attribute")
	skus := make([]string, 0, len(ids))
	for _, sku := range ids {
		skus = append(skus, sku)
	}
	waitStock(t, sb, skus, func(string) int { return initialStock }, "initial stock on every marketplace")

	// Customers order on every marketplace; an order the marketplace's own stock
	// cannot cover is refused there, as it would be on the real one.
	rng := rand.New(rand.NewPCG(7, 11))
	sold := map[string]int{}
	placed := 0
	for placed < nOrders {
		m := messages.Marketplaces[rng.IntN(len(messages.Marketplaces))]
		sku := skus[rng.IntN(len(skus))]
		q := 1 + rng.IntN(3)
		_, err := sb.PlaceOrder(m, sku, q)
		if errors.Is(err, sandbox.ErrNoStock) {
			continue
		}
		require.NoError(t, err)
		sold[sku] += q
		placed++
	}
	want := func(sku string) int { return max(0, initialStock-sold[sku]) }
	waitStock(t, sb, skus, want, "stock after the orders")
	t.Logf("%s: %d orders placed, stock in step", time.Since(start).Round(time.Millisecond), placed)

	// Every order again: read from each marketplace by a client of its own and
	// published to the orders exchange a second time.
	pub, err := a.broker.Publisher(a.broker.Topology().Name(topology.ExchangeOrders))
	require.NoError(t, err)
	again := 0
	for _, m := range messages.Marketplaces {
		c, _, err := cfg.client(m, nil)
		require.NoError(t, err)
		cursor := ""
		for range 1000 {
			var orders []messages.OrderV1
			err := retry(func() error {
				var err error
				orders, cursor, err = c.Orders(ctx, cursor)
				return err
			})
			require.NoError(t, err)
			if len(orders) == 0 {
				break
			}
			for _, o := range orders {
				msg, err := router.Encode(o)
				require.NoError(t, err)
				require.NoError(t, retry(func() error { return pub.Publish(topology.OrderKey(m), msg) }), "backpressure lifts")
				again++
			}
		}
		t.Logf("%s: orders of %s published again (%d so far)", time.Since(start).Round(time.Millisecond), m, again)
	}
	assert.GreaterOrEqual(t, again, placed, "every order published again")
	// A last order for an unknown SKU behind them on each queue: once the ledger has
	// recorded those, it has applied (or skipped) every redelivered order before them.
	for _, m := range messages.Marketplaces {
		msg, err := router.Encode(messages.OrderV1{Marketplace: m, OrderID: "sentinel-" + m, Status: messages.OrderCreated,
			Lines: []messages.OrderLine{{LineID: "1", SKU: "SENTINEL", Quantity: 1}}})
		require.NoError(t, err)
		require.NoError(t, retry(func() error { return pub.Publish(topology.OrderKey(m), msg) }))
	}
	waitFor(t, 2*time.Minute, "the redelivered orders applied", func() (bool, string) {
		over, err := a.store.Oversells(ctx, 100000)
		require.NoError(t, err)
		n := 0
		for _, o := range over {
			if o.SKU == "SENTINEL" {
				n++
			}
		}
		return n == len(messages.Marketplaces), fmt.Sprintf("%d sentinels through", n)
	})
	waitStock(t, sb, skus, want, "stock after every order was delivered twice")

	// The ledger agrees, and what could not be covered is recorded, not hidden.
	oversold := 0
	for _, sku := range skus {
		q, _, err := a.store.Stock(ctx, sku)
		require.NoError(t, err)
		assert.Equal(t, want(sku), q, sku)
		oversold += max(0, sold[sku]-initialStock)
	}
	over, err := a.store.Oversells(ctx, 100000)
	require.NoError(t, err)
	got := 0
	for _, o := range over {
		if o.SKU != "SENTINEL" {
			got += o.Wanted - o.Covered
		}
	}
	assert.Equal(t, oversold, got, "units oversold, as recorded")
	t.Logf("%d products on %d marketplaces, %d orders (each delivered twice), %d units oversold", nProducts, len(messages.Marketplaces), placed, got)

	if faults.ErrorRate == 0 {
		// Nothing failed: every listing went out once, and no replica pushed a
		// quantity another had pushed.
		counts.mu.Lock()
		assert.Len(t, counts.listings, nProducts*len(messages.Marketplaces))
		for k, n := range counts.listings {
			assert.Equal(t, 1, n, "listing %s sent %d times", k, n)
		}
		assert.NotEmpty(t, counts.stock)
		for k, n := range counts.stock {
			assert.Equal(t, 1, n, "stock %s pushed %d times", k, n)
		}
		for i := range replicas {
			assert.NotZero(t, counts.byApp[i], "replica %d sent nothing", i)
		}
		t.Logf("%d replicas: %d listings sent once each, %d stock changes pushed once each; listings and pushes by replica: %v",
			replicas, len(counts.listings), len(counts.stock), counts.byApp)
		counts.mu.Unlock()
	}

	cancel()
	require.NoError(t, <-served)
	assertPoisonEmpty(t, a.broker)
}

// startMarketplaceReplica starts another replica of the three marketplace services,
// as another process would: its own broker connection and database pool.
func startMarketplaceReplica(t *testing.T, ctx context.Context, cfg Config, log *slog.Logger, prepare func(*app)) {
	t.Helper()
	a, err := openApp(ctx, cfg, log)
	require.NoError(t, err)
	t.Cleanup(a.close)
	prepare(a)
	var routers []*message.Router
	for _, name := range messages.Marketplaces {
		r, err := a.router(name)
		require.NoError(t, err, name)
		routers = append(routers, r)
	}
	served := make(chan error, 1)
	go func() { served <- a.serve(ctx, routers, nil) }()
	t.Cleanup(func() { <-served })
	for _, r := range routers {
		<-r.Running()
	}
}

// supplyInput answers a listing in needs_input through the API: the first allowed
// value of every missing attribute (or a number where any text goes).
func supplyInput(t testing.TB, base, id, marketplace string, l store.Listing) {
	t.Helper()
	var m taxonomy.Mapping
	require.NoError(t, json.Unmarshal(l.Mapping, &m), "%s on %s", id, marketplace)
	require.NotEmpty(t, m.Missing, "%s on %s is in needs_input with nothing missing", id, marketplace)
	in := map[string]string{}
	for _, x := range m.Missing {
		require.Equal(t, "attribute", x.Field, "%s on %s: %s", id, marketplace, x.Reason)
		in[x.Name] = "10"
		if len(x.Allowed) > 0 {
			in[x.Name] = x.Allowed[0]
		}
	}
	body, err := json.Marshal(map[string]any{"attributes": in})
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPut, base+"/v1/products/"+id+"/listings/"+marketplace+"/input", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
}

// waitStock waits until every marketplace shows want(sku) for every SKU.
func waitStock(t *testing.T, sb *sandbox.Server, skus []string, want func(string) int, what string) {
	t.Helper()
	waitFor(t, 5*time.Minute, what, func() (bool, string) {
		wrong := 0
		example := ""
		for _, m := range messages.Marketplaces {
			l := sb.Listings(m)
			for _, sku := range skus {
				if q, ok := l[sku]; !ok || q != want(sku) {
					wrong++
					example = fmt.Sprintf("%s on %s shows %d (listed %v), want %d", sku, m, q, ok, want(sku))
				}
			}
		}
		return wrong == 0, fmt.Sprintf("%d wrong, e.g. %s", wrong, example)
	})
}

// retry calls fn until it succeeds, for the sandbox's injected faults.
func retry(fn func() error) error {
	var err error
	for range 50 {
		if err = fn(); err == nil {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, status := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after %s: %s", what, limit, status)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestAmazonFeedAboveChecked: STOX_AMAZON_FEED_ABOVE below -1 is refused with a
// message that says what it takes; -1, 0 (the default) and 5 build a client.
func TestAmazonFeedAboveChecked(t *testing.T) {
	var m Marketplaces
	require.NoError(t, envconfigDefaults(&m))
	for _, bad := range []int{-2, -100} {
		m.AmazonFeedAbove = bad
		_, _, err := m.client(messages.Amazon, nil)
		assert.ErrorContains(t, err, "STOX_AMAZON_FEED_ABOVE must be at least 1 (0 takes the default), or -1 for never a feed")
	}
	for _, good := range []int{-1, 0, 5} {
		m.AmazonFeedAbove = good
		_, _, err := m.client(messages.Amazon, nil)
		assert.NoError(t, err)
	}
}

// TestSandboxHealthcheck: `stox healthcheck` in the sandbox's container (its
// STOX_ADMIN_ADDR set to the sandbox's address, as docker-compose.yml does) asks the
// sandbox's /healthz; nothing listening fails it.
func TestSandboxHealthcheck(t *testing.T) {
	srv := httptest.NewServer(sandbox.New(sandbox.Options{}))
	defer srv.Close()
	t.Setenv("STOX_ADMIN_ADDR", strings.TrimPrefix(srv.URL, "http://"))
	require.NoError(t, healthcheck(context.Background()))
	srv.Close()
	assert.Error(t, healthcheck(context.Background()))
}
