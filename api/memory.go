package api

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sync/semaphore"
)

// Defaults of the upload memory bound (Config.UploadMemory, Config.UploadMemoryWait).
const (
	// DefaultUploadMemory is how many bytes of photos all uploads together may hold in
	// memory: 128 MiB.
	DefaultUploadMemory int64 = 128 << 20
	// DefaultUploadMemoryWait is how long an upload waits for its share of the memory
	// before it is answered 503.
	DefaultUploadMemoryWait = 10 * time.Second
)

// budget bounds the bytes that all requests hold in memory at once: a request takes
// its share before it allocates and gives it back when done. It remembers the most
// ever taken at once.
type budget struct {
	sem *semaphore.Weighted

	mu   sync.Mutex
	used int64
	peak int64
}

func newBudget(size int64) *budget {
	return &budget{sem: semaphore.NewWeighted(size)}
}

// acquire takes n bytes, waiting until they are free or ctx ends.
func (b *budget) acquire(ctx context.Context, n int64) error {
	if err := b.sem.Acquire(ctx, n); err != nil {
		return err
	}
	b.mu.Lock()
	b.used += n
	b.peak = max(b.peak, b.used)
	b.mu.Unlock()
	return nil
}

// release gives back n bytes taken with acquire.
func (b *budget) release(n int64) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.sem.Release(n)
}

// highWater returns the most bytes ever taken at once.
func (b *budget) highWater() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.peak
}
