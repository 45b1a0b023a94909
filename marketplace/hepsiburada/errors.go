package hepsiburada

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stox-dev/stox/marketplace"
)

// Error is an error answer from one of Hepsiburada's services, read from whichever
// shape it had: the catalog's envelope {success:false, code, message}, the order
// service's {statusCode, code, defaultMessage, correlationId, message}, an
// {errors:[…]} list, or plain text (the listing service's 401 "Missing Credentials!").
type Error struct {
	Status        int
	Code          string
	Message       string
	CorrelationID string
	Errors        []string
	// Body is the raw answer (shortened) when it was none of the known shapes.
	Body string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hepsiburada: HTTP %d", e.Status)
	if e.Code != "" && e.Code != strconv.Itoa(e.Status) {
		b.WriteString(" code " + e.Code)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	for _, m := range e.Errors {
		b.WriteString("; " + m)
	}
	if e.Message == "" && len(e.Errors) == 0 && e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	if e.CorrelationID != "" {
		b.WriteString(" (correlationId " + e.CorrelationID + ")")
	}
	return b.String()
}

// overLimit reports whether an answer says a rate limit was passed: the catalog answers
// that with 403 since January 2026 (and blocks the IP if it goes on for 5 s).
func (e *Error) overLimit() bool {
	text := strings.ToLower(e.Message + " " + strings.Join(e.Errors, " ") + " " + e.Body)
	for _, s := range []string{"rate limit", "ratelimit", "too many request", "limit exceeded", "throttl", "limit aşıldı", "istek limit"} {
		if strings.Contains(text, s) {
			return true
		}
	}
	return false
}

// parseError turns an error answer into an error: 429, and a 403 whose body says a rate
// limit was passed, are *marketplace.RateLimitError; other 401 and 403 answers wrap
// marketplace.ErrUnauthorized; the rest are *Error.
func parseError(status int, h http.Header, body []byte) error {
	e := &Error{Status: status}
	var raw map[string]any
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.UseNumber()
	if dec.Decode(&raw) == nil && raw != nil {
		e.Code = marketplace.Text(raw["code"])
		e.CorrelationID = marketplace.Text(raw["correlationId"])
		e.Message = marketplace.Text(raw["message"])
		if e.Message == "" {
			e.Message = marketplace.Text(raw["defaultMessage"])
		}
		if e.Message == "" {
			e.Message = marketplace.Text(raw["title"])
		}
		if e.Message == "" {
			e.Message = marketplace.Text(raw["error"])
		}
		if list, ok := raw["errors"].([]any); ok {
			for _, it := range list {
				var m string
				if obj, ok := it.(map[string]any); ok {
					m = marketplace.Text(obj["message"])
					if m == "" {
						m = marketplace.Text(obj)
					}
				} else {
					m = marketplace.Text(it)
				}
				if m != "" && len(e.Errors) < 20 {
					e.Errors = append(e.Errors, m)
				}
			}
		}
	}
	if e.Message == "" && len(e.Errors) == 0 {
		e.Body = marketplace.Shorten(string(body))
	}
	switch {
	case status == http.StatusTooManyRequests, status == http.StatusForbidden && e.overLimit():
		return &marketplace.RateLimitError{RetryAfter: retryAfter(h), Body: e.Error()}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: check the merchant ID, service key and User-Agent (integrator username): %w", marketplace.ErrUnauthorized, e)
	}
	return e
}

// retryAfter reads X-RateLimit-Reset (seconds until the window resets, as the order
// service documents; an epoch time is taken too), then Retry-After; without either the
// wait is 1 s, the window of the documented per-second limits.
func retryAfter(h http.Header) time.Duration {
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if f, err := strconv.ParseFloat(v, 64); err == nil && f > 0 && !math.IsInf(f, 0) {
			if f > 1e9 { // an epoch time, not a count of seconds
				if d := time.Until(time.Unix(int64(f), 0)); d > 0 {
					return d
				}
			} else {
				return max(time.Duration(f*float64(time.Second)), time.Millisecond)
			}
		}
	}
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return time.Second
}
