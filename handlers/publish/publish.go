// Package publish is the marketplace services' side that talks to the marketplace:
// loops that submit queued listings in batches and follow their submissions until the
// marketplace decides, push unacknowledged stock in batches, and read the marketplace's
// orders (polled, or pushed to a webhook) into the pipeline. All their work lives in
// the store's outbox, so a restart picks up where the last run stopped; the message
// handlers (handlers/listing, handlers/stock) only fill the outbox and wake the loops.
package publish

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// Publisher keeps one marketplace in step with the outbox.
type Publisher struct {
	Client marketplace.Client
	Store  store.Store
	Outbox store.Outbox
	// PublishOrder sends an order seen on the marketplace to the sync service.
	PublishOrder func(context.Context, messages.OrderV1) error
	Logger       *slog.Logger
	// Linger is how long a woken loop waits for more work to batch (default 20ms).
	Linger time.Duration
	// PollEvery is how often submissions are polled and idle loops look for work
	// (default 2s).
	PollEvery time.Duration
	// OrdersEvery is how often orders are read (default 5s).
	OrdersEvery time.Duration
	// OutcomesEvery is how often the outcomes of stock pushes are polled (default 5
	// times PollEvery). A push counts as acknowledged when the marketplace takes it;
	// the poll only finds the rare item it refused later, so it can wait.
	OutcomesEvery time.Duration
	// MaxAttempts is how many failed submissions reject a listing (default 5);
	// MaxFailures how many refused pushes stop pushing a quantity (default 10).
	MaxAttempts int
	MaxFailures int
	// Undecided is how long a submission may stay undecided before its listings are
	// submitted again (default 15m).
	Undecided time.Duration
	// Buffer is held back from every quantity pushed (a safety margin per marketplace).
	Buffer int
	// Acked, when set, is called with stock the marketplace acknowledged.
	Acked func([]store.Push)
	// Sent, when set, is called with the SKUs of listings the marketplace took.
	Sent func(skus []string)
	// Mapping, when set, maps every listing into the marketplace's vocabulary before
	// it is sent, and holds one that lacks something in needs_input; nil sends
	// listings as they are stored.
	Mapping *Mapping

	// Owner names this replica in the outbox's claims and leases (default: host, pid
	// and a random suffix). Replicas of one marketplace service share its outbox: each
	// sends only what it claimed, and one at a time follows submissions, reads orders,
	// syncs the taxonomy and reconciles stock.
	Owner string
	// ClaimFor is how long claimed outbox rows stay this replica's unless it renews
	// the claim, as it does while it sends them (default 30s).
	ClaimFor time.Duration
	// Limiter is the limiter of the client's listing submissions, watched for pauses
	// (metrics, backpressure). Stock pushes and polls have limiters of their own: a
	// 429 on them holds back no listing.
	Limiter *marketplace.Limiter
	// HighWater is how many listings may wait to be sent or decided before the
	// listing handler stops taking messages (Throttle; default 1000).
	HighWater int
	// ReconcileEvery is how often the stock the marketplace shows is read back and
	// compared with the ledger (default 15m; negative: never). The client must be a
	// marketplace.StockReader.
	ReconcileEvery time.Duration
	// DriftConfirm is how long a difference must last before it is corrected, so an
	// order the marketplace counted before the ledger did is not undone (default 30s).
	DriftConfirm time.Duration

	once           sync.Once
	started        time.Time
	health         map[string]*loopHealth
	drift          map[string]drift // differences seen once, by SKU
	reconcileAfter string           // the SKU the reconcile pass reached
	passStarted    time.Time        // when the last reconcile pass started
	drifted        int              // differences corrected
	descs          descs            // its metrics
	backlog        backlogCache
	listings       chan struct{}
	stock          chan struct{}
	inputs         chan struct{}

	mu      sync.Mutex
	pending []stockSubmission    // stock submissions not yet decided
	first   map[string]time.Time // when each listing submission was first polled
	held    map[string]string    // the mapping last stored for each held listing
}

type stockSubmission struct {
	sub   marketplace.Submission
	items []store.Push
}

func (p *Publisher) init() {
	p.once.Do(func() {
		p.listings = make(chan struct{}, 1)
		p.stock = make(chan struct{}, 1)
		p.inputs = make(chan struct{}, 1)
		p.first = map[string]time.Time{}
		p.held = map[string]string{}
		p.health = map[string]*loopHealth{}
		p.drift = map[string]drift{}
		p.started = time.Now()
		if p.Owner == "" {
			p.Owner = owner()
		}
		if p.HighWater == 0 {
			p.HighWater = 1000
		}
		if p.Logger == nil {
			p.Logger = slog.Default()
		}
		p.Logger = p.Logger.With("marketplace", p.Client.Name())
		p.descs = newDescs(p.Client.Name())
		def := func(d *time.Duration, v time.Duration) {
			if *d <= 0 {
				*d = v
			}
		}
		def(&p.Linger, 20*time.Millisecond)
		def(&p.PollEvery, 2*time.Second)
		def(&p.OrdersEvery, 5*time.Second)
		def(&p.OutcomesEvery, 5*p.PollEvery)
		def(&p.Undecided, 15*time.Minute)
		def(&p.ClaimFor, 30*time.Second)
		def(&p.DriftConfirm, 30*time.Second)
		if p.ReconcileEvery == 0 {
			p.ReconcileEvery = 15 * time.Minute
		}
		if p.Mapping != nil {
			def(&p.Mapping.SyncEvery, 24*time.Hour)
		}
		if p.MaxAttempts <= 0 {
			p.MaxAttempts = 5
		}
		if p.MaxFailures <= 0 {
			p.MaxFailures = 10
		}
	})
}

// WakeListings tells the listing loop there is work.
func (p *Publisher) WakeListings() { p.init(); wake(p.listings) }

// WakeInputs tells the publisher the seller supplied input or pinned a mapping: the
// listings waiting in needs_input are mapped again.
func (p *Publisher) WakeInputs() { p.init(); wake(p.inputs) }

// WakeStock tells the stock loop there is work.
func (p *Publisher) WakeStock() { p.init(); wake(p.stock) }

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run runs the loops until ctx ends. A failed round is retried a tick later; the
// failures show in Ready, in the metrics (Collector) and in the log.
func (p *Publisher) Run(ctx context.Context) error {
	p.init()
	var wg sync.WaitGroup
	run := func(name string, woken chan struct{}, tick time.Duration, r round) {
		p.loopHealth(name)
		wg.Go(func() { p.loop(ctx, name, woken, tick, r) })
	}
	run("listings", p.listings, p.PollEvery, p.sending(p.submitListings))
	run("submissions", nil, p.PollEvery, p.pollSubmissions)
	run("stock", p.stock, p.PollEvery, p.sending(p.pushStock))
	run("stock-outcomes", nil, p.OutcomesEvery, p.pollStockOutcomes)
	if p.PublishOrder != nil {
		run("orders", nil, p.OrdersEvery, p.leased("orders", p.readOrders))
	}
	if p.Mapping != nil {
		// Checked every PollEvery: a sync that failed (the marketplace down) is tried
		// again soon, as listings wait for it; a fresh taxonomy is left alone.
		run("taxonomy", nil, p.PollEvery, p.leased("taxonomy", p.syncTaxonomy))
		run("inputs", p.inputs, p.PollEvery, p.remap)
	}
	if _, ok := p.Client.(marketplace.StockReader); ok && p.ReconcileEvery > 0 {
		// Ticks often enough to confirm a difference on time; a pass starts every
		// ReconcileEvery.
		tick := min(p.ReconcileEvery, p.DriftConfirm)
		run("reconcile", nil, tick, p.leased("reconcile", p.reconcile))
	}
	wg.Wait()
	// Stopping: what this replica holds goes to the others (or to this service
	// restarted) at once, not when it runs out.
	release, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := p.Outbox.Release(release, p.Client.Name(), p.Owner); err != nil {
		p.Logger.Warn("could not release leases and claims; they run out by themselves", "error", err)
	}
	return nil
}

// round is one pass of a loop's work; more says there is more to do at once.
type round func(context.Context) (more bool, err error)

// loop calls r when woken or every tick; a round that reports more work is followed
// by another at once, one that fails by a pause of a tick.
func (p *Publisher) loop(ctx context.Context, name string, woken chan struct{}, tick time.Duration, r round) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		more, err := r(ctx)
		if ctx.Err() != nil {
			return
		}
		p.record(name, err)
		if err != nil {
			p.Logger.Warn("marketplace round failed", "loop", name, "error", err)
		}
		if more && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-woken:
			select { // let a burst of work gather into one batch
			case <-ctx.Done():
				return
			case <-time.After(p.Linger):
			}
		}
	}
}

// leaseFor is how long a lease is taken for: a replica that dies holding one holds
// it back from the others at most that long.
const leaseFor = 15 * time.Second

// leased runs r only while this replica holds the marketplace's lease called name,
// taken at each round and renewed while the round runs: work that one replica at a
// time should do. Between rounds the lease lapses unless the next comes first.
func (p *Publisher) leased(name string, r round) round {
	const ttl = leaseFor
	name += "/" + p.Client.Name()
	return func(ctx context.Context) (bool, error) {
		held, err := p.Outbox.Lease(ctx, name, p.Owner, ttl)
		if err != nil || !held {
			return false, err
		}
		defer p.renew(ctx, ttl/3, "lease "+name, func(ctx context.Context) error {
			_, err := p.Outbox.Lease(ctx, name, p.Owner, ttl)
			return err
		})()
		return r(ctx)
	}
}

// sending renews this replica's claims while a round that sends claimed rows runs,
// so no other replica takes them while they may still be on their way, and one
// that dies holds them back at most ClaimFor.
func (p *Publisher) sending(r round) round {
	return func(ctx context.Context) (bool, error) {
		defer p.renew(ctx, p.ClaimFor/3, "claims", func(ctx context.Context) error {
			return p.Outbox.Renew(ctx, p.Client.Name(), p.Owner, p.ClaimFor)
		})()
		return r(ctx)
	}
}

// renew calls renew every interval until the function it returns is called: what
// this replica holds (called what, for the log) stays its while a round runs.
func (p *Publisher) renew(ctx context.Context, every time.Duration, what string, renew func(context.Context) error) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := renew(ctx); err != nil && ctx.Err() == nil {
					p.Logger.Warn("not renewed", "what", what, "error", err)
				}
			}
		}
	}()
	return func() { close(done) }
}

// claim is this replica's claim on the outbox rows it sends.
func (p *Publisher) claim() store.Claim { return store.Claim{Owner: p.Owner, For: p.ClaimFor} }

// owner names this process among the replicas: host, pid and a random suffix.
func owner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s/%d/%x", host, os.Getpid(), b)
}

// paused reports errors that say "not now" rather than "not this": throttling (the
// adapter's limiter is paused already), a marketplace that is down or answers 5xx,
// and refused credentials (nothing a listing can fix). They count no attempt against
// the listings, and split no batch.
func paused(err error) bool {
	return errors.Is(err, marketplace.ErrRateLimited) || errors.Is(err, marketplace.ErrUnauthorized) ||
		errors.Is(err, marketplace.ErrUnavailable) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// answered reports a failed request the marketplace answered (a refusal, 429, 5xx):
// it did not take what was sent. One without an answer may have been taken.
func answered(err error) bool {
	return !errors.Is(err, marketplace.ErrNoAnswer) && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded)
}

// submitListings submits one batch of queued listings: MaxBatch of them, or
// MaxListings for a client that takes more listings at once (marketplace.ListingBatcher).
func (p *Publisher) submitListings(ctx context.Context) (bool, error) {
	max := p.Client.MaxBatch()
	if b, ok := p.Client.(marketplace.ListingBatcher); ok {
		max = b.MaxListings()
	}
	queued, err := p.Outbox.ClaimQueued(ctx, p.Client.Name(), p.claim(), max)
	if err != nil || len(queued) == 0 {
		return false, err
	}
	var pins taxonomy.Pins
	if p.Mapping != nil {
		if pins, err = p.pins(ctx); err != nil {
			return false, err
		}
	}
	var ls []marketplace.Listing
	var ok []store.PendingListing
	var maps []json.RawMessage
	for _, q := range queued {
		var l marketplace.Listing
		if err := json.Unmarshal(q.Payload, &l); err != nil {
			if _, ferr := p.Outbox.ListingFailed(ctx, q.ProductID, q.Revision, p.Client.Name(), "stored listing is unreadable: "+err.Error(), 1); ferr != nil {
				return false, ferr
			}
			continue
		}
		// A listing that may have reached the marketplace before is sent as an
		// existing one: the adapter looks it up before creating it (a second create
		// would be refused, and the live listing marked rejected).
		l.Existing = q.Existing || q.Resent
		var mj json.RawMessage
		if p.Mapping != nil {
			mapped, m, err := p.mapListing(ctx, l, q.Input, pins)
			if errors.Is(err, taxonomy.ErrNotSynced) {
				return false, nil // the taxonomy sync wakes this loop
			}
			if err != nil {
				return false, err
			}
			if mj, err = json.Marshal(m); err != nil {
				return false, err
			}
			if !m.Complete() {
				if err := p.Outbox.HoldListing(ctx, q.ProductID, q.Revision, p.Client.Name(), mj, m.Reasons()); err != nil {
					return false, err
				}
				continue
			}
			l = mapped
		}
		ls = append(ls, l)
		ok = append(ok, q)
		maps = append(maps, mj)
	}
	if len(ls) > 0 {
		if err := p.submit(ctx, ok, ls, maps); err != nil {
			return false, err
		}
	}
	return len(queued) == max, nil
}

// submit sends listings in one request, each with its mapping to record. When the
// request fails for a reason that may lie in one listing, it splits the batch in
// halves, so one bad listing never holds back the others; a single listing's failure
// counts an attempt.
func (p *Publisher) submit(ctx context.Context, qs []store.PendingListing, ls []marketplace.Listing, maps []json.RawMessage) error {
	ids := make([]string, len(qs))
	for i, q := range qs {
		ids[i] = q.ProductID
	}
	// Until the outcome is recorded, these may be on the marketplace.
	if err := p.Outbox.Sending(ctx, p.Client.Name(), ids); err != nil {
		return err
	}
	sub, err := p.Client.UpsertListings(ctx, ls)
	if err != nil {
		if paused(err) {
			if answered(err) { // not taken: nothing to look up when it goes again
				if uerr := p.Outbox.Unclaim(ctx, p.Client.Name(), p.Owner, ids); uerr != nil {
					return errors.Join(err, uerr)
				}
			}
			return err
		}
		if len(ls) > 1 {
			h := len(ls) / 2
			return errors.Join(p.submit(ctx, qs[:h], ls[:h], maps[:h]), p.submit(ctx, qs[h:], ls[h:], maps[h:]))
		}
		q := qs[0]
		rejected, ferr := p.Outbox.ListingFailed(ctx, q.ProductID, q.Revision, p.Client.Name(), err.Error(), p.MaxAttempts)
		if ferr != nil {
			return ferr
		}
		p.Logger.Warn("listing submission failed", "sku", q.SKU, "rejected", rejected, "error", err)
		return nil
	}
	if p.Sent != nil {
		skus := make([]string, len(ls))
		for i, l := range ls {
			skus[i] = l.SKU
		}
		p.Sent(skus)
	}
	// The marketplace has the listings now: record it even past the round's deadline
	// and through a short database outage, or they would be sent again.
	err = settle(ctx, func(ctx context.Context) error {
		for i, q := range qs {
			if err := p.Store.SetListing(ctx, q.ProductID, q.Revision, p.Client.Name(),
				store.Listing{State: store.ListingSubmitted, Submission: sub.ID, Mapping: maps[i]}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Items decided at once (refused before they were sent) are recorded now, the rest
	// when the submission is polled.
	return p.decide(ctx, sub, qs)
}

// pollSubmissions polls every undecided listing submission once, if this replica
// holds the marketplace's lease on them.
func (p *Publisher) pollSubmissions(ctx context.Context) (bool, error) {
	var errs []error
	held, err := p.Outbox.Lease(ctx, "submissions/"+p.Client.Name(), p.Owner, leaseFor)
	if err != nil {
		errs = append(errs, err)
	}
	if held {
		if err := p.pollListingSubmissions(ctx); err != nil {
			if paused(err) {
				return false, err
			}
			errs = append(errs, err)
		}
	}
	return false, errors.Join(errs...)
}

func (p *Publisher) pollListingSubmissions(ctx context.Context) error {
	submitted, err := p.Outbox.Submitted(ctx, p.Client.Name())
	if err != nil {
		return err
	}
	bySub := map[string][]store.PendingListing{}
	var order []string
	for _, s := range submitted {
		if _, ok := bySub[s.Submission]; !ok {
			order = append(order, s.Submission)
		}
		bySub[s.Submission] = append(bySub[s.Submission], s)
	}
	var errs []error
	for _, id := range order {
		if err := p.pollListings(ctx, id, bySub[id]); err != nil {
			if paused(err) {
				return err
			}
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// pollStockOutcomes polls the stock submissions this replica made, on a loop of its
// own: listing polls (and their throttling) never hold them up, nor they the polls.
func (p *Publisher) pollStockOutcomes(ctx context.Context) (bool, error) {
	var errs []error
	p.mu.Lock()
	stock := p.pending
	p.pending = nil
	p.mu.Unlock()
	for i, s := range stock {
		next, err := p.pollStock(ctx, s)
		if err != nil {
			errs = append(errs, err)
		}
		if next != nil {
			p.mu.Lock()
			p.pending = append(p.pending, *next)
			p.mu.Unlock()
		}
		if paused(err) {
			p.mu.Lock()
			p.pending = append(p.pending, stock[i+1:]...)
			p.mu.Unlock()
			break
		}
	}
	return false, errors.Join(errs...)
}

// settle runs a write that records what the marketplace has already taken: the
// round's deadline does not cut it short, and a database outage is waited out for a
// minute, since a record lost would send it again.
func settle(ctx context.Context, write func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	wait := 100 * time.Millisecond
	for {
		err := write(ctx)
		if err == nil || !store.Unavailable(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 5*time.Second)
	}
}

func (p *Publisher) pollListings(ctx context.Context, id string, qs []store.PendingListing) error {
	p.mu.Lock()
	first, ok := p.first[id]
	if !ok {
		first = time.Now()
		p.first[id] = first
	}
	p.mu.Unlock()
	forget := func() {
		p.mu.Lock()
		delete(p.first, id)
		p.mu.Unlock()
	}
	sub, err := p.Client.Poll(ctx, id)
	if err == nil {
		err = p.decide(ctx, sub, qs)
		if err == nil && sub.Done {
			forget()
			// A finished submission that gives a listing no outcome would hold it
			// submitted for ever (an Amazon feed report may leave messages out): it
			// goes again.
			return p.resubmit(ctx, undecided(sub, qs), fmt.Sprintf("submission %s finished without an outcome for it", id))
		}
	}
	switch {
	case errors.Is(err, marketplace.ErrSubmissionFailed):
		// The marketplace gave up on the whole submission (Amazon's FATAL feed): its
		// listings go again at once rather than after Undecided.
		forget()
		return p.resubmit(ctx, qs, err.Error())
	case time.Since(first) < p.Undecided:
		return err
	}
	// A batch that never completes (or whose result the marketplace forgot): submit
	// its undecided listings again, counting an attempt.
	forget()
	reason := fmt.Sprintf("submission %s undecided after %s", id, p.Undecided)
	if err != nil {
		reason += ": " + err.Error()
	}
	return p.resubmit(ctx, undecided(sub, qs), reason)
}

// undecided are the listings of qs the submission has no outcome for.
func undecided(sub marketplace.Submission, qs []store.PendingListing) []store.PendingListing {
	decided := map[string]bool{}
	for _, it := range sub.Items {
		if it.State != marketplace.SubmissionPending {
			decided[it.SKU] = true
		}
	}
	var out []store.PendingListing
	for _, q := range qs {
		if !decided[q.SKU] {
			out = append(out, q)
		}
	}
	return out
}

// resubmit queues listings to be sent again, counting an attempt against each (one
// out of attempts is rejected with the reason).
func (p *Publisher) resubmit(ctx context.Context, qs []store.PendingListing, reason string) error {
	for _, q := range qs {
		rejected, ferr := p.Outbox.ListingFailed(ctx, q.ProductID, q.Revision, p.Client.Name(), reason, p.MaxAttempts)
		if ferr != nil {
			return ferr
		}
		if !rejected {
			if err := p.Store.SetListing(ctx, q.ProductID, q.Revision, p.Client.Name(),
				store.Listing{State: store.ListingQueued, Reasons: []string{reason}}); err != nil {
				return err
			}
		}
	}
	if len(qs) > 0 {
		p.WakeListings()
	}
	return nil
}

// decide records the outcome of every decided item of a submission.
func (p *Publisher) decide(ctx context.Context, sub marketplace.Submission, qs []store.PendingListing) error {
	bySKU := map[string]store.PendingListing{}
	for _, q := range qs {
		bySKU[q.SKU] = q
	}
	for _, it := range sub.Items {
		q, ok := bySKU[it.SKU]
		if !ok || it.State == marketplace.SubmissionPending {
			continue
		}
		state := store.ListingAccepted
		if it.State == marketplace.SubmissionRejected {
			state = store.ListingRejected
		}
		// An accepted listing's barcode in the marketplace's own form (Trendyol joins
		// inner spaces) is kept: its stock is pushed under it from then on.
		if err := p.Store.SetListing(ctx, q.ProductID, q.Revision, p.Client.Name(),
			store.Listing{State: state, Reasons: it.Reasons, Submission: sub.ID, Barcode: it.Barcode}); err != nil {
			return err
		}
		if state == store.ListingAccepted {
			p.WakeStock() // stock waiting for this listing can go now
		}
	}
	return nil
}

// pushStock pushes one batch of unacknowledged stock.
func (p *Publisher) pushStock(ctx context.Context) (bool, error) {
	max := p.Client.MaxBatch()
	items, err := p.Outbox.ClaimUnpushed(ctx, p.Client.Name(), p.claim(), max, p.MaxFailures)
	if err != nil || len(items) == 0 {
		return false, err
	}
	if err := p.push(ctx, items); err != nil {
		return false, err
	}
	return len(items) == max, nil
}

func (p *Publisher) push(ctx context.Context, items []store.Push) error {
	stock := make([]marketplace.Stock, len(items))
	for i, it := range items {
		stock[i] = marketplace.Stock{SKU: it.SKU, Barcode: it.Barcode, Quantity: max(0, it.Quantity-p.Buffer)}
	}
	sub, err := p.Client.PushStock(ctx, stock)
	switch {
	case errors.Is(err, marketplace.ErrDuplicate):
		// The marketplace took this very body minutes ago: it holds these values.
		err = nil
	case err != nil && paused(err):
		return err
	case err != nil && len(items) > 1:
		h := len(items) / 2
		return errors.Join(p.push(ctx, items[:h]), p.push(ctx, items[h:]))
	case err != nil:
		p.Logger.Warn("stock push refused", "sku", items[0].SKU, "quantity", items[0].Quantity, "error", err)
		return p.Outbox.PushFailed(ctx, p.Client.Name(), items[0])
	}
	if err := settle(ctx, func(ctx context.Context) error { return p.Outbox.Pushed(ctx, p.Client.Name(), items) }); err != nil {
		return err
	}
	if p.Acked != nil {
		p.Acked(items)
	}
	if sub.ID != "" && !sub.Done {
		p.mu.Lock()
		p.pending = append(p.pending, stockSubmission{sub: sub, items: items})
		p.mu.Unlock()
	} else if sub.Done {
		_, err = p.stockOutcome(ctx, stockSubmission{sub: sub, items: items}, sub)
	}
	return err
}

// pollStock polls a stock submission; it returns the submission to poll again, if
// it is undecided.
func (p *Publisher) pollStock(ctx context.Context, s stockSubmission) (*stockSubmission, error) {
	sub, err := p.Client.Poll(ctx, s.sub.ID)
	if err != nil {
		return &s, err
	}
	return p.stockOutcome(ctx, s, sub)
}

// stockOutcome un-acknowledges items the marketplace refused, so they are pushed again.
func (p *Publisher) stockOutcome(ctx context.Context, s stockSubmission, sub marketplace.Submission) (*stockSubmission, error) {
	if !sub.Done {
		return &s, nil
	}
	bySKU := map[string]store.Push{}
	for _, it := range s.items {
		bySKU[it.SKU] = it
	}
	for _, it := range sub.Items {
		if it.State != marketplace.SubmissionRejected {
			continue
		}
		p.Logger.Warn("stock update rejected", "sku", it.SKU, "reasons", it.Reasons)
		if push, ok := bySKU[it.SKU]; ok {
			if err := p.Outbox.PushFailed(ctx, p.Client.Name(), push); err != nil {
				return nil, err
			}
			p.WakeStock()
		}
	}
	return nil, nil
}

// readOrders reads the marketplace's orders since the stored cursor and publishes
// them; the cursor moves only once they are published (an order may be published
// twice, never lost: the ledger applies each line once).
func (p *Publisher) readOrders(ctx context.Context) (bool, error) {
	cursor, err := p.Outbox.Cursor(ctx, p.Client.Name())
	if err != nil {
		return false, err
	}
	orders, next, err := p.Client.Orders(ctx, cursor)
	if err != nil {
		return false, fmt.Errorf("read orders: %w", err)
	}
	for _, o := range orders {
		if err := p.PublishOrder(ctx, o); err != nil {
			return false, fmt.Errorf("publish order %s: %w", o.OrderID, err)
		}
	}
	if next != cursor {
		if err := p.Outbox.SetCursor(ctx, p.Client.Name(), next); err != nil {
			return false, err
		}
	}
	return len(orders) > 0, nil
}

// Webhook is the HTTP handler for the marketplace's order webhooks, or nil when the
// marketplace has none. Every order in a delivery is published before it answers 200,
// so a delivery that fails is sent again by the marketplace.
func (p *Publisher) Webhook() (path string, h http.Handler) {
	w, ok := p.Client.(marketplace.WebhookReceiver)
	if !ok || p.PublishOrder == nil {
		return "", nil
	}
	p.init()
	return w.WebhookPath(), http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		orders, err := w.Webhook(r)
		switch {
		case errors.Is(err, marketplace.ErrUnauthorized):
			http.Error(rw, err.Error(), http.StatusUnauthorized)
			return
		case err != nil:
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		for _, o := range orders {
			if err := p.PublishOrder(r.Context(), o); err != nil {
				p.Logger.Warn("publish webhook order", "order", o.OrderID, "error", err)
				http.Error(rw, "could not take the order now: "+err.Error(), http.StatusServiceUnavailable)
				return
			}
		}
		rw.WriteHeader(http.StatusNoContent)
	})
}
