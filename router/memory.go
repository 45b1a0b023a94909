package router

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Memory is the in-process broker of `stox run`: the same exchanges, routing keys and
// queues as RabbitMQ, routed with the same Topology. Each queue is a bounded buffer
// that refuses publishes when full (like x-overflow reject-publish); every Subscribe is
// one worker competing for that queue's messages; a nacked or interrupted message goes
// back to its queue. Unlike RabbitMQ it keeps nothing across a crash.
type Memory struct {
	topo   *Topology
	queues map[string]*memQueue
	closed chan struct{}
	once   sync.Once
	// RedeliveryDelay keeps a nacked message from being redelivered in a hot loop.
	RedeliveryDelay time.Duration
	// CloseTimeout bounds how long a stopping subscription waits for the messages it
	// handed out to be acked or nacked before it puts them back in their queue.
	CloseTimeout time.Duration
}

type memQueue struct {
	name string
	ch   chan *message.Message
}

// NewMemory returns an in-memory broker routing with topo; each queue holds at most
// MaxLength ready messages.
func NewMemory(topo *Topology) *Memory {
	return newMemory(topo, MaxLength)
}

func newMemory(topo *Topology, capacity int) *Memory {
	m := &Memory{
		topo:            topo,
		queues:          make(map[string]*memQueue, len(topo.Queues)),
		closed:          make(chan struct{}),
		RedeliveryDelay: 100 * time.Millisecond,
		CloseTimeout:    DefaultCloseTimeout,
	}
	for _, q := range topo.Queues {
		c := capacity
		if q.Poison {
			c = 1 << 20 // poison queues have no length limit on RabbitMQ either
		}
		m.queues[q.Name] = &memQueue{name: q.Name, ch: make(chan *message.Message, c)}
	}
	return m
}

// Declare implements Broker; the queues exist from NewMemory on.
func (m *Memory) Declare(context.Context) error { return nil }

// Topology implements Broker.
func (m *Memory) Topology() *Topology { return m.topo }

// Close implements Broker: subscriptions end and undelivered messages are dropped.
func (m *Memory) Close() error {
	m.once.Do(func() { close(m.closed) })
	return nil
}

// Publisher implements Broker.
func (m *Memory) Publisher(exchange string) (message.Publisher, error) {
	if _, ok := m.topo.Exchange(exchange); !ok {
		return nil, fmt.Errorf("publisher: unknown exchange %q", exchange)
	}
	return memPublisher{m: m, exchange: exchange}, nil
}

// Subscriber implements Broker. A stopping subscription lets the messages it handed
// out finish (see graceful).
func (m *Memory) Subscriber() (message.Subscriber, error) {
	return newGraceful(&memSubscriber{m: m, closing: make(chan struct{})}, m.CloseTimeout), nil
}

// publish routes msgs like RabbitMQ would: a copy of each message to every queue bound
// to (exchange, key). A full queue refuses the message; the other queues keep theirs.
func (m *Memory) publish(exchange, key string, msgs ...*message.Message) error {
	queues, err := m.topo.Route(exchange, key)
	if err != nil {
		return err
	}
	for _, msg := range msgs {
		for _, qn := range queues {
			c := msg.Copy()
			c.Metadata.Set(MetaExchange, exchange)
			c.Metadata.Set(MetaRoutingKey, key)
			if err := m.enqueue(m.queues[qn], c); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *Memory) enqueue(q *memQueue, msg *message.Message) error {
	select {
	case <-m.closed:
		return fmt.Errorf("publish to %s: broker closed", q.name)
	default:
	}
	select {
	case q.ch <- msg:
		return nil
	default:
		return fmt.Errorf("publish %s to %s: %w", msg.UUID, q.name, ErrQueueFull)
	}
}

// requeue puts back a message that was not acknowledged. It blocks rather than lose
// the message when the queue has filled meanwhile.
func (m *Memory) requeue(q *memQueue, msg *message.Message) {
	c := message.NewMessage(msg.UUID, msg.Payload)
	c.Metadata = msg.Metadata
	select {
	case q.ch <- c:
	case <-m.closed:
	}
}

type memPublisher struct {
	m        *Memory
	exchange string
}

func (p memPublisher) Publish(key string, msgs ...*message.Message) error {
	return p.m.publish(p.exchange, key, msgs...)
}

func (p memPublisher) Close() error { return nil }

type memSubscriber struct {
	m       *Memory
	closing chan struct{}
	once    sync.Once
	wg      sync.WaitGroup
}

// Subscribe starts one worker on queue: it hands over one message at a time and waits
// for its ack or nack before taking the next, as one AMQP subscription does.
func (s *memSubscriber) Subscribe(ctx context.Context, queue string) (<-chan *message.Message, error) {
	q, ok := s.m.queues[queue]
	if !ok {
		return nil, fmt.Errorf("subscribe: unknown queue %q", queue)
	}
	out := make(chan *message.Message)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer close(out)
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
func (s *memSubscriber) deliver(ctx context.Context, q *memQueue, out chan<- *message.Message, msg *message.Message) bool {
	msgCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	msg.SetContext(msgCtx)
	select {
	case out <- msg:
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

func (s *memSubscriber) Close() error {
	s.once.Do(func() { close(s.closing) })
	s.wg.Wait()
	return nil
}
