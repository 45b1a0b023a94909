package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// DefaultRequestTimeout is how long a request other than an upload may take
// (Config.RequestTimeout).
const DefaultRequestTimeout = 30 * time.Second

// ProblemServerTimeout (503): the server did not answer within Config.RequestTimeout;
// retry after the Retry-After delay.
const ProblemServerTimeout = "urn:stox:problem:server-timeout"

// uploadRoute is the one route without a deadline: its body is paced instead (a large
// upload at a fair rate takes as long as it needs) and storing it is bounded by
// commitTimeout.
const uploadRoute = "POST /v1/products"

// timed serves r with h under a deadline of a.requestTimeout on its context. A handler
// that has not begun its answer by then is answered 503 with Retry-After by timed
// itself, so one that ignores its context (a store call that does not watch it) still
// frees the client; it runs on in the background and whatever it writes later is
// dropped. A handler that has begun its answer (an image being streamed) is left to
// finish it, its context cancelled.
func (a *api) timed(w http.ResponseWriter, r *http.Request, h http.Handler) {
	ctx, cancel := context.WithTimeout(r.Context(), a.requestTimeout)
	defer cancel()
	tw := &timeoutWriter{w: w, h: http.Header{}}
	done := make(chan struct{})
	panicked := make(chan any, 1)
	go func() {
		defer close(done)
		defer func() {
			if p := recover(); p != nil {
				panicked <- p
			}
		}()
		h.ServeHTTP(tw, r.WithContext(ctx))
	}()
	select {
	case <-done:
		select {
		case p := <-panicked:
			panic(p) // as if it happened here, so the server's recovery sees it
		default:
		}
		return
	case <-ctx.Done():
	}
	answered := tw.expire(func() {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			writeServerTimeout(w, a.requestTimeout)
		}
	})
	if !answered {
		<-done
		return
	}
	// The handler may still read the body: it must no longer touch the connection's
	// read deadline, which the server's next request owns.
	if b, ok := r.Body.(*pacedBody); ok {
		b.detached.Store(true)
	}
}

// writeServerTimeout answers 503 with Retry-After: the request took longer than limit.
func writeServerTimeout(w http.ResponseWriter, limit time.Duration) {
	writeUnavailable(w, ProblemServerTimeout, "Request took too long",
		fmt.Sprintf("the server did not answer within %s, so the request was abandoned; send it again after %s seconds", limit, retryAfter))
}

// timedOut reports whether r's deadline, set by timed, has passed: a store error then
// is the deadline's doing and is answered as a timeout, not as the database's fault.
func timedOut(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.DeadlineExceeded)
}

// timeoutWriter is the handler's side of a timed request. The handler gets its own
// header map, copied to the connection's when it writes its status, so timed can
// answer instead while the handler is still running without the two racing.
type timeoutWriter struct {
	w       http.ResponseWriter
	h       http.Header
	mu      sync.Mutex
	wrote   bool // the handler began its answer
	expired bool // timed answered or gave up; the handler's writes are dropped
}

func (tw *timeoutWriter) Header() http.Header { return tw.h }

func (tw *timeoutWriter) WriteHeader(status int) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	tw.writeHeader(status)
}

func (tw *timeoutWriter) writeHeader(status int) {
	if tw.wrote || tw.expired {
		return
	}
	tw.wrote = true
	dst := tw.w.Header()
	for k, v := range tw.h {
		dst[k] = v
	}
	tw.w.WriteHeader(status)
}

func (tw *timeoutWriter) Write(b []byte) (int, error) {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.expired {
		return 0, http.ErrHandlerTimeout
	}
	tw.writeHeader(http.StatusOK)
	return tw.w.Write(b)
}

// Flush sends what the handler wrote so far, when the connection can.
func (tw *timeoutWriter) Flush() {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if f, ok := tw.w.(http.Flusher); ok && tw.wrote && !tw.expired {
		f.Flush()
	}
}

// expire runs answer and reports true when the handler has not begun its answer;
// from then on the handler's writes are dropped. It reports false, and leaves the
// answer to the handler, when it has begun.
func (tw *timeoutWriter) expire(answer func()) bool {
	tw.mu.Lock()
	defer tw.mu.Unlock()
	if tw.wrote {
		return false
	}
	tw.expired = true
	answer()
	return true
}
