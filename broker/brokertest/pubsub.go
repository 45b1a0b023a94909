package brokertest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/tests"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// groupsPerTopic is how many consumer groups one topic of the universal tests may
// have: TestConsumerGroups uses three.
const groupsPerTopic = 3

// defaultGroup is the consumer group of the constructor without one.
const defaultGroup = "default"

// testPubSub runs Watermill's universal Pub/Sub tests through the broker's own
// Publisher and Subscriber (graceful stop included), with the production queue
// arguments. Those tests name topics as they go, publish to a topic and expect every
// consumer group subscribed to it to get each message, while a broker routes with a
// topology fixed before it starts. So each topic gets a broker of its own, opened when
// the topic is first used: its topology is one fanout exchange, the publish topic, and
// one queue per consumer group (groupsPerTopic of them, given to groups in the order
// they come), the subscribe topic. Every Subscribe is one more worker on its group's
// queue.
func testPubSub(t *testing.T, h Harness) {
	topics := &topics{h: h, open: map[string]*topicBroker{}}
	tests.TestPubSub(t, h.Features,
		func(t *testing.T) (message.Publisher, message.Subscriber) {
			return &publisher{topics: topics, t: t}, &subscriber{topics: topics, t: t, group: defaultGroup}
		},
		func(t *testing.T, group string) (message.Publisher, message.Subscriber) {
			return &publisher{topics: topics, t: t}, &subscriber{topics: topics, t: t, group: group}
		},
	)
}

// topics holds the broker of every topic the universal tests have used.
type topics struct {
	h    Harness
	mu   sync.Mutex
	open map[string]*topicBroker
}

type topicBroker struct {
	b        broker.Broker
	exchange string
	queues   []string
	groups   []string
}

// get returns the broker of topic, opened and declared on first use, whose lifetime is
// the test t that first used it (every universal test has topics of its own).
func (ts *topics) get(t testing.TB, topic string) (*topicBroker, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if tb, ok := ts.open[topic]; ok {
		return tb, nil
	}
	prefix := testenv.Unique("ps") + "."
	tb := &topicBroker{exchange: prefix + "topic"}
	topo := &topology.Topology{Prefix: prefix, Quorum: ts.h.Quorum,
		Exchanges: []topology.Exchange{{Name: tb.exchange, Type: topology.Fanout}}}
	for i := range groupsPerTopic {
		q := fmt.Sprintf("%sgroup-%d", prefix, i)
		tb.queues = append(tb.queues, q)
		topo.Queues = append(topo.Queues, topology.Queue{Name: q,
			Bindings: []topology.Binding{{Exchange: tb.exchange}}, MaxLength: topology.MaxLength})
	}
	b, err := ts.h.Open(t, topo, subscriberCloseTimeout)
	if err != nil {
		return nil, fmt.Errorf("topic %s: %w", topic, err)
	}
	if err := b.Declare(context.Background()); err != nil {
		return nil, fmt.Errorf("topic %s: %w", topic, err)
	}
	tb.b = b
	ts.open[topic] = tb
	return tb, nil
}

// queue returns the queue of a consumer group on topic.
func (ts *topics) queue(t testing.TB, topic, group string) (*topicBroker, string, error) {
	tb, err := ts.get(t, topic)
	if err != nil {
		return nil, "", err
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for i, g := range tb.groups {
		if g == group {
			return tb, tb.queues[i], nil
		}
	}
	if len(tb.groups) == groupsPerTopic {
		return nil, "", fmt.Errorf("topic %s: consumer group %s: the suite gives a topic at most %d groups", topic, group, groupsPerTopic)
	}
	tb.groups = append(tb.groups, group)
	return tb, tb.queues[len(tb.groups)-1], nil
}

// subscriberCloseTimeout keeps TestMessageCtx, which closes a subscriber holding an
// unacked message and waits for its context to end, well within its 15 seconds.
const subscriberCloseTimeout = time.Second

// publisher publishes a topic's messages to its fanout exchange.
type publisher struct {
	topics *topics
	t      testing.TB
}

func (p *publisher) Publish(topic string, msgs ...*message.Message) error {
	tb, err := p.topics.get(p.t, topic)
	if err != nil {
		return err
	}
	pub, err := tb.b.Publisher(tb.exchange)
	if err != nil {
		return err
	}
	return pub.Publish("", msgs...)
}

func (p *publisher) Close() error { return nil }

// subscriber subscribes a consumer group to topics.
type subscriber struct {
	topics *topics
	t      testing.TB
	group  string

	mu   sync.Mutex
	subs []message.Subscriber
}

func (s *subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	tb, queue, err := s.topics.queue(s.t, topic, s.group)
	if err != nil {
		return nil, err
	}
	sub, err := tb.b.Subscriber()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	s.subs = append(s.subs, sub)
	s.mu.Unlock()
	return sub.Subscribe(ctx, queue)
}

// SubscribeInitialize gives the group its queue, which from then on keeps every message
// published to topic.
func (s *subscriber) SubscribeInitialize(topic string) error {
	_, _, err := s.topics.queue(s.t, topic, s.group)
	return err
}

func (s *subscriber) Close() error {
	s.mu.Lock()
	subs := s.subs
	s.subs = nil
	s.mu.Unlock()
	var errs []error
	for _, sub := range subs {
		errs = append(errs, sub.Close())
	}
	return errors.Join(errs...)
}
