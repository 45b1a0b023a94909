package main

import (
	"bytes"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob/s3"
	"github.com/stox-dev/stox/blob/s3/s3test"
)

// TestS3 runs Stox on a real S3-compatible server (one for both subtests: it takes
// seconds to start).
func TestS3(t *testing.T) {
	blobURL := s3test.OwnURL(t)
	t.Run("pipeline", func(t *testing.T) { testPipelineS3(t, blobURL) })
	t.Run("image URLs", func(t *testing.T) { testImageURLs(t, blobURL) })
}

// testPipelineS3 is the in-process pipeline with its blobs in the bucket and listings
// pointing at presigned URLs: photos are stored, read by the ai stage, its images
// written, and the API's /images/{key} served from the bucket.
func testPipelineS3(t *testing.T, blobURL string) {
	cfg := baseConfig(t)
	cfg.BlobURL = blobURL
	cfg.ImageURLs, cfg.ImageURLExpiry = imageURLsPresigned, time.Hour
	require.Empty(t, cfg.validateBlobs())
	runPipeline(t, cfg)
}

// With STOX_IMAGE_URLS=presigned an image's URL answers its bytes without
// credentials; with public it is the bucket's URL of the object.
func testImageURLs(t *testing.T, blobURL string) {
	cfg := baseConfig(t)
	cfg.BlobURL = blobURL
	data := []byte("\xff\xd8\xff\xe0 a listing image")

	cfg.ImageURLs, cfg.ImageURLExpiry = imageURLsPresigned, time.Hour
	s, imageURL, err := openBlobs(t.Context(), cfg)
	require.NoError(t, err)
	key, err := s.Put(t.Context(), data, ".jpg")
	require.NoError(t, err)
	u, err := imageURL(t.Context(), key)
	require.NoError(t, err)
	assert.Contains(t, u, "X-Amz-Signature=")
	res, err := http.Get(u)
	require.NoError(t, err)
	got, err := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.True(t, bytes.Equal(data, got), "presigned URL answers the blob")

	cfg.ImageURLs, cfg.ImagePublicURL = imageURLsPublic, "https://cdn.example.com/photos/"
	_, imageURL, err = openBlobs(t.Context(), cfg)
	require.NoError(t, err)
	u, err = imageURL(t.Context(), key)
	require.NoError(t, err)
	sc, err := s3.ParseURL(cfg.BlobURL)
	require.NoError(t, err)
	require.NotEmpty(t, sc.Prefix)
	assert.Equal(t, "https://cdn.example.com/photos/"+sc.Prefix+key, u)
}
