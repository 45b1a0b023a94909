package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

var _ Streamer = (*FS)(nil)

// PutStream stores the blob read from r and returns its key and size. The key is the
// content's hash, known only once r is read to its end, so the bytes go to a temporary
// file in the store while they are hashed, and the file is renamed to its key: a
// reader sees the whole blob or none, as with Put.
func (s *FS) PutStream(ctx context.Context, r io.Reader, ext string) (string, int64, error) {
	if err := ctx.Err(); err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	ext, err := NormalizeExt(ext)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	tmp, err := os.CreateTemp(s.dir, ".tmp-*")
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	committed := false
	defer func() {
		if !committed {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	key, size, err := Spool(ctx, tmp, r, ext)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: %w", err)
	}
	if err := s.commit(tmp, key); err != nil {
		return "", 0, fmt.Errorf("put blob %s: %w", key, err)
	}
	committed = true
	return key, size, nil
}

// commit makes the spooled temporary file the blob under key. When the blob is
// already there (the key is the content), the temporary file is dropped instead.
func (s *FS) commit(tmp *os.File, key string) error {
	path := s.path(key)
	// A blob of another size under this key was cut short: it is replaced.
	if fi, err := tmp.Stat(); err == nil && sameSize(path, fi.Size()) {
		_ = tmp.Close()
		return os.Remove(tmp.Name())
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

func sameSize(path string, size int64) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular() && fi.Size() == size
}

// Spool copies r to w while hashing it, and returns the key of the bytes copied (ext
// already normalized) and their count. It stops early when ctx is cancelled.
func Spool(ctx context.Context, w io.Writer, r io.Reader, ext string) (string, int64, error) {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w, h), ctxReader{ctx, r})
	if err != nil {
		return "", n, fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)) + "." + ext, n, nil
}

// ctxReader fails reads once its context is done, so a slow upload stops when the
// request that carries it is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
