package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
)

// gatedBlobs holds every Put until the test closes release, so uploads keep their
// share of the upload memory while the test looks.
type gatedBlobs struct {
	*memBlobs
	entered chan struct{}
	release chan struct{}
}

func newGatedBlobs() *gatedBlobs {
	return &gatedBlobs{memBlobs: newMemBlobs(), entered: make(chan struct{}, 64), release: make(chan struct{})}
}

func (b *gatedBlobs) Put(ctx context.Context, data []byte, ext string) (string, error) {
	b.entered <- struct{}{}
	<-b.release
	return b.memBlobs.Put(ctx, data, ext)
}

// waitEntered waits until n Puts are held.
func (b *gatedBlobs) waitEntered(t *testing.T, n int) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for range n {
		select {
		case <-b.entered:
		case <-deadline:
			t.Fatalf("fewer than %d uploads reached the blob store", n)
		}
	}
}

// bigPhoto is a valid JPEG padded to about size bytes (decoders stop at its end).
func bigPhoto(t *testing.T, size int) []byte {
	jpg := jpegBytes(t, 16, 16)
	return append(jpg, bytes.Repeat([]byte{0}, size-len(jpg))...)
}

// TestUploadMemoryBound runs eight uploads of two large photos each at once against
// a budget that holds three of them: three store their photos while five wait, the
// most ever held is three photos, and every upload is accepted in the end.
func TestUploadMemoryBound(t *testing.T) {
	const uploads = 8
	photo := bigPhoto(t, 40<<10)
	size := int64(len(photo))
	blobs := newGatedBlobs()
	e := newEnv(t, func(c *Config) {
		c.Blobs = blobs
		c.UploadMemory = 3*size + size/2
		c.UploadMemoryWait = time.Minute
	})
	a := e.h.(*api)

	codes := make(chan int, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		req := uploadRequest(t, productPart(fmt.Sprintf(`{"sku":"BIG-%d","name":"Mug","price":10,"stock":1}`, i)),
			photoPart("a.jpg", photo), photoPart("b.jpg", photo))
		wg.Go(func() { codes <- e.do(req).Code })
	}
	blobs.waitEntered(t, 3)
	a.memory.mu.Lock()
	held := a.memory.used
	a.memory.mu.Unlock()
	assert.Equal(t, 3*size, held, "three uploads hold one photo's buffer each; five wait for theirs")

	close(blobs.release)
	wg.Wait()
	close(codes)
	for code := range codes {
		assert.Equal(t, http.StatusAccepted, code)
	}
	assert.Equal(t, 3*size, a.memory.highWater(), "never more than the budget")
	assert.LessOrEqual(t, a.memory.highWater(), 3*size+size/2)
	assert.Equal(t, uploads, e.store.putCount())
	puts, _ := blobs.counts()
	assert.Equal(t, 2*uploads, puts)
}

// TestUploadMemoryExhausted: an upload that cannot get its share of the upload memory
// in time is answered 503 with Retry-After and stores nothing; sent again once the
// memory is free, it is accepted.
func TestUploadMemoryExhausted(t *testing.T) {
	photo := bigPhoto(t, 40<<10)
	blobs := newGatedBlobs()
	e := newEnv(t, func(c *Config) {
		c.Blobs = blobs
		c.UploadMemory = testMaxPhoto
		c.UploadMemoryWait = 50 * time.Millisecond
	})
	first := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		first <- e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", photo)))
	}()
	blobs.waitEntered(t, 1)

	second := func() *http.Request {
		return uploadRequest(t, productPart(`{"sku":"OTHER-1","name":"Mug","price":10,"stock":1}`), photoPart("b.jpg", photo))
	}
	rec := e.do(second())
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, retryAfter, rec.Header().Get("Retry-After"))
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemBusy, p.Type)
	assert.Contains(t, p.Detail, "nothing of this one was stored")
	assert.Zero(t, e.store.putCount(), "nothing stored")

	close(blobs.release)
	require.Equal(t, http.StatusAccepted, (<-first).Code)
	rec = e.do(second())
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, 2, e.store.putCount())
	hits, _ := e.pub.calls()
	assert.Equal(t, 2, hits)
}

// TestUploadMemoryBelowPhoto: a budget smaller than the largest photo could never
// store one, so New refuses it.
func TestUploadMemoryBelowPhoto(t *testing.T) {
	_, err := New(Config{Store: newMemStore(), Blobs: newMemBlobs(), Publish: (&publisher{}).Publish,
		MaxPhotoBytes: 1 << 20, UploadMemory: 1 << 19})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "upload memory 524288 is less than the largest photo accepted (1048576 bytes)")
}

// BenchmarkUploadMemory sends four uploads of eight 20 MiB photos at once, as the
// issue's run did, with the production limits (20 MiB photos, 128 MiB of upload
// memory) and filesystem blobs, the bodies generated as they are sent, and reports the
// most heap the process had in use while serving them.
func BenchmarkUploadMemory(b *testing.B) {
	const (
		uploads = 4
		photos  = 8
		size    = DefaultMaxPhotoBytes
	)
	blobs, err := blob.NewFS(b.TempDir())
	require.NoError(b, err)
	h, err := New(Config{Store: newMemStore(), Blobs: blobs, Publish: (&publisher{}).Publish,
		TempDir: b.TempDir(), Logger: slog.New(slog.DiscardHandler)})
	require.NoError(b, err)
	head := jpegBytes(b, 16, 16)
	zeros := make([]byte, 64<<10)

	var peak uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	b.ResetTimer()
	for n := range b.N {
		var wg sync.WaitGroup
		for u := range uploads {
			pr, pw := io.Pipe()
			mw := multipart.NewWriter(pw)
			go func() {
				part, _ := mw.CreateFormField("product")
				_, _ = fmt.Fprintf(part, `{"sku":"BIG-%d-%d","name":"Mug","price":10,"stock":1}`, n, u)
				for i := range photos {
					part, _ := mw.CreateFormFile("photos", "p.jpg")
					_, _ = part.Write(head)
					_, _ = part.Write([]byte{byte(n), byte(u), byte(i)}) // a blob of its own
					for left := size - int64(len(head)) - 3; left > 0; left -= int64(len(zeros)) {
						_, _ = part.Write(zeros[:min(left, int64(len(zeros)))])
					}
				}
				_ = pw.CloseWithError(mw.Close())
			}()
			req := httptest.NewRequest(http.MethodPost, "/v1/products", pr)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			wg.Go(func() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusAccepted {
					b.Errorf("upload %d: %d %s", u, rec.Code, rec.Body)
				}
			})
		}
		wg.Wait()
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
