package router

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

func TestMemoryRoutesLikeTheTopology(t *testing.T) {
	m := NewMemory(New("", false, messages.Marketplaces))
	defer m.Close()
	pub, err := m.Publisher(ExchangeMarketplaces)
	require.NoError(t, err)
	for i := 0; i < 10; i++ {
		require.NoError(t, pub.Publish("", message.NewMessage(watermill.NewUUID(), []byte("x"))))
	}
	for _, mk := range messages.Marketplaces {
		assert.Len(t, m.queues[ListingsQueue(mk)].ch, 10, mk)
	}
	assert.Empty(t, m.queues[QueueAIProcessing].ch)
	_, err = m.Publisher("stox.nowhere")
	assert.Error(t, err)
}

func TestMemoryFullQueueRefusesPublish(t *testing.T) {
	m := newMemory(New("", false, messages.Marketplaces), 3)
	defer m.Close()
	pub, err := m.Publisher(ExchangeImages)
	require.NoError(t, err)
	for i := 0; i < 3; i++ {
		require.NoError(t, pub.Publish(KeyImageUpload, message.NewMessage(watermill.NewUUID(), nil)))
	}
	err = pub.Publish(KeyImageUpload, message.NewMessage(watermill.NewUUID(), nil))
	assert.ErrorIs(t, err, ErrQueueFull)
	assert.Len(t, m.queues[QueueImageUploads].ch, 3, "nothing dropped")
}

// TestMemoryCompetingWorkers checks that N subscriptions on one queue share its
// messages, each exactly once, and that nacked messages come back.
func TestMemoryCompetingWorkers(t *testing.T) {
	m := NewMemory(New("", false, messages.Marketplaces))
	m.RedeliveryDelay = time.Millisecond
	defer m.Close()
	pub, err := m.Publisher(ExchangeImages)
	require.NoError(t, err)
	const n = 500
	for i := 0; i < n; i++ {
		require.NoError(t, pub.Publish(KeyImageProcess, message.NewMessage(fmt.Sprint(i), nil)))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var (
		mu      sync.Mutex
		acked   = map[string]int{}
		nacks   atomic.Int64
		perWork [4]atomic.Int64
	)
	for w := 0; w < 4; w++ {
		sub, err := m.Subscriber()
		require.NoError(t, err)
		ch, err := sub.Subscribe(ctx, QueueAIProcessing)
		require.NoError(t, err)
		go func() {
			for msg := range ch {
				perWork[w].Add(1)
				if msg.Metadata.Get("nacked") == "" && msg.UUID[len(msg.UUID)-1] == '7' {
					msg.Metadata.Set("nacked", "1")
					nacks.Add(1)
					msg.Nack()
					continue
				}
				mu.Lock()
				acked[msg.UUID]++
				mu.Unlock()
				msg.Ack()
			}
		}()
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) == n
	}, 10*time.Second, 5*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	for id, k := range acked {
		assert.Equal(t, 1, k, "message %s acked more than once", id)
	}
	assert.Equal(t, int64(50), nacks.Load())
	for w := range perWork {
		assert.Positive(t, perWork[w].Load(), "worker %d got nothing", w)
	}
}

// TestMemoryCloseRequeuesInFlight: a subscriber closed while a message stays unacked
// past CloseTimeout puts it back, so a new worker gets it.
func TestMemoryCloseRequeuesInFlight(t *testing.T) {
	m := NewMemory(New("", false, messages.Marketplaces))
	m.CloseTimeout = 50 * time.Millisecond
	defer m.Close()
	pub, _ := m.Publisher(ExchangeImages)
	require.NoError(t, pub.Publish(KeyImageEnhanced, message.NewMessage("one", nil)))
	sub, _ := m.Subscriber()
	ch, err := sub.Subscribe(context.Background(), QueueSEOGeneration)
	require.NoError(t, err)
	<-ch // taken, never acked
	require.NoError(t, sub.Close())
	sub2, _ := m.Subscriber()
	ch2, err := sub2.Subscribe(context.Background(), QueueSEOGeneration)
	require.NoError(t, err)
	select {
	case msg := <-ch2:
		assert.Equal(t, "one", msg.UUID)
		assert.Equal(t, ExchangeImages, msg.Metadata.Get(MetaExchange))
		assert.Equal(t, KeyImageEnhanced, msg.Metadata.Get(MetaRoutingKey))
		msg.Ack()
	case <-time.After(5 * time.Second):
		t.Fatal("in-flight message lost on close")
	}
	require.NoError(t, sub2.Close())
	_, err = sub2.Subscribe(context.Background(), "nope")
	assert.True(t, err != nil && !errors.Is(err, ErrQueueFull))
}

// TestMemoryRequeueFanoutGoesToItsOwnQueue: a listing poisoned on one marketplace
// goes back to that marketplace's queue only, not to every queue of the fanout.
func TestMemoryRequeueFanoutGoesToItsOwnQueue(t *testing.T) {
	m := NewMemory(New("", false, messages.Marketplaces))
	defer m.Close()
	msg := message.NewMessage("l1", []byte("{}"))
	msg.Metadata.Set(MetaOriginExchange, ExchangeMarketplaces)
	msg.Metadata.Set(MetaOriginRoutingKey, "")
	msg.Metadata.Set(MetaReason, "marketplace down")
	poison, _ := m.Publisher(ExchangePoison)
	require.NoError(t, poison.Publish(ListingsQueue(messages.Trendyol), msg))
	moved, err := m.PoisonRequeue(context.Background(), ListingsQueue(messages.Trendyol)+PoisonSuffix, 0)
	require.NoError(t, err)
	assert.Equal(t, 1, moved)
	assert.Len(t, m.queues[ListingsQueue(messages.Trendyol)].ch, 1)
	assert.Empty(t, m.queues[ListingsQueue(messages.Amazon)].ch)
	assert.Empty(t, m.queues[ListingsQueue(messages.Hepsiburada)].ch)
	assert.Empty(t, m.queues[ListingsQueue(messages.Trendyol)+PoisonSuffix].ch)
}
