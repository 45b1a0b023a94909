package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/openapitest"
)

var (
	openAPIOnce   sync.Once
	openAPIParsed *openapitest.Doc
	openAPIErr    error
)

// apiDoc is the parsed openapi.json; every schema in it compiles.
func apiDoc(t testing.TB) *openapitest.Doc {
	t.Helper()
	openAPIOnce.Do(func() { openAPIParsed, openAPIErr = openapitest.Parse(openAPI) })
	require.NoError(t, openAPIErr)
	return openAPIParsed
}

// TestOpenAPIRoutes checks that the document has an operation for every route New
// registers and no other, so a route added later cannot be left out of it.
func TestOpenAPIRoutes(t *testing.T) {
	a, ok := newEnv(t).h.(*api)
	require.True(t, ok)
	require.NotEmpty(t, a.patterns)
	var registered []string
	for _, p := range a.patterns {
		method, path, found := strings.Cut(p, " ")
		require.True(t, found, "pattern %q has no method", p)
		registered = append(registered, method+" "+path)
	}
	assert.ElementsMatch(t, registered, apiDoc(t).Operations(),
		"api/openapi.json must document exactly the registered routes: add the operation to openapi_ops_test.go and run go test ./api -run TestOpenAPIDocument -update-openapi")
}

// TestOpenAPIServed fetches the document without a key, as a client generator would,
// and revalidates it by its ETag.
func TestOpenAPIServed(t *testing.T) {
	e := newEnv(t)
	rec := e.do(httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.Contains(t, rec.Header().Get("Cache-Control"), "public")
	var doc map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &doc))
	assert.Equal(t, "3.1.0", doc["openapi"])
	assert.Equal(t, OpenAPI(), rec.Body.Bytes())

	req := httptest.NewRequest(http.MethodGet, "/openapi.json", nil)
	req.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	again := e.do(req)
	assert.Equal(t, http.StatusNotModified, again.Code)
	assert.Empty(t, again.Body.Bytes())
}

// TestOpenAPICatchesMismatch checks that the checker the tests run through refuses
// an answer the document does not describe, so a passing suite means something.
func TestOpenAPICatchesMismatch(t *testing.T) {
	d := apiDoc(t)
	get := httptest.NewRequest(http.MethodGet, "/v1/products/p001", nil)
	for name, x := range map[string]openapitest.Exchange{
		"undocumented status": {Request: get, Status: http.StatusTeapot,
			Header: http.Header{"Content-Type": {problemContentType}}, Body: []byte(`{"type":"about:blank","title":"x","status":418}`)},
		"missing member": {Request: get, Status: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"id":"p001"}`)},
		"problem without status": {Request: get, Status: http.StatusNotFound,
			Header: http.Header{"Content-Type": {problemContentType}}, Body: []byte(`{"type":"about:blank","title":"Not found"}`)},
		"undocumented route": {Request: httptest.NewRequest(http.MethodGet, "/v1/nothing", nil), Status: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)},
		"accepted stock out of range": {Request: jsonRequest(http.MethodPut, "/v1/products/SKU-1/stock", `{"quantity":-1}`),
			RequestBody: []byte(`{"quantity":-1}`), Status: http.StatusOK,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"sku":"SKU-1","quantity":0,"version":1}`)},
		"accepted upload without a name": acceptedUpload(t, `{"sku":"SKU-1","price":10}`),
	} {
		err := d.Check(x)
		assert.Error(t, err, name)
		t.Logf("%s: %v", name, err)
	}
}

// acceptedUpload is an upload of product answered 202, as if the API took it.
func acceptedUpload(t *testing.T, product string) openapitest.Exchange {
	body, ct := multipartBody(t, productPart(product), photoPart("a.jpg", jpegBytes(t, 8, 8)))
	req := httptest.NewRequest(http.MethodPost, "/v1/products", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", ct)
	return openapitest.Exchange{Request: req, RequestBody: body.Bytes(), Status: http.StatusAccepted,
		Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/v1/products/p001"}},
		Body:   []byte(`{"id":"p001","revision":1}`)}
}

// jsonRequest is an authenticated request with a JSON body.
func jsonRequest(method, target, body string) *http.Request {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	return req
}
