package s3test

import (
	"context"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// createBucket makes the test bucket unless it is there.
func createBucket(ctx context.Context, endpoint string) error {
	c, err := minio.New(endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(AccessKey, SecretKey, ""),
		MaxRetries: 1,
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	ok, err := c.BucketExists(ctx, bucket)
	if err != nil || ok {
		return err
	}
	return c.MakeBucket(ctx, bucket, minio.MakeBucketOptions{})
}
