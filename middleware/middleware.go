// Package middleware holds the standard handler stack of every Stox router (DESIGN.md
// §5): correlation ID → poison → retry → timeout → recoverer, outermost first.
package middleware

import (
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	wmw "github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/stox-dev/stox/handlers"
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

// Config sets the standard stack of one service.
type Config struct {
	Retry   Retry
	Timeout time.Duration
	// Poison publishes to the poison exchange, with the work queue's name as routing key.
	Poison message.Publisher
	Logger *slog.Logger
}

// DefaultRetry is the retry policy of a service that does not set its own.
var DefaultRetry = Retry{
	MaxRetries:      5,
	InitialInterval: 200 * time.Millisecond,
	MaxInterval:     5 * time.Second,
	Multiplier:      2,
	Jitter:          0.2,
}

// Stack returns the standard middleware, outermost first, for Router.AddMiddleware.
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
	return []message.HandlerMiddleware{
		Correlation,
		Poison(c.Poison, log),
		c.Retry.Middleware,
		wmw.Timeout(c.Timeout),
		wmw.Recoverer,
	}, nil
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
// message whose handler failed because its context ended (the service is stopping):
// it was interrupted, not refused, and another consumer takes it.
func Poison(pub message.Publisher, log *slog.Logger) message.HandlerMiddleware {
	return func(h message.HandlerFunc) message.HandlerFunc {
		return func(msg *message.Message) ([]*message.Message, error) {
			out, err := h(msg)
			if err == nil {
				return out, nil
			}
			ctx := msg.Context()
			if ctx.Err() != nil && !handlers.IsPermanent(err) {
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
				return nil, errors.Join(err, fmt.Errorf("poison to %s: %w", queue, perr))
			}
			log.Warn("message poisoned", "queue", queue, "handler", message.HandlerNameFromCtx(ctx),
				"message_uuid", msg.UUID, "correlation_id", wmw.MessageCorrelationID(msg),
				"permanent", handlers.IsPermanent(err), "reason", err.Error())
			return nil, nil
		}
	}
}

// Retry runs a failed handler again with exponential backoff. Each attempt gets a fresh
// context (so a timeout inside does not doom the next attempt), and a permanent error
// is not retried. Every field must be set: there are no hidden defaults.
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
}

func (r Retry) validate() error {
	switch {
	case r.MaxRetries < 0:
		return errors.New("retry: max retries must not be negative")
	case r.MaxRetries > 0 && (r.InitialInterval <= 0 || r.MaxInterval < r.InitialInterval || r.Multiplier < 1):
		return fmt.Errorf("retry: need initial interval > 0, max interval ≥ initial, multiplier ≥ 1 (got %v, %v, %v)",
			r.InitialInterval, r.MaxInterval, r.Multiplier)
	case r.Jitter < 0 || r.Jitter >= 1:
		return fmt.Errorf("retry: jitter must be in [0, 1), got %v", r.Jitter)
	}
	return nil
}

// Middleware implements message.HandlerMiddleware.
func (r Retry) Middleware(h message.HandlerFunc) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		ctx := msg.Context()
		wait := r.InitialInterval
		for attempt := 0; ; attempt++ {
			msg.SetContext(ctx)
			out, err := h(msg)
			if err == nil || handlers.IsPermanent(err) || attempt >= r.MaxRetries {
				msg.SetContext(ctx)
				return out, err
			}
			d := wait
			if r.Jitter > 0 {
				d = time.Duration(float64(d) * (1 + r.Jitter*(2*rand.Float64()-1)))
			}
			select {
			case <-time.After(d):
			case <-ctx.Done():
				msg.SetContext(ctx)
				return nil, fmt.Errorf("retry interrupted after %d attempts: %w", attempt+1, errors.Join(err, ctx.Err()))
			}
			wait = min(time.Duration(float64(wait)*r.Multiplier), r.MaxInterval)
		}
	}
}

// Throttle limits a handler that calls an outside service to count messages per
// duration. Each handler gets its own: one instance shared across handlers would
// share its rate too.
func Throttle(count int64, per time.Duration) message.HandlerMiddleware {
	return wmw.NewThrottle(count, per).Middleware
}

// Logger adapts slog to Watermill's logger.
func Logger(l *slog.Logger) watermill.LoggerAdapter { return watermill.NewSlogLogger(l) }
