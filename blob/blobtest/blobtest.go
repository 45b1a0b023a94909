// Package blobtest is the contract every blob.Store keeps, run on each store's own
// backend (the filesystem, an S3-compatible server) by that store's tests.
package blobtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
)

// Run runs the contract on stores made by newStore; each subtest gets a fresh, empty
// store.
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	t.Run("RoundTrip", func(t *testing.T) { testRoundTrip(t, newStore(t)) })
	t.Run("SameBytesSameKey", func(t *testing.T) { testSameKey(t, newStore(t)) })
	t.Run("ConcurrentPuts", func(t *testing.T) { testConcurrentPuts(t, newStore(t)) })
	t.Run("BadKeys", func(t *testing.T) { testBadKeys(t, newStore(t)) })
	t.Run("BadExtensions", func(t *testing.T) { testBadExtensions(t, newStore(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, newStore(t)) })
	t.Run("CancelledContext", func(t *testing.T) { testCancelled(t, newStore(t)) })
	t.Run("PutStream", func(t *testing.T) { testPutStream(t, newStore(t)) })
}

// Sha is the hex SHA-256 of data, the part of a key before its extension.
func Sha(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func testRoundTrip(t *testing.T, s blob.Store) {
	ctx := context.Background()
	tests := []struct {
		name    string
		data    []byte
		ext     string
		wantExt string
	}{
		{"jpeg", []byte("\xff\xd8\xff\xe0 not really a jpeg"), ".jpg", ".jpg"},
		{"no dot", []byte("png bytes"), "png", ".png"},
		{"upper case", []byte("webp bytes"), ".WEBP", ".webp"},
		{"empty", nil, ".bin", ".bin"},
		{"large", bytes.Repeat([]byte{1, 2, 3, 4}, 1<<18), ".raw", ".raw"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := s.Put(ctx, tt.data, tt.ext)
			require.NoError(t, err)
			assert.Equal(t, Sha(tt.data)+tt.wantExt, key)
			assert.NoError(t, blob.ValidateKey(key))
			CheckBlob(t, s, key, tt.data)
		})
	}
}

// CheckBlob asserts that s holds data under key, read by Get, Open and Open after a
// seek.
func CheckBlob(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	ctx := context.Background()
	got, err := s.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, len(data), len(got))
	assert.True(t, bytes.Equal(data, got), "bytes differ")

	r, size, err := s.Open(ctx, key)
	require.NoError(t, err)
	defer func() { assert.NoError(t, r.Close()) }()
	assert.Equal(t, int64(len(data)), size)
	all, err := io.ReadAll(r)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, all), "bytes read differ")
	if len(data) > 1 {
		_, err = r.Seek(1, io.SeekStart)
		require.NoError(t, err)
		rest, err := io.ReadAll(r)
		require.NoError(t, err)
		assert.True(t, bytes.Equal(data[1:], rest), "bytes after seek differ")
	}
}

func testSameKey(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := []byte("the same photo")
	k1, err := s.Put(ctx, data, ".jpg")
	require.NoError(t, err)
	k2, err := s.Put(ctx, bytes.Clone(data), ".jpg")
	require.NoError(t, err)
	assert.Equal(t, k1, k2)
	k3, err := s.Put(ctx, data, ".png")
	require.NoError(t, err)
	assert.NotEqual(t, k1, k3, "the extension is part of the key")
	k4, err := s.Put(ctx, []byte("another photo"), ".jpg")
	require.NoError(t, err)
	assert.NotEqual(t, k1, k4)
	CheckBlob(t, s, k1, data)
	CheckBlob(t, s, k3, data)
}

func testConcurrentPuts(t *testing.T, s blob.Store) {
	ctx := context.Background()
	data := bytes.Repeat([]byte("concurrent "), 50000)
	const n = 16
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if i%2 == 0 {
				keys[i], errs[i] = s.Put(ctx, data, ".jpg")
				return
			}
			keys[i], _, errs[i] = blob.PutReader(ctx, s, bytes.NewReader(data), ".jpg")
		})
	}
	wg.Wait()
	want := Sha(data) + ".jpg"
	for i := range n {
		assert.NoError(t, errs[i])
		assert.Equal(t, want, keys[i])
	}
	CheckBlob(t, s, want, data)
}

func testBadKeys(t *testing.T, s blob.Store) {
	ctx := context.Background()
	hex64 := strings.Repeat("ab", 32)
	for _, key := range []string{
		"", "../secret.txt", "../" + hex64[3:] + ".txt", "/etc/passwd",
		hex64[:2] + "/" + hex64 + ".jpg", hex64, hex64 + ".", hex64 + ".jpegxl",
		strings.ToUpper(hex64) + ".jpg", hex64 + ".JPG", hex64[:63] + ".jpg",
		hex64 + "a.jpg", strings.Repeat("g", 64) + ".jpg", hex64 + ".tar.gz",
		hex64 + ".jpg\n", hex64 + ".jp\x00", hex64[:62] + "\\.jpg",
	} {
		t.Run(key, func(t *testing.T) {
			assert.ErrorIs(t, blob.ValidateKey(key), blob.ErrInvalidKey)
			_, err := s.Get(ctx, key)
			assert.ErrorIs(t, err, blob.ErrInvalidKey)
			assert.NotErrorIs(t, err, blob.ErrNotFound)
			r, _, err := s.Open(ctx, key)
			assert.ErrorIs(t, err, blob.ErrInvalidKey)
			assert.Nil(t, r)
		})
	}
}

func testBadExtensions(t *testing.T, s blob.Store) {
	for _, ext := range []string{"", ".", ".jpegxl", "../x", ".j/g", ".jp g", "..jpg"} {
		t.Run(ext, func(t *testing.T) {
			_, err := s.Put(context.Background(), []byte("x"), ext)
			assert.Error(t, err)
			_, _, err = blob.PutReader(context.Background(), s, strings.NewReader("x"), ext)
			assert.Error(t, err)
		})
	}
	_, err := s.Get(context.Background(), Sha([]byte("x"))+".jpg")
	assert.ErrorIs(t, err, blob.ErrNotFound, "nothing was written")
}

func testNotFound(t *testing.T, s blob.Store) {
	ctx := context.Background()
	key := Sha([]byte("never stored")) + ".jpg"
	_, err := s.Get(ctx, key)
	assert.ErrorIs(t, err, blob.ErrNotFound)
	r, size, err := s.Open(ctx, key)
	assert.ErrorIs(t, err, blob.ErrNotFound)
	assert.Nil(t, r)
	assert.Zero(t, size)
}

func testCancelled(t *testing.T, s blob.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Put(ctx, []byte("x"), ".jpg")
	assert.ErrorIs(t, err, context.Canceled)
	_, _, err = blob.PutReader(ctx, s, strings.NewReader("x"), ".jpg")
	assert.ErrorIs(t, err, context.Canceled)
	_, err = s.Get(context.Background(), Sha([]byte("x"))+".jpg")
	assert.ErrorIs(t, err, blob.ErrNotFound, "nothing was written")
}

func testPutStream(t *testing.T, s blob.Store) {
	_, ok := s.(blob.Streamer)
	require.True(t, ok, "%T streams writes", s)
	data := bytes.Repeat([]byte("streamed photo "), 100000)
	key, size, err := blob.PutReader(context.Background(), s, bytes.NewReader(data), "JPG")
	require.NoError(t, err)
	assert.Equal(t, Sha(data)+".jpg", key)
	assert.Equal(t, int64(len(data)), size)
	CheckBlob(t, s, key, data)

	again, err := s.Put(context.Background(), data, ".jpg")
	require.NoError(t, err)
	assert.Equal(t, key, again, "Put and PutStream give the same key")
}
