package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
)

// stuckStore is a store whose Product call waits for release, ignoring its context
// (like a driver call that does not watch it) unless watch is set, when it returns
// the context's error as soon as it ends.
type stuckStore struct {
	*memStore
	release chan struct{}
	watch   bool
	done    chan struct{} // closed when Product has returned
}

func (s *stuckStore) Product(ctx context.Context, id string) (store.Product, error) {
	defer close(s.done)
	if s.watch {
		<-ctx.Done()
		return store.Product{}, fmt.Errorf("read product: %w", ctx.Err())
	}
	<-s.release
	return s.memStore.Product(ctx, id)
}

// TestRequestTimeout: a request other than an upload not answered within
// RequestTimeout is answered 503 with Retry-After and a problem naming the limit, at
// the deadline, whether its handler watches its context (the store call fails with
// the deadline) or ignores it (the answer comes anyway, and what the handler writes
// once it returns is dropped).
func TestRequestTimeout(t *testing.T) {
	for _, watch := range []bool{true, false} {
		t.Run(fmt.Sprintf("handler watches its context %v", watch), func(t *testing.T) {
			st := &stuckStore{memStore: newMemStore(), release: make(chan struct{}), watch: watch, done: make(chan struct{})}
			e := newEnv(t, func(c *Config) {
				c.Store = st
				c.RequestTimeout = 100 * time.Millisecond
			})
			start := time.Now()
			rec := e.get("/v1/products/p001")
			took := time.Since(start)

			require.Equal(t, http.StatusServiceUnavailable, rec.Code, rec.Body.String())
			assert.Less(t, took, 2*time.Second, "answered at the deadline, not when the handler ends")
			assert.GreaterOrEqual(t, took, 100*time.Millisecond)
			assert.Equal(t, "5", rec.Header().Get("Retry-After"))
			p := decodeProblem(t, rec)
			assert.Equal(t, ProblemServerTimeout, p.Type)
			assert.Contains(t, p.Detail, "did not answer within 100ms")

			answered := rec.Body.String()
			close(st.release)
			<-st.done
			time.Sleep(50 * time.Millisecond) // the handler writes its 404 now, or has
			assert.Equal(t, answered, rec.Body.String(), "the handler's late answer is dropped")
			assert.Equal(t, http.StatusServiceUnavailable, rec.Code)
		})
	}
}

// TestRequestTimeoutLetsABegunAnswerFinish: a handler that has begun its answer when
// the deadline passes (an image being streamed) finishes it, its context cancelled.
func TestRequestTimeoutLetsABegunAnswerFinish(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond })
	a := e.h.(*api)
	var cause error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("begun "))
		<-r.Context().Done()
		cause = r.Context().Err()
		_, _ = w.Write([]byte("and finished"))
	})
	rec := httptest.NewRecorder()
	a.timed(rec, httptest.NewRequest(http.MethodGet, "/images/x", nil), h)
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "begun and finished", rec.Body.String())
	assert.Equal(t, "text/plain", rec.Header().Get("Content-Type"))
	assert.ErrorIs(t, cause, context.DeadlineExceeded)
}

// TestRequestTimeoutSparesPacedUploads: an upload whose body takes many times the
// request timeout to arrive, at a fair pace, is accepted: uploads are paced, not timed.
func TestRequestTimeoutSparesPacedUploads(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.RequestTimeout = 200 * time.Millisecond
		c.BodyWindow = time.Second
		c.MinBodyRate = 100
	})
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	// About 7 KB at 200 bytes every 50 ms: some 1.75 s.
	start := time.Now()
	res, body := sendPaced(t, srv, 200, 50*time.Millisecond)
	require.Equal(t, http.StatusAccepted, res.StatusCode, "body: %s", body)
	assert.Greater(t, time.Since(start), 5*200*time.Millisecond)
	assert.Equal(t, 1, e.store.putCount())
}

// TestJSONBodyLimits: the mapping and listing input routes refuse a JSON body over
// their limit with 413 and a problem saying the limit, and take one just under it (the
// answer is then about its content, not its size). PUT .../stock's limit is checked
// in TestPutStockRejected, the upload's in TestUploadRejected.
func TestJSONBodyLimits(t *testing.T) {
	h, _ := mappingEnv(t)
	pad := func(n int) string { return `{"from":"` + strings.Repeat("x", n) + `"}` }
	for _, tc := range []struct {
		name, method, path string
		limit              int
	}{
		{"mapping", http.MethodPut, "/v1/mappings", maxMappingBody},
		{"listing input", http.MethodPut, "/v1/products/p1/listings/trendyol/input", maxMappingBody},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := call(t, h, tc.method, tc.path, pad(tc.limit))
			require.Equal(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
			p := decodeProblem(t, rec)
			assert.Equal(t, ProblemTooLarge, p.Type)
			assert.Contains(t, p.Detail, fmt.Sprintf("larger than %d bytes", tc.limit))

			rec = call(t, h, tc.method, tc.path, pad(tc.limit-20))
			assert.NotEqual(t, http.StatusRequestEntityTooLarge, rec.Code, rec.Body.String())
		})
	}
}

// BenchmarkTimed is the cost of the deadline on a request: a trivial handler served
// through timed and directly.
func BenchmarkTimed(b *testing.B) {
	h, err := New(Config{Store: newMemStore(), Blobs: newMemBlobs(), Publish: (&publisher{}).Publish})
	require.NoError(b, err)
	a := h.(*api)
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
	b.Run("timed", func(b *testing.B) {
		for b.Loop() {
			a.timed(httptest.NewRecorder(), req, ok)
		}
	})
	b.Run("direct", func(b *testing.B) {
		for b.Loop() {
			ok.ServeHTTP(httptest.NewRecorder(), req)
		}
	})
}
