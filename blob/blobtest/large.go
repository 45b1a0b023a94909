package blobtest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
)

// Large streams a blob of size bytes, generated on the fly, into s and back out, and
// fails when the heap grows by more than maxGrowth bytes during either: a store that
// buffers whole blobs would grow by size.
func Large(t *testing.T, s blob.Store, size, maxGrowth int64) {
	ctx := context.Background()
	src := func() io.Reader {
		return io.LimitReader(rand.NewChaCha8([32]byte{'s', 't', 'o', 'x'}), size)
	}
	h := sha256.New()
	_, err := io.Copy(h, src())
	require.NoError(t, err)
	want := hex.EncodeToString(h.Sum(nil)) + ".bin"

	var key string
	var n int64
	grew := HeapGrowth(func() { key, n, err = blob.PutReader(ctx, s, src(), ".bin") })
	require.NoError(t, err)
	assert.Equal(t, want, key)
	assert.Equal(t, size, n)
	t.Logf("put %d MiB: heap grew by %.1f MiB at most", size>>20, float64(grew)/(1<<20))
	assert.Less(t, grew, maxGrowth, "put buffered the blob")

	h.Reset()
	var got int64
	grew = HeapGrowth(func() {
		r, sz, err := s.Open(ctx, key)
		require.NoError(t, err)
		defer r.Close()
		assert.Equal(t, size, sz)
		got, err = io.Copy(h, r)
		require.NoError(t, err)
	})
	assert.Equal(t, size, got)
	assert.Equal(t, want, hex.EncodeToString(h.Sum(nil))+".bin", "bytes read back differ")
	t.Logf("read %d MiB: heap grew by %.1f MiB at most", size>>20, float64(grew)/(1<<20))
	assert.Less(t, grew, maxGrowth, "open buffered the blob")
}

// HeapGrowth runs f and returns how far the heap in use rose above where it was
// before, sampled every few milliseconds while f runs.
func HeapGrowth(f func()) int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := int64(m.HeapInuse)
	var peak atomic.Int64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if v := int64(m.HeapInuse) - base; v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}
