// Package status gathers what `stox status` prints and `stox monitor` shows: each
// process's own report from its admin server's /status, the queues from RabbitMQ's
// management API (or from the in-memory broker of `stox run`, which its /status
// carries), and the services' Prometheus /metrics, into one Report with four views:
// services, queues, metrics and products.
package status

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// Process is what one process tells about itself on GET /status.
type Process struct {
	Services  []string  `json:"services"`
	Version   string    `json:"version"`
	StartedAt time.Time `json:"started_at"`
	Uptime    float64   `json:"uptime_seconds"`
	Ready     bool      `json:"ready"`
	NotReady  string    `json:"not_ready,omitempty"`
	// Products counts the catalog the process sees (every process shares it).
	Products      *store.Counts `json:"products,omitempty"`
	ProductsError string        `json:"products_error,omitempty"`
	// Queues are the in-memory broker's, only when the process runs on it.
	Queues []memory.QueueStat `json:"queues,omitempty"`
}

// Options say where to gather from.
type Options struct {
	// Targets are admin addresses (host:port); a host name resolving to several
	// addresses (a compose service with replicas) is one instance per address.
	Targets []string
	// RabbitMQAPI is the management API's base URL with its credentials; empty: off.
	RabbitMQAPI string
	// VHost is the virtual host whose queues to show; empty means "/".
	VHost string
	// AdminKey, when set, is sent as a bearer key to the admin endpoints.
	AdminKey string
	// Topology names the queues to show, in its order.
	Topology *topology.Topology
	// Timeout bounds each request; zero means 3 s.
	Timeout time.Duration
	Client  *http.Client
}

// Report is everything gathered at one moment.
type Report struct {
	At        time.Time     `json:"at"`
	Instances []Instance    `json:"services"`
	Queues    Queues        `json:"queues"`
	Metrics   Metrics       `json:"metrics"`
	Products  *store.Counts `json:"products"`
}

// Instance is one process that answered (or did not) at one address.
type Instance struct {
	Target string `json:"target"`
	Addr   string `json:"addr"`
	// Replicas is how many addresses the target's host resolved to.
	Replicas int    `json:"replicas"`
	Error    string `json:"error,omitempty"`
	Process
}

// Gather asks every source at once. prev, the previous report or nil, turns counters
// into rates. A source that fails is reported in the Report, not as an error.
func Gather(ctx context.Context, o Options, prev *Report) Report {
	if o.Client == nil {
		o.Client = http.DefaultClient
	}
	if o.Timeout == 0 {
		o.Timeout = 3 * time.Second
	}
	r := Report{At: time.Now()}
	addrs := resolve(ctx, o.Targets)
	r.Instances = make([]Instance, len(addrs))
	scrapes := make([]scrape, len(addrs))
	var wg sync.WaitGroup
	for i, in := range addrs {
		wg.Go(func() { r.Instances[i] = o.process(ctx, in) })
		wg.Go(func() { scrapes[i] = o.scrape(ctx, in) })
	}
	var rabbit []rabbitQueue
	var rabbitErr error
	if o.RabbitMQAPI != "" {
		wg.Go(func() { rabbit, rabbitErr = o.rabbitQueues(ctx) })
	}
	wg.Wait()
	for i, in := range r.Instances {
		if in.Error != "" {
			scrapes[i].err = nil // said once, in the services view
		}
	}
	for _, in := range r.Instances {
		if in.Products != nil && r.Products == nil {
			r.Products = in.Products
		}
	}
	r.Queues = o.queues(r.Instances, rabbit, rabbitErr, prev, r.At)
	r.Metrics = metricsOf(scrapes, prev, r.At)
	return r
}

// resolve turns targets into one Instance per address, in the targets' order.
func resolve(ctx context.Context, targets []string) []Instance {
	var out []Instance
	for _, t := range targets {
		host, port, err := net.SplitHostPort(t)
		if err != nil {
			out = append(out, Instance{Target: t, Addr: t, Replicas: 1, Error: err.Error()})
			continue
		}
		ips, err := net.DefaultResolver.LookupHost(ctx, host)
		if err != nil {
			out = append(out, Instance{Target: t, Addr: t, Replicas: 1, Error: err.Error()})
			continue
		}
		slices.Sort(ips)
		for _, ip := range slices.Compact(ips) {
			out = append(out, Instance{Target: t, Addr: net.JoinHostPort(ip, port), Replicas: len(ips)})
		}
	}
	return out
}

// process asks one address for its /status.
func (o Options) process(ctx context.Context, in Instance) Instance {
	if in.Error != "" {
		return in
	}
	body, err := o.get(ctx, "http://"+in.Addr+"/status", o.AdminKey)
	if err == nil {
		err = json.Unmarshal(body, &in.Process)
	}
	if err != nil {
		in.Error = err.Error()
	}
	return in
}

// get fetches url, with bearer as its bearer key when set (credentials in url go as
// basic authentication), and returns its body.
func (o Options) get(ctx context.Context, url, bearer string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	res, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer func() { _ = res.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s: %s", redact(url), res.Status, strings.TrimSpace(string(body[:min(len(body), 200)])))
	}
	return body, nil
}
