// Package sandbox imitates the marketplaces' APIs over HTTP (auth, rate limits, payload
// validation, asynchronous batches, orders placed by simulated customers, injected
// faults) so adapters can be exercised without reaching a real marketplace.
//
// Each marketplace lives under its real path prefix (Trendyol under /integration);
// test hooks, which no real marketplace has, live under /sandbox/{marketplace}/.
package sandbox

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Options configures a sandbox Server.
type Options struct {
	// Now is the sandbox's clock; nil means time.Now. Advance shifts it further.
	Now func() time.Time
	// Trendyol configures the Trendyol imitation.
	Trendyol TrendyolOptions
	// Faults are injected into marketplace routes (never into test hooks).
	Faults Faults
}

// Faults are failures injected into marketplace requests, drawn from a seeded source so
// a test sees the same sequence every run.
type Faults struct {
	// ErrorRate is the share (0 to 1) of requests answered with a 500.
	ErrorRate float64
	// Latency is added before every marketplace request is handled.
	Latency time.Duration
	// Seed seeds the source the error draws come from.
	Seed uint64
}

// Server is the sandbox: an http.Handler serving every imitated marketplace.
type Server struct {
	mux    *http.ServeMux
	now    func() time.Time
	faults Faults

	mu     sync.Mutex
	offset time.Duration
	rng    *rand.Rand

	trendyol *trendyol
}

// New returns a sandbox serving every marketplace it imitates.
func New(opts Options) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{
		mux:    http.NewServeMux(),
		now:    opts.Now,
		faults: opts.Faults,
		rng:    rand.New(rand.NewPCG(opts.Faults.Seed, opts.Faults.Seed^0x9e3779b97f4a7c15)),
	}
	s.trendyol = newTrendyol(s, opts.Trendyol)
	s.trendyol.routes(s.mux)
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, "/sandbox/") {
		if s.faults.Latency > 0 {
			select {
			case <-time.After(s.faults.Latency):
			case <-r.Context().Done():
				return
			}
		}
		if s.faults.ErrorRate > 0 && s.draw() < s.faults.ErrorRate {
			// Trendyol's system-error shape; other marketplaces will pick theirs by path.
			writeJSON(w, http.StatusInternalServerError, map[string]any{
				"timestamp": s.Now().UnixMilli(),
				"exception": "TrendyolSystemException",
				"errors":    []map[string]any{{"key": "generic.exception", "message": "Exception Occured", "errorCode": nil}},
			})
			return
		}
	}
	s.mux.ServeHTTP(w, r)
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

// SetRevoked makes the configured credentials of a marketplace invalid (as if the seller
// regenerated them in the seller panel) or valid again.
func (s *Server) SetRevoked(marketplace string, revoked bool) error {
	switch marketplace {
	case "trendyol":
		s.trendyol.setRevoked(revoked)
		return nil
	}
	return fmt.Errorf("sandbox: unknown marketplace %q", marketplace)
}

// DuplicateWindow is how long a marketplace refuses a price-and-stock request identical
// to one it accepted; zero when it has no such rule.
func (s *Server) DuplicateWindow(marketplace string) time.Duration {
	if marketplace == "trendyol" {
		return trendyolDuplicateWindow
	}
	return 0
}

// window is a sliding-window request counter per key (seller and endpoint).
type window struct {
	limit int
	span  time.Duration
	hits  map[string][]time.Time
}

// allow records a request at now and reports whether it is within the limit.
func (w *window) allow(key string, now time.Time) bool {
	kept := w.hits[key][:0]
	for _, t := range w.hits[key] {
		if now.Sub(t) < w.span {
			kept = append(kept, t)
		}
	}
	if len(kept) >= w.limit {
		w.hits[key] = kept
		return false
	}
	w.hits[key] = append(kept, now)
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
