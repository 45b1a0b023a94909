package brokertest

import (
	"context"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

func inspector(t *testing.T, b broker.Broker) broker.PoisonInspector {
	t.Helper()
	insp, ok := b.(broker.PoisonInspector)
	require.True(t, ok, "%T inspects its poison queues", b)
	return insp
}

// poison publishes msg to the poison queue of work (a logical name) as the poison
// middleware does: through the poison exchange, with where it came from and why.
func poison(t *testing.T, b broker.Broker, work, originExchange, originKey string, msg *message.Message) {
	t.Helper()
	n := b.Topology().Name
	msg.Metadata.Set(broker.MetaOriginExchange, originExchange)
	msg.Metadata.Set(broker.MetaOriginRoutingKey, originKey)
	msg.Metadata.Set(broker.MetaQueue, n(work))
	msg.Metadata.Set(broker.MetaReason, "boom")
	msg.Metadata.Set(broker.MetaHandler, "svc.handler")
	publish(t, b, topology.ExchangePoison, n(work), msg)
}

// testPoisonRequeue: a poisoned message is listed, peeked (and left where it is), and
// requeued back through its origin, shedding the poison marks.
func testPoisonRequeue(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	insp := inspector(t, b)
	ctx := context.Background()
	n := topo.Name
	work := n(topology.QueueSEOGeneration)
	pq := work + topology.PoisonSuffix
	sent := newMessages(1, "seo")[0]
	sent.Metadata.Set("correlation_id", "c1")
	poison(t, b, topology.QueueSEOGeneration, n(topology.ExchangeImages), topology.KeyImageEnhanced, sent)
	eventuallyReady(t, b, map[string]int{pq: 1})

	stats, err := insp.PoisonList(ctx)
	require.NoError(t, err)
	assert.Len(t, stats, len(topo.PoisonQueues()))
	assert.Contains(t, stats, broker.PoisonQueueStat{Queue: pq, Messages: 1})

	for range 2 {
		peeked, err := insp.PoisonPeek(ctx, pq, 10)
		require.NoError(t, err)
		require.Len(t, peeked, 1)
		p := peeked[0]
		assert.Equal(t, sent.UUID, p.UUID)
		assert.Equal(t, work, p.Queue)
		assert.Equal(t, "boom", p.Reason)
		assert.Equal(t, "svc.handler", p.Handler)
		assert.Equal(t, n(topology.ExchangeImages), p.OriginExchange)
		assert.Equal(t, topology.KeyImageEnhanced, p.OriginRoutingKey)
		assert.Equal(t, "c1", p.Metadata["correlation_id"])
		assert.Equal(t, []byte(sent.Payload), p.Payload)
		eventuallyReady(t, b, map[string]int{pq: 1})
	}

	moved, err := insp.PoisonRequeue(ctx, pq, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, moved)
	eventuallyReady(t, b, map[string]int{work: 1})

	m := receive(t, subscribe(t, b, work))
	assert.Equal(t, sent.UUID, m.UUID)
	assert.Equal(t, sent.Payload, m.Payload)
	assert.Equal(t, "c1", m.Metadata.Get("correlation_id"))
	assert.Equal(t, n(topology.ExchangeImages), m.Metadata.Get(broker.MetaExchange))
	assert.Equal(t, topology.KeyImageEnhanced, m.Metadata.Get(broker.MetaRoutingKey))
	for _, k := range []string{broker.MetaOriginExchange, broker.MetaOriginRoutingKey, broker.MetaQueue, broker.MetaReason, broker.MetaHandler} {
		assert.NotContains(t, m.Metadata, k)
	}
	m.Ack()
	eventuallyReady(t, b, nil)
}

// testPoisonRequeueFanout: a listing poisoned on one marketplace goes back to that
// marketplace's queue only, not through the fanout to every marketplace again.
func testPoisonRequeueFanout(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	n := topo.Name
	work := topology.ListingsQueue("trendyol")
	poison(t, b, work, n(topology.ExchangeMarketplaces), "", newMessages(1, "listing")[0])
	eventuallyReady(t, b, map[string]int{n(work) + topology.PoisonSuffix: 1})

	moved, err := inspector(t, b).PoisonRequeue(context.Background(), n(work)+topology.PoisonSuffix, 5)
	require.NoError(t, err)
	assert.Equal(t, 1, moved)
	eventuallyReady(t, b, map[string]int{n(work): 1})
}

// testPoisonUnusableOrigin: a message whose origin is unknown, outside the topology,
// or no longer routes to its queue stays in the poison queue, named in the error.
func testPoisonUnusableOrigin(t *testing.T, h Harness) {
	tests := []struct {
		name        string
		origin, key string
		wantErr     string
	}{
		{"no origin", "", "", "origin unknown"},
		{"origin outside the topology", "elsewhere", "k", "unknown exchange"},
		{"origin no longer routes to the queue", topology.ExchangeImages, topology.KeyImageUpload, "no longer routes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			topo := newTopology(h)
			b := open(t, h, topo, closeTimeout)
			origin := tt.origin
			if origin == topology.ExchangeImages {
				origin = topo.Name(origin)
			}
			pq := topo.Name(topology.QueueSEOGeneration) + topology.PoisonSuffix
			msg := newMessages(1, "seo")[0]
			poison(t, b, topology.QueueSEOGeneration, origin, tt.key, msg)
			eventuallyReady(t, b, map[string]int{pq: 1})

			moved, err := inspector(t, b).PoisonRequeue(context.Background(), pq, 0)
			assert.Zero(t, moved)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			assert.Contains(t, err.Error(), msg.UUID)
			eventuallyReady(t, b, map[string]int{pq: 1})
		})
	}
}

// testPoisonPurgeAndNames: purge empties a poison queue and says how many it removed;
// every call refuses a name that is not a poison queue of the topology.
func testPoisonPurgeAndNames(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	insp := inspector(t, b)
	ctx := context.Background()
	n := topo.Name
	work := topology.OrdersQueue("trendyol")
	pq := n(work) + topology.PoisonSuffix
	for _, m := range newMessages(3, "o") {
		poison(t, b, work, n(topology.ExchangeOrders), topology.OrderKey("trendyol"), m)
	}
	eventuallyReady(t, b, map[string]int{pq: 3})

	purged, err := insp.PoisonPurge(ctx, pq)
	require.NoError(t, err)
	assert.Equal(t, 3, purged)
	eventuallyReady(t, b, nil)
	peeked, err := insp.PoisonPeek(ctx, pq, 5)
	require.NoError(t, err)
	assert.Empty(t, peeked)

	calls := map[string]func(queue string) error{
		"peek":    func(q string) error { _, err := insp.PoisonPeek(ctx, q, 1); return err },
		"requeue": func(q string) error { _, err := insp.PoisonRequeue(ctx, q, 1); return err },
		"purge":   func(q string) error { _, err := insp.PoisonPurge(ctx, q); return err },
	}
	bad := map[string]string{
		"work queue":     n(work),
		"missing prefix": work + topology.PoisonSuffix,
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
	_, err = insp.PoisonPeek(ctx, pq, 0)
	assert.ErrorContains(t, err, "n must be positive")
}
