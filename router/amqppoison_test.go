package router

import (
	"context"
	"strings"
	"testing"

	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ThreeDotsLabs/watermill/message"
)

// rawPublish publishes msg with our marshaler but the plain client, so a test can set
// a per-message expiration; it waits for the broker's confirm.
func rawPublish(t *testing.T, b *AMQP, exchange, key string, msg *message.Message, expiration string) {
	t.Helper()
	ch, err := b.channel()
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	require.NoError(t, ch.Confirm(false))
	pub, err := amqpMarshaler{}.Marshal(msg)
	require.NoError(t, err)
	pub.Expiration = expiration
	dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), exchange, key, false, false, pub)
	require.NoError(t, err)
	require.True(t, dc.Wait(), "broker confirmed")
}

func TestAMQPPoisonExpiredAndRequeue(t *testing.T) {
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, quorum, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			n := b.topo.Name
			work, poison := n(QueueImageUploads), n(QueueImageUploads)+PoisonSuffix

			sent := newMessages(1, "img")[0]
			sent.Metadata.Set("correlation_id", "c1")
			rawPublish(t, b, n(ExchangeImages), KeyImageUpload, sent, "1")
			eventuallyDepths(t, b, map[string]int{poison: 1})

			stats, err := b.PoisonList(ctx)
			require.NoError(t, err)
			assert.Len(t, stats, len(b.topo.PoisonQueues()))
			assert.Contains(t, stats, PoisonQueueStat{Queue: poison, Messages: 1})

			for range 2 {
				peeked, err := b.PoisonPeek(ctx, poison, 10)
				require.NoError(t, err)
				require.Len(t, peeked, 1)
				p := peeked[0]
				assert.Equal(t, sent.UUID, p.UUID)
				assert.Equal(t, work, p.Queue)
				assert.Equal(t, "expired", p.Reason)
				assert.Equal(t, n(ExchangeImages), p.OriginExchange)
				assert.Equal(t, KeyImageUpload, p.OriginRoutingKey)
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
			assert.Equal(t, n(ExchangePoison), m.Metadata.Get(MetaExchange))
			assert.Equal(t, work, m.Metadata.Get(MetaRoutingKey))
			assert.Equal(t, n(ExchangeImages), m.Metadata.Get(MetaOriginExchange))
			assert.Equal(t, KeyImageUpload, m.Metadata.Get(MetaOriginRoutingKey))
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
			assert.Equal(t, n(ExchangeImages), m.Metadata.Get(MetaExchange))
			assert.Equal(t, KeyImageUpload, m.Metadata.Get(MetaRoutingKey))
			for _, k := range []string{MetaOriginExchange, MetaOriginRoutingKey, MetaQueue, MetaReason, amqpHeaderDeath, amqpHeaderFirstReason} {
				assert.NotContains(t, m.Metadata, k)
			}
			m.Ack()
			assert.Equal(t, 1, consumed)
			eventuallyDepths(t, b, nil)
		})
	}
}

func TestAMQPPoisonRequeueFanoutOrigin(t *testing.T) {
	b := newTestAMQP(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	n := b.topo.Name

	// One listing expires in all three marketplace queues.
	rawPublish(t, b, n(ExchangeMarketplaces), "", newMessages(1, "listing")[0], "1")
	want := map[string]int{}
	for _, m := range amqpTestMarketplaces {
		want[n(ListingsQueue(m))+PoisonSuffix] = 1
	}
	eventuallyDepths(t, b, want)

	// Requeueing Amazon's copy must not hand Trendyol and Hepsiburada another one.
	amazon := n(ListingsQueue("amazon"))
	moved, err := b.PoisonRequeue(ctx, amazon+PoisonSuffix, 5)
	require.NoError(t, err)
	assert.Equal(t, 1, moved)
	delete(want, amazon+PoisonSuffix)
	want[amazon] = 1
	eventuallyDepths(t, b, want)
}

func TestAMQPPoisonRequeueOrigin(t *testing.T) {
	tests := []struct {
		name      string
		metadata  map[string]string
		wantMoved int
		wantErr   string
		// wantIn is the queue (logical name) the message ends in.
		wantIn string
	}{
		{
			name: "origin from the poison middleware",
			metadata: map[string]string{
				MetaOriginExchange: ExchangeImages, MetaOriginRoutingKey: KeyImageEnhanced,
				MetaQueue: QueueSEOGeneration, MetaReason: "boom", MetaHandler: "seo.generate",
			},
			wantMoved: 1,
			wantIn:    QueueSEOGeneration,
		},
		{
			name:     "no origin",
			metadata: map[string]string{"correlation_id": "c1"},
			wantErr:  "origin unknown",
			wantIn:   QueueSEOGeneration + PoisonSuffix,
		},
		{
			name:     "origin outside the topology",
			metadata: map[string]string{MetaOriginExchange: "elsewhere", MetaOriginRoutingKey: "k"},
			wantErr:  `unknown exchange`,
			wantIn:   QueueSEOGeneration + PoisonSuffix,
		},
		{
			name:     "origin no longer routes to the queue",
			metadata: map[string]string{MetaOriginExchange: ExchangeImages, MetaOriginRoutingKey: KeyImageUpload},
			wantErr:  "no longer routes",
			wantIn:   QueueSEOGeneration + PoisonSuffix,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, false, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			n := b.topo.Name
			poison := n(QueueSEOGeneration) + PoisonSuffix

			msg := newMessages(1, "seo")[0]
			for k, v := range tt.metadata {
				if k == MetaOriginExchange || k == MetaQueue {
					v = n(v)
				}
				msg.Metadata.Set(k, v)
			}
			pub, err := b.Publisher(n(ExchangePoison))
			require.NoError(t, err)
			require.NoError(t, pub.Publish(n(QueueSEOGeneration), msg))
			eventuallyDepths(t, b, map[string]int{poison: 1})

			peeked, err := b.PoisonPeek(ctx, poison, 1)
			require.NoError(t, err)
			require.Len(t, peeked, 1)
			assert.Equal(t, n(QueueSEOGeneration), peeked[0].Queue)
			assert.Equal(t, tt.metadata[MetaHandler], peeked[0].Handler)

			moved, err := b.PoisonRequeue(ctx, poison, 0)
			assert.Equal(t, tt.wantMoved, moved)
			if tt.wantErr == "" {
				require.NoError(t, err)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Contains(t, err.Error(), msg.UUID)
			}
			eventuallyDepths(t, b, map[string]int{n(tt.wantIn): 1})
		})
	}
}

func TestAMQPPoisonPurgeAndNames(t *testing.T) {
	b := newTestAMQP(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	n := b.topo.Name
	poison := n(OrdersQueue("trendyol")) + PoisonSuffix
	pub, err := b.Publisher(n(ExchangePoison))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(n(OrdersQueue("trendyol")), newMessages(3, "o")...))
	eventuallyDepths(t, b, map[string]int{poison: 3})

	purged, err := b.PoisonPurge(ctx, poison)
	require.NoError(t, err)
	assert.Equal(t, 3, purged)
	eventuallyDepths(t, b, nil)
	peeked, err := b.PoisonPeek(ctx, poison, 5)
	require.NoError(t, err)
	assert.Empty(t, peeked)

	calls := map[string]func(queue string) error{
		"peek":    func(q string) error { _, err := b.PoisonPeek(ctx, q, 1); return err },
		"requeue": func(q string) error { _, err := b.PoisonRequeue(ctx, q, 1); return err },
		"purge":   func(q string) error { _, err := b.PoisonPurge(ctx, q); return err },
	}
	bad := map[string]string{
		"work queue":     n(OrdersQueue("trendyol")),
		"missing prefix": OrdersQueue("trendyol") + PoisonSuffix,
		"unknown":        "nope",
	}
	for what, queue := range bad {
		for name, call := range calls {
			t.Run(name+" "+what, func(t *testing.T) {
				err := call(queue)
				require.Error(t, err)
				assert.Contains(t, err.Error(), "is not a poison queue of the topology")
			})
		}
	}
	_, err = b.PoisonPeek(ctx, poison, 0)
	assert.ErrorContains(t, err, "n must be positive")
}

// TestAMQPPoisonRequeueDefaultExchange: a message that came through the default
// exchange (routing key = its queue's name) goes back to that queue, whether the
// broker dead-lettered it (x-death names exchange "") or the poison middleware
// poisoned it (origin_exchange "").
func TestAMQPPoisonRequeueDefaultExchange(t *testing.T) {
	tests := []struct {
		name   string
		poison func(t *testing.T, b *AMQP, work string, msg *message.Message)
	}{
		{
			name: "dead-lettered",
			poison: func(t *testing.T, b *AMQP, work string, msg *message.Message) {
				rawPublish(t, b, "", work, msg, "1")
			},
		},
		{
			name: "poisoned by a handler",
			poison: func(t *testing.T, b *AMQP, work string, msg *message.Message) {
				msg.Metadata.Set(MetaOriginExchange, "")
				msg.Metadata.Set(MetaOriginRoutingKey, work)
				msg.Metadata.Set(MetaQueue, work)
				msg.Metadata.Set(MetaReason, "boom")
				pub, err := b.Publisher(b.topo.Name(ExchangePoison))
				require.NoError(t, err)
				require.NoError(t, pub.Publish(work, msg))
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, false, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			work := b.topo.Name(ListingsQueue("trendyol"))
			sent := newMessages(1, "listing")[0]
			tt.poison(t, b, work, sent)
			eventuallyDepths(t, b, map[string]int{work + PoisonSuffix: 1})

			moved, err := b.PoisonRequeue(ctx, work+PoisonSuffix, 10)
			require.NoError(t, err)
			assert.Equal(t, 1, moved)
			eventuallyDepths(t, b, map[string]int{work: 1})
			got := getOne(t, work)
			assert.Equal(t, sent.UUID, got.UUID)
			assert.Equal(t, []byte(sent.Payload), []byte(got.Payload))
		})
	}
}

// TestAMQPPoisonRequeueCountsEachOnce: `-n` moves at most that many distinct
// messages, even when each one requeued is poisoned again at once and comes back to
// the poison queue during the run (here its work queue lets nothing live).
func TestAMQPPoisonRequeueCountsEachOnce(t *testing.T) {
	b := newTestAMQP(t, false, func(q Queue, args amqp091.Table) {
		if strings.HasSuffix(q.Name, QueueImageUploads) {
			args["x-message-ttl"] = int32(0)
		}
	})
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	n := b.topo.Name
	poison := n(QueueImageUploads) + PoisonSuffix
	pub, err := b.Publisher(n(ExchangeImages))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(KeyImageUpload, newMessages(3, "img")...))
	eventuallyDepths(t, b, map[string]int{poison: 3})

	for _, tt := range []struct{ n, want int }{{10, 3}, {0, 3}, {2, 2}} {
		moved, err := b.PoisonRequeue(ctx, poison, tt.n)
		require.NoError(t, err)
		assert.Equal(t, tt.want, moved, "-n %d", tt.n)
		eventuallyDepths(t, b, map[string]int{poison: 3})
	}
}
