package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// backupScripts is where docker/backup's scripts are, seen from this package.
const backupScripts = "../../docker/backup"

// TestBackupRestore runs docker/backup/backup.sh and restore.sh as `make backup` and
// `make restore` run them, natively against this machine's PostgreSQL and RabbitMQ: a
// pipeline on a fresh database, vhost and blob directory takes a few products through
// every stage and gets stock set; it is backed up, then restored into another empty
// database, vhost and blob directory. The restored side has the same products, every
// blob with the same bytes, the same stock and versions, and the same exchanges,
// queues and bindings, and an app started on it serves the products' images.
func TestBackupRestore(t *testing.T) {
	needTools(t, "sh", "curl", "pg_dump", "pg_restore", "tar")
	src, dst := newBackupSide(t, "bksrc"), newBackupSide(t, "bkdst")
	sb := httptest.NewServer(sandbox.New(fastSandbox(sandbox.Faults{})))
	t.Cleanup(sb.Close)
	log := errorLog()

	// The source: products through every stage, stock set by hand; then stopped, so
	// what is compared below is what was backed up.
	ctx, stop := context.WithCancel(context.Background())
	a, srv, served := startApp(t, ctx, src.config(t, sb.URL), log, nil)
	ids := map[string]string{} // product ID → SKU
	for i := range 3 {
		ids[upload(t, srv.URL, i, 1+i%2)] = fmt.Sprintf("SKU-%04d", i)
	}
	waitProcessed(t, a.store, ids)
	putStock(t, srv.URL, "SKU-0001", 4)
	putStock(t, srv.URL, "SKU-0001", 6)
	putStock(t, srv.URL, "SKU-0002", 0)
	stop()
	require.NoError(t, <-served)

	backups := t.TempDir()
	out := runScript(t, "backup.sh", src.env(backups, "set1"))
	for _, ext := range []string{"rabbitmq.json", "pgdump", "blobs.tar.gz"} {
		assert.FileExists(t, filepath.Join(backups, "set1."+ext))
		assert.Contains(t, out, "set1."+ext)
	}

	t.Run("partial set refused", func(t *testing.T) {
		partial := t.TempDir()
		for _, ext := range []string{"rabbitmq.json", "blobs.tar.gz"} {
			copyFile(t, filepath.Join(backups, "set1."+ext), filepath.Join(partial, "set1."+ext))
		}
		cmd := script("restore.sh", dst.env(partial, "set1"))
		b, err := cmd.CombinedOutput()
		require.Error(t, err, "restore of a set without its dump: %s", b)
		assert.Contains(t, string(b), "refusing a partial backup")
		assert.Contains(t, string(b), "set1.pgdump")
		assert.Empty(t, dst.definitions(t)["queues"], "nothing restored")
	})

	runScript(t, "restore.sh", dst.env(backups, "set1"))

	for _, part := range []string{"exchanges", "queues", "bindings", "policies"} {
		assert.Equal(t, src.definitions(t)[part], dst.definitions(t)[part], part)
	}
	assert.NotEmpty(t, dst.definitions(t)["queues"])
	b, err := openApp(context.Background(), dst.config(t, sb.URL), log)
	require.NoError(t, err, "the restored topology is the one the services declare")
	defer b.close()
	assertSameCatalog(t, a.store, b.store, ids)
	assertSameBlobs(t, src.blobs(), dst.blobs())

	// The restored side serves every image of every product.
	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	_, restored, served := startApp(t, ctx, dst.config(t, sb.URL), log, nil)
	for id := range ids {
		p, err := b.store.Product(context.Background(), id)
		require.NoError(t, err)
		require.NotEmpty(t, p.Images, id)
		for _, img := range p.Images {
			want, err := os.ReadFile(filepath.Join(src.blobs(), img.Key[:2], img.Key))
			require.NoError(t, err)
			assert.Equal(t, want, getBody(t, restored.URL+"/images/"+img.Key), "image %s of %s", img.Key, id)
		}
	}
	stop()
	require.NoError(t, <-served)
}

// backupSide is one side of a backup: a fresh database, vhost and data directory.
type backupSide struct {
	pg, amqp, mgmt *url.URL
	vhost, dir     string
}

// newBackupSide creates an empty database and vhost (with guest's permissions), both
// removed when the test ends, and a data directory.
func newBackupSide(t *testing.T, prefix string) *backupSide {
	t.Helper()
	pg, err := url.Parse(testenv.PostgresURL(t))
	require.NoError(t, err)
	amqp, err := url.Parse(testenv.AMQPURL(t))
	require.NoError(t, err)
	mgmt, err := url.Parse(testenv.ManagementURL(t))
	require.NoError(t, err)
	s := &backupSide{pg: pg, amqp: amqp, mgmt: mgmt, vhost: testenv.Unique(prefix), dir: t.TempDir()}

	db, err := store.PostgresDB(pg.String())
	require.NoError(t, err)
	t.Cleanup(func() { _ = db.Close() })
	name := s.vhost
	_, err = db.Exec(`CREATE DATABASE "` + name + `"`)
	require.NoError(t, err)
	t.Cleanup(func() { dropDatabase(t, db, name) })
	pgCopy := *pg
	pgCopy.Path = "/" + name
	s.pg = &pgCopy

	s.management(t, http.MethodPut, "vhosts/"+url.PathEscape(s.vhost), nil)
	t.Cleanup(func() { s.management(t, http.MethodDelete, "vhosts/"+url.PathEscape(s.vhost), nil) })
	s.management(t, http.MethodPut, "permissions/"+url.PathEscape(s.vhost)+"/"+url.PathEscape(mgmt.User.Username()),
		map[string]string{"configure": ".*", "write": ".*", "read": ".*"})
	amqpCopy := *amqp
	amqpCopy.Path, amqpCopy.RawPath = "/"+s.vhost, ""
	s.amqp = &amqpCopy
	return s
}

func dropDatabase(t *testing.T, db *sql.DB, name string) {
	if _, err := db.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`); err != nil {
		t.Errorf("drop database %s: %v", name, err)
	}
}

// config is a configuration of an app on this side, its marketplaces on sandboxURL.
func (s *backupSide) config(t *testing.T, sandboxURL string) Config {
	cfg := marketConfig(t, baseConfig(t), sandboxURL)
	cfg.AMQPURL, cfg.DatabaseURL, cfg.DataDir = s.amqp.String(), s.pg.String(), s.dir
	return cfg
}

func (s *backupSide) blobs() string { return filepath.Join(s.dir, "blobs") }

// env is the environment of backup.sh and restore.sh on this side.
func (s *backupSide) env(dir, stamp string) []string {
	password, _ := s.pg.User.Password()
	mgmtPassword, _ := s.mgmt.User.Password()
	mgmt := *s.mgmt
	mgmt.User = nil
	return []string{
		"PGHOST=" + s.pg.Hostname(), "PGPORT=" + or(s.pg.Port(), "5432"), "PGUSER=" + s.pg.User.Username(),
		"PGPASSWORD=" + password, "PGDATABASE=" + strings.TrimPrefix(s.pg.Path, "/"),
		"PGSSLMODE=" + or(s.pg.Query().Get("sslmode"), "prefer"),
		"RABBITMQ_MANAGEMENT_URL=" + mgmt.String(), "RABBITMQ_USER=" + s.mgmt.User.Username(),
		"RABBITMQ_PASSWORD=" + mgmtPassword, "RABBITMQ_VHOST=" + s.vhost,
		"BLOBS_DIR=" + s.blobs(), "BACKUP_DIR=" + dir, "BACKUP_STAMP=" + stamp,
	}
}

// definitions are the vhost's definitions as the management API exports them.
func (s *backupSide) definitions(t *testing.T) map[string]any {
	t.Helper()
	var d map[string]any
	require.NoError(t, json.Unmarshal(s.management(t, http.MethodGet, "definitions/"+url.PathEscape(s.vhost), nil), &d))
	// The lists come in no set order.
	for _, v := range d {
		if list, ok := v.([]any); ok {
			slices.SortFunc(list, func(a, b any) int { return strings.Compare(fmt.Sprint(a), fmt.Sprint(b)) })
		}
	}
	return d
}

// management calls the management API and returns its answer, failing the test on
// anything but 2xx.
func (s *backupSide) management(t *testing.T, method, path string, body any) []byte {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.mgmt.JoinPath("api").String()+"/"+path, r)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.True(t, res.StatusCode/100 == 2, "%s %s: %s %s", method, path, res.Status, b)
	return b
}

// needTools skips the test without the programs the scripts run, or fails it when
// STOX_TEST_REQUIRE_SERVICES=1.
func needTools(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			if testenv.Required() {
				t.Fatalf("%s not found and STOX_TEST_REQUIRE_SERVICES=1: %v", tool, err)
			}
			t.Skipf("%s not found: the backup scripts need it (%v)", tool, err)
		}
	}
}

// script is a command running docker/backup/name with env over this process's
// environment, minus what would reach libpq or the scripts beside it.
func script(name string, env []string) *exec.Cmd {
	cmd := exec.Command("sh", filepath.Join(backupScripts, name))
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PG") && !strings.HasPrefix(kv, "RABBITMQ_") && !strings.HasPrefix(kv, "BACKUP_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	return cmd
}

func runScript(t *testing.T, name string, env []string) string {
	t.Helper()
	b, err := script(name, env).CombinedOutput()
	require.NoError(t, err, "%s: %s", name, b)
	return string(b)
}

// waitProcessed waits until every product is through the image and SEO stages and
// has a listing on every marketplace.
func waitProcessed(t *testing.T, s store.Store, ids map[string]string) {
	waitFor(t, 2*time.Minute, "every product through image and seo, listed everywhere", func() (bool, string) {
		for id := range ids {
			p, err := s.Product(context.Background(), id)
			require.NoError(t, err)
			for _, stage := range []string{store.StageImages, store.StageSEO} {
				require.NotEqual(t, store.StateFailed, p.Stages[stage].State, "%s: %v", id, p.Stages[stage].Reasons)
				if p.Stages[stage].State != store.StateDone {
					return false, fmt.Sprintf("%s: %s %s", id, stage, p.Stages[stage].State)
				}
			}
			for _, m := range messages.Marketplaces {
				if p.Listings[m].State == "" {
					return false, fmt.Sprintf("%s: not listed on %s", id, m)
				}
			}
		}
		return true, ""
	})
}

// putStock sets a SKU's stock through the API.
func putStock(t *testing.T, base, sku string, quantity int) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, base+"/v1/products/"+sku+"/stock",
		strings.NewReader(fmt.Sprintf(`{"quantity": %d}`, quantity)))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "PUT stock of %s: %s", sku, b)
}

func getBody(t *testing.T, u string) []byte {
	t.Helper()
	res, err := http.Get(u)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode, "GET %s: %s", u, b)
	return b
}

// assertSameCatalog: the same products (the whole of each: revision, stages, photos,
// images, texts, listings) and the same stock and version of each SKU.
func assertSameCatalog(t *testing.T, src, dst store.Stores, ids map[string]string) {
	t.Helper()
	ctx := context.Background()
	want, err := src.Products(ctx, 100, "")
	require.NoError(t, err)
	got, err := dst.Products(ctx, 100, "")
	require.NoError(t, err)
	require.Len(t, want, len(ids))
	assert.Equal(t, want, got, "product list")
	for id, sku := range ids {
		p, err := src.Product(ctx, id)
		require.NoError(t, err)
		q, err := dst.Product(ctx, id)
		require.NoError(t, err, "restored product %s", id)
		assert.Equal(t, p, q, "product %s", id)
		wq, wv, err := src.Stock(ctx, sku)
		require.NoError(t, err)
		gq, gv, err := dst.Stock(ctx, sku)
		require.NoError(t, err)
		assert.Equal(t, [2]int64{int64(wq), wv}, [2]int64{int64(gq), gv}, "stock and version of %s", sku)
	}
	q, v, err := dst.Stock(ctx, "SKU-0001")
	require.NoError(t, err)
	assert.Equal(t, [2]int64{6, 3}, [2]int64{int64(q), v}, "SKU-0001: uploaded with 10, set to 4, then 6")
}

// assertSameBlobs: every blob under src is under dst with the same bytes, and dst
// holds nothing more.
func assertSameBlobs(t *testing.T, src, dst string) {
	t.Helper()
	want, got := readTree(t, src), readTree(t, dst)
	require.NotEmpty(t, want)
	assert.Equal(t, len(want), len(got), "blobs restored")
	for name, b := range want {
		assert.True(t, bytes.Equal(b, got[name]), "blob %s: restored with %d bytes of %d", name, len(got[name]), len(b))
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	require.NoError(t, filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = b
		return err
	}))
	return files
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(to, b, 0o600))
}
