package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/topology"
)

func stat(t *testing.T, b *memory.Broker, queue string) memory.QueueStat {
	t.Helper()
	for _, s := range b.Stats() {
		if s.Name == queue {
			return s
		}
	}
	t.Fatalf("no queue %s in Stats", queue)
	return memory.QueueStat{}
}

// TestStats counts a queue through publish, delivery, ack and nack, and lists every
// queue of the topology with its poison flag.
func TestStats(t *testing.T) {
	topo := topology.New("", false, []string{"amazon"})
	b := memory.New(topo)
	b.RedeliveryDelay = time.Millisecond
	t.Cleanup(func() { _ = b.Close() })
	assert.Len(t, b.Stats(), len(topo.Queues))
	assert.True(t, stat(t, b, topology.QueueImageUploads+topology.PoisonSuffix).Poison)

	pub, err := b.Publisher(topology.ExchangeImages)
	require.NoError(t, err)
	for _, id := range []string{"a", "b", "c"} {
		require.NoError(t, pub.Publish(topology.KeyImageUpload, message.NewMessage(id, nil)))
	}
	assert.Equal(t, memory.QueueStat{Name: topology.QueueImageUploads, Ready: 3, Published: 3},
		stat(t, b, topology.QueueImageUploads))

	sub, err := b.Subscriber()
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	msgs, err := sub.Subscribe(ctx, topology.QueueImageUploads)
	require.NoError(t, err)
	first := <-msgs
	want := memory.QueueStat{Name: topology.QueueImageUploads, Ready: 2, Unacked: 1, Consumers: 1, Published: 3, Delivered: 1}
	require.Eventually(t, func() bool { return stat(t, b, topology.QueueImageUploads) == want }, time.Second, time.Millisecond)
	first.Nack()
	(<-msgs).Ack()
	// One message out at a time: after the ack the consumer holds the third; the
	// nacked one is back in the queue, to be delivered again.
	want = memory.QueueStat{Name: topology.QueueImageUploads, Ready: 1, Unacked: 1, Consumers: 1, Published: 3, Delivered: 3}
	require.Eventually(t, func() bool { return stat(t, b, topology.QueueImageUploads) == want }, time.Second, time.Millisecond)

	require.NoError(t, sub.Close())
	assert.Zero(t, stat(t, b, topology.QueueImageUploads).Consumers, "a closed subscription consumes no more")
	assert.Equal(t, uint64(3), stat(t, b, topology.QueueImageUploads).Published, "a requeue is not a publish")
}
