package router

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
)

var _ PoisonInspector = (*Memory)(nil)

func (m *Memory) poisonQueue(name string) (*memQueue, error) {
	q, ok := m.topo.Queue(name)
	if !ok || !q.Poison {
		return nil, fmt.Errorf("%q is not a poison queue of the topology (one of %v)", name, m.topo.PoisonQueues())
	}
	return m.queues[name], nil
}

// PoisonList implements PoisonInspector.
func (m *Memory) PoisonList(context.Context) ([]PoisonQueueStat, error) {
	var out []PoisonQueueStat
	for _, name := range m.topo.PoisonQueues() {
		out = append(out, PoisonQueueStat{Queue: name, Messages: len(m.queues[name].ch)})
	}
	return out, nil
}

// drain takes up to n messages (all when n <= 0) out of q without blocking.
func drain(q *memQueue, n int) []*message.Message {
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

// PoisonPeek implements PoisonInspector. The peeked messages go back to the end of
// the queue, as basic.get with a requeue does on RabbitMQ.
func (m *Memory) PoisonPeek(_ context.Context, queue string, n int) ([]PoisonMessage, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return nil, err
	}
	msgs := drain(q, n)
	out := make([]PoisonMessage, 0, len(msgs))
	for _, msg := range msgs {
		out = append(out, memPoisonMessage(msg))
		q.ch <- msg
	}
	return out, nil
}

// PoisonRequeue implements PoisonInspector.
func (m *Memory) PoisonRequeue(_ context.Context, queue string, n int) (int, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return 0, err
	}
	var errs []error
	moved := 0
	for _, msg := range drain(q, n) {
		pm := memPoisonMessage(msg)
		if pm.OriginExchange == "" {
			errs = append(errs, fmt.Errorf("message %s has no origin", msg.UUID))
			q.ch <- msg
			continue
		}
		c := message.NewMessage(msg.UUID, msg.Payload)
		c.Metadata = maps.Clone(msg.Metadata)
		for _, k := range []string{MetaReason, MetaHandler, MetaQueue, MetaOriginExchange, MetaOriginRoutingKey} {
			delete(c.Metadata, k)
		}
		// Back through the origin exchange when that reaches only this queue; straight
		// to the queue when it would also copy the message to others (a fanout).
		work := strings.TrimSuffix(queue, PoisonSuffix)
		routes, rerr := m.topo.Route(pm.OriginExchange, pm.OriginRoutingKey)
		if rerr != nil || !slices.Contains(routes, work) {
			errs = append(errs, fmt.Errorf("message %s: origin %s/%s does not route to %s", msg.UUID, pm.OriginExchange, pm.OriginRoutingKey, work))
			q.ch <- msg
			continue
		}
		c.Metadata.Set(MetaExchange, pm.OriginExchange)
		c.Metadata.Set(MetaRoutingKey, pm.OriginRoutingKey)
		if err := m.enqueue(m.queues[work], c); err != nil {
			errs = append(errs, fmt.Errorf("requeue %s: %w", msg.UUID, err))
			q.ch <- msg
			continue
		}
		moved++
	}
	return moved, errors.Join(errs...)
}

// PoisonPurge implements PoisonInspector.
func (m *Memory) PoisonPurge(_ context.Context, queue string) (int, error) {
	q, err := m.poisonQueue(queue)
	if err != nil {
		return 0, err
	}
	return len(drain(q, 0)), nil
}

func memPoisonMessage(msg *message.Message) PoisonMessage {
	return PoisonMessage{
		UUID:             msg.UUID,
		Queue:            msg.Metadata.Get(MetaQueue),
		Reason:           msg.Metadata.Get(MetaReason),
		Handler:          msg.Metadata.Get(MetaHandler),
		OriginExchange:   msg.Metadata.Get(MetaOriginExchange),
		OriginRoutingKey: msg.Metadata.Get(MetaOriginRoutingKey),
		Metadata:         maps.Clone(map[string]string(msg.Metadata)),
		Payload:          msg.Payload,
	}
}
