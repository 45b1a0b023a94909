package broker

import "context"

// PoisonInspector is what `stox poison list|show|requeue|purge` needs from a broker.
// Every queue argument is a full poison queue name of the topology (prefix included,
// e.g. "image_uploads.poison"); any other name is an error.
type PoisonInspector interface {
	// PoisonList returns every poison queue of the topology with its message count.
	PoisonList(ctx context.Context) ([]PoisonQueueStat, error)
	// PoisonPeek returns up to n messages of a poison queue without removing them.
	PoisonPeek(ctx context.Context, queue string, n int) ([]PoisonMessage, error)
	// PoisonRequeue moves up to n messages (all when n <= 0) of those a poison queue
	// held when it started back to the work queue they were poisoned in, through the
	// exchange and routing key they were first published with (or straight to that
	// queue when the route also reaches other queues, as a fanout does, so no other
	// consumer gets a duplicate), and returns how many it moved; each at most once,
	// even when it is poisoned again during the run. A message whose origin is unknown
	// stays where it is and is named in the error.
	PoisonRequeue(ctx context.Context, queue string, n int) (int, error)
	// PoisonPurge deletes every message of a poison queue and returns how many.
	PoisonPurge(ctx context.Context, queue string) (int, error)
}

// PoisonQueueStat is one poison queue and how many messages wait in it.
type PoisonQueueStat struct {
	Queue    string
	Messages int
}

// PoisonMessage is a message found in a poison queue, with why and from where it came.
type PoisonMessage struct {
	UUID string
	// Queue is the work queue the message was poisoned in.
	Queue string
	// Reason is the handler's last error or the broker's dead-letter reason.
	Reason string
	// Handler is the handler that gave up on it; empty for broker dead-letters.
	Handler string
	// OriginExchange and OriginRoutingKey are where requeue sends it back to.
	OriginExchange   string
	OriginRoutingKey string
	Metadata         map[string]string
	Payload          []byte
}
