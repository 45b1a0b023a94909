package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (h *hepsiburada) setRevoked(v bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.revoked = v
}

// duplicateWindow: Hepsiburada documents no refusal of repeated stock bodies.
func (h *hepsiburada) duplicateWindow() time.Duration { return 0 }

// serverError is a 500 in the order service's error shape (the one documented body).
func (h *hepsiburada) serverError(w http.ResponseWriter) {
	h.omsError(w, http.StatusInternalServerError, "Internal Server Error")
}

// throttled is the order service's 429 with its X-RateLimit-* headers (Reset is the
// seconds until the window resets); Retry-After is added for generic clients.
func (h *hepsiburada) throttled(w http.ResponseWriter, retryAfter time.Duration) {
	h.rateHeaders(w, h.opts.OrderRateLimit, retryAfter)
	h.omsError(w, http.StatusTooManyRequests, "Too Many Requests")
}

func (h *hepsiburada) rateHeaders(w http.ResponseWriter, limit int, wait time.Duration) {
	w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
	w.Header().Set("X-RateLimit-Remaining", "0")
	w.Header().Set("X-RateLimit-Reset", retryAfterSeconds(wait))
	w.Header().Set("Retry-After", retryAfterSeconds(wait))
}

// omsError is the order service's error body; the listing service's 4xx bodies are
// not documented and use the same shape. [I]
func (h *hepsiburada) omsError(w http.ResponseWriter, status int, msg string) {
	h.seq++
	writeJSON(w, status, map[string]any{
		"statusCode": status, "code": strconv.Itoa(status), "defaultMessage": nil,
		"correlationId": fmt.Sprintf("c0ffee00-0000-4000-8000-%012d", h.seq), "message": msg,
	})
}

// catalogError is the catalog's envelope with success false.
func catalogError(w http.ResponseWriter, status, code int, msg string) {
	writeJSON(w, status, map[string]any{"success": false, "code": code, "version": 1, "message": msg, "data": nil})
}

func catalogOK(w http.ResponseWriter, data any) {
	writeJSON(w, http.StatusOK, map[string]any{"success": true, "code": 0, "version": 1, "message": nil, "data": data})
}

// api wraps a handler with Hepsiburada's checks (see guard) and runs it holding the
// imitation's lock, after settling due work so every handler sees the state at the
// sandbox's current time.
func (h *hepsiburada) api(svc hbService, fn func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return h.guard(svc, func(w http.ResponseWriter, r *http.Request, now time.Time) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.settle(now)
		fn(w, r, now)
	})
}

// guard wraps a handler with Hepsiburada's checks: Basic merchantId:serviceKey and the
// exact integrator User-Agent (401 in each service's own shape: the catalog's
// envelope, the listing service's text/plain "Missing Credentials!", the order
// service's empty body), then the service's rate limit (catalog: 403, as documented
// since January 2026; listing and orders: 429 with X-RateLimit-* headers). fn runs
// without the imitation's lock, so it may fetch images first; it takes the lock itself.
func (h *hepsiburada) guard(svc hbService, fn func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h.srv.inject(w, r, h) {
			return
		}
		if now, ok := h.admit(w, r, svc); ok {
			fn(w, r, now)
		}
	})
}

// admit applies guard's checks, answering when a request fails them.
func (h *hepsiburada) admit(w http.ResponseWriter, r *http.Request, svc hbService) (time.Time, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	mid := r.PathValue("mid")
	if h.revoked || !h.authorized(r) || (mid != "" && !strings.EqualFold(mid, h.opts.MerchantID)) {
		switch svc {
		case hbCatalog:
			catalogError(w, http.StatusUnauthorized, http.StatusUnauthorized, "Unauthorized")
		case hbListing:
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = io.WriteString(w, "Missing Credentials!")
		default:
			w.WriteHeader(http.StatusUnauthorized)
		}
		return time.Time{}, false
	}
	now := h.srv.Now()
	lim := &h.limits
	if svc == hbOMS {
		lim = &h.orderLimits
	}
	if ok, wait := lim.allow(string(svc), now); !ok {
		if svc == hbCatalog {
			catalogError(w, http.StatusForbidden, http.StatusForbidden,
				fmt.Sprintf("Rate limit exceeded: at most %d requests per %s; sustained excess blocks the IP", h.opts.RateLimit, h.opts.RateWindow))
			return time.Time{}, false
		}
		h.rateHeaders(w, lim.limit, wait)
		h.omsError(w, http.StatusTooManyRequests, "Too Many Requests")
		return time.Time{}, false
	}
	return now, true
}

func (h *hepsiburada) authorized(r *http.Request) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(h.opts.MerchantID+":"+h.opts.ServiceKey))
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1 &&
		r.Header.Get("User-Agent") == h.opts.UserAgent
}
