package router

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
)

// Watermill's universal Pub/Sub suite against our AMQP configuration: the publisher
// and subscriber configs, marshaler, confirms, channel pool, prefetch and declare code
// of the broker, and the production queue arguments (TTL, x-max-length 10000 with
// reject-publish, dead-lettering, classic or quorum). Only the names differ: every
// test uses fresh topics, so each topic gets a queue per consumer group, bound with
// key = topic to one durable direct exchange, and the publish topic is the routing key.
//
// The suite runs with its short message counts (ForceShort) so the package stays
// fast; STOX_TEST_PUBSUB_FULL=1 runs the full counts (TestPublisherClose then fills a
// queue to exactly its 10000 limit).
func TestPubSubAMQPClassic(t *testing.T) { testAMQPPubSub(t, false) }

// TestPubSubAMQPQuorum is the suite on quorum queues, whose redeliveries carry
// x-delivery-count: TestResendOnError and TestContinueAfterErrors would loop forever
// with watermill-amqp's default marshaler.
func TestPubSubAMQPQuorum(t *testing.T) { testAMQPPubSub(t, true) }

func testAMQPPubSub(t *testing.T, quorum bool) {
	url := testenv.AMQPURL(t)
	prefix := testenv.Unique("t") + "."
	ex := Exchange{Name: prefix + "pubsub", Type: Direct}
	topo := &Topology{Prefix: prefix, Quorum: quorum, Exchanges: []Exchange{ex}}
	logger := watermill.NopLogger{}
	cfg := AMQPConfig{URL: url}.withDefaults()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := dialAMQP(ctx, cfg, logger)
	require.NoError(t, err)

	var mu sync.Mutex
	declared := map[string]bool{}
	t.Cleanup(func() {
		assert.NoError(t, conn.Close())
		mu.Lock()
		defer mu.Unlock()
		var queues []Queue
		for name := range declared {
			queues = append(queues, Queue{Name: name})
		}
		deleteTestTopology(t, url, queues, topo.Exchanges)
	})

	builder := &amqpTopologyBuilder{
		amqpDeclarer: amqpDeclarer{
			topo: topo,
			args: func(q Queue) (amqp091.Table, error) { return amqpTable(topo.Arguments(q)) },
		},
		lookup: func(p amqp.BuildTopologyParams) (Queue, bool) {
			mu.Lock()
			declared[p.QueueName] = true
			mu.Unlock()
			return Queue{Name: p.QueueName, Bindings: []Binding{{Exchange: ex.Name, Key: p.Topic}}}, true
		},
	}
	newPubSub := func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
		pub, err := newAMQPPublisher(conn, cfg, builder, ex, logger)
		require.NoError(t, err)
		scfg := amqpSubscriberConfig(cfg, builder)
		scfg.Queue.GenerateName = func(topic string) string { return prefix + topic + "_" + group }
		sub, err := amqp.NewSubscriberWithConnection(scfg, logger, conn)
		require.NoError(t, err)
		return pub, sub
	}

	tests.TestPubSub(
		t,
		tests.Features{
			ConsumerGroups:      true,
			ExactlyOnceDelivery: false,
			// One queue delivers in order to a single consumer that acks in order.
			GuaranteedOrder:                     true,
			GuaranteedOrderWithSingleSubscriber: true,
			Persistent:                          true,
			ForceShort:                          os.Getenv("STOX_TEST_PUBSUB_FULL") != "1",
		},
		func(t *testing.T) (message.Publisher, message.Subscriber) { return newPubSub(t, "default") },
		newPubSub,
	)
}
