package brokertest

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

// testDeclareBeforeUse: once declared, every queue keeps what is routed to it while
// nobody subscribes (GoChannel would drop it; RabbitMQ drops what reaches an exchange
// with no queue bound yet). Declaring again is harmless; names outside the topology are
// refused.
func testDeclareBeforeUse(t *testing.T, h Harness) {
	topo := newTopology(h)
	b, err := h.Open(t, topo, closeTimeout)
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	require.NoError(t, b.Declare(ctx), "declare is idempotent")
	assert.Same(t, topo, b.Topology())

	n := topo.Name
	sent := newMessages(2, "upload")
	publish(t, b, topology.ExchangeImages, topology.KeyImageUpload, sent...)
	eventuallyReady(t, b, map[string]int{n(topology.QueueImageUploads): 2})

	msgs := subscribe(t, b, n(topology.QueueImageUploads))
	for i := range sent {
		m := receive(t, msgs)
		assert.Equal(t, sent[i].UUID, m.UUID, "in publish order")
		assert.Equal(t, sent[i].Payload, m.Payload)
		assert.Equal(t, n(topology.ExchangeImages), m.Metadata.Get(broker.MetaExchange))
		assert.Equal(t, topology.KeyImageUpload, m.Metadata.Get(broker.MetaRoutingKey))
		m.Ack()
	}
	eventuallyReady(t, b, nil)

	_, err = b.Publisher("nope")
	assert.ErrorContains(t, err, `"nope" is not in the topology`)
	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	_, err = sub.Subscribe(ctx, "nope")
	assert.ErrorContains(t, err, `"nope" is not in the topology`)
	_, err = b.Ready(ctx, "nope")
	assert.ErrorContains(t, err, `"nope" is not in the topology`)
}

// testRouting publishes to every exchange with bound and unbound keys: each queue gets
// what the topology routes to it, nothing else, and Topology.Route (which the
// in-memory broker routes with) agrees.
func testRouting(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	n := topo.Name
	publishes := []struct {
		exchange, key string
		count         int
	}{
		{topology.ExchangeImages, topology.KeyImageUpload, 1},
		{topology.ExchangeImages, topology.KeyImageProcess, 2},
		{topology.ExchangeImages, topology.KeyImageEnhanced, 3},
		{topology.ExchangeImages, "image.unknown", 1},
		{topology.ExchangeMarketplaces, "", 2},
		{topology.ExchangeMarketplaces, "ignored.by.fanout", 1},
		{topology.ExchangeOrders, topology.OrderKey("amazon"), 1},
		{topology.ExchangeOrders, topology.OrderKey("trendyol"), 2},
		{topology.ExchangeOrders, "order.unknown", 1},
		{topology.ExchangeInventory, "", 4},
		{topology.ExchangePoison, n(topology.QueueAIProcessing), 1},
	}
	want := map[string]int{
		n(topology.QueueImageUploads):                         1,
		n(topology.QueueAIProcessing):                         2,
		n(topology.QueueSEOGeneration):                        3,
		n(topology.ListingsQueue("amazon")):                   3,
		n(topology.ListingsQueue("trendyol")):                 3,
		n(topology.ListingsQueue("hepsiburada")):              3,
		n(topology.OrdersQueue("amazon")):                     1,
		n(topology.OrdersQueue("trendyol")):                   2,
		n(topology.StockQueue("amazon")):                      4,
		n(topology.StockQueue("trendyol")):                    4,
		n(topology.StockQueue("hepsiburada")):                 4,
		n(topology.QueueAIProcessing) + topology.PoisonSuffix: 1,
	}
	routed := map[string]int{}
	for _, p := range publishes {
		publish(t, b, p.exchange, p.key, newMessages(p.count, "n")...)
		queues, err := topo.Route(n(p.exchange), p.key)
		require.NoError(t, err)
		for _, q := range queues {
			routed[q] += p.count
		}
	}
	assert.Equal(t, want, routed, "Topology.Route")
	eventuallyReady(t, b, want)
}

// testCompetingConsumers: workers on one queue share its messages, each acked exactly
// once; every worker holds a message at the same time (so none waits while another
// hoards the queue); a nacked message comes back.
func testCompetingConsumers(t *testing.T, h Harness) {
	const (
		n       = 200
		workers = 4
	)
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	queue := topo.Name(topology.QueueAIProcessing)
	sent := newMessages(n, "work")
	publish(t, b, topology.ExchangeImages, topology.KeyImageProcess, sent...)
	eventuallyReady(t, b, map[string]int{queue: n})

	var (
		mu      sync.Mutex
		acked   = map[string]int{}
		nacked  = map[string]bool{}
		perWork [workers]atomic.Int64
		holding atomic.Int64
		allIn   = make(chan struct{})
	)
	for w := range workers {
		msgs := subscribe(t, b, queue)
		go func() {
			for msg := range msgs {
				if perWork[w].Add(1) == 1 {
					// Hold the first message until every worker holds one.
					if holding.Add(1) == workers {
						close(allIn)
					}
					select {
					case <-allIn:
					case <-time.After(wait):
					}
				}
				mu.Lock()
				// Every tenth message is refused once.
				first := !nacked[msg.UUID] && msg.Payload[len(msg.Payload)-2] == '7'
				if first {
					nacked[msg.UUID] = true
				} else {
					acked[msg.UUID]++
				}
				mu.Unlock()
				if first {
					msg.Nack()
				} else {
					msg.Ack()
				}
			}
		}()
	}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) == n
	}, wait, 5*time.Millisecond, "every message acked")
	eventuallyReady(t, b, nil)
	mu.Lock()
	defer mu.Unlock()
	for id, k := range acked {
		assert.Equal(t, 1, k, "message %s acked more than once", id)
	}
	assert.Len(t, nacked, n/10)
	select {
	case <-allIn:
	default:
		t.Errorf("only %d of %d workers held a message at once", holding.Load(), workers)
	}
}

// testNackRedelivers: a nacked message comes back whole: UUID, payload and metadata.
func testNackRedelivers(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	queue := topo.Name(topology.QueueAIProcessing)
	msgs := subscribe(t, b, queue)
	sent := newMessages(1, "p")[0]
	sent.Metadata.Set("correlation_id", "c1")
	publish(t, b, topology.ExchangeImages, topology.KeyImageProcess, sent)

	deliveries := 0
	for range 2 {
		m := receive(t, msgs)
		deliveries++
		assert.Equal(t, sent.UUID, m.UUID)
		assert.Equal(t, sent.Payload, m.Payload)
		assert.Equal(t, "c1", m.Metadata.Get("correlation_id"))
		if deliveries == 1 {
			m.Nack()
		} else {
			m.Ack()
		}
	}
	assert.Equal(t, 2, deliveries)
	eventuallyReady(t, b, nil)
}

// testFullQueue: a queue at its length limit refuses publishes with ErrQueueFull and
// keeps what it holds (x-overflow reject-publish, not drop-head).
func testFullQueue(t *testing.T, h Harness) {
	const maxLen = 3
	topo := newTopology(h)
	queue := topo.Name(topology.OrdersQueue("amazon"))
	for i := range topo.Queues {
		if topo.Queues[i].Name == queue {
			topo.Queues[i].MaxLength = maxLen
		}
	}
	b := open(t, h, topo, closeTimeout)
	pub, err := b.Publisher(topo.Name(topology.ExchangeOrders))
	require.NoError(t, err)

	var (
		accepted []string
		full     error
	)
	for _, m := range newMessages(maxLen+2, "o") {
		if err := pub.Publish(topology.OrderKey("amazon"), m); err != nil {
			full = err
			break
		}
		accepted = append(accepted, m.UUID)
	}
	require.Error(t, full, "a full queue refuses publishes")
	assert.True(t, errors.Is(full, broker.ErrQueueFull), "%v wraps ErrQueueFull", full)
	if h.Quorum {
		// A quorum queue lets one message over its limit.
		assert.Contains(t, []int{maxLen, maxLen + 1}, len(accepted))
	} else {
		assert.Len(t, accepted, maxLen)
	}
	eventuallyReady(t, b, map[string]int{queue: len(accepted)})

	msgs := subscribe(t, b, queue)
	for _, id := range accepted {
		m := receive(t, msgs)
		assert.Equal(t, id, m.UUID, "the oldest are kept")
		m.Ack()
	}
	require.NoError(t, pub.Publish(topology.OrderKey("amazon"), newMessages(1, "o")...), "taken again once drained")
}

// testStopFinishesInFlight stops a router the way `stox serve` does on SIGTERM (its Run
// context cancelled, then Close) while its handler is in the middle of a message. The
// handler's context is not cancelled and its ack counts (the message is not delivered
// again), and the message waiting behind it is not taken: it stays in its queue.
func testStopFinishesInFlight(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, closeTimeout)
	queue := topo.Name(topology.QueueImageUploads)
	started := make(chan string, 2)
	release := make(chan struct{})
	cut := make(chan error, 2)
	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: wait}, watermill.NopLogger{})
	require.NoError(t, err)
	sub, err := b.Subscriber()
	require.NoError(t, err)
	r.AddConsumerHandler("brokertest.stop", queue, sub, func(m *message.Message) error {
		started <- m.UUID
		select {
		case <-release:
		case <-m.Context().Done():
		}
		cut <- m.Context().Err()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	<-r.Running()

	msgs := newMessages(3, "upload")
	first, second, marker := msgs[0], msgs[1], msgs[2]
	publish(t, b, topology.ExchangeImages, topology.KeyImageUpload, first)
	select {
	case got := <-started:
		require.Equal(t, first.UUID, got)
	case <-time.After(wait):
		t.Fatal("the handler never started")
	}
	publish(t, b, topology.ExchangeImages, topology.KeyImageUpload, second)

	cancel()
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	// Give a cancellation the time to reach the handler; it must not.
	select {
	case err := <-cut:
		t.Fatalf("the handler was cut short by the stop: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-cut, "the handler's context was not cancelled")
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("the router did not close")
	}
	require.NoError(t, <-ran)
	select {
	case id := <-started:
		t.Fatalf("a new message (%s) was taken while stopping", id)
	default:
	}

	// Only the second waits: anything returned to the queue would come before a
	// message published now.
	eventuallyReady(t, b, map[string]int{queue: 1})
	publish(t, b, topology.ExchangeImages, topology.KeyImageUpload, marker)
	next := subscribe(t, b, queue)
	for _, want := range []*message.Message{second, marker} {
		m := receive(t, next)
		assert.Equal(t, want.UUID, m.UUID)
		m.Ack()
	}
}

// testStopReturnsUnacked: a subscriber closed while a message it handed out stays
// unacked past the close timeout puts it back, whole, for the next worker.
func testStopReturnsUnacked(t *testing.T, h Harness) {
	topo := newTopology(h)
	b := open(t, h, topo, 100*time.Millisecond)
	queue := topo.Name(topology.QueueSEOGeneration)
	sent := newMessages(1, "seo")[0]
	sent.Metadata.Set("correlation_id", "c1")
	publish(t, b, topology.ExchangeImages, topology.KeyImageEnhanced, sent)

	sub, err := b.Subscriber()
	require.NoError(t, err)
	msgs, err := sub.Subscribe(context.Background(), queue)
	require.NoError(t, err)
	taken := receive(t, msgs) // never acked
	require.NoError(t, sub.Close())
	select {
	case <-taken.Context().Done():
	case <-time.After(wait):
		t.Fatal("the unacked message's context outlived its subscription")
	}

	m := receive(t, subscribe(t, b, queue))
	assert.Equal(t, sent.UUID, m.UUID)
	assert.Equal(t, sent.Payload, m.Payload)
	assert.Equal(t, "c1", m.Metadata.Get("correlation_id"))
	assert.Equal(t, topo.Name(topology.ExchangeImages), m.Metadata.Get(broker.MetaExchange))
	assert.Equal(t, topology.KeyImageEnhanced, m.Metadata.Get(broker.MetaRoutingKey))
	m.Ack()
	eventuallyReady(t, b, nil)
}
