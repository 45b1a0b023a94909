package api

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"net/http"
	"time"
)

// openAPI is the OpenAPI 3.1 document of every route New registers. It is generated
// from the Go types the handlers encode and decode (openapi_gen_test.go; go test
// ./api -run TestOpenAPIDocument -update-openapi rewrites it), and the tests check
// their traffic against it (internal/openapitest).
//
//go:embed openapi.json
var openAPI []byte

// openAPIETag names the document's content, so clients revalidate it cheaply.
var openAPIETag = func() string {
	sum := sha256.Sum256(openAPI)
	return `"` + hex.EncodeToString(sum[:8]) + `"`
}()

// OpenAPI returns the API's OpenAPI 3.1 document (JSON), as GET /openapi.json serves it.
func OpenAPI() []byte { return bytes.Clone(openAPI) }

// openAPIDoc serves the document: public, like /healthz, and cacheable for an hour,
// revalidated by its ETag after that (a new release may change it).
func (a *api) openAPIDoc(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("ETag", openAPIETag)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "openapi.json", time.Time{}, bytes.NewReader(openAPI))
}
