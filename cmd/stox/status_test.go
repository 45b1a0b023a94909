package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/status"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// statusApp runs every service of cfg in this process against a sandbox, with the
// API and the admin server on httptest servers, until the test ends.
type statusApp struct {
	app   *app
	api   string // base URL
	admin string // host:port
}

func startStatusApp(t *testing.T, cfg Config) statusApp {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sb := httptest.NewServer(sandbox.New(fastSandbox(sandbox.Faults{})))
	t.Cleanup(sb.Close)
	cfg = marketConfig(t, cfg, sb.URL)
	log := errorLog()
	a, err := openApp(ctx, cfg, log)
	require.NoError(t, err)
	var routers []*message.Router
	for _, name := range services {
		r, err := a.router(name)
		require.NoError(t, err, name)
		routers = append(routers, r)
	}
	served := make(chan error, 1)
	go func() { served <- a.serve(ctx, routers, nil) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-served)
		a.close()
	})
	for _, r := range routers {
		<-r.Running()
	}
	h, err := a.apiHandler()
	require.NoError(t, err)
	api := httptest.NewServer(h)
	t.Cleanup(api.Close)
	admin := httptest.NewServer(a.adminServer(routers).Handler)
	t.Cleanup(admin.Close)
	return statusApp{app: a, api: api.URL, admin: strings.TrimPrefix(admin.URL, "http://")}
}

// uploadAndWait uploads n products and waits until the seo stage is done for all
// and each has a listing on every marketplace.
func (s statusApp) uploadAndWait(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		upload(t, s.api, i, 1)
	}
	require.Eventually(t, func() bool {
		c, err := s.app.store.Counts(context.Background())
		require.NoError(t, err)
		for _, m := range messages.Marketplaces {
			if sum(c.Listings[m]) != n {
				return false
			}
		}
		return c.Stages[store.StageSEO][store.StateDone] == n
	}, 2*time.Minute, 100*time.Millisecond)
}

func statusJSON(t *testing.T, cfg Config, f statusFlags) status.Report {
	t.Helper()
	var out bytes.Buffer
	require.NoError(t, printStatus(context.Background(), f.optionsOf(cfg), true, &out))
	var r status.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &r), out.String())
	return r
}

// TestStatusInProcess runs `stox status --json` against a pipeline in one process
// (as stox run serves it): one instance running every service, ready, with the
// in-memory broker's queues, the stages' metrics and the catalog's counts.
func TestStatusInProcess(t *testing.T) {
	t.Parallel()
	cfg := baseConfig(t)
	s := startStatusApp(t, cfg)
	const n = 3
	s.uploadAndWait(t, n)

	r := statusJSON(t, cfg, statusFlags{targets: []string{s.admin}, rabbitmqAPI: "off"})
	require.Len(t, r.Instances, 1)
	in := r.Instances[0]
	assert.Empty(t, in.Error)
	assert.True(t, in.Ready, in.NotReady)
	assert.Equal(t, services, in.Services)
	assert.Equal(t, 1, in.Replicas)
	assert.Positive(t, in.Uptime)

	assert.Equal(t, "memory", r.Queues.Source)
	topo := topology.New("", false, messages.Marketplaces)
	var names []string
	for _, q := range r.Queues.Queues {
		names = append(names, q.Name)
		assert.Positive(t, q.Consumers, q.Name)
		assert.Zero(t, q.Poison, q.Name)
	}
	for _, q := range topo.Queues {
		assert.Equal(t, !q.Poison, slices.Contains(names, q.Name), "%s listed iff it is a work queue", q.Name)
	}
	uploads := r.Queues.Queues[slices.Index(names, topology.QueueImageUploads)]
	assert.Equal(t, uint64(n), uploads.Published)
	assert.Equal(t, uint64(n), uploads.Delivered)

	require.NotNil(t, r.Products)
	assert.Equal(t, n, r.Products.Products)
	assert.Equal(t, map[string]int{store.StateDone: n}, r.Products.Stages[store.StageImages])
	assert.Equal(t, map[string]int{store.StateDone: n}, r.Products.Stages[store.StageSEO])
	for _, m := range messages.Marketplaces {
		assert.Equal(t, n, sum(r.Products.Listings[m]), m)
	}

	assert.Empty(t, r.Metrics.Errors)
	var ok int64
	for _, st := range r.Metrics.Stages {
		if st.Service == "image" {
			ok += st.OK
			require.NotNil(t, st.P50, st.Handler)
			assert.LessOrEqual(t, *st.P50, *st.P99, st.Handler)
		}
	}
	assert.Equal(t, int64(n), ok, "the image stage's messages, counted from its /metrics")

	// A second report turns counters into rates.
	f := statusFlags{targets: []string{s.admin}, rabbitmqAPI: "off"}
	second := status.Gather(context.Background(), f.optionsOf(cfg), &r)
	assert.NotNil(t, second.Queues.Queues[0].PublishRate)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// TestStatusRabbitMQ runs `stox status --json` against services on RabbitMQ: the
// queues come from the management API, with the test's prefix.
func TestStatusRabbitMQ(t *testing.T) {
	t.Parallel()
	cfg := rabbitConfig(t)
	mgmt := testenv.ManagementURL(t)
	s := startStatusApp(t, cfg)
	s.uploadAndWait(t, 2)

	// The management API's counts trail by its statistics interval (5 s by default).
	var r status.Report
	require.Eventually(t, func() bool {
		r = statusJSON(t, cfg, statusFlags{targets: []string{s.admin}, rabbitmqAPI: mgmt})
		return len(r.Queues.Queues) > 0 && r.Queues.Queues[0].Consumers > 0
	}, time.Minute, time.Second, "the management API shows the consumers")
	require.Len(t, r.Instances, 1)
	assert.True(t, r.Instances[0].Ready, r.Instances[0].NotReady)
	assert.Equal(t, "rabbitmq", r.Queues.Source)
	assert.Empty(t, r.Queues.Error)
	require.NotEmpty(t, r.Queues.Queues)
	for _, q := range r.Queues.Queues {
		assert.True(t, strings.HasPrefix(q.Name, cfg.Prefix), q.Name)
		assert.Positive(t, q.Consumers, q.Name)
		assert.NotNil(t, q.PublishRate, q.Name)
	}
	assert.Equal(t, cfg.Prefix+topology.QueueImageUploads, r.Queues.Queues[0].Name)
	require.NotNil(t, r.Products)
	assert.Equal(t, 2, r.Products.Stages[store.StageSEO][store.StateDone])
}

// TestStatusDown reports a service that does not answer, once.
func TestStatusDown(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens there any more
	r := statusJSON(t, baseConfig(t), statusFlags{targets: []string{strings.TrimPrefix(srv.URL, "http://")}, rabbitmqAPI: "off"})
	require.Len(t, r.Instances, 1)
	assert.Contains(t, r.Instances[0].Error, "refused")
	assert.False(t, r.Instances[0].Ready)
	assert.Empty(t, r.Metrics.Errors, "a service down is said once, in the services view")
	assert.Nil(t, r.Products)
}
