package bearer

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGuard: guarded requests pass with the key only, answered 401 with a challenge
// and a problem otherwise; unguarded requests and an empty key pass untouched.
func TestGuard(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) })
	private := func(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/private") }
	h := Guard("s3cret-key-0123456789", "admin", private, ok)
	for _, tc := range []struct {
		name, path, auth string
		status           int
		challenge        string
	}{
		{"right key", "/private", "Bearer s3cret-key-0123456789", http.StatusOK, ""},
		{"scheme in any case", "/private", "bearer s3cret-key-0123456789", http.StatusOK, ""},
		{"no header", "/private", "", http.StatusUnauthorized, `Bearer realm="admin"`},
		{"basic", "/private", "Basic czNjcmV0", http.StatusUnauthorized, `Bearer realm="admin"`},
		{"wrong key", "/private", "Bearer s3cret-key-012345678", http.StatusUnauthorized, `Bearer realm="admin", error="invalid_token"`},
		{"unguarded", "/public", "", http.StatusOK, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.auth != "" {
				req.Header.Set("Authorization", tc.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			require.Equal(t, tc.status, rec.Code)
			assert.Equal(t, tc.challenge, rec.Header().Get("WWW-Authenticate"))
			if tc.status == http.StatusUnauthorized {
				assert.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"))
				var p struct {
					Status int    `json:"status"`
					Detail string `json:"detail"`
				}
				require.NoError(t, json.NewDecoder(rec.Body).Decode(&p))
				assert.Equal(t, http.StatusUnauthorized, p.Status)
				assert.Contains(t, p.Detail, "bearer token")
				assert.NotContains(t, rec.Body.String(), `\u003c`, "no HTML escaping in the problem")
			} else {
				assert.Equal(t, "ok", rec.Body.String())
			}
		})
	}

	rec := httptest.NewRecorder()
	Guard("", "admin", private, ok).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/private", nil))
	assert.Equal(t, http.StatusOK, rec.Code, "an empty key guards nothing")
}
