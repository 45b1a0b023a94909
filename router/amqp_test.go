package router

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
)

var amqpTestMarketplaces = []string{"amazon", "trendyol", "hepsiburada"}

// newTestAMQP connects a broker with a topology of its own prefix, whose queues and
// exchanges are deleted when the test ends. tweak, if given, changes the queue
// arguments before anything is declared.
func newTestAMQP(t testing.TB, quorum bool, tweak func(Queue, amqp091.Table)) *AMQP {
	t.Helper()
	url := testenv.AMQPURL(t)
	topo := New(testenv.Unique("t")+".", quorum, amqpTestMarketplaces)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := NewAMQP(ctx, AMQPConfig{URL: url, PublishTimeout: 10 * time.Second}, topo, watermill.NopLogger{})
	require.NoError(t, err)
	if tweak != nil {
		b.queueArgs = func(q Queue) (amqp091.Table, error) {
			args, err := b.topologyArgs(q)
			if err == nil {
				tweak(q, args)
			}
			return args, err
		}
	}
	t.Cleanup(func() {
		assert.NoError(t, b.Close())
		deleteTestTopology(t, url, topo.Queues, topo.Exchanges)
	})
	return b
}

// deleteTestTopology deletes queues and exchanges over a connection of its own, so it
// works whatever state the broker under test is in.
func deleteTestTopology(t testing.TB, url string, queues []Queue, exchanges []Exchange) {
	conn, err := amqp091.Dial(url)
	if !assert.NoError(t, err) {
		return
	}
	defer func() { _ = conn.Close() }()
	ch, err := conn.Channel()
	if !assert.NoError(t, err) {
		return
	}
	for _, q := range queues {
		_, err := ch.QueueDelete(q.Name, false, false, false)
		assert.NoError(t, err, "delete queue %s", q.Name)
	}
	for _, ex := range exchanges {
		assert.NoError(t, ch.ExchangeDelete(ex.Name, false, false), "delete exchange %s", ex.Name)
	}
}

// queueDepths returns the ready messages of every queue of the topology.
func queueDepths(t testing.TB, b *AMQP) map[string]int {
	t.Helper()
	ch, err := b.channel()
	require.NoError(t, err)
	defer func() { _ = ch.Close() }()
	out := map[string]int{}
	for _, q := range b.topo.Queues {
		st, err := ch.QueueDeclarePassive(q.Name, true, false, false, false, nil)
		require.NoError(t, err, "inspect %s", q.Name)
		out[q.Name] = st.Messages
	}
	return out
}

func queueDepth(t testing.TB, b *AMQP, queue string) int {
	t.Helper()
	return queueDepths(t, b)[queue]
}

// eventuallyDepths waits until the queues hold what want says (every other queue 0).
func eventuallyDepths(t *testing.T, b *AMQP, want map[string]int) {
	t.Helper()
	full := map[string]int{}
	for _, q := range b.topo.Queues {
		full[q.Name] = want[q.Name]
	}
	var got map[string]int
	if !assert.Eventually(t, func() bool {
		got = queueDepths(t, b)
		return maps.Equal(full, got)
	}, 15*time.Second, 20*time.Millisecond) {
		assert.Equal(t, full, got)
	}
}

func receive(t *testing.T, msgs <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m, ok := <-msgs:
		require.True(t, ok, "subscription closed")
		return m
	case <-time.After(15 * time.Second):
		require.FailNow(t, "no message within 15s")
		return nil
	}
}

func newMessages(n int, payload string) []*message.Message {
	out := make([]*message.Message, n)
	for i := range out {
		out[i] = message.NewMessage(watermill.NewUUID(), []byte(fmt.Sprintf(`{"%s":%d}`, payload, i)))
	}
	return out
}

func TestAMQPRouting(t *testing.T) {
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, quorum, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			require.NoError(t, b.Declare(ctx), "declare is idempotent")

			n := b.topo.Name
			publishes := []struct {
				exchange, key string
				count         int
			}{
				{n(ExchangeImages), KeyImageUpload, 1},
				{n(ExchangeImages), KeyImageProcess, 2},
				{n(ExchangeImages), KeyImageEnhanced, 3},
				{n(ExchangeImages), "image.unknown", 1},
				{n(ExchangeMarketplaces), "", 2},
				{n(ExchangeMarketplaces), "ignored.by.fanout", 1},
				{n(ExchangeOrders), OrderKey("amazon"), 1},
				{n(ExchangeOrders), OrderKey("trendyol"), 2},
				{n(ExchangeOrders), "order.unknown", 1},
				{n(ExchangeInventory), "", 4},
				{n(ExchangePoison), n(QueueAIProcessing), 1},
			}
			want := map[string]int{
				n(QueueImageUploads):                1,
				n(QueueAIProcessing):                2,
				n(QueueSEOGeneration):               3,
				n(ListingsQueue("amazon")):          3,
				n(ListingsQueue("trendyol")):        3,
				n(ListingsQueue("hepsiburada")):     3,
				n(OrdersQueue("amazon")):            1,
				n(OrdersQueue("trendyol")):          2,
				n(StockQueue("amazon")):             4,
				n(StockQueue("trendyol")):           4,
				n(StockQueue("hepsiburada")):        4,
				n(QueueAIProcessing) + PoisonSuffix: 1,
			}
			routed := map[string]int{}
			for _, p := range publishes {
				pub, err := b.Publisher(p.exchange)
				require.NoError(t, err)
				require.NoError(t, pub.Publish(p.key, newMessages(p.count, "n")...), "publish to %s %q", p.exchange, p.key)
				// The in-memory broker routes with Topology.Route: it must agree with RabbitMQ.
				queues, err := b.topo.Route(p.exchange, p.key)
				require.NoError(t, err)
				for _, q := range queues {
					routed[q] += p.count
				}
			}
			assert.Equal(t, want, routed, "Topology.Route")
			eventuallyDepths(t, b, want)
		})
	}
}

func TestAMQPPublisherAndSubscriber(t *testing.T) {
	b := newTestAMQP(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	images := b.topo.Name(ExchangeImages)

	_, err := b.Publisher("nope")
	assert.ErrorContains(t, err, `"nope" is not in the topology`)

	first, err := b.Publisher(images)
	require.NoError(t, err)
	require.NoError(t, first.Close(), "closing a shared publisher")
	second, err := b.Publisher(images)
	require.NoError(t, err)
	assert.Len(t, b.publishers, 1, "one real publisher per exchange")
	require.NoError(t, first.Publish(KeyImageUpload, newMessages(1, "a")...), "still publishes after its Close")
	require.NoError(t, second.Publish(KeyImageUpload, newMessages(1, "b")...))

	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	_, err = sub.Subscribe(ctx, "not-a-queue")
	assert.ErrorContains(t, err, `"not-a-queue" is not in the topology`)

	msgs, err := sub.Subscribe(ctx, b.topo.Name(QueueImageUploads))
	require.NoError(t, err, "subscribe re-declares the queue with the same arguments")
	got := map[string]bool{}
	for range 2 {
		m := receive(t, msgs)
		got[string(m.Payload)] = true
		assert.Equal(t, images, m.Metadata.Get(MetaExchange))
		assert.Equal(t, KeyImageUpload, m.Metadata.Get(MetaRoutingKey))
		m.Ack()
	}
	assert.Equal(t, map[string]bool{`{"a":0}`: true, `{"b":0}`: true}, got)
}

func TestAMQPRejectPublish(t *testing.T) {
	const maxLen = 3
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, quorum, func(q Queue, args amqp091.Table) {
				if !q.Poison {
					args["x-max-length"] = int32(maxLen)
				}
			})
			require.NoError(t, b.Declare(context.Background()))
			pub, err := b.Publisher(b.topo.Name(ExchangeOrders))
			require.NoError(t, err)
			queue := b.topo.Name(OrdersQueue("amazon"))

			accepted := 0
			var full error
			for range maxLen + 2 {
				err := pub.Publish(OrderKey("amazon"), newMessages(1, "o")...)
				if err != nil {
					full = err
					break
				}
				accepted++
			}
			require.Error(t, full, "a full queue refuses publishes")
			assert.ErrorIs(t, full, ErrQueueFull)
			if quorum {
				// A quorum queue lets one message over its limit.
				assert.Contains(t, []int{maxLen, maxLen + 1}, accepted)
			} else {
				assert.Equal(t, maxLen, accepted)
			}
			assert.Equal(t, accepted, queueDepth(t, b, queue), "reject-publish drops nothing already queued")
		})
	}
}

func TestAMQPNackRedelivery(t *testing.T) {
	for _, quorum := range []bool{false, true} {
		t.Run(map[bool]string{false: "classic", true: "quorum"}[quorum], func(t *testing.T) {
			t.Parallel()
			b := newTestAMQP(t, quorum, nil)
			ctx := context.Background()
			require.NoError(t, b.Declare(ctx))
			queue := b.topo.Name(QueueAIProcessing)
			sub, err := b.Subscriber()
			require.NoError(t, err)
			msgs, err := sub.Subscribe(ctx, queue)
			require.NoError(t, err)

			pub, err := b.Publisher(b.topo.Name(ExchangeImages))
			require.NoError(t, err)
			sent := newMessages(1, "p")[0]
			sent.Metadata.Set("correlation_id", "c1")
			require.NoError(t, pub.Publish(KeyImageProcess, sent))

			deliveries := 0
			m := receive(t, msgs)
			deliveries++
			assert.Equal(t, sent.UUID, m.UUID)
			assert.False(t, amqp.IsMessageRedelivered(m))
			m.Nack()

			// With watermill-amqp's default marshaler a quorum queue's x-delivery-count
			// makes every redelivery fail to unmarshal, so this one would never arrive.
			m = receive(t, msgs)
			deliveries++
			assert.Equal(t, sent.UUID, m.UUID)
			assert.Equal(t, "c1", m.Metadata.Get("correlation_id"))
			assert.True(t, amqp.IsMessageRedelivered(m))
			if quorum {
				assert.Equal(t, "1", m.Metadata.Get(amqpHeaderDeliveryCount))
			}
			m.Ack()
			require.NoError(t, sub.Close())

			assert.Equal(t, 2, deliveries)
			eventuallyDepths(t, b, nil)
		})
	}
}

func TestAMQPConnectFailsFast(t *testing.T) {
	tests := []struct {
		name string
		url  string
	}{
		{name: "malformed url", url: "http://127.0.0.1:5672/"},
		{name: "nothing listening", url: "amqp://guest:guest@127.0.0.1:1/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
			defer cancel()
			_, err := NewAMQP(ctx, AMQPConfig{URL: tt.url}, New("", false, nil), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "connect to rabbitmq")
		})
	}
}

func TestAMQPClosed(t *testing.T) {
	b := newTestAMQP(t, false, nil)
	require.NoError(t, b.Declare(context.Background()))
	pub, err := b.Publisher(b.topo.Name(ExchangeImages))
	require.NoError(t, err)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "close is idempotent")

	assert.Error(t, pub.Publish(KeyImageUpload, newMessages(1, "x")...))
	_, err = b.Publisher(b.topo.Name(ExchangeImages))
	assert.Error(t, err)
	_, err = b.Subscriber()
	assert.Error(t, err)
	assert.Error(t, b.Declare(context.Background()))
	_, err = b.PoisonList(context.Background())
	assert.Error(t, err)
}

func TestAMQPTable(t *testing.T) {
	got, err := amqpTable(map[string]any{"small": 86400000, "big": 1 << 40, "s": "x", "b": true})
	require.NoError(t, err)
	assert.Equal(t, amqp091.Table{"small": int32(86400000), "big": int64(1 << 40), "s": "x", "b": true}, got)
	_, err = amqpTable(map[string]any{"f": 1.5})
	assert.ErrorContains(t, err, "unsupported type float64")
}
