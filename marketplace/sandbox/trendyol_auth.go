package sandbox

import (
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (t *trendyol) setRevoked(v bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.revoked = v
}

func (t *trendyol) duplicateWindow() time.Duration { return trendyolDuplicateWindow }

// serverError is the system-error shape Trendyol answers 500s with.
func (t *trendyol) serverError(w http.ResponseWriter) {
	writeJSON(w, http.StatusInternalServerError, map[string]any{
		"timestamp": t.srv.Now().UnixMilli(),
		"exception": "TrendyolSystemException",
		"errors":    []map[string]any{{"key": "generic.exception", "message": "Exception Occured", "errorCode": nil}},
	})
}

// throttled is Trendyol's 429; it documents no Retry-After or rate headers.
func (t *trendyol) throttled(w http.ResponseWriter, _ time.Duration) {
	tyErrors(w, http.StatusTooManyRequests, "too.many.requests", "too many requests")
}

func tyErrors(w http.ResponseWriter, status int, key, msg string) {
	writeJSON(w, status, map[string]any{"errors": []map[string]any{{"key": key, "message": msg, "errorCode": strconv.Itoa(status)}}})
}

// api wraps a Trendyol handler with its checks, in Trendyol's order: User-Agent (403),
// credentials (401), then the per-endpoint rate limit (429). Completed batches are
// settled first, so every handler sees the state at the sandbox's current time.
// Handlers run holding mu. Endpoints without a seller in their path (categories,
// brands) take the seller from the User-Agent, and the credentials must be its.
func (t *trendyol) api(h func(w http.ResponseWriter, r *http.Request, now time.Time)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if t.srv.inject(w, r, t) {
			return
		}
		sid := r.PathValue("sid")
		ua := r.Header.Get("User-Agent")
		prefix, name, ok := strings.Cut(ua, " - ")
		if sid == "" {
			sid = prefix
		}
		if !ok || prefix != sid || !userAgentRe.MatchString(name) {
			writeJSON(w, http.StatusForbidden, map[string]any{"exception": "ClientApiAuthenticationException",
				"errors": []map[string]any{{"key": "user.agent.required", "message": `User-Agent must be "{sellerId} - SelfIntegration" or "{sellerId} - {IntegratorName}"`, "errorCode": "403"}}})
			return
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if t.revoked || sid != t.opts.SellerID || !t.authorized(r.Header.Get("Authorization")) {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"exception": "ClientApiAuthenticationException"})
			return
		}
		now := t.srv.Now()
		if ok, wait := t.limits.allow(sid+" "+r.Pattern, now); !ok {
			t.throttled(w, wait)
			return
		}
		t.settle(now)
		h(w, r, now)
	})
}

func (t *trendyol) authorized(header string) bool {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(t.opts.APIKey+":"+t.opts.APISecret))
	return subtle.ConstantTimeCompare([]byte(header), []byte(want)) == 1
}
