package main

import (
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
)

func TestConfigBlobs(t *testing.T) {
	base := Config{Common: Common{AMQPPool: 1, Prefetch: 1, Timeout: 1, LogFormat: "text", LogLevel: "info"},
		PublicBaseURL: "http://127.0.0.1:8080", APITimeout: time.Second, ImageURLs: "service", ImageURLExpiry: time.Hour}
	s3 := "s3://photos/stox?endpoint=127.0.0.1:8333&insecure=true"
	tests := []struct {
		name, blobURL, imageURLs, publicURL string
		expiry                              time.Duration
		want                                string
	}{
		{"filesystem", "", "service", "", time.Hour, ""},
		{"s3", s3, "service", "", time.Hour, ""},
		{"presigned", s3, "presigned", "", 168 * time.Hour, ""},
		{"public", s3, "public", "https://cdn.example.com", time.Hour, ""},
		{"bad URL", "s3://photos?endpoint=h:1/x", "service", "", time.Hour, "STOX_BLOB_URL: blob URL: endpoint"},
		{"not s3", "file:///srv/blobs", "service", "", time.Hour, "STOX_BLOB_URL"},
		{"presigned without s3", "", "presigned", "", time.Hour, "STOX_IMAGE_URLS=presigned needs STOX_BLOB_URL"},
		{"public without s3", "", "public", "", time.Hour, "STOX_IMAGE_URLS=public needs STOX_BLOB_URL"},
		{"unknown mode", s3, "cdn", "", time.Hour, `STOX_IMAGE_URLS "cdn" must be`},
		{"expiry too long", s3, "presigned", "", 8 * 24 * time.Hour, "STOX_IMAGE_URL_EXPIRY"},
		{"bad public URL", s3, "public", "cdn.example.com", time.Hour, "STOX_IMAGE_PUBLIC_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			c.BlobURL, c.ImageURLs, c.ImagePublicURL, c.ImageURLExpiry = tt.blobURL, tt.imageURLs, tt.publicURL, tt.expiry
			err := c.validate()
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.want)
			}
		})
	}
}

func TestOpenBlobsFilesystem(t *testing.T) {
	s, url, err := openBlobs(t.Context(), Config{Common: Common{DataDir: t.TempDir()}, ImageURLs: "service"})
	require.NoError(t, err)
	assert.IsType(t, &blob.FS{}, s)
	assert.Nil(t, url, "images through the image service")
}

// A blob URL whose endpoint does not answer fails at start, naming the endpoint.
func TestOpenBlobsUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	t.Setenv("AWS_ACCESS_KEY_ID", "stox")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secretsecret")
	_, _, err = openBlobs(t.Context(), Config{Common: Common{BlobURL: "s3://photos?retries=0&endpoint=http://" + addr}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), addr)
	assert.Contains(t, err.Error(), `bucket "photos"`)
}
