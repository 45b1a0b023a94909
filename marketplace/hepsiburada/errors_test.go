package hepsiburada

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
		name     string
		status   int
		header   http.Header
		body     string
		is       error
		contains string
		retry    time.Duration
		code     string
	}{
		{name: "catalog envelope", status: 400, body: `{"success":false,"code":1002,"version":1,"message":"the file must hold 1 to 1000 products"}`,
			contains: "code 1002: the file must hold", code: "1002"},
		{name: "oms shape", status: 404, body: `{"statusCode":404,"code":"1004","defaultMessage":null,"correlationId":"abc-1","message":"cannot find package 123"}`,
			contains: "cannot find package 123 (correlationId abc-1)", code: "1004"},
		{name: "oms paging", status: 400, body: `{"statusCode":400,"code":"400","message":"limit and offset parameters are required"}`,
			contains: "HTTP 400: limit and offset"},
		{name: "errors list", status: 422, body: `{"errors":[{"message":"price too low","code":"P1"},"stock negative"]}`,
			contains: "price too low; stock negative"},
		{name: "listing 401 text", status: 401, body: `Missing Credentials!`, is: marketplace.ErrUnauthorized, contains: "Missing Credentials!"},
		{name: "oms 401 empty", status: 401, body: ``, is: marketplace.ErrUnauthorized, contains: "User-Agent"},
		{name: "forbidden", status: 403, body: `{"success":false,"code":403,"message":"Access denied"}`, is: marketplace.ErrUnauthorized},
		{name: "429 with reset", status: 429, header: http.Header{"X-Ratelimit-Reset": {"7"}, "X-Ratelimit-Limit": {"1000"}},
			body: `{"statusCode":429,"message":"Too Many Requests"}`, is: marketplace.ErrRateLimited, retry: 7 * time.Second},
		{name: "429 with retry-after", status: 429, header: http.Header{"Retry-After": {"3"}}, body: ``, is: marketplace.ErrRateLimited, retry: 3 * time.Second},
		{name: "429 bare", status: 429, body: `slow down`, is: marketplace.ErrRateLimited, retry: time.Second},
		{name: "catalog 403 over limit", status: 403, body: `{"success":false,"code":403,"message":"Rate limit exceeded: at most 100 requests per 1s"}`,
			is: marketplace.ErrRateLimited, retry: time.Second},
		{name: "html gateway page", status: 502, body: `<html>Bad Gateway</html>`, contains: "<html>Bad Gateway</html>"},
		{name: "200 with success false", status: 200, body: `{"success":false,"code":7,"message":"category not leaf"}`, contains: "category not leaf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parseError(tt.status, tt.header, []byte(tt.body))
			require.Error(t, err)
			if tt.is != nil {
				assert.ErrorIs(t, err, tt.is)
			}
			if tt.is != marketplace.ErrUnauthorized {
				assert.NotErrorIs(t, err, marketplace.ErrUnauthorized)
			}
			assert.Contains(t, err.Error(), tt.contains)
			var rl *marketplace.RateLimitError
			if errors.As(err, &rl) {
				assert.Equal(t, tt.retry, rl.RetryAfter)
			} else {
				assert.NotErrorIs(t, err, marketplace.ErrRateLimited)
			}
			var e *Error
			if errors.As(err, &e) {
				assert.Equal(t, tt.status, e.Status)
				if tt.code != "" {
					assert.Equal(t, tt.code, e.Code)
				}
			}
		})
	}
}

func FuzzParseError(f *testing.F) {
	f.Add(400, []byte(`{"success":false,"code":1002,"version":1,"message":"bad file"}`))
	f.Add(404, []byte(`{"statusCode":404,"code":"1004","defaultMessage":null,"correlationId":"x","message":"cannot find package"}`))
	f.Add(401, []byte(`Missing Credentials!`))
	f.Add(403, []byte(`{"message":"rate limit exceeded"}`))
	f.Add(429, []byte(``))
	f.Add(422, []byte(`{"errors":[{"message":{"nested":[1,2]}},"<&>",3]}`))
	f.Add(400, []byte(`{"code":{"a":"<<<<"},"errors":"not-a-list"}`))
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
		if status == 401 && !errors.Is(err, marketplace.ErrUnauthorized) {
			t.Fatalf("401 not unauthorized: %v", err)
		}
		if status == 403 && !errors.Is(err, marketplace.ErrUnauthorized) && !errors.Is(err, marketplace.ErrRateLimited) {
			t.Fatalf("403 neither unauthorized nor rate limited: %v", err)
		}
		var rl *marketplace.RateLimitError
		if errors.As(err, &rl) && rl.RetryAfter <= 0 {
			t.Fatalf("rate limit without a wait: %v", err)
		}
	})
}
