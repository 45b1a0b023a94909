// Package rabbitmq is the RabbitMQ broker: publishers that pipeline confirms,
// subscribers that stop gracefully, the topology declared with exactly its arguments
// wherever it is declared, a marshaler that survives the headers RabbitMQ adds, and the
// poison queue inspector of `stox poison`.
package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// Defaults of Config.
const (
	DefaultChannelPoolSize = 4
	DefaultPrefetch        = 32
	DefaultPublishTimeout  = 30 * time.Second
	DefaultConnectTimeout  = 30 * time.Second
	DefaultCloseTimeout    = broker.DefaultCloseTimeout
)

// ErrPublishTimeout is returned (wrapped) by a publish that got no confirm in time;
// like broker.ErrQueueFull, it means the broker is unavailable for now.
var ErrPublishTimeout = middleware.Unavailable(errors.New("publish timed out"))

// Config configures the RabbitMQ broker. Zero fields take the defaults above.
type Config struct {
	// URL is the broker, amqp://user:pass@host:5672/vhost.
	URL string
	// ChannelPoolSize is how many channels each exchange's publisher spreads its
	// publishes over. Each channel pipelines confirms (any number of messages in flight),
	// so this spreads the broker's work over its channel processes, not a limit.
	ChannelPoolSize int
	// Prefetch is how many unacked messages RabbitMQ sends ahead to each subscription
	// of a queue that is not Slow. One subscription handles one message at a time
	// whatever this is; what it saves is a wake-up and a read per message on both
	// sides (at 4 the client spends half again the CPU per message it spends at 32).
	// A Slow queue's subscriptions prefetch one: a larger prefetch there would hoard a
	// backlog that competing workers could take.
	Prefetch int
	// PublishTimeout bounds how long one Publish waits for its confirms (a broker
	// that blocks publishers under a memory alarm confirms nothing); past this a publish
	// fails with ErrPublishTimeout.
	PublishTimeout time.Duration
	// ConnectTimeout bounds the first connection attempts, so a service may start while
	// the broker still boots. watermill-amqp reconnects only after a first success.
	ConnectTimeout time.Duration
	// CloseTimeout bounds how long a stopping subscription waits for the messages it
	// handed out to be acked or nacked before it ends (which returns them to their
	// queue and cancels their contexts).
	CloseTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.ChannelPoolSize <= 0 {
		c.ChannelPoolSize = DefaultChannelPoolSize
	}
	if c.Prefetch <= 0 {
		c.Prefetch = DefaultPrefetch
	}
	if c.PublishTimeout <= 0 {
		c.PublishTimeout = DefaultPublishTimeout
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.CloseTimeout <= 0 {
		c.CloseTimeout = DefaultCloseTimeout
	}
	return c
}

// Broker is the RabbitMQ broker: one connection shared by every publisher, another
// by every subscriber, one confirmed publisher per exchange, and the topology declared
// with exactly its arguments wherever it is declared.
//
// Publishing and consuming have connections of their own, as RabbitMQ advises: the
// broker reads each connection's frames in one process, so publishes and acks on one
// connection queue behind each other, and when RabbitMQ blocks publishing connections
// (a memory or disk alarm) the subscribers must still ack what they finished.
type Broker struct {
	cfg    Config
	topo   *topology.Topology
	logger watermill.LoggerAdapter
	// conn publishes, declares and inspects; consume carries the subscriptions.
	conn, consume *amqp.ConnectionWrapper

	// queueArgs returns a queue's declare arguments: the topology's, or in tests ones
	// the topology does not describe (a queue that lets nothing live).
	queueArgs func(topology.Queue) (amqp091.Table, error)

	mu         sync.Mutex
	closed     bool
	publishers map[string]*publisher
}

var (
	_ broker.Broker          = (*Broker)(nil)
	_ broker.PoisonInspector = (*Broker)(nil)
)

// New connects to RabbitMQ, retrying for up to cfg.ConnectTimeout or until ctx is
// done, and returns a broker routing with topo. It declares nothing: call Declare.
func New(ctx context.Context, cfg Config, topo *topology.Topology, logger watermill.LoggerAdapter) (*Broker, error) {
	if topo == nil {
		return nil, errors.New("new amqp broker: nil topology")
	}
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	cfg = cfg.withDefaults()
	conn, err := dial(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	consume, err := dial(ctx, cfg, logger)
	if err != nil {
		_ = conn.Close()
		return nil, err
	}
	b := &Broker{
		cfg:        cfg,
		topo:       topo,
		logger:     logger,
		conn:       conn,
		consume:    consume,
		publishers: map[string]*publisher{},
	}
	b.queueArgs = b.topologyArgs
	return b, nil
}

// dial opens the shared connection, retrying with backoff while the broker is
// unreachable. A malformed URL or refused credentials fail at once.
func dial(ctx context.Context, cfg Config, logger watermill.LoggerAdapter) (*amqp.ConnectionWrapper, error) {
	if _, err := amqp091.ParseURI(cfg.URL); err != nil {
		return nil, fmt.Errorf("connect to rabbitmq: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	wait := 250 * time.Millisecond
	for {
		conn, err := amqp.NewConnection(amqp.ConnectionConfig{
			AmqpURI:   cfg.URL,
			Reconnect: amqp.DefaultReconnectConfig(),
		}, logger)
		if err == nil {
			return conn, nil
		}
		if errors.Is(err, amqp091.ErrCredentials) || errors.Is(err, amqp091.ErrVhost) || errors.Is(err, amqp091.ErrSASL) {
			return nil, fmt.Errorf("connect to rabbitmq: %w", err)
		}
		logger.Info("RabbitMQ not reachable yet, retrying", watermill.LogFields{"err": err.Error(), "in": wait.String()})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to rabbitmq: %w (gave up: %w)", err, ctx.Err())
		case <-time.After(wait):
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// Topology is what the broker routes with.
func (b *Broker) Topology() *topology.Topology { return b.topo }

// Declare declares every exchange (durable), queue (durable, with the topology's
// arguments) and binding. Declaring again what exists with the same arguments is a
// no-op, so every service may call it at start.
func (b *Broker) Declare(ctx context.Context) error {
	ch, err := b.channel()
	if err != nil {
		return fmt.Errorf("declare topology: %w", err)
	}
	defer func() { _ = ch.Close() }()
	d := b.declarer()
	for _, ex := range b.topo.Exchanges {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("declare topology: %w", err)
		}
		if err := d.exchange(ch, ex.Name); err != nil {
			return fmt.Errorf("declare topology: %w", err)
		}
	}
	for _, q := range b.topo.Queues {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("declare topology: %w", err)
		}
		if err := d.queue(ch, q); err != nil {
			return fmt.Errorf("declare topology: %w", err)
		}
	}
	return nil
}

// Publisher returns the confirmed publisher of an exchange: the Publish topic is the
// routing key. All callers share one publisher per exchange; closing what this returns
// does nothing, Close of the broker closes them.
func (b *Broker) Publisher(exchange string) (message.Publisher, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("amqp publisher: broker closed")
	}
	if p, ok := b.publishers[exchange]; ok {
		return sharedPublisher{p}, nil
	}
	ex, ok := b.topo.Exchange(exchange)
	if !ok {
		return nil, fmt.Errorf("amqp publisher: exchange %q is not in the topology", exchange)
	}
	d := b.declarer()
	p := newPublisher(b.conn, ex.Name, b.cfg.ChannelPoolSize, b.cfg.PublishTimeout,
		func(ch *amqp091.Channel) error { return d.exchange(ch, ex.Name) })
	b.publishers[exchange] = p
	return sharedPublisher{p}, nil
}

// Subscriber returns a new subscriber of queues: the Subscribe topic is the full queue
// name, and each Subscribe is one consumer (one message at a time) on it, prefetching
// Config.Prefetch messages (one on a Slow queue). Subscribe re-declares the queue with
// the topology's arguments, which also restores it after a broker restart. A stopping
// subscription lets the messages it handed out finish (see broker.Graceful).
func (b *Broker) Subscriber() (message.Subscriber, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("amqp subscriber: broker closed")
	}
	return broker.NewGraceful(&subscriber{b: b, subs: map[int]*amqp.Subscriber{}}, b.cfg.CloseTimeout), nil
}

// subscriber subscribes each queue through a watermill-amqp subscriber whose prefetch
// fits the queue's handlers (the prefetch is a subscriber's configuration).
type subscriber struct {
	b    *Broker
	mu   sync.Mutex
	subs map[int]*amqp.Subscriber // by prefetch
}

func (s *subscriber) Subscribe(ctx context.Context, queue string) (<-chan *message.Message, error) {
	cfg := s.b.cfg
	if q, ok := s.b.topo.Queue(queue); ok && q.Slow {
		cfg.Prefetch = 1
	}
	s.mu.Lock()
	sub, ok := s.subs[cfg.Prefetch]
	if !ok {
		var err error
		sub, err = amqp.NewSubscriberWithConnection(subscriberConfig(cfg, s.b.builder()), s.b.logger, s.b.consume)
		if err != nil {
			s.mu.Unlock()
			return nil, fmt.Errorf("amqp subscriber: %w", err)
		}
		s.subs[cfg.Prefetch] = sub
	}
	s.mu.Unlock()
	return sub.Subscribe(ctx, queue)
}

func (s *subscriber) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, sub := range s.subs {
		errs = append(errs, sub.Close())
	}
	return errors.Join(errs...)
}

// Ready returns how many messages wait in a queue of the topology to be delivered.
func (b *Broker) Ready(ctx context.Context, queue string) (int, error) {
	if _, ok := b.topo.Queue(queue); !ok {
		return 0, fmt.Errorf("queue %q is not in the topology", queue)
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("inspect %s: %w", queue, err)
	}
	ch, err := b.channel()
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", queue, err)
	}
	defer func() { _ = ch.Close() }()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return 0, fmt.Errorf("inspect %s: %w", queue, err)
	}
	return q.Messages, nil
}

// Connected reports whether the broker's connections to RabbitMQ are up. While one is
// down, watermill-amqp reconnects it in the background.
func (b *Broker) Connected() bool {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	up := func(c *amqp.ConnectionWrapper) bool { return c.IsConnected() && !c.Connection().IsClosed() }
	return !closed && up(b.conn) && up(b.consume)
}

// Close closes the publishers, then the connections, which ends every subscription.
func (b *Broker) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	pubs := b.publishers
	b.publishers = nil
	b.mu.Unlock()

	var errs []error
	for _, p := range pubs {
		if err := p.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	// A wrapper waits for every subscription using its connection; one stuck in
	// watermill-amqp must not hang shutdown.
	done := make(chan error, 2)
	go func() { done <- b.consume.Close() }()
	go func() { done <- b.conn.Close() }()
	timeout := time.After(b.cfg.PublishTimeout)
wait:
	for range 2 {
		select {
		case err := <-done:
			errs = append(errs, err)
		case <-timeout:
			errs = append(errs, errors.New("close rabbitmq connections: timed out waiting for their users"))
			break wait
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close amqp broker: %w", err)
	}
	return nil
}

// channel opens a raw channel on the shared connection.
func (b *Broker) channel() (*amqp091.Channel, error) {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	if closed {
		return nil, errors.New("broker closed")
	}
	if !b.conn.IsConnected() {
		return nil, errors.New("not connected to rabbitmq")
	}
	ch, err := b.conn.Connection().Channel()
	if err != nil {
		return nil, fmt.Errorf("open channel: %w", err)
	}
	return ch, nil
}

func (b *Broker) topologyArgs(q topology.Queue) (amqp091.Table, error) {
	return table(b.topo.Arguments(q))
}

func (b *Broker) declarer() declarer {
	return declarer{topo: b.topo, args: func(q topology.Queue) (amqp091.Table, error) { return b.queueArgs(q) }}
}

func (b *Broker) builder() *topologyBuilder {
	return &topologyBuilder{
		declarer: b.declarer(),
		lookup: func(p amqp.BuildTopologyParams) (topology.Queue, bool) {
			return b.topo.Queue(p.QueueName)
		},
	}
}

func keyIsTopic(topic string) string { return topic }

func noName(string) string { return "" }

// subscriberConfig is the watermill-amqp config of a subscriber: topic = queue
// name, no exchange of its own (the builder declares bindings), small prefetch, and a
// nack requeues (the poison middleware decides when a message gives up).
func subscriberConfig(cfg Config, builder amqp.TopologyBuilder) amqp.Config {
	return amqp.Config{
		Marshaler: marshaler{},
		Exchange:  amqp.ExchangeConfig{GenerateName: noName},
		Queue: amqp.QueueConfig{
			GenerateName: amqp.GenerateQueueNameTopicName,
			Durable:      true,
		},
		QueueBind: amqp.QueueBindConfig{GenerateRoutingKey: noName},
		Publish:   amqp.PublishConfig{GenerateRoutingKey: keyIsTopic},
		Consume: amqp.ConsumeConfig{
			Qos:             amqp.QosConfig{PrefetchCount: cfg.Prefetch},
			NoRequeueOnNack: false,
		},
		TopologyBuilder: builder,
	}
}
