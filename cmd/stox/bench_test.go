package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// BenchmarkListingsPublished measures listings accepted per minute on each marketplace
// against the sandbox with its real rate limits and the services' default request
// rates (polls every 200 ms): one run is 200 listings queued at once, from the outbox to
// accepted. Amazon takes them as one JSON_LISTINGS_FEED (createFeedDocument, upload,
// createFeed, getFeed until DONE after the sandbox's 3 s of processing, one report);
// "amazon-put", its reference in the same run, sends 50 with the feed turned off
// (STOX_AMAZON_FEED_ABOVE=-1): one putListingsItem and getListingsItem each, at the 5
// requests a second of each operation's plan.
func BenchmarkListingsPublished(b *testing.B) {
	for _, name := range append(slices.Clone(messages.Marketplaces), "amazon-put") {
		b.Run(name, func(b *testing.B) {
			var perMin []float64
			for range b.N {
				if name == "amazon-put" {
					perMin = append(perMin, publishListings(b, messages.Amazon, 50, -1))
					continue
				}
				perMin = append(perMin, publishListings(b, name, 200, amazon.DefaultFeedThreshold))
			}
			slices.Sort(perMin)
			b.ReportMetric(perMin[len(perMin)/2], "listings/min")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func publishListings(b *testing.B, name string, n, feedAbove int) float64 {
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
	m.AmazonFeedAbove = feedAbove
	client, _, err := m.client(name, nil)
	require.NoError(b, err)
	for i := range n {
		l := marketplacetest.Listing("bench")
		if name == messages.Trendyol {
			l = marketplacetest.TrendyolListing("bench") // Trendyol checks the category's attributes
		}
		payload, err := json.Marshal(l)
		require.NoError(b, err)
		id, rev, err := st.PutProduct(ctx, store.NewProduct{ID: fmt.Sprintf("p%d", i),
			Product: messages.Product{SKU: l.SKU, Name: "x", Price: 1, Marketplaces: messages.Marketplaces}})
		require.NoError(b, err)
		require.NoError(b, st.QueueListing(ctx, id, rev, name, store.QueuedListing{Payload: payload}))
	}
	p := &publish.Publisher{Client: client, Store: st, Outbox: st, PollEvery: 200 * time.Millisecond,
		Logger: errorLog()}
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
