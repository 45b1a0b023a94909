package sandbox_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

func TestAmazonUserAgent(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	get := itemPath("NOPE", "")
	for _, tc := range []struct {
		name, ua string
		status   int
	}{
		{"amazon's example", "My Selling Tool/2.0 (Language=Java/1.8.0.221; Platform=Windows/10)", http.StatusNotFound},
		{"language without its version", "Stox/1.0 (Language=Go)", http.StatusNotFound},
		{"missing", "", http.StatusBadRequest},
		{"go's default", "Go-http-client/1.1", http.StatusBadRequest},
		{"no language", "Stox/1.0 (Platform=Linux)", http.StatusBadRequest},
		{"too long", "Stox/1.0 (Language=Go; Pad=" + strings.Repeat("x", 500) + ")", http.StatusBadRequest},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, _, out := e.do(t, http.MethodGet, get, nil, func(r *http.Request) { r.Header.Set("User-Agent", tc.ua) })
			require.Equal(t, tc.status, status, "%v", out)
			if status == http.StatusBadRequest {
				assert.Equal(t, "InvalidInput", errorCode(out))
				assert.Contains(t, out["errors"].([]any)[0].(map[string]any)["details"], "User-Agent")
			}
		})
	}
	status, _, out := e.do(t, http.MethodGet, get, nil, func(r *http.Request) {
		r.Header.Del("User-Agent")
		r.Header.Del("x-amz-access-token")
	})
	assert.Equal(t, http.StatusForbidden, status, "the token is checked first: %v", out)
}

// staticEnv is a sandbox in static mode with a token and a well-formed User-Agent.
type staticEnv struct{ *azEnv }

func newStaticEnv(t *testing.T) staticEnv {
	return staticEnv{newAzEnv(t, sandbox.Options{Amazon: sandbox.AmazonOptions{Static: true}})}
}

// send sends a raw request and returns the status and JSON answer.
func (e staticEnv) send(t *testing.T, method, target, body string, mod func(*http.Request)) (int, json.RawMessage) {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("x-amz-access-token", e.token)
	r.Header.Set("User-Agent", azAgent)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if mod != nil {
		mod(r)
	}
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	assert.NotEmpty(t, rec.Header().Get("x-amzn-RequestId"))
	require.NoError(t, spmodel.ValidateResponse(r, rec.Code, rec.Header(), rec.Body.Bytes()), "the answer breaks the model")
	return rec.Code, bytes.TrimSpace(rec.Body.Bytes())
}

func exampleNamed(t *testing.T, name string) spmodel.Example {
	t.Helper()
	m, err := spmodel.Default()
	require.NoError(t, err)
	for _, op := range m.Operations() {
		for _, ex := range op.Examples {
			if ex.Name == name {
				return ex
			}
		}
	}
	t.Fatalf("no example %s", name)
	return spmodel.Example{}
}

func TestAmazonStaticSandbox(t *testing.T) {
	e := newStaticEnv(t)
	const item = "/listings/2021-08-01/items/ANYSELLER/"
	putBody := `{"productType":"LUGGAGE","requirements":"LISTING","attributes":{}}`
	for _, tc := range []struct {
		name, method, target, body string
		example                    string // "" when none answers
	}{
		{"any put", http.MethodPut, item + "SKU-1?marketplaceIds=" + azMarket, putBody, "putListingsItem 200 #1"},
		{"validation preview", http.MethodPut, item + "VALIDATION_INVALID?marketplaceIds=ATVPDKIKX0DER&includedData=identifiers,issues&mode=VALIDATION_PREVIEW", putBody, "putListingsItem 200 #3"},
		{"bad sku", http.MethodGet, item + "BadSKU?marketplaceIds=" + azMarket, "", "getListingsItem 400 #1"},
		{"a delete, which the store imitation does not serve", http.MethodDelete, item + "SKU-1?marketplaceIds=" + azMarket, "", "deleteListingsItem 200 #1"},
		{"orders before validation", http.MethodGet, "/orders/2026-01-01/orders?createdAfter=TEST_CASE_400", "", "searchOrders 400 #1"},
		{"orders no example has", http.MethodGet, "/orders/2026-01-01/orders?lastUpdatedAfter=2026-11-25T12:00:00Z&marketplaceIds=" + azMarket, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := e.send(t, tc.method, tc.target, tc.body, nil)
			if tc.example == "" {
				assert.Equal(t, http.StatusBadRequest, status)
				assert.JSONEq(t, `{"errors":[{"code":"InvalidInput","message":"Could not match input arguments","details":""}]}`, string(body))
				return
			}
			ex := exampleNamed(t, tc.example)
			assert.Equal(t, ex.Status, status)
			assert.JSONEq(t, string(ex.Response), string(body))
		})
	}

	t.Run("token and user agent still count", func(t *testing.T) {
		status, body := e.send(t, http.MethodPut, item+"SKU-1?marketplaceIds="+azMarket, putBody, func(r *http.Request) { r.Header.Del("x-amz-access-token") })
		assert.Equal(t, http.StatusForbidden, status, "%s", body)
		status, body = e.send(t, http.MethodPut, item+"SKU-1?marketplaceIds="+azMarket, putBody, func(r *http.Request) { r.Header.Set("User-Agent", "curl/8.0") })
		assert.Equal(t, http.StatusBadRequest, status)
		assert.Contains(t, string(body), "User-Agent")
	})

	t.Run("sandbox rate: 5 per second, burst 15", func(t *testing.T) {
		e.sb.Advance(time.Minute)
		target := "/definitions/2020-09-01/productTypes?marketplaceIds=" + azMarket
		for i := range 15 {
			status, body := e.send(t, http.MethodGet, target, "", nil)
			require.Equal(t, http.StatusOK, status, "request %d: %s", i+1, body)
		}
		status, body := e.send(t, http.MethodGet, target, "", nil)
		assert.Equal(t, http.StatusTooManyRequests, status, "%s", body)
		e.sb.Advance(200 * time.Millisecond)
		status, _ = e.send(t, http.MethodGet, target, "", nil)
		assert.Equal(t, http.StatusOK, status, "one token back after a fifth of a second")
	})

	t.Run("nothing is stored", func(t *testing.T) {
		assert.Empty(t, e.sb.Listings("amazon"))
	})
}
