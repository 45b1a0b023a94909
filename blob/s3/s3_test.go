package s3_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/blobtest"
	"github.com/stox-dev/stox/blob/s3"
	"github.com/stox-dev/stox/blob/s3/s3test"
)

func TestMain(m *testing.M) { s3test.Main(m) }

func open(t *testing.T, raw string) *s3.Store {
	t.Helper()
	cfg, err := s3.ParseURL(raw)
	require.NoError(t, err)
	s, err := s3.New(t.Context(), cfg)
	require.NoError(t, err)
	return s
}

func TestContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store { return open(t, s3test.URL(t)) })
}

func TestLargeStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB through the S3 server")
	}
	// Two 16 MiB parts in flight at most would be 32 MiB; a buffered blob is 64.
	blobtest.Large(t, open(t, s3test.URL(t)), 64<<20, 24<<20)
}

// flaky is a proxy to the S3 server that answers status to the first fails requests.
func flaky(t *testing.T, status int, fails int64) (host string, seen *atomic.Int64) {
	target, err := url.Parse("http://" + s3test.Endpoint(t))
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(target)
	seen = new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= fails {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(status)
			_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`)
			return
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String(), seen
}

func TestRetriesThrottling(t *testing.T) {
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			raw := s3test.URL(t)
			host, seen := flaky(t, status, 3)
			// New's bucket check (a bucket location request, then a HEAD) gets
			// through the three failures.
			s := open(t, withEndpoint(t, raw, host, "retries=4"))
			assert.Greater(t, seen.Load(), int64(3), "requests went through after three failures")

			seen.Store(1) // two more failures (requests 2 and 3), on the upload
			data := []byte("throttled photo")
			key, err := s.Put(t.Context(), data, ".jpg")
			require.NoError(t, err)
			blobtest.CheckBlob(t, s, key, data)
		})
	}
}

func TestRetriesBounded(t *testing.T) {
	raw := s3test.URL(t)
	host, seen := flaky(t, http.StatusServiceUnavailable, 1<<40)
	cfg, err := s3.ParseURL(withEndpoint(t, raw, host, "retries=2"))
	require.NoError(t, err)
	start := time.Now()
	_, err = s3.New(t.Context(), cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "503", "the error says what the server answered")
	assert.EqualValues(t, 3, seen.Load(), "one attempt and two retries")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestContextHonoured(t *testing.T) {
	raw := s3test.URL(t)
	host, _ := flaky(t, http.StatusServiceUnavailable, 1<<40)
	cfg, err := s3.ParseURL(withEndpoint(t, raw, host, "retries=20"))
	require.NoError(t, err)
	cfg.CheckTimeout = 300 * time.Millisecond
	start := time.Now()
	_, err = s3.New(t.Context(), cfg)
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 3*time.Second, "retries stop when the context ends")
}

func TestPresignedURL(t *testing.T) {
	s := open(t, s3test.URL(t))
	data := []byte("\xff\xd8\xff\xe0 a listing photo")
	key, err := s.Put(t.Context(), data, ".jpg")
	require.NoError(t, err)
	u, err := s.PresignedURL(t.Context(), key, time.Hour)
	require.NoError(t, err)

	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", got)
	assert.Equal(t, data, got)
	assert.Equal(t, "image/jpeg", resp.Header.Get("Content-Type"))

	// Without its signature the object is not public.
	bare, _, _ := strings.Cut(u, "?")
	resp, err = http.Get(bare)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.NotEqual(t, http.StatusOK, resp.StatusCode)
}

func TestStartErrors(t *testing.T) {
	raw := s3test.URL(t)
	t.Run("missing bucket", func(t *testing.T) {
		u, err := url.Parse(raw)
		require.NoError(t, err)
		u.Host = "no-such-bucket"
		cfg, err := s3.ParseURL(u.String())
		require.NoError(t, err)
		_, err = s3.New(t.Context(), cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), `bucket "no-such-bucket" does not exist`)
	})
	t.Run("unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		closed := l.Addr().String()
		require.NoError(t, l.Close())
		cfg, err := s3.ParseURL(withEndpoint(t, raw, closed, "retries=1"))
		require.NoError(t, err)
		_, err = s3.New(t.Context(), cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), closed)
		assert.Contains(t, err.Error(), "connection refused")
	})
	t.Run("wrong secret", func(t *testing.T) {
		if !strings.Contains(raw, "127.0.0.1") {
			t.Skip("the server's credentials are not the test's")
		}
		t.Setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
		cfg, err := s3.ParseURL(raw)
		require.NoError(t, err)
		_, err = s3.New(t.Context(), cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "403")
	})
}

// withEndpoint is raw with its endpoint replaced by host (plain HTTP) and extra
// query parameters added.
func withEndpoint(t *testing.T, raw, host, extra string) string {
	t.Helper()
	u, err := url.Parse(raw)
	require.NoError(t, err)
	q := u.Query()
	q.Set("endpoint", "http://"+host)
	extraQ, err := url.ParseQuery(extra)
	require.NoError(t, err)
	for k, v := range extraQ {
		q[k] = v
	}
	u.RawQuery = q.Encode()
	return u.String()
}
