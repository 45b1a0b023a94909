package router

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/broker/rabbitmq/rabbitmqtest"
	"github.com/stox-dev/stox/handlers/texts"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// benchStore accepts what the seo stage records; any other call panics (nil Store).
type benchStore struct{ store.Store }

func (benchStore) PutTexts(context.Context, string, int, map[string]messages.ListingText) error {
	return nil
}

func (benchStore) SetListing(context.Context, string, int, string, store.Listing) error { return nil }

func (benchStore) SetStage(context.Context, string, int, string, store.Stage) error { return nil }

// BenchmarkSEOStageAMQP measures the seo stage through RabbitMQ: ImageEnhancedV1
// messages published with confirms on the images exchange, the seo service's router
// (NewSEO, standard middleware, the real Writer, catalog writes free) consuming them
// and publishing each listing on the marketplaces fanout, and a consumer draining the
// listing queues. A product counts once its listing arrives in the amazon queue.
//
//	go test -run '^$' -bench SEOStageAMQP ./router/
func BenchmarkSEOStageAMQP(b *testing.B) {
	const publishers = 4
	br := rabbitmqtest.New(b, rabbitmqtest.Topology(false))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	require.NoError(b, br.Declare(ctx))

	d := Deps{Broker: br, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Timeout: 30 * time.Second, CloseTimeout: 10 * time.Second}
	d.Retry = middleware.DefaultRetry
	d.Retry.MaxRetries = 0
	seo, err := NewSEO(d, texts.Writer{Store: benchStore{}, PublicBaseURL: "https://cdn.example.com"}.Process)
	require.NoError(b, err)

	total := int64(b.N)
	var arrived atomic.Int64
	done := make(chan struct{})
	sink, err := message.NewRouter(message.RouterConfig{CloseTimeout: 10 * time.Second}, watermill.NopLogger{})
	require.NoError(b, err)
	for _, m := range rabbitmqtest.Marketplaces {
		sub, err := br.Subscriber()
		require.NoError(b, err)
		sink.AddConsumerHandler("bench.sink-"+m, br.Topology().Name(topology.ListingsQueue(m)), sub, func(*message.Message) error {
			if m == messages.Amazon && arrived.Add(1) == total {
				close(done)
			}
			return nil
		})
	}
	var wg sync.WaitGroup
	for _, r := range []*message.Router{seo, sink} {
		wg.Go(func() {
			if err := r.Run(ctx); err != nil {
				b.Error(err)
			}
		})
		<-r.Running()
	}
	defer func() {
		cancel()
		_ = seo.Close()
		_ = sink.Close()
		wg.Wait()
	}()

	pub, err := br.Publisher(br.Topology().Name(topology.ExchangeImages))
	require.NoError(b, err)
	in := messages.ImageEnhancedV1{
		Product: messages.Product{SKU: "TS-1", Name: "ERKEK PAMUKLU BASİC TİŞÖRT KISA KOLLU BİSİKLET YAKA - KARGO BEDAVA",
			Brand: "LC Waikiki", Category: "Giyim > Erkek > Tişört", Price: 199.9, Currency: "TRY", Stock: 10,
			Attributes:   map[string]string{"Renk": "Siyah", "Beden": "L", "Materyal": "%100 Pamuk", "Kalıp": "Regular"},
			Keywords:     []string{"basic tişört", "yazlık", "günlük", "spor", "pamuk"},
			Marketplaces: rabbitmqtest.Marketplaces},
		Analysis: []messages.Analysis{{Photo: 0, Colors: []messages.Color{{Hex: "#111111", EN: "Black", TR: "Siyah", Share: 0.7}}}},
	}
	for _, m := range rabbitmqtest.Marketplaces {
		in.Images = append(in.Images, messages.Image{Photo: 0, Variant: m, Key: m + "/0.jpg", ContentType: "image/jpeg", Width: 1200, Height: 1800})
	}

	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var pw sync.WaitGroup
	for range publishers {
		pw.Go(func() {
			for i := next.Add(1); i <= total; i = next.Add(1) {
				msg := in
				msg.ProductID, msg.Revision = fmt.Sprintf("p%d", i), 1
				wm, err := Encode(msg)
				if err != nil {
					b.Error(err)
					return
				}
				if err := publishThroughBackpressure(pub, topology.KeyImageEnhanced, wm); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	pw.Wait()
	if b.Failed() {
		b.FailNow()
	}
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		b.Fatalf("%d of %d listings arrived", arrived.Load(), total)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Minutes(), "products/min")
}

// publishThroughBackpressure publishes msg, waiting and publishing again while the
// queue is full (backpressure), as a benchmark's publishers must.
func publishThroughBackpressure(pub message.Publisher, key string, msg *message.Message) error {
	for {
		err := pub.Publish(key, msg)
		if !errors.Is(err, broker.ErrQueueFull) {
			return err
		}
		time.Sleep(time.Millisecond)
	}
}
