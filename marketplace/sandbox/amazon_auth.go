package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

// azBucket is a token bucket on the sandbox clock.
type azBucket struct {
	rate   AmazonRate
	tokens float64
	last   time.Time
}

func (b *azBucket) allow(now time.Time) bool {
	if b.last.IsZero() {
		b.tokens, b.last = float64(b.rate.Burst), now
	}
	if now.After(b.last) {
		b.tokens = math.Min(float64(b.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*b.rate.Rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true
	}
	return false
}

// setRevoked invalidates every access token and the refresh token (the seller removed
// the app's authorisation), or makes the refresh token valid again.
func (a *amazon) setRevoked(v bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.revoked = v
	if v {
		a.tokens = map[string]time.Time{}
	}
}

// duplicateWindow is zero: PATCH sets absolute values and Amazon takes repeats.
func (a *amazon) duplicateWindow() time.Duration { return 0 }

func (a *amazon) serverError(w http.ResponseWriter) {
	azErrors(w, http.StatusInternalServerError, "InternalFailure", "We encountered an internal error. Please try again.", "")
}

// throttled is Amazon's 429. Amazon sends no Retry-After; x-amzn-RateLimit-Limit is set
// by the rate check itself, where the operation is known.
func (a *amazon) throttled(w http.ResponseWriter, _ time.Duration) {
	azErrors(w, http.StatusTooManyRequests, "QuotaExceeded", "You exceeded your quota for the requested resource.", "")
}

func azErrors(w http.ResponseWriter, status int, code, msg, details string) {
	if w.Header().Get("x-amzn-RequestId") == "" {
		w.Header().Set("x-amzn-RequestId", requestID())
	}
	e := map[string]any{"code": code, "message": msg}
	if details != "" {
		e["details"] = details
	}
	writeJSON(w, status, map[string]any{"errors": []any{e}})
}

func requestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// token is Login with Amazon's refresh-token grant.
func (a *amazon) token(w http.ResponseWriter, r *http.Request) {
	if a.srv.inject(w, r, a) {
		return
	}
	lwaError := func(status int, code, desc string) {
		writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
	}
	if err := r.ParseForm(); err != nil {
		lwaError(http.StatusBadRequest, "invalid_request", "The request body must be application/x-www-form-urlencoded")
		return
	}
	f := r.PostForm
	if f.Get("grant_type") != "refresh_token" {
		lwaError(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be refresh_token")
		return
	}
	if f.Get("refresh_token") == "" || f.Get("client_id") == "" || f.Get("client_secret") == "" {
		lwaError(http.StatusBadRequest, "invalid_request", "refresh_token, client_id and client_secret are required")
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if !equal(f.Get("client_id"), a.opts.ClientID) || !equal(f.Get("client_secret"), a.opts.ClientSecret) {
		lwaError(http.StatusUnauthorized, "invalid_client", "Client authentication failed")
		return
	}
	if a.revoked || !equal(f.Get("refresh_token"), a.opts.RefreshToken) {
		lwaError(http.StatusBadRequest, "invalid_grant", "The request has an invalid grant parameter : refresh_token")
		return
	}
	var b [24]byte
	_, _ = rand.Read(b[:])
	tok := "Atza|" + base64.RawURLEncoding.EncodeToString(b[:])
	a.tokens[tok] = a.srv.Now().Add(a.opts.TokenTTL)
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": tok, "refresh_token": a.opts.RefreshToken, "token_type": "bearer",
		"expires_in": int(a.opts.TokenTTL / time.Second),
	})
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// api wraps an SP-API handler with Amazon's checks in its order: access token (403),
// the operation's token bucket (429), the User-Agent (400 InvalidInput), then the
// request against the official model (400 InvalidInput). Every answer carries
// x-amzn-RequestId and the operation's x-amzn-RateLimit-Limit. Listings due by now are
// processed first.
func (a *amazon) api(op string, rate AmazonRate, h func(w http.ResponseWriter, r *http.Request, body []byte, now time.Time)) http.Handler {
	return a.checked(op, rate, true, func(w http.ResponseWriter, r *http.Request, body []byte, now time.Time) {
		if err := spmodel.ValidateRequest(r, body); err != nil {
			azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", err.Error())
			return
		}
		a.settle(now)
		h(w, r, body, now)
	})
}

// checked runs h, under the imitation's lock, for a request that passes the checks
// every SP-API operation makes first: injected faults, the body's size, the access
// token (and, with seller, the seller in the path), the operation's token bucket and
// the User-Agent. Every answer carries x-amzn-RequestId and x-amzn-RateLimit-Limit.
func (a *amazon) checked(op string, rate AmazonRate, seller bool, h func(w http.ResponseWriter, r *http.Request, body []byte, now time.Time)) http.Handler {
	limit := strconv.FormatFloat(rate.Rate, 'f', -1, 64)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("x-amzn-RequestId", requestID())
		w.Header().Set("x-amzn-RateLimit-Limit", limit)
		if a.srv.inject(w, r, a) {
			return
		}
		body, err := readAll(w, r)
		if err != nil {
			azErrors(w, http.StatusRequestEntityTooLarge, "RequestEntityTooLarge", "The request is too large.", err.Error())
			return
		}
		a.mu.Lock()
		defer a.mu.Unlock()
		now := a.srv.Now()
		if !a.authorized(w, r, now, seller) {
			return
		}
		if !a.allow(op, rate, now) {
			a.throttled(w, 0)
			return
		}
		if !userAgentOK(w, r) {
			return
		}
		h(w, r, body, now)
	})
}

// authorized checks the request's access token (and, with seller, that the sellerId
// in its path is the token's seller), answering Amazon's 403 when it fails.
func (a *amazon) authorized(w http.ResponseWriter, r *http.Request, now time.Time, seller bool) bool {
	const denied = "Access to requested resource is denied."
	tok := r.Header.Get("x-amz-access-token")
	exp, known := a.tokens[tok]
	switch {
	case tok == "":
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The request has no x-amz-access-token header.")
		return false
	case !known:
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token you provided is revoked, malformed or invalid.")
		return false
	case !now.Before(exp):
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token you provided has expired.")
		return false
	}
	if sid := r.PathValue("sellerId"); seller && sid != "" && sid != a.opts.SellerID {
		azErrors(w, http.StatusForbidden, "Unauthorized", denied, "The access token was not issued for seller "+sid+".")
		return false
	}
	return true
}

// allow takes a token from the bucket of key, made with rate on first use.
func (a *amazon) allow(key string, rate AmazonRate, now time.Time) bool {
	b := a.buckets[key]
	if b == nil {
		b = &azBucket{rate: rate}
		a.buckets[key] = b
	}
	return b.allow(now)
}

// userAgentOK checks the User-Agent every SP-API request must carry, in the form
// Amazon documents: AppName/Version (Language=…) [C S-AZ2]. Amazon documents the form
// and a refusal of headers over 500 characters, not the answer to a bad one: the
// imitation answers as for any other invalid parameter, 400 InvalidInput, which every
// operation's model documents ("Request has missing or invalid parameters and cannot
// be parsed") [I].
func userAgentOK(w http.ResponseWriter, r *http.Request) bool {
	if err := spmodel.ValidateUserAgent(r.Header.Get("User-Agent")); err != nil {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", err.Error())
		return false
	}
	return true
}
