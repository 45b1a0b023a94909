package rabbitmq

import (
	"context"
	"strings"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// rawPublish publishes msg with our marshaler but the plain client, so a test can set
// a per-message expiration; it waits for the broker's confirm.
func rawPublish(t *testing.T, b *Broker, exchange, key string, msg *message.Message, expiration string) {
	t.Helper()
	ch, err := b.channel()
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	require.NoError(t, ch.Confirm(false))
	pub, err := marshaler{}.Marshal(msg)
	require.NoError(t, err)
	pub.Expiration = expiration
	dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), exchange, key, false, false, pub)
	require.NoError(t, err)
	require.True(t, dc.Wait(), "broker confirmed")
}

func TestPoisonExpiredAndRequeue(t *testing.T) {
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			b := newTestBroker(t, quorum, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			n := b.topo.Name
			work, poison := n(topology.QueueImageUploads), n(topology.QueueImageUploads)+topology.PoisonSuffix

			sent := newMessages(1, "img")[0]
			sent.Metadata.Set("correlation_id", "c1")
			rawPublish(t, b, n(topology.ExchangeImages), topology.KeyImageUpload, sent, "1")
			eventuallyDepths(t, b, map[string]int{poison: 1})

			stats, err := b.PoisonList(ctx)
			require.NoError(t, err)
			assert.Len(t, stats, len(b.topo.PoisonQueues()))
			assert.Contains(t, stats, broker.PoisonQueueStat{Queue: poison, Messages: 1})

			for range 2 {
				peeked, err := b.PoisonPeek(ctx, poison, 10)
				require.NoError(t, err)
				require.Len(t, peeked, 1)
				p := peeked[0]
				assert.Equal(t, sent.UUID, p.UUID)
				assert.Equal(t, work, p.Queue)
				assert.Equal(t, "expired", p.Reason)
				assert.Equal(t, n(topology.ExchangeImages), p.OriginExchange)
				assert.Equal(t, topology.KeyImageUpload, p.OriginRoutingKey)
				assert.Equal(t, "c1", p.Metadata["correlation_id"])
				assert.Equal(t, []byte(sent.Payload), p.Payload)
				eventuallyDepths(t, b, map[string]int{poison: 1})
			}

			// The real subscriber reads the dead-lettered message (x-death and all).
			sub, err := b.Subscriber()
			require.NoError(t, err)
			msgs, err := sub.Subscribe(ctx, poison)
			require.NoError(t, err)
			m := receive(t, msgs)
			assert.Equal(t, sent.UUID, m.UUID)
			assert.Equal(t, n(topology.ExchangePoison), m.Metadata.Get(broker.MetaExchange))
			assert.Equal(t, work, m.Metadata.Get(broker.MetaRoutingKey))
			assert.Equal(t, n(topology.ExchangeImages), m.Metadata.Get(broker.MetaOriginExchange))
			assert.Equal(t, topology.KeyImageUpload, m.Metadata.Get(broker.MetaOriginRoutingKey))
			m.Nack()
			require.NoError(t, sub.Close())
			eventuallyDepths(t, b, map[string]int{poison: 1})

			moved, err := b.PoisonRequeue(ctx, poison, 0)
			require.NoError(t, err)
			assert.Equal(t, 1, moved)
			eventuallyDepths(t, b, map[string]int{work: 1})

			sub, err = b.Subscriber()
			require.NoError(t, err)
			defer func() { assert.NoError(t, sub.Close()) }()
			msgs, err = sub.Subscribe(ctx, work)
			require.NoError(t, err)
			m = receive(t, msgs)
			consumed := 1
			assert.Equal(t, sent.UUID, m.UUID)
			assert.Equal(t, []byte(sent.Payload), []byte(m.Payload))
			assert.Equal(t, "c1", m.Metadata.Get("correlation_id"))
			assert.Equal(t, n(topology.ExchangeImages), m.Metadata.Get(broker.MetaExchange))
			assert.Equal(t, topology.KeyImageUpload, m.Metadata.Get(broker.MetaRoutingKey))
			for _, k := range []string{broker.MetaOriginExchange, broker.MetaOriginRoutingKey, broker.MetaQueue, broker.MetaReason, headerDeath, headerFirstReason} {
				assert.NotContains(t, m.Metadata, k)
			}
			m.Ack()
			assert.Equal(t, 1, consumed)
			eventuallyDepths(t, b, nil)
		})
	}
}

func TestPoisonExpiredFanoutRequeue(t *testing.T) {
	b := newTestBroker(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	n := b.topo.Name

	// One listing expires in all three marketplace queues.
	rawPublish(t, b, n(topology.ExchangeMarketplaces), "", newMessages(1, "listing")[0], "1")
	want := map[string]int{}
	for _, m := range testMarketplaces {
		want[n(topology.ListingsQueue(m))+topology.PoisonSuffix] = 1
	}
	eventuallyDepths(t, b, want)

	// Requeueing Amazon's copy must not hand Trendyol and Hepsiburada another one.
	amazon := n(topology.ListingsQueue("amazon"))
	moved, err := b.PoisonRequeue(ctx, amazon+topology.PoisonSuffix, 5)
	require.NoError(t, err)
	assert.Equal(t, 1, moved)
	delete(want, amazon+topology.PoisonSuffix)
	want[amazon] = 1
	eventuallyDepths(t, b, want)
}

// TestPoisonRequeueDefaultExchange: a message that came through the default
// exchange (routing key = its queue's name) goes back to that queue, whether the
// broker dead-lettered it (x-death names exchange "") or the poison middleware
// poisoned it (origin_exchange "").
func TestPoisonRequeueDefaultExchange(t *testing.T) {
	tests := []struct {
		name   string
		poison func(t *testing.T, b *Broker, work string, msg *message.Message)
	}{
		{
			name: "dead-lettered",
			poison: func(t *testing.T, b *Broker, work string, msg *message.Message) {
				rawPublish(t, b, "", work, msg, "1")
			},
		},
		{
			name: "poisoned by a handler",
			poison: func(t *testing.T, b *Broker, work string, msg *message.Message) {
				msg.Metadata.Set(broker.MetaOriginExchange, "")
				msg.Metadata.Set(broker.MetaOriginRoutingKey, work)
				msg.Metadata.Set(broker.MetaQueue, work)
				msg.Metadata.Set(broker.MetaReason, "boom")
				pub, err := b.Publisher(b.topo.Name(topology.ExchangePoison))
				require.NoError(t, err)
				require.NoError(t, pub.Publish(work, msg))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTestBroker(t, false, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			work := b.topo.Name(topology.ListingsQueue("trendyol"))
			sent := newMessages(1, "listing")[0]
			tt.poison(t, b, work, sent)
			eventuallyDepths(t, b, map[string]int{work + topology.PoisonSuffix: 1})

			moved, err := b.PoisonRequeue(ctx, work+topology.PoisonSuffix, 10)
			require.NoError(t, err)
			assert.Equal(t, 1, moved)
			eventuallyDepths(t, b, map[string]int{work: 1})
			got := getOne(t, work)
			assert.Equal(t, sent.UUID, got.UUID)
			assert.Equal(t, []byte(sent.Payload), []byte(got.Payload))
		})
	}
}

// TestPoisonRequeueCountsEachOnce: `-n` moves at most that many distinct
// messages, even when each one requeued is poisoned again at once and comes back to
// the poison queue during the run (here its work queue lets nothing live).
func TestPoisonRequeueCountsEachOnce(t *testing.T) {
	b := newTestBroker(t, false, func(q topology.Queue, args amqp091.Table) {
		if strings.HasSuffix(q.Name, topology.QueueImageUploads) {
			args["x-message-ttl"] = int32(0)
		}
	})
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	n := b.topo.Name
	poison := n(topology.QueueImageUploads) + topology.PoisonSuffix
	pub, err := b.Publisher(n(topology.ExchangeImages))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topology.KeyImageUpload, newMessages(3, "img")...))
	eventuallyDepths(t, b, map[string]int{poison: 3})

	for _, tt := range []struct{ n, want int }{{10, 3}, {0, 3}, {2, 2}} {
		moved, err := b.PoisonRequeue(ctx, poison, tt.n)
		require.NoError(t, err)
		assert.Equal(t, tt.want, moved, "-n %d", tt.n)
		eventuallyDepths(t, b, map[string]int{poison: 3})
	}
}

// getOne takes one message from queue over a connection of its own.
func getOne(t *testing.T, queue string) *message.Message {
	t.Helper()
	conn, err := amqp091.Dial(testenv.AMQPURL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	ch, err := conn.Channel()
	require.NoError(t, err)
	d, ok, err := ch.Get(queue, true)
	require.NoError(t, err)
	require.True(t, ok, "%s is empty", queue)
	msg, err := marshaler{}.Unmarshal(d)
	require.NoError(t, err)
	return msg
}
