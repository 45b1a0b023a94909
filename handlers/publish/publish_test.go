package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// fakeClient is a marketplace that answers as its fields say and records what it
// was sent. Its methods are safe for concurrent use by several publishers.
type fakeClient struct {
	mu sync.Mutex
	// upsert answers a batch of listings; nil accepts every listing at once.
	upsert func(ls []marketplace.Listing) (marketplace.Submission, error)
	// poll answers a poll of submission id; nil: undecided.
	poll func(id string) (marketplace.Submission, error)
	// push answers a stock push; nil acknowledges it (Done, nothing refused).
	push func(s []marketplace.Stock) (marketplace.Submission, error)
	// orders is the order feed, read from the cursor (an index into it).
	orders    []marketplace.Order
	ordersErr error
	// shown is the stock the marketplace shows, by SKU (ReadStock).
	shown map[string]int

	batches [][]string          // SKUs of every listing request
	sent    map[string]int      // listing requests per SKU
	pushes  []marketplace.Stock // every stock item pushed
}

func (f *fakeClient) Name() string  { return messages.Trendyol }
func (f *fakeClient) MaxBatch() int { return 4 }

func (f *fakeClient) UpsertListings(_ context.Context, ls []marketplace.Listing) (marketplace.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var skus []string
	for _, l := range ls {
		skus = append(skus, l.SKU)
	}
	f.batches = append(f.batches, skus)
	if f.upsert != nil {
		sub, err := f.upsert(ls)
		if err == nil {
			f.count(skus)
		}
		return sub, err
	}
	f.count(skus)
	sub := marketplace.Submission{ID: fmt.Sprintf("sub-%d", len(f.batches)), Done: true}
	for _, l := range ls {
		sub.Items = append(sub.Items, marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionAccepted})
	}
	return sub, nil
}

func (f *fakeClient) count(skus []string) {
	if f.sent == nil {
		f.sent = map[string]int{}
	}
	for _, s := range skus {
		f.sent[s]++
	}
}

func (f *fakeClient) Poll(_ context.Context, id string) (marketplace.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.poll == nil {
		return marketplace.Submission{ID: id}, nil
	}
	return f.poll(id)
}

func (f *fakeClient) PushStock(_ context.Context, s []marketplace.Stock) (marketplace.Submission, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.push != nil {
		sub, err := f.push(s)
		if err == nil || errors.Is(err, marketplace.ErrDuplicate) {
			f.pushes = append(f.pushes, s...)
		}
		return sub, err
	}
	f.pushes = append(f.pushes, s...)
	return marketplace.Submission{Done: true}, nil
}

func (f *fakeClient) Orders(_ context.Context, cursor string) ([]marketplace.Order, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.ordersErr != nil {
		return nil, cursor, f.ordersErr
	}
	from := 0
	if cursor != "" {
		_, _ = fmt.Sscan(cursor, &from)
	}
	return slices.Clone(f.orders[from:]), fmt.Sprint(len(f.orders)), nil
}

func (f *fakeClient) Acknowledge(context.Context, []string) error { return nil }

func (f *fakeClient) ReadStock(_ context.Context, items []marketplace.Stock) (map[string]int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for _, it := range items {
		if q, ok := f.shown[it.SKU]; ok {
			out[it.SKU] = q
		}
	}
	return out, nil
}

type fixture struct {
	st     store.Store
	inv    store.Inventory
	outbox store.Outbox
	client *fakeClient
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := store.Open(context.Background(), "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	return &fixture{st: st, inv: st, outbox: st, client: &fakeClient{}}
}

func (f *fixture) publisher(owner string) *Publisher {
	return &Publisher{Client: f.client, Store: f.st, Outbox: f.outbox, Owner: owner,
		Logger: slog.New(slog.DiscardHandler), MaxAttempts: 3, MaxFailures: 3}
}

// queue stores a product and queues its listing; with stock, the ledger holds it
// and the marketplace is to show it.
func (f *fixture) queue(t *testing.T, sku string) string {
	t.Helper()
	ctx := context.Background()
	id, rev, err := f.st.PutProduct(ctx, store.NewProduct{ID: "p-" + sku, Product: messages.Product{SKU: sku, Name: "Kupa " + sku,
		Brand: "Paşabahçe", Category: "Kupa", Price: 100, Currency: "TRY", Stock: 5}})
	require.NoError(t, err)
	payload, err := json.Marshal(marketplace.Listing{SKU: sku, Name: "Kupa " + sku, Quantity: 5})
	require.NoError(t, err)
	require.NoError(t, f.outbox.QueueListing(ctx, id, rev, messages.Trendyol, store.QueuedListing{Payload: payload}))
	return id
}

func (f *fixture) state(t *testing.T, id string) store.Listing {
	t.Helper()
	p, err := f.st.Product(context.Background(), id)
	require.NoError(t, err)
	return p.Listings[messages.Trendyol]
}

// accept queues and accepts a listing, and gives its SKU a quantity to push.
func (f *fixture) accept(t *testing.T, sku string, quantity int) {
	t.Helper()
	ctx := context.Background()
	id := f.queue(t, sku)
	require.NoError(t, f.st.SetListing(ctx, id, 1, messages.Trendyol, store.Listing{State: store.ListingAccepted}))
	s, err := f.inv.SetStock(ctx, sku, quantity)
	require.NoError(t, err)
	_, err = f.inv.MarkSent(ctx, messages.Trendyol, sku, s.Quantity, s.Version)
	require.NoError(t, err)
}

func TestSubmitHalvesABatchAroundABadListing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.client.upsert = func(ls []marketplace.Listing) (marketplace.Submission, error) {
		for _, l := range ls {
			if l.SKU == "BAD" {
				return marketplace.Submission{}, errors.New("400: title is too long")
			}
		}
		sub := marketplace.Submission{ID: "sub-ok", Done: true}
		for _, l := range ls {
			sub.Items = append(sub.Items, marketplace.ItemResult{SKU: l.SKU, State: marketplace.SubmissionAccepted})
		}
		return sub, nil
	}
	ids := map[string]string{}
	for _, sku := range []string{"A", "B", "BAD", "C"} {
		ids[sku] = f.queue(t, sku)
	}
	p := f.publisher("a")
	p.init()
	_, err := p.submitListings(ctx)
	require.NoError(t, err)
	for _, sku := range []string{"A", "B", "C"} {
		assert.Equal(t, store.ListingAccepted, f.state(t, ids[sku]).State, sku)
		assert.Equal(t, 1, f.client.sent[sku], "%s sent once", sku)
	}
	bad := f.state(t, ids["BAD"])
	assert.Equal(t, store.ListingQueued, bad.State, "one failed attempt of three")
	assert.Equal(t, []string{"400: title is too long"}, bad.Reasons)
	assert.Len(t, f.client.batches, 5, "4 → 2+2 → 1+1 for the half with BAD: %v", f.client.batches)

	for range 2 {
		_, err = p.submitListings(ctx)
		require.NoError(t, err)
	}
	assert.Equal(t, store.ListingRejected, f.state(t, ids["BAD"]).State, "rejected after MaxAttempts")
	for _, sku := range []string{"A", "B", "C"} {
		assert.Equal(t, 1, f.client.sent[sku], "%s never sent again", sku)
	}

	// A pause (429, 5xx, refused credentials) splits nothing and counts no attempt.
	id := f.queue(t, "D")
	f.client.upsert = func([]marketplace.Listing) (marketplace.Submission, error) {
		return marketplace.Submission{}, &marketplace.RateLimitError{RetryAfter: time.Second}
	}
	before := len(f.client.batches)
	_, err = p.submitListings(ctx)
	require.ErrorIs(t, err, marketplace.ErrRateLimited)
	assert.Len(t, f.client.batches, before+1)
	assert.Equal(t, store.ListingQueued, f.state(t, id).State)
	assert.Empty(t, f.state(t, id).Reasons)
}

// TestListingThatMayHaveBeenTakenGoesAsExisting: a request that got no answer may
// have created the listing, so it goes again as an existing one (the adapter looks it
// up first); one the marketplace answered with an error did not, and goes as new.
func TestListingThatMayHaveBeenTakenGoesAsExisting(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var existing []bool
	answer := errors.New("HTTP 503")
	f.client.upsert = func(ls []marketplace.Listing) (marketplace.Submission, error) {
		existing = append(existing, ls[0].Existing)
		switch len(existing) {
		case 1:
			return marketplace.Submission{}, fmt.Errorf("%w: %w", marketplace.ErrUnavailable, answer)
		case 2:
			return marketplace.Submission{}, fmt.Errorf("%w: %w: connection reset by peer", marketplace.ErrUnavailable, marketplace.ErrNoAnswer)
		}
		return marketplace.Submission{ID: "s", Done: true, Items: []marketplace.ItemResult{{SKU: ls[0].SKU, State: marketplace.SubmissionAccepted}}}, nil
	}
	id := f.queue(t, "A")
	p := f.publisher("a")
	p.init()
	for range 3 {
		_, _ = p.submitListings(ctx)
	}
	assert.Equal(t, []bool{false, false, true}, existing, "new; new again after a 503; existing after no answer")
	assert.Equal(t, store.ListingAccepted, f.state(t, id).State)
}

func TestUndecidedSubmissionIsSubmittedAgain(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.client.upsert = func(ls []marketplace.Listing) (marketplace.Submission, error) {
		return marketplace.Submission{ID: "forgotten"}, nil // accepted for processing, never decided
	}
	id := f.queue(t, "A")
	p := f.publisher("a")
	p.Undecided = 50 * time.Millisecond
	p.init()
	_, err := p.submitListings(ctx)
	require.NoError(t, err)
	require.Equal(t, store.ListingSubmitted, f.state(t, id).State)
	require.NoError(t, p.pollListingSubmissions(ctx))
	assert.Equal(t, store.ListingSubmitted, f.state(t, id).State, "undecided for less than Undecided: waits")

	time.Sleep(60 * time.Millisecond)
	require.NoError(t, p.pollListingSubmissions(ctx))
	l := f.state(t, id)
	assert.Equal(t, store.ListingQueued, l.State)
	require.Len(t, l.Reasons, 1)
	assert.Contains(t, l.Reasons[0], "submission forgotten undecided after 50ms")

	// Decided the second time.
	f.client.upsert = nil
	_, err = p.submitListings(ctx)
	require.NoError(t, err)
	assert.Equal(t, store.ListingAccepted, f.state(t, id).State)
	assert.Equal(t, 2, f.client.sent["A"])
}

func TestStockOutcomes(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.accept(t, "A", 7)
	f.accept(t, "B", 3)
	var acked []store.Push
	p := f.publisher("a")
	p.Buffer = 1
	p.Acked = func(ps []store.Push) { acked = append(acked, ps...) }
	p.init()

	// The marketplace takes the batch for processing, then refuses B.
	f.client.push = func([]marketplace.Stock) (marketplace.Submission, error) {
		return marketplace.Submission{ID: "stock-1"}, nil
	}
	f.client.poll = func(id string) (marketplace.Submission, error) {
		return marketplace.Submission{ID: id, Done: true, Items: []marketplace.ItemResult{
			{SKU: "A", State: marketplace.SubmissionAccepted},
			{SKU: "B", State: marketplace.SubmissionRejected, Reasons: []string{"stock too high"}}}}, nil
	}
	_, err := p.pushStock(ctx)
	require.NoError(t, err)
	assert.ElementsMatch(t, []marketplace.Stock{{SKU: "A", Quantity: 6}, {SKU: "B", Quantity: 2}}, f.client.pushes, "the buffer is held back")
	assert.Len(t, acked, 2)
	left, err := f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.Empty(t, left, "acknowledged until the submission is decided")

	_, err = p.pollStockOutcomes(ctx)
	require.NoError(t, err)
	left, err = f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	require.Len(t, left, 1)
	assert.Equal(t, "B", left[0].SKU, "the refused item is pushed again")

	// The marketplace refuses the same body within its window: it holds that value.
	f.client.push = func([]marketplace.Stock) (marketplace.Submission, error) {
		return marketplace.Submission{}, fmt.Errorf("same request within 15 minutes: %w", marketplace.ErrDuplicate)
	}
	_, err = p.pushStock(ctx)
	require.NoError(t, err)
	left, err = f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.Empty(t, left)

	// A refused single item counts a failure; MaxFailures stop it.
	_, err = f.inv.SetStock(ctx, "A", 9)
	require.NoError(t, err)
	_, err = f.inv.MarkSent(ctx, messages.Trendyol, "A", 9, 2)
	require.NoError(t, err)
	f.client.push = func([]marketplace.Stock) (marketplace.Submission, error) {
		return marketplace.Submission{}, errors.New("400: unknown barcode")
	}
	for range 3 {
		_, err = p.pushStock(ctx)
		require.NoError(t, err)
	}
	left, err = f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.Empty(t, left, "given up after MaxFailures")
}

func TestOrderCursorMovesOnlyOncePublished(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	order := func(id string) marketplace.Order {
		return marketplace.Order{Marketplace: messages.Trendyol, OrderID: id, Status: messages.OrderCreated,
			Lines: []messages.OrderLine{{LineID: "1", SKU: "A", Quantity: 1}}}
	}
	f.client.orders = []marketplace.Order{order("1"), order("2")}
	var published []string
	fail := true
	p := f.publisher("a")
	p.PublishOrder = func(_ context.Context, o messages.OrderV1) error {
		if o.OrderID == "2" && fail {
			return errors.New("broker refused")
		}
		published = append(published, o.OrderID)
		return nil
	}
	p.init()
	_, err := p.readOrders(ctx)
	require.ErrorContains(t, err, "publish order 2: broker refused")
	cursor, err := f.outbox.Cursor(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Empty(t, cursor, "not moved past an order not published")

	fail = false
	more, err := p.readOrders(ctx)
	require.NoError(t, err)
	assert.True(t, more)
	assert.Equal(t, []string{"1", "1", "2"}, published, "published again, never lost (the ledger applies each once)")
	cursor, err = f.outbox.Cursor(ctx, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, "2", cursor)
	more, err = p.readOrders(ctx)
	require.NoError(t, err)
	assert.False(t, more)

	// One replica at a time reads the feed.
	f.client.orders = append(f.client.orders, order("3"))
	other := f.publisher("b")
	other.PublishOrder = p.PublishOrder
	other.init()
	r := other.leased("orders", other.readOrders)
	_, err = p.leased("orders", p.readOrders)(ctx)
	require.NoError(t, err)
	_, err = r(ctx)
	require.NoError(t, err)
	assert.Equal(t, []string{"1", "1", "2", "3"}, published, "b does not read while a holds the lease")
}

func TestReplicasSendEachListingAndStockChangeOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	f := newFixture(t)
	const n = 60
	ids := make([]string, n)
	for i := range n {
		ids[i] = f.queue(t, fmt.Sprintf("SKU-%02d", i))
	}
	var (
		mu     sync.Mutex
		pushed = map[string]int{} // sku/version → acknowledged pushes
	)
	acked := func(ps []store.Push) {
		mu.Lock()
		defer mu.Unlock()
		for _, p := range ps {
			pushed[fmt.Sprintf("%s/%d", p.SKU, p.Version)]++
		}
	}
	var wg sync.WaitGroup
	for _, owner := range []string{"a", "b", "c"} {
		p := f.publisher(owner)
		p.Acked = acked
		p.init()
		wg.Go(func() {
			for ctx.Err() == nil {
				more, err := p.submitListings(ctx)
				assert.NoError(t, err)
				if !more {
					return
				}
			}
		})
	}
	wg.Wait()
	for i, id := range ids {
		require.Equal(t, store.ListingAccepted, f.state(t, id).State, "listing %d", i)
	}
	for sku, c := range f.client.sent {
		assert.Equal(t, 1, c, "%s sent %d times", sku, c)
	}
	assert.Len(t, f.client.sent, n)

	for i := range n {
		sku := fmt.Sprintf("SKU-%02d", i)
		s, err := f.inv.SetStock(ctx, sku, i)
		require.NoError(t, err)
		_, err = f.inv.MarkSent(ctx, messages.Trendyol, sku, s.Quantity, s.Version)
		require.NoError(t, err)
	}
	for _, owner := range []string{"a", "b", "c"} {
		p := f.publisher(owner)
		p.Acked = acked
		p.init()
		wg.Go(func() {
			for ctx.Err() == nil {
				more, err := p.pushStock(ctx)
				assert.NoError(t, err)
				if !more {
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Len(t, pushed, n)
	for k, c := range pushed {
		assert.Equal(t, 1, c, "%s pushed %d times", k, c)
	}
	assert.Len(t, f.client.pushes, n)
}

func TestReadyAndMetrics(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.queue(t, "A")
	p := f.publisher("a")
	p.Limiter = marketplace.NewLimiter(10, 1)
	p.init()
	require.NoError(t, p.Ready(ctx))

	f.client.upsert = func([]marketplace.Listing) (marketplace.Submission, error) {
		return marketplace.Submission{}, fmt.Errorf("401 ClientApiAuthenticationException: %w", marketplace.ErrUnauthorized)
	}
	round := p.sending(p.submitListings)
	_, err := round(ctx)
	p.record("listings", err)
	err = p.Ready(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "trendyol refuses our credentials")

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(p))
	p.Limiter.Pause(time.Minute)
	n, err := testutil.GatherAndCount(reg)
	require.NoError(t, err)
	assert.Equal(t, 5+2+1+2+1, n, "five listing states, two outbox kinds, paused, failed and since for one loop, drift")
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP stox_marketplace_rounds_failed_total Rounds of a marketplace loop that failed (listings, submissions, stock, orders, taxonomy, inputs, reconcile).
# TYPE stox_marketplace_rounds_failed_total counter
stox_marketplace_rounds_failed_total{loop="listings",marketplace="trendyol"} 1
`), "stox_marketplace_rounds_failed_total"))
	require.NoError(t, testutil.GatherAndCompare(reg, strings.NewReader(`
# HELP stox_listings Listings of current revisions by state.
# TYPE stox_listings gauge
stox_listings{marketplace="trendyol",state="accepted"} 0
stox_listings{marketplace="trendyol",state="needs_input"} 0
stox_listings{marketplace="trendyol",state="queued"} 1
stox_listings{marketplace="trendyol",state="rejected"} 0
stox_listings{marketplace="trendyol",state="submitted"} 0
# HELP stox_outbox_depth The outbox: listings waiting to be sent to or decided by the marketplace (queued, submitted), and SKUs whose stock it has not acknowledged.
# TYPE stox_outbox_depth gauge
stox_outbox_depth{kind="listings",marketplace="trendyol"} 1
stox_outbox_depth{kind="stock",marketplace="trendyol"} 0
`), "stox_listings", "stox_outbox_depth"))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var paused float64
	for _, mf := range mfs {
		if mf.GetName() == "stox_marketplace_paused_seconds" {
			paused = mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	assert.Greater(t, paused, 50.0)

	// Every marketplace's publisher registers beside the others.
	other := &Publisher{Client: &otherClient{f.client}, Store: f.st, Outbox: f.outbox}
	require.NoError(t, reg.Register(other))

	p.record("listings", nil)
	require.NoError(t, p.Ready(ctx), "ready again once a round succeeds")
	require.NoError(t, f.st.Close())
	err = p.Ready(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "trendyol: database")
}

type otherClient struct{ *fakeClient }

func (otherClient) Name() string { return messages.Amazon }

func TestThrottleHoldsListingsWhileTheMarketplaceCannotTakeThem(t *testing.T) {
	f := newFixture(t)
	p := f.publisher("a")
	p.HighWater = 2
	p.Limiter = marketplace.NewLimiter(10, 1)
	handled := 0
	h := Throttle(p, func(context.Context, string) error { handled++; return nil })

	require.NoError(t, h(context.Background(), "first"))
	assert.Equal(t, 1, handled)

	f.queue(t, "A")
	f.queue(t, "B")
	p.backlog.at = time.Time{} // read the outbox again now
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := h(ctx, "second")
	var bp *Backpressure
	require.ErrorAs(t, err, &bp)
	assert.Contains(t, bp.Reason, "2 listings wait to be sent to or decided by trendyol (high-water mark 2)")
	assert.Equal(t, 1, handled, "not taken")

	p.HighWater = 10
	p.backlog.at = time.Time{}
	p.Limiter.Pause(time.Minute)
	ctx, cancel = context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err = h(ctx, "third")
	require.ErrorAs(t, err, &bp)
	assert.Contains(t, bp.Reason, "trendyol asked us to wait")
	assert.Equal(t, 1, handled)
}

func TestReconcileCorrectsDriftThatLasts(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	f.accept(t, "A", 10)
	f.accept(t, "B", 4)
	p := f.publisher("a")
	p.Buffer = 1
	p.DriftConfirm = 20 * time.Millisecond
	p.ReconcileEvery = time.Hour
	p.init()
	_, err := p.pushStock(ctx)
	require.NoError(t, err)
	f.client.shown = map[string]int{"A": 9, "B": 1} // B drifted: 3 expected

	_, err = p.reconcile(ctx)
	require.NoError(t, err)
	left, err := f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	assert.Empty(t, left, "a difference seen once may be an order on its way: not corrected yet")
	_, err = p.reconcile(ctx)
	require.NoError(t, err)
	assert.Empty(t, p.reconcileAfter, "the pass is over and the next waits ReconcileEvery")

	time.Sleep(30 * time.Millisecond)
	_, err = p.reconcile(ctx)
	require.NoError(t, err)
	left, err = f.outbox.Unpushed(ctx, messages.Trendyol, 10, 3)
	require.NoError(t, err)
	require.Len(t, left, 1, "confirmed: pushed again")
	assert.Equal(t, "B", left[0].SKU)
	assert.Equal(t, 1, p.drifted)
	_, err = p.pushStock(ctx)
	require.NoError(t, err)
	assert.Equal(t, marketplace.Stock{SKU: "B", Quantity: 3}, f.client.pushes[len(f.client.pushes)-1])

	// A difference that an order explains goes away before it is confirmed.
	f.client.shown = map[string]int{"A": 8, "B": 3}
	p.passStarted = time.Time{}
	_, err = p.reconcile(ctx)
	require.NoError(t, err)
	s, err := f.inv.SetStock(ctx, "A", 9)
	require.NoError(t, err)
	_, err = f.inv.MarkSent(ctx, messages.Trendyol, "A", s.Quantity, s.Version)
	require.NoError(t, err)
	time.Sleep(30 * time.Millisecond)
	_, err = p.reconcile(ctx)
	require.NoError(t, err)
	assert.Equal(t, 1, p.drifted, "the ledger moved: nothing to correct")
	assert.Empty(t, p.drift)
}
