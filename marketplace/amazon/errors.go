package amazon

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stox-dev/stox/marketplace"
)

// Error is a non-2xx SP-API answer in Amazon's shape {"errors":[{code,message,details}]}.
type Error struct {
	Status int
	Errors []ErrorItem
	// RequestID is x-amzn-RequestId, which Amazon support asks for.
	RequestID string
	// Body is the raw answer (shortened) when it was not the error shape.
	Body string
}

// ErrorItem is one entry of an error answer.
type ErrorItem struct {
	Code    string
	Message string
	Details string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "amazon: HTTP %d", e.Status)
	for _, it := range e.Errors {
		b.WriteString(": " + it.Code)
		if it.Message != "" {
			b.WriteString(" (" + it.Message)
			if it.Details != "" {
				b.WriteString(" " + it.Details)
			}
			b.WriteString(")")
		}
	}
	if len(e.Errors) == 0 && e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if e.RequestID != "" {
		b.WriteString(" [request " + e.RequestID + "]")
	}
	return b.String()
}

// hasCode reports whether any entry has one of the codes.
func (e *Error) hasCode(codes ...string) bool {
	for _, it := range e.Errors {
		for _, c := range codes {
			if strings.EqualFold(it.Code, c) {
				return true
			}
		}
	}
	return false
}

// tokenRejected reports whether a 401/403 is about the access token (expired, revoked,
// malformed), which a fresh token from Login with Amazon may cure.
func (e *Error) tokenRejected() bool {
	if e.Status != http.StatusUnauthorized && e.Status != http.StatusForbidden {
		return false
	}
	if e.hasCode("InvalidAccessToken", "ExpiredAccessToken") {
		return true
	}
	for _, it := range e.Errors {
		d := strings.ToLower(it.Details + " " + it.Message)
		if strings.Contains(d, "access token") || strings.Contains(d, "expired") {
			return true
		}
	}
	return false
}

// userAgentRefused reports whether a 400 is about the User-Agent header: the
// application's identification, which only a change of configuration can fix. Amazon
// documents the header's form, not the answer to a bad one; a 400 naming the header
// is the sandbox's answer [I].
func (e *Error) userAgentRefused() bool {
	if e.Status != http.StatusBadRequest {
		return false
	}
	for _, it := range e.Errors {
		if strings.Contains(strings.ToLower(it.Message+" "+it.Details), "user-agent") {
			return true
		}
	}
	return false
}

// parseError turns an SP-API error answer into an error: 429 is a
// *marketplace.RateLimitError; 401, 403 and a 400 refusing the User-Agent wrap
// marketplace.ErrUnauthorized; the rest are *Error.
func parseError(status int, h http.Header, body []byte) error {
	e := &Error{Status: status, RequestID: marketplace.Shorten(h.Get("x-amzn-RequestId"))}
	var raw struct {
		Errors []map[string]any `json:"errors"`
	}
	if json.Unmarshal(body, &raw) == nil {
		for _, m := range raw.Errors {
			e.Errors = append(e.Errors, ErrorItem{Code: marketplace.Text(m["code"]), Message: marketplace.Text(m["message"]), Details: marketplace.Text(m["details"])})
		}
	}
	if len(e.Errors) == 0 {
		e.Body = marketplace.Shorten(string(body))
	}
	switch status {
	case http.StatusTooManyRequests:
		return &marketplace.RateLimitError{RetryAfter: retryAfter(h), Body: e.Error()}
	case http.StatusUnauthorized, http.StatusForbidden:
		return fmt.Errorf("%w: check the app's LWA credentials, refresh token and seller ID: %w", marketplace.ErrUnauthorized, e)
	}
	if e.userAgentRefused() {
		return fmt.Errorf("%w: check Config.UserAgent: %w", marketplace.ErrUnauthorized, e)
	}
	return e
}

// retryAfter is how long to wait after a 429: Retry-After when present (Amazon does
// not document one), else one token's worth of the rate in x-amzn-RateLimit-Limit
// (requests per second), else a second.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	if r, err := strconv.ParseFloat(strings.TrimSpace(h.Get("x-amzn-RateLimit-Limit")), 64); err == nil && r > 0 && r < 1e9 {
		if d := time.Duration(float64(time.Second) / r); d > 0 && d < 24*time.Hour {
			return d
		}
	}
	return time.Second
}
