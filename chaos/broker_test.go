package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/topology"
)

// rabbitBin is where Debian's rabbitmq-server keeps the real scripts; /usr/sbin's
// wrappers would switch to the rabbitmq user and the machine's node.
const rabbitBin = "/usr/lib/rabbitmq/bin"

// rabbitNode is a RabbitMQ node of this test's own: its own node name, AMQP and
// distribution ports, data and logs in a temp dir, no plugins; the machine's epmd.
type rabbitNode struct {
	t        *testing.T
	name     string // stoxchaos…@localhost
	port     int
	dist     int
	home     string // shared by a cluster's nodes: the Erlang cookie
	dir      string
	peers    []string // classic_config peers, for a cluster
	cmd      *exec.Cmd
	done     chan struct{}
	restarts int
}

// URL is the node's AMQP URL.
func (n *rabbitNode) URL() string { return fmt.Sprintf("amqp://guest:guest@127.0.0.1:%d/", n.port) }

// newRabbitNodes creates count nodes (not started) sharing one cookie; more than one
// form a cluster by classic peer discovery.
func newRabbitNodes(t *testing.T, count int) []*rabbitNode {
	t.Helper()
	if _, err := os.Stat(filepath.Join(rabbitBin, "rabbitmq-server")); err != nil {
		t.Skipf("no rabbitmq-server at %s: %v", rabbitBin, err)
	}
	home := t.TempDir()
	base := testenv.Unique("stoxchaos")
	var names []string
	for i := range count {
		names = append(names, fmt.Sprintf("%s%d@localhost", base, i+1))
	}
	nodes := make([]*rabbitNode, count)
	for i := range nodes {
		n := &rabbitNode{t: t, name: names[i], home: home, dir: filepath.Join(home, fmt.Sprint(i+1))}
		n.port, n.dist = freePort(t), freePort(t)
		if count > 1 {
			n.peers = names
		}
		if err := os.MkdirAll(n.dir, 0o755); err != nil {
			t.Fatal(err)
		}
		conf := fmt.Sprintf("listeners.tcp.local = 127.0.0.1:%d\n", n.port)
		for k, p := range n.peers {
			if k == 0 {
				conf += "cluster_formation.peer_discovery_backend = classic_config\n"
			}
			conf += fmt.Sprintf("cluster_formation.classic_config.nodes.%d = %s\n", k+1, p)
		}
		for file, body := range map[string]string{"rabbitmq.conf": conf, "enabled_plugins": "[].\n", "env.conf": ""} {
			if err := os.WriteFile(filepath.Join(n.dir, file), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		nodes[i] = n
		t.Cleanup(n.kill)
	}
	return nodes
}

func (n *rabbitNode) environ() []string {
	return append(os.Environ(),
		"HOME="+n.home,
		"RABBITMQ_NODENAME="+n.name,
		fmt.Sprintf("RABBITMQ_NODE_PORT=%d", n.port),
		fmt.Sprintf("RABBITMQ_DIST_PORT=%d", n.dist),
		"RABBITMQ_CONFIG_FILE="+filepath.Join(n.dir, "rabbitmq.conf"),
		"RABBITMQ_CONF_ENV_FILE="+filepath.Join(n.dir, "env.conf"),
		"RABBITMQ_ENABLED_PLUGINS_FILE="+filepath.Join(n.dir, "enabled_plugins"),
		"RABBITMQ_MNESIA_BASE="+filepath.Join(n.dir, "mnesia"),
		"RABBITMQ_LOG_BASE="+filepath.Join(n.dir, "log"),
		"ERL_EPMD_ADDRESS=127.0.0.1",
	)
}

// start starts the node (again, with its data) and waits until it takes AMQP
// connections.
func (n *rabbitNode) start() {
	n.t.Helper()
	log, err := os.OpenFile(filepath.Join(n.dir, "server.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		n.t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(rabbitBin, "rabbitmq-server"))
	cmd.Env = n.environ()
	cmd.Dir = n.dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		n.t.Fatalf("start %s: %v", n.name, err)
	}
	n.cmd, n.done = cmd, make(chan struct{})
	go func() { _ = cmd.Wait(); _ = log.Close(); close(n.done) }()
	n.waitUp(90 * time.Second)
}

// waitUp waits until the node accepts an AMQP connection.
func (n *rabbitNode) waitUp(limit time.Duration) {
	n.t.Helper()
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case <-n.done:
			n.t.Fatalf("RabbitMQ node %s exited while starting; see %s", n.name, n.dir)
		default:
		}
		if c, err := amqp091.Dial(n.URL()); err == nil {
			_ = c.Close()
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	n.t.Fatalf("RabbitMQ node %s not up after %s; see %s", n.name, limit, n.dir)
}

// ctl runs rabbitmqctl against the node.
func (n *rabbitNode) ctl(args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(rabbitBin, "rabbitmqctl"), append([]string{"-n", n.name}, args...)...)
	cmd.Env = n.environ()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// stop shuts the node down gracefully (rabbitmqctl shutdown) and waits for its exit.
func (n *rabbitNode) stop() {
	n.t.Helper()
	if out, err := n.ctl("shutdown"); err != nil {
		n.t.Logf("rabbitmqctl shutdown %s: %v: %s; killing it", n.name, err, out)
		n.kill()
		return
	}
	select {
	case <-n.done:
	case <-time.After(time.Minute):
		n.t.Errorf("RabbitMQ node %s did not exit within a minute of shutdown; killed", n.name)
		n.kill()
	}
}

// kill ends the node's process group (cleanup).
func (n *rabbitNode) kill() {
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-n.done:
	case <-time.After(10 * time.Second):
	}
}

// startCluster starts nodes: the first alone, then the others, which join it, and
// waits until every node runs in one cluster.
func startCluster(t *testing.T, nodes []*rabbitNode) {
	t.Helper()
	nodes[0].start()
	for _, n := range nodes[1:] {
		n.start()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := nodes[0].ctl("cluster_status", "--formatter", "json")
		var st struct {
			Running []string `json:"running_nodes"`
		}
		if err == nil && json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &st) == nil && len(st.Running) == len(nodes) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster of %d nodes not formed: %v %s", len(nodes), err, out)
		}
		time.Sleep(time.Second)
	}
}

// postgres is a PostgreSQL server of this test's own (initdb into a temp dir, run as
// the postgres user, trust auth, loopback only), so it can be stopped without
// touching the machine's.
type postgres struct {
	t    *testing.T
	bin  string
	dir  string
	port int
}

func newPostgres(t *testing.T) *postgres {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(bins) == 0 {
		t.Skip("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
	}
	dir, err := os.MkdirTemp("", "stox-chaos-pg-")
	if err != nil {
		t.Fatal(err)
	}
	pg := &postgres{t: t, bin: filepath.Dir(bins[len(bins)-1]), dir: dir, port: freePort(t)}
	t.Cleanup(func() {
		_, _ = pg.run("pg_ctl", "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop")
		_ = os.RemoveAll(dir)
	})
	if out, err := exec.Command("chown", "postgres", dir).CombinedOutput(); err != nil {
		t.Skipf("chown %s to postgres: %v %s", dir, err, out)
	}
	if out, err := pg.run("initdb", "-D", filepath.Join(dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v: %s", err, out)
	}
	pg.start()
	return pg
}

// run runs a PostgreSQL binary as the postgres user (initdb refuses root).
func (pg *postgres) run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	all := []string{filepath.Join(pg.bin, name)}
	if os.Geteuid() == 0 {
		all = append([]string{"runuser", "-u", "postgres", "--"}, all...)
	}
	out, err := exec.CommandContext(ctx, all[0], append(all[1:], args...)...).CombinedOutput()
	return string(out), err
}

// URL is the server's postgres database.
func (pg *postgres) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

func (pg *postgres) start() {
	pg.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", pg.port, pg.dir)
	if out, err := pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-l", filepath.Join(pg.dir, "server.log"), "-o", opts, "-w", "start"); err != nil {
		pg.t.Fatalf("pg_ctl start: %v: %s", err, out)
	}
}

// stop stops the server, ending every connection (pg_ctl stop -m fast).
func (pg *postgres) stop() {
	pg.t.Helper()
	if out, err := pg.run("pg_ctl", "-D", filepath.Join(pg.dir, "data"), "-m", "fast", "-w", "stop"); err != nil {
		pg.t.Fatalf("pg_ctl stop: %v: %s", err, out)
	}
}

// freePort is a loopback port free right now, below 45000 so that RabbitMQ's CLI
// (distribution port + 10000) stays in range.
func freePort(t *testing.T) int {
	t.Helper()
	for range 100 {
		p := 20000 + rand.IntN(25000)
		ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
		if err == nil {
			_ = ln.Close()
			return p
		}
	}
	t.Fatal("no free port")
	return 0
}

// deleteTopology removes a run's prefixed queues and exchanges from the broker.
func deleteTopology(t *testing.T, url string, topo *topology.Topology) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, q := range topo.Queues {
		_, _ = ch.QueueDelete(q.Name, false, false, false)
	}
	for _, e := range topo.Exchanges {
		_ = ch.ExchangeDelete(e.Name, false, false)
	}
}

// depth is the number of ready messages in a queue, -1 when it cannot be read.
func depth(url, queue string) int {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return -1
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return -1
	}
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	if err != nil {
		return -1
	}
	return q.Messages
}

// backlog is the ready messages of every work queue of topo, by queue (prefix cut),
// or an error when the broker cannot be read.
func backlog(url string, topo *topology.Topology) (map[string]int, error) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	out := map[string]int{}
	for _, q := range topo.Queues {
		if q.Poison {
			continue
		}
		ch, err := conn.Channel()
		if err != nil {
			return nil, err
		}
		st, err := ch.QueueDeclarePassive(q.Name, true, false, false, false, nil)
		_ = ch.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", q.Name, err)
		}
		if st.Messages > 0 {
			out[strings.TrimPrefix(q.Name, topo.Prefix)] = st.Messages
		}
	}
	return out, nil
}

// copyQueue reads up to n messages of a queue without taking them: they are
// received unacknowledged and go back when the channel closes.
func copyQueue(t *testing.T, url, queue string, n int) []amqp091.Delivery {
	t.Helper()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatalf("copy %s: %v", queue, err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("copy %s: %v", queue, err)
	}
	var out []amqp091.Delivery
	for len(out) < n {
		d, ok, err := ch.Get(queue, false)
		if err != nil {
			t.Fatalf("copy %s: %v", queue, err)
		}
		if !ok {
			break
		}
		out = append(out, d)
	}
	return out
}

// republish publishes copies of deliveries again to queue (through the default
// exchange, so only that queue's consumer sees them twice), headers and properties
// kept, with publisher confirms.
func republish(t *testing.T, url, queue string, ds []amqp091.Delivery) {
	t.Helper()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatalf("republish to %s: %v", queue, err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatalf("republish to %s: %v", queue, err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		c, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), "", queue, false, false, amqp091.Publishing{
			Headers: d.Headers, ContentType: d.ContentType, DeliveryMode: amqp091.Persistent,
			MessageId: d.MessageId, CorrelationId: d.CorrelationId, Timestamp: d.Timestamp, Body: d.Body,
		})
		if err != nil {
			t.Fatalf("republish to %s: %v", queue, err)
		}
		if ok, err := c.WaitContext(context.Background()); err != nil || !ok {
			t.Fatalf("republish to %s: not confirmed (%v)", queue, err)
		}
	}
}

// fill publishes undecodable messages (the queue's schema, a broken payload) to queue
// until the broker refuses one (x-overflow reject-publish) and returns how many it took.
func fill(t *testing.T, url, queue, schema string, limit int) int {
	t.Helper()
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Fatalf("fill %s: %v", queue, err)
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Confirm(false); err != nil {
		t.Fatal(err)
	}
	const window = 200
	n := 0
	for n < limit+window {
		var cs []*amqp091.DeferredConfirmation
		for range window {
			c, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), "", queue, false, false, amqp091.Publishing{
				Headers: amqp091.Table{"schema": schema}, ContentType: "application/json",
				DeliveryMode: amqp091.Persistent, MessageId: fmt.Sprintf("chaos-filler-%d", n+len(cs)),
				Body: []byte(`{"chaos filler": not json`),
			})
			if err != nil {
				t.Fatalf("fill %s: %v", queue, err)
			}
			cs = append(cs, c)
		}
		refused := false
		for _, c := range cs {
			if ok, _ := c.WaitContext(context.Background()); ok {
				n++
			} else {
				refused = true
			}
		}
		if refused {
			return n
		}
	}
	t.Fatalf("fill %s: %d messages taken, no refusal (x-max-length missing?)", queue, n)
	return n
}
