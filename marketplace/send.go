package marketplace

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Send is how every adapter sends a request: it waits for the limiter, sends req,
// reads the answer (at most 32 MiB), and turns a non-2xx answer into parse's error,
// pausing the limiter for a throttled one (*RateLimitError). A request that got no
// answer, or a 5xx, also wraps ErrUnavailable; one that got no answer (or only part
// of it) wraps ErrNoAnswer too. It returns the answer's status, headers and body.
func Send(hc *http.Client, l *Limiter, req *http.Request, parse func(status int, h http.Header, body []byte) error) (int, http.Header, []byte, error) {
	if err := l.Wait(req.Context()); err != nil {
		return 0, nil, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		if req.Context().Err() != nil {
			return 0, nil, nil, err
		}
		return 0, nil, nil, fmt.Errorf("%w: %w: %w", ErrUnavailable, ErrNoAnswer, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return resp.StatusCode, resp.Header, nil, fmt.Errorf("%w: %w: read answer: %w", ErrUnavailable, ErrNoAnswer, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		err := parse(resp.StatusCode, resp.Header, raw)
		if rl := (*RateLimitError)(nil); errors.As(err, &rl) {
			l.Pause(rl.RetryAfter)
		}
		if resp.StatusCode >= 500 {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		return resp.StatusCode, resp.Header, raw, err
	}
	return resp.StatusCode, resp.Header, raw, nil
}

// Text renders a JSON scalar of an error answer (string, number, bool, null) as
// text, shortened; anything else as its JSON.
func Text(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return Shorten(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case json.Number:
		return v.String()
	case bool:
		return strconv.FormatBool(v)
	}
	b, _ := json.Marshal(v)
	return Shorten(string(b))
}

// Shorten trims s, replaces invalid UTF-8 and cuts it to 500 characters, so a
// marketplace's answer (an HTML error page, say) stays readable in an error.
func Shorten(s string) string {
	s = strings.ToValidUTF8(strings.TrimSpace(s), "\uFFFD")
	if utf8.RuneCountInString(s) > 500 {
		s = string([]rune(s)[:500]) + "…"
	}
	return s
}
