package s3

import (
	"context"
	"fmt"
	"strings"

	"github.com/minio/minio-go/v7"

	"github.com/stox-dev/stox/blob"
)

var _ blob.Lister = (*Store)(nil)

// Keys calls fn with the key of every blob under the store's prefix. Objects there
// that are not blobs (another tool's, a stray upload) are skipped: the prefix is
// Stox's, but the bucket may not be.
func (s *Store) Keys(ctx context.Context, fn func(key string) error) error {
	ctx, cancel := context.WithCancel(ctx)
	// Cancelling stops the listing goroutine when fn fails midway.
	defer cancel()
	for obj := range s.client.ListObjects(ctx, s.bucket, minio.ListObjectsOptions{Prefix: s.prefix, Recursive: true}) {
		if obj.Err != nil {
			return fmt.Errorf("list blobs in %s/%s: %w", s.bucket, s.prefix, explain(obj.Err))
		}
		key := strings.TrimPrefix(obj.Key, s.prefix)
		if blob.ValidateKey(key) != nil {
			continue
		}
		if err := fn(key); err != nil {
			return err
		}
	}
	return ctx.Err()
}
