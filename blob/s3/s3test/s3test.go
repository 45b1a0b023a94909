// Package s3test gives tests a real S3-compatible server: the one STOX_TEST_S3_URL
// names, or a SeaweedFS `weed server -s3` it starts on loopback with its data in a
// temporary directory. Without either the tests skip, unless
// STOX_TEST_REQUIRE_SERVICES=1 (as CI sets), where they fail.
//
// A test package that uses it runs its tests through Main, which stops the server
// the package started once its tests are done.
package s3test

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stox-dev/stox/internal/testenv"
)

// The server's one identity. weed reads it from the s3 config file Start writes.
const (
	AccessKey = "stoxtestaccesskey"
	SecretKey = "stoxtestsecretkey0123456789"
	bucket    = "stox-test"
)

var (
	once    sync.Once
	shared  *weed
	bootErr error
)

// weed is a running `weed server -s3`.
type weed struct {
	cmd      *exec.Cmd
	dir      string
	endpoint string // host:port of the S3 API
	exited   chan struct{}
}

// Main runs m's tests and stops the server any of them started.
func Main(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// URL returns an s3:// URL of an empty prefix of a bucket on a real S3-compatible
// server, and sets AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the test when the
// server is one this package started.
func URL(t testing.TB) string {
	t.Helper()
	if raw := os.Getenv("STOX_TEST_S3_URL"); raw != "" {
		return withPrefix(t, raw)
	}
	return urlOf(t, server(t))
}

// OwnURL is URL on a server of the test's own, stopped when the test ends, for test
// packages that do not run through Main.
func OwnURL(t testing.TB) string {
	t.Helper()
	if raw := os.Getenv("STOX_TEST_S3_URL"); raw != "" {
		return withPrefix(t, raw)
	}
	w, err := start()
	if err != nil {
		skipOrFail(t, err)
	}
	t.Cleanup(w.stop)
	return urlOf(t, w)
}

// Endpoint is host:port of the server this package started, for tests that put a
// proxy in front of it; it starts the server when needed.
func Endpoint(t testing.TB) string {
	t.Helper()
	if os.Getenv("STOX_TEST_S3_URL") != "" {
		t.Skip("STOX_TEST_S3_URL is set: the test needs the server s3test starts")
	}
	return server(t).endpoint
}

// Bucket is the bucket of the server this package starts.
const Bucket = bucket

func server(t testing.TB) *weed {
	t.Helper()
	once.Do(func() { shared, bootErr = start() })
	if bootErr != nil {
		skipOrFail(t, bootErr)
	}
	return shared
}

func skipOrFail(t testing.TB, err error) {
	t.Helper()
	if testenv.Required() {
		t.Fatalf("S3 server: %v (STOX_TEST_REQUIRE_SERVICES=1)", err)
	}
	t.Skipf("S3 server: %v: install weed (see .ci/run) or set STOX_TEST_S3_URL", err)
}

// urlOf is the URL of a fresh prefix on w, with the test's credentials set.
func urlOf(t testing.TB, w *weed) string {
	t.Setenv("AWS_ACCESS_KEY_ID", AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	return fmt.Sprintf("s3://%s/%s?endpoint=http://%s", bucket, testenv.Unique("t"), w.endpoint)
}

// withPrefix adds a fresh prefix to STOX_TEST_S3_URL's path, its query kept.
func withPrefix(t testing.TB, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("STOX_TEST_S3_URL: %v", err)
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + testenv.Unique("t")
	return u.String()
}

// binary finds weed on PATH or in GOPATH/bin, where `go install` puts it.
func binary() (string, error) {
	if p, err := exec.LookPath("weed"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	p := filepath.Join(filepath.SplitList(gopath)[0], "bin", "weed")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("weed not found on PATH or in %s", filepath.Dir(p))
	}
	return p, nil
}

func start() (*weed, error) {
	bin, err := binary()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "stox-weed-*")
	if err != nil {
		return nil, err
	}
	w, err := launch(bin, dir)
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if err := w.ready(60 * time.Second); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

// launch starts weed with every port a free one on 127.0.0.1: weed derives gRPC
// ports as HTTP port + 10000 unless told, so all are given.
func launch(bin, dir string) (*weed, error) {
	ports, err := freePorts(8)
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "s3.json")
	if err := os.WriteFile(conf, []byte(identities), 0o600); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		return nil, err
	}
	p := func(i int) string { return strconv.Itoa(ports[i]) }
	args := []string{"server", "-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-dir=" + data,
		"-master.port=" + p(0), "-master.port.grpc=" + p(1), "-master.volumeSizeLimitMB=64",
		"-master.telemetry=false",
		"-volume.port=" + p(2), "-volume.port.grpc=" + p(3), "-volume.max=8", "-volume.preStopSeconds=0",
		"-filer", "-filer.port=" + p(4), "-filer.port.grpc=" + p(5),
		"-filer.localSocket=" + filepath.Join(dir, "filer.sock"),
		"-s3", "-s3.port=" + p(6), "-s3.port.grpc=" + p(7), "-s3.config=" + conf,
		"-s3.port.iceberg=0", "-s3.port.lance=0",
		"-s3.localSocket=" + filepath.Join(dir, "s3.sock"),
	}
	log, err := os.Create(filepath.Join(dir, "weed.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return nil, fmt.Errorf("start weed: %w", err)
	}
	w := &weed{cmd: cmd, dir: dir, endpoint: "127.0.0.1:" + p(6), exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		_ = log.Close()
		close(w.exited)
	}()
	return w, nil
}

// ready waits for the S3 API to answer and the test bucket to be created: weed's
// filer and volume server come up after its S3 port opens.
func (w *weed) ready(limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	var last error
	for {
		if last = createBucket(ctx, w.endpoint); last == nil {
			return nil
		}
		select {
		case <-w.exited:
			return fmt.Errorf("weed exited: see %s: %v", filepath.Join(w.dir, "weed.log"), last)
		case <-ctx.Done():
			return fmt.Errorf("weed not ready after %s: %v (log: %s)", limit, last, filepath.Join(w.dir, "weed.log"))
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (w *weed) stop() {
	_ = w.cmd.Process.Signal(os.Interrupt)
	select {
	case <-w.exited:
	case <-time.After(10 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
	_ = os.RemoveAll(w.dir)
}

func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

const identities = `{"identities": [{"name": "stox", "credentials": [{"accessKey": "` + AccessKey +
	`", "secretKey": "` + SecretKey + `"}], "actions": ["Admin", "Read", "List", "Tagging", "Write"]}]}`
