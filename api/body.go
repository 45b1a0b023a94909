package api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
	"time"
)

// Defaults of the request body's pace (Config.BodyWindow, Config.MinBodyRate).
const (
	// DefaultBodyWindow is how long a request body may go without bringing its
	// share of bytes.
	DefaultBodyWindow = 10 * time.Second
	// DefaultMinBodyRate is the slowest a request body may arrive, in bytes per
	// second: 32 KiB/s, a quarter of a poor mobile uplink.
	DefaultMinBodyRate int64 = 32 << 10
)

// slowBodyError is the read error of a request body that arrived too slowly.
type slowBodyError struct {
	min    int64
	window time.Duration
}

func (e *slowBodyError) Error() string {
	return fmt.Sprintf("the request body arrived too slowly: fewer than %d bytes in %s; send it again over a faster connection", e.min, e.window)
}

// pacedBody is a request body read under a deadline that only progress extends: each
// window must bring at least min bytes, so a client trickling its body cannot hold a
// connection (and the request's resources) for long, and a large body sent at a
// reasonable rate takes as long as it needs.
type pacedBody struct {
	io.ReadCloser
	rc     *http.ResponseController
	window time.Duration
	min    int64
	got    int64 // bytes since the deadline was last extended
	off    bool  // the connection takes no deadlines (a test's recorder)
	// detached: the request was answered without its handler (timed), which may
	// still be reading; the connection's deadlines are no longer this body's.
	detached atomic.Bool
}

// pace makes r's body a pacedBody and starts its first window, before the handler
// reads anything: a body the handler never reads is bounded too, as the server
// discards what is left of it.
func (a *api) pace(w http.ResponseWriter, r *http.Request) {
	if r.Body == nil || r.Body == http.NoBody {
		return
	}
	b := &pacedBody{ReadCloser: r.Body, rc: http.NewResponseController(w), window: a.bodyWindow,
		min: max(1, a.minBodyRate*int64(a.bodyWindow)/int64(time.Second))}
	b.extend()
	r.Body = b
}

// extend gives the body another window.
func (b *pacedBody) extend() {
	if b.off || b.detached.Load() {
		return
	}
	if err := b.rc.SetReadDeadline(time.Now().Add(b.window)); err != nil {
		b.off = true
	}
}

// Read reads the body, extending the deadline whenever a window's bytes arrived. A
// read cut by the deadline fails with a *slowBodyError.
func (b *pacedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.got += int64(n)
	if b.got >= b.min {
		b.got = 0
		b.extend()
	}
	switch {
	case errors.Is(err, os.ErrDeadlineExceeded):
		err = &slowBodyError{min: b.min, window: b.window}
	case errors.Is(err, io.EOF) && !b.off && !b.detached.Load():
		// The body is whole; the server's own wait for the next request must not time out.
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// bodyProblem records why a request body could not be read: it came too slowly (408),
// it is larger than the limit (413), or else it is unreadable as what (400, on field).
func bodyProblem(pr *problems, field, what string, err error) {
	if e, ok := errors.AsType[*slowBodyError](err); ok {
		pr.add(http.StatusRequestTimeout, "request", "%s", e.Error())
		return
	}
	if e, ok := errors.AsType[*http.MaxBytesError](err); ok {
		pr.add(http.StatusRequestEntityTooLarge, "request", "larger than %d bytes", e.Limit)
		return
	}
	pr.add(http.StatusBadRequest, field, "%s: %v", what, err)
}
