package rabbitmq

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

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

var testMarketplaces = []string{"amazon", "trendyol", "hepsiburada"}

// newTestBroker connects a broker with a topology of its own prefix, whose queues and
// exchanges are deleted when the test ends. tweak, if given, changes the queue
// arguments before anything is declared.
func newTestBroker(t testing.TB, quorum bool, tweak func(topology.Queue, amqp091.Table)) *Broker {
	t.Helper()
	url := testenv.AMQPURL(t)
	topo := topology.New(testenv.Unique("t")+".", quorum, testMarketplaces)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := New(ctx, Config{URL: url, PublishTimeout: 10 * time.Second}, topo, watermill.NopLogger{})
	require.NoError(t, err)
	if tweak != nil {
		b.queueArgs = func(q topology.Queue) (amqp091.Table, error) {
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
func deleteTestTopology(t testing.TB, url string, queues []topology.Queue, exchanges []topology.Exchange) {
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
func queueDepths(t testing.TB, b *Broker) map[string]int {
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

// eventuallyDepths waits until the queues hold what want says (every other queue 0).
func eventuallyDepths(t *testing.T, b *Broker, want map[string]int) {
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

func TestPublisherShared(t *testing.T) {
	b := newTestBroker(t, false, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	images := b.topo.Name(topology.ExchangeImages)

	_, err := b.Publisher("nope")
	assert.ErrorContains(t, err, `"nope" is not in the topology`)

	first, err := b.Publisher(images)
	require.NoError(t, err)
	require.NoError(t, first.Close(), "closing a shared publisher")
	second, err := b.Publisher(images)
	require.NoError(t, err)
	assert.Len(t, b.publishers, 1, "one real publisher per exchange")
	require.NoError(t, first.Publish(topology.KeyImageUpload, newMessages(1, "a")...), "still publishes after its Close")
	require.NoError(t, second.Publish(topology.KeyImageUpload, newMessages(1, "b")...))

	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	_, err = sub.Subscribe(ctx, "not-a-queue")
	assert.ErrorContains(t, err, `"not-a-queue" is not in the topology`)

	msgs, err := sub.Subscribe(ctx, b.topo.Name(topology.QueueImageUploads))
	require.NoError(t, err, "subscribe re-declares the queue with the same arguments")
	got := map[string]bool{}
	for range 2 {
		m := receive(t, msgs)
		got[string(m.Payload)] = true
		assert.Equal(t, images, m.Metadata.Get(broker.MetaExchange))
		assert.Equal(t, topology.KeyImageUpload, m.Metadata.Get(broker.MetaRoutingKey))
		m.Ack()
	}
	assert.Equal(t, map[string]bool{`{"a":0}`: true, `{"b":0}`: true}, got)
}

// TestQuorumRedelivery: a quorum queue's redelivery carries x-delivery-count, an
// integer header on which watermill-amqp's default marshaler fails, so the message
// would never arrive again; ours reads it as metadata.
func TestQuorumRedelivery(t *testing.T) {
	b := newTestBroker(t, true, nil)
	ctx := context.Background()
	require.NoError(t, b.Declare(ctx))
	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer func() { assert.NoError(t, sub.Close()) }()
	msgs, err := sub.Subscribe(ctx, b.topo.Name(topology.QueueAIProcessing))
	require.NoError(t, err)
	pub, err := b.Publisher(b.topo.Name(topology.ExchangeImages))
	require.NoError(t, err)
	sent := newMessages(1, "p")[0]
	require.NoError(t, pub.Publish(topology.KeyImageProcess, sent))

	m := receive(t, msgs)
	assert.Equal(t, sent.UUID, m.UUID)
	assert.False(t, amqp.IsMessageRedelivered(m))
	m.Nack()
	m = receive(t, msgs)
	assert.Equal(t, sent.UUID, m.UUID)
	assert.True(t, amqp.IsMessageRedelivered(m))
	assert.Equal(t, "1", m.Metadata.Get(headerDeliveryCount))
	m.Ack()
	eventuallyDepths(t, b, nil)
}

func TestConnectFailsFast(t *testing.T) {
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
			_, err := New(ctx, Config{URL: tt.url}, topology.New("", false, nil), nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "connect to rabbitmq")
		})
	}
}

func TestClosed(t *testing.T) {
	b := newTestBroker(t, false, nil)
	require.NoError(t, b.Declare(context.Background()))
	pub, err := b.Publisher(b.topo.Name(topology.ExchangeImages))
	require.NoError(t, err)
	require.NoError(t, b.Close())
	require.NoError(t, b.Close(), "close is idempotent")

	assert.Error(t, pub.Publish(topology.KeyImageUpload, newMessages(1, "x")...))
	_, err = b.Publisher(b.topo.Name(topology.ExchangeImages))
	assert.Error(t, err)
	_, err = b.Subscriber()
	assert.Error(t, err)
	assert.Error(t, b.Declare(context.Background()))
	_, err = b.PoisonList(context.Background())
	assert.Error(t, err)
}

func TestTable(t *testing.T) {
	got, err := table(map[string]any{"small": 86400000, "big": 1 << 40, "s": "x", "b": true})
	require.NoError(t, err)
	assert.Equal(t, amqp091.Table{"small": int32(86400000), "big": int64(1 << 40), "s": "x", "b": true}, got)
	_, err = table(map[string]any{"f": 1.5})
	assert.ErrorContains(t, err, "unsupported type float64")
}
