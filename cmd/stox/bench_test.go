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
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
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
