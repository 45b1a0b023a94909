// Package router holds the topology, the brokers (RabbitMQ and in-memory) and one
// constructor per service that builds its message.Router from its dependencies.
package router

import (
	"context"
	"errors"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/middleware"
)

// Metadata keys the brokers and the poison middleware set; see package middleware.
const (
	MetaExchange         = middleware.MetaExchange
	MetaRoutingKey       = middleware.MetaRoutingKey
	MetaOriginExchange   = middleware.MetaOriginExchange
	MetaOriginRoutingKey = middleware.MetaOriginRoutingKey
	MetaQueue            = middleware.MetaQueue
	MetaReason           = middleware.MetaReason
	MetaHandler          = middleware.MetaHandler
)

// ErrQueueFull is returned (wrapped) by a publish that a full queue refused: that is
// backpressure, and the caller should slow down or answer 503. The middleware reads it
// as an unavailable dependency: retried with backoff, never poisoned.
var ErrQueueFull = middleware.Unavailable(errors.New("queue full"))

// Broker is a transport with exchanges and queues: RabbitMQ, or the in-memory one that
// routes with the same topology.
type Broker interface {
	// Declare makes the whole topology exist before any router runs.
	Declare(ctx context.Context) error
	// Publisher returns a publisher to one exchange: the Publish topic is the routing
	// key. A publish returns only once the broker has taken the message (confirms);
	// a full queue makes it fail with an error wrapping ErrQueueFull. Its Close does
	// not close the broker.
	Publisher(exchange string) (message.Publisher, error)
	// Subscriber returns a subscriber of queues: the Subscribe topic is the full queue
	// name and each Subscribe call is one worker competing on that queue. Its Close
	// ends only its own subscriptions.
	Subscriber() (message.Subscriber, error)
	// Topology is what the broker routes with.
	Topology() *Topology
	// Close releases the broker's connections.
	Close() error
}
