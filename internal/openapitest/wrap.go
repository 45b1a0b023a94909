package openapitest

import (
	"bytes"
	"io"
	"net/http"
	"testing"
)

// Handler serves h, checking every exchange against d and failing t (with Errorf, so
// it may run on a server's goroutine) on a mismatch. The request body is recorded as
// the handler reads it, never read ahead: body pacing and size limits see the client
// as it is.
func Handler(t testing.TB, d *Doc, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var reqBody bytes.Buffer
		if r.Body != nil {
			r.Body = &teeBody{ReadCloser: r.Body, buf: &reqBody}
		}
		rw := &recorder{ResponseWriter: w}
		h.ServeHTTP(rw, r)
		if rw.status == 0 && r.Context().Err() != nil {
			return // the client left before any answer: there is none to check
		}
		x := Exchange{Request: r, RequestBody: reqBody.Bytes(), Status: rw.code(), Header: w.Header(), Body: rw.body.Bytes(),
			// A client that left mid-answer (its deadline passed) got part of it.
			Cut: rw.failed || r.Context().Err() != nil}
		if err := d.Check(x); err != nil {
			t.Errorf("openapi: %v", err)
		}
	})
}

// teeBody copies what is read of a request body.
type teeBody struct {
	io.ReadCloser
	buf *bytes.Buffer
}

func (b *teeBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.buf.Write(p[:n])
	return n, err
}

// recorder passes an answer on and keeps its status and body.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	failed bool // a write to the client failed
}

func (w *recorder) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *recorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.body.Write(b[:n])
	w.failed = w.failed || err != nil
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (read deadlines).
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// code is the status sent: 200 when nothing was written.
func (w *recorder) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
