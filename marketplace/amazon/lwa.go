package amazon

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace"
)

// tokenEarly is how long before its expiry an access token is replaced (half its
// lifetime for tokens that live less than two minutes).
const tokenEarly = time.Minute

// tokenSource hands out Login with Amazon access tokens for the refresh token,
// fetching one only when none is cached or the cached one is about to expire.
type tokenSource struct {
	cfg *Config

	mu     sync.Mutex
	token  string
	expiry time.Time
	early  time.Duration // how early this token is replaced
}

// get returns a valid access token.
func (s *tokenSource) get(ctx context.Context) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock() // one refresh at a time: concurrent callers wait for it
	if s.token != "" && s.cfg.Now().Before(s.expiry.Add(-s.early)) {
		return s.token, nil
	}
	tok, ttl, err := s.fetch(ctx)
	if err != nil {
		return "", err
	}
	s.token, s.expiry, s.early = tok, s.cfg.Now().Add(ttl), min(tokenEarly, ttl/2)
	return tok, nil
}

// drop forgets tok (refused by the SP-API) unless a newer token replaced it already.
func (s *tokenSource) drop(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == tok {
		s.token = ""
	}
}

// fetch posts the refresh-token grant to the LWA token endpoint.
func (s *tokenSource) fetch(ctx context.Context) (string, time.Duration, error) {
	form := url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {s.cfg.RefreshToken},
		"client_id":     {s.cfg.ClientID},
		"client_secret": {s.cfg.ClientSecret},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.cfg.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return "", 0, fmt.Errorf("lwa: build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded;charset=UTF-8")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", s.cfg.UserAgent)
	resp, err := s.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return "", 0, fmt.Errorf("lwa: %w", err)
		}
		return "", 0, fmt.Errorf("lwa: %w: %w", marketplace.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", 0, fmt.Errorf("lwa: %w: read answer: %w", marketplace.ErrUnavailable, err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.Unmarshal(raw, &out)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return "", 0, &marketplace.RateLimitError{RetryAfter: retryAfter(resp.Header), Body: "lwa: " + marketplace.Shorten(string(raw))}
	case resp.StatusCode == http.StatusBadRequest || resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		if out.Error == "" {
			out.Error = marketplace.Shorten(string(raw))
		}
		return "", 0, fmt.Errorf("%w: lwa refused the refresh token grant (HTTP %d %s: %s): check client ID, client secret and refresh token",
			marketplace.ErrUnauthorized, resp.StatusCode, out.Error, marketplace.Shorten(out.Description))
	case resp.StatusCode >= 500:
		return "", 0, fmt.Errorf("lwa: %w: HTTP %d: %s", marketplace.ErrUnavailable, resp.StatusCode, marketplace.Shorten(string(raw)))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return "", 0, fmt.Errorf("lwa: HTTP %d: %s", resp.StatusCode, marketplace.Shorten(string(raw)))
	case out.AccessToken == "":
		return "", 0, fmt.Errorf("lwa: answer has no access_token: %s", marketplace.Shorten(string(raw)))
	}
	ttl := time.Duration(out.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = time.Hour // LWA's documented lifetime
	}
	return out.AccessToken, ttl, nil
}
