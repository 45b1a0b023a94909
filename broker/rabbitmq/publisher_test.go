package rabbitmq

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// TestPublishPipelines: on a single channel, many callers publish at once and one
// Publish carries many messages; every Publish returns nil only after its messages were
// confirmed, every message arrives exactly once, and one call's messages arrive in
// their order.
func TestPublishPipelines(t *testing.T) {
	b := newTestBroker(t, false, nil)
	b.cfg.ChannelPoolSize = 1
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	pub, err := b.Publisher(b.topo.Name(topology.ExchangeImages))
	require.NoError(t, err)

	const callers, each, batch = 32, 20, 200
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			for i := range each {
				msg := message.NewMessage(watermill.NewUUID(), fmt.Appendf(nil, "c%d-%d", c, i))
				assert.NoError(t, pub.Publish(topology.KeyImageUpload, msg))
			}
		})
	}
	batchMsgs := make([]*message.Message, batch)
	for i := range batchMsgs {
		batchMsgs[i] = message.NewMessage(watermill.NewUUID(), fmt.Appendf(nil, "batch-%03d", i))
	}
	wg.Go(func() { assert.NoError(t, pub.Publish(topology.KeyImageUpload, batchMsgs...)) })
	wg.Wait()
	require.False(t, t.Failed())
	queue := b.topo.Name(topology.QueueImageUploads)
	// Every Publish returned: the broker has every message.
	n, err := b.Ready(ctx, queue)
	require.NoError(t, err)
	require.Equal(t, callers*each+batch, n, "confirmed publishes are all in the queue")

	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	msgs, err := sub.Subscribe(ctx, queue)
	require.NoError(t, err)
	seen := map[string]int{}
	var batchOrder []string
	for range callers*each + batch {
		m := receive(t, msgs)
		seen[string(m.Payload)]++
		if p := string(m.Payload); len(p) > 6 && p[:6] == "batch-" {
			batchOrder = append(batchOrder, p)
		}
		m.Ack()
	}
	assert.Len(t, seen, callers*each+batch, "every message once")
	for p, k := range seen {
		assert.Equal(t, 1, k, "%s delivered %d times", p, k)
	}
	assert.IsIncreasing(t, batchOrder, "one Publish's messages arrive in order")
}

// TestPublishAcrossConnectionLoss: while RabbitMQ is unreachable a publish fails at
// once with an error that says the broker is unavailable (the middleware holds and
// retries), never hangs; after watermill-amqp reconnected, the publisher opens a new
// channel and publishes again.
func TestPublishAcrossConnectionLoss(t *testing.T) {
	u, err := url.Parse(testenv.AMQPURL(t))
	require.NoError(t, err)
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	topo := topology.New(testenv.Unique("t")+".", false, testMarketplaces)
	ctx := context.Background()
	b, err := New(ctx, Config{URL: u.String(), PublishTimeout: 5 * time.Second}, topo, watermill.NopLogger{})
	require.NoError(t, err)
	t.Cleanup(func() {
		assert.NoError(t, b.Close())
		deleteTestTopology(t, testenv.AMQPURL(t), topo.Queues, topo.Exchanges)
	})
	require.NoError(t, b.Declare(ctx))
	pub, err := b.Publisher(topo.Name(topology.ExchangeImages))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topology.KeyImageUpload, newMessages(1, "before")...))

	proxy.Cut()
	require.Eventually(t, func() bool { return !b.Connected() }, 10*time.Second, 10*time.Millisecond)
	start := time.Now()
	err = pub.Publish(topology.KeyImageUpload, newMessages(1, "during")...)
	require.Error(t, err)
	assert.True(t, middleware.IsUnavailable(err), "%v", err)
	assert.Less(t, time.Since(start), 5*time.Second, "fails at once, not after the timeout")

	proxy.Restore()
	require.Eventually(t, func() bool {
		return pub.Publish(topology.KeyImageUpload, newMessages(1, "after")...) == nil
	}, 30*time.Second, 100*time.Millisecond, "publishes again after the reconnect")
	n, err := b.Ready(ctx, topo.Name(topology.QueueImageUploads))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "before and after; nothing of during")
}

// TestPrefetchPerQueue: a subscription to a fast queue takes Config.Prefetch messages
// ahead; one to a Slow queue (the image stage) takes one, leaving the rest for
// competing workers.
func TestPrefetchPerQueue(t *testing.T) {
	b := newTestBroker(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	pub, err := b.Publisher(b.topo.Name(topology.ExchangeImages))
	require.NoError(t, err)
	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	for _, c := range []struct {
		queue, key string
		ready      int
	}{
		{topology.QueueImageUploads, topology.KeyImageUpload, 10 - b.cfg.Prefetch},
		{topology.QueueAIProcessing, topology.KeyImageProcess, 9},
	} {
		require.NoError(t, pub.Publish(c.key, newMessages(10, c.queue)...))
		queue := b.topo.Name(c.queue)
		msgs, err := sub.Subscribe(ctx, queue)
		require.NoError(t, err)
		m := receive(t, msgs) // held unacked: the rest stays prefetched or ready
		assert.Eventually(t, func() bool {
			n, err := b.Ready(ctx, queue)
			return err == nil && n == max(c.ready, 0)
		}, 10*time.Second, 20*time.Millisecond, "%s: %d ready", c.queue, c.ready)
		m.Ack()
	}
}
