// Package middleware holds the standard handler stack of every Stox router (DESIGN.md
// §5): correlation ID → poison → output → retry → timeout → recoverer, outermost first.
package middleware

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	wmw "github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/stox-dev/stox/permanent"
)

// Metadata keys of a poisoned message.
const (
	// MetaExchange and MetaRoutingKey name where a delivered message was published;
	// brokers set them on every delivery.
	MetaExchange   = "received_exchange"
	MetaRoutingKey = "received_routing_key"
	// MetaOriginExchange and MetaOriginRoutingKey name where a poisoned message was
	// first published, so it can be sent back there.
	MetaOriginExchange   = "origin_exchange"
	MetaOriginRoutingKey = "origin_routing_key"
	// MetaQueue is the work queue a poisoned message came from.
	MetaQueue = "queue_poisoned"
	// MetaReason says why a message was poisoned.
	MetaReason = "reason_poisoned"
	// MetaHandler is the handler that gave up on a poisoned message.
	MetaHandler = "handler_poisoned"
	// MetaCorrelationID follows a product or order through every stage.
	MetaCorrelationID = wmw.CorrelationIDMetadataKey
)

// How a message ended in the stack (Config.Outcome).
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomePoisoned = "poisoned"
)

// Config sets the standard stack of one handler.
type Config struct {
	Retry   Retry
	Timeout time.Duration
	// Poison publishes to the poison exchange, with the work queue's name as routing key.
	Poison message.Publisher
	// Output, when its Publisher is set, publishes what the handler produces from
	// inside the stack (see Output).
	Output Output
	// Unavailable, when set, recognises more errors of the service's dependencies
	// that mean they are unavailable (store.Unavailable for the database); those
	// IsUnavailable recognises count in any case.
	Unavailable func(error) bool
	Logger      *slog.Logger
	// Outcome, when set, hears how each message ended: "ok" (acked), "error" (back
	// to its queue) or "poisoned" (to its poison queue); metrics count them.
	Outcome func(outcome string)
	// Attempt, when set, hears how long each attempt of the handler took, retries
	// apart (inside retry, around timeout).
	Attempt func(time.Duration)
}

// DefaultRetry is the retry policy of a service that does not set its own.
var DefaultRetry = Retry{
	MaxRetries:      5,
	InitialInterval: 200 * time.Millisecond,
	MaxInterval:     5 * time.Second,
	Multiplier:      2,
	Jitter:          0.2,
	OutageHold:      5 * time.Minute,
}

// Stack returns the standard middleware of one handler, outermost first:
// correlation → poison → output (when c.Output is set) → retry → attempt timing (when
// c.Attempt is set) → timeout → recoverer.
func Stack(c Config) ([]message.HandlerMiddleware, error) {
	if c.Poison == nil {
		return nil, errors.New("middleware: a poison publisher is required")
	}
	if c.Timeout <= 0 {
		return nil, errors.New("middleware: timeout must be positive")
	}
	if err := c.Retry.validate(); err != nil {
		return nil, err
	}
	log := c.Logger
	if log == nil {
		log = slog.Default()
	}
	// A spent deadline is the handler running out of its time, which waiting out an
	// outage would not fix, whatever c.Unavailable says of it.
	unavailable := func(err error) bool {
		if err == nil || errors.Is(err, context.DeadlineExceeded) || permanent.Is(err) {
			return false
		}
		return IsUnavailable(err) || (c.Unavailable != nil && c.Unavailable(err))
	}
	stack := []message.HandlerMiddleware{Correlation, poison(c.Poison, log, unavailable, c.Outcome)}
	if c.Output.Publisher != nil {
		stack = append(stack, c.Output.middleware(c.Retry, log))
	}
	stack = append(stack, c.Retry.middleware(unavailable))
	if c.Attempt != nil {
		stack = append(stack, timed(c.Attempt))
	}
	return append(stack, wmw.Timeout(c.Timeout), wmw.Recoverer), nil
}

// timed tells attempt how long each call of the handler took.
func timed(attempt func(time.Duration)) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			start := time.Now()
			defer func() { attempt(time.Since(start)) }()
			return h(msg)
		}
	}
}

// Correlation gives a message without a correlation ID its own UUID as one, and copies
// the ID to every message the handler produces.
func Correlation(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		if wmw.MessageCorrelationID(msg) == "" {
			msg.Metadata.Set(MetaCorrelationID, msg.UUID)
		}
		return wmw.CorrelationID(h)(msg)
	}
}

// Poison publishes a message whose handler failed (after every retry) to the poison
// exchange with the work queue's name as routing key, so it lands in <queue>.poison
// with the reason, its origin and the handler in metadata; the input is then acked.
// If the poison publish fails, the input is nacked and comes back later. So is a
// message whose handler failed because its context ended or the service is stopping
// (it was interrupted, not refused: another consumer takes it), and one whose handler
// found a dependency unavailable (IsUnavailable) for longer than the retry middleware
// holds it: it waits in its queue until the outage is over or its TTL runs out.
func Poison(pub message.Publisher, log *slog.Logger) message.HandlerMiddleware {
	return poison(pub, log, IsUnavailable, nil)
}

// poison is Poison, telling outcome (when set) how each message ended.
func poison(pub message.Publisher, log *slog.Logger, unavailable func(error) bool, outcome func(string)) message.HandlerMiddleware {
	if outcome == nil {
		outcome = func(string) {}
	}
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil {
				outcome(OutcomeOK)
				return out, nil
			}
			ctx := msg.Context()
			if !permanent.Is(err) && (ctx.Err() != nil || errors.Is(err, ErrStopping) || unavailable(err)) {
				outcome(OutcomeError)
				return nil, err
			}
			queue := message.SubscribeTopicFromCtx(ctx)
			p := msg.Copy()
			p.Metadata.Set(MetaReason, err.Error())
			p.Metadata.Set(MetaHandler, message.HandlerNameFromCtx(ctx))
			p.Metadata.Set(MetaQueue, queue)
			if p.Metadata.Get(MetaOriginExchange) == "" {
				p.Metadata.Set(MetaOriginExchange, msg.Metadata.Get(MetaExchange))
				p.Metadata.Set(MetaOriginRoutingKey, msg.Metadata.Get(MetaRoutingKey))
			}
			if perr := pub.Publish(queue, p); perr != nil {
				outcome(OutcomeError)
				return nil, errors.Join(err, fmt.Errorf("poison to %s: %w", queue, perr))
			}
			outcome(OutcomePoisoned)
			log.Warn("message poisoned", "queue", queue, "handler", message.HandlerNameFromCtx(ctx),
				"message_uuid", msg.UUID, "correlation_id", wmw.MessageCorrelationID(msg),
				"permanent", permanent.Is(err), "reason", err.Error())
			return nil, nil
		}
	}
}

// Retry runs a failed handler again with exponential backoff. Each attempt gets a fresh
// context (so a timeout inside does not doom the next attempt), and a permanent error
// is not retried. An error that means a dependency is unavailable (IsUnavailable: the
// database or the broker is down, the next queue is full) is not an attempt toward
// MaxRetries: it is retried with the same capped backoff for up to OutageHold, then
// the message goes back to its queue, not to its poison queue. Every field must be
// set: there are no hidden defaults.
//
// It is ours rather than Watermill's middleware.Retry because that one calls its
// backoff's NextBackOff once more to fill RetryParams.Delay whenever ShouldRetry is
// set (which not retrying permanent errors needs), so every retry advances the
// backoff twice: from 10 ms doubling up to 1 s, the gaps measured 20, 80, 321, 1000 ms
// instead of 10, 20, 40, 80 ms. TestRetryIntervalsDouble pins the intervals.
type Retry struct {
	// MaxRetries is the number of attempts after the first.
	MaxRetries int
	// InitialInterval is the wait before the first retry.
	InitialInterval time.Duration
	// MaxInterval caps a wait.
	MaxInterval time.Duration
	// Multiplier grows the wait after each retry.
	Multiplier float64
	// Jitter randomises each wait by ± this fraction.
	Jitter float64
	// OutageHold is how long one delivery waits out an unavailable dependency before
	// it goes back to its queue to be delivered again (its TTL bounds the whole
	// wait). Keep it well under RabbitMQ's consumer timeout (30 minutes by default),
	// which closes the channel of a delivery held longer.
	OutageHold time.Duration
}

func (r Retry) validate() error {
	switch {
	case r.MaxRetries < 0:
		return errors.New("retry: max retries must not be negative")
	case r.InitialInterval <= 0 || r.MaxInterval < r.InitialInterval || r.Multiplier < 1:
		return fmt.Errorf("retry: need initial interval > 0, max interval ≥ initial, multiplier ≥ 1 (got %v, %v, %v)",
			r.InitialInterval, r.MaxInterval, r.Multiplier)
	case r.Jitter < 0 || r.Jitter >= 1:
		return fmt.Errorf("retry: jitter must be in [0, 1), got %v", r.Jitter)
	case r.OutageHold <= 0:
		return fmt.Errorf("retry: outage hold must be positive, got %v", r.OutageHold)
	}
	return nil
}

// Middleware implements message.HandlerMiddleware, recognising unavailable
// dependencies with IsUnavailable.
func (r Retry) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return r.middleware(IsUnavailable)(h)
}

func (r Retry) middleware(unavailable func(error) bool) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			ctx := msg.Context()
			defer msg.SetContext(ctx)
			wait := r.backoff()
			var outage time.Time
			for attempt, retries := 1, 0; ; attempt++ {
				msg.SetContext(ctx)
				out, err := h(msg)
				switch {
				case err == nil || permanent.Is(err):
					return out, err
				case unavailable(err):
					if outage.IsZero() {
						outage = time.Now()
					} else if time.Since(outage) >= r.OutageHold {
						return nil, fmt.Errorf("unavailable for %s, back to the queue: %w", r.OutageHold, err)
					}
				case retries >= r.MaxRetries:
					return out, err
				default:
					retries++
				}
				if werr := wait.wait(ctx); werr != nil {
					return nil, fmt.Errorf("retry interrupted after %d attempts: %w", attempt, errors.Join(err, werr))
				}
			}
		}
	}
}

// backoff is the wait between two tries: from InitialInterval, growing by Multiplier
// up to MaxInterval, each randomised by Jitter.
type backoff struct {
	r    Retry
	next time.Duration
}

func (r Retry) backoff() *backoff { return &backoff{r: r, next: r.InitialInterval} }

// wait sleeps the next interval. It returns early with ctx's error when ctx ends, and
// with ErrStopping when the service stops taking messages.
func (b *backoff) wait(ctx context.Context) error {
	d := b.next
	if b.r.Jitter > 0 {
		d = time.Duration(float64(d) * (1 + b.r.Jitter*(2*rand.Float64()-1)))
	}
	b.next = min(time.Duration(float64(b.next)*b.r.Multiplier), b.r.MaxInterval)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-stopOf(ctx):
		return ErrStopping
	}
}

// Output is where a handler's messages go. Watermill's router publishes them after
// the whole stack has returned, where a refused publish only nacks the input, which
// comes straight back: a full next queue became a hot loop. The stack publishes them
// itself instead, between poison and retry: a publish the broker refuses (the next
// queue is full: backpressure) or cannot take (its connection is down) is tried again
// with Retry's backoff for up to Retry.OutageHold, without running the handler again,
// while the input waits unacked in its own queue; then the input goes back to its
// queue. It is never a reason to poison the input.
type Output struct {
	Publisher message.Publisher
	// Topic is the publish topic: the routing key on Stox's brokers.
	Topic string
}

func (o Output) middleware(r Retry, log *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err != nil || len(out) == 0 {
				return nil, err
			}
			ctx := msg.Context()
			if id := wmw.MessageCorrelationID(msg); id != "" {
				for _, m := range out {
					if wmw.MessageCorrelationID(m) == "" {
						wmw.SetCorrelationID(id, m)
					}
				}
			}
			wait := r.backoff()
			var held time.Time
			// One at a time, so a retry does not publish again what was taken.
			for len(out) > 0 {
				err := o.Publisher.Publish(o.Topic, out[0])
				if err == nil {
					out = out[1:]
					continue
				}
				if held.IsZero() {
					held = time.Now()
					log.Warn("publish refused, holding the message and trying again", "topic", o.Topic,
						"handler", message.HandlerNameFromCtx(ctx), "message_uuid", msg.UUID,
						"correlation_id", wmw.MessageCorrelationID(msg), "reason", err.Error())
				} else if time.Since(held) >= r.OutageHold {
					return nil, Unavailable(fmt.Errorf("publish with key %q still refused after %s: %w", o.Topic, r.OutageHold, err))
				}
				if werr := wait.wait(ctx); werr != nil {
					return nil, fmt.Errorf("publish with key %q interrupted: %w", o.Topic, errors.Join(err, werr))
				}
			}
			if !held.IsZero() {
				log.Info("published after holding", "topic", o.Topic, "message_uuid", msg.UUID,
					"held", time.Since(held).Round(time.Millisecond).String())
			}
			return nil, nil
		}
	}
}

// ErrStopping is returned (wrapped) when the service stopped taking messages while a
// message waited to be tried again: it goes back to its queue.
var ErrStopping = errors.New("service stopping")

type stopKey struct{}

// WithStop returns a copy of ctx that carries stop, a channel the broker closes when
// the service stops taking messages. From then on the stack waits no longer between
// tries: the attempt under way finishes, a message that would wait goes back to its
// queue. The message's context itself is not cancelled.
func WithStop(ctx context.Context, stop <-chan struct{}) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// stopOf returns ctx's stop channel, or nil (which never fires).
func stopOf(ctx context.Context) <-chan struct{} {
	stop, _ := ctx.Value(stopKey{}).(<-chan struct{})
	return stop
}

// unavailableError marks an error as meaning a dependency is unavailable.
type unavailableError struct{ err error }

func (e unavailableError) Error() string     { return e.err.Error() }
func (e unavailableError) Unwrap() error     { return e.err }
func (e unavailableError) Unavailable() bool { return true }

// Unavailable marks err as meaning a dependency is unavailable: it cannot serve now,
// and the same call may succeed later.
func Unavailable(err error) error {
	if err == nil {
		return nil
	}
	return unavailableError{err}
}

// unavailableCauses are errors that mean a connection could not be made or broke.
var unavailableCauses = []error{
	io.ErrUnexpectedEOF, driver.ErrBadConn, os.ErrDeadlineExceeded,
	syscall.ECONNREFUSED, syscall.ECONNRESET, syscall.ECONNABORTED, syscall.EPIPE,
	syscall.ETIMEDOUT, syscall.EHOSTUNREACH, syscall.ENETUNREACH,
}

// IsUnavailable reports whether err means a dependency is unavailable (it cannot
// serve now; the same call may succeed later) rather than that the message or the
// code is wrong: an error that says so (an Unavailable() bool method returning true,
// as Unavailable's marks and the brokers' full-queue errors have), a network error
// (a dial, read or write that failed, a name that did not resolve, a network
// timeout), or a connection cut short. A permanent error, a cancelled context and a
// spent deadline (the handler ran out of its time) never are.
func IsUnavailable(err error) bool {
	if err == nil || permanent.Is(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var u interface{ Unavailable() bool }
	if errors.As(err, &u) && u.Unavailable() {
		return true
	}
	var op *net.OpError
	var dns *net.DNSError
	if errors.As(err, &op) || errors.As(err, &dns) {
		return true
	}
	for _, cause := range unavailableCauses {
		if errors.Is(err, cause) {
			return true
		}
	}
	return false
}

// Logger adapts slog to Watermill's logger.
func Logger(l *slog.Logger) watermill.LoggerAdapter { return watermill.NewSlogLogger(l) }
