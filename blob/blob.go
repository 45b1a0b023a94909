// Package blob stores photos and generated images by key. Messages name images by key
// (claim check) and never carry their bytes. The filesystem store is the default.
package blob

import (
	"context"
	"errors"
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
