package router

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"
)

// BenchmarkAMQPHop measures one pipeline hop on RabbitMQ as services run it: a
// confirmed publish through Broker.Publisher, routing by the topic exchange into a
// classic work queue, and a Watermill router handler that consumes and acks, with
// 1 KiB payloads. Compare msgs/s with ../shared/tools/amqpref (same payload size,
// classic queue) measured in the same run.
//
//	go test -run '^$' -bench AMQPHop ./router/
func BenchmarkAMQPHop(b *testing.B) {
	const (
		payloadSize = 1024
		publishers  = 16
		// Each subscription handles one message at a time: this is the worker count.
		subscriptions = 4
	)
	br := newTestAMQP(b, false, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(b, br.Declare(ctx))
	pub, err := br.Publisher(br.topo.Name(ExchangeImages))
	require.NoError(b, err)

	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NopLogger{})
	require.NoError(b, err)
	total := int64(b.N)
	var consumed atomic.Int64
	done := make(chan struct{})
	for i := range subscriptions {
		sub, err := br.Subscriber()
		require.NoError(b, err)
		r.AddConsumerHandler(fmt.Sprintf("bench.hop-%d", i), br.topo.Name(QueueImageUploads), sub, func(*message.Message) error {
			if consumed.Add(1) == total {
				close(done)
			}
			return nil
		})
	}
	go func() {
		if err := r.Run(ctx); err != nil {
			b.Error(err)
		}
	}()
	<-r.Running()
	defer func() { _ = r.Close() }()

	payload := bytes.Repeat([]byte("s"), payloadSize)
	b.SetBytes(payloadSize)
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range publishers {
		wg.Go(func() {
			for next.Add(1) <= total {
				msg := message.NewMessage(watermill.NewUUID(), payload)
				if err := publishThroughBackpressure(pub, KeyImageUpload, msg); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("consumed %d of %d", consumed.Load(), total)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// publishThroughBackpressure publishes msg, waiting and publishing again while the
// queue is full (backpressure), as a benchmark's publishers must.
func publishThroughBackpressure(pub message.Publisher, key string, msg *message.Message) error {
	for {
		err := pub.Publish(key, msg)
		if !errors.Is(err, ErrQueueFull) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
}
