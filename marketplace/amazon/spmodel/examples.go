package spmodel

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"sort"
	"strconv"
	"strings"
)

// Parameter is one parameter of an operation as its model declares it.
type Parameter struct {
	Name string
	// In is where the parameter goes: path, query, header or body.
	In       string
	Required bool
	// Array is true for a path, query or header array, sent comma-separated (the
	// models' arrays are all collectionFormat csv, Swagger 2's default).
	Array bool
}

// Operation is one operation of the models, with its static sandbox examples.
type Operation struct {
	// ID is the operation's ID (putListingsItem); Method and Path are its method and
	// path template (/listings/2021-08-01/items/{sellerId}/{sku}).
	ID, Method, Path string
	Parameters       []Parameter
	Examples         []Example
}

// Example is one static sandbox example of an operation: x-amzn-api-sandbox.static in
// Amazon's model, a request's parameters and the response Amazon's static sandbox
// gives a request that has them. [C S-AZ4, S-AZ5]
type Example struct {
	// Name tells the example apart: operation, status and its place among the
	// operation's examples of that status ("putListingsItem 200 #2").
	Name string
	// Operation is the operation's ID, Method and Path its method and path template.
	Operation, Method, Path string
	// Parameters are the values a request must have, by parameter name; the body
	// parameter's value is its JSON. Arrays are []any. A parameter the example names
	// without a value (Amazon's "body": {}) constrains nothing and is left out.
	Parameters map[string]any
	// Status and Response are the answer: its status code and JSON body.
	Status   int
	Response json.RawMessage

	params []Parameter
}

// swagger2 is the part of a Swagger 2 model the examples are read from.
type swagger2 struct {
	Paths map[string]map[string]json.RawMessage `json:"paths"`
}

type swagger2Op struct {
	OperationID string            `json:"operationId"`
	Parameters  []swagger2Param   `json:"parameters"`
	Responses   map[string]swResp `json:"responses"`
}

type swagger2Param struct {
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
	Type     string `json:"type"`
}

type swResp struct {
	Sandbox struct {
		Static []struct {
			Request struct {
				Parameters map[string]struct {
					Value *json.RawMessage `json:"value"`
				} `json:"parameters"`
			} `json:"request"`
			Response json.RawMessage `json:"response"`
		} `json:"static"`
	} `json:"x-amzn-api-sandbox"`
}

// readOperations reads every operation of a Swagger 2 model with its parameters
// (path-level ones included) and static sandbox examples.
func readOperations(raw []byte) ([]Operation, error) {
	var doc swagger2
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	var out []Operation
	for path, item := range doc.Paths {
		var shared []swagger2Param
		if p, ok := item["parameters"]; ok {
			if err := json.Unmarshal(p, &shared); err != nil {
				return nil, fmt.Errorf("%s parameters: %w", path, err)
			}
		}
		for method, rawOp := range item {
			if method == "parameters" || strings.HasPrefix(method, "x-") {
				continue
			}
			var op swagger2Op
			if err := json.Unmarshal(rawOp, &op); err != nil {
				return nil, fmt.Errorf("%s %s: %w", method, path, err)
			}
			o := Operation{ID: op.OperationID, Method: strings.ToUpper(method), Path: path}
			for _, p := range append(append([]swagger2Param{}, shared...), op.Parameters...) {
				o.Parameters = append(o.Parameters, Parameter{Name: p.Name, In: p.In, Required: p.Required || p.In == "path", Array: p.Type == "array"})
			}
			statuses := make([]string, 0, len(op.Responses))
			for s := range op.Responses {
				statuses = append(statuses, s)
			}
			sort.Strings(statuses)
			for _, s := range statuses {
				status, err := strconv.Atoi(s)
				if err != nil {
					continue // "default"
				}
				for i, ex := range op.Responses[s].Sandbox.Static {
					e := Example{
						Name:      fmt.Sprintf("%s %d #%d", o.ID, status, i+1),
						Operation: o.ID, Method: o.Method, Path: path,
						Parameters: map[string]any{}, Status: status, Response: ex.Response, params: o.Parameters,
					}
					for name, p := range ex.Request.Parameters {
						if p.Value == nil {
							continue
						}
						var v any
						if err := json.Unmarshal(*p.Value, &v); err != nil {
							return nil, fmt.Errorf("%s parameter %s: %w", e.Name, name, err)
						}
						e.Parameters[name] = v
					}
					o.Examples = append(o.Examples, e)
				}
			}
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Path != out[j].Path {
			return out[i].Path < out[j].Path
		}
		return out[i].Method < out[j].Method
	})
	return out, nil
}

// Operations lists the models' operations, by path and method.
func (m *Models) Operations() []Operation {
	return m.operations
}

// Match finds the static sandbox example that answers r (body is its body, already
// read), as Amazon's static sandbox does: an example answers a request that has every
// parameter the example gives, with the example's value; other parameters of the
// request do not matter. When several answer, the one with the most parameters wins
// (a catch-all example without parameters answers whatever the others leave) [I]. It
// reports false when none answers; the error is ErrNoOperation's for a request that
// calls no operation of the models.
func (m *Models) Match(r *http.Request, body []byte) (Example, bool, error) {
	op, path, err := m.find(r)
	if err != nil {
		return Example{}, false, err
	}
	var examples []Example
	for _, o := range m.operations {
		if o.ID == op.id && o.Method == r.Method {
			examples = o.Examples
		}
	}
	best := -1
	for i, e := range examples {
		if e.matches(r, path, body) && (best < 0 || len(e.Parameters) > len(examples[best].Parameters)) {
			best = i
		}
	}
	if best < 0 {
		return Example{}, false, nil
	}
	return examples[best], true, nil
}

func (e Example) param(name string) (Parameter, bool) {
	for _, p := range e.params {
		if p.Name == name {
			return p, true
		}
	}
	return Parameter{}, false
}

func (e Example) matches(r *http.Request, path map[string]string, body []byte) bool {
	for name, want := range e.Parameters {
		p, ok := e.param(name)
		if !ok {
			return false
		}
		switch p.In {
		case "path":
			if got, ok := path[name]; !ok || got != paramText(want) {
				return false
			}
		case "query":
			got, ok := r.URL.Query()[name]
			if !ok || strings.Join(got, ",") != paramText(want) {
				return false
			}
		case "header":
			got := r.Header.Values(name)
			if len(got) == 0 || strings.Join(got, ",") != paramText(want) {
				return false
			}
		case "body":
			var got any
			if json.Unmarshal(body, &got) != nil || !reflect.DeepEqual(got, want) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// paramText is a parameter value as it travels in a path, query or header: arrays
// comma-separated, numbers and booleans in their JSON form.
func paramText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = paramText(p)
		}
		return strings.Join(parts, ",")
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// Target builds a request the example answers: its request URI (path and query,
// relative to the models' root) and body. Parameters come from the example; the
// operation's other required parameters take the value fill gives them (nil: none,
// an error). Headers the example names are left to the caller (the models' examples
// name none).
func (e Example) Target(fill func(Parameter) any) (string, []byte, error) {
	value := func(p Parameter) (any, bool) {
		if v, ok := e.Parameters[p.Name]; ok {
			return v, true
		}
		if !p.Required {
			return nil, false
		}
		v := fill(p)
		return v, v != nil
	}
	path := e.Path
	q := url.Values{}
	var body []byte
	for _, p := range e.params {
		v, ok := value(p)
		if !ok {
			if p.Required {
				return "", nil, fmt.Errorf("%s: no value for required %s parameter %s", e.Name, p.In, p.Name)
			}
			continue
		}
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(paramText(v)))
		case "query":
			q.Set(p.Name, paramText(v))
		case "body":
			b, err := json.Marshal(v)
			if err != nil {
				return "", nil, fmt.Errorf("%s: body: %w", e.Name, err)
			}
			body = b
		}
	}
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	return path, body, nil
}
