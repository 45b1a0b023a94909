package blob_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/blobtest"
)

func newFS(t *testing.T) (*blob.FS, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := blob.NewFS(dir)
	require.NoError(t, err)
	return s, dir
}

// files lists every file under dir, relative to it.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	require.NoError(t, err)
	return out
}

func TestRoundTrip(t *testing.T) {
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
			s, dir := newFS(t)
			key, err := s.Put(ctx, tt.data, tt.ext)
			require.NoError(t, err)
			assert.Equal(t, blobtest.Sha(tt.data)+tt.wantExt, key)
			assert.NoError(t, blob.ValidateKey(key))
			assert.Equal(t, []string{key[:2] + "/" + key}, files(t, dir), "one file, fanned out by prefix")
			blobtest.CheckBlob(t, s, key, tt.data)
		})
	}
}

func TestSameBytesSameKey(t *testing.T) {
	ctx := context.Background()
	s, dir := newFS(t)
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

	assert.Len(t, files(t, dir), 3)
}

func TestPutRepairsTruncatedBlob(t *testing.T) {
	ctx := context.Background()
	s, dir := newFS(t)
	data := []byte("a photo that was cut short")
	key, err := s.Put(ctx, data, ".jpg")
	require.NoError(t, err)
	path := filepath.Join(dir, key[:2], key)
	require.NoError(t, os.WriteFile(path, data[:5], 0o644))

	again, err := s.Put(ctx, data, ".jpg")
	require.NoError(t, err)
	assert.Equal(t, key, again)
	got, err := s.Get(ctx, key)
	require.NoError(t, err)
	assert.Equal(t, data, got)
}

func TestConcurrentPutsOfSameData(t *testing.T) {
	ctx := context.Background()
	s, dir := newFS(t)
	data := bytes.Repeat([]byte("concurrent "), 50000)
	const n = 16
	keys := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = s.Put(ctx, data, ".jpg") })
	}
	wg.Wait()
	want := blobtest.Sha(data) + ".jpg"
	for i := range n {
		assert.NoError(t, errs[i])
		assert.Equal(t, want, keys[i])
	}
	assert.Equal(t, []string{want[:2] + "/" + want}, files(t, dir), "one file, no temporary files left")
	got, err := s.Get(ctx, want)
	require.NoError(t, err)
	assert.True(t, bytes.Equal(data, got), "bytes differ")
}

func TestBadKeys(t *testing.T) {
	ctx := context.Background()
	s, dir := newFS(t)
	// A file outside the store that a traversal would reach.
	secret := filepath.Join(filepath.Dir(dir), "secret.txt")
	require.NoError(t, os.WriteFile(secret, []byte("secret"), 0o600))
	hex64 := strings.Repeat("ab", 32)

	tests := []struct {
		name string
		key  string
	}{
		{"empty", ""},
		{"traversal", "../secret.txt"},
		{"traversal with hex", "../" + hex64[3:] + ".txt"},
		{"absolute", "/etc/passwd"},
		{"subdirectory", hex64[:2] + "/" + hex64 + ".jpg"},
		{"no extension", hex64},
		{"empty extension", hex64 + "."},
		{"long extension", hex64 + ".jpegxl"},
		{"upper-case hex", strings.ToUpper(hex64) + ".jpg"},
		{"upper-case extension", hex64 + ".JPG"},
		{"short hash", hex64[:63] + ".jpg"},
		{"long hash", hex64 + "a.jpg"},
		{"not hex", strings.Repeat("g", 64) + ".jpg"},
		{"two extensions", hex64 + ".tar.gz"},
		{"trailing newline", hex64 + ".jpg\n"},
		{"nul byte", hex64 + ".jp\x00"},
		{"backslash", hex64[:62] + "\\." + "jpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, blob.ValidateKey(tt.key), blob.ErrInvalidKey)

			_, err := s.Get(ctx, tt.key)
			assert.ErrorIs(t, err, blob.ErrInvalidKey)
			assert.NotErrorIs(t, err, blob.ErrNotFound)

			r, _, err := s.Open(ctx, tt.key)
			assert.ErrorIs(t, err, blob.ErrInvalidKey)
			assert.Nil(t, r)
		})
	}
}

func TestBadExtensions(t *testing.T) {
	s, dir := newFS(t)
	for _, ext := range []string{"", ".", ".jpegxl", "../x", ".j/g", ".jp g", "..jpg"} {
		t.Run(ext, func(t *testing.T) {
			_, err := s.Put(context.Background(), []byte("x"), ext)
			assert.Error(t, err)
		})
	}
	assert.Empty(t, files(t, dir), "nothing was written")
}

func TestCancelledContext(t *testing.T) {
	s, dir := newFS(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.Put(ctx, []byte("x"), ".jpg")
	assert.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, files(t, dir))
}

func TestNewFSCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b")
	_, err := blob.NewFS(dir)
	require.NoError(t, err)
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	assert.True(t, fi.IsDir())

	_, err = blob.NewFS("")
	assert.Error(t, err)
}
