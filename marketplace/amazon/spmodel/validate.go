package spmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// Requests and responses are checked the way Swagger 2 describes them. A path, query
// or header parameter (and a response header) is text: it is read as the value its
// type says (an array split by its collectionFormat) and checked against a draft-04
// JSON Schema made of its own keywords, which Swagger 2 borrows from draft-04. Bodies
// are checked against their schemas compiled from the model document itself, so
// "#/definitions/X" resolves as the model writes it.

// swDoc is the part of a Swagger 2 model that validation reads.
type swDoc struct {
	Consumes []string                              `json:"consumes"`
	Produces []string                              `json:"produces"`
	Paths    map[string]map[string]json.RawMessage `json:"paths"`
}

type swOperation struct {
	OperationID string           `json:"operationId"`
	Consumes    []string         `json:"consumes"` // none: the document's
	Produces    []string         `json:"produces"`
	Parameters  []map[string]any `json:"parameters"`
	Responses   map[string]struct {
		Schema  json.RawMessage           `json:"schema"`
		Headers map[string]map[string]any `json:"headers"`
	} `json:"responses"`
}

// param is a path, query or header parameter, or a response header.
type param struct {
	name, in string
	required bool
	typ      string // string, integer, number, boolean or array
	items    string // an array's items' type
	format   string // an array's collectionFormat: csv, ssv, tsv, pipes or multi
	schema   *jsonschema.Schema
}

// response is what an answer of one status must be.
type response struct {
	schema  *jsonschema.Schema // nil: the body is not described
	headers []param
}

// contract is what an operation's requests and responses are checked against.
type contract struct {
	params       []param
	body         *jsonschema.Schema // nil: the operation takes no body
	bodyRequired bool
	consumes     []string
	produces     []string
	responses    map[string]response // by status code, or "default"
}

// paramKeywords are the keywords of a Swagger 2 non-body parameter, header or items
// object that mean in it what they mean in draft-04 JSON Schema.
var paramKeywords = []string{"type", "format", "enum", "maximum", "exclusiveMaximum", "minimum",
	"exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems", "multipleOf"}

// modelCompiler compiles the schemas of one model document.
type modelCompiler struct {
	c    *jsonschema.Compiler
	base string // the document's URL
	n    int    // parameter schemas added so far
}

// compileOperations indexes the operations of the model name (raw is its text) with
// the contracts their requests and responses are checked against.
func compileOperations(name string, raw []byte) ([]operation, error) {
	var doc swDoc
	if err := decodeNumbers(raw, &doc); err != nil {
		return nil, err
	}
	whole, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, err
	}
	mc := &modelCompiler{c: jsonschema.NewCompiler(), base: "urn:stox:spmodel:" + name}
	mc.c.DefaultDraft(jsonschema.Draft4) // Swagger 2's schemas are draft-04 (date-time is asserted)
	if err := mc.c.AddResource(mc.base, whole); err != nil {
		return nil, err
	}
	var out []operation
	for path, item := range doc.Paths {
		var shared []map[string]any
		if p, ok := item["parameters"]; ok {
			if err := decodeNumbers(p, &shared); err != nil {
				return nil, fmt.Errorf("%s parameters: %w", path, err)
			}
		}
		for method, rawOp := range item {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op swOperation
			if err := decodeNumbers(rawOp, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			ct, err := mc.contract(doc, path, method, shared, op)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			re, names, static := template(path)
			out = append(out, operation{id: op.OperationID, method: strings.ToUpper(method),
				re: re, names: names, static: static, contract: ct})
		}
	}
	return out, nil
}

// contract compiles one operation's parameters, body and responses. Parameters of the
// path item apply unless the operation declares its own of the same name and place.
func (mc *modelCompiler) contract(doc swDoc, path, method string, shared []map[string]any, op swOperation) (*contract, error) {
	ct := &contract{consumes: doc.Consumes, produces: doc.Produces, responses: map[string]response{}}
	if op.Consumes != nil {
		ct.consumes = op.Consumes
	}
	if op.Produces != nil {
		ct.produces = op.Produces
	}
	pathPtr := "/paths/" + pointerToken(path)
	type located struct {
		p   map[string]any
		ptr string
	}
	byKey := map[string]located{}
	var order []string
	for i, p := range shared {
		byKey[text(p, "in")+" "+text(p, "name")] = located{p, fmt.Sprintf("%s/parameters/%d", pathPtr, i)}
		order = append(order, text(p, "in")+" "+text(p, "name"))
	}
	for i, p := range op.Parameters {
		key := text(p, "in") + " " + text(p, "name")
		if _, ok := byKey[key]; !ok {
			order = append(order, key)
		}
		byKey[key] = located{p, fmt.Sprintf("%s/%s/parameters/%d", pathPtr, method, i)}
	}
	for _, key := range order {
		l := byKey[key]
		if err := mc.addParameter(ct, l.p, l.ptr); err != nil {
			return nil, err
		}
	}
	for status, r := range op.Responses {
		resp, err := mc.response(fmt.Sprintf("%s/%s/responses/%s", pathPtr, method, pointerToken(status)), r.Schema, r.Headers)
		if err != nil {
			return nil, fmt.Errorf("response %s: %w", status, err)
		}
		ct.responses[status] = resp
	}
	return ct, nil
}

func (mc *modelCompiler) addParameter(ct *contract, p map[string]any, ptr string) error {
	if _, ok := p["$ref"]; ok {
		return fmt.Errorf("parameter %s: references to shared parameters are not supported", ptr)
	}
	name, in := text(p, "name"), text(p, "in")
	required, _ := p["required"].(bool)
	if in == "body" {
		s, err := mc.c.Compile(mc.base + "#" + ptr + "/schema")
		if err != nil {
			return fmt.Errorf("body parameter %s: %w", name, err)
		}
		ct.body, ct.bodyRequired = s, required
		return nil
	}
	if in == "formData" {
		return fmt.Errorf("parameter %s: formData parameters are not supported", name)
	}
	pr, err := mc.param(name, in, p)
	if err != nil {
		return err
	}
	pr.required = required || in == "path"
	ct.params = append(ct.params, pr)
	return nil
}

// param compiles a non-body parameter or a header from its Swagger 2 object.
func (mc *modelCompiler) param(name, in string, p map[string]any) (param, error) {
	pr := param{name: name, in: in, typ: text(p, "type"), format: text(p, "collectionFormat")}
	if pr.format == "" {
		pr.format = "csv" // Swagger 2's default; the Orders model leaves it out
	}
	if items, ok := p["items"].(map[string]any); ok {
		pr.items = text(items, "type")
	}
	mc.n++
	loc := fmt.Sprintf("%s/parameters/%d", mc.base, mc.n)
	if err := mc.c.AddResource(loc, paramSchema(p)); err != nil {
		return param{}, fmt.Errorf("%s parameter %s: %w", in, name, err)
	}
	s, err := mc.c.Compile(loc)
	if err != nil {
		return param{}, fmt.Errorf("%s parameter %s: %w", in, name, err)
	}
	pr.schema = s
	return pr, nil
}

// paramSchema is the JSON Schema of a parameter, header or items object: its draft-04
// keywords, items included.
func paramSchema(p map[string]any) map[string]any {
	s := map[string]any{}
	for _, k := range paramKeywords {
		if v, ok := p[k]; ok {
			s[k] = v
		}
	}
	if items, ok := p["items"].(map[string]any); ok {
		s["items"] = paramSchema(items)
	}
	return s
}

func (mc *modelCompiler) response(ptr string, schema json.RawMessage, headers map[string]map[string]any) (response, error) {
	var r response
	if len(schema) > 0 {
		s, err := mc.c.Compile(mc.base + "#" + ptr + "/schema")
		if err != nil {
			return response{}, err
		}
		r.schema = s
	}
	names := make([]string, 0, len(headers))
	for name := range headers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		h, err := mc.param(name, "header", headers[name])
		if err != nil {
			return response{}, err
		}
		r.headers = append(r.headers, h)
	}
	return r, nil
}

// checkRequest lists every way r breaks the contract: its parameters (path ones as
// find read them), then its body.
func (ct *contract) checkRequest(r *http.Request, path map[string]string, body []byte) []string {
	var problems []string
	for _, p := range ct.params {
		text, ok := p.lookup(r, path)
		if !ok {
			if p.required {
				problems = append(problems, fmt.Sprintf("%s parameter %s is required", p.in, p.name))
			}
			continue
		}
		problems = append(problems, p.check(text, r.URL.Query()[p.name])...)
	}
	if ct.body == nil {
		return problems
	}
	if len(body) == 0 {
		if ct.bodyRequired {
			problems = append(problems, "body is required")
		}
		return problems
	}
	return append(problems, checkBody(ct.body, ct.consumes, r.Header.Get("Content-Type"), body)...)
}

// checkResponse lists every way an answer breaks the response documented for its
// status (or the default one); a status without one is refused.
func (ct *contract) checkResponse(status int, header http.Header, body []byte) []string {
	resp, ok := ct.responses[strconv.Itoa(status)]
	if !ok {
		if resp, ok = ct.responses["default"]; !ok {
			return []string{fmt.Sprintf("status %d is not documented", status)}
		}
	}
	var problems []string
	for _, h := range resp.headers {
		if vs := header.Values(h.name); len(vs) > 0 {
			problems = append(problems, h.check(strings.Join(vs, ","), nil)...)
		}
	}
	if resp.schema == nil {
		return problems
	}
	return append(problems, checkBody(resp.schema, ct.produces, header.Get("Content-Type"), body)...)
}

// lookup finds the parameter's text in r: a query parameter given several times, or a
// header with several values, reads as one list.
func (p param) lookup(r *http.Request, path map[string]string) (string, bool) {
	switch p.in {
	case "path":
		v, ok := path[p.name]
		return v, ok
	case "query":
		vs, ok := r.URL.Query()[p.name]
		if !ok {
			return "", false
		}
		if p.typ != "array" {
			return vs[0], true
		}
		return strings.Join(vs, p.separator()), true
	case "header":
		vs := r.Header.Values(p.name)
		return strings.Join(vs, ","), len(vs) > 0
	}
	return "", false
}

// check reads a parameter's text (multi, a multi-format query array's values) as its
// type says and checks the value against its schema.
func (p param) check(text string, multi []string) []string {
	what := p.in + " parameter " + p.name
	v, err := p.value(text, multi)
	if err != nil {
		return []string{what + ": " + err.Error()}
	}
	return violations(what, p.schema.Validate(v))
}

func (p param) value(text string, multi []string) (any, error) {
	if p.typ != "array" {
		return scalar(p.typ, text)
	}
	parts := multi
	if p.format != "multi" {
		parts = nil
		if text != "" {
			parts = strings.Split(text, p.separator())
		}
	}
	out := make([]any, len(parts))
	for i, s := range parts {
		v, err := scalar(p.items, s)
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		out[i] = v
	}
	return out, nil
}

func (p param) separator() string {
	switch p.format {
	case "ssv":
		return " "
	case "tsv":
		return "\t"
	case "pipes":
		return "|"
	}
	return ","
}

// scalar reads one value as its Swagger 2 type: numbers as JSON numbers (their schema
// then tells integers apart), booleans as Go's strconv reads them.
func scalar(typ, text string) (any, error) {
	switch typ {
	case "integer", "number":
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
		if _, ok := v.(json.Number); err != nil || !ok {
			return nil, fmt.Errorf("%q is not a number", text)
		}
		return v, nil
	case "boolean":
		b, err := strconv.ParseBool(text)
		if err != nil {
			return nil, fmt.Errorf("%q is not a boolean", text)
		}
		return b, nil
	}
	return text, nil
}

// checkBody checks a JSON body: its media type among those the operation takes (or
// gives), then its value against the schema.
func checkBody(s *jsonschema.Schema, types []string, contentType string, body []byte) []string {
	if len(types) > 0 && !mediaTypeIn(contentType, types) {
		return []string{fmt.Sprintf("body: Content-Type %q is not %s", contentType, strings.Join(types, " or "))}
	}
	if len(body) == 0 {
		return []string{"body is empty: want JSON"}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []string{"body is not JSON: " + err.Error()}
	}
	return violations("body", s.Validate(v))
}

func mediaTypeIn(contentType string, types []string) bool {
	got, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	for _, t := range types {
		if want, _, err := mime.ParseMediaType(t); err == nil && (want == got || want == "*/*") {
			return true
		}
	}
	return false
}

// violations turns a schema's verdict on the value of what into one readable problem
// per failed keyword, each naming where in the value it is ("body at
// /patches/0/op: "move" is not one of add, replace, merge, delete"), sorted.
func violations(what string, err error) []string {
	if err == nil {
		return nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []string{what + ": " + err.Error()}
	}
	seen := map[string]bool{}
	var out []string
	for _, leaf := range leaves(ve) {
		where := what
		if len(leaf.InstanceLocation) > 0 {
			where += " at /" + strings.Join(leaf.InstanceLocation, "/")
		}
		msg := leaf.ErrorKind.LocalizedString(printer)
		if k, ok := leaf.ErrorKind.(*kind.Enum); ok {
			msg = fmt.Sprintf("%s is not one of %s", display(k.Got), joinValues(k.Want))
		}
		if p := where + ": " + msg; !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// decodeNumbers decodes JSON keeping numbers as json.Number, as jsonschema wants them.
func decodeNumbers(raw []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	return d.Decode(v)
}

func text(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// pointerToken escapes s as a JSON pointer token within a URL fragment.
func pointerToken(s string) string {
	return url.PathEscape(strings.NewReplacer("~", "~0", "/", "~1").Replace(s))
}
