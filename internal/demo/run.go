package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// Config is what a run needs: where Stox and the sandbox answer, and how much to do.
type Config struct {
	// API is the base URL of Stox's HTTP API, Key one of its bearer keys ("" when it
	// needs none), Sandbox the base URL of the marketplace sandbox, SandboxKey the
	// bearer key of its hooks ("" when they are open).
	API, Key, Sandbox, SandboxKey string
	// Products is how many of Samples to send (1 to len(Samples)).
	Products int
	// Orders is how many orders the sandbox's customers place, spread over the
	// products and marketplaces.
	Orders int
	// Timeout bounds the whole run.
	Timeout time.Duration
	// Out receives the progress and the summary; Terminal redraws bars in place.
	Out      io.Writer
	Terminal bool
	// HTTP is the client of both (default: one with a 30 s timeout).
	HTTP *http.Client
	// Poll is how often the demo looks at the products and the stock (default 300 ms).
	Poll time.Duration
	// Seed chooses the orders (default: the clock, so every run orders differently).
	Seed uint64
}

// Result is what a run saw.
type Result struct {
	// Revision is each SKU's revision this run made.
	Revision map[string]int
	// IDs maps each SKU to its product ID.
	IDs map[string]string
	// Accepted counts the products each marketplace accepted.
	Accepted map[string]int
	// Rejected and Undecided say, a line each, which listings were refused (with the
	// marketplace's reasons) or not decided in time.
	Rejected, Undecided []string
	// Answered lists the inputs the demo supplied for listings in needs_input.
	Answered []string
	// Catalog counts the catalog's products under each sample SKU of the run: one each,
	// however many runs there were.
	Catalog map[string]int
	// Duplicates says which SKUs the catalog holds more than once.
	Duplicates []string
	// Orders and Units are what the customers bought.
	Orders, Units int
	// InStep counts, per marketplace, the SKUs it shows as the ledger holds them;
	// OutOfStep says which did not, and how.
	InStep    map[string]int
	OutOfStep []string
	// Stages are the stages with their times; Total the whole run's.
	Stages []StageTime
	Total  time.Duration
}

// StageTime is how a stage went.
type StageTime struct {
	Name        string
	Done, Total int
	Took        time.Duration
}

// Problems says what is wrong with the run, one line each: listings not accepted,
// stock not in step; nil when everything is.
func (r Result) Problems() []string {
	var out []string
	out = append(out, r.Duplicates...)
	out = append(out, r.Rejected...)
	out = append(out, r.Undecided...)
	out = append(out, r.OutOfStep...)
	return out
}

// item is one product of the run.
type item struct {
	i        int // index in Samples
	sku, id  string
	revision int
	// start is its stock in the ledger when the run began, sold what the customers
	// bought.
	start, sold int
	// ledger is its stock in the ledger when the demo last looked.
	ledger int
	// orders counts the orders placed for it; ordersOn and soldOn its orders and
	// units on each marketplace.
	orders   int
	ordersOn map[string]int
	soldOn   map[string]int
	listing  map[string]store.Listing
	answered map[string]bool
	// stuck marks listings waiting for input the demo cannot choose.
	stuck  map[string]bool
	titles map[string]string
}

// Stage names, in the order they are shown.
const (
	stageUploaded = "uploaded"
	stageImages   = "images"
	stageSEO      = "seo"
	stageOrders   = "orders applied"
	stageInStep   = "stock in step"
)

func listedOn(m string) string { return "listed on " + m }

// run is one run's state.
type run struct {
	cfg    Config
	c      *client
	p      *progress
	stages map[string]*stage
	items  []*item
	res    Result
	start  time.Time
}

// Run sends cfg.Products sample products through Stox, places cfg.Orders orders in
// the sandbox and checks every marketplace's stock against the ledger, showing
// progress on cfg.Out and ending with a summary. The error is for a run that could
// not go on (Stox unreachable, an upload refused, the time up); what the run found
// wrong is in Result.Problems.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Products < 1 || cfg.Products > len(Samples) {
		return Result{}, fmt.Errorf("products must be from 1 to %d (the demo's samples); got %d", len(Samples), cfg.Products)
	}
	if cfg.Orders < 0 {
		return Result{}, fmt.Errorf("orders must not be negative; got %d", cfg.Orders)
	}
	if cfg.HTTP == nil {
		cfg.HTTP = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 300 * time.Millisecond
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	r := newRun(cfg)
	fmt.Fprintf(cfg.Out, "stox demo: %d sample products to %s, %d orders through the sandbox at %s\n", cfg.Products, r.c.api, cfg.Orders, r.c.sandbox)

	err := r.steps(ctx)
	r.res.Total = time.Since(r.start)
	r.tally()
	for _, s := range r.p.stages {
		r.res.Stages = append(r.res.Stages, StageTime{Name: s.name, Done: s.done, Total: s.total, Took: s.took(time.Now())})
	}
	r.p.draw(time.Now())
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		err = fmt.Errorf("not done after %s: %w", cfg.Timeout, err)
	}
	r.summary(err)
	return r.res, err
}

// newRun is a run's state before it starts: its client, and its stages in the order
// they are shown.
func newRun(cfg Config) *run {
	r := &run{cfg: cfg, stages: map[string]*stage{}, start: time.Now(),
		c: &client{api: strings.TrimSuffix(cfg.API, "/"), sandbox: strings.TrimSuffix(cfg.Sandbox, "/"),
			key: cfg.Key, sandboxKey: cfg.SandboxKey, http: cfg.HTTP},
		res: Result{Revision: map[string]int{}, IDs: map[string]string{}, Accepted: map[string]int{}, InStep: map[string]int{}},
	}
	n := cfg.Products
	var order []*stage
	add := func(name string, total int) {
		s := &stage{name: name, total: total}
		r.stages[name] = s
		order = append(order, s)
	}
	add(stageUploaded, n)
	add(stageImages, n)
	add(stageSEO, n)
	for _, m := range messages.Marketplaces {
		add(listedOn(m), n)
	}
	add(stageOrders, cfg.Orders)
	add(stageInStep, n*len(messages.Marketplaces))
	r.p = newProgress(cfg.Out, cfg.Terminal, order)
	return r
}

// steps runs the stages in turn.
func (r *run) steps(ctx context.Context) error {
	if err := r.upload(ctx); err != nil {
		return err
	}
	if err := r.catalog(ctx); err != nil {
		return err
	}
	if err := r.follow(ctx); err != nil {
		return err
	}
	if err := r.order(ctx); err != nil {
		return err
	}
	return r.settle(ctx)
}

// upload sends every sample (every other one with a second photo) and reads its
// stock in the ledger: the sample's on the first run, what the last run left after
// that (a new revision keeps the stock, as it keeps a real shop's sales), restocked
// when little is left.
func (r *run) upload(ctx context.Context) error {
	up := r.stages[stageUploaded]
	for i := range r.cfg.Products {
		s := Samples[i]
		a, err := r.c.upload(ctx, i, 1+i%2)
		if err != nil {
			return fmt.Errorf("upload %s: %w", s.SKU, err)
		}
		q, err := r.restock(ctx, s, a.Revision)
		if err != nil {
			return err
		}
		r.items = append(r.items, &item{i: i, sku: s.SKU, id: a.ID, revision: a.Revision, start: q,
			listing: map[string]store.Listing{}, answered: map[string]bool{}, stuck: map[string]bool{},
			soldOn: map[string]int{}, ordersOn: map[string]int{}})
		r.res.Revision[s.SKU], r.res.IDs[s.SKU] = a.Revision, a.ID
		now := time.Now()
		up.set(i+1, now)
		// the pipeline's stages start with the first product
		for _, st := range r.p.stages {
			if st.start.IsZero() && st.name != stageOrders && st.name != stageInStep {
				st.start = now
			}
		}
		r.p.draw(now)
	}
	return nil
}

// restock reads a sample's stock in the ledger and, when earlier runs sold more than
// half of it, sets it to the sample's stock plus the revision, as a seller restocking
// would; it returns the stock the run starts from. The revision makes each run's
// restock a quantity of its own, which the summary shows. (It once also kept Trendyol
// from refusing a stock body it took within 15 minutes; the Trendyol client now
// resends such a body changed, so that no longer depends on it.)
func (r *run) restock(ctx context.Context, s Sample, revision int) (int, error) {
	q, err := r.c.ledger(ctx, s.SKU)
	if err != nil {
		return 0, fmt.Errorf("read the stock of %s: %w", s.SKU, err)
	}
	if q >= s.Stock/2 {
		return q, nil
	}
	st, err := r.c.setStock(ctx, s.SKU, s.Stock+revision)
	if err != nil {
		return 0, fmt.Errorf("restock %s: %w", s.SKU, err)
	}
	r.p.note(time.Now(), "%s: %d left of %d, restocked to %d (PUT /v1/products/%s/stock)", s.SKU, q, s.Stock, st.Quantity, s.SKU)
	return st.Quantity, nil
}

// catalog counts the catalog's products under the run's SKUs.
func (r *run) catalog(ctx context.Context) error {
	skus := map[string]bool{}
	for _, it := range r.items {
		skus[it.sku] = true
	}
	n, err := r.c.products(ctx, skus)
	if err != nil {
		return fmt.Errorf("list the catalog: %w", err)
	}
	r.res.Catalog = n
	for _, it := range r.items {
		if n[it.sku] != 1 {
			r.res.Duplicates = append(r.res.Duplicates, fmt.Sprintf("%s is in the catalog %d times", it.sku, n[it.sku]))
		}
	}
	return nil
}

// follow polls the products until every listing is accepted or rejected, answering
// listings that wait for the seller's input.
func (r *run) follow(ctx context.Context) error {
	return r.every(ctx, func() (bool, error) {
		images, seo, decided := 0, 0, 0
		listed := map[string]int{}
		for _, it := range r.items {
			p, err := r.c.product(ctx, it.id)
			if err != nil {
				return false, err
			}
			if p.Stages[store.StageImages].State == store.StateDone {
				images++
			}
			if p.Stages[store.StageSEO].State == store.StateDone {
				seo++
			}
			for _, m := range messages.Marketplaces {
				l := p.Listings[m]
				it.listing[m] = l
				switch l.State {
				case store.ListingAccepted:
					listed[m]++
					decided++
				case store.ListingRejected:
					decided++
				case store.ListingNeedsInput:
					if err := r.answer(ctx, it, m, l); err != nil {
						return false, err
					}
					if it.stuck[m] {
						decided++ // as far as the demo can take it
					}
				}
			}
			for _, st := range []string{store.StageImages, store.StageSEO} {
				if s := p.Stages[st]; s.State == store.StateFailed {
					return false, fmt.Errorf("%s: the %s stage failed: %s", it.sku, st, strings.Join(s.Reasons, "; "))
				}
			}
			it.titles = map[string]string{}
			for m, t := range p.Texts {
				it.titles[m] = t.Title
			}
		}
		now := time.Now()
		r.stages[stageImages].set(images, now)
		r.stages[stageSEO].set(seo, now)
		for _, m := range messages.Marketplaces {
			r.stages[listedOn(m)].set(listed[m], now)
		}
		return decided == len(r.items)*len(messages.Marketplaces), nil
	})
}

// answer supplies what a listing in needs_input lacks, once per listing: the first
// value the marketplace allows, as a seller picking from its list would, and says so.
func (r *run) answer(ctx context.Context, it *item, m string, l store.Listing) error {
	if it.answered[m] {
		return nil
	}
	var mp taxonomy.Mapping
	if err := json.Unmarshal(l.Mapping, &mp); err != nil || len(mp.Missing) == 0 {
		return nil // not mapped yet: the service says what is missing when it has
	}
	in := map[string]any{}
	attrs := map[string]string{}
	var said []string
	for _, x := range mp.Missing {
		if len(x.Allowed) == 0 {
			r.p.note(time.Now(), "%s on %s needs %s and allows any value: the demo cannot choose one; answer it with PUT /v1/products/%s/listings/%s/input", it.sku, m, x.Name, it.id, m)
			it.answered[m], it.stuck[m] = true, true
			return nil
		}
		v, _, _ := strings.Cut(x.Allowed[0], ":") // a category or brand candidate is "ID: path"
		v = strings.TrimSpace(v)
		switch x.Field {
		case "category", "brand":
			in[x.Field] = v
		default:
			attrs[x.Name] = v
		}
		said = append(said, fmt.Sprintf("%s %q", x.Name, v))
	}
	if len(attrs) > 0 {
		in["attributes"] = attrs
	}
	if err := r.c.input(ctx, it.id, m, in); err != nil {
		return fmt.Errorf("answer %s on %s: %w", it.sku, m, err)
	}
	it.answered[m] = true
	line := fmt.Sprintf("%s on %s: %s", it.sku, m, strings.Join(said, ", "))
	r.res.Answered = append(r.res.Answered, line)
	r.p.note(time.Now(), "%s asked for the seller's input (%s); the demo answered %s through the API", m, strings.Join(mp.Reasons(), "; "), line)
	return nil
}

// every calls step every cfg.Poll, redrawing the progress, until it reports done,
// fails, or ctx ends.
func (r *run) every(ctx context.Context, step func() (bool, error)) error {
	t := time.NewTicker(r.cfg.Poll)
	defer t.Stop()
	for {
		done, err := step()
		r.p.draw(time.Now())
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
