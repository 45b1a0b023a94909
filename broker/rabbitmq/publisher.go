package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/middleware"
)

// errNotConnected is returned (wrapped) by a publish while the shared connection is
// down and watermill-amqp reconnects it; like broker.ErrQueueFull, it means the broker
// is unavailable for now.
var errNotConnected = middleware.Unavailable(errors.New("not connected to rabbitmq"))

// errBlocked is returned (wrapped) by a publish while RabbitMQ blocks publishing
// connections because it runs short of memory or disk; publishing resumes when the
// alarm clears.
var errBlocked = middleware.Unavailable(errors.New("rabbitmq blocks publishing (memory or disk alarm)"))

// errChannelClosed is returned (wrapped) by a publish whose channel closed before the
// broker confirmed its messages: they may or may not have been routed, so the caller
// publishes them again (at least once).
var errChannelClosed = middleware.Unavailable(errors.New("channel closed before the broker confirmed"))

// publisher is the confirmed publisher of one exchange. watermill-amqp's publisher
// waits for each message's confirm before it publishes the next on its channel, so a
// channel carries one message per round trip to the disk; this one pipelines: every
// Publish puts its messages on one of a few channels in confirm mode at once and waits
// only for its own confirms, so as many messages are in flight as callers publish.
//
// Publish returns nil only when the broker confirmed every message (routed and, for a
// persistent message on a durable queue, written). A broker nack (a queue full with
// reject-publish) reads as broker.ErrQueueFull; a closed channel, a connection that is
// down or blocked by an alarm, and a confirm that takes longer than the timeout read
// as unavailable. A channel closed by a reconnect is reopened by the next Publish that
// picks it. Publish runs on its caller's goroutine: no goroutine, channel or stack to
// grow per message.
type publisher struct {
	conn     *amqp.ConnectionWrapper
	exchange string
	// declare declares the exchange on every channel opened, so a broker that lost it
	// (a restart without its definitions) has it again before the first publish.
	declare func(*amqp091.Channel) error
	timeout time.Duration

	// blocked is set while RabbitMQ blocks the watched connection.
	blocked atomic.Bool
	watched atomic.Pointer[amqp091.Connection]

	next    atomic.Uint32
	slots   []*channelSlot
	closing chan struct{}
	once    sync.Once
}

// channelSlot holds one confirm-mode channel, opened on first use and again after it
// closed.
type channelSlot struct {
	mu sync.Mutex
	ch *amqp091.Channel
}

func newPublisher(conn *amqp.ConnectionWrapper, exchange string, channels int, timeout time.Duration, declare func(*amqp091.Channel) error) *publisher {
	p := &publisher{conn: conn, exchange: exchange, declare: declare, timeout: timeout,
		slots: make([]*channelSlot, max(channels, 1)), closing: make(chan struct{})}
	for i := range p.slots {
		p.slots[i] = &channelSlot{}
	}
	return p
}

// Publish publishes msgs with routing key key, in order on one channel, and returns
// when the broker confirmed them all, refused one, or the timeout passed.
func (p *publisher) Publish(key string, msgs ...*message.Message) error {
	if err := p.publish(key, msgs); err != nil {
		return fmt.Errorf("publish to %s with key %q: %w", p.exchange, key, err)
	}
	return nil
}

func (p *publisher) publish(key string, msgs []*message.Message) error {
	select {
	case <-p.closing:
		return errors.New("publisher closed")
	default:
	}
	// A blocked connection is not read by the broker: a write would wait for the
	// alarm to clear, however long that takes.
	if p.blocked.Load() {
		return errBlocked
	}
	ch, err := p.slots[p.next.Add(1)%uint32(len(p.slots))].channel(p)
	if err != nil {
		return err
	}
	confirms := make([]*amqp091.DeferredConfirmation, 0, len(msgs))
	for _, msg := range msgs {
		pub, err := marshaler{}.Marshal(msg)
		if err != nil {
			return fmt.Errorf("message %s: %w", msg.UUID, err)
		}
		// The message's context is not the publish's: a handler's output is published
		// whatever became of the context its input carried.
		dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), p.exchange, key, false, false, pub)
		if err != nil {
			if ch.IsClosed() {
				return fmt.Errorf("message %s: %w: %w", msg.UUID, errChannelClosed, err)
			}
			return fmt.Errorf("message %s: %w", msg.UUID, err)
		}
		confirms = append(confirms, dc)
	}
	return p.await(ch, msgs, confirms)
}

// await waits for the confirms of msgs, published on ch.
func (p *publisher) await(ch *amqp091.Channel, msgs []*message.Message, confirms []*amqp091.DeferredConfirmation) error {
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	for i, dc := range confirms {
		select {
		case <-dc.Done():
		case <-timer.C:
			return fmt.Errorf("message %s: no confirm within %s: %w", msgs[i].UUID, p.timeout, ErrPublishTimeout)
		case <-p.closing:
			return fmt.Errorf("message %s: publisher closed before the broker confirmed", msgs[i].UUID)
		}
		if dc.Acked() {
			continue
		}
		// amqp091 resolves every pending confirm as a nack when the channel closes.
		if ch.IsClosed() {
			return fmt.Errorf("message %s: %w", msgs[i].UUID, errChannelClosed)
		}
		// With x-overflow reject-publish a nack means a target queue is full.
		return fmt.Errorf("message %s: delivery not confirmed: %w", msgs[i].UUID, broker.ErrQueueFull)
	}
	return nil
}

// channel returns the slot's channel, opening a new one in confirm mode, with the
// exchange declared, when there is none or it closed.
func (s *channelSlot) channel(p *publisher) (*amqp091.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ch != nil && !s.ch.IsClosed() {
		return s.ch, nil
	}
	s.ch = nil
	if !p.conn.IsConnected() {
		return nil, errNotConnected
	}
	conn := p.conn.Connection()
	if conn == nil || conn.IsClosed() {
		return nil, errNotConnected
	}
	p.watchBlocked(conn)
	ch, err := conn.Channel()
	if err != nil {
		return nil, middleware.Unavailable(fmt.Errorf("open channel: %w", err))
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, middleware.Unavailable(fmt.Errorf("confirm mode: %w", err))
	}
	if err := p.declare(ch); err != nil {
		_ = ch.Close()
		return nil, err
	}
	s.ch = ch
	return ch, nil
}

// watchBlocked follows conn's connection.blocked and connection.unblocked (RabbitMQ
// blocks publishing connections during a memory or disk alarm), once per connection:
// after a reconnect the new one is followed.
func (p *publisher) watchBlocked(conn *amqp091.Connection) {
	if p.watched.Swap(conn) == conn {
		return
	}
	p.blocked.Store(false)
	notes := conn.NotifyBlocked(make(chan amqp091.Blocking, 1))
	go func() {
		for b := range notes {
			p.blocked.Store(b.Active)
		}
	}()
}

// Close closes the channels; publishes still waiting for confirms return an error.
func (p *publisher) Close() error {
	var errs []error
	p.once.Do(func() {
		close(p.closing)
		for _, s := range p.slots {
			s.mu.Lock()
			if s.ch != nil && !s.ch.IsClosed() {
				if err := s.ch.Close(); err != nil && !errors.Is(err, amqp091.ErrClosed) {
					errs = append(errs, err)
				}
			}
			s.ch = nil
			s.mu.Unlock()
		}
	})
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close publisher of %s: %w", p.exchange, err)
	}
	return nil
}

// sharedPublisher is what Broker.Publisher hands out: the Watermill router closes a
// handler's publisher when the handler stops, which must not close it for the others.
type sharedPublisher struct{ p *publisher }

func (s sharedPublisher) Publish(key string, msgs ...*message.Message) error {
	return s.p.Publish(key, msgs...)
}

func (sharedPublisher) Close() error { return nil }
