package chaos

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store/storetest"
	"github.com/stox-dev/stox/topology"
)

// services are the `stox serve` services, in start order.
var services = append([]string{"image", "ai", "seo", "sync"}, messages.Marketplaces...)

// apiKey is the image service's bearer key in every run.
const apiKey = "chaos-key-0123456789abcdef"

// infra is where a run's services find RabbitMQ and PostgreSQL.
type infra struct {
	// amqp is the broker URL of each service ("" key: every service).
	amqp   map[string]string
	dbURL  string
	quorum bool
}

// amqpURL is the broker URL service name connects to.
func (in infra) amqpURL(name string) string {
	if u, ok := in.amqp[name]; ok {
		return u
	}
	return in.amqp[""]
}

// sharedInfra is the machine's RabbitMQ and PostgreSQL, isolated by a prefix and a
// schema of this test's own.
func sharedInfra(t *testing.T) infra {
	return infra{amqp: map[string]string{"": testenv.AMQPURL(t)}, dbURL: storetest.PostgresSchemaURL(t)}
}

// env is one deployment: every service as its own process of bin, the sandbox in the
// test process (fast rate limits; it is the outside world, not under fault), one
// topology prefix, one database, one blob directory.
type env struct {
	t       *testing.T
	in      infra
	prefix  string
	topo    *topology.Topology
	dir     string // data dir shared by the services (blobs)
	logs    string // one log file per service
	sb      *sandbox.Server
	sbURL   string
	apiAddr string
	procs   map[string]*proc
}

// proc is one running service process.
type proc struct {
	name  string
	admin string
	cmd   *exec.Cmd
	done  chan struct{}
	err   error
}

// newEnv starts the sandbox and every service, and waits until each is ready.
func newEnv(t *testing.T, in infra) *env {
	t.Helper()
	logs, err := os.MkdirTemp("", "stox-chaos-logs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("service logs kept in %s", logs)
			return
		}
		_ = os.RemoveAll(logs)
	})
	e := &env{t: t, in: in, prefix: testenv.Unique("chaos") + ".", dir: t.TempDir(), logs: logs, procs: map[string]*proc{}}
	e.topo = topology.New(e.prefix, in.quorum, messages.Marketplaces)
	e.sb = sandbox.New(fastSandbox())
	srv := httptest.NewServer(e.sb)
	t.Cleanup(srv.Close)
	e.sbURL = srv.URL
	e.apiAddr = freeAddr(t)
	t.Cleanup(e.stopAll)
	t.Cleanup(func() { deleteTopology(t, in.amqpURL(""), e.topo) })
	for _, name := range services {
		e.start(name)
	}
	for _, name := range services {
		e.waitReady(name, time.Minute)
	}
	return e
}

// fastSandbox raises the sandbox's rate limits and shortens its processing: the suite
// checks counts under faults, not the marketplaces' pace.
func fastSandbox() sandbox.Options {
	fast := sandbox.AmazonRate{Rate: 200, Burst: 50}
	return sandbox.Options{
		Trendyol:    sandbox.TrendyolOptions{RateLimit: 5000, ProcessDelay: 300 * time.Millisecond},
		Hepsiburada: sandbox.HepsiburadaOptions{RateLimit: 5000, OrderRateLimit: 5000, ProcessDelay: 300 * time.Millisecond},
		Amazon: sandbox.AmazonOptions{ProcessDelay: 300 * time.Millisecond,
			ListingsGet: fast, ListingsPut: fast, ListingsPatch: fast, Orders: fast, GetOrder: fast},
	}
}

// environ is the environment of service name: the machine's, less any STOX_
// variable, plus this run's.
func (e *env) environ(name string, admin string) []string {
	var out []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STOX_") {
			out = append(out, kv)
		}
	}
	quorum := "false"
	if e.in.quorum {
		quorum = "true"
	}
	return append(out,
		"STOX_AMQP_URL="+e.in.amqpURL(name),
		"STOX_AMQP_QUORUM="+quorum,
		"STOX_DATABASE_URL="+e.in.dbURL,
		"STOX_PREFIX="+e.prefix,
		"STOX_DATA_DIR="+e.dir,
		"STOX_HTTP_ADDR="+e.apiAddr,
		"STOX_PUBLIC_BASE_URL=http://"+e.apiAddr,
		"STOX_ADMIN_ADDR="+admin,
		"STOX_API_KEYS="+apiKey,
		"STOX_SANDBOX_ADDR=",
		"STOX_WORKERS=2",
		"STOX_HANDLER_TIMEOUT=30s",
		"STOX_LOG_LEVEL=info",
		"STOX_TRENDYOL_URL="+e.sbURL, "STOX_HEPSIBURADA_URL="+e.sbURL, "STOX_AMAZON_URL="+e.sbURL,
		"STOX_TRENDYOL_RATE=200", "STOX_HEPSIBURADA_RATE=200", "STOX_AMAZON_RATE=200", "STOX_AMAZON_ORDERS_RATE=200",
		"STOX_MARKETPLACE_POLL=200ms", "STOX_MARKETPLACE_ORDERS_POLL=250ms",
		"STOX_ATTRIBUTE_DEFAULTS=menşei:TR,garanti süresi:2 Yıl",
	)
}

// start starts service name (again, after a stop, on the same addresses).
func (e *env) start(name string) {
	e.t.Helper()
	admin := freeAddr(e.t)
	if p, ok := e.procs[name]; ok {
		admin = p.admin
	}
	log, err := os.OpenFile(filepath.Join(e.logs, name+".log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		e.t.Fatal(err)
	}
	fmt.Fprintf(log, "=== chaos: start %s at %s\n", name, time.Now().Format(time.RFC3339Nano))
	cmd := exec.Command(bin, "serve", name)
	cmd.Env = e.environ(name, admin)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		e.t.Fatalf("start %s: %v", name, err)
	}
	p := &proc{name: name, admin: admin, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		_ = log.Close()
		close(p.done)
	}()
	e.procs[name] = p
}

// running reports whether service name's process is alive.
func (e *env) running(name string) bool {
	p, ok := e.procs[name]
	if !ok {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// signal sends sig to service name's process group and waits up to limit for it to
// exit; it reports how long the exit took, or fails the test when it did not.
func (e *env) signal(name string, sig syscall.Signal, limit time.Duration) time.Duration {
	e.t.Helper()
	p := e.procs[name]
	start := time.Now()
	_ = syscall.Kill(-p.cmd.Process.Pid, sig)
	select {
	case <-p.done:
		return time.Since(start)
	case <-time.After(limit):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
		e.t.Errorf("%s did not exit within %s of %s; killed", name, limit, sig)
		return time.Since(start)
	}
}

// exitError is how service name's last process ended (nil: exit status 0).
func (e *env) exitError(name string) error { return e.procs[name].err }

// stopAll kills every process still running.
func (e *env) stopAll() {
	for _, p := range e.procs {
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
		}
	}
}

// waitReady waits until service name answers 200 on /readyz (and, for the image
// service, the API answers).
func (e *env) waitReady(name string, limit time.Duration) {
	e.t.Helper()
	p := e.procs[name]
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		if !e.running(name) {
			e.t.Fatalf("%s exited while starting: %v; log: %s", name, p.err, e.tail(name, 5))
		}
		last = httpStatus("http://" + p.admin + "/readyz")
		if last == "200" && (name != "image" || httpStatus("http://"+e.apiAddr+"/healthz") == "200") {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.t.Fatalf("%s not ready after %s (readyz: %s); log: %s", name, limit, last, e.tail(name, 5))
}

// tail is the last n lines of service name's log.
func (e *env) tail(name string, n int) string {
	lines := e.logLines(name)
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// logLines is every line service name logged in this run.
func (e *env) logLines(name string) []string {
	f, err := os.Open(filepath.Join(e.logs, name+".log"))
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 1<<20), 1<<20)
	for s.Scan() {
		out = append(out, s.Text())
	}
	return out
}

// countLog counts the lines of service name's log that contain every one of words.
func (e *env) countLog(name string, words ...string) int {
	n := 0
lines:
	for _, l := range e.logLines(name) {
		for _, w := range words {
			if !strings.Contains(l, w) {
				continue lines
			}
		}
		n++
	}
	return n
}

func httpStatus(url string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		var op *net.OpError
		if errors.As(err, &op) {
			return "unreachable"
		}
		return err.Error()
	}
	_ = res.Body.Close()
	return fmt.Sprint(res.StatusCode)
}

// freeAddr is a loopback address with a port free right now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
