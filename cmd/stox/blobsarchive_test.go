package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
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

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/s3"
	"github.com/stox-dev/stox/blob/s3/s3test"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// TestBlobsArchive moves blobs filesystem → archive → S3 → archive → filesystem with
// `stox blobs export|import`'s functions, on a real S3 server (one for the test: it
// takes seconds to start), and refuses a damaged archive.
func TestBlobsArchive(t *testing.T) {
	ctx := context.Background()
	blobURL := s3test.OwnURL(t)
	src, err := blob.NewFS(t.TempDir())
	require.NoError(t, err)
	want := map[string][]byte{}
	for i := range 5 {
		data := bytes.Repeat([]byte(fmt.Sprintf("blob %d ", i)), 1000*(i+1))
		key, err := src.Put(ctx, data, ".jpg")
		require.NoError(t, err)
		want[key] = data
	}

	var archive bytes.Buffer
	n, size, err := exportBlobs(ctx, src, &archive)
	require.NoError(t, err)
	assert.Equal(t, len(want), n)
	assert.Positive(t, size)

	cfg := baseConfig(t)
	cfg.BlobURL = blobURL
	bucket, _, err := openBlobs(ctx, cfg)
	require.NoError(t, err)
	n, _, err = importBlobs(ctx, bucket, bytes.NewReader(archive.Bytes()))
	require.NoError(t, err)
	assert.Equal(t, len(want), n)
	assert.Equal(t, want, contents(t, bucket), "the bucket holds the directory's blobs")

	archive.Reset()
	_, _, err = exportBlobs(ctx, bucket, &archive)
	require.NoError(t, err)
	dst, err := blob.NewFS(t.TempDir())
	require.NoError(t, err)
	_, _, err = importBlobs(ctx, dst, &archive)
	require.NoError(t, err)
	assert.Equal(t, want, contents(t, dst), "and back")

	t.Run("init creates the bucket once", func(t *testing.T) {
		sc, err := s3.ParseURL(blobURL)
		require.NoError(t, err)
		sc.Bucket = fmt.Sprintf("stox-init-%d", time.Now().UnixNano())
		_, err = s3.New(ctx, sc)
		require.ErrorContains(t, err, "does not exist")
		created, err := s3.CreateBucket(ctx, sc)
		require.NoError(t, err)
		assert.True(t, created)
		created, err = s3.CreateBucket(ctx, sc)
		require.NoError(t, err)
		assert.False(t, created, "a second init finds it")
		_, err = s3.New(ctx, sc)
		require.NoError(t, err)
	})

	t.Run("damaged archive refused", func(t *testing.T) {
		key := slices.Sorted(func(yield func(string) bool) {
			for k := range want {
				if !yield(k) {
					return
				}
			}
		})[0]
		bad := tarGz(t, map[string][]byte{key: []byte("other bytes")})
		empty, err := blob.NewFS(t.TempDir())
		require.NoError(t, err)
		_, _, err = importBlobs(ctx, empty, bytes.NewReader(bad))
		require.ErrorContains(t, err, "the archive is damaged")
		_, _, err = importBlobs(ctx, empty, bytes.NewReader(tarGz(t, map[string][]byte{"notes.txt": []byte("x")})))
		require.ErrorContains(t, err, "invalid blob key")
	})
}

// contents is every blob of s by key.
func contents(t *testing.T, s blob.Store) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	require.NoError(t, s.(blob.Lister).Keys(context.Background(), func(key string) error {
		b, err := s.Get(context.Background(), key)
		out[key] = b
		return err
	}))
	return out
}

func tarGz(t *testing.T, files map[string][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, b := range files {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Size: int64(len(b)), Mode: 0o644, Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

// TestBackupRestoreS3 runs backup.sh and restore.sh on a deployment whose blobs are in
// an S3 store: the source's prefix is backed up (with the stox binary, as the compose
// backup helper has it), and restored with the database and definitions into an empty
// prefix, a fresh database and vhost; an app started there serves every image.
func TestBackupRestoreS3(t *testing.T) {
	needTools(t, "sh", "curl", "pg_dump", "pg_restore", "tar")
	blobURL := s3test.OwnURL(t)
	src, dst := newBackupSide(t, "bks3src"), newBackupSide(t, "bks3dst")
	srcURL, dstURL := blobURL, otherPrefix(t, blobURL)
	sb := httptest.NewServer(sandbox.New(fastSandbox(sandbox.Faults{})))
	t.Cleanup(sb.Close)
	log := errorLog()
	config := func(s *backupSide, u string) Config {
		cfg := s.config(t, sb.URL)
		cfg.BlobURL = u
		return cfg
	}

	ctx, stop := context.WithCancel(context.Background())
	a, srv, served := startApp(t, ctx, config(src, srcURL), log, nil)
	ids := map[string]string{}
	for i := range 2 {
		ids[upload(t, srv.URL, i, 2)] = fmt.Sprintf("SKU-%04d", i)
	}
	waitProcessed(t, a.store, ids)
	stop()
	require.NoError(t, <-served)

	// The scripts find stox on PATH, as in the backup image.
	path := "PATH=" + filepath.Dir(buildStox(t)) + string(os.PathListSeparator) + os.Getenv("PATH")
	backups := t.TempDir()
	runScript(t, "backup.sh", append(src.env(backups, "s3set"), "STOX_BLOB_URL="+srcURL, path))
	runScript(t, "restore.sh", append(dst.env(backups, "s3set"), "STOX_BLOB_URL="+dstURL, path))

	srcBlobs, _, err := openBlobs(context.Background(), config(src, srcURL))
	require.NoError(t, err)
	dstBlobs, _, err := openBlobs(context.Background(), config(dst, dstURL))
	require.NoError(t, err)
	want := contents(t, srcBlobs)
	require.NotEmpty(t, want)
	assert.Equal(t, want, contents(t, dstBlobs), "the empty prefix holds the source's blobs")
	assert.NoDirExists(t, dst.blobs(), "nothing written to the data directory")

	ctx, stop = context.WithCancel(context.Background())
	defer stop()
	b, restored, served := startApp(t, ctx, config(dst, dstURL), log, nil)
	for id := range ids {
		p, err := b.store.Product(ctx, id)
		require.NoError(t, err, "restored product %s", id)
		require.NotEmpty(t, p.Images, id)
		for _, img := range p.Images {
			assert.Equal(t, want[img.Key], getBody(t, restored.URL+"/images/"+img.Key), "image %s of %s", img.Key, id)
		}
	}
	stop()
	require.NoError(t, <-served)
}

// otherPrefix is blobURL with a fresh prefix in the same bucket.
func otherPrefix(t *testing.T, blobURL string) string {
	u, err := url.Parse(blobURL)
	require.NoError(t, err)
	u.Path = "/" + testenv.Unique("t")
	require.NotEqual(t, blobURL, u.String())
	return u.String()
}

// The scripts refuse STOX_BLOB_URL without a stox binary to read the bucket.
func TestBackupS3NeedsStox(t *testing.T) {
	needTools(t, "sh", "dirname")
	// A PATH with what the script needs before it looks for stox, and no stox.
	bin := t.TempDir()
	dirname, err := exec.LookPath("dirname")
	require.NoError(t, err)
	require.NoError(t, os.Symlink(dirname, filepath.Join(bin, "dirname")))
	cmd := exec.Command("sh", filepath.Join(backupScripts, "backup.sh"))
	cmd.Env = []string{"PATH=" + bin, "BACKUP_STAMP=x", "RABBITMQ_MANAGEMENT_URL=http://127.0.0.1:1", "RABBITMQ_USER=u",
		"RABBITMQ_PASSWORD=p", "BACKUP_DIR=" + t.TempDir(), "STOX_BLOB_URL=s3://b/p"}
	out, err := cmd.CombinedOutput()
	require.Error(t, err)
	assert.True(t, strings.Contains(string(out), "no stox binary is on PATH"), "%s", out)
}
