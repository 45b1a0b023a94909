package marketplace

import (
	"context"
	"sync"
	"time"
)

// Limiter is a token bucket that paces requests to one marketplace: Rate requests per
// second on average, Burst at once. A throttled answer (429 and its Retry-After) pauses
// it with Pause, so every caller sharing it slows down, not only the one that was
// refused. A nil *Limiter lets everything through.
type Limiter struct {
	rate  float64
	burst float64

	mu     sync.Mutex
	tokens float64
	last   time.Time
	until  time.Time // paused until
	// onPause, when set, hears of every pause (OnPause).
	onPause func(time.Duration)
}

// NewLimiter returns a full bucket of burst tokens refilled at rate per second.
func NewLimiter(rate float64, burst int) *Limiter {
	if burst < 1 {
		burst = 1
	}
	return &Limiter{rate: rate, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// Wait blocks until a request may be sent or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	if l == nil {
		return ctx.Err()
	}
	for {
		d := l.reserve(time.Now())
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// reserve takes a token if one is there and returns 0, else how long to wait for one.
func (l *Limiter) reserve(now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Before(l.until) {
		return l.until.Sub(now)
	}
	l.refill(now)
	if l.tokens >= 1 {
		l.tokens--
		return 0
	}
	return l.untilToken()
}

// refill adds the tokens earned since the last refill, up to burst; l.mu is held.
func (l *Limiter) refill(now time.Time) {
	if l.rate > 0 {
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	}
	l.last = now
}

// untilToken is how long until the bucket holds a token; l.mu is held.
func (l *Limiter) untilToken() time.Duration {
	switch {
	case l.tokens >= 1:
		return 0
	case l.rate <= 0:
		return time.Second
	}
	return time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
}

// Delay returns how long a request would wait for a token now, without taking one:
// 0 when one is there (a nil Limiter never waits).
func (l *Limiter) Delay() time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Before(l.until) {
		return l.until.Sub(now)
	}
	l.refill(now)
	return l.untilToken()
}

// Rate is the requests per second the limiter lets through on average (0 for a nil
// Limiter: unpaced).
func (l *Limiter) Rate() float64 {
	if l == nil {
		return 0
	}
	return l.rate
}

// Pause stops every caller for d (a marketplace's Retry-After) and empties the bucket,
// so requests resume at the steady rate rather than in a burst.
func (l *Limiter) Pause(d time.Duration) {
	if l == nil || d <= 0 {
		return
	}
	l.mu.Lock()
	if until := time.Now().Add(d); until.After(l.until) {
		l.until = until
	}
	l.tokens = 0
	hook := l.onPause
	l.mu.Unlock()
	if hook != nil {
		hook(d)
	}
}

// OnPause sets f to hear of every pause, with its duration (a metric counts them),
// and returns l. Set it before the limiter is shared.
func (l *Limiter) OnPause(f func(time.Duration)) *Limiter {
	l.onPause = f
	return l
}

// Paused returns how much longer a marketplace's Retry-After holds every caller back
// (0 when not paused).
func (l *Limiter) Paused() time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(0, time.Until(l.until))
}
