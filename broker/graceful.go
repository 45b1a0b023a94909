package broker

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/middleware"
)

// Graceful wraps a broker's subscriber so that stopping a service does not cut the
// messages in flight. Watermill's router ends a subscription by cancelling the context
// it subscribed with (when Run's context ends, and on Close) and by closing the
// subscriber; underneath, watermill-amqp then cancels the context of every message it
// handed out and nacks it at once while its handler still runs, so the handler is cut
// short, its late ack is lost and the message is done again elsewhere. Graceful
// subscribes underneath with a context of its own. When the router's context ends or
// Close is called it hands out no new message, lets those handed out finish for up to
// timeout (their contexts are not cancelled; they carry the stop, see
// middleware.WithStop, so nothing waits to retry), and only then ends the
// subscription underneath, which returns whatever is not acked to its queue.
type Graceful struct {
	sub     message.Subscriber
	timeout time.Duration

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	// settled counts subscriptions whose messages in flight are not yet settled;
	// ended counts subscriptions that have not ended.
	settled sync.WaitGroup
	ended   sync.WaitGroup
}

// NewGraceful wraps sub; timeout bounds how long a stopping subscription waits for
// the messages it handed out.
func NewGraceful(sub message.Subscriber, timeout time.Duration) *Graceful {
	return &Graceful{sub: sub, timeout: timeout, closing: make(chan struct{})}
}

// Subscribe implements message.Subscriber.
func (g *Graceful) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil, errors.New("subscribe: subscriber closed")
	}
	inner, end := context.WithCancel(context.WithoutCancel(ctx))
	in, err := g.sub.Subscribe(inner, topic)
	if err != nil {
		end()
		return nil, err
	}
	stop := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
		case <-g.closing:
		}
		close(stop)
	}()
	out := make(chan *message.Message)
	g.settled.Add(1)
	g.ended.Add(1)
	go func() {
		defer g.ended.Done()
		expired, expire := context.WithCancel(context.Background())
		defer expire()
		var inflight sync.WaitGroup
		forward(in, out, stop, &inflight, expired)
		close(out)
		if !waitTimeout(&inflight, g.timeout) {
			expire()
		}
		g.settled.Done()
		end()
		// Whatever the subscription underneath still offers goes back to its queue.
		for m := range in {
			m.Nack()
		}
	}()
	return out, nil
}

// forward hands messages from in to out until stop. Each message's context keeps its
// values but not the subscription's cancellation; it ends once the message is settled
// or expired is done.
func forward(in <-chan *message.Message, out chan<- *message.Message, stop <-chan struct{}, inflight *sync.WaitGroup, expired context.Context) {
	for {
		var m *message.Message
		select {
		case <-stop:
			return
		case msg, ok := <-in:
			if !ok {
				return
			}
			m = msg
		}
		select {
		case <-stop:
			m.Nack()
			return
		default:
		}
		ctx, cancel := context.WithCancel(middleware.WithStop(context.WithoutCancel(m.Context()), stop))
		m.SetContext(ctx)
		inflight.Add(1)
		go func() {
			defer inflight.Done()
			defer cancel()
			select {
			case <-m.Acked():
			case <-m.Nacked():
			case <-expired.Done():
			}
		}()
		select {
		case out <- m:
		case <-stop:
			m.Nack()
			return
		}
	}
}

// Close stops every subscription, waits for their messages in flight (each for up to
// the timeout), then closes the subscriber underneath.
func (g *Graceful) Close() error {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.closing)
	}
	g.mu.Unlock()
	g.settled.Wait()
	err := g.sub.Close()
	g.ended.Wait()
	return err
}

// waitTimeout waits for wg for up to d and reports whether it finished.
func waitTimeout(wg *sync.WaitGroup, d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
