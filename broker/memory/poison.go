package memory

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

func (m *Broker) poisonQueue(name string) (*buffer, error) {
	q, ok := m.topo.Queue(name)
	if !ok || !q.Poison {
		return nil, fmt.Errorf("%q is not a poison queue of the topology (poison queues: %s)", name, strings.Join(m.topo.PoisonQueues(), ", "))
	}
	return m.queues[name], nil
}

// PoisonList implements broker.PoisonInspector.
func (m *Broker) PoisonList(context.Context) ([]broker.PoisonQueueStat, error) {
	var out []broker.PoisonQueueStat
	for _, name := range m.topo.PoisonQueues() {
		out = append(out, broker.PoisonQueueStat{Queue: name, Messages: len(m.queues[name].ch)})
	}
	return out, nil
}

// drain takes up to n messages (all when n <= 0) out of q without blocking.
func drain(q *buffer, n int) []*message.Message {
	var out []*message.Message
	for n <= 0 || len(out) < n {
		select {
		case msg := <-q.ch:
			out = append(out, msg)
		default:
			return out
		}
	}
	return out
}

// PoisonPeek implements broker.PoisonInspector. The peeked messages go back to the end of
// the queue, as basic.get with a requeue does on RabbitMQ.
func (m *Broker) PoisonPeek(_ context.Context, queue string, n int) ([]broker.PoisonMessage, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return nil, fmt.Errorf("peek: %w", err)
	}
	if n <= 0 {
		return nil, fmt.Errorf("peek %s: n must be positive, got %d", queue, n)
	}
	msgs := drain(q, n)
	out := make([]broker.PoisonMessage, 0, len(msgs))
	for _, msg := range msgs {
		out = append(out, toPoisonMessage(msg))
		q.ch <- msg
	}
	return out, nil
}

// PoisonRequeue implements broker.PoisonInspector.
func (m *Broker) PoisonRequeue(_ context.Context, queue string, n int) (int, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	var (
		errs  []error
		moved int
	)
	for _, msg := range drain(q, n) {
		pm := toPoisonMessage(msg)
		if pm.OriginExchange == "" {
			errs = append(errs, fmt.Errorf("message %s: origin unknown (no %s metadata)", msg.UUID, broker.MetaOriginExchange))
			q.ch <- msg
			continue
		}
		c := message.NewMessage(msg.UUID, msg.Payload)
		c.Metadata = maps.Clone(msg.Metadata)
		for _, k := range []string{broker.MetaReason, broker.MetaHandler, broker.MetaQueue, broker.MetaOriginExchange, broker.MetaOriginRoutingKey} {
			delete(c.Metadata, k)
		}
		// Back through the origin exchange when that reaches only this queue; straight
		// to the queue when it would also copy the message to others (a fanout).
		work := strings.TrimSuffix(queue, topology.PoisonSuffix)
		routes, err := m.topo.Route(pm.OriginExchange, pm.OriginRoutingKey)
		if err != nil {
			errs = append(errs, fmt.Errorf("message %s: origin exchange %q: %w", msg.UUID, pm.OriginExchange, err))
			q.ch <- msg
			continue
		}
		if !slices.Contains(routes, work) {
			errs = append(errs, fmt.Errorf("message %s: origin exchange %s with key %q no longer routes to %s", msg.UUID, pm.OriginExchange, pm.OriginRoutingKey, work))
			q.ch <- msg
			continue
		}
		c.Metadata.Set(broker.MetaExchange, pm.OriginExchange)
		c.Metadata.Set(broker.MetaRoutingKey, pm.OriginRoutingKey)
		if err := m.enqueue(m.queues[work], c); err != nil {
			errs = append(errs, fmt.Errorf("requeue %s: %w", msg.UUID, err))
			q.ch <- msg
			continue
		}
		moved++
	}
	if err := errors.Join(errs...); err != nil {
		return moved, fmt.Errorf("requeue %s: %d moved, %d left: %w", queue, moved, len(errs), err)
	}
	return moved, nil
}

// PoisonPurge implements broker.PoisonInspector.
func (m *Broker) PoisonPurge(_ context.Context, queue string) (int, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	return len(drain(q, 0)), nil
}

func toPoisonMessage(msg *message.Message) broker.PoisonMessage {
	return broker.PoisonMessage{
		UUID:             msg.UUID,
		Queue:            msg.Metadata.Get(broker.MetaQueue),
		Reason:           msg.Metadata.Get(broker.MetaReason),
		Handler:          msg.Metadata.Get(broker.MetaHandler),
		OriginExchange:   msg.Metadata.Get(broker.MetaOriginExchange),
		OriginRoutingKey: msg.Metadata.Get(broker.MetaOriginRoutingKey),
		Metadata:         maps.Clone(map[string]string(msg.Metadata)),
		Payload:          msg.Payload,
	}
}
