// Package s3 is a blob.Store on an S3-compatible object store (Amazon S3, SeaweedFS,
// MinIO, Ceph, …), so that replicas on several machines share their photos and images.
// It keeps the filesystem store's contract: content-addressed keys, whole-or-nothing
// writes, streaming reads and writes.
package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/stox-dev/stox/blob"
)

// Store is a blob.Store in one bucket, every key under one prefix.
type Store struct {
	client *minio.Client
	bucket string
	prefix string
	// tempDir is where PutStream spools a blob while hashing it; "" is os.TempDir.
	tempDir string
}

var (
	_ blob.Store    = (*Store)(nil)
	_ blob.Streamer = (*Store)(nil)
)

// New returns a store for cfg and checks that the bucket is there and reachable with
// the credentials, so a wrong URL or key fails at start rather than at the first photo.
func New(ctx context.Context, cfg Config) (*Store, error) {
	s, err := newStore(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.TempDir != "" {
		if err := os.MkdirAll(cfg.TempDir, 0o755); err != nil {
			return nil, fmt.Errorf("s3 blob store: spool directory: %w", err)
		}
	}
	if cfg.CheckTimeout <= 0 {
		cfg.CheckTimeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.CheckTimeout)
	defer cancel()
	ok, err := s.client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return nil, fmt.Errorf("s3 blob store %s: bucket %q: %w", cfg.Endpoint, cfg.Bucket, explain(err))
	}
	if !ok {
		return nil, fmt.Errorf("s3 blob store %s: bucket %q does not exist", cfg.Endpoint, cfg.Bucket)
	}
	return s, nil
}

func newStore(cfg Config) (*Store, error) {
	client, err := minio.New(cfg.Endpoint, &minio.Options{
		Creds:     cfg.Creds,
		Secure:    cfg.Secure,
		Region:    cfg.Region,
		Transport: cfg.Transport,
		// minio-go counts attempts, the first included.
		MaxRetries: cfg.Retries + 1,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 blob store %s: %w", cfg.Endpoint, err)
	}
	return &Store{client: client, bucket: cfg.Bucket, prefix: cfg.Prefix, tempDir: cfg.TempDir}, nil
}

// Put stores data and returns its key, as blob.FS.Put does. An S3 PUT is atomic: a
// reader sees the object whole or not at all.
func (s *Store) Put(ctx context.Context, data []byte, ext string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	ext, err := blob.NormalizeExt(ext)
	if err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + "." + ext
	if err := s.upload(ctx, key, bytes.NewReader(data), int64(len(data))); err != nil {
		return "", fmt.Errorf("put blob %s: %w", key, err)
	}
	return key, nil
}

// PutStream stores the blob read from r. Its key is its hash, known only at its end,
// and an object cannot be renamed: the bytes are spooled to a local temporary file
// while hashed, then uploaded under their key. (Uploading to a temporary object and
// copying it would send every byte twice over the network, and S3 copies are limited
// to 5 GiB in one request.) The file is read in parts, never held in memory.
func (s *Store) PutStream(ctx context.Context, r io.Reader, ext string) (string, int64, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	ext, err := blob.NormalizeExt(ext)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	tmp, err := os.CreateTemp(s.tempDir, "stox-blob-*")
	if err != nil {
		return "", 0, fmt.Errorf("put blob: spool: %w", err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	key, size, err := blob.Spool(ctx, tmp, r, ext)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := s.upload(ctx, key, tmp, size); err != nil {
		return "", 0, fmt.Errorf("put blob %s: %w", key, err)
	}
	return key, size, nil
}

// upload puts the object unless one of the same size is there already: the key is
// the content, so it is this blob (a PUT cut short leaves no object, unlike a file).
func (s *Store) upload(ctx context.Context, key string, r io.Reader, size int64) error {
	info, err := s.client.StatObject(ctx, s.bucket, s.object(key), minio.StatObjectOptions{})
	if err == nil && info.Size == size {
		return nil
	}
	if err != nil && !isNotFound(err) {
		return explain(err)
	}
	_, err = s.client.PutObject(ctx, s.bucket, s.object(key), r, size, minio.PutObjectOptions{
		ContentType: contentType(key),
		// Above PartSize, a multipart upload whose parts are read by offset from the
		// file (section readers), not buffered: 64 MiB grew the heap by ~3 MiB.
		PartSize:   16 << 20,
		NumThreads: 2,
	})
	return explain(err)
}

// Get returns the bytes under key, or blob.ErrNotFound.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	r, size, err := s.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, explain(err))
	}
	return buf.Bytes(), nil
}

// Open returns a reader of the blob under key, its size, or blob.ErrNotFound. The
// reader streams the object; a seek starts a ranged GET.
func (s *Store) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	if err := blob.ValidateKey(key); err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	obj, err := s.client.GetObject(ctx, s.bucket, s.object(key), minio.GetObjectOptions{})
	if err != nil {
		return nil, 0, fmt.Errorf("open blob %s: %w", key, explain(err))
	}
	info, err := obj.Stat()
	if err != nil {
		_ = obj.Close()
		return nil, 0, fmt.Errorf("open blob %s: %w", key, explain(err))
	}
	return obj, info.Size, nil
}

// PresignedURL is a URL that fetches the blob under key without credentials until
// expiry passes.
func (s *Store) PresignedURL(ctx context.Context, key string, expiry time.Duration) (string, error) {
	if err := blob.ValidateKey(key); err != nil {
		return "", fmt.Errorf("presign blob: %w", err)
	}
	u, err := s.client.PresignedGetObject(ctx, s.bucket, s.object(key), expiry, url.Values{})
	if err != nil {
		return "", fmt.Errorf("presign blob %s: %w", key, err)
	}
	return u.String(), nil
}

// Object is the object name of key in the bucket: the prefix and the key.
func (s *Store) Object(key string) string { return s.object(key) }

func (s *Store) object(key string) string { return s.prefix + key }

// isNotFound tells a missing object (or bucket) from other failures.
func isNotFound(err error) bool {
	resp := minio.ToErrorResponse(err)
	return resp.StatusCode == http.StatusNotFound || resp.Code == "NoSuchKey"
}

// explain maps a missing object to blob.ErrNotFound and says what an S3 error
// response was, with its status, so a log line tells throttling from a refusal.
func explain(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	resp := minio.ToErrorResponse(err)
	switch {
	case isNotFound(err) && resp.Code != "NoSuchBucket":
		return blob.ErrNotFound
	case resp.StatusCode != 0:
		return fmt.Errorf("s3 %d %s: %w", resp.StatusCode, resp.Code, err)
	}
	return err
}

// contentType is what a marketplace fetching a presigned or public URL is told.
func contentType(key string) string {
	switch path.Ext(key) {
	case ".jpg", ".jpeg":
		return "image/jpeg"
	case ".png":
		return "image/png"
	case ".webp":
		return "image/webp"
	}
	return "application/octet-stream"
}
