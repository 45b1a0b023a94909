package trendyol

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name      string
		status    int
		header    http.Header
		body      string
		is        error
		contains  string
		retry     time.Duration
		wantItems int
	}{
		{name: "standard shape", status: 400, body: `{"errors":[{"key":"invalid.barcode","message":"Barkod formatı geçersiz","errorCode":"400"}]}`,
			contains: "invalid.barcode (Barkod formatı geçersiz)", wantItems: 1},
		{name: "system shape with null code", status: 500, body: `{"timestamp":1616362328517,"exception":"TrendyolSystemException","errors":[{"key":"generic.exception","message":"Exception Occured","errorCode":null}]}`,
			contains: "TrendyolSystemException: generic.exception", wantItems: 1},
		{name: "orders 429 shape", status: 429, body: `{"error":"too.many.requests","message":"slow down"}`,
			is: marketplace.ErrRateLimited, contains: "too.many.requests (slow down)", retry: -1},
		{name: "429 with Retry-After", status: 429, header: http.Header{"Retry-After": {"3"}}, body: `{"errors":[{"key":"too.many.requests"}]}`,
			is: marketplace.ErrRateLimited, retry: 3 * time.Second},
		{name: "auth", status: 401, body: `{"exception":"ClientApiAuthenticationException"}`,
			is: marketplace.ErrUnauthorized, contains: "ClientApiAuthenticationException"},
		{name: "missing user agent", status: 403, body: ``, is: marketplace.ErrUnauthorized, contains: "User-Agent"},
		{name: "duplicate stock body", status: 400, body: `{"errors":[{"key":"x","message":"15 dakika boyunca aynı isteği tekrarlı olarak atamazsınız!","errorCode":400}]}`,
			is: marketplace.ErrDuplicate, contains: "15 dakika", wantItems: 1},
		{name: "html gateway page", status: 502, body: `<html>Bad Gateway</html>`, contains: "<html>Bad Gateway</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseError(tt.status, tt.header, []byte(tt.body))
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			assert.Contains(t, err.Error(), tt.contains)
			var rl *marketplace.RateLimitError
			if errors.As(err, &rl) && tt.retry < 0 { // no Retry-After: one to two seconds
				assert.GreaterOrEqual(t, rl.RetryAfter, time.Second)
				assert.Less(t, rl.RetryAfter, 2*time.Second)
			} else if rl != nil {
				assert.Equal(t, tt.retry, rl.RetryAfter)
			}
			var e *Error
			if errors.As(err, &e) {
				assert.Equal(t, tt.status, e.Status)
				assert.Len(t, e.Errors, tt.wantItems)
			}
		})
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"errors":[{"key":"invalid.barcode","message":"Barkod formatı geçersiz","errorCode":"400"}]}`))
	f.Add(500, []byte(`{"timestamp":1,"exception":"TrendyolSystemException","errors":[{"key":"generic.exception","errorCode":null}]}`))
	f.Add(429, []byte(`{"error":"too.many.requests","message":"…"}`))
	f.Add(401, []byte(`{"exception":{"nested":[1,2]}}`))
	f.Add(400, []byte(`{"errors":{"key":"not-a-list"}}`))
	f.Add(502, []byte("\xff\xfe<html>"))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := parseError(status, http.Header{}, body)
		if err == nil {
			t.Fatal("nil error")
		}
		msg := err.Error()
		if msg == "" {
			t.Fatal("empty message")
		}
		if len(msg) > 4*len(body)+256 {
			t.Fatalf("message of %d bytes from a body of %d", len(msg), len(body))
		}
		if status == http.StatusTooManyRequests && !errors.Is(err, marketplace.ErrRateLimited) {
			t.Fatalf("429 not a rate limit: %v", err)
		}
		if (status == 401 || status == 403) && !errors.Is(err, marketplace.ErrUnauthorized) {
			t.Fatalf("%d not unauthorized: %v", status, err)
		}
	})
}
