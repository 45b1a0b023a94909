// Package blob stores photos and generated images by key. Messages name images by key
// (claim check) and never carry their bytes. The filesystem store is the default.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrNotFound is returned for a key the store does not hold.
var ErrNotFound = errors.New("blob not found")

// Store holds immutable blobs under content-addressed keys.
type Store interface {
	// Put stores data and returns its key: the hex SHA-256 of the data followed by ext
	// (".jpg", ".png", …). Putting the same bytes twice returns the same key.
	Put(ctx context.Context, data []byte, ext string) (key string, err error)
	// Get returns the bytes under key, or ErrNotFound.
	Get(ctx context.Context, key string) ([]byte, error)
	// Open returns a reader of the blob under key, its size, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadSeekCloser, int64, error)
}

// Streamer is a Store that stores a blob read from r without holding it in memory: a
// large photo costs a temporary file, not its size in RAM. The key is as Put's.
type Streamer interface {
	PutStream(ctx context.Context, r io.Reader, ext string) (key string, size int64, err error)
}

// PutReader stores the blob read from r in s, streaming it when s is a Streamer and
// reading it whole into memory otherwise (in-memory fakes).
func PutReader(ctx context.Context, s Store, r io.Reader, ext string) (string, int64, error) {
	if st, ok := s.(Streamer); ok {
		return st.PutStream(ctx, r, ext)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return "", 0, fmt.Errorf("put blob: read: %w", err)
	}
	key, err := s.Put(ctx, data, ext)
	return key, int64(len(data)), err
}
