package router

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/broker/rabbitmq/rabbitmqtest"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// countingBroker counts the publishes tried on one exchange.
type countingBroker struct {
	broker.Broker
	exchange string
	tries    *atomic.Int64
}

func (c countingBroker) Publisher(exchange string) (message.Publisher, error) {
	p, err := c.Broker.Publisher(exchange)
	if err != nil || exchange != c.exchange {
		return p, err
	}
	return countingPublisher{p, c.tries}, nil
}

type countingPublisher struct {
	message.Publisher
	tries *atomic.Int64
}

func (c countingPublisher) Publish(topic string, msgs ...*message.Message) error {
	c.tries.Add(1)
	return c.Publisher.Publish(topic, msgs...)
}

// TestFullNextQueueHoldsWithBackoff: with ai_processing full (x-max-length 2,
// reject-publish), intake's publishes are refused. They are tried again with backoff,
// not in a hot loop; the handler does not run again; nothing is poisoned; the uploads
// wait unacked (prefetched by intake or ready in their queue); and once ai_processing
// drains every upload gets through, each once.
func TestFullNextQueueHoldsWithBackoff(t *testing.T) {
	const (
		maxLen  = 2
		uploads = 8
	)
	topo := rabbitmqtest.Topology(false)
	for i, q := range topo.Queues {
		if q.Name == topo.Name(topology.QueueAIProcessing) {
			topo.Queues[i].MaxLength = maxLen
		}
	}
	b := rabbitmqtest.New(t, topo)
	require.NoError(t, b.Declare(context.Background()))
	n := topo.Name
	var tries, calls atomic.Int64
	d := testDeps(countingBroker{Broker: b, exchange: n(topology.ExchangeImages), tries: &tries})
	d.Retry = middleware.Retry{MaxRetries: 3, InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond,
		Multiplier: 2, OutageHold: time.Minute}
	r, err := NewImage(d, func(_ context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		calls.Add(1)
		return messages.ImageProcessV1{ProductID: in.ProductID, Revision: in.Revision, Variants: []string{"x"}}, nil
	})
	require.NoError(t, err)
	runRouter(t, r)
	for i := range uploads {
		publishUpload(t, b, messages.ImageUploadV1{ProductID: fmt.Sprint("p", i), Revision: 1})
	}

	require.Eventually(t, func() bool {
		return ready(t, b, n(topology.QueueAIProcessing)) == maxLen && tries.Load() > maxLen+1
	}, 15*time.Second, 20*time.Millisecond, "ai_processing fills and intake is refused")
	before := tries.Load()
	time.Sleep(time.Second)
	during := tries.Load() - before
	// Backoff capped at 200 ms allows about 5 tries a second; a hot loop makes hundreds.
	t.Logf("publish tries in one second against a full queue: %d", during)
	assert.LessOrEqual(t, during, int64(15), "tries per second while the next queue is full")
	assert.Equal(t, int64(maxLen+1), calls.Load(), "the held message's handler is not run again")
	assert.Zero(t, ready(t, b, n(topology.QueueImageUploads)+topology.PoisonSuffix), "nothing poisoned for a full queue")

	// Drain ai_processing: every upload comes out once.
	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out, err := sub.Subscribe(ctx, n(topology.QueueAIProcessing))
	require.NoError(t, err)
	got := map[string]int{}
	deadline := time.After(30 * time.Second)
	for len(got) < uploads {
		select {
		case m := <-out:
			p, err := Decode[messages.ImageProcessV1](m)
			require.NoError(t, err)
			got[p.ProductID]++
			m.Ack()
		case <-deadline:
			t.Fatalf("%d of %d uploads came out: %v", len(got), uploads, got)
		}
	}
	for id, k := range got {
		assert.Equal(t, 1, k, "%s came out %d times", id, k)
	}
	assert.Equal(t, int64(uploads), calls.Load(), "each upload handled once")
	eventuallyReady(t, b, nil)
}

// TestUnavailableDependencyIsWaitedOut: a dependency that stays down for longer than
// MaxRetries×backoff (connection refused, or an error the service's own Unavailable
// recognises, as store.Unavailable does for the database) does not poison the
// message: it succeeds once the dependency is back. An ordinary error is poisoned
// after the configured retries, a permanent one at once.
func TestUnavailableDependencyIsWaitedOut(t *testing.T) {
	errDBDown := errors.New("database unavailable")
	cases := []struct {
		name     string
		err      error
		failures int64
		poisoned bool
		calls    int64
	}{
		{"connection refused for 20 tries", fmt.Errorf("store images: %w",
			&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}), 20, false, 21},
		{"the store says unavailable for 20 tries", fmt.Errorf("store images: %w", errDBDown), 20, false, 21},
		{"an ordinary error is poisoned after the retries", errors.New("disk on fire"), 20, true, 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := memory.New(topology.New("", false, messages.Marketplaces))
			defer b.Close()
			d := testDeps(b)
			d.Unavailable = func(err error) bool { return errors.Is(err, errDBDown) }
			var calls atomic.Int64
			r, err := NewImage(d, func(_ context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
				if calls.Add(1) <= c.failures {
					return messages.ImageProcessV1{}, c.err
				}
				return messages.ImageProcessV1{ProductID: in.ProductID}, nil
			})
			require.NoError(t, err)
			runRouter(t, r)
			publishUpload(t, b, messages.ImageUploadV1{ProductID: "p1", Revision: 1})
			if c.poisoned {
				p := nextMessage(t, b, topology.QueueImageUploads+topology.PoisonSuffix)
				assert.Contains(t, p.Metadata.Get(broker.MetaReason), c.err.Error())
				assert.Zero(t, ready(t, b, topology.QueueAIProcessing))
			} else {
				out := nextMessage(t, b, topology.QueueAIProcessing)
				got, err := Decode[messages.ImageProcessV1](out)
				require.NoError(t, err)
				assert.Equal(t, "p1", got.ProductID)
				assert.Zero(t, ready(t, b, topology.QueueImageUploads+topology.PoisonSuffix), "not poisoned")
			}
			assert.Equal(t, c.calls, calls.Load())
		})
	}
}
