package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// amazonFeeds, when false, makes BenchmarkListingsPublished send Amazon's listings one
// putListingsItem each (the bulk path's threshold negative), for the figure before
// feeds: go test ./cmd/stox -run '^$' -bench ListingsPublished/amazon -args -amazon-feeds=false
var amazonFeeds = flag.Bool("amazon-feeds", true, "BenchmarkListingsPublished: Amazon rounds of more than five listings go as a JSON_LISTINGS_FEED")

// BenchmarkListingsPublished measures listings accepted per minute on each marketplace
// against the sandbox with its real rate limits and the services' default request
// rates (polls every 200 ms): one run is 200 listings queued at once, from the outbox to
// accepted. Amazon takes them as one JSON_LISTINGS_FEED (createFeedDocument, upload,
// createFeed, getFeed until DONE after the sandbox's 3 s of processing, one report);
// with -amazon-feeds=false, one putListingsItem and one getListingsItem per listing
// through the 5 requests a second its listings limiter allows.
func BenchmarkListingsPublished(b *testing.B) {
	const n = 200
	for _, name := range messages.Marketplaces {
		b.Run(name, func(b *testing.B) {
			var perMin []float64
			for range b.N {
				perMin = append(perMin, publishListings(b, name, n))
			}
			slices.Sort(perMin)
			b.ReportMetric(perMin[len(perMin)/2], "listings/min")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func publishListings(b *testing.B, name string, n int) float64 {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sb)
	defer srv.Close()
	st, err := store.Open(ctx, "", b.TempDir())
	require.NoError(b, err)
	defer st.Close()
	var m Marketplaces
	require.NoError(b, envconfigDefaults(&m))
	m.TrendyolURL, m.HepsiburadaURL, m.AmazonURL = srv.URL, srv.URL, srv.URL
	client, _, err := m.client(name, nil)
	require.NoError(b, err)
	if name == messages.Amazon && !*amazonFeeds {
		client = amazon.New(amazon.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/auth/o2/token",
			ClientID: m.AmazonClientID, ClientSecret: m.AmazonClientSecret, RefreshToken: m.AmazonRefreshToken,
			SellerID: m.AmazonSellerID, MarketplaceID: m.AmazonMarketplaceID,
			Limiter: marketplace.NewLimiter(m.AmazonRate, 10), Feeds: amazon.FeedsConfig{Threshold: -1}})
	}
	for i := range n {
		l := marketplacetest.Listing("bench")
		payload, err := json.Marshal(l)
		require.NoError(b, err)
		id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: fmt.Sprintf("p%d", i),
			Product: messages.Product{SKU: l.SKU, Name: "x", Price: 1, Marketplaces: messages.Marketplaces}})
		require.NoError(b, err)
		require.NoError(b, st.QueueListing(ctx, id, rev, name, store.QueuedListing{Payload: payload}))
	}
	p := &publish.Publisher{Client: client, Store: st, Outbox: st, PollEvery: 200 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))}
	start := time.Now()
	go func() { _ = p.Run(ctx) }()
	p.WakeListings()
	for {
		q, err := st.Queued(ctx, name, 1)
		require.NoError(b, err)
		s, err := st.Submitted(ctx, name)
		require.NoError(b, err)
		if len(q) == 0 && len(s) == 0 {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	elapsed := time.Since(start)
	for i := range n {
		pr, err := st.Product(ctx, fmt.Sprintf("p%d", i))
		require.NoError(b, err)
		require.Equal(b, store.ListingAccepted, pr.Listings[name].State, "%v", pr.Listings[name].Reasons)
	}
	return float64(n) / elapsed.Minutes()
}

// BenchmarkOrderToStock measures, for orders reaching the sync service at a steady
// rate, the time from an order's publication on the orders exchange (the moment the
// sync service can receive it) until the last of the three marketplaces acknowledged
// the SKU's new quantity. The sandbox keeps its real rate limits; every order is for
// its own SKU so each needs its own push everywhere. It reports p50 and p99.
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
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	var mu sync.Mutex
	acked := map[string]map[string]int{} // SKU → marketplace → last quantity acknowledged
	ackedAt := map[string]time.Time{}    // SKU → when all three showed the wanted quantity
	want := map[string]int{}
	acknowledged := func(name string, ps []store.Push) {
		mu.Lock()
		defer mu.Unlock()
		now := time.Now()
		for _, p := range ps {
			if acked[p.SKU] == nil {
				acked[p.SKU] = map[string]int{}
			}
			acked[p.SKU][name] = p.Quantity
			w, ok := want[p.SKU]
			if !ok {
				continue
			}
			all := true
			for _, m := range messages.Marketplaces {
				if q, ok := acked[p.SKU][m]; !ok || q != w {
					all = false
				}
			}
			if all {
				if _, done := ackedAt[p.SKU]; !done {
					ackedAt[p.SKU] = now
				}
			}
		}
	}
	a, srv, _ := startApp(b, ctx, cfg, log, func(a *app) { a.acked = acknowledged })
	ids := map[string]string{}
	for i := range products {
		ids[upload(b, srv.URL, i, 1)] = fmt.Sprintf("SKU-%04d", i)
	}
	setup := time.Now()
	// Set up: every product listed everywhere with its initial stock acknowledged.
	for {
		mu.Lock()
		ready := 0
		for _, sku := range ids {
			if len(acked[sku]) == len(messages.Marketplaces) {
				ready++
			}
		}
		mu.Unlock()
		if ready == products {
			break
		}
		if time.Since(setup) > 3*time.Minute {
			b.Fatalf("set up: %d of %d products acknowledged everywhere after 3 minutes", ready, products)
		}
		time.Sleep(100 * time.Millisecond)
	}
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
		mu.Lock()
		want[sku] = initialStock - 1
		mu.Unlock()
		sent[sku] = time.Now()
		require.NoError(b, pub.Publish(topology.OrderKey(m), msg))
	}
	deadline := time.Now().Add(2 * time.Minute)
	var lat []time.Duration
	for time.Now().Before(deadline) {
		mu.Lock()
		done := len(ackedAt)
		mu.Unlock()
		if done == len(sent) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.StopTimer()
	mu.Lock()
	for sku, t0 := range sent {
		at, ok := ackedAt[sku]
		require.True(b, ok, "%s never acknowledged everywhere", sku)
		lat = append(lat, at.Sub(t0))
	}
	mu.Unlock()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "p99-ms")
	b.ReportMetric(rate, "orders/s")
	b.ReportMetric(0, "ns/op")
}
