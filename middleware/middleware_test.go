package middleware

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/permanent"
)

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
		{"permanent is not retried", 10, permanent.Wrap(errors.New("bad payload")), 1, true},
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

// TestRetryIntervalsDouble measures the gaps between attempts: each is its retry's
// interval, InitialInterval doubling, within the jitter. This is why Retry is ours:
// Watermill's middleware.Retry with ShouldRetry set advances its backoff twice per
// retry, so its gaps quadruple (20, 80, 321, 1000 ms where 10, 20, 40, 80 were due)
// and fail here. A timer never fires early, so each gap's lower bound is exact; it
// may fire late on a busy machine, which the slack above the jittered interval allows
// (far less than the next interval, which a doubled advance would reach).
func TestRetryIntervalsDouble(t *testing.T) {
	const (
		jitter = 0.1
		slack  = 50 * time.Millisecond
	)
	r := Retry{MaxRetries: 4, InitialInterval: 20 * time.Millisecond, MaxInterval: time.Second,
		Multiplier: 2, Jitter: jitter, OutageHold: time.Minute}
	for _, c := range []struct {
		name string
		err  error
	}{
		{"ordinary error", errors.New("disk on fire")},
		{"dependency unavailable", refused()},
	} {
		t.Run(c.name, func(t *testing.T) {
			var at []time.Time
			_, err := r.Middleware(func(*message.Message) ([]*message.Message, error) {
				at = append(at, time.Now())
				if len(at) <= r.MaxRetries {
					return nil, c.err
				}
				return nil, nil
			})(message.NewMessage("1", nil))
			require.NoError(t, err)
			require.Len(t, at, r.MaxRetries+1)
			want := r.InitialInterval
			for i := 1; i < len(at); i++ {
				gap := at[i].Sub(at[i-1])
				lo := time.Duration(float64(want) * (1 - jitter))
				hi := time.Duration(float64(want)*(1+jitter)) + slack
				assert.GreaterOrEqual(t, gap, lo, "gap before attempt %d: want %v ±%.0f%%", i+1, want, jitter*100)
				assert.LessOrEqual(t, gap, hi, "gap before attempt %d: want %v ±%.0f%% (the backoff advanced more than once?)", i+1, want, jitter*100)
				want *= 2
			}
		})
	}
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
	_, err = mw(fail(permanent.Wrap(errors.New("bad payload"))))(msg)
	require.NoError(t, err, "a permanent error is poisoned even while stopping")
	assert.Equal(t, 2, pub.n)
}

// refused is a dependency's "try later": a connection refused, as a database or a
// broker that is down answers.
func refused() error {
	return fmt.Errorf("mark images done: %w",
		&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)})
}

func TestIsUnavailable(t *testing.T) {
	_, dialErr := net.Dial("tcp", "127.0.0.1:1")
	require.Error(t, dialErr)
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"a real refused dial", fmt.Errorf("query: %w", dialErr), true},
		{"connection refused", refused(), true},
		{"connection cut short", fmt.Errorf("read row: %w", io.ErrUnexpectedEOF), true},
		{"name does not resolve", &net.DNSError{Err: "no such host", Name: "postgres", IsNotFound: true}, true},
		{"marked", Unavailable(errors.New("queue full")), true},
		{"bad connection", fmt.Errorf("exec: %w", driver.ErrBadConn), true},
		{"plain error", errors.New("disk on fire"), false},
		{"permanent", permanent.Wrap(refused()), false},
		{"cancelled", fmt.Errorf("query: %w", context.Canceled), false},
		{"handler out of time", &url.Error{Op: "Post", URL: "http://llm", Err: context.DeadlineExceeded}, false},
		{"nil", nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assert.Equal(t, c.want, IsUnavailable(c.err), "%v", c.err)
		})
	}
}

// TestRetryWaitsOutUnavailable: a dependency down for longer than MaxRetries×backoff
// is waited out (its failures are not attempts toward poisoning), while an ordinary
// error still gives up after MaxRetries.
func TestRetryWaitsOutUnavailable(t *testing.T) {
	r := Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, Multiplier: 2, OutageHold: time.Minute}
	cases := []struct {
		name     string
		err      error
		failures int
		calls    int
		wantErr  bool
	}{
		{"outage outlasting the retries", refused(), 20, 21, false},
		{"ordinary error", errors.New("disk on fire"), 20, 3, true},
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
			assert.Equal(t, c.wantErr, err != nil, "%v", err)
		})
	}
}

// TestRetryOutageHold: an outage longer than OutageHold gives the message back (an
// unavailable error, which Poison nacks) instead of holding it for ever.
func TestRetryOutageHold(t *testing.T) {
	r := Retry{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: 5 * time.Millisecond, Multiplier: 2, OutageHold: 30 * time.Millisecond}
	calls := 0
	_, err := r.Middleware(func(*message.Message) ([]*message.Message, error) {
		calls++
		return nil, refused()
	})(message.NewMessage("1", nil))
	require.Error(t, err)
	assert.True(t, IsUnavailable(err), "%v", err)
	assert.Greater(t, calls, 2, "outage failures are not counted toward MaxRetries")
}

// TestRetryStopsWaitingWhenTheServiceStops: once the broker signals the stop, a
// failed message waits no longer; its context is not cancelled.
func TestRetryStopsWaitingWhenTheServiceStops(t *testing.T) {
	r := Retry{MaxRetries: 100, InitialInterval: time.Hour, MaxInterval: time.Hour, Multiplier: 1, OutageHold: time.Hour}
	stop := make(chan struct{})
	close(stop)
	msg := message.NewMessage("1", nil)
	msg.SetContext(WithStop(context.Background(), stop))
	calls := 0
	_, err := r.Middleware(func(*message.Message) ([]*message.Message, error) { calls++; return nil, refused() })(msg)
	assert.ErrorIs(t, err, ErrStopping)
	assert.Equal(t, 1, calls)
	assert.NoError(t, msg.Context().Err())
}

func TestPoisonLeavesUnavailableToTheQueue(t *testing.T) {
	pub := &published{}
	mw := Poison(pub, slog.New(slog.DiscardHandler))
	_, err := mw(func(*message.Message) ([]*message.Message, error) { return nil, refused() })(message.NewMessage("1", nil))
	assert.Error(t, err, "nacked: it waits in its queue")
	_, err = mw(func(*message.Message) ([]*message.Message, error) {
		return nil, fmt.Errorf("retry interrupted: %w", ErrStopping)
	})(message.NewMessage("2", nil))
	assert.ErrorIs(t, err, ErrStopping, "nacked: delivered again")
	assert.Zero(t, pub.n, "nothing poisoned")
}

// refusing is a publisher whose first refusals publishes fail as a full queue does.
type refusing struct {
	refusals int
	calls    int
	got      []*message.Message
}

func (p *refusing) Publish(_ string, msgs ...*message.Message) error {
	p.calls++
	if p.calls <= p.refusals {
		return Unavailable(errors.New("queue full"))
	}
	p.got = append(p.got, msgs...)
	return nil
}
func (p *refusing) Close() error { return nil }

// TestOutputHoldsWhileRefused: a refused publish is tried again with backoff without
// running the handler again, and what is published carries the correlation ID.
func TestOutputHoldsWhileRefused(t *testing.T) {
	pub := &refusing{refusals: 5}
	s, err := Stack(Config{Timeout: time.Second, Poison: nopPublisher{}, Logger: slog.New(slog.DiscardHandler),
		Retry:  Retry{MaxRetries: 1, InitialInterval: time.Millisecond, MaxInterval: 2 * time.Millisecond, Multiplier: 2, OutageHold: time.Minute},
		Output: Output{Publisher: pub, Topic: "image.process"}})
	require.NoError(t, err)
	require.Len(t, s, 6)
	calls := 0
	h := func(*message.Message) ([]*message.Message, error) {
		calls++
		return []*message.Message{message.NewMessage("a", nil), message.NewMessage("b", nil)}, nil
	}
	for i := len(s) - 1; i >= 0; i-- {
		h = s[i](h)
	}
	in := message.NewMessage("in", nil)
	in.Metadata.Set(MetaCorrelationID, "c1")
	out, err := h(in)
	require.NoError(t, err)
	assert.Empty(t, out, "the stack published them, the router has nothing left to publish")
	assert.Equal(t, 1, calls, "the handler ran once")
	assert.Equal(t, 7, pub.calls, "5 refusals, then one publish per message")
	require.Len(t, pub.got, 2)
	for _, m := range pub.got {
		assert.Equal(t, "c1", m.Metadata.Get(MetaCorrelationID))
	}
}

// TestStackCountsTimeouts: a handler that ran out of its time is counted toward
// poisoning even when the service's classifier (store.Unavailable does) calls a spent
// deadline unavailable: waiting out an outage would not make it faster.
func TestStackCountsTimeouts(t *testing.T) {
	pub := &published{}
	s, err := Stack(Config{Timeout: time.Second, Poison: pub, Logger: slog.New(slog.DiscardHandler),
		Unavailable: func(error) bool { return true },
		Retry:       Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, Multiplier: 1, OutageHold: time.Minute}})
	require.NoError(t, err)
	calls := 0
	h := func(*message.Message) ([]*message.Message, error) {
		calls++
		return nil, fmt.Errorf("query: %w", context.DeadlineExceeded)
	}
	for i := len(s) - 1; i >= 0; i-- {
		h = s[i](h)
	}
	_, err = h(message.NewMessage("1", nil))
	require.NoError(t, err, "poisoned and acked")
	assert.Equal(t, 3, calls)
	assert.Equal(t, 1, pub.n)
}

// TestStackObserves: Outcome hears how each message ended and Attempt hears every
// try, retries included.
func TestStackObserves(t *testing.T) {
	var outcomes []string
	attempts := 0
	c := Config{Timeout: time.Second, Poison: &refusing{refusals: 1}, Logger: slog.New(slog.DiscardHandler),
		Retry:   Retry{MaxRetries: 2, InitialInterval: time.Millisecond, MaxInterval: time.Millisecond, Multiplier: 1, OutageHold: time.Minute},
		Outcome: func(o string) { outcomes = append(outcomes, o) },
		Attempt: func(time.Duration) { attempts++ }}
	s, err := Stack(c)
	require.NoError(t, err)
	run := func(h message.HandlerFunc) error {
		for i := len(s) - 1; i >= 0; i-- {
			h = s[i](h)
		}
		_, err := h(message.NewMessage("1", nil))
		return err
	}
	ok := func(*message.Message) ([]*message.Message, error) { return nil, nil }
	bad := func(*message.Message) ([]*message.Message, error) { return nil, errors.New("boom") }
	require.NoError(t, run(ok))
	require.Error(t, run(bad), "the poison publish is refused: back to the queue")
	require.NoError(t, run(bad), "poisoned")
	assert.Equal(t, []string{OutcomeOK, OutcomeError, OutcomePoisoned}, outcomes)
	assert.Equal(t, 1+3+3, attempts, "one try, then three per failing message")
}
