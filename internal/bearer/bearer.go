// Package bearer guards HTTP routes with one bearer key: the admin server's routes
// behind STOX_ADMIN_KEY and the sandbox's hooks behind STOX_SANDBOX_KEY. (The API's
// own keys, several of them each with a rate limit, are the api package's.)
package bearer

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"strings"
)

// Guard answers requests that guarded reports true for with 401 and a
// WWW-Authenticate challenge of realm unless they carry "Authorization: Bearer <key>",
// and passes every other request to next. An empty key guards nothing: next is
// returned as it is.
func Guard(key, realm string, guarded func(*http.Request) bool, next http.Handler) http.Handler {
	if key == "" {
		return next
	}
	// Compared as SHA-256 hashes so neither the key's content nor its length leaks
	// through timing.
	want := sha256.Sum256([]byte(key))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !guarded(r) {
			next.ServeHTTP(w, r)
			return
		}
		token := Token(r)
		if token == "" {
			unauthorized(w, `Bearer realm="`+realm+`"`, "missing bearer token: send Authorization: Bearer <key>")
			return
		}
		got := sha256.Sum256([]byte(token))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			unauthorized(w, `Bearer realm="`+realm+`", error="invalid_token"`, "the bearer token is not the "+realm+" key")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// Token is the request's bearer token ("Authorization: Bearer <token>", the scheme in
// any case), or "" when it carries none. The API's keys are read with it too.
func Token(r *http.Request) string {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// unauthorized answers 401 with challenge and an RFC 9457 problem saying why.
func unauthorized(w http.ResponseWriter, challenge, detail string) {
	h := w.Header()
	h.Set("WWW-Authenticate", challenge)
	h.Set("Content-Type", "application/problem+json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false) // "<key>" reads as written
	_ = enc.Encode(problem{Type: "about:blank", Title: "Unauthorized", Status: http.StatusUnauthorized, Detail: detail})
}

// problem is an RFC 9457 problem details body, in the API's field order.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}
