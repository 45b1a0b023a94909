// Package spmodel validates Selling Partner API requests and responses against
// Amazon's official Swagger 2 models (amzn/selling-partner-api-models, Apache-2.0,
// copied with their LICENSE and NOTICE under models/): Listings Items 2021-08-01,
// Orders 2026-01-01, Product Type Definitions 2020-09-01 and Feeds 2021-06-30; listings'
// attributes against the JSON Schema of their product type (CompileProductType); and
// JSON_LISTINGS_FEED documents and their processing reports against Amazon's schemas of
// them (ValidateListingsFeed, ValidateProcessingReport). It also reads
// the models' static sandbox examples and finds the one that answers a request, as
// Amazon's static sandbox does (Models.Match), and checks the User-Agent every request
// must carry (ValidateUserAgent).
//
// The models name Amazon's production host; validation ignores hosts and matches the
// models' path templates on the request path alone, so a request to the local sandbox
// (or any other base URL serving the paths at its root) validates like one to Amazon.
package spmodel

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed models/*.json
var files embed.FS

// Model files embedded in the package.
const (
	ListingsItems          = "listingsItems_2021-08-01.json"
	Orders                 = "orders_2026-01-01.json"
	ProductTypeDefinitions = "definitionsProductTypes_2020-09-01.json"
	Feeds                  = "feeds_2021-06-30.json"
)

// ErrNoOperation is returned for a request whose method and path match no operation
// of the models.
var ErrNoOperation = errors.New("no operation of the SP-API models matches the request")

// operation is one model operation with its path template as a regular expression.
type operation struct {
	route  routers.Route
	re     *regexp.Regexp
	names  []string
	static int // literal characters in the template: more specific templates win
}

// Models holds the loaded models' operations.
type Models struct {
	ops        []operation
	operations []Operation // with their parameters and static sandbox examples
}

var defaultModels = sync.OnceValues(func() (*Models, error) { return Load(ListingsItems, Orders, ProductTypeDefinitions, Feeds) })

// Default returns every embedded model, loaded once.
func Default() (*Models, error) { return defaultModels() }

// Load reads the named embedded model files, converts them to OpenAPI 3 and indexes
// their operations.
func Load(names ...string) (*Models, error) {
	m := &Models{}
	for _, name := range names {
		raw, err := files.ReadFile("models/" + name)
		if err != nil {
			return nil, fmt.Errorf("spmodel: read %s: %w", name, err)
		}
		var doc2 openapi2.T
		if err := json.Unmarshal(raw, &doc2); err != nil {
			return nil, fmt.Errorf("spmodel: parse %s: %w", name, err)
		}
		csvArrays(&doc2)
		ops, err := readOperations(raw)
		if err != nil {
			return nil, fmt.Errorf("spmodel: read operations of %s: %w", name, err)
		}
		m.operations = append(m.operations, ops...)
		doc3, err := openapi2conv.ToV3(&doc2)
		if err != nil {
			return nil, fmt.Errorf("spmodel: convert %s to OpenAPI 3: %w", name, err)
		}
		// The host (sellingpartnerapi-na.amazon.com) is Amazon's, not ours: match
		// paths only.
		doc3.Servers = nil
		if err := openapi3.NewLoader().ResolveRefsIn(doc3, nil); err != nil {
			return nil, fmt.Errorf("spmodel: resolve references in %s: %w", name, err)
		}
		for path, item := range doc3.Paths.Map() {
			re, names, static := template(path)
			for method, op := range item.Operations() {
				m.ops = append(m.ops, operation{
					route:  routers.Route{Spec: doc3, Path: path, PathItem: item, Method: method, Operation: op},
					re:     re,
					names:  names,
					static: static,
				})
			}
		}
	}
	sort.SliceStable(m.ops, func(i, j int) bool { return m.ops[i].static > m.ops[j].static })
	return m, nil
}

// csvArrays gives array query parameters without a collectionFormat Swagger 2's
// default, csv (the Orders model leaves it out): the conversion would otherwise take
// OpenAPI 3's default, one parameter per value, and refuse includedData=BUYER,TAX.
func csvArrays(doc *openapi2.T) {
	fix := func(ps openapi2.Parameters) {
		for _, p := range ps {
			if p != nil && p.In == "query" && p.Type.Is("array") && p.CollectionFormat == "" {
				p.CollectionFormat = "csv"
			}
		}
	}
	for _, item := range doc.Paths {
		fix(item.Parameters)
		for _, op := range item.Operations() {
			fix(op.Parameters)
		}
	}
}

// template turns /a/{b}/c into ^/a/([^/]+)/c$ and the parameter names.
func template(path string) (*regexp.Regexp, []string, int) {
	var b strings.Builder
	var names []string
	static := 0
	b.WriteString("^")
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		b.WriteString("/")
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			names = append(names, seg[1:len(seg)-1])
			b.WriteString("([^/]+)")
			continue
		}
		static += len(seg)
		b.WriteString(regexp.QuoteMeta(seg))
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String()), names, static
}

// find returns the operation serving r and its path parameters.
func (m *Models) find(r *http.Request) (*operation, map[string]string, error) {
	path := r.URL.EscapedPath()
	for i := range m.ops {
		op := &m.ops[i]
		if op.route.Method != r.Method {
			continue
		}
		sub := op.re.FindStringSubmatch(path)
		if sub == nil {
			continue
		}
		params := make(map[string]string, len(op.names))
		for k, name := range op.names {
			v, err := url.PathUnescape(sub[k+1])
			if err != nil {
				return nil, nil, fmt.Errorf("path parameter %s: %w", name, err)
			}
			params[name] = v
		}
		return op, params, nil
	}
	return nil, nil, fmt.Errorf("%w: %s %s", ErrNoOperation, r.Method, path)
}

// OperationID names the model operation r calls (e.g. putListingsItem).
func (m *Models) OperationID(r *http.Request) (string, error) {
	op, _, err := m.find(r)
	if err != nil {
		return "", err
	}
	return op.route.Operation.OperationID, nil
}

func (m *Models) input(r *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	op, params, err := m.find(r)
	if err != nil {
		return nil, err
	}
	// Validation reads the body: give it a copy and leave r as it was.
	rc := r.Clone(r.Context())
	rc.Body = io.NopCloser(bytes.NewReader(body))
	rc.ContentLength = int64(len(body))
	if len(body) == 0 {
		rc.Body = http.NoBody
	}
	return &openapi3filter.RequestValidationInput{
		Request:    rc,
		PathParams: params,
		Route:      &op.route,
		Options: &openapi3filter.Options{
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
			MultiError:          true,
			SkipSettingDefaults: true,
		},
	}, nil
}

// ValidateRequest checks a request (its path, query parameters, headers and JSON body)
// against the operation it calls; body is the request body already read.
func (m *Models) ValidateRequest(r *http.Request, body []byte) error {
	in, err := m.input(r, body)
	if err != nil {
		return err
	}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s does not match the model of %s: %w", r.Method, r.URL.Path, in.Route.Operation.OperationID, err)
	}
	return nil
}

// ValidateResponse checks a response (status, headers and JSON body) to r against the
// operation r calls. A status the operation does not document is an error.
func (m *Models) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	in, err := m.input(r, nil)
	if err != nil {
		return err
	}
	out := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 status,
		Header:                 header,
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return fmt.Errorf("%d answer to %s %s does not match the model of %s: %w", status, r.Method, r.URL.Path, in.Route.Operation.OperationID, err)
	}
	return nil
}

// ValidateRequest validates r against the default models (see Models.ValidateRequest).
func ValidateRequest(r *http.Request, body []byte) error {
	m, err := Default()
	if err != nil {
		return err
	}
	return m.ValidateRequest(r, body)
}

// ValidateResponse validates a response against the default models (see
// Models.ValidateResponse).
func ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	m, err := Default()
	if err != nil {
		return err
	}
	return m.ValidateResponse(r, status, header, body)
}
