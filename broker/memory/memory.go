// Package memory is the in-process broker of `stox run`: RabbitMQ's exchanges,
// routing keys and queues routed with the same topology, in one process, with its
// poison queue inspector.
package memory

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

// Broker is the in-process broker of `stox run`: the same exchanges, routing keys and
// queues as RabbitMQ, routed with the same topology. Each queue is a bounded buffer
// that refuses publishes when full (like x-overflow reject-publish); every Subscribe is
// one worker competing for that queue's messages; a nacked or interrupted message goes
// back to its queue. Unlike RabbitMQ it keeps nothing across a crash.
type Broker struct {
	topo   *topology.Topology
	queues map[string]*buffer
	closed chan struct{}
	once   sync.Once
	// RedeliveryDelay keeps a nacked message from being redelivered in a hot loop.
	RedeliveryDelay time.Duration
	// CloseTimeout bounds how long a stopping subscription waits for the messages it
	// handed out to be acked or nacked before it puts them back in their queue.
	CloseTimeout time.Duration
}

// unbounded is the capacity of a queue without a length limit (a poison queue): a
// channel's buffer is allocated up front, so it cannot grow without end.
const unbounded = 1 << 20

type buffer struct {
	name string
	ch   chan *message.Message
	// counts of Stats, as RabbitMQ's management API shows them
	published, delivered atomic.Uint64
	unacked, consumers   atomic.Int64
}

var (
	_ broker.Broker          = (*Broker)(nil)
	_ broker.PoisonInspector = (*Broker)(nil)
)

// New returns an in-memory broker routing with topo; each queue holds at most its
// MaxLength ready messages.
func New(topo *topology.Topology) *Broker {
	m := &Broker{
		topo:            topo,
		queues:          make(map[string]*buffer, len(topo.Queues)),
		closed:          make(chan struct{}),
		RedeliveryDelay: 100 * time.Millisecond,
		CloseTimeout:    broker.DefaultCloseTimeout,
	}
	for _, q := range topo.Queues {
		c := q.MaxLength
		if c <= 0 {
			c = unbounded
		}
		m.queues[q.Name] = &buffer{name: q.Name, ch: make(chan *message.Message, c)}
	}
	return m
}

// Declare implements broker.Broker; the queues exist from New on.
func (m *Broker) Declare(context.Context) error { return nil }

// Topology implements broker.Broker.
func (m *Broker) Topology() *topology.Topology { return m.topo }

// Ready implements broker.Broker.
func (m *Broker) Ready(_ context.Context, queue string) (int, error) {
	q, ok := m.queues[queue]
	if !ok {
		return 0, fmt.Errorf("queue %q is not in the topology", queue)
	}
	return len(q.ch), nil
}

// Close implements broker.Broker: subscriptions end and undelivered messages are
// dropped.
func (m *Broker) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

// Publisher implements broker.Broker.
func (m *Broker) Publisher(exchange string) (message.Publisher, error) {
	if _, ok := m.topo.Exchange(exchange); !ok {
		return nil, fmt.Errorf("publisher: exchange %q is not in the topology", exchange)
	}
	return publisher{m: m, exchange: exchange}, nil
}

// Subscriber implements broker.Broker. A stopping subscription lets the messages it
// handed out finish (see broker.Graceful).
func (m *Broker) Subscriber() (message.Subscriber, error) {
	return broker.NewGraceful(&subscriber{m: m, closing: make(chan struct{})}, m.CloseTimeout), nil
}

// publish routes msgs like RabbitMQ would: a copy of each message to every queue bound
// to (exchange, key). A full queue refuses the message; the other queues keep theirs.
func (m *Broker) publish(exchange, key string, msgs ...*message.Message) error {
	queues, err := m.topo.Route(exchange, key)
	if err != nil {
		return err
	}
	for _, msg := range msgs {
		for _, qn := range queues {
			c := msg.Copy()
			c.Metadata.Set(broker.MetaExchange, exchange)
			c.Metadata.Set(broker.MetaRoutingKey, key)
			if err := m.enqueue(m.queues[qn], c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *Broker) enqueue(q *buffer, msg *message.Message) error {
	select {
	case <-m.closed:
		return fmt.Errorf("publish to %s: broker closed", q.name)
	default:
	}
	select {
	case q.ch <- msg:
		q.published.Add(1)
		return nil
	default:
		return fmt.Errorf("publish %s to %s: %w", msg.UUID, q.name, broker.ErrQueueFull)
	}
}

// requeue puts back a message that was not acknowledged. It blocks rather than lose
// the message when the queue has filled meanwhile.
func (m *Broker) requeue(q *buffer, msg *message.Message) {
	c := message.NewMessage(msg.UUID, msg.Payload)
	c.Metadata = msg.Metadata
	select {
	case q.ch <- c:
	case <-m.closed:
	}
}

type publisher struct {
	m        *Broker
	exchange string
}

func (p publisher) Publish(key string, msgs ...*message.Message) error {
	return p.m.publish(p.exchange, key, msgs...)
}

func (p publisher) Close() error { return nil }

type subscriber struct {
	m       *Broker
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// Subscribe starts one worker on queue: it hands over one message at a time and waits
// for its ack or nack before taking the next, as one AMQP subscription does.
func (s *subscriber) Subscribe(ctx context.Context, queue string) (<-chan *message.Message, error) {
	q, ok := s.m.queues[queue]
	if !ok {
		return nil, fmt.Errorf("subscribe: queue %q is not in the topology", queue)
	}
	out := make(chan *message.Message)
	s.wg.Add(1)
	q.consumers.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
		defer q.consumers.Add(-1)
		for {
			var msg *message.Message
			select {
			case msg = <-q.ch:
			case <-ctx.Done():
				return
			case <-s.closing:
				return
			case <-s.m.closed:
				return
			}
			if !s.deliver(ctx, q, out, msg) {
				return
			}
		}
	}()
	return out, nil
}

// deliver hands msg to the router and waits for the outcome; it reports whether the
// subscription goes on.
func (s *subscriber) deliver(ctx context.Context, q *buffer, out chan<- *message.Message, msg *message.Message) bool {
	msgCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	msg.SetContext(msgCtx)
	select {
	case out <- msg:
		q.delivered.Add(1)
		q.unacked.Add(1)
		defer q.unacked.Add(-1)
	case <-ctx.Done():
		s.m.requeue(q, msg)
		return false
	case <-s.closing:
		s.m.requeue(q, msg)
		return false
	case <-s.m.closed:
		return false
	}
	select {
	case <-msg.Acked():
		return true
	case <-msg.Nacked():
		go func() {
			select {
			case <-time.After(s.m.RedeliveryDelay):
			case <-s.m.closed:
			}
			s.m.requeue(q, msg)
		}()
		return true
	case <-ctx.Done():
	case <-s.closing:
	case <-s.m.closed:
		return false
	}
	// Interrupted before an outcome: like RabbitMQ on a closed channel, the message
	// goes back to its queue to be delivered again.
	s.m.requeue(q, msg)
	return false
}

func (s *subscriber) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.wg.Wait()
	return nil
}
