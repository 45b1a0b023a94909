package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob/s3/s3test"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
	"github.com/stox-dev/stox/topology"
)

// multinodeKey is the image service's bearer key in the multi-node run.
const multinodeKey = "multinode-key-0123456789abcdef"

// node is one `stox serve` process of the multi-node run, with a data directory of
// its own.
type node struct {
	service string
	dir     string
	admin   string
	log     string
	cmd     *exec.Cmd
	done    chan struct{}
}

// TestMultiNode runs Stox as separate nodes would (issue 16): every service its own OS
// process with its own STOX_DATA_DIR, two ai processes competing, nothing shared but
// RabbitMQ, PostgreSQL and the S3-compatible store. Every product must come through
// on every marketplace, both ai processes must have worked, no data directory may hold
// a blob, and every image URL Trendyol was sent must answer the image.
func TestMultiNode(t *testing.T) {
	// Not parallel: s3test sets the environment (t.Setenv) for the server's URL.
	blobURL := s3test.OwnURL(t)
	amqpURL := testenv.AMQPURL(t)
	dbURL := storetest.PostgresSchemaURL(t)
	prefix := testenv.Unique("multi") + "."
	t.Cleanup(func() { deleteTopology(t, amqpURL, topology.New(prefix, false, messages.Marketplaces)) })
	bin := buildStox(t)

	sb, sbSrv := serveSandbox(t)
	apiAddr := freeAddr(t)
	env := []string{
		"STOX_AMQP_URL=" + amqpURL, "STOX_DATABASE_URL=" + dbURL, "STOX_PREFIX=" + prefix,
		"STOX_BLOB_URL=" + blobURL, "STOX_IMAGE_URLS=presigned", "STOX_IMAGE_URL_EXPIRY=1h",
		"STOX_HTTP_ADDR=" + apiAddr, "STOX_PUBLIC_BASE_URL=http://" + apiAddr, "STOX_API_KEYS=" + multinodeKey,
		"STOX_SANDBOX_ADDR=", "STOX_WORKERS=2", "STOX_LOG_LEVEL=info",
		"STOX_TRENDYOL_URL=" + sbSrv.URL, "STOX_HEPSIBURADA_URL=" + sbSrv.URL, "STOX_AMAZON_URL=" + sbSrv.URL,
		"STOX_TRENDYOL_RATE=200", "STOX_HEPSIBURADA_RATE=200", "STOX_AMAZON_RATE=200", "STOX_AMAZON_ORDERS_RATE=200",
		"STOX_MARKETPLACE_POLL=200ms", "STOX_MARKETPLACE_ORDERS_POLL=250ms",
		"STOX_ATTRIBUTE_DEFAULTS=menşei:TR,garanti süresi:2 Yıl",
	}
	var nodes []*node
	for _, s := range append([]string{"image", "ai", "ai", "seo", "sync"}, messages.Marketplaces...) {
		nodes = append(nodes, startNode(t, bin, s, env))
	}
	for _, n := range nodes {
		n.waitReady(t, time.Minute)
	}
	// upload and supplyInput speak to an open API; the proxy adds the key, as the
	// seller's client would.
	api := authProxy(t, "http://"+apiAddr)

	count := products()
	ids := map[string]int{}
	start := time.Now()
	for i := range count {
		ids[upload(t, api, i, 1+2*btoi(i%10 == 0))] = i
	}
	waitAccepted(t, api, ids, 4*time.Minute)
	t.Logf("%s: %d products accepted on every marketplace by %d processes", time.Since(start).Round(time.Millisecond), count, len(nodes))

	var aiWork []int
	for _, n := range nodes {
		if n.service == "ai" {
			aiWork = append(aiWork, n.handled(t))
		}
	}
	t.Logf("messages the two ai processes handled: %v", aiWork)
	for i, w := range aiWork {
		assert.NotZero(t, w, "ai process %d did no work", i+1)
	}
	assertImageURLs(t, sb, ids)
	for _, n := range nodes {
		n.stop(t)
	}
	for _, n := range nodes {
		assertNoBlobs(t, n)
	}
}

// buildStox builds this package's binary once for the run: the nodes are real
// processes, as in production.
func buildStox(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "stox")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

// startNode starts `stox serve service` with a data directory of its own.
func startNode(t *testing.T, bin, service string, env []string) *node {
	t.Helper()
	n := &node{service: service, dir: t.TempDir(), admin: freeAddr(t), done: make(chan struct{})}
	n.log = filepath.Join(t.TempDir(), service+".log")
	log, err := os.Create(n.log)
	require.NoError(t, err)
	n.cmd = exec.Command(bin, "serve", service)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "STOX_") {
			n.cmd.Env = append(n.cmd.Env, kv)
		}
	}
	n.cmd.Env = append(n.cmd.Env, env...)
	n.cmd.Env = append(n.cmd.Env, "STOX_DATA_DIR="+n.dir, "STOX_ADMIN_ADDR="+n.admin)
	n.cmd.Stdout, n.cmd.Stderr = log, log
	n.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, n.cmd.Start(), service)
	go func() {
		_ = n.cmd.Wait()
		_ = log.Close()
		close(n.done)
	}()
	t.Cleanup(func() {
		_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGKILL)
		<-n.done
		if t.Failed() {
			t.Logf("%s log:\n%s", service, tailFile(n.log, 15))
		}
	})
	return n
}

// waitReady waits until the node answers 200 on /readyz.
func (n *node) waitReady(t *testing.T, limit time.Duration) {
	t.Helper()
	waitFor(t, limit, n.service+" ready", func() (bool, string) {
		select {
		case <-n.done:
			t.Fatalf("%s exited while starting:\n%s", n.service, tailFile(n.log, 15))
		default:
		}
		res, err := http.Get("http://" + n.admin + "/readyz")
		if err != nil {
			return false, err.Error()
		}
		_ = res.Body.Close()
		return res.StatusCode == http.StatusOK, res.Status
	})
}

// stop ends the node with SIGTERM, as an orchestrator would, and waits for it.
func (n *node) stop(t *testing.T) {
	_ = syscall.Kill(-n.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-n.done:
	case <-time.After(30 * time.Second):
		t.Errorf("%s did not exit within 30s of SIGTERM", n.service)
	}
}

// handled is how many messages the node's handlers finished with "ok", from its
// /metrics.
func (n *node) handled(t *testing.T) int {
	t.Helper()
	res, err := http.Get("http://" + n.admin + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	total := 0
	s := bufio.NewScanner(res.Body)
	for s.Scan() {
		l := s.Text()
		if !strings.HasPrefix(l, metrics.StageMessages+"{") || !strings.Contains(l, `outcome="ok"`) {
			continue
		}
		v, err := strconv.ParseFloat(l[strings.LastIndexByte(l, ' ')+1:], 64)
		require.NoError(t, err, l)
		total += int(v)
	}
	return total
}

// waitAccepted waits until every product is accepted on every marketplace, answering
// a listing that needs the seller's input as the seller would.
func waitAccepted(t *testing.T, api string, ids map[string]int, limit time.Duration) {
	t.Helper()
	answered := map[string]bool{}
	waitFor(t, limit, "every product accepted on every marketplace", func() (bool, string) {
		done, example := 0, ""
		for id := range ids {
			var p store.Product
			if err := getProduct(api+"/v1/products/"+id, &p); err != nil {
				return false, err.Error()
			}
			accepted := 0
			for _, m := range messages.Marketplaces {
				l := p.Listings[m]
				require.NotEqual(t, store.ListingRejected, l.State, "%s on %s: %v", id, m, l.Reasons)
				switch {
				case l.State == store.ListingAccepted:
					accepted++
				case l.State == store.ListingNeedsInput && !answered[id+"/"+m]:
					supplyInput(t, api, id, m, l)
					answered[id+"/"+m] = true
				default:
					example = fmt.Sprintf("%s on %s: %q (stages %v)", p.Product.SKU, m, l.State, p.Stages)
				}
			}
			if accepted == len(messages.Marketplaces) {
				done++
			}
		}
		return done == len(ids), fmt.Sprintf("%d of %d done; e.g. %s", done, len(ids), example)
	})
}

// assertImageURLs fetches every image URL Trendyol was sent: each must answer 200
// with image bytes, though no node keeps a file of it.
func assertImageURLs(t *testing.T, sb *sandbox.Server, ids map[string]int) {
	t.Helper()
	urls := 0
	for _, i := range ids {
		p, ok := sb.TrendyolProduct(ean13(i))
		if !assert.True(t, ok, "product %d on Trendyol", i) || !assert.NotEmpty(t, p.Images, "product %d", i) {
			continue
		}
		for _, u := range p.Images {
			res, err := http.Get(u)
			require.NoError(t, err, u)
			head := make([]byte, 512)
			k, _ := io.ReadFull(res.Body, head)
			_ = res.Body.Close()
			assert.Equal(t, http.StatusOK, res.StatusCode, u)
			assert.True(t, strings.HasPrefix(http.DetectContentType(head[:k]), "image/"), "%s answers %q", u, http.DetectContentType(head[:k]))
			urls++
		}
	}
	t.Logf("%d image URLs sent to Trendyol answered", urls)
}

// assertNoBlobs walks the node's data directory: only the S3 store's spool may be
// there, and empty once the node stopped.
func assertNoBlobs(t *testing.T, n *node) {
	t.Helper()
	err := filepath.WalkDir(n.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(n.dir, path)
		t.Errorf("%s's data directory holds %s", n.service, rel)
		return nil
	})
	require.NoError(t, err)
}

// authProxy is a loopback proxy to base that adds the API key to every request.
func authProxy(t *testing.T, base string) string {
	u, err := url.Parse(base)
	require.NoError(t, err)
	p := httputil.NewSingleHostReverseProxy(u)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+multinodeKey)
		p.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func getProduct(u string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

// tailFile is the last n lines of a file.
func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
