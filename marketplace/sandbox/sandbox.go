// Package sandbox imitates the marketplaces' APIs over HTTP (auth, rate limits, payload
// validation, asynchronous batches, orders placed by simulated customers, injected
// faults) so adapters can be exercised without reaching a real marketplace.
//
// Each marketplace lives under its real path prefixes (Trendyol under /integration,
// Hepsiburada under its catalog, listing and order services' paths, Amazon under the
// SP-API paths and /auth/o2/token); test hooks, which no real marketplace has, live
// under /sandbox/{marketplace}/ and are the same for every marketplace:
//
//	POST /sandbox/{m}/orders               {"stockCode","quantity"} places an order against listed stock
//	POST /sandbox/{m}/orders/{id}/cancel   cancels an order and gives its stock back
//	GET  /sandbox/{m}/stock/{stockCode}    {"stockCode","quantity"} the sandbox holds for a listed product
//	PUT  /sandbox/{m}/stock/{stockCode}    {"quantity"} sets what the marketplace shows for a listed product
//	                                       without telling Stox (a seller's edit in the marketplace's panel,
//	                                       a missed order): 404 for a product not listed
//	GET  /sandbox/{m}/listings             {"stockCode": quantity, …} for every listed product
//
// and one for Hepsiburada alone:
//
//	PUT  /sandbox/hepsiburada/listings/{merchantSku}/fulfilled-by-hb   {"isFulfilledByHB": bool}
//
// With Options.HookKey set, every hook needs "Authorization: Bearer <HookKey>"; the
// imitations keep the marketplaces' own auth.
//
// Each imitation's files are named for its marketplace and split by concern: m.go its
// options, state and routes; m_auth.go credentials, rate limits and error answers;
// m_validate.go the payload rules; m_batches.go (Amazon: amazon_listings.go) the work
// that completes later; m_orders.go orders; m_taxonomy.go (Amazon:
// amazon_definitions.go) categories and attributes. Trendyol's price-and-inventory and
// webhooks have files of their own, as do Amazon's static sandbox, Amazon's feeds
// (amazon_feeds.go, with the documents they are uploaded and reported in) and
// Hepsiburada's fulfilment hook.
package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/internal/bearer"
)

// Options configures a sandbox Server.
type Options struct {
	// Now is the sandbox's clock; nil means time.Now. Advance shifts it further.
	Now func() time.Time
	// Trendyol configures the Trendyol imitation.
	Trendyol TrendyolOptions
	Amazon   AmazonOptions
	// Hepsiburada configures the Hepsiburada imitation.
	Hepsiburada HepsiburadaOptions
	// Faults are injected into marketplace routes (never into test hooks).
	Faults Faults
	// Customers places orders on their own once Run is called.
	Customers Customers
	// HookKey, when set, is the bearer key the test hooks under /sandbox/ require
	// (401 without it), so a sandbox reachable beyond its harness cannot be driven by
	// anyone; the marketplace imitations are not affected.
	HookKey string
	// ImageClient fetches listings' image URLs, as the marketplaces do before they
	// take a listing (default: a client with a 10 s timeout).
	ImageClient *http.Client
}

// Faults are failures injected into marketplace requests, drawn from a seeded source so
// a test sees the same sequence every run.
type Faults struct {
	// ErrorRate is the share (0 to 1) of requests answered with a 500 in the
	// marketplace's own error shape.
	ErrorRate float64
	// Latency is added before every marketplace request is handled.
	Latency time.Duration
	// Seed seeds the source the error draws come from.
	Seed uint64
	// StormEvery and StormLength make 429 storms: for StormLength out of every
	// StormEvery of sandbox time, every request is throttled with the marketplace's own
	// 429 answer, whatever its rate limit says.
	StormEvery  time.Duration
	StormLength time.Duration
	// SlowBatches is added to every asynchronous batch's processing time.
	SlowBatches time.Duration
}

// Customers are simulated buyers: orders at a rate against listed stock, some of them
// cancelled later.
type Customers struct {
	// OrdersPerSecond is the rate of orders over all marketplaces (0: none).
	OrdersPerSecond float64
	// CancelShare is the share (0 to 1) of orders cancelled after they were placed.
	CancelShare float64
	// MaxQuantity is the most units one order takes (default 3).
	MaxQuantity int
	// Seed seeds the customers' choices.
	Seed uint64
}

// Errors of the test hooks, for imitations to return.
var (
	ErrNotListed        = errors.New("no listed product with this stock code")
	ErrNoStock          = errors.New("not enough stock")
	ErrNoOrder          = errors.New("no such order")
	ErrAlreadyCancelled = errors.New("order is already cancelled")
)

// imitation is one imitated marketplace.
type imitation interface {
	// routes registers the marketplace's API on mux.
	routes(mux *http.ServeMux)
	setRevoked(revoked bool)
	// duplicateWindow is how long an identical stock body is refused (0: never).
	duplicateWindow() time.Duration
	// serverError and throttled write the marketplace's own 500 and 429 answers.
	serverError(w http.ResponseWriter)
	throttled(w http.ResponseWriter, retryAfter time.Duration)
	// placeOrder orders quantity units of a listed product; it returns the order's ID.
	placeOrder(stockCode string, quantity int) (string, error)
	// cancelOrder cancels an order and gives its stock back.
	cancelOrder(id string) error
	// setStock sets a listed product's quantity as the marketplace's seller panel does.
	setStock(stockCode string, quantity int) error
	// listings is every listed product's stock code and quantity.
	listings() map[string]int
}

// Server is the sandbox: an http.Handler serving every imitated marketplace.
type Server struct {
	mux       *http.ServeMux
	handler   http.Handler // mux, its hooks behind Options.HookKey
	now       func() time.Time
	faults    Faults
	customers Customers

	mu     sync.Mutex
	offset time.Duration
	rng    *rand.Rand

	marketplaces map[string]imitation
	images       *images
}

// New returns a sandbox serving every marketplace it imitates.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Customers.MaxQuantity <= 0 {
		opts.Customers.MaxQuantity = 3
	}
	s := &Server{
		mux:       http.NewServeMux(),
		now:       opts.Now,
		faults:    opts.Faults,
		customers: opts.Customers,
		rng:       rand.New(rand.NewPCG(opts.Faults.Seed, opts.Faults.Seed^0x9e3779b97f4a7c15)),
		images:    newImages(opts.ImageClient),
	}
	s.marketplaces = map[string]imitation{
		"trendyol":    newTrendyol(s, opts.Trendyol),
		"hepsiburada": newHepsiburada(s, opts.Hepsiburada),
		"amazon":      newAmazon(s, opts.Amazon),
	}
	for name, m := range s.marketplaces {
		m.routes(s.mux)
		s.mux.HandleFunc("POST /sandbox/"+name+"/orders", s.placeOrder(m))
		s.mux.HandleFunc("POST /sandbox/"+name+"/orders/{id}/cancel", s.cancelOrder(m))
		s.mux.HandleFunc("GET /sandbox/"+name+"/stock/{stockCode}", s.stock(m))
		s.mux.HandleFunc("PUT /sandbox/"+name+"/stock/{stockCode}", s.setStock(m))
		s.mux.HandleFunc("GET /sandbox/"+name+"/listings", s.listings(m))
	}
	// What `stox healthcheck` asks in the sandbox's container.
	s.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	s.handler = bearer.Guard(opts.HookKey, "sandbox", isHook, s.mux)
	return s
}

// isHook reports whether r is for a test hook rather than an imitated marketplace.
func isHook(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/sandbox/")
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// inject applies the configured faults to a marketplace request: latency, then a 429
// storm or a drawn 500, each in m's own shape. It reports whether it answered.
// Imitations call it first thing, before their own checks.
func (s *Server) inject(w http.ResponseWriter, r *http.Request, m imitation) bool {
	if s.faults.Latency > 0 {
		select {
		case <-time.After(s.faults.Latency):
		case <-r.Context().Done():
			return true
		}
	}
	if f := s.faults; f.StormEvery > 0 && f.StormLength > 0 {
		in := time.Duration(s.Now().UnixNano()) % f.StormEvery
		if in < f.StormLength {
			m.throttled(w, f.StormLength-in)
			return true
		}
	}
	if s.faults.ErrorRate > 0 && s.draw() < s.faults.ErrorRate {
		m.serverError(w)
		return true
	}
	return false
}

// checkImage fetches an image URL of a listing as the marketplaces do and returns why
// it is refused: not HTTPS (plain HTTP only on this machine's loopback addresses),
// unreachable, not an image, or a shorter side below minSide pixels; "" when it is fine.
func (s *Server) checkImage(ctx context.Context, rawURL string, minSide int) string {
	return s.images.check(ctx, rawURL, minSide)
}

// batchDelay is how long an imitation keeps a batch processing: its own delay plus any
// injected slowness.
func (s *Server) batchDelay(own time.Duration) time.Duration {
	return own + s.faults.SlowBatches
}

func (s *Server) draw() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.rng.Float64()
}

// Now is the sandbox's current time.
func (s *Server) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now().Add(s.offset)
}

// Advance moves the sandbox's clock forward by d: batches finish, rate-limit windows
// and duplicate-request windows pass without waiting.
func (s *Server) Advance(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.offset += d
}

// Marketplaces lists the imitated marketplaces.
func (s *Server) Marketplaces() []string {
	names := make([]string, 0, len(s.marketplaces))
	for n := range s.marketplaces {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SetRevoked makes the configured credentials of a marketplace invalid (as if the seller
// regenerated them in the seller panel) or valid again.
func (s *Server) SetRevoked(marketplace string, revoked bool) error {
	m, ok := s.marketplaces[marketplace]
	if !ok {
		return fmt.Errorf("sandbox: unknown marketplace %q", marketplace)
	}
	m.setRevoked(revoked)
	return nil
}

// DuplicateWindow is how long a marketplace refuses a price-and-stock request identical
// to one it accepted; zero when it has no such rule.
func (s *Server) DuplicateWindow(marketplace string) time.Duration {
	if m, ok := s.marketplaces[marketplace]; ok {
		return m.duplicateWindow()
	}
	return 0
}

// PlaceOrder places an order on a marketplace as a customer would; it returns the
// marketplace's order ID.
func (s *Server) PlaceOrder(marketplace, stockCode string, quantity int) (string, error) {
	m, ok := s.marketplaces[marketplace]
	if !ok {
		return "", fmt.Errorf("sandbox: unknown marketplace %q", marketplace)
	}
	if quantity <= 0 {
		return "", fmt.Errorf("sandbox: quantity must be positive, got %d", quantity)
	}
	return m.placeOrder(stockCode, quantity)
}

// CancelOrder cancels an order on a marketplace, giving its stock back.
func (s *Server) CancelOrder(marketplace, id string) error {
	m, ok := s.marketplaces[marketplace]
	if !ok {
		return fmt.Errorf("sandbox: unknown marketplace %q", marketplace)
	}
	return m.cancelOrder(id)
}

// SetStock sets what a marketplace shows of a listed product's stock without telling
// Stox, as a seller's edit in the marketplace's panel (or an order Stox missed) does.
// It wraps ErrNotListed for a product the marketplace does not list.
func (s *Server) SetStock(marketplace, stockCode string, quantity int) error {
	m, ok := s.marketplaces[marketplace]
	if !ok {
		return fmt.Errorf("sandbox: unknown marketplace %q", marketplace)
	}
	if quantity < 0 {
		return fmt.Errorf("sandbox: quantity must be 0 or more, got %d", quantity)
	}
	return m.setStock(stockCode, quantity)
}

// Listings is every listed product's stock code and quantity on a marketplace.
func (s *Server) Listings(marketplace string) map[string]int {
	if m, ok := s.marketplaces[marketplace]; ok {
		return m.listings()
	}
	return nil
}

// Run places orders as simulated customers at the configured rate until ctx ends.
func (s *Server) Run(ctx context.Context) error {
	c := s.customers
	if c.OrdersPerSecond <= 0 {
		<-ctx.Done()
		return nil
	}
	rng := rand.New(rand.NewPCG(c.Seed, c.Seed^0x51f15eed))
	tick := time.NewTicker(time.Duration(float64(time.Second) / c.OrdersPerSecond))
	defer tick.Stop()
	type placed struct{ marketplace, id string }
	var orders []placed
	names := s.Marketplaces()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if len(orders) > 0 && rng.Float64() < c.CancelShare {
			i := rng.IntN(len(orders))
			o := orders[i]
			orders = append(orders[:i], orders[i+1:]...)
			_ = s.CancelOrder(o.marketplace, o.id)
			continue
		}
		name := names[rng.IntN(len(names))]
		var codes []string
		for code, q := range s.Listings(name) {
			if q > 0 {
				codes = append(codes, code)
			}
		}
		if len(codes) == 0 {
			continue
		}
		sort.Strings(codes)
		code := codes[rng.IntN(len(codes))]
		if id, err := s.PlaceOrder(name, code, 1+rng.IntN(c.MaxQuantity)); err == nil {
			orders = append(orders, placed{name, id})
		}
	}
}

func (s *Server) placeOrder(m imitation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			StockCode string `json:"stockCode"`
			Quantity  int    `json:"quantity"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || in.StockCode == "" || in.Quantity <= 0 {
			hookError(w, http.StatusBadRequest, `body must be {"stockCode": "...", "quantity": N} with N > 0`)
			return
		}
		id, err := m.placeOrder(in.StockCode, in.Quantity)
		if err != nil {
			hookError(w, hookStatus(err), err.Error())
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"orderId": id, "stockCode": in.StockCode, "quantity": in.Quantity})
	}
}

func (s *Server) cancelOrder(m imitation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := m.cancelOrder(r.PathValue("id")); err != nil {
			hookError(w, hookStatus(err), err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"orderId": r.PathValue("id"), "status": "cancelled"})
	}
}

func (s *Server) stock(m imitation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("stockCode")
		q, ok := m.listings()[code]
		if !ok {
			hookError(w, http.StatusNotFound, ErrNotListed.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"stockCode": code, "quantity": q})
	}
}

func (s *Server) setStock(m imitation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in struct {
			Quantity *int `json:"quantity"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || in.Quantity == nil || *in.Quantity < 0 {
			hookError(w, http.StatusBadRequest, `body must be {"quantity": N} with N >= 0`)
			return
		}
		code := r.PathValue("stockCode")
		if err := m.setStock(code, *in.Quantity); err != nil {
			hookError(w, hookStatus(err), err.Error())
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"stockCode": code, "quantity": *in.Quantity})
	}
}

func (s *Server) listings(m imitation) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, m.listings())
	}
}

func hookStatus(err error) int {
	switch {
	case errors.Is(err, ErrNotListed), errors.Is(err, ErrNoOrder):
		return http.StatusNotFound
	case errors.Is(err, ErrNoStock), errors.Is(err, ErrAlreadyCancelled):
		return http.StatusConflict
	}
	return http.StatusBadRequest
}

func hookError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"error": msg})
}

// retryAfterSeconds is d rounded up to whole seconds, at least 1, as Retry-After takes.
func retryAfterSeconds(d time.Duration) string {
	return strconv.Itoa(max(1, int((d+time.Second-1)/time.Second)))
}

// window is a sliding-window request counter per key (seller and endpoint).
type window struct {
	limit int
	span  time.Duration
	hits  map[string][]time.Time
}

// allow records a request at now and reports whether it is within the limit; when it
// is not, wait is how long until a slot frees.
func (w *window) allow(key string, now time.Time) (ok bool, wait time.Duration) {
	kept := w.hits[key][:0]
	for _, t := range w.hits[key] {
		if now.Sub(t) < w.span {
			kept = append(kept, t)
		}
	}
	if len(kept) >= w.limit {
		w.hits[key] = kept
		return false, w.span - now.Sub(kept[0])
	}
	w.hits[key] = append(kept, now)
	return true, 0
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readAll(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, 64<<20)); err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	return buf.Bytes(), nil
}
