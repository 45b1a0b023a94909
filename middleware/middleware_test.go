package middleware

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type permanent struct{ error }

func (permanent) Permanent() bool { return true }

func TestRetry(t *testing.T) {
	r := Retry{MaxRetries: 3, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, Multiplier: 2}
	cases := []struct {
		name     string
		failures int
		err      error
		calls    int
		wantErr  bool
	}{
		{"success first time", 0, errors.New("x"), 1, false},
		{"success on the last retry", 3, errors.New("x"), 4, false},
		{"gives up after max retries", 10, errors.New("x"), 4, true},
		{"permanent is not retried", 10, permanent{errors.New("bad payload")}, 1, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			calls := 0
			h := r.Middleware(func(*message.Message) ([]*message.Message, error) {
				calls++
				if calls <= c.failures {
					return nil, c.err
				}
				return nil, nil
			})
			_, err := h(message.NewMessage("1", nil))
			assert.Equal(t, c.calls, calls)
			assert.Equal(t, c.wantErr, err != nil)
		})
	}
}

// TestRetryResetsContext: a timeout set inside one attempt does not doom the next.
func TestRetryResetsContext(t *testing.T) {
	r := Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, Multiplier: 1}
	attempts := 0
	// inner derives each attempt's context from the message's, as Timeout does, and
	// the first attempt's expires.
	inner := func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx, cancel := context.WithCancel(msg.Context())
			defer cancel()
			if attempts == 0 {
				cancel()
			}
			msg.SetContext(ctx)
			return h(msg)
		}
	}
	h := r.Middleware(inner(func(msg *message.Message) ([]*message.Message, error) {
		attempts++
		if err := msg.Context().Err(); attempts == 1 || err == nil {
			return nil, err
		}
		return nil, errors.New("a later attempt got a cancelled context")
	}))
	msg := message.NewMessage("1", nil)
	_, err := h(msg)
	require.NoError(t, err)
	assert.Equal(t, 2, attempts)
	assert.NoError(t, msg.Context().Err(), "the message's own context is restored")
}

func TestRetryStopsWhenTheRouterCloses(t *testing.T) {
	r := Retry{MaxRetries: 100, InitialInterval: time.Hour, MaxInterval: time.Hour, Multiplier: 1}
	msg := message.NewMessage("1", nil)
	ctx, cancel := context.WithCancel(context.Background())
	msg.SetContext(ctx)
	cancel()
	_, err := r.Middleware(func(*message.Message) ([]*message.Message, error) { return nil, errors.New("x") })(msg)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStackValidates(t *testing.T) {
	_, err := Stack(Config{Timeout: time.Second, Retry: DefaultRetry})
	assert.Error(t, err, "no poison publisher")
	bad := DefaultRetry
	bad.Multiplier = 0.5
	_, err = Stack(Config{Timeout: time.Second, Retry: bad, Poison: nopPublisher{}})
	assert.ErrorContains(t, err, "multiplier")
	s, err := Stack(Config{Timeout: time.Second, Retry: DefaultRetry, Poison: nopPublisher{}})
	require.NoError(t, err)
	assert.Len(t, s, 5)
}

type nopPublisher struct{}

func (nopPublisher) Publish(string, ...*message.Message) error { return nil }
func (nopPublisher) Close() error                              { return nil }

// published records what a Poison middleware publishes.
type published struct{ n int }

func (p *published) Publish(string, ...*message.Message) error { p.n++; return nil }
func (p *published) Close() error                              { return nil }

func TestPoisonLeavesInterruptedMessagesToRedelivery(t *testing.T) {
	pub := &published{}
	mw := Poison(pub, slog.New(slog.DiscardHandler))
	fail := func(err error) message.HandlerFunc {
		return func(*message.Message) ([]*message.Message, error) { return nil, err }
	}
	msg := message.NewMessage("1", nil)
	ctx, cancel := context.WithCancel(context.Background())
	msg.SetContext(ctx)
	_, err := mw(fail(errors.New("db down")))(msg)
	require.NoError(t, err, "a failure is poisoned and acked")
	assert.Equal(t, 1, pub.n)

	cancel()
	_, err = mw(fail(context.Canceled))(msg)
	assert.ErrorIs(t, err, context.Canceled, "interrupted by a stop: nacked, delivered again")
	assert.Equal(t, 1, pub.n)
	_, err = mw(fail(permanent{errors.New("bad payload")}))(msg)
	require.NoError(t, err, "a permanent error is poisoned even while stopping")
	assert.Equal(t, 2, pub.n)
}
