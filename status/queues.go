package status

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/topology"
)

// Queues is the queues view: every work queue of the topology with its poison
// queue's count beside it.
type Queues struct {
	// Source is where the counts come from: "rabbitmq", "memory" (stox run) or ""
	// (neither answered, or none is set up).
	Source string  `json:"source"`
	Error  string  `json:"error,omitempty"`
	Queues []Queue `json:"queues"`
}

// Queue is one work queue. Rates are messages a second, null when unknown (the
// first report of the in-memory broker's counters).
type Queue struct {
	Name        string   `json:"name"`
	Ready       int      `json:"ready"`
	Unacked     int      `json:"unacked"`
	Consumers   int      `json:"consumers"`
	PublishRate *float64 `json:"publish_rate"`
	DeliverRate *float64 `json:"deliver_rate"`
	// Poison is how many messages its poison queue holds.
	Poison int `json:"poison"`
	// Published and Delivered are the in-memory broker's counters (zero on RabbitMQ,
	// which gives rates).
	Published uint64 `json:"published,omitempty"`
	Delivered uint64 `json:"delivered,omitempty"`
}

// rabbitQueue is the part of a queue the management API's /api/queues gives.
type rabbitQueue struct {
	Name      string `json:"name"`
	Ready     int    `json:"messages_ready"`
	Unacked   int    `json:"messages_unacknowledged"`
	Consumers int    `json:"consumers"`
	Stats     struct {
		Publish struct {
			Rate float64 `json:"rate"`
		} `json:"publish_details"`
		Deliver struct {
			Rate float64 `json:"rate"`
		} `json:"deliver_get_details"`
	} `json:"message_stats"`
}

// ManagementURL is the management API that RabbitMQ at amqpURL most likely serves:
// the same host on port 15672 with the same user and password ("" when amqpURL is
// empty). VHost is amqpURL's virtual host.
func ManagementURL(amqpURL string) string {
	u, err := url.Parse(amqpURL)
	if err != nil || amqpURL == "" || u.Hostname() == "" {
		return ""
	}
	scheme := "http"
	if u.Scheme == "amqps" {
		scheme = "https"
	}
	m := url.URL{Scheme: scheme, User: u.User, Host: net.JoinHostPort(u.Hostname(), "15672")}
	return m.String()
}

// VHost is the virtual host of amqpURL: its path, "/" when it has none.
func VHost(amqpURL string) string {
	u, err := url.Parse(amqpURL)
	if err != nil || strings.TrimPrefix(u.Path, "/") == "" {
		return "/"
	}
	return strings.TrimPrefix(u.Path, "/")
}

// rabbitQueues lists the queues of the virtual host from the management API.
func (o Options) rabbitQueues(ctx context.Context) ([]rabbitQueue, error) {
	vhost := o.VHost
	if vhost == "" {
		vhost = "/"
	}
	api := strings.TrimSuffix(o.RabbitMQAPI, "/") + "/api/queues/" + url.PathEscape(vhost) +
		"?columns=name,messages_ready,messages_unacknowledged,consumers," +
		"message_stats.publish_details.rate,message_stats.deliver_get_details.rate"
	body, err := o.get(ctx, api, "")
	if err != nil {
		return nil, err
	}
	var qs []rabbitQueue
	if err := json.Unmarshal(body, &qs); err != nil {
		return nil, fmt.Errorf("management API queues: %w", err)
	}
	return qs, nil
}

// queues builds the queues view from the in-memory broker's counts, when a process
// runs one, or else from RabbitMQ's.
func (o Options) queues(ins []Instance, rabbit []rabbitQueue, rabbitErr error, prev *Report, at time.Time) Queues {
	for _, in := range ins {
		if len(in.Queues) > 0 {
			return memoryQueues(o.Topology, in.Queues, prev, at)
		}
	}
	if o.RabbitMQAPI == "" {
		return Queues{Queues: []Queue{}}
	}
	if rabbitErr != nil {
		return Queues{Source: "rabbitmq", Error: rabbitErr.Error(), Queues: []Queue{}}
	}
	byName := map[string]rabbitQueue{}
	for _, q := range rabbit {
		byName[q.Name] = q
	}
	v := Queues{Source: "rabbitmq", Queues: []Queue{}}
	var missing []string
	for _, tq := range workQueues(o.Topology) {
		q, ok := byName[tq]
		if !ok {
			missing = append(missing, tq)
			continue
		}
		p := byName[tq+topology.PoisonSuffix]
		v.Queues = append(v.Queues, Queue{Name: q.Name, Ready: q.Ready, Unacked: q.Unacked, Consumers: q.Consumers,
			PublishRate: &q.Stats.Publish.Rate, DeliverRate: &q.Stats.Deliver.Rate, Poison: p.Ready + p.Unacked})
	}
	if len(missing) > 0 {
		v.Error = "not declared on RabbitMQ: " + strings.Join(missing, ", ")
	}
	return v
}

func memoryQueues(topo *topology.Topology, stats []memory.QueueStat, prev *Report, at time.Time) Queues {
	byName := map[string]memory.QueueStat{}
	for _, s := range stats {
		byName[s.Name] = s
	}
	before := map[string]Queue{}
	var dt float64
	if prev != nil && prev.Queues.Source == "memory" {
		dt = at.Sub(prev.At).Seconds()
		for _, q := range prev.Queues.Queues {
			before[q.Name] = q
		}
	}
	v := Queues{Source: "memory", Queues: []Queue{}}
	for _, name := range workQueues(topo) {
		s, ok := byName[name]
		if !ok {
			continue
		}
		p := byName[name+topology.PoisonSuffix]
		q := Queue{Name: name, Ready: s.Ready, Unacked: s.Unacked, Consumers: s.Consumers,
			Poison: p.Ready + p.Unacked, Published: s.Published, Delivered: s.Delivered}
		if b, ok := before[name]; ok && dt > 0 {
			q.PublishRate = rate(s.Published, b.Published, dt)
			q.DeliverRate = rate(s.Delivered, b.Delivered, dt)
		}
		v.Queues = append(v.Queues, q)
	}
	return v
}

// rate is (now-before)/dt, or nil when the counter went back (a restart).
func rate(now, before uint64, dt float64) *float64 {
	if now < before {
		return nil
	}
	r := float64(now-before) / dt
	return &r
}

// workQueues are the topology's queues that are not poison queues, in its order.
func workQueues(topo *topology.Topology) []string {
	var out []string
	for _, q := range topo.Queues {
		if !q.Poison {
			out = append(out, q.Name)
		}
	}
	return out
}

// redact hides a URL's password.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
