package blob

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
)

// ErrInvalidKey is returned for a key that is not a content-addressed key: 64
// lowercase hex digits (the SHA-256 of the data), a dot and a 1–5 character extension
// of lowercase letters and digits.
var ErrInvalidKey = errors.New("invalid blob key")

var (
	keyPattern = regexp.MustCompile(`^[0-9a-f]{64}\.[a-z0-9]{1,5}$`)
	extPattern = regexp.MustCompile(`^[a-z0-9]{1,5}$`)
)

// ValidateKey returns nil for a well-formed key, or an error wrapping ErrInvalidKey
// that says what is wrong. A valid key never names a path outside the store.
func ValidateKey(key string) error {
	if !keyPattern.MatchString(key) {
		return fmt.Errorf("%w %q: want 64 lowercase hex digits, a dot and a 1-5 character lowercase extension, e.g. %s.jpg",
			ErrInvalidKey, key, strings.Repeat("0", 64))
	}
	return nil
}

// FS is a Store on the local filesystem. A blob lives at <dir>/<first two hex
// digits of its key>/<key>, so no directory grows past a few thousand entries. Writes
// are atomic: a blob is written to a temporary file beside its final name and renamed,
// so a reader sees the whole blob or none, even across a crash.
type FS struct {
	dir string
}

var _ Store = (*FS)(nil)

// NewFS returns a filesystem store rooted at dir, creating dir when missing.
func NewFS(dir string) (*FS, error) {
	if dir == "" {
		return nil, errors.New("new blob store: empty directory")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("new blob store: %w", err)
	}
	return &FS{dir: dir}, nil
}

// Put stores data and returns its key. ext may be given with or without its dot and
// in any case (".JPG" and "jpg" both give a key ending in ".jpg").
func (s *FS) Put(ctx context.Context, data []byte, ext string) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	ext, err := NormalizeExt(ext)
	if err != nil {
		return "", fmt.Errorf("put blob: %w", err)
	}
	sum := sha256.Sum256(data)
	key := hex.EncodeToString(sum[:]) + "." + ext
	path := s.path(key)

	// The key is the content: a blob of the right size under it is this blob.
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == int64(len(data)) {
		return key, nil
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("put blob %s: %w", key, err)
	}
	if err := writeAtomic(dir, path, data); err != nil {
		return "", fmt.Errorf("put blob %s: %w", key, err)
	}
	return key, nil
}

// Get returns the bytes under key, or ErrNotFound.
func (s *FS) Get(ctx context.Context, key string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	if err := ValidateKey(key); err != nil {
		return nil, fmt.Errorf("get blob: %w", err)
	}
	data, err := os.ReadFile(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("get blob %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("get blob %s: %w", key, err)
	}
	return data, nil
}

// Open returns a reader of the blob under key and its size, or ErrNotFound. The
// caller closes the reader.
func (s *FS) Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	if err := ValidateKey(key); err != nil {
		return nil, 0, fmt.Errorf("open blob: %w", err)
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("open blob %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("open blob %s: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, fmt.Errorf("open blob %s: %w", key, err)
	}
	return f, fi.Size(), nil
}

// NormalizeExt returns ext without its dot, in lower case, or an error when it is not
// 1-5 letters or digits: ".JPG" and "jpg" both give "jpg".
func NormalizeExt(ext string) (string, error) {
	norm := strings.ToLower(strings.TrimPrefix(ext, "."))
	if !extPattern.MatchString(norm) {
		return "", fmt.Errorf("extension %q: want 1-5 letters or digits", ext)
	}
	return norm, nil
}

// path is where a valid key's blob lives.
func (s *FS) path(key string) string {
	return filepath.Join(s.dir, key[:2], key)
}

// writeAtomic writes data to a temporary file in dir and renames it to path. Two
// writers of the same blob race harmlessly: both rename whole, identical files.
func writeAtomic(dir, path string, data []byte) (err error) {
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
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
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable across a power loss. Windows cannot open a
// directory for syncing, so there the rename is as durable as the OS makes it.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		_ = d.Close()
		return err
	}
	return d.Close()
}
