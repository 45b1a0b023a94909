package router

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/broker/rabbitmq/rabbitmqtest"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/topology"
)

// TestStopFinishesInFlight stops a service's router on RabbitMQ the way `stox serve`
// does on SIGTERM (its Run context cancelled, then Close) while its handler is blocked
// in the middle of a message. Through the whole middleware stack, the handler's context
// is not cancelled, its output is published and the message acked (not delivered
// again), and the message waiting behind it is not taken: it stays in its queue for the
// next process. (The brokers' contract suite checks the same of a bare router.)
func TestStopFinishesInFlight(t *testing.T) {
	b := rabbitmqtest.New(t, rabbitmqtest.Topology(false))
	require.NoError(t, b.Declare(context.Background()))
	started := make(chan string, 2)
	release := make(chan struct{})
	cut := make(chan error, 2)
	var calls atomic.Int64
	r, err := NewImage(testDeps(b), func(ctx context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		calls.Add(1)
		started <- in.ProductID
		select {
		case <-release:
		case <-ctx.Done():
		}
		cut <- ctx.Err()
		return messages.ImageProcessV1{ProductID: in.ProductID, Revision: in.Revision, Variants: []string{"x"}}, nil
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	<-r.Running()

	publishUpload(t, b, messages.ImageUploadV1{ProductID: "first", Revision: 1})
	var first string
	select {
	case first = <-started:
	case <-time.After(15 * time.Second):
		t.Fatal("the handler never started")
	}
	publishUpload(t, b, messages.ImageUploadV1{ProductID: "second", Revision: 1})

	// SIGTERM: serve cancels the context Run got, then closes the router.
	cancel()
	closed := make(chan error, 1)
	go func() { closed <- r.Close() }()
	// Give a cancellation the time to reach the handler; it must not.
	select {
	case err := <-cut:
		t.Fatalf("the handler was cut short by the stop: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-cut, "the handler's context was not cancelled")
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("the router did not close")
	}
	require.NoError(t, <-ran)
	select {
	case p := <-started:
		t.Fatalf("a new message (%s) was taken while stopping", p)
	default:
	}
	assert.Equal(t, int64(1), calls.Load())

	// The closed router's subscription returned what it still held unacked.
	n := b.Topology().Name
	eventuallyReady(t, b, map[string]int{
		n(topology.QueueImageUploads): 1, // only the message behind it waits: the first was acked
		n(topology.QueueAIProcessing): 1, // the first's output was published
	})
	got, err := Decode[messages.ImageProcessV1](nextMessage(t, b, n(topology.QueueAIProcessing)))
	require.NoError(t, err)
	assert.Equal(t, first, got.ProductID)
}

// TestStopCancelsAfterCloseTimeout: a handler that outlasts the close timeout has
// its context cancelled, and its message goes back to the queue.
func TestStopCancelsAfterCloseTimeout(t *testing.T) {
	b := memory.New(topology.New("", false, messages.Marketplaces))
	b.CloseTimeout = 100 * time.Millisecond
	defer b.Close()
	started := make(chan struct{}, 1)
	cut := make(chan error, 1)
	d := testDeps(b)
	d.CloseTimeout = time.Second
	r, err := NewImage(d, func(ctx context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		started <- struct{}{}
		<-ctx.Done()
		cut <- ctx.Err()
		return messages.ImageProcessV1{}, ctx.Err()
	})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- r.Run(ctx) }()
	<-r.Running()
	publishUpload(t, b, messages.ImageUploadV1{ProductID: "slow", Revision: 1})
	<-started
	cancel()
	select {
	case err := <-cut:
		assert.True(t, errors.Is(err, context.Canceled), "%v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the handler's context was never cancelled")
	}
	require.NoError(t, r.Close())
	<-ran
	back := nextMessage(t, b, topology.QueueImageUploads)
	in, err := Decode[messages.ImageUploadV1](back)
	require.NoError(t, err)
	assert.Equal(t, "slow", in.ProductID)
	assert.Zero(t, ready(t, b, topology.QueueImageUploads+topology.PoisonSuffix), "interrupted, not poisoned")
}
