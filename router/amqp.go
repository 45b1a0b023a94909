package router

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/middleware"
)

// Defaults of AMQPConfig.
const (
	DefaultChannelPoolSize = 16
	DefaultPrefetch        = 4
	DefaultPublishTimeout  = 30 * time.Second
	DefaultConnectTimeout  = 30 * time.Second
	DefaultCloseTimeout    = 30 * time.Second
)

// ErrPublishTimeout is returned (wrapped) by a publish that got no confirm in time;
// like ErrQueueFull, it means the broker is unavailable for now.
var ErrPublishTimeout = middleware.Unavailable(errors.New("publish timed out"))

// AMQPConfig configures the RabbitMQ broker. Zero fields take the defaults above.
type AMQPConfig struct {
	// URL is the broker, amqp://user:pass@host:5672/vhost.
	URL string
	// ChannelPoolSize is how many channels each exchange's publisher keeps open: the
	// confirmed publishes one exchange can have in flight.
	ChannelPoolSize int
	// Prefetch is how many unacked messages RabbitMQ sends ahead to each subscription.
	// One subscription handles one message at a time whatever this is, so keep it small:
	// a large one hoards a backlog that competing workers could take.
	Prefetch int
	// PublishTimeout bounds one Publish call. watermill-amqp can leak pooled channels
	// across a reconnect until Publish blocks forever (watermill-amqp#37); past this a
	// publish fails with ErrPublishTimeout instead.
	PublishTimeout time.Duration
	// ConnectTimeout bounds the first connection attempts, so a service may start while
	// the broker still boots. watermill-amqp reconnects only after a first success.
	ConnectTimeout time.Duration
	// CloseTimeout bounds how long a stopping subscription waits for the messages it
	// handed out to be acked or nacked before it ends (which returns them to their
	// queue and cancels their contexts).
	CloseTimeout time.Duration
}

func (c AMQPConfig) withDefaults() AMQPConfig {
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

// AMQP is the RabbitMQ Broker: one connection shared by every publisher and
// subscriber, one confirmed publisher per exchange, and the topology declared with
// exactly its arguments wherever it is declared.
type AMQP struct {
	cfg    AMQPConfig
	topo   *Topology
	logger watermill.LoggerAdapter
	conn   *amqp.ConnectionWrapper

	// queueArgs returns a queue's declare arguments; tests replace it to declare small
	// queues, production uses the topology's.
	queueArgs func(Queue) (amqp091.Table, error)

	mu         sync.Mutex
	closed     bool
	publishers map[string]*amqpPublisher
}

var (
	_ Broker          = (*AMQP)(nil)
	_ PoisonInspector = (*AMQP)(nil)
)

// NewAMQP connects to RabbitMQ, retrying for up to cfg.ConnectTimeout or until ctx is
// done, and returns a broker routing with topo. It declares nothing: call Declare.
func NewAMQP(ctx context.Context, cfg AMQPConfig, topo *Topology, logger watermill.LoggerAdapter) (*AMQP, error) {
	if topo == nil {
		return nil, errors.New("new amqp broker: nil topology")
	}
	if logger == nil {
		logger = watermill.NopLogger{}
	}
	cfg = cfg.withDefaults()
	conn, err := dialAMQP(ctx, cfg, logger)
	if err != nil {
		return nil, err
	}
	b := &AMQP{
		cfg:        cfg,
		topo:       topo,
		logger:     logger,
		conn:       conn,
		publishers: map[string]*amqpPublisher{},
	}
	b.queueArgs = b.topologyArgs
	return b, nil
}

// dialAMQP opens the shared connection, retrying with backoff while the broker is
// unreachable. A malformed URL or refused credentials fail at once.
func dialAMQP(ctx context.Context, cfg AMQPConfig, logger watermill.LoggerAdapter) (*amqp.ConnectionWrapper, error) {
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
func (b *AMQP) Topology() *Topology { return b.topo }

// Declare declares every exchange (durable), queue (durable, with the topology's
// arguments) and binding. Declaring again what exists with the same arguments is a
// no-op, so every service may call it at start.
func (b *AMQP) Declare(ctx context.Context) error {
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
func (b *AMQP) Publisher(exchange string) (message.Publisher, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("amqp publisher: broker closed")
	}
	if p, ok := b.publishers[exchange]; ok {
		return amqpSharedPublisher{p}, nil
	}
	ex, ok := b.topo.Exchange(exchange)
	if !ok {
		return nil, fmt.Errorf("amqp publisher: exchange %q is not in the topology", exchange)
	}
	p, err := newAMQPPublisher(b.conn, b.cfg, b.builder(), ex, b.logger)
	if err != nil {
		return nil, err
	}
	b.publishers[exchange] = p
	return amqpSharedPublisher{p}, nil
}

// Subscriber returns a new subscriber of queues: the Subscribe topic is the full queue
// name, and each Subscribe is one consumer (one message at a time) on it. Subscribe
// re-declares the queue with the topology's arguments, which also restores it after a
// broker restart. A stopping subscription lets the messages it handed out finish (see
// graceful).
func (b *AMQP) Subscriber() (message.Subscriber, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, errors.New("amqp subscriber: broker closed")
	}
	s, err := amqp.NewSubscriberWithConnection(amqpSubscriberConfig(b.cfg, b.builder()), b.logger, b.conn)
	if err != nil {
		return nil, fmt.Errorf("amqp subscriber: %w", err)
	}
	return newGraceful(s, b.cfg.CloseTimeout), nil
}

// Connected reports whether the broker's connection to RabbitMQ is up. While it is
// down, watermill-amqp reconnects in the background.
func (b *AMQP) Connected() bool {
	b.mu.Lock()
	closed := b.closed
	b.mu.Unlock()
	return !closed && b.conn.IsConnected() && !b.conn.Connection().IsClosed()
}

// Close closes the publishers, then the connection, which ends every subscription.
func (b *AMQP) Close() error {
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
	// The wrapper waits for every subscription and publish using the connection; one
	// stuck in watermill-amqp must not hang shutdown.
	done := make(chan error, 1)
	go func() { done <- b.conn.Close() }()
	select {
	case err := <-done:
		errs = append(errs, err)
	case <-time.After(b.cfg.PublishTimeout):
		errs = append(errs, errors.New("close rabbitmq connection: timed out waiting for its users"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close amqp broker: %w", err)
	}
	return nil
}

// channel opens a raw channel on the shared connection.
func (b *AMQP) channel() (*amqp091.Channel, error) {
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

func (b *AMQP) topologyArgs(q Queue) (amqp091.Table, error) {
	return amqpTable(b.topo.Arguments(q))
}

func (b *AMQP) declarer() amqpDeclarer {
	return amqpDeclarer{topo: b.topo, args: func(q Queue) (amqp091.Table, error) { return b.queueArgs(q) }}
}

func (b *AMQP) builder() *amqpTopologyBuilder {
	return &amqpTopologyBuilder{
		amqpDeclarer: b.declarer(),
		lookup: func(p amqp.BuildTopologyParams) (Queue, bool) {
			return b.topo.Queue(p.QueueName)
		},
	}
}

// amqpTable converts queue arguments to AMQP field values. Go ints go on the wire as
// 32 bits in amqp091, so wider values become int64 rather than wrapping.
func amqpTable(args map[string]any) (amqp091.Table, error) {
	t := make(amqp091.Table, len(args))
	for k, v := range args {
		switch v := v.(type) {
		case int:
			if v >= math.MinInt32 && v <= math.MaxInt32 {
				t[k] = int32(v)
			} else {
				t[k] = int64(v)
			}
		case string, bool, int32, int64:
			t[k] = v
		default:
			return nil, fmt.Errorf("queue argument %s: unsupported type %T", k, v)
		}
	}
	return t, nil
}

// amqpDeclarer declares topology entities with exactly the topology's flags and
// arguments, so every declarer of a queue agrees and RabbitMQ never answers 406.
type amqpDeclarer struct {
	topo *Topology
	args func(Queue) (amqp091.Table, error)
}

func (d amqpDeclarer) exchange(ch *amqp091.Channel, name string) error {
	ex, ok := d.topo.Exchange(name)
	if !ok {
		return fmt.Errorf("exchange %q is not in the topology", name)
	}
	if err := ch.ExchangeDeclare(ex.Name, ex.Type, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", ex.Name, err)
	}
	return nil
}

// queue declares a queue, the exchanges it is bound to and its bindings.
func (d amqpDeclarer) queue(ch *amqp091.Channel, q Queue) error {
	args, err := d.args(q)
	if err != nil {
		return fmt.Errorf("declare queue %s: %w", q.Name, err)
	}
	if _, err := ch.QueueDeclare(q.Name, true, false, false, false, args); err != nil {
		return fmt.Errorf("declare queue %s: %w", q.Name, err)
	}
	for _, bd := range q.Bindings {
		if err := d.exchange(ch, bd.Exchange); err != nil {
			return err
		}
		if err := ch.QueueBind(q.Name, bd.Key, bd.Exchange, false, nil); err != nil {
			return fmt.Errorf("bind queue %s to %s with %q: %w", q.Name, bd.Exchange, bd.Key, err)
		}
	}
	return nil
}

// amqpTopologyBuilder is the watermill-amqp TopologyBuilder of our subscribers and
// publishers. A subscription declares its queue with the topology's arguments (never
// the config's), its bindings and, for a work queue, the poison queue its dead letters
// go to: after a broker restart that lost them, a reconnect restores the whole path.
type amqpTopologyBuilder struct {
	amqpDeclarer
	lookup func(amqp.BuildTopologyParams) (Queue, bool)
}

// BuildTopology declares the subscribed queue and what it depends on.
func (t *amqpTopologyBuilder) BuildTopology(ch *amqp091.Channel, p amqp.BuildTopologyParams, _ amqp.Config, _ watermill.LoggerAdapter) error {
	q, ok := t.lookup(p)
	if !ok {
		return fmt.Errorf("queue %q is not in the topology", p.QueueName)
	}
	if err := t.queue(ch, q); err != nil {
		return err
	}
	if !q.Poison {
		if pq, ok := t.topo.Queue(q.Name + PoisonSuffix); ok {
			return t.queue(ch, pq)
		}
	}
	return nil
}

// ExchangeDeclare declares a publisher's exchange as the topology describes it.
func (t *amqpTopologyBuilder) ExchangeDeclare(ch *amqp091.Channel, name string, _ amqp.Config) error {
	return t.exchange(ch, name)
}

func amqpKeyIsTopic(topic string) string { return topic }

func amqpNoName(string) string { return "" }

// amqpPublisherConfig is the watermill-amqp config of an exchange's publisher:
// constant exchange, routing key = topic, persistent messages, confirms and a pool.
func amqpPublisherConfig(cfg AMQPConfig, ex Exchange, builder amqp.TopologyBuilder) amqp.Config {
	return amqp.Config{
		Marshaler: amqpMarshaler{},
		Exchange: amqp.ExchangeConfig{
			GenerateName: amqp.GenerateExchangeNameConstant(ex.Name),
			Type:         ex.Type,
			Durable:      true,
		},
		Publish: amqp.PublishConfig{
			GenerateRoutingKey: amqpKeyIsTopic,
			ChannelPoolSize:    cfg.ChannelPoolSize,
			ConfirmDelivery:    true,
		},
		TopologyBuilder: builder,
	}
}

// amqpSubscriberConfig is the watermill-amqp config of a subscriber: topic = queue
// name, no exchange of its own (the builder declares bindings), small prefetch, and a
// nack requeues (the poison middleware decides when a message gives up).
func amqpSubscriberConfig(cfg AMQPConfig, builder amqp.TopologyBuilder) amqp.Config {
	return amqp.Config{
		Marshaler: amqpMarshaler{},
		Exchange:  amqp.ExchangeConfig{GenerateName: amqpNoName},
		Queue: amqp.QueueConfig{
			GenerateName: amqp.GenerateQueueNameTopicName,
			Durable:      true,
		},
		QueueBind: amqp.QueueBindConfig{GenerateRoutingKey: amqpNoName},
		Publish:   amqp.PublishConfig{GenerateRoutingKey: amqpKeyIsTopic},
		Consume: amqp.ConsumeConfig{
			Qos:             amqp.QosConfig{PrefetchCount: cfg.Prefetch},
			NoRequeueOnNack: false,
		},
		TopologyBuilder: builder,
	}
}

// amqpPublisher is a watermill-amqp publisher whose publishes are bounded in time and
// whose broker nacks read as ErrQueueFull.
type amqpPublisher struct {
	pub      *amqp.Publisher
	exchange string
	timeout  time.Duration
}

func newAMQPPublisher(conn *amqp.ConnectionWrapper, cfg AMQPConfig, builder amqp.TopologyBuilder, ex Exchange, logger watermill.LoggerAdapter) (*amqpPublisher, error) {
	pub, err := amqp.NewPublisherWithConnection(amqpPublisherConfig(cfg, ex, builder), logger, conn)
	if err != nil {
		return nil, fmt.Errorf("amqp publisher for %s: %w", ex.Name, err)
	}
	return &amqpPublisher{pub: pub, exchange: ex.Name, timeout: cfg.PublishTimeout}, nil
}

// Publish publishes with routing key key and waits for the broker's confirms.
func (p *amqpPublisher) Publish(key string, msgs ...*message.Message) error {
	done := make(chan error, 1)
	go func() { done <- p.pub.Publish(key, msgs...) }()
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	select {
	case err := <-done:
		if err == nil {
			return nil
		}
		// watermill-amqp reports a basic.nack only as text; with x-overflow
		// reject-publish a nack means a target queue is full.
		if strings.Contains(err.Error(), "delivery not confirmed") {
			return fmt.Errorf("publish to %s with key %q: %w: %w", p.exchange, key, ErrQueueFull, err)
		}
		return fmt.Errorf("publish to %s with key %q: %w", p.exchange, key, err)
	case <-timer.C:
		// The stuck goroutine ends when the publisher or connection closes.
		return fmt.Errorf("publish to %s with key %q: no confirm within %s: %w", p.exchange, key, p.timeout, ErrPublishTimeout)
	}
}

// Close closes the publisher's channel pool.
func (p *amqpPublisher) Close() (err error) {
	// A pool slot whose reopen failed during a reconnect holds a nil channel, and
	// closing it panics (watermill-amqp#37).
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("close publisher of %s: %v", p.exchange, r)
		}
	}()
	if err := p.pub.Close(); err != nil {
		return fmt.Errorf("close publisher of %s: %w", p.exchange, err)
	}
	return nil
}

// amqpSharedPublisher is what Broker.Publisher hands out: the Watermill router closes a
// handler's publisher when the handler stops, which must not close it for the others.
type amqpSharedPublisher struct{ p *amqpPublisher }

func (s amqpSharedPublisher) Publish(key string, msgs ...*message.Message) error {
	return s.p.Publish(key, msgs...)
}

func (amqpSharedPublisher) Close() error { return nil }
