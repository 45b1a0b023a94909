package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// setCall is one call of Config.SetStock or Config.InitStock.
type setCall struct {
	SKU      string
	Quantity int
}

// fakeLedger is the stock ledger as the app wires it: SetStock sets and bumps the
// version, InitStock sets only an unknown SKU. Every call is recorded, and events
// records InitStock and Publish calls in order.
type fakeLedger struct {
	mu      sync.Mutex
	stock   map[string]messages.StockV1
	sets    []setCall
	inits   []setCall
	events  []string
	setErr  error
	initErr error
}

func newFakeLedger() *fakeLedger {
	return &fakeLedger{stock: map[string]messages.StockV1{}}
}

func (l *fakeLedger) SetStock(_ context.Context, sku string, quantity int) (messages.StockV1, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sets = append(l.sets, setCall{sku, quantity})
	if l.setErr != nil {
		return messages.StockV1{}, l.setErr
	}
	st := messages.StockV1{SKU: sku, Quantity: quantity, Version: l.stock[sku].Version + 1}
	l.stock[sku] = st
	return st, nil
}

func (l *fakeLedger) InitStock(_ context.Context, sku string, quantity int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.inits = append(l.inits, setCall{sku, quantity})
	l.events = append(l.events, "init "+sku)
	if l.initErr != nil {
		return l.initErr
	}
	if _, ok := l.stock[sku]; !ok {
		l.stock[sku] = messages.StockV1{SKU: sku, Quantity: quantity, Version: 1}
	}
	return nil
}

func (l *fakeLedger) Stock(_ context.Context, sku string) (int, int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	st, ok := l.stock[sku]
	if !ok {
		return 0, 0, fmt.Errorf("stock of %s: %w", sku, store.ErrNotFound)
	}
	return st.Quantity, st.Version, nil
}

// calls returns the SetStock and InitStock calls so far.
func (l *fakeLedger) calls() (sets, inits []setCall) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]setCall(nil), l.sets...), append([]setCall(nil), l.inits...)
}

// newStockEnv is newEnv with the ledger wired as the app wires it.
func newStockEnv(t *testing.T, mod ...func(*Config)) (*env, *fakeLedger) {
	t.Helper()
	l := newFakeLedger()
	e := newEnv(t, append([]func(*Config){func(c *Config) {
		c.SetStock, c.Stock = l.SetStock, l.Stock
		c.InitStock = l.InitStock
		publish := c.Publish
		c.Publish = func(ctx context.Context, m messages.ImageUploadV1) error {
			l.mu.Lock()
			l.events = append(l.events, "publish "+m.Product.SKU)
			l.mu.Unlock()
			return publish(ctx, m)
		}
	}}, mod...)...)
	return e, l
}

// stockRequest is an authenticated PUT of body to sku's stock.
func stockRequest(sku, body string) *http.Request {
	req := httptest.NewRequest(http.MethodPut, "/v1/products/"+sku+"/stock", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testKey)
	return req
}

func TestPutStock(t *testing.T) {
	e, l := newStockEnv(t)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 4, 4))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)

	body, err := json.Marshal(StockRequest{Quantity: 7})
	require.NoError(t, err)
	rec = e.do(stockRequest("MUG-01", string(body)))
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	assert.JSONEq(t, `{"sku":"MUG-01","quantity":7,"version":2}`, rec.Body.String())

	sets, _ := l.calls()
	assert.Equal(t, []setCall{{"MUG-01", 7}}, sets)

	// The bounds are allowed, and the answer is what SetStock returned.
	for i, q := range []int{0, MaxQuantity} {
		rec = e.do(stockRequest("MUG-01", fmt.Sprintf(` {"quantity": %d} `, q)))
		require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
		var got messages.StockV1
		decodeJSON(t, rec.Body, &got)
		assert.Equal(t, messages.StockV1{SKU: "MUG-01", Quantity: q, Version: int64(3 + i)}, got)
	}
	// A JSON media type with parameters, or none at all, is fine.
	req := stockRequest("MUG-01", `{"quantity":5}`)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	assert.Equal(t, http.StatusOK, e.do(req).Code)
	req = stockRequest("MUG-01", `{"quantity":5}`)
	req.Header.Del("Content-Type")
	assert.Equal(t, http.StatusOK, e.do(req).Code)
	sets, _ = l.calls()
	assert.Len(t, sets, 5)
}

func TestPutStockRejected(t *testing.T) {
	tests := []struct {
		name        string
		sku, body   string
		contentType string
		status      int
		field, msg  string
	}{
		{"empty body", "MUG-01", ``, "", http.StatusBadRequest, "request", "want a JSON object"},
		{"not an object", "MUG-01", `[{"quantity":1}]`, "", http.StatusBadRequest, "request", "want a JSON object"},
		{"bare number", "MUG-01", `5`, "", http.StatusBadRequest, "request", "want a JSON object"},
		{"malformed JSON", "MUG-01", `{"quantity":`, "", http.StatusBadRequest, "request", "malformed JSON"},
		{"trailing data", "MUG-01", `{"quantity":1} {}`, "", http.StatusBadRequest, "request", "unexpected data"},
		{"missing quantity", "MUG-01", `{}`, "", http.StatusBadRequest, "quantity", "required"},
		{"null quantity", "MUG-01", `{"quantity":null}`, "", http.StatusBadRequest, "quantity", "required"},
		{"negative", "MUG-01", `{"quantity":-1}`, "", http.StatusBadRequest, "quantity", "must be from 0 to 1000000; got -1"},
		{"too big", "MUG-01", `{"quantity":1000001}`, "", http.StatusBadRequest, "quantity", "must be from 0 to 1000000; got 1000001"},
		{"beyond int64", "MUG-01", `{"quantity":99999999999999999999}`, "", http.StatusBadRequest, "quantity", "must be from 0 to 1000000"},
		{"string", "MUG-01", `{"quantity":"5"}`, "", http.StatusBadRequest, "quantity", "got a JSON string"},
		{"boolean", "MUG-01", `{"quantity":true}`, "", http.StatusBadRequest, "quantity", "got a JSON boolean"},
		{"object", "MUG-01", `{"quantity":{"n":5}}`, "", http.StatusBadRequest, "quantity", "got a JSON object"},
		{"fraction", "MUG-01", `{"quantity":1.5}`, "", http.StatusBadRequest, "quantity", "want a whole number from 0 to 1000000; got 1.5"},
		{"exponent", "MUG-01", `{"quantity":1e3}`, "", http.StatusBadRequest, "quantity", "want a whole number"},
		{"unknown field", "MUG-01", `{"quantity":1,"qty":2}`, "", http.StatusBadRequest, "qty", "unknown field"},
		{"SKU with a space", "MUG%2001", `{"quantity":1}`, "", http.StatusBadRequest, "sku", "may contain only"},
		{"SKU too long", strings.Repeat("A", maxSKU+1), `{"quantity":1}`, "", http.StatusBadRequest, "sku", "longer than 64"},
		{"form body", "MUG-01", `quantity=1`, "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType, "request", "want Content-Type application/json"},
		{"huge body", "MUG-01", `{"quantity":1` + strings.Repeat(" ", maxStockBody) + `}`, "", http.StatusRequestEntityTooLarge, "request", "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, l := newStockEnv(t)
			l.stock["MUG-01"] = messages.StockV1{SKU: "MUG-01", Quantity: 1, Version: 1}
			req := stockRequest(tt.sku, tt.body)
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			rec := e.do(req)
			require.Equal(t, tt.status, rec.Code, "body: %s", rec.Body)
			p := decodeProblem(t, rec)
			assert.Equal(t, tt.status, p.Status)
			require.Len(t, p.Errors, 1, "errors: %+v", p.Errors)
			assert.Equal(t, tt.field, p.Errors[0].Field)
			assert.Contains(t, p.Errors[0].Message, tt.msg)
			assert.Contains(t, p.Detail, tt.msg)
			sets, _ := l.calls()
			assert.Empty(t, sets, "nothing set")
		})
	}
}

func TestPutStockListsEveryProblem(t *testing.T) {
	e, l := newStockEnv(t)
	rec := e.do(stockRequest("bad%20sku", `{"quantity":-5}`))
	require.Equal(t, http.StatusBadRequest, rec.Code, "body: %s", rec.Body)
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemMalformed, p.Type)
	require.Len(t, p.Errors, 2)
	assert.Equal(t, "sku", p.Errors[0].Field)
	assert.Equal(t, "quantity", p.Errors[1].Field)
	sets, _ := l.calls()
	assert.Empty(t, sets)
}

func TestPutStockUnknownSKU(t *testing.T) {
	e, l := newStockEnv(t)
	rec := e.do(stockRequest("GHOST-1", `{"quantity":3}`))
	require.Equal(t, http.StatusNotFound, rec.Code, "body: %s", rec.Body)
	p := decodeProblem(t, rec)
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.Contains(t, p.Detail, "no product with SKU GHOST-1")
	sets, _ := l.calls()
	assert.Empty(t, sets, "an unknown SKU is not created in the ledger")
}

func TestPutStockWithoutStock(t *testing.T) {
	// Without Config.Stock, SetStock decides what is unknown.
	var got []setCall
	e := newEnv(t, func(c *Config) {
		c.SetStock = func(_ context.Context, sku string, quantity int) (messages.StockV1, error) {
			got = append(got, setCall{sku, quantity})
			if sku != "MUG-01" {
				return messages.StockV1{}, fmt.Errorf("set stock of %s: %w", sku, store.ErrNotFound)
			}
			return messages.StockV1{SKU: sku, Quantity: quantity, Version: 9}, nil
		}
	})
	rec := e.do(stockRequest("GHOST-1", `{"quantity":3}`))
	require.Equal(t, http.StatusNotFound, rec.Code, "body: %s", rec.Body)
	assert.Contains(t, decodeProblem(t, rec).Detail, "GHOST-1")

	rec = e.do(stockRequest("MUG-01", `{"quantity":3}`))
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.JSONEq(t, `{"sku":"MUG-01","quantity":3,"version":9}`, rec.Body.String())
	assert.Equal(t, []setCall{{"GHOST-1", 3}, {"MUG-01", 3}}, got)
}

func TestPutStockFails(t *testing.T) {
	e, l := newStockEnv(t)
	l.stock["MUG-01"] = messages.StockV1{SKU: "MUG-01", Quantity: 1, Version: 1}
	l.setErr = errors.New("broker down")
	rec := e.do(stockRequest("MUG-01", `{"quantity":3}`))
	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, retryAfter, rec.Header().Get("Retry-After"))
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemUnavailable, p.Type)
	assert.Contains(t, p.Detail, "stock of MUG-01")
	assert.NotContains(t, p.Detail, "broker down", "internal errors stay internal")
}

func TestPutStockNotConfigured(t *testing.T) {
	e := newEnv(t) // no SetStock
	rec := e.do(stockRequest("MUG-01", `{"quantity":3}`))
	require.Equal(t, http.StatusNotImplemented, rec.Code, "body: %s", rec.Body)
	p := decodeProblem(t, rec)
	assert.Equal(t, http.StatusNotImplemented, p.Status)
	assert.Contains(t, p.Detail, "not enabled")
}

func TestPutStockAuth(t *testing.T) {
	tests := []struct {
		name, auth string
		keys       []string
		status     int
	}{
		{"no header", "", nil, http.StatusUnauthorized},
		{"wrong key", "Bearer nope", nil, http.StatusUnauthorized},
		{"wrong scheme", "Basic " + testKey, nil, http.StatusUnauthorized},
		{"good key", "Bearer " + testKey, nil, http.StatusOK},
		{"no keys configured", "", []string{}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, l := newStockEnv(t, func(c *Config) {
				if tt.keys != nil {
					c.APIKeys = tt.keys
				}
			})
			l.stock["MUG-01"] = messages.StockV1{SKU: "MUG-01", Quantity: 1, Version: 1}
			req := stockRequest("MUG-01", `{"quantity":3}`)
			req.Header.Del("Authorization")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := e.do(req)
			require.Equal(t, tt.status, rec.Code, "body: %s", rec.Body)
			sets, _ := l.calls()
			if tt.status == http.StatusUnauthorized {
				assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"))
				assert.Equal(t, http.StatusUnauthorized, decodeProblem(t, rec).Status)
				assert.Empty(t, sets)
			} else {
				assert.Equal(t, []setCall{{"MUG-01", 3}}, sets)
			}
		})
	}
}

func TestPutStockWrongMethod(t *testing.T) {
	e, _ := newStockEnv(t)
	req := stockRequest("MUG-01", "")
	req.Method = http.MethodDelete
	rec := e.do(req)
	require.Equal(t, http.StatusMethodNotAllowed, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, "GET, HEAD, PUT", rec.Header().Get("Allow"))
	assert.Equal(t, http.StatusMethodNotAllowed, decodeProblem(t, rec).Status)
}

// TestGetStock: GET .../stock answers the ledger's quantity and version, which a PUT
// moves; an unknown SKU is 404, a malformed one 400, and without a ledger 501.
func TestGetStock(t *testing.T) {
	e, _ := newStockEnv(t)
	rec := e.get("/v1/products/MUG-01/stock")
	require.Equal(t, http.StatusNotFound, rec.Code, "body: %s", rec.Body)
	assert.Contains(t, decodeProblem(t, rec).Detail, "no product with SKU MUG-01")

	rec = e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 4, 4))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	var up messages.Product
	require.NoError(t, json.Unmarshal([]byte(validProduct), &up))
	rec = e.get("/v1/products/MUG-01/stock")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.JSONEq(t, fmt.Sprintf(`{"sku":"MUG-01","quantity":%d,"version":1}`, up.Stock), rec.Body.String())

	require.Equal(t, http.StatusOK, e.do(stockRequest("MUG-01", `{"quantity":4}`)).Code)
	rec = e.get("/v1/products/MUG-01/stock")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.JSONEq(t, `{"sku":"MUG-01","quantity":4,"version":2}`, rec.Body.String())

	rec = e.get("/v1/products/bad%20sku/stock")
	assert.Equal(t, http.StatusBadRequest, rec.Code, "body: %s", rec.Body)

	rec = newEnv(t).get("/v1/products/MUG-01/stock")
	assert.Equal(t, http.StatusNotImplemented, rec.Code, "body: %s", rec.Body)
}

func TestUploadInitsStock(t *testing.T) {
	e, l := newStockEnv(t)
	jpg := jpegBytes(t, 4, 4)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	sets, inits := l.calls()
	assert.Equal(t, []setCall{{"MUG-01", 12}}, inits, "once, with the product's stock")
	assert.Empty(t, sets, "an upload never sets stock outright")
	assert.Equal(t, []string{"init MUG-01", "publish MUG-01"}, l.events, "the ledger knows the SKU before the pipeline does")

	// Units sold since (here: set by hand) survive a re-upload of the product.
	rec = e.do(stockRequest("MUG-01", `{"quantity":4}`))
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	rec = e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	_, inits = l.calls()
	assert.Len(t, inits, 2)
	q, _, err := l.Stock(t.Context(), "MUG-01")
	require.NoError(t, err)
	assert.Equal(t, 4, q)

	// A rejected upload records no stock.
	rec = e.do(uploadRequest(t, productPart(`{"sku":"X-1","name":"x","price":1,"stock":-1,"marketplaces":["amazon"]}`), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, "body: %s", rec.Body)
	_, inits = l.calls()
	assert.Len(t, inits, 2)
}

func TestUploadInitStockFails(t *testing.T) {
	e, l := newStockEnv(t)
	l.initErr = errors.New("database locked")
	jpg := jpegBytes(t, 4, 4)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))

	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, retryAfter, rec.Header().Get("Retry-After"))
	assert.Empty(t, rec.Header().Get("Location"))
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemUnavailable, p.Type)
	assert.Contains(t, p.Detail, "the stock ledger did not record the product's initial stock")
	assert.Contains(t, p.Detail, "send it again")
	assert.NotContains(t, p.Detail, "database locked", "internal errors stay internal")
	hits, _ := e.pub.calls()
	assert.Zero(t, hits, "nothing published for a product whose stock is not recorded")

	stored, err := e.store.Product(t.Context(), "p001")
	require.NoError(t, err)
	assert.Equal(t, store.StateFailed, stored.Stages[store.StageImages].State)
	assert.Equal(t, []string{"initial stock not recorded: database locked"}, stored.Stages[store.StageImages].Reasons)

	// The client sends it again once the ledger is back.
	l.initErr = nil
	rec = e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	_, sent := e.pub.calls()
	require.Len(t, sent, 1)
	assert.Equal(t, 2, sent[0].Revision)
	_, inits := l.calls()
	assert.Equal(t, []setCall{{"MUG-01", 12}, {"MUG-01", 12}}, inits)
	q, _, err := l.Stock(t.Context(), "MUG-01")
	require.NoError(t, err)
	assert.Equal(t, 12, q)
}

func TestGetProductShowsListings(t *testing.T) {
	e := newEnv(t)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 4, 4))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	rejected := store.Listing{State: store.ListingRejected, Reasons: []string{"title longer than 255 characters", "VAT 18 not allowed"}, UpdatedAt: at}
	require.NoError(t, e.store.SetListing(t.Context(), "p001", 1, messages.Trendyol, rejected))
	require.NoError(t, e.store.SetListing(t.Context(), "p001", 1, messages.Amazon, store.Listing{State: store.ListingAccepted, UpdatedAt: at}))

	rec = e.get("/v1/products/p001")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	var got ProductResponse
	decodeJSON(t, bytesOf(rec), &got)
	assert.Equal(t, map[string]store.Listing{
		messages.Trendyol: rejected,
		messages.Amazon:   {State: store.ListingAccepted, UpdatedAt: at},
	}, got.Listings)
	assert.Contains(t, rec.Body.String(), `"listings":{`)
	assert.Contains(t, rec.Body.String(), `"reasons":["title longer than 255 characters","VAT 18 not allowed"]`)
}

// bytesOf reads a recorded body without consuming it.
func bytesOf(rec *httptest.ResponseRecorder) *strings.Reader {
	return strings.NewReader(rec.Body.String())
}

// FuzzStockBody feeds the stock body's parser arbitrary bytes. It must never panic;
// every problem is a 400 naming a field; and a quantity it accepts is in range and is
// what encoding/json reads from the body.
func FuzzStockBody(f *testing.F) {
	for _, seed := range []string{
		`{"quantity":5}`, `{"quantity":0}`, `{"quantity":1000000}`, `{"quantity":-0}`,
		`{"quantity":1e3}`, `{"quantity":"5"}`, `{"quantity":null}`, `{}`, `[]`, ``,
		`{"quantity":1,"x":2}`, `{"quantity":99999999999999999999}`, `{"Quantity":5}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var pr problems
		q := parseQuantity(data, &pr)
		if !pr.ok() {
			assert.Equal(t, http.StatusBadRequest, pr.status)
			for _, e := range pr.errs {
				assert.NotEmpty(t, e.Field)
				assert.NotEmpty(t, e.Message)
			}
			return
		}
		assert.GreaterOrEqual(t, q, 0)
		assert.LessOrEqual(t, q, MaxQuantity)
		var body StockRequest
		require.NoError(t, json.Unmarshal(data, &body))
		assert.Equal(t, body.Quantity, q)
	})
}
