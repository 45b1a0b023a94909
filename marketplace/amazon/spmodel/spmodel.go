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
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// The models and feed schemas are embedded gzipped (models/*.json.gz, made from
// models/*.json by go generate; TestEmbeddedModelsMatchTheirSources keeps them in
// step): 437 KB of JSON would be 56 KB, and compress/gzip is linked in by net/http
// anyway.
//
//go:generate sh -c "cd models && gzip -9 -n -k -f *_20*.json listings-feed-schema-v2.json listings-feed-processing-report-schema-v2.json"
//go:embed models/*.json.gz
var files embed.FS

// readModel returns the text of the embedded model or schema name (a file name in
// models/, such as ListingsItems).
func readModel(name string) ([]byte, error) {
	f, err := files.Open("models/" + name + ".gz")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return io.ReadAll(z)
}

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
	id, method string
	re         *regexp.Regexp
	names      []string
	static     int // literal characters in the template: more specific templates win
	contract   *contract
}

// Models holds the loaded models' operations.
type Models struct {
	ops        []operation
	operations []Operation // with their parameters and static sandbox examples
}

var defaultModels = sync.OnceValues(func() (*Models, error) { return Load(ListingsItems, Orders, ProductTypeDefinitions, Feeds) })

// Default returns every embedded model, loaded once.
func Default() (*Models, error) { return defaultModels() }

// Load reads the named embedded model files, compiles the schemas of their operations'
// parameters, bodies and responses and indexes the operations.
func Load(names ...string) (*Models, error) {
	m := &Models{}
	for _, name := range names {
		raw, err := readModel(name)
		if err != nil {
			return nil, fmt.Errorf("spmodel: read %s: %w", name, err)
		}
		ops, err := readOperations(raw)
		if err != nil {
			return nil, fmt.Errorf("spmodel: read operations of %s: %w", name, err)
		}
		m.operations = append(m.operations, ops...)
		compiled, err := compileOperations(name, raw)
		if err != nil {
			return nil, fmt.Errorf("spmodel: compile %s: %w", name, err)
		}
		m.ops = append(m.ops, compiled...)
	}
	sort.SliceStable(m.ops, func(i, j int) bool { return m.ops[i].static > m.ops[j].static })
	return m, nil
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
		if op.method != r.Method {
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
	return op.id, nil
}

// ValidateRequest checks a request (its path, query parameters, headers and JSON body)
// against the operation it calls; body is the request body already read. The error
// lists every problem, each naming the parameter or body field concerned.
func (m *Models) ValidateRequest(r *http.Request, body []byte) error {
	op, path, err := m.find(r)
	if err != nil {
		return err
	}
	if problems := op.contract.checkRequest(r, path, body); len(problems) > 0 {
		return fmt.Errorf("%s %s does not match the model of %s: %s", r.Method, r.URL.Path, op.id, strings.Join(problems, "; "))
	}
	return nil
}

// ValidateResponse checks a response (status, headers and JSON body) to r against the
// operation r calls. A status the operation does not document is an error.
func (m *Models) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	op, _, err := m.find(r)
	if err != nil {
		return err
	}
	if problems := op.contract.checkResponse(status, header, body); len(problems) > 0 {
		return fmt.Errorf("%d answer to %s %s does not match the model of %s: %s", status, r.Method, r.URL.Path, op.id, strings.Join(problems, "; "))
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
