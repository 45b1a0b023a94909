// Package broker is what a transport with exchanges and queues promises the services:
// the Broker interface, its errors, the poison queue inspection of `stox poison`, and
// the graceful subscriber both brokers stop with. The brokers are rabbitmq (RabbitMQ)
// and memory (in one process, for `stox run`); brokertest is the contract suite both
// pass.
package broker

import (
	"context"
	"errors"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// Metadata keys the brokers set (the route of each delivery) and the poison
// middleware sets (where a poisoned message came from and why); see package middleware.
const (
	MetaExchange         = middleware.MetaExchange
	MetaRoutingKey       = middleware.MetaRoutingKey
	MetaOriginExchange   = middleware.MetaOriginExchange
	MetaOriginRoutingKey = middleware.MetaOriginRoutingKey
	MetaQueue            = middleware.MetaQueue
	MetaReason           = middleware.MetaReason
	MetaHandler          = middleware.MetaHandler
)

// DefaultCloseTimeout is how long a stopping subscription waits, unless configured
// otherwise, for the messages it handed out to be acked or nacked.
const DefaultCloseTimeout = 30 * time.Second

// ErrQueueFull is returned (wrapped) by a publish that a full queue refused: that is
// backpressure, and the caller should slow down or answer 503. The middleware reads it
// as an unavailable dependency: retried with backoff, never poisoned.
var ErrQueueFull = middleware.Unavailable(errors.New("queue full"))

// Broker is a transport with exchanges and queues: RabbitMQ, or the in-memory one that
// routes with the same topology.
type Broker interface {
	// Declare makes the whole topology exist before any router runs: from then on a
	// queue keeps what is routed to it, whether or not anyone subscribes.
	Declare(ctx context.Context) error
	// Publisher returns a publisher to one exchange: the Publish topic is the routing
	// key. A publish returns only once the broker has taken the message (confirms);
	// a full queue makes it fail with an error wrapping ErrQueueFull. Its Close does
	// not close the broker.
	Publisher(exchange string) (message.Publisher, error)
	// Subscriber returns a subscriber of queues: the Subscribe topic is the full queue
	// name and each Subscribe call is one worker competing on that queue, handed one
	// message at a time. Its Close ends only its own subscriptions, letting the
	// messages they handed out finish first (see Graceful).
	Subscriber() (message.Subscriber, error)
	// Ready returns how many messages wait in a queue (full name) to be delivered; those
	// handed out and not yet acked are not counted.
	Ready(ctx context.Context, queue string) (int, error)
	// Topology is what the broker routes with.
	Topology() *topology.Topology
	// Close releases the broker's connections.
	Close() error
}
