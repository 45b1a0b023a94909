package s3

import (
	"context"
	"fmt"
	"time"

	"github.com/minio/minio-go/v7"
)

// CreateBucket makes cfg's bucket unless it exists, and reports whether it made it.
// New never creates one (a wrong bucket name must fail loudly); this is for a
// deployment's own S3 server, which starts empty (`stox blobs init`, the compose s3
// profile).
func CreateBucket(ctx context.Context, cfg Config) (created bool, err error) {
	s, err := newStore(cfg)
	if err != nil {
		return false, err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ok, err := s.client.BucketExists(ctx, cfg.Bucket)
	if err != nil {
		return false, fmt.Errorf("s3 blob store %s: bucket %q: %w", cfg.Endpoint, cfg.Bucket, explain(err))
	}
	if ok {
		return false, nil
	}
	if err := s.client.MakeBucket(ctx, cfg.Bucket, minio.MakeBucketOptions{Region: cfg.Region}); err != nil {
		return false, fmt.Errorf("s3 blob store %s: create bucket %q: %w", cfg.Endpoint, cfg.Bucket, explain(err))
	}
	return true, nil
}
