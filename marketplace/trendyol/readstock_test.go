package trendyol_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
)

// stockReads records the barcodes every stock read names.
type stockReads struct {
	mu    sync.Mutex
	lists [][]string
	next  http.RoundTripper
}

func (s *stockReads) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/products/approved/inventory-and-price") {
		s.mu.Lock()
		s.lists = append(s.lists, strings.Split(r.URL.Query().Get("barcodes"), ","))
		s.mu.Unlock()
	}
	return s.next.RoundTrip(r)
}

func (s *stockReads) take() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.lists
	s.lists = nil
	return out
}

// TestReadStockKeys: ReadStock names each item by the barcode its stock is pushed
// under (the SKU when it has none, inner spaces joined), maps Trendyol's answer back to
// SKUs, names at most 50 barcodes a request, and sees only approved products.
func TestReadStockKeys(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb := sandbox.New(sandbox.Options{Now: func() time.Time { return start },
		Trendyol: sandbox.TrendyolOptions{SellerID: "1", APIKey: "k", APISecret: "s", ApprovalDelay: time.Hour}})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	reads := &stockReads{next: srv.Client().Transport}
	newClient := func() *trendyol.Client {
		return trendyol.New(onClock(trendyol.Config{BaseURL: srv.URL, SellerID: "1", APIKey: "k", APISecret: "s",
			HTTPClient: &http.Client{Transport: reads}}, sb))
	}
	ctx := context.Background()

	plain, spaced, other := valid("plain"), valid("spaced"), valid("other")
	plain.Barcode = ""                     // the SKU is the barcode
	spaced.Barcode = "SP 12 " + spaced.SKU // Trendyol holds it joined
	other.Barcode, other.Quantity = "8690000000017", 7
	c := newClient()
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{plain, spaced, other})
	require.NoError(t, err)
	for range 10 {
		if sub, err = c.Poll(ctx, sub.ID); err != nil || sub.Done {
			break
		}
		sb.Advance(time.Second)
	}
	require.NoError(t, err)
	require.True(t, sub.Done)
	for _, it := range sub.Items {
		require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
	}

	// As the store holds them: a barcode as the seller gave it, or none.
	items := []marketplace.Stock{{SKU: plain.SKU}, {SKU: spaced.SKU, Barcode: spaced.Barcode}, {SKU: other.SKU, Barcode: other.Barcode}}
	got, err := newClient().ReadStock(ctx, items)
	require.NoError(t, err)
	assert.Empty(t, got, "products waiting for approval are not listed")
	reads.take()

	sb.Advance(time.Hour)
	var many []marketplace.Stock
	for i := range 57 {
		many = append(many, marketplace.Stock{SKU: fmt.Sprintf("never-listed-%d", i)})
	}
	many = append(many, items...)
	got, err = newClient().ReadStock(ctx, many)
	require.NoError(t, err)
	assert.Equal(t, map[string]int{plain.SKU: 50, spaced.SKU: 50, other.SKU: 7}, got)
	lists := reads.take()
	require.Len(t, lists, 2, "60 barcodes in two requests")
	assert.Len(t, lists[0], 50)
	assert.Len(t, lists[1], 10)
	assert.Equal(t, []string{plain.SKU, "SP12" + spaced.SKU, other.Barcode}, lists[1][7:])
}
