// Package rabbitmqtest opens RabbitMQ brokers for tests, each on a topology of its own
// prefix so tests run side by side, and deletes what they declared when the test ends.
package rabbitmqtest

import (
	"context"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker/rabbitmq"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// Marketplaces are the marketplaces of the topologies Topology builds.
var Marketplaces = []string{"amazon", "trendyol", "hepsiburada"}

// Topology returns the Stox topology under a prefix unique to this test run.
func Topology(quorum bool) *topology.Topology {
	return topology.New(testenv.Unique("t")+".", quorum, Marketplaces)
}

// New connects a broker to the test RabbitMQ (see testenv.AMQPURL: the test skips, or
// fails, when it is unreachable) routing with topo, or fails the test. It declares
// nothing; when the test ends it closes the broker and deletes topo's queues and
// exchanges.
func New(t testing.TB, topo *topology.Topology) *rabbitmq.Broker {
	t.Helper()
	b, err := Open(t, testenv.AMQPURL(t), topo, rabbitmq.Config{})
	require.NoError(t, err)
	return b
}

// Open is New for a given URL and configuration, returning its error instead of
// failing the test, so any goroutine of the test may call it. cfg.URL is set to url;
// an unset PublishTimeout is 10s.
func Open(t testing.TB, url string, topo *topology.Topology, cfg rabbitmq.Config) (*rabbitmq.Broker, error) {
	cfg.URL = url
	if cfg.PublishTimeout == 0 {
		cfg.PublishTimeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	b, err := rabbitmq.New(ctx, cfg, topo, watermill.NopLogger{})
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() {
		assert.NoError(t, b.Close())
		Delete(t, url, topo.Queues, topo.Exchanges)
	})
	return b, nil
}

// Delete deletes queues and exchanges over a connection of its own, so it works
// whatever state the broker under test is in.
func Delete(t testing.TB, url string, queues []topology.Queue, exchanges []topology.Exchange) {
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
