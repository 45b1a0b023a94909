package router

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"sync/atomic"
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
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/topology"
)

func testDeps(b broker.Broker) Deps {
	return Deps{Broker: b, Retry: middleware.Retry{MaxRetries: 3, InitialInterval: time.Millisecond,
		MaxInterval: 4 * time.Millisecond, Multiplier: 2, OutageHold: time.Minute}, Timeout: 5 * time.Second, CloseTimeout: 5 * time.Second}
}

func runRouter(t *testing.T, r *message.Router) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = r.Run(ctx) }()
	<-r.Running()
	t.Cleanup(func() { cancel(); _ = r.Close(); <-done })
}

// nextMessage takes one message from queue, or fails the test.
func nextMessage(t *testing.T, b broker.Broker, queue string) *message.Message {
	t.Helper()
	sub, err := b.Subscriber()
	require.NoError(t, err)
	defer sub.Close()
	ch, err := sub.Subscribe(context.Background(), queue)
	require.NoError(t, err)
	select {
	case m := <-ch:
		m.Ack()
		return m
	case <-time.After(10 * time.Second):
		t.Fatalf("nothing arrived in %s", queue)
		return nil
	}
}

// ready returns how many messages wait in queue.
func ready(t *testing.T, b broker.Broker, queue string) int {
	t.Helper()
	n, err := b.Ready(context.Background(), queue)
	require.NoError(t, err)
	return n
}

// eventuallyReady waits until the queues hold what want says (every other queue of
// the topology none).
func eventuallyReady(t *testing.T, b broker.Broker, want map[string]int) {
	t.Helper()
	full, got := map[string]int{}, map[string]int{}
	for _, q := range b.Topology().Queues {
		full[q.Name] = want[q.Name]
	}
	if !assert.Eventually(t, func() bool {
		for q := range full {
			got[q] = ready(t, b, q)
		}
		return maps.Equal(full, got)
	}, 15*time.Second, 20*time.Millisecond) {
		assert.Equal(t, full, got)
	}
}

func publishUpload(t *testing.T, b broker.Broker, in messages.ImageUploadV1) {
	t.Helper()
	pub, err := b.Publisher(b.Topology().Name(topology.ExchangeImages))
	require.NoError(t, err)
	msg, err := Encode(in)
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topology.KeyImageUpload, msg))
}

func TestHandlerOutputIsRoutedOn(t *testing.T) {
	b := memory.New(topology.New("", false, messages.Marketplaces))
	defer b.Close()
	r, err := NewImage(testDeps(b), func(_ context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		return messages.ImageProcessV1{ProductID: in.ProductID, Revision: in.Revision, Variants: []string{"x"}}, nil
	})
	require.NoError(t, err)
	runRouter(t, r)
	publishUpload(t, b, messages.ImageUploadV1{ProductID: "p1", Revision: 2})
	out := nextMessage(t, b, topology.QueueAIProcessing)
	got, err := Decode[messages.ImageProcessV1](out)
	require.NoError(t, err)
	assert.Equal(t, "p1", got.ProductID)
	assert.Equal(t, 2, got.Revision)
	assert.NotEmpty(t, out.Metadata.Get(middleware.MetaCorrelationID), "correlation carried on")
}

func TestFailuresReachThePoisonQueue(t *testing.T) {
	cases := []struct {
		name     string
		err      error
		attempts int64
	}{
		{"transient error is retried, then poisoned", errors.New("disk on fire"), 4},
		{"permanent error is poisoned at once", permanent.Errorf("photo is not an image"), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := memory.New(topology.New("", false, messages.Marketplaces))
			defer b.Close()
			var calls atomic.Int64
			r, err := NewImage(testDeps(b), func(context.Context, messages.ImageUploadV1) (messages.ImageProcessV1, error) {
				calls.Add(1)
				return messages.ImageProcessV1{}, c.err
			})
			require.NoError(t, err)
			runRouter(t, r)
			publishUpload(t, b, messages.ImageUploadV1{ProductID: "p1", Revision: 1})
			p := nextMessage(t, b, topology.QueueImageUploads+topology.PoisonSuffix)
			assert.Equal(t, c.attempts, calls.Load())
			assert.Contains(t, p.Metadata.Get(broker.MetaReason), c.err.Error())
			assert.Equal(t, topology.ExchangeImages, p.Metadata.Get(broker.MetaOriginExchange))
			assert.Equal(t, topology.KeyImageUpload, p.Metadata.Get(broker.MetaOriginRoutingKey))
			assert.Equal(t, topology.QueueImageUploads, p.Metadata.Get(broker.MetaQueue))
			assert.Equal(t, "image.intake", p.Metadata.Get(broker.MetaHandler))
			in, err := Decode[messages.ImageUploadV1](p)
			require.NoError(t, err, "the poisoned payload is the original")
			assert.Equal(t, "p1", in.ProductID)
			assert.Zero(t, ready(t, b, topology.QueueAIProcessing), "nothing published for a failed message")
		})
	}
}

func TestMalformedPayloadIsPoisonedOnce(t *testing.T) {
	b := memory.New(topology.New("", false, messages.Marketplaces))
	defer b.Close()
	var calls atomic.Int64
	r, err := NewImage(testDeps(b), func(context.Context, messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		calls.Add(1)
		return messages.ImageProcessV1{}, nil
	})
	require.NoError(t, err)
	runRouter(t, r)
	pub, _ := b.Publisher(topology.ExchangeImages)
	bad := message.NewMessage("bad-json", []byte("{not json"))
	bad.Metadata.Set(messages.SchemaKey, messages.ImageUploadV1{}.Schema())
	wrong := message.NewMessage("wrong-schema", []byte("{}"))
	wrong.Metadata.Set(messages.SchemaKey, "image.upload.v9")
	require.NoError(t, pub.Publish(topology.KeyImageUpload, bad, wrong))
	reasons := map[string]string{}
	for i := 0; i < 2; i++ {
		p := nextMessage(t, b, topology.QueueImageUploads+topology.PoisonSuffix)
		reasons[p.UUID] = p.Metadata.Get(broker.MetaReason)
	}
	assert.Contains(t, reasons["bad-json"], "decode bad-json")
	assert.Contains(t, reasons["wrong-schema"], `schema is "image.upload.v9"`)
	assert.Zero(t, calls.Load(), "the handler never saw them")
}

func TestPanicIsRetriedNotFatal(t *testing.T) {
	b := memory.New(topology.New("", false, messages.Marketplaces))
	defer b.Close()
	var calls atomic.Int64
	r, err := NewImage(testDeps(b), func(_ context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		if calls.Add(1) == 1 {
			panic("boom")
		}
		return messages.ImageProcessV1{ProductID: in.ProductID}, nil
	})
	require.NoError(t, err)
	runRouter(t, r)
	publishUpload(t, b, messages.ImageUploadV1{ProductID: "p9", Revision: 1})
	out := nextMessage(t, b, topology.QueueAIProcessing)
	assert.Equal(t, int64(2), calls.Load())
	got, _ := Decode[messages.ImageProcessV1](out)
	assert.Equal(t, "p9", got.ProductID)
}

// TestPoisonRequeueAfterFix: a message that fails every retry lands in its poison
// queue with its reason; once the cause is fixed, requeue brings it back and it
// succeeds. On both brokers, counted.
func TestPoisonRequeueAfterFix(t *testing.T) {
	brokers := map[string]func(t *testing.T) broker.Broker{
		"memory": func(*testing.T) broker.Broker { return memory.New(topology.New("", false, messages.Marketplaces)) },
		"rabbitmq": func(t *testing.T) broker.Broker {
			b := rabbitmqtest.New(t, rabbitmqtest.Topology(false))
			require.NoError(t, b.Declare(context.Background()))
			return b
		},
	}
	for name, open := range brokers {
		t.Run(name, func(t *testing.T) {
			b := open(t)
			defer b.Close()
			insp := b.(broker.PoisonInspector)
			var broken atomic.Bool
			broken.Store(true)
			var ok atomic.Int64
			r, err := NewImage(testDeps(b), func(_ context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
				if broken.Load() {
					return messages.ImageProcessV1{}, errors.New("blob store down")
				}
				ok.Add(1)
				return messages.ImageProcessV1{ProductID: in.ProductID}, nil
			})
			require.NoError(t, err)
			runRouter(t, r)
			for i := 0; i < 5; i++ {
				publishUpload(t, b, messages.ImageUploadV1{ProductID: fmt.Sprint("p", i), Revision: 1})
			}
			poison := b.Topology().Name(topology.QueueImageUploads + topology.PoisonSuffix)
			depth := func() int {
				stats, err := insp.PoisonList(context.Background())
				require.NoError(t, err)
				for _, s := range stats {
					if s.Queue == poison {
						return s.Messages
					}
				}
				return -1
			}
			require.Eventually(t, func() bool { return depth() == 5 }, 20*time.Second, 20*time.Millisecond)
			peek, err := insp.PoisonPeek(context.Background(), poison, 10)
			require.NoError(t, err)
			require.Len(t, peek, 5)
			assert.Equal(t, "blob store down", peek[0].Reason)
			assert.Equal(t, "image.intake", peek[0].Handler)
			require.Eventually(t, func() bool { return depth() == 5 }, 5*time.Second, 20*time.Millisecond, "peek leaves them")

			broken.Store(false)
			moved, err := insp.PoisonRequeue(context.Background(), poison, 0)
			require.NoError(t, err)
			assert.Equal(t, 5, moved)
			require.Eventually(t, func() bool { return ok.Load() == 5 }, 20*time.Second, 10*time.Millisecond)
			for i := 0; i < 5; i++ {
				out := nextMessage(t, b, b.Topology().Name(topology.QueueAIProcessing))
				assert.Empty(t, out.Metadata.Get(broker.MetaReason), "requeued messages lose the poison marks")
			}
			assert.Zero(t, depth())
			_, err = insp.PoisonPurge(context.Background(), b.Topology().Name(topology.QueueImageUploads))
			assert.Error(t, err, "only poison queues")
		})
	}
}
