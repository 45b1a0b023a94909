package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

// poisonOnlyKeys is the metadata that describes a message's stay in a poison queue;
// requeue drops it so the message goes back as it first was.
var poisonOnlyKeys = []string{
	broker.MetaOriginExchange, broker.MetaOriginRoutingKey, broker.MetaQueue, broker.MetaReason, broker.MetaHandler,
	broker.MetaExchange, broker.MetaRoutingKey,
	middleware.PoisonedTopicKey, middleware.PoisonedSubscriberKey,
}

// PoisonList returns every poison queue of the topology with its ready message count.
func (b *Broker) PoisonList(ctx context.Context) ([]broker.PoisonQueueStat, error) {
	var (
		out  []broker.PoisonQueueStat
		errs []error
		ch   *amqp091.Channel
	)
	defer func() {
		if ch != nil {
			_ = ch.Close()
		}
	}()
	for _, name := range b.topo.PoisonQueues() {
		if err := ctx.Err(); err != nil {
			return out, fmt.Errorf("list poison queues: %w", err)
		}
		if ch == nil {
			c, err := b.channel()
			if err != nil {
				return out, fmt.Errorf("list poison queues: %w", err)
			}
			ch = c
		}
		q, err := ch.QueueDeclarePassive(name, true, false, false, false, nil)
		if err != nil {
			// A failed passive declare (404) closes the channel.
			ch = nil
			errs = append(errs, fmt.Errorf("inspect %s: %w", name, err))
			continue
		}
		out = append(out, broker.PoisonQueueStat{Queue: name, Messages: q.Messages})
	}
	if err := errors.Join(errs...); err != nil {
		return out, fmt.Errorf("list poison queues: %w", err)
	}
	return out, nil
}

// PoisonPeek returns up to n messages from the head of a poison queue. It takes them
// with basic.get and hands them all back with one nack-requeue, so they stay where
// they were; if anything fails midway, closing the channel returns them as well.
func (b *Broker) PoisonPeek(ctx context.Context, queue string, n int) ([]broker.PoisonMessage, error) {
	if _, err := b.poisonSource(queue); err != nil {
		return nil, fmt.Errorf("peek: %w", err)
	}
	if n <= 0 {
		return nil, fmt.Errorf("peek %s: n must be positive, got %d", queue, n)
	}
	ch, err := b.channel()
	if err != nil {
		return nil, fmt.Errorf("peek %s: %w", queue, err)
	}
	defer func() { _ = ch.Close() }()
	var (
		out  []broker.PoisonMessage
		last uint64
	)
	for len(out) < n {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("peek %s: %w", queue, err)
		}
		d, ok, err := ch.Get(queue, false)
		if err != nil {
			return nil, fmt.Errorf("peek %s: %w", queue, err)
		}
		if !ok {
			break
		}
		last = d.DeliveryTag
		out = append(out, toPoisonMessage(queue, d))
	}
	if last != 0 {
		if err := ch.Nack(last, true, true); err != nil {
			return nil, fmt.Errorf("peek %s: return messages: %w", queue, err)
		}
	}
	return out, nil
}

// PoisonRequeue moves up to n messages (when n <= 0, all) of those a poison queue held
// when it started back to where they were published: the origin exchange and routing
// key from the poison metadata or from x-death (the default exchange, "", routes to
// the queue its routing key names). A message poisoned again during the run comes back
// behind those, so it is not moved twice. When the route reaches other queues too (a
// fanout), the message goes straight to the queue it was poisoned in instead, so no
// other consumer gets it twice. Each message is published with a confirm before it is
// acked, so none is lost; one without a usable origin, or that the broker refuses,
// stays in the poison queue and is named in the error.
func (b *Broker) PoisonRequeue(ctx context.Context, queue string, n int) (int, error) {
	work, err := b.poisonSource(queue)
	if err != nil {
		return 0, fmt.Errorf("requeue: %w", err)
	}
	ch, err := b.channel()
	if err != nil {
		return 0, fmt.Errorf("requeue %s: %w", queue, err)
	}
	defer func() { _ = ch.Close() }()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("requeue %s: %w", queue, err)
	}
	if n <= 0 || n > q.Messages {
		n = q.Messages
	}
	if err := ch.Confirm(false); err != nil {
		return 0, fmt.Errorf("requeue %s: confirm mode: %w", queue, err)
	}
	returns := ch.NotifyReturn(make(chan amqp091.Return, 1))

	var (
		moved int
		kept  []uint64
		errs  []error
	)
	for range n {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		d, ok, err := ch.Get(queue, false)
		if err != nil {
			errs = append(errs, fmt.Errorf("get: %w", err))
			break
		}
		if !ok {
			break
		}
		if err := b.republish(ctx, ch, returns, work, d); err != nil {
			errs = append(errs, err)
			kept = append(kept, d.DeliveryTag)
			continue
		}
		if err := ch.Ack(d.DeliveryTag, false); err != nil {
			errs = append(errs, fmt.Errorf("ack requeued message: %w", err))
			break
		}
		moved++
	}
	for _, tag := range kept {
		// Should this fail, closing the channel returns the message all the same.
		_ = ch.Nack(tag, false, true)
	}
	if err := errors.Join(errs...); err != nil {
		return moved, fmt.Errorf("requeue %s: %d moved, %d left: %w", queue, moved, len(kept), err)
	}
	return moved, nil
}

// republish publishes a poisoned delivery back to its origin, mandatory and confirmed.
func (b *Broker) republish(ctx context.Context, ch *amqp091.Channel, returns <-chan amqp091.Return, work string, d amqp091.Delivery) error {
	msg, _ := marshaler{}.Unmarshal(d)
	ex, key := msg.Metadata[broker.MetaOriginExchange], msg.Metadata[broker.MetaOriginRoutingKey]
	var route []string
	switch {
	case ex == "" && key == "":
		return fmt.Errorf("message %s: origin unknown (no %s metadata and no x-death)", msg.UUID, broker.MetaOriginExchange)
	case ex == "":
		// Published to the default exchange, which routes to the queue named by the key.
		route = []string{key}
	default:
		var err error
		if route, err = b.topo.Route(ex, key); err != nil {
			return fmt.Errorf("message %s: origin exchange %q: %w", msg.UUID, ex, err)
		}
	}
	switch {
	case slices.Equal(route, []string{work}):
	case slices.Contains(route, work):
		// Straight to the queue, through the default exchange.
		ex, key = "", work
	default:
		origin := "exchange " + ex
		if ex == "" {
			origin = "the default exchange"
		}
		return fmt.Errorf("message %s: origin %s with key %q no longer routes to %s", msg.UUID, origin, key, work)
	}
	out := message.NewMessage(msg.UUID, msg.Payload)
	out.Metadata = maps.Clone(msg.Metadata)
	for _, k := range poisonOnlyKeys {
		delete(out.Metadata, k)
	}
	for k := range brokerHeaders {
		delete(out.Metadata, k)
	}
	pub, err := marshaler{}.Marshal(out)
	if err != nil {
		return fmt.Errorf("message %s: %w", msg.UUID, err)
	}
	dc, err := ch.PublishWithDeferredConfirmWithContext(ctx, ex, key, true, false, pub)
	if err != nil {
		return fmt.Errorf("message %s: publish: %w", msg.UUID, err)
	}
	acked, err := dc.WaitContext(ctx)
	if err != nil {
		return fmt.Errorf("message %s: wait for confirm: %w", msg.UUID, err)
	}
	if !acked {
		return fmt.Errorf("message %s: broker refused it: %w", msg.UUID, broker.ErrQueueFull)
	}
	// RabbitMQ sends basic.return before the ack of an unroutable mandatory message.
	select {
	case r := <-returns:
		return fmt.Errorf("message %s: unroutable to %s %q: %s", msg.UUID, r.Exchange, r.RoutingKey, r.ReplyText)
	default:
	}
	return nil
}

// PoisonPurge deletes every ready message of a poison queue.
func (b *Broker) PoisonPurge(ctx context.Context, queue string) (int, error) {
	if _, err := b.poisonSource(queue); err != nil {
		return 0, fmt.Errorf("purge: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("purge %s: %w", queue, err)
	}
	ch, err := b.channel()
	if err != nil {
		return 0, fmt.Errorf("purge %s: %w", queue, err)
	}
	defer func() { _ = ch.Close() }()
	n, err := ch.QueuePurge(queue, false)
	if err != nil {
		return 0, fmt.Errorf("purge %s: %w", queue, err)
	}
	return n, nil
}

// poisonSource checks that queue is a poison queue of the topology and returns the
// work queue it collects from.
func (b *Broker) poisonSource(queue string) (string, error) {
	if q, ok := b.topo.Queue(queue); ok && q.Poison {
		return strings.TrimSuffix(queue, topology.PoisonSuffix), nil
	}
	return "", fmt.Errorf("%q is not a poison queue of the topology (poison queues: %s)",
		queue, strings.Join(b.topo.PoisonQueues(), ", "))
}

// toPoisonMessage describes a delivery from a poison queue.
func toPoisonMessage(queue string, d amqp091.Delivery) broker.PoisonMessage {
	msg, _ := marshaler{}.Unmarshal(d)
	md := msg.Metadata
	pm := broker.PoisonMessage{
		UUID:             msg.UUID,
		Queue:            md[broker.MetaQueue],
		Reason:           md[broker.MetaReason],
		Handler:          md[broker.MetaHandler],
		OriginExchange:   md[broker.MetaOriginExchange],
		OriginRoutingKey: md[broker.MetaOriginRoutingKey],
		Metadata:         map[string]string(md),
		Payload:          msg.Payload,
	}
	if pm.Queue == "" {
		pm.Queue = md[middleware.PoisonedTopicKey]
	}
	if pm.Queue == "" {
		pm.Queue = strings.TrimSuffix(queue, topology.PoisonSuffix)
	}
	return pm
}
