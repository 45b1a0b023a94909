package marketplace

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestLimiterBucket(t *testing.T) {
	l := NewLimiter(2, 3)
	now := l.last
	for range 3 {
		assert.Zero(t, l.reserve(now), "the burst goes through at once")
	}
	assert.Equal(t, 500*time.Millisecond, l.reserve(now), "then one token per 1/rate")
	assert.Zero(t, l.reserve(now.Add(500*time.Millisecond)))
	assert.Positive(t, l.reserve(now.Add(500*time.Millisecond)))
	assert.Zero(t, l.reserve(now.Add(time.Hour)), "the bucket refills")
	for range 2 {
		assert.Zero(t, l.reserve(now.Add(time.Hour)), "but never beyond burst")
	}
	assert.Positive(t, l.reserve(now.Add(time.Hour)))
}

func TestLimiterPause(t *testing.T) {
	l := NewLimiter(1000, 10)
	l.Pause(time.Hour)
	assert.Greater(t, l.reserve(time.Now()), 59*time.Minute, "a pause holds every caller")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, l.Wait(ctx), context.DeadlineExceeded)

	var nilLimiter *Limiter
	assert.NoError(t, nilLimiter.Wait(context.Background()))
	nilLimiter.Pause(time.Second)
}

func TestLimiterOnPause(t *testing.T) {
	var heard []time.Duration
	l := NewLimiter(10, 1).OnPause(func(d time.Duration) { heard = append(heard, d) })
	l.Pause(2 * time.Second)
	l.Pause(0) // no Retry-After: no pause
	l.Pause(time.Second)
	assert.Equal(t, []time.Duration{2 * time.Second, time.Second}, heard, "every pause is heard, a zero one is none")
}

func TestLimiterDelay(t *testing.T) {
	l := NewLimiter(1, 2)
	assert.Zero(t, l.Delay(), "a token is there")
	assert.Zero(t, l.Delay(), "Delay takes none")
	assert.NoError(t, l.Wait(context.Background()))
	assert.NoError(t, l.Wait(context.Background()))
	assert.InDelta(t, time.Second, l.Delay(), float64(50*time.Millisecond), "the bucket is empty: one token a second")
	l.Pause(time.Hour)
	assert.Greater(t, l.Delay(), 59*time.Minute, "a pause counts")
	assert.Equal(t, 1.0, l.Rate())

	var nilLimiter *Limiter
	assert.Zero(t, nilLimiter.Delay())
	assert.Zero(t, nilLimiter.Rate(), "unpaced")
}
