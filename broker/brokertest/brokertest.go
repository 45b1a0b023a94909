// Package brokertest is the contract suite every broker passes, RabbitMQ and the
// in-memory one alike: what services may rely on whichever transport runs them
// (declare before use, routing by the topology, competing consumers, redelivery,
// backpressure, poison queues, graceful stop), and Watermill's universal
// tests.TestPubSub.
package brokertest

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// Harness is what the suite needs to know of one kind of broker.
type Harness struct {
	// Open returns a broker routing with topo, not yet declared, whose stopping
	// subscriptions wait up to closeTimeout for the messages they handed out. It closes
	// the broker, and removes whatever the broker declared, when t ends. It returns
	// errors instead of failing t, so that any goroutine of t may call it.
	Open func(t testing.TB, topo *topology.Topology, closeTimeout time.Duration) (broker.Broker, error)
	// Quorum builds every topology of the suite with quorum queues.
	Quorum bool
	// Features describe the broker to Watermill's tests.TestPubSub.
	Features tests.Features
}

// marketplaces are those of the suite's topologies.
var marketplaces = []string{"amazon", "trendyol", "hepsiburada"}

// closeTimeout is how long the suite's subscriptions wait for their messages in flight
// when they stop, unless a case needs it shorter.
const closeTimeout = 10 * time.Second

// wait bounds every wait of the suite for something that should happen at once.
const wait = 15 * time.Second

// Run runs the whole suite against the brokers h opens.
func Run(t *testing.T, h Harness) {
	cases := []struct {
		name string
		run  func(*testing.T, Harness)
	}{
		{"DeclareBeforeUse", testDeclareBeforeUse},
		{"RoutingByTopology", testRouting},
		{"CompetingConsumers", testCompetingConsumers},
		{"NackRedelivers", testNackRedelivers},
		{"FullQueueRefusesPublish", testFullQueue},
		{"PoisonRequeueToOrigin", testPoisonRequeue},
		{"PoisonRequeueFanoutOrigin", testPoisonRequeueFanout},
		{"PoisonRequeueUnusableOrigin", testPoisonUnusableOrigin},
		{"PoisonPurgeAndNames", testPoisonPurgeAndNames},
		{"StopFinishesInFlight", testStopFinishesInFlight},
		{"StopReturnsUnacked", testStopReturnsUnacked},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.run(t, h)
		})
	}
	t.Run("PubSub", func(t *testing.T) {
		t.Parallel()
		testPubSub(t, h)
	})
}

// newTopology returns the Stox topology under a prefix of its own.
func newTopology(h Harness) *topology.Topology {
	return topology.New(testenv.Unique("t")+".", h.Quorum, marketplaces)
}

// open opens a broker on topo and declares its topology.
func open(t *testing.T, h Harness, topo *topology.Topology, closeTimeout time.Duration) broker.Broker {
	t.Helper()
	b, err := h.Open(t, topo, closeTimeout)
	require.NoError(t, err)
	require.NoError(t, b.Declare(context.Background()))
	return b
}

func ready(t *testing.T, b broker.Broker, queue string) int {
	t.Helper()
	n, err := b.Ready(context.Background(), queue)
	require.NoError(t, err)
	return n
}

// eventuallyReady waits until the queues hold what want says (every other queue of the
// topology none): RabbitMQ counts a confirmed message a moment later.
func eventuallyReady(t *testing.T, b broker.Broker, want map[string]int) {
	t.Helper()
	full := map[string]int{}
	for _, q := range b.Topology().Queues {
		full[q.Name] = want[q.Name]
	}
	got := map[string]int{}
	if !assert.Eventually(t, func() bool {
		for name := range full {
			got[name] = ready(t, b, name)
		}
		return maps.Equal(full, got)
	}, wait, 20*time.Millisecond) {
		assert.Equal(t, full, got)
	}
}

// subscribe starts one worker on queue, ended with the test.
func subscribe(t *testing.T, b broker.Broker, queue string) <-chan *message.Message {
	t.Helper()
	sub, err := b.Subscriber()
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, sub.Close()) })
	msgs, err := sub.Subscribe(context.Background(), queue)
	require.NoError(t, err)
	return msgs
}

func receive(t *testing.T, msgs <-chan *message.Message) *message.Message {
	t.Helper()
	select {
	case m, ok := <-msgs:
		require.True(t, ok, "subscription closed")
		return m
	case <-time.After(wait):
		require.FailNow(t, "no message within "+wait.String())
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

func publish(t *testing.T, b broker.Broker, exchange, key string, msgs ...*message.Message) {
	t.Helper()
	pub, err := b.Publisher(b.Topology().Name(exchange))
	require.NoError(t, err)
	require.NoError(t, pub.Publish(key, msgs...), "publish to %s with key %q", exchange, key)
}
