// Package openapitest checks HTTP traffic against an OpenAPI 3.1 document, so tests
// that drive a handler also prove the document describes what the handler does.
//
// A response is checked always: its operation (path and method) must be documented,
// its status documented for that operation, its required headers present and its body
// of a documented media type and, for JSON, valid against the schema. A request is
// checked only when the handler accepted it (a 2xx or 304 answer): its path and query
// parameters and its body (JSON, or the JSON parts of multipart/form-data) must then
// be valid too. A refused request proves nothing about the document, since tests send
// bad requests on purpose. A request no operation matches must be answered 404 or 405
// (or 401 or 429, which come before routing) with a problem (components/schemas/Problem).
package openapitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// docURL is the name the document's schemas are compiled under.
const docURL = "mem:///openapi.json"

// Doc is a parsed OpenAPI document.
type Doc struct {
	root map[string]any
	ops  []*operation
	c    *jsonschema.Compiler

	mu      sync.Mutex
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

// operation is one path and method of the document.
type operation struct {
	method, path string
	segments     []string // the path's segments; "{name}" for a parameter
	ptr          string   // JSON pointer to the operation object
	obj          map[string]any
}

// name is how messages name the operation: "GET /v1/products/{id} (getProduct)".
func (o *operation) name() string {
	n := o.method + " " + o.path
	if id, ok := o.obj["operationId"].(string); ok {
		n += " (" + id + ")"
	}
	return n
}

// Parse reads an OpenAPI 3.1 document and compiles every schema it holds, so a broken
// schema or a dangling $ref fails here rather than on the request that reaches it.
func Parse(data []byte) (*Doc, error) {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	root, ok := v.(map[string]any)
	if !ok || !strings.HasPrefix(fmt.Sprint(root["openapi"]), "3.1.") {
		return nil, fmt.Errorf("openapi: not an OpenAPI 3.1 document")
	}
	d := &Doc{root: root, c: jsonschema.NewCompiler(), schemas: map[string]*jsonschema.Schema{}}
	d.c.DefaultDraft(jsonschema.Draft2020)
	if err := d.c.AddResource(docURL, root); err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	paths, _ := root["paths"].(map[string]any)
	for _, p := range sortedKeys(paths) {
		item, _ := paths[p].(map[string]any)
		for _, m := range sortedKeys(item) {
			obj, ok := item[m].(map[string]any)
			if !ok || !isMethod(m) {
				continue
			}
			d.ops = append(d.ops, &operation{
				method: strings.ToUpper(m), path: p, segments: strings.Split(p, "/"),
				ptr: "/paths/" + escape(p) + "/" + m, obj: obj,
			})
		}
	}
	if err := d.checkRefs("", root); err != nil {
		return nil, err
	}
	if err := d.compileAll("", root); err != nil {
		return nil, err
	}
	return d, nil
}

// checkRefs checks that every local $ref under v names something.
func (d *Doc) checkRefs(ptr string, v any) error {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && strings.HasPrefix(ref, "#") && d.at(strings.TrimPrefix(ref, "#")) == nil {
			return fmt.Errorf("openapi: %s: $ref %s names nothing", ptr, ref)
		}
		for _, k := range sortedKeys(v) {
			if err := d.checkRefs(ptr+"/"+escape(k), v[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := d.checkRefs(ptr+"/"+strconv.Itoa(i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// compileAll compiles every "schema" member and every components schema under v.
func (d *Doc) compileAll(ptr string, v any) error {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range sortedKeys(v) {
			p := ptr + "/" + escape(k)
			if k == "schema" || strings.HasPrefix(ptr, "/components/schemas/") && strings.Count(p, "/") == 3 {
				if _, err := d.schema(p); err != nil {
					return err
				}
				continue
			}
			if err := d.compileAll(p, v[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := d.compileAll(ptr+"/"+strconv.Itoa(i), e); err != nil {
				return err
			}
		}
	}
	return nil
}

// Operations lists the documented operations as "METHOD /path".
func (d *Doc) Operations() []string {
	out := make([]string, len(d.ops))
	for i, o := range d.ops {
		out[i] = o.method + " " + o.path
	}
	return out
}

// schema compiles (once) the schema at a JSON pointer of the document.
func (d *Doc) schema(ptr string) (*jsonschema.Schema, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.schemas[ptr]; ok {
		return s, nil
	}
	s, err := d.c.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, fmt.Errorf("openapi: schema %s: %w", ptr, err)
	}
	d.schemas[ptr] = s
	return s, nil
}

// resolve follows $ref (local JSON pointers only) from the object at ptr.
func (d *Doc) resolve(ptr string, v any) (string, map[string]any) {
	for range 10 {
		obj, _ := v.(map[string]any)
		ref, ok := obj["$ref"].(string)
		if !ok {
			return ptr, obj
		}
		ptr = strings.TrimPrefix(ref, "#")
		v = d.at(ptr)
	}
	return ptr, nil
}

// at is the value at a JSON pointer of the document.
func (d *Doc) at(ptr string) any {
	var v any = d.root
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = obj[unescape(tok)]
	}
	return v
}

// validate checks v against the schema at ptr; the error names the instance's JSON
// pointer.
func (d *Doc) validate(ptr string, v any) error {
	s, err := d.schema(ptr)
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// Exchange is one request and its answer, as a handler saw them.
type Exchange struct {
	Request *http.Request
	// RequestBody is what the handler read of the request's body.
	RequestBody []byte
	Status      int
	Header      http.Header
	Body        []byte
	// Cut says the client left before the whole answer reached it: its status and
	// headers are checked, not its body.
	Cut bool
}

// Check checks one exchange against the document.
func (d *Doc) Check(x Exchange) error {
	op, params := d.match(x.Request)
	if op == nil {
		return d.checkUnrouted(x)
	}
	if err := d.checkResponse(op, x); err != nil {
		return fmt.Errorf("%s: %w", op.name(), err)
	}
	if x.Status/100 == 2 || x.Status == http.StatusNotModified {
		if err := d.checkRequest(op, params, x); err != nil {
			return fmt.Errorf("%s: request answered %d: %w", op.name(), x.Status, err)
		}
	}
	return nil
}

// match finds the operation of r and its path parameters; a literal segment wins over
// a parameter, as in net/http's mux. HEAD falls back to GET, as the mux serves it.
func (d *Doc) match(r *http.Request) (*operation, map[string]string) {
	segs := strings.Split(r.URL.EscapedPath(), "/")
	var best *operation
	var bestParams map[string]string
	bestLiterals := -1
	for _, method := range []string{r.Method, http.MethodGet} {
		for _, o := range d.ops {
			if o.method != method || len(o.segments) != len(segs) {
				continue
			}
			params, literals, ok := matchSegments(o.segments, segs)
			if ok && literals > bestLiterals {
				best, bestParams, bestLiterals = o, params, literals
			}
		}
		if best != nil || r.Method != http.MethodHead {
			break
		}
	}
	return best, bestParams
}

// matchSegments matches a path's escaped segments against a template's.
func matchSegments(tmpl, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	literals := 0
	for i, t := range tmpl {
		s, err := url.PathUnescape(segs[i])
		if err != nil {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			if s == "" {
				return nil, 0, false
			}
			params[t[1:len(t)-1]] = s
			continue
		}
		if t != s {
			return nil, 0, false
		}
		literals++
	}
	return params, literals, true
}

// checkUnrouted accepts only a problem answering 404 or 405.
func (d *Doc) checkUnrouted(x Exchange) error {
	name := x.Request.Method + " " + x.Request.URL.Path
	switch x.Status {
	case http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusUnauthorized, http.StatusTooManyRequests:
		// The mux's answers, and authentication's and the rate limit's, which come first.
	default:
		return fmt.Errorf("%s: no documented operation, yet answered %d", name, x.Status)
	}
	if err := d.checkJSON("/components/schemas/Problem", x.Body); err != nil {
		return fmt.Errorf("%s: answer %d: %w", name, x.Status, err)
	}
	return nil
}

// checkResponse checks the status, the required headers and the body.
func (d *Doc) checkResponse(op *operation, x Exchange) error {
	responses, _ := op.obj["responses"].(map[string]any)
	code := strconv.Itoa(x.Status)
	key := code
	if _, ok := responses[key]; !ok {
		key = code[:1] + "XX"
	}
	if _, ok := responses[key]; !ok {
		key = "default"
	}
	raw, ok := responses[key]
	if !ok {
		return fmt.Errorf("status %d is not documented (body: %.200s)", x.Status, x.Body)
	}
	ptr, resp := d.resolve(op.ptr+"/responses/"+key, raw)
	if err := d.checkHeaders(ptr, resp, x.Header); err != nil {
		return fmt.Errorf("response %d: %w", x.Status, err)
	}
	if x.Cut || len(x.Body) == 0 && (x.Request.Method == http.MethodHead || x.Status == http.StatusNoContent || x.Status == http.StatusNotModified) {
		return nil
	}
	if err := d.checkContent(ptr, resp, x.Header.Get("Content-Type"), x.Body); err != nil {
		return fmt.Errorf("response %d: %w", x.Status, err)
	}
	return nil
}

// checkHeaders checks that every required header of a response is sent, and that
// every documented one sent fits its schema.
func (d *Doc) checkHeaders(ptr string, resp map[string]any, h http.Header) error {
	headers, _ := resp["headers"].(map[string]any)
	for _, name := range sortedKeys(headers) {
		hptr, hdr := d.resolve(ptr+"/headers/"+escape(name), headers[name])
		v := h.Get(name)
		if v == "" {
			if req, _ := hdr["required"].(bool); req {
				return fmt.Errorf("header %s is required but missing", name)
			}
			continue
		}
		if err := d.checkParamValue(hptr+"/schema", hdr, v); err != nil {
			return fmt.Errorf("header %s %q: %w", name, v, err)
		}
	}
	return nil
}

// checkContent checks a body against the response's or request body's content map.
func (d *Doc) checkContent(ptr string, obj map[string]any, contentType string, body []byte) error {
	content, _ := obj["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return fmt.Errorf("a body (%s) where none is documented", contentType)
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	key := mediaKey(content, mt)
	if key == "" {
		return fmt.Errorf("content type %s is not documented (documented: %s)", mt, strings.Join(sortedKeys(content), ", "))
	}
	if _, ok := content[key].(map[string]any)["schema"]; !ok || !isJSON(mt) {
		return nil
	}
	return d.checkJSON(ptr+"/content/"+escape(key)+"/schema", body)
}

// mediaKey is the key of content that covers media type mt: mt itself, type/* or */*.
func mediaKey(content map[string]any, mt string) string {
	major, _, _ := strings.Cut(mt, "/")
	for _, k := range []string{mt, major + "/*", "*/*"} {
		if _, ok := content[k]; ok {
			return k
		}
	}
	return ""
}

// isJSON tells JSON media types: application/json and any +json.
func isJSON(mt string) bool { return mt == "application/json" || strings.HasSuffix(mt, "+json") }

// checkJSON parses body as JSON and validates it against the schema at ptr.
func (d *Doc) checkJSON(ptr string, body []byte) error {
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w (%.200s)", err, body)
	}
	if err := d.validate(ptr, v); err != nil {
		return fmt.Errorf("body does not match %s: %w", ptr, err)
	}
	return nil
}

// checkRequest checks an accepted request's parameters and body.
func (d *Doc) checkRequest(op *operation, pathParams map[string]string, x Exchange) error {
	query := x.Request.URL.Query()
	declared, _ := op.obj["parameters"].([]any)
	for i, raw := range declared {
		ptr, p := d.resolve(op.ptr+"/parameters/"+strconv.Itoa(i), raw)
		name, _ := p["name"].(string)
		var v string
		var present bool
		switch p["in"] {
		case "path":
			v, present = pathParams[name]
		case "query":
			v, present = query.Get(name), query.Has(name)
		case "header":
			v = x.Request.Header.Get(name)
			present = v != ""
		default:
			continue
		}
		if !present {
			if req, _ := p["required"].(bool); req {
				return fmt.Errorf("%s parameter %s is required but missing", p["in"], name)
			}
			continue
		}
		if err := d.checkParamValue(ptr+"/schema", p, v); err != nil {
			return fmt.Errorf("%s parameter %s %q: %w", p["in"], name, v, err)
		}
	}
	for _, name := range sortedKeys(pathParams) {
		if !slices.ContainsFunc(declared, func(raw any) bool {
			_, p := d.resolve("", raw)
			return p["in"] == "path" && p["name"] == name
		}) {
			return fmt.Errorf("path parameter %s is not documented", name)
		}
	}
	raw, ok := op.obj["requestBody"]
	if !ok {
		if len(x.RequestBody) > 0 {
			return fmt.Errorf("a request body where none is documented")
		}
		return nil
	}
	ptr, rb := d.resolve(op.ptr+"/requestBody", raw)
	return d.checkRequestBody(ptr, rb, x)
}

// checkParamValue validates a parameter's or header's text against its schema,
// reading it as the schema's type says.
func (d *Doc) checkParamValue(ptr string, p map[string]any, v string) error {
	schema, _ := p["schema"].(map[string]any)
	_, schema = d.resolve("", schema)
	var val any = v
	switch schema["type"] {
	case "integer", "number":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return fmt.Errorf("not a number")
		}
		val = json.Number(strconv.FormatFloat(n, 'f', -1, 64))
	case "boolean":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("not a boolean")
		}
		val = b
	}
	return d.validate(ptr, val)
}

// checkRequestBody checks a request body: JSON as such, multipart/form-data as the
// object of its parts (JSON parts parsed, file parts as their bytes' text).
func (d *Doc) checkRequestBody(ptr string, rb map[string]any, x Exchange) error {
	ct := x.Request.Header.Get("Content-Type")
	content, _ := rb["content"].(map[string]any)
	if _, ok := content["application/json"]; ok && ct == "" {
		ct = "application/json" // the API reads a JSON body sent without a type as JSON
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		if req, _ := rb["required"].(bool); req || len(x.RequestBody) > 0 {
			return fmt.Errorf("request content type %q: %w", ct, err)
		}
		return nil
	}
	if mt != "multipart/form-data" {
		return d.checkContent(ptr, rb, ct, x.RequestBody)
	}
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("request content type %s is not documented", mt)
	}
	sptr := ptr + "/content/" + escape(mt) + "/schema"
	_, schema := d.resolve(sptr, d.at(sptr))
	form, err := readForm(x.RequestBody, params["boundary"], schema)
	if err != nil {
		return err
	}
	if err := d.validate(sptr, form); err != nil {
		return fmt.Errorf("multipart body does not match: %w", err)
	}
	return nil
}

// readForm reads a multipart body into an object: each name's parts, an array when
// schema (the form's) says the name's property is one, else its one part's value; a
// part of a JSON type is parsed, any other is its bytes as text.
func readForm(body []byte, boundary string, schema map[string]any) (map[string]any, error) {
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	parts := map[string][]any{}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("multipart body: %w", err)
		}
		data, err := io.ReadAll(p)
		if err != nil {
			return nil, fmt.Errorf("multipart part %s: %w", p.FormName(), err)
		}
		var v any = string(data)
		if mt, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); isJSON(mt) {
			if v, err = jsonschema.UnmarshalJSON(bytes.NewReader(data)); err != nil {
				return nil, fmt.Errorf("multipart part %s is not JSON: %w", p.FormName(), err)
			}
		}
		parts[p.FormName()] = append(parts[p.FormName()], v)
	}
	props, _ := schema["properties"].(map[string]any)
	form := map[string]any{}
	for name, vs := range parts {
		prop, _ := props[name].(map[string]any)
		if len(vs) == 1 && prop["type"] != "array" {
			form[name] = vs[0]
		} else {
			form[name] = vs
		}
	}
	return form, nil
}

func isMethod(m string) bool {
	switch m {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// escape and unescape are JSON pointer token escaping (RFC 6901).
func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

func unescape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
}
