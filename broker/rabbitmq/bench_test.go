//go:build unix

package rabbitmq

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/topology"
)

// benchPayload is the message size of both hop benchmarks.
const benchPayload = 1024

// BenchmarkHop measures one pipeline hop on RabbitMQ twice in one run, so that their
// ratio holds even on a shared machine whose absolute numbers move:
//
//   - stox: as services run it: confirmed publishes through Broker.Publisher from 256
//     goroutines (as many in flight as amqp091's window below), routing by the topic
//     exchange into a classic work queue with the production arguments, and a
//     Watermill router whose 4 subscriptions (production prefetch) consume and ack.
//   - amqp091: the ceiling, what the broker itself carries on the same exchange, queue
//     arguments, routing key, persistent 1 KiB messages: the plain amqp091 client
//     publishing with pipelined confirms (256 in flight) and one consumer acking each
//     message with a prefetch of 100.
//
// Both report msgs/s from the first publish to the last ack, the client's CPU per
// message (the broker runs on the same machine, so client CPU is broker CPU lost), and
// how many publishes a full queue refused; `make bench` prints their ratio.
//
//	go test -run '^$' -bench Hop ./broker/rabbitmq/
func BenchmarkHop(b *testing.B) {
	b.Run("stox", benchmarkHopStox)
	b.Run("amqp091", benchmarkHopAMQP091)
}

func benchmarkHopStox(b *testing.B) {
	const (
		publishers = 256
		// Each subscription handles one message at a time: this is the worker count.
		subscriptions = 4
	)
	br := newTestBroker(b, false, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(b, br.Declare(ctx))
	pub, err := br.Publisher(br.topo.Name(topology.ExchangeImages))
	require.NoError(b, err)

	r, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NopLogger{})
	require.NoError(b, err)
	total := int64(b.N)
	var consumed atomic.Int64
	done := make(chan struct{})
	for i := range subscriptions {
		sub, err := br.Subscriber()
		require.NoError(b, err)
		r.AddConsumerHandler(fmt.Sprintf("bench.hop-%d", i), br.topo.Name(topology.QueueImageUploads), sub, func(*message.Message) error {
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

	payload := bytes.Repeat([]byte("s"), benchPayload)
	b.SetBytes(benchPayload)
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range publishers {
		wg.Go(func() {
			for next.Add(1) <= total {
				msg := message.NewMessage(watermill.NewUUID(), payload)
				if err := publishThroughBackpressure(pub, topology.KeyImageUpload, msg); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	finish(b, done, &consumed, start, cpu0)
}

func benchmarkHopAMQP091(b *testing.B) {
	const (
		window   = 256
		prefetch = 100
	)
	br := newTestBroker(b, false, nil)
	require.NoError(b, br.Declare(context.Background()))
	exchange, queue := br.topo.Name(topology.ExchangeImages), br.topo.Name(topology.QueueImageUploads)

	pubConn, err := amqp091.Dial(br.cfg.URL)
	require.NoError(b, err)
	defer func() { _ = pubConn.Close() }()
	subConn, err := amqp091.Dial(br.cfg.URL)
	require.NoError(b, err)
	defer func() { _ = subConn.Close() }()
	pub, err := pubConn.Channel()
	require.NoError(b, err)
	require.NoError(b, pub.Confirm(false))
	sub, err := subConn.Channel()
	require.NoError(b, err)
	require.NoError(b, sub.Qos(prefetch, 0, false))
	deliveries, err := sub.Consume(queue, "", false, false, false, false, nil)
	require.NoError(b, err)

	total := int64(b.N)
	var consumed atomic.Int64
	done := make(chan struct{})
	go func() {
		for d := range deliveries {
			_ = d.Ack(false)
			if consumed.Add(1) == total {
				close(done)
			}
		}
	}()

	publishing := amqp091.Publishing{DeliveryMode: amqp091.Persistent, ContentType: "application/json",
		Body: bytes.Repeat([]byte("s"), benchPayload)}
	publish := func() (*amqp091.DeferredConfirmation, error) {
		return pub.PublishWithDeferredConfirmWithContext(context.Background(), exchange, topology.KeyImageUpload, false, false, publishing)
	}
	b.SetBytes(benchPayload)
	cpu0 := cpuTime()
	b.ResetTimer()
	start := time.Now()
	// One goroutine publishes; a confirm is awaited beside it, so up to window
	// publishes are in flight. A nack (a full queue) publishes the message again, as
	// the stox publishers do.
	inflight := make(chan struct{}, window)
	var wg sync.WaitGroup
	for range b.N {
		inflight <- struct{}{}
		dc, err := publish()
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			defer func() { <-inflight }()
			for !dc.Wait() {
				refused.Add(1)
				time.Sleep(time.Millisecond)
				var err error
				if dc, err = publish(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	finish(b, done, &consumed, start, cpu0)
}

// finish waits for the consumers to have acked every message, then reports msgs/s
// since start, the publishes a full queue refused and the CPU per message since cpu0.
func finish(b *testing.B, done <-chan struct{}, consumed *atomic.Int64, start time.Time, cpu0 time.Duration) {
	if b.Failed() {
		b.FailNow()
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("consumed %d of %d", consumed.Load(), b.N)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
	b.ReportMetric(float64(refused.Swap(0)), "refused")
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-us/msg")
}

// publishThroughBackpressure publishes msg, waiting and publishing again while the
// queue is full (backpressure), as a benchmark's publishers must.
func publishThroughBackpressure(pub message.Publisher, key string, msg *message.Message) error {
	for {
		err := pub.Publish(key, msg)
		if !errors.Is(err, broker.ErrQueueFull) {
			return err
		}
		refused.Add(1)
		time.Sleep(time.Millisecond)
	}
}

// refused counts publishes the broker refused because the queue was full, published
// again after a millisecond.
var refused atomic.Int64

// cpuTime is the process's user+system CPU time so far: the client's share of a
// machine it shares with the broker.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
