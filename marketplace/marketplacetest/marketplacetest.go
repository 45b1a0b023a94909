// Package marketplacetest is the contract suite every marketplace.Client passes against
// the sandbox: batches with accepted and rejected items, stock pushes, duplicate
// refusals, orders across cursor calls, throttling and bad credentials, and the stock a
// marketplace shows read back.
package marketplacetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/taxonomy"
)

var seq atomic.Int64

// Listing returns the base of a listing, with a SKU unique in this process: text,
// prices, stock and one real 1200×1800 image on a loopback server. It carries the
// legacy per-marketplace attribute keys too; an adapter's valid listing for Run adds
// the mapped category, brand and attributes of its sandbox's taxonomy.
func Listing(prefix string) marketplace.Listing {
	sku := fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano()%1e9, seq.Add(1))
	return marketplace.Listing{
		SKU: sku, Barcode: "BC" + sku, Brand: "Stox", Category: "Kitchen",
		Price: 100, ListPrice: 120, Currency: "TRY", VATRate: 20, Quantity: 50,
		Text: messages.ListingText{Language: "tr", Title: "Stox seramik kupa 350 ml beyaz",
			Description: "<p>Bulaşık makinesinde yıkanabilir seramik kupa.</p>"},
		Images: []messages.ListingImage{{Key: sku + "/1.jpg", URL: ImageURL(1200, 1800), Width: 1200, Height: 1800}},
		Attributes: map[string]string{
			"trendyol_brand_id": "1791", "trendyol_category_id": "411", "color": "white",
			"hepsiburada_category_id": "18021982",
			"amazon_product_type":     "HOME",
		},
	}
}

// Run runs the contract suite. newClient returns a client of the marketplace under test
// pointed at sb (served over HTTP) with valid credentials; sb must run on a clock the
// suite can Advance (tests pass a fixed Options.Now) so nothing waits on real time.
// valid returns a listing sb accepts, with a fresh SKU starting with prefix (Listing
// plus the mapped category, brand and attributes of sb's taxonomy). A client that
// implements taxonomy.Source also runs the taxonomy cases (RunTaxonomy), and one that
// implements marketplace.StockReader the stock reader's (RunStockReader).
func Run(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	s := suite{newClient: newClient, sb: sb, valid: valid}
	tests := []struct {
		name string
		fn   func(t *testing.T, s suite)
	}{
		{"batch with accepted and rejected items", testBatch},
		{"stock push reaches the sandbox", testStockPush},
		{"identical stock body within the window is refused", testDuplicateStock},
		{"orders come back once across cursor calls", testOrders},
		{"throttled requests give RateLimitError", testThrottled},
		{"revoked credentials give a clear auth error", testRevoked},
		{"images are fetched and checked", testImages},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, s) })
	}

	if _, ok := newClient(t).(taxonomy.Source); ok {
		t.Run("taxonomy", func(t *testing.T) { RunTaxonomy(t, newClient, sb, valid) })
	}
	if _, ok := newClient(t).(marketplace.StockReader); ok {
		t.Run("stock reader", func(t *testing.T) { RunStockReader(t, newClient, sb, valid) })
	}
}

// suite is Run's parameters, as every case of Run takes them.
type suite struct {
	newClient func(t *testing.T) marketplace.Client
	sb        *sandbox.Server
	valid     func(prefix string) marketplace.Listing
}

// list creates a valid listing through c and waits until the sandbox has accepted it.
func (s suite) list(t *testing.T, c marketplace.Client) marketplace.Listing {
	t.Helper()
	return listed(t, c, s.sb, s.valid("list"))
}

// testBatch sends one valid and one invalid listing in a batch: the valid one is
// accepted, the invalid one rejected with a reason for each of its three faults.
func testBatch(t *testing.T, s suite) {
	c := s.newClient(t)
	good := s.valid("good")
	bad := s.valid("bad")
	bad.Text.Title = string(bytes.Repeat([]byte("x"), 300))
	bad.VATRate = 18
	bad.Images = []messages.ListingImage{{URL: "http://insecure.example.com/1.jpg"}}
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{good, bad})
	require.NoError(t, err)
	require.NotEmpty(t, sub.ID)
	assert.False(t, sub.Done)

	done := waitDone(t, c, s.sb, sub.ID)
	got := bySKU(done.Items)
	require.Len(t, got, 2)
	assert.Equal(t, marketplace.SubmissionAccepted, got[good.SKU].State)
	assert.Empty(t, got[good.SKU].Reasons)
	assert.Equal(t, marketplace.SubmissionRejected, got[bad.SKU].State)
	assert.Len(t, got[bad.SKU].Reasons, 3, "title, VAT rate and image each give a reason: %q", got[bad.SKU].Reasons)
}

// testStockPush pushes a listed product's stock and reads it back from the sandbox.
func testStockPush(t *testing.T, s suite) {
	c := s.newClient(t)
	l := s.list(t, c)
	sub, err := c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 7, Price: 95, ListPrice: 120}})
	require.NoError(t, err)
	done := waitDone(t, c, s.sb, sub.ID)
	require.Len(t, done.Items, 1)
	assert.Equal(t, l.SKU, done.Items[0].SKU)
	assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
	assert.Equal(t, 7, stock(t, s.sb, c.Name(), l.SKU))
}

// testDuplicateStock checks a marketplace's duplicate window, where it has one: the
// same stock body is refused with ErrDuplicate inside the window, a changed one is
// taken, and the same one is taken again once the window has passed.
func testDuplicateStock(t *testing.T, s suite) {
	ctx := context.Background()
	window := s.sb.DuplicateWindow(s.newClient(t).Name())
	if window == 0 {
		t.Skip("this marketplace accepts repeated stock bodies")
	}
	c := s.newClient(t)
	l := s.list(t, c)
	push := []marketplace.Stock{{SKU: l.SKU, Quantity: 9, Price: 99, ListPrice: 120}}
	sub, err := c.PushStock(ctx, push)
	require.NoError(t, err)
	waitDone(t, c, s.sb, sub.ID)

	s.sb.Advance(window / 2)
	_, err = c.PushStock(ctx, push)
	require.Error(t, err)
	assert.ErrorIs(t, err, marketplace.ErrDuplicate)

	changed := []marketplace.Stock{{SKU: l.SKU, Quantity: 8, Price: 99, ListPrice: 120}}
	_, err = c.PushStock(ctx, changed)
	assert.NoError(t, err, "a changed body is not a duplicate")

	s.sb.Advance(window)
	sub, err = c.PushStock(ctx, push)
	require.NoError(t, err, "the same body is taken once the window has passed")
	waitDone(t, c, s.sb, sub.ID)
	assert.Equal(t, 9, stock(t, s.sb, c.Name(), l.SKU))
}

// testOrders places orders through the sandbox's hook and reads them back with
// Orders: each once, with its lines, across cursor calls, and taking stock.
func testOrders(t *testing.T, s suite) {
	c := s.newClient(t)
	// Orders from other subtests come back too: start from the cursor after them.
	_, cursor := drain(t, c, "")
	l := s.list(t, c)
	for _, q := range []int{1, 2, 3, 1, 2} {
		hook(t, s.sb, http.MethodPost, "/sandbox/"+c.Name()+"/orders", map[string]any{"stockCode": l.SKU, "quantity": q}, http.StatusCreated)
	}
	orders, cursor := drain(t, c, cursor)
	require.Len(t, orders, 5)
	seen := map[string]bool{}
	total := 0
	for _, o := range orders {
		key := o.OrderID + "/" + o.Status
		assert.False(t, seen[key], "order %s came back twice", key)
		seen[key] = true
		assert.Equal(t, c.Name(), o.Marketplace)
		assert.Equal(t, messages.OrderCreated, o.Status)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, l.SKU, o.Lines[0].SKU)
		assert.NotEmpty(t, o.Lines[0].LineID)
		total += o.Lines[0].Quantity
	}
	assert.Equal(t, 9, total)
	assert.Equal(t, l.Quantity-9, stock(t, s.sb, c.Name(), l.SKU), "orders take stock in the sandbox")

	s.sb.Advance(time.Second)
	hook(t, s.sb, http.MethodPost, "/sandbox/"+c.Name()+"/orders", map[string]any{"stockCode": l.SKU, "quantity": 4}, http.StatusCreated)
	more, _ := drain(t, c, cursor)
	require.Len(t, more, 1)
	assert.False(t, seen[more[0].OrderID+"/"+more[0].Status])
	assert.Equal(t, 4, more[0].Lines[0].Quantity)
}

// testThrottled polls until the sandbox's rate limit answers: the error is a
// RateLimitError with a positive wait, and the limit lifts once its window passes.
func testThrottled(t *testing.T, s suite) {
	ctx := context.Background()
	c := s.newClient(t)
	l := s.valid("throttle")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	var rl *marketplace.RateLimitError
	for i := 0; i < 10000 && rl == nil; i++ {
		if _, err := c.Poll(ctx, sub.ID); err != nil {
			require.ErrorAs(t, err, &rl)
		}
	}
	require.NotNil(t, rl, "the sandbox never throttled")
	assert.ErrorIs(t, rl, marketplace.ErrRateLimited)
	assert.Positive(t, rl.RetryAfter)
	s.sb.Advance(time.Minute)
	_, err = c.Poll(ctx, sub.ID)
	assert.NoError(t, err, "the limit lifts once its window has passed")
}

// testRevoked revokes the client's credentials in the sandbox: listing and reading
// orders both fail with ErrUnauthorized, not as throttling.
func testRevoked(t *testing.T, s suite) {
	ctx := context.Background()
	c := s.newClient(t)
	require.NoError(t, s.sb.SetRevoked(c.Name(), true))
	t.Cleanup(func() { _ = s.sb.SetRevoked(c.Name(), false) })
	_, err := c.UpsertListings(ctx, []marketplace.Listing{s.valid("auth")})
	require.Error(t, err)
	assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
	assert.NotErrorIs(t, err, marketplace.ErrRateLimited)
	_, _, err = c.Orders(ctx, "")
	assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
}

// testImages lists products whose one image the sandbox cannot take: each is
// rejected with a reason naming the problem.
func testImages(t *testing.T, s suite) {
	c := s.newClient(t)
	cases := []struct {
		name, url, reason string
	}{
		{"too small", ImageURL(300, 300), "300"},
		{"not an image", NotAnImageURL(), "not an image"},
		{"unreachable", MissingImageURL(), "404"},
		{"plain http off this machine", "http://images.example.com/1.jpg", "HTTPS"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := s.valid("img")
			l.Images = []messages.ListingImage{{Key: "1.jpg", URL: tc.url, Width: 1200, Height: 1800}}
			state, reasons := Outcome(t, c, s.sb, l)
			assert.Equal(t, marketplace.SubmissionRejected, state)
			assert.Contains(t, strings.Join(reasons, "; "), tc.reason)
		})
	}
}

// Outcome submits one listing and returns its final state and reasons: rejected
// with the error's text when the adapter refuses to send it, else the submission's
// outcome once decided.
func Outcome(t *testing.T, c marketplace.Client, sb *sandbox.Server, l marketplace.Listing) (string, []string) {
	t.Helper()
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	if err != nil {
		return marketplace.SubmissionRejected, []string{err.Error()}
	}
	if !sub.Done {
		sub = waitDone(t, c, sb, sub.ID)
	}
	got := bySKU(sub.Items)
	require.Contains(t, got, l.SKU)
	return got[l.SKU].State, got[l.SKU].Reasons
}

// listed creates one listing and waits until the sandbox has accepted it.
func listed(t *testing.T, c marketplace.Client, sb *sandbox.Server, l marketplace.Listing) marketplace.Listing {
	t.Helper()
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	done := waitDone(t, c, sb, sub.ID)
	require.Len(t, done.Items, 1)
	require.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
	return l
}

// waitDone polls a submission, moving the sandbox clock on between polls.
func waitDone(t *testing.T, c marketplace.Client, sb *sandbox.Server, id string) marketplace.Submission {
	t.Helper()
	for range 60 {
		sub, err := c.Poll(context.Background(), id)
		require.NoError(t, err)
		if sub.Done {
			for _, it := range sub.Items {
				require.NotEqual(t, marketplace.SubmissionPending, it.State, "done with item %s pending", it.SKU)
			}
			return sub
		}
		sb.Advance(time.Second)
	}
	t.Fatalf("submission %s not done after 60 polls", id)
	return marketplace.Submission{}
}

// drain calls Orders from cursor until a call returns nothing new.
func drain(t *testing.T, c marketplace.Client, cursor string) ([]marketplace.Order, string) {
	t.Helper()
	var all []marketplace.Order
	for range 100 {
		orders, next, err := c.Orders(context.Background(), cursor)
		require.NoError(t, err)
		cursor = next
		if len(orders) == 0 {
			return all, cursor
		}
		all = append(all, orders...)
	}
	t.Fatal("orders never ran out")
	return nil, ""
}

func stock(t *testing.T, sb *sandbox.Server, name, sku string) int {
	t.Helper()
	var out struct {
		Quantity int `json:"quantity"`
	}
	body := hook(t, sb, http.MethodGet, "/sandbox/"+name+"/stock/"+sku, nil, http.StatusOK)
	require.NoError(t, json.Unmarshal(body, &out))
	return out.Quantity
}

// hook calls a sandbox test hook directly on the handler.
func hook(t *testing.T, sb *sandbox.Server, method, path string, in any, want int) []byte {
	t.Helper()
	var body bytes.Buffer
	if in != nil {
		require.NoError(t, json.NewEncoder(&body).Encode(in))
	}
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, httptest.NewRequest(method, path, &body))
	require.Equal(t, want, rec.Code, "%s %s: %s", method, path, rec.Body)
	return rec.Body.Bytes()
}

func bySKU(items []marketplace.ItemResult) map[string]marketplace.ItemResult {
	m := map[string]marketplace.ItemResult{}
	for _, it := range items {
		m[it.SKU] = it
	}
	return m
}
