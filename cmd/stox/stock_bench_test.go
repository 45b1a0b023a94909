package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// BenchmarkOrderToStock measures, for orders reaching the sync service at a steady
// rate, the time from an order's publication on the orders exchange (the moment the
// sync service can receive it) until the last of the three marketplaces acknowledged
// the SKU's new quantity (the marketplace took the push: Amazon's PATCH answered
// ACCEPTED, Trendyol's and Hepsiburada's batch or upload got its ID). Every order is
// for its own SKU, so each needs its own push everywhere.
//
// The sandbox keeps the real limits, each operation on its own bucket as the
// marketplaces count them (Amazon per operation, Trendyol per endpoint, Hepsiburada
// per service), and the services run with their default limiters, one per operation.
// Amazon's patchListingsItem takes one SKU per request at 5 a second (burst 5): the
// 4 orders a second here fit only because nothing else shares that bucket (listings
// use putListingsItem, polls and stock reads getListingsItem). Above 5 orders a second
// Amazon's queue grows without bound; the bulk path for that is a feed, not a PATCH.
//
// It reports p50, p95, p99 and max overall (last acknowledgement) and per marketplace
// (amazon-p99-ms, …).
func BenchmarkOrderToStock(b *testing.B) {
	const products, rate = 100, 4.0 // orders per second: Amazon patches one SKU per request, 5 per second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb := sandbox.New(sandbox.Options{})
	sbSrv := httptest.NewServer(sb)
	defer sbSrv.Close()
	cfg := baseConfig(b)
	require.NoError(b, envconfigDefaults(&cfg.Marketplaces))
	cfg.TrendyolURL, cfg.HepsiburadaURL, cfg.AmazonURL = sbSrv.URL, sbSrv.URL, sbSrv.URL
	cfg.AmazonOrdersRate = 100 // orders are published straight to the exchange here
	cfg.PollEvery = 200 * time.Millisecond
	log := errorLog()
	acks := newAckClock()
	a, srv, _ := startApp(b, ctx, cfg, log, func(a *app) { a.acked = acks.record })
	ids := map[string]string{}
	for i := range products {
		ids[upload(b, srv.URL, i, 1)] = fmt.Sprintf("SKU-%04d", i)
	}
	listEverywhere(b, ctx, a, srv.URL, ids, acks)
	pub, err := a.broker.Publisher(a.broker.Topology().Name(topology.ExchangeOrders))
	require.NoError(b, err)
	b.ResetTimer()
	sent := map[string]time.Time{}
	tick := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer tick.Stop()
	i := 0
	for _, sku := range ids {
		<-tick.C
		i++
		m := messages.Marketplaces[i%len(messages.Marketplaces)]
		o := messages.OrderV1{Marketplace: m, OrderID: fmt.Sprintf("bench-%d", i), Status: messages.OrderCreated,
			Lines: []messages.OrderLine{{LineID: "1", SKU: sku, Quantity: 1}}}
		msg, err := router.Encode(o)
		require.NoError(b, err)
		acks.expect(sku, initialStock-1)
		sent[sku] = time.Now()
		require.NoError(b, pub.Publish(topology.OrderKey(m), msg))
	}
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline) && acks.done() < len(sent); {
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	all, per := acks.latencies(b, sent)
	reportLatency(b, "", all)
	for _, m := range messages.Marketplaces {
		reportLatency(b, m+"-", per[m])
	}
	b.ReportMetric(rate, "orders/s")
	b.ReportMetric(0, "ns/op")
}

// listEverywhere waits until every product is listed on every marketplace with its
// initial stock acknowledged, answering listings held for the seller's input as the
// seller would. Setting up is not measured; it may take minutes on a busy machine.
func listEverywhere(b *testing.B, ctx context.Context, a *app, base string, ids map[string]string, acks *ackClock) {
	b.Helper()
	answered := map[string]bool{}
	start := time.Now()
	for {
		for id := range ids {
			p, err := a.store.Product(ctx, id)
			require.NoError(b, err)
			for _, m := range messages.Marketplaces {
				if l := p.Listings[m]; l.State == store.ListingNeedsInput && !answered[id+"/"+m] {
					supplyInput(b, base, id, m, l)
					answered[id+"/"+m] = true
				}
			}
		}
		ready := acks.everywhere(ids)
		if ready == len(ids) {
			return
		}
		if time.Since(start) > 10*time.Minute {
			b.Fatalf("set up: %d of %d products acknowledged everywhere after 10 minutes", ready, len(ids))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// ackClock records, per SKU, the quantities the marketplaces acknowledged and when
// each acknowledged the quantity an order made.
type ackClock struct {
	mu    sync.Mutex
	last  map[string]map[string]int       // SKU → marketplace → last quantity acknowledged
	at    map[string]map[string]time.Time // SKU → marketplace → when it acknowledged want
	want  map[string]int
	whole int // SKUs acknowledged everywhere at their wanted quantity
}

func newAckClock() *ackClock {
	return &ackClock{last: map[string]map[string]int{}, at: map[string]map[string]time.Time{}, want: map[string]int{}}
}

// record is the marketplace services' Acked hook.
func (c *ackClock) record(name string, ps []store.Push) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range ps {
		if c.last[p.SKU] == nil {
			c.last[p.SKU], c.at[p.SKU] = map[string]int{}, map[string]time.Time{}
		}
		c.last[p.SKU][name] = p.Quantity
		w, ok := c.want[p.SKU]
		if _, seen := c.at[p.SKU][name]; !ok || seen || p.Quantity != w {
			continue
		}
		c.at[p.SKU][name] = now
		if len(c.at[p.SKU]) == len(messages.Marketplaces) {
			c.whole++
		}
	}
}

// expect says an order will make sku's quantity q.
func (c *ackClock) expect(sku string, q int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want[sku] = q
}

// everywhere counts the SKUs of ids every marketplace acknowledged a quantity of.
func (c *ackClock) everywhere(ids map[string]string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, sku := range ids {
		if len(c.last[sku]) == len(messages.Marketplaces) {
			n++
		}
	}
	return n
}

// done counts the SKUs every marketplace acknowledged at their wanted quantity.
func (c *ackClock) done() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.whole
}

// latencies returns, for every SKU sent, the time to its last acknowledgement, and
// per marketplace the time to that marketplace's; a SKU never acknowledged
// everywhere fails the benchmark.
func (c *ackClock) latencies(b *testing.B, sent map[string]time.Time) ([]time.Duration, map[string][]time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var all []time.Duration
	per := map[string][]time.Duration{}
	for sku, t0 := range sent {
		var last time.Duration
		for _, m := range messages.Marketplaces {
			at, ok := c.at[sku][m]
			require.True(b, ok, "%s never acknowledged on %s (last acknowledged %v)", sku, m, c.last[sku])
			per[m] = append(per[m], at.Sub(t0))
			last = max(last, at.Sub(t0))
		}
		all = append(all, last)
	}
	return all, per
}

// reportLatency reports p50, p95, p99 and max of lat in milliseconds, each name
// prefixed with prefix.
func reportLatency(b *testing.B, prefix string, lat []time.Duration) {
	require.NotEmpty(b, lat)
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	for _, q := range []struct {
		name string
		at   int
	}{{"p50", len(lat) / 2}, {"p95", len(lat) * 95 / 100}, {"p99", len(lat) * 99 / 100}, {"max", len(lat) - 1}} {
		b.ReportMetric(ms(lat[q.at]), prefix+q.name+"-ms")
	}
}
