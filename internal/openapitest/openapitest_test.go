package openapitest

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testDoc has a literal path beside a parameter one, a JSON body and a problem.
const testDoc = `{
  "openapi": "3.1.0",
  "info": {"title": "t", "version": "1"},
  "paths": {
    "/things/{id}": {"get": {"operationId": "getThing",
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]+$"}}],
      "responses": {"200": {"description": "a thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}}}}},
    "/things/new": {"put": {"operationId": "putThing",
      "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
      "responses": {"204": {"description": "stored"}, "4XX": {"$ref": "#/components/responses/Problem"}}}}
  },
  "components": {
    "schemas": {
      "Thing": {"type": "object", "required": ["n"], "properties": {"n": {"type": "integer", "minimum": 1}}, "additionalProperties": false},
      "Problem": {"type": "object", "required": ["status"], "properties": {"status": {"type": "integer"}}}
    },
    "responses": {"Problem": {"description": "a problem", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}}
  }
}`

func exchange(method, target, reqBody string, status int, ct, body string) Exchange {
	req := httptest.NewRequest(method, target, strings.NewReader(reqBody))
	if reqBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return Exchange{Request: req, RequestBody: []byte(reqBody), Status: status, Header: h, Body: []byte(body)}
}

func TestCheck(t *testing.T) {
	d, err := Parse([]byte(testDoc))
	require.NoError(t, err)
	assert.Equal(t, []string{"PUT /things/new", "GET /things/{id}"}, d.Operations())
	for name, tc := range map[string]struct {
		x    Exchange
		want string // "" : valid
	}{
		"valid get":               {exchange("GET", "/things/12", "", 200, "application/json", `{"n":3}`), ""},
		"head falls back to get":  {exchange("HEAD", "/things/12", "", 200, "application/json", ``), ""},
		"bad response member":     {exchange("GET", "/things/12", "", 200, "application/json", `{"n":0}`), "at '/n'"},
		"undocumented media type": {exchange("GET", "/things/12", "", 200, "text/plain", `3`), "content type text/plain"},
		"accepted bad path param": {exchange("GET", "/things/x", "", 200, "application/json", `{"n":3}`), "path parameter id"},
		"refused bad path param":  {exchange("GET", "/things/x", "", 404, "application/problem+json", `{"status":404}`), "status 404 is not documented"},
		"literal beats parameter": {exchange("PUT", "/things/new", `{"n":2}`, 204, "", ""), ""},
		"accepted bad body":       {exchange("PUT", "/things/new", `{"n":2,"m":1}`, 204, "", ""), "putThing"},
		"refused bad body":        {exchange("PUT", "/things/new", `{"m":1}`, 400, "application/problem+json", `{"status":400}`), ""},
		"problem by range":        {exchange("PUT", "/things/new", `{}`, 422, "application/problem+json", `{}`), "missing property 'status'"},
		"unrouted 404":            {exchange("GET", "/nothing", "", 404, "application/problem+json", `{"status":404}`), ""},
		"unrouted 200":            {exchange("GET", "/nothing", "", 200, "application/json", `{}`), "no documented operation"},
	} {
		err := d.Check(tc.x)
		if tc.want == "" {
			assert.NoError(t, err, name)
		} else if assert.Error(t, err, name) {
			assert.Contains(t, err.Error(), tc.want, name)
		}
	}
}

func TestParseRefusesDanglingRef(t *testing.T) {
	_, err := Parse([]byte(strings.Replace(testDoc, `"#/components/responses/Problem"`, `"#/components/responses/Missing"`, 1)))
	assert.ErrorContains(t, err, "names nothing")
}

// TestHandler serves through the wrapper: a handler that breaks the document fails
// the test it runs in.
func TestHandler(t *testing.T) {
	d, err := Parse([]byte(testDoc))
	require.NoError(t, err)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"n":` + r.PathValue("n") + `0}`))
	})
	ft := &fakeT{TB: t}
	rec := httptest.NewRecorder()
	Handler(ft, d, h).ServeHTTP(rec, httptest.NewRequest("GET", "/things/1", nil))
	assert.Equal(t, `{"n":0}`, rec.Body.String(), "the answer passes through")
	require.Len(t, ft.errs, 1)
	assert.Contains(t, ft.errs[0], "GET /things/{id} (getThing): response 200")
	assert.Contains(t, ft.errs[0], "at '/n'")
}

type fakeT struct {
	testing.TB
	errs []string
}

func (f *fakeT) Errorf(format string, args ...any) {
	f.errs = append(f.errs, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
