package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/topology"
)

// readyz asks the admin server's /readyz and returns its status and body.
func readyz(t *testing.T, base string) (int, string) {
	t.Helper()
	res, err := http.Get(base + "/readyz")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

// TestReadyzFollowsTheBrokerConnection: /readyz answers 503 "RabbitMQ connection
// down" while the service's connection to RabbitMQ is cut (a loopback proxy in
// between is closed), and 200 again once it has reconnected. The in-memory broker is
// always ready.
func TestReadyzFollowsTheBrokerConnection(t *testing.T) {
	u, err := url.Parse(testenv.AMQPURL(t))
	require.NoError(t, err)
	proxy := testenv.NewProxy(t, u.Host)
	u.Host = proxy.Addr()
	cfg := baseConfig(t)
	cfg.AMQPURL = u.String()
	cfg.Prefix = testenv.Unique("ready") + "."
	t.Cleanup(func() { deleteTopology(t, testenv.AMQPURL(t), topology.New(cfg.Prefix, false, messages.Marketplaces)) })
	log := slog.New(slog.DiscardHandler)
	a, err := openApp(context.Background(), cfg, log)
	require.NoError(t, err)
	defer a.close()
	srv := httptest.NewServer(a.adminServer(nil).Handler)
	defer srv.Close()

	status, body := readyz(t, srv.URL)
	require.Equal(t, http.StatusOK, status, body)

	proxy.Cut()
	require.Eventually(t, func() bool {
		status, body = readyz(t, srv.URL)
		return status == http.StatusServiceUnavailable
	}, 10*time.Second, 20*time.Millisecond, "readyz still %d %q with the broker cut off", status, body)
	assert.Contains(t, body, "RabbitMQ connection down")

	proxy.Restore()
	require.Eventually(t, func() bool {
		status, body = readyz(t, srv.URL)
		return status == http.StatusOK
	}, 30*time.Second, 100*time.Millisecond, "readyz still %d %q after the broker came back", status, body)

	mem, err := openApp(context.Background(), baseConfig(t), log)
	require.NoError(t, err)
	defer mem.close()
	memSrv := httptest.NewServer(mem.adminServer(nil).Handler)
	defer memSrv.Close()
	status, body = readyz(t, memSrv.URL)
	assert.Equal(t, http.StatusOK, status, body)
}

// TestServeStopFinishesInFlight: serve, stopped as SIGTERM stops it, lets the
// message in flight finish with its context intact, publishes its output and acks
// it; it is not delivered again.
func TestServeStopFinishesInFlight(t *testing.T) {
	cfg := baseConfig(t)
	cfg.AMQPURL = testenv.AMQPURL(t)
	cfg.Prefix = testenv.Unique("stop") + "."
	topo := topology.New(cfg.Prefix, false, messages.Marketplaces)
	t.Cleanup(func() { deleteTopology(t, cfg.AMQPURL, topo) })
	a, err := openApp(context.Background(), cfg, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	defer a.close()

	started := make(chan struct{}, 1)
	release := make(chan struct{})
	cut := make(chan error, 1)
	r, err := router.NewImage(a.deps(), func(ctx context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
		started <- struct{}{}
		select {
		case <-release:
		case <-ctx.Done():
		}
		cut <- ctx.Err()
		return messages.ImageProcessV1{ProductID: in.ProductID, Revision: in.Revision, Variants: []string{"x"}}, nil
	})
	require.NoError(t, err)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- a.serve(ctx, []*message.Router{r}, nil) }()
	<-r.Running()

	pub, err := a.broker.Publisher(topo.Name(topology.ExchangeImages))
	require.NoError(t, err)
	msg, err := router.Encode(messages.ImageUploadV1{ProductID: "p1", Revision: 1})
	require.NoError(t, err)
	require.NoError(t, pub.Publish(topology.KeyImageUpload, msg))
	select {
	case <-started:
	case <-time.After(15 * time.Second):
		t.Fatal("the handler never started")
	}

	stop() // what SIGTERM does to serve's context
	select {
	case err := <-cut:
		t.Fatalf("the handler was cut short by the stop: %v", err)
	case <-time.After(500 * time.Millisecond):
	}
	close(release)
	require.NoError(t, <-cut, "the handler's context was not cancelled")
	select {
	case err := <-served:
		require.NoError(t, err)
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not return")
	}
	a.close()

	conn, err := amqp091.Dial(cfg.AMQPURL)
	require.NoError(t, err)
	defer conn.Close()
	ch, err := conn.Channel()
	require.NoError(t, err)
	depth := func(q string) int {
		st, err := ch.QueueDeclarePassive(topo.Name(q), true, false, false, false, nil)
		require.NoError(t, err)
		return st.Messages
	}
	assert.Equal(t, 0, depth(topology.QueueImageUploads), "acked, not back in its queue")
	assert.Equal(t, 1, depth(topology.QueueAIProcessing), "its output was published")
	assert.Equal(t, 0, depth(topology.QueueImageUploads+topology.PoisonSuffix))
}
