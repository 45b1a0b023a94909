package api

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sendPaced sends an upload to srv over a real connection, chunk bytes every pause,
// and returns the answer. The body is about 7 KB.
func sendPaced(t *testing.T, srv *httptest.Server, chunk int, pause time.Duration) (*http.Response, []byte) {
	t.Helper()
	body, ct := multipartBody(t, productPart(validProduct), photoPart("a.jpg", bigPhoto(t, 6000)))
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "POST /v1/products HTTP/1.1\r\nHost: stox\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: %s\r\nContent-Length: %d\r\n\r\n", testKey, ct, body.Len())
	require.NoError(t, err)

	done := make(chan struct{})
	defer close(done)
	go func() {
		data := body.Bytes()
		for len(data) > 0 {
			n := min(chunk, len(data))
			if _, err := conn.Write(data[:n]); err != nil {
				return // the server closed the connection
			}
			data = data[n:]
			select {
			case <-done:
				return
			case <-time.After(pause):
			}
		}
	}()
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(time.Minute))) // bounds the test, not the server
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	var buf [4096]byte
	n, _ := res.Body.Read(buf[:])
	return res, buf[:n]
}

// TestSlowBody serves the API on a real listener with each second of a body required
// to bring 100 bytes: a client trickling one byte every 100 ms is answered 408 and its
// connection closed, and nothing is stored; a client sending steadily for longer than
// one window is served, since progress extends the deadline.
func TestSlowBody(t *testing.T) {
	e := newEnv(t, func(c *Config) {
		c.BodyWindow = time.Second
		c.MinBodyRate = 100
	})
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	res, body := sendPaced(t, srv, 1, 100*time.Millisecond)
	require.Equal(t, http.StatusRequestTimeout, res.StatusCode, "body: %s", body)
	assert.True(t, res.Close, "the connection is closed")
	assert.Contains(t, string(body), ProblemTimeout)
	assert.Contains(t, string(body), "fewer than 100 bytes in 1s")
	assert.Zero(t, e.store.putCount(), "nothing stored")

	// About 7 KB at 200 bytes every 50 ms: some 1.75 s, well over the window.
	res, body = sendPaced(t, srv, 200, 50*time.Millisecond)
	require.Equal(t, http.StatusAccepted, res.StatusCode, "body: %s", body)
	assert.Equal(t, 1, e.store.putCount())
}
