package trendyol

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stox-dev/stox/marketplace"
)

// Error is a non-2xx answer from Trendyol, read from whichever of its error shapes the
// body had: {"errors":[{key,message,errorCode}]}, the system shape that adds
// "exception" and "timestamp", or the orders endpoints' {"error","message"}.
type Error struct {
	Status    int
	Exception string
	Errors    []ErrorItem
	// Body is the raw answer (shortened) when it was none of the known shapes.
	Body string
}

// ErrorItem is one entry of an error answer.
type ErrorItem struct {
	Key       string
	Message   string
	ErrorCode string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "trendyol: HTTP %d", e.Status)
	if e.Exception != "" {
		b.WriteString(" " + e.Exception)
	}
	for _, it := range e.Errors {
		b.WriteString(": ")
		switch {
		case it.Key != "" && it.Message != "":
			b.WriteString(it.Key + " (" + it.Message + ")")
		default:
			b.WriteString(it.Key + it.Message)
		}
	}
	if len(e.Errors) == 0 && e.Exception == "" && e.Body != "" {
		b.WriteString(": " + e.Body)
	}
	return b.String()
}

// duplicate reports whether Trendyol refused a body it saw in the last 15 minutes.
func (e *Error) duplicate() bool {
	for _, it := range e.Errors {
		if strings.Contains(it.Message, "15 dakika") || strings.Contains(strings.ToLower(it.Message), "15 minutes") ||
			strings.Contains(it.Key, "duplicate") {
			return true
		}
	}
	return false
}

// parseError turns an error answer into an error: 401 and 403 wrap
// marketplace.ErrUnauthorized, 429 is a *marketplace.RateLimitError, a refused repeat
// of a price-and-inventory body wraps marketplace.ErrDuplicate, the rest are *Error.
func parseError(status int, h http.Header, body []byte) error {
	e := &Error{Status: status}
	var raw struct {
		Exception any             `json:"exception"`
		Error     any             `json:"error"`
		Message   any             `json:"message"`
		Errors    json.RawMessage `json:"errors"`
	}
	if json.Unmarshal(body, &raw) == nil {
		e.Exception = marketplace.Text(raw.Exception)
		var items []map[string]any
		if json.Unmarshal(raw.Errors, &items) == nil {
			for _, m := range items {
				e.Errors = append(e.Errors, ErrorItem{Key: marketplace.Text(m["key"]), Message: marketplace.Text(m["message"]), ErrorCode: marketplace.Text(m["errorCode"])})
			}
		}
		if k, m := marketplace.Text(raw.Error), marketplace.Text(raw.Message); k != "" || m != "" {
			e.Errors = append(e.Errors, ErrorItem{Key: k, Message: m})
		}
	}
	if e.Exception == "" && len(e.Errors) == 0 {
		e.Body = marketplace.Shorten(string(body))
	}
	switch {
	case status == http.StatusTooManyRequests:
		return &marketplace.RateLimitError{RetryAfter: retryAfter(h), Body: e.Error()}
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("%w: check the API key, secret, seller ID and User-Agent: %w", marketplace.ErrUnauthorized, e)
	case e.duplicate():
		return fmt.Errorf("%w: %w", marketplace.ErrDuplicate, e)
	}
	return e
}

// retryAfter reads Retry-After, which Trendyol does not document; without it the wait
// is one to two seconds (jittered): waiting out the whole 10 s window of its
// 50-requests-per-endpoint cap would, against periodic throttling, wake up in step
// with the next burst of 429s every time, and the paced client probes cheaply.
func retryAfter(h http.Header) time.Duration {
	v := h.Get("Retry-After")
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return time.Second + rand.N(time.Second)
}
