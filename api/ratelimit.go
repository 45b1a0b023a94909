package api

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultKeyBurst is how many requests one API key may send at once when
// Config.KeyRate limits it.
const DefaultKeyBurst = 20

// keyLimit is one API key's token bucket: rate requests a second on average, burst at
// once. A request over it is answered 429 with Retry-After; every request under /v1
// carries RateLimit-Limit, RateLimit-Remaining and RateLimit-Reset (the IETF
// RateLimit header fields draft) so a client can pace itself before it is refused.
type keyLimit struct {
	rate  float64
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
}

func newKeyLimit(rate float64, burst int, now time.Time) *keyLimit {
	return &keyLimit{rate: rate, burst: float64(burst), tokens: float64(burst), last: now}
}

// take takes a token at now; it returns whether one was there, the tokens left and how
// long until the bucket holds another.
func (l *keyLimit) take(now time.Time) (ok bool, left int, next time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	if l.tokens >= 1 {
		l.tokens--
		ok = true
	}
	if l.tokens < 1 {
		next = time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
	}
	return ok, int(l.tokens), next
}

// limit takes a token of the bucket of key k (its index in the configured keys; -1
// without keys, one shared bucket) and answers 429 when there is none.
func (a *api) limit(w http.ResponseWriter, k int) bool {
	if a.limits == nil {
		return true
	}
	ok, left, next := a.limits[k+1].take(a.now())
	reset := int(math.Ceil(next.Seconds()))
	h := w.Header()
	h.Set("RateLimit-Limit", strconv.Itoa(int(a.limits[k+1].burst)))
	h.Set("RateLimit-Remaining", strconv.Itoa(left))
	h.Set("RateLimit-Reset", strconv.Itoa(reset))
	if ok {
		return true
	}
	h.Set("Retry-After", strconv.Itoa(max(reset, 1)))
	writeProblem(w, newProblem(http.StatusTooManyRequests, fmt.Sprintf(
		"this API key sent more than %d requests at once or %g a second on average: try again in %ds", int(a.limits[k+1].burst), a.limits[k+1].rate, max(reset, 1))))
	return false
}
