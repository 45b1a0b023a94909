// Package router holds the topology, the brokers (RabbitMQ and in-memory) and one
// constructor per service that builds its message.Router from its dependencies.
package router

import (
	"context"
	"errors"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Metadata keys the brokers and the poison middleware set.
const (
	// MetaExchange and MetaRoutingKey name where a delivered message was published.
	// Brokers set them on every delivery, overwriting what the message carried.
	MetaExchange   = "received_exchange"
	MetaRoutingKey = "received_routing_key"
	// MetaOriginExchange and MetaOriginRoutingKey name where a poisoned message was
	// first published, so `stox poison requeue` can send it back there.
	MetaOriginExchange   = "origin_exchange"
	MetaOriginRoutingKey = "origin_routing_key"
	// MetaQueue is the work queue a poisoned message came from.
	MetaQueue = "queue_poisoned"
	// MetaReason says why a message was poisoned: the handler's last error, or the
	// broker's dead-letter reason (expired, maxlen, rejected).
	MetaReason = "reason_poisoned"
	// MetaHandler is the handler that gave up on a poisoned message.
	MetaHandler = "handler_poisoned"
)

// ErrQueueFull is returned (wrapped) by a publish that a full queue refused: that is
// backpressure, and the caller should slow down or answer 503.
var ErrQueueFull = errors.New("queue full")

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
