package amazon

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
		token     bool
	}{
		{name: "bad request", status: 400, header: http.Header{"X-Amzn-Requestid": {"r-1"}},
			body:     `{"errors":[{"code":"InvalidInput","message":"Invalid input","details":"marketplaceIds is required"}]}`,
			contains: "InvalidInput (Invalid input marketplaceIds is required) [request r-1]", wantItems: 1},
		{name: "refused user agent", status: 400,
			body: `{"errors":[{"code":"InvalidInput","message":"Invalid input","details":"the User-Agent header must read AppName/AppVersion (Language=…): the request has none"}]}`,
			is:   marketplace.ErrUnauthorized, contains: "Config.UserAgent", wantItems: 1},
		{name: "throttled with rate header", status: 429, header: http.Header{"X-Amzn-Ratelimit-Limit": {"5.0"}},
			body: `{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}`,
			is:   marketplace.ErrRateLimited, contains: "QuotaExceeded", retry: 200 * time.Millisecond},
		{name: "throttled orders", status: 429, header: http.Header{"X-Amzn-Ratelimit-Limit": {"0.0056"}},
			body: `{"errors":[{"code":"QuotaExceeded","message":"m"}]}`, is: marketplace.ErrRateLimited, retry: 178571428571},
		{name: "throttled with Retry-After", status: 429, header: http.Header{"Retry-After": {"3"}, "X-Amzn-Ratelimit-Limit": {"5"}},
			body: `{}`, is: marketplace.ErrRateLimited, retry: 3 * time.Second},
		{name: "throttled without headers", status: 429, body: ``, is: marketplace.ErrRateLimited, retry: time.Second},
		{name: "expired token", status: 403, body: `{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided has expired."}]}`,
			is: marketplace.ErrUnauthorized, contains: "has expired", wantItems: 1, token: true},
		{name: "invalid token code", status: 401, body: `{"errors":[{"code":"InvalidAccessToken","message":"denied"}]}`,
			is: marketplace.ErrUnauthorized, wantItems: 1, token: true},
		{name: "no role", status: 403, body: `{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":""}]}`,
			is: marketplace.ErrUnauthorized, wantItems: 1},
		{name: "server error", status: 500, body: `{"errors":[{"code":"InternalFailure","message":"We encountered an internal error."}]}`,
			contains: "InternalFailure", wantItems: 1},
		{name: "html gateway page", status: 503, body: `<html>Service Unavailable</html>`, contains: "<html>Service Unavailable</html>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseError(tt.status, tt.header, []byte(tt.body))
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			} else {
				assert.NotErrorIs(t, err, marketplace.ErrUnauthorized)
			}
			assert.Contains(t, err.Error(), tt.contains)
			var rl *marketplace.RateLimitError
			if errors.As(err, &rl) {
				assert.InDelta(t, tt.retry, rl.RetryAfter, float64(time.Millisecond))
			}
			var e *Error
			if errors.As(err, &e) {
				assert.Equal(t, tt.status, e.Status)
				assert.Len(t, e.Errors, tt.wantItems)
				assert.Equal(t, tt.token, e.tokenRejected())
			}
		})
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(400, "", []byte(`{"errors":[{"code":"InvalidInput","message":"Invalid input","details":"x"}]}`))
	f.Add(403, "", []byte(`{"errors":[{"code":"Unauthorized","message":"Access to requested resource is denied.","details":"The access token you provided has expired."}]}`))
	f.Add(429, "0.0056", []byte(`{"errors":[{"code":"QuotaExceeded","message":"You exceeded your quota for the requested resource."}]}`))
	f.Add(429, "-1e308", []byte(`{"errors":[]}`))
	f.Add(500, "NaN", []byte(`{"errors":{"code":"not-a-list"}}`))
	f.Add(502, "", []byte("\xff\xfe<html>"))
	f.Fuzz(func(t *testing.T, status int, limit string, body []byte) {
		err := parseError(status, http.Header{"X-Amzn-Ratelimit-Limit": {limit}}, body)
		if err == nil {
			t.Fatal("nil error")
		}
		msg := err.Error()
		if msg == "" {
			t.Fatal("empty message")
		}
		if len(msg) > 4*len(body)+512 {
			t.Fatalf("message of %d bytes from a body of %d", len(msg), len(body))
		}
		var rl *marketplace.RateLimitError
		if status == http.StatusTooManyRequests {
			if !errors.As(err, &rl) {
				t.Fatalf("429 not a rate limit: %v", err)
			}
			if rl.RetryAfter <= 0 || rl.RetryAfter > 24*time.Hour {
				t.Fatalf("retry after %s from limit %q", rl.RetryAfter, limit)
			}
		}
		if (status == 401 || status == 403) && !errors.Is(err, marketplace.ErrUnauthorized) {
			t.Fatalf("%d not unauthorized: %v", status, err)
		}
	})
}
