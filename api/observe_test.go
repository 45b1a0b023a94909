package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestRoutesListed checks that Routes lists exactly the routes New registers, so the
// metrics of every route exist from the start.
func TestRoutesListed(t *testing.T) {
	a, ok := newEnv(t).h.(*api)
	require.True(t, ok, "without Observe, New returns the api itself")
	var listed []string
	for _, r := range Routes() {
		listed = append(listed, r.Method+" "+r.Path)
	}
	assert.ElementsMatch(t, a.patterns, listed)
}

// TestObserve serves a matched route, a route refused before routing (401), an
// unknown path and a wrong method, and checks what Observe heard of each.
func TestObserve(t *testing.T) {
	var heard []string
	e := newEnv(t, func(c *Config) {
		c.Observe = func(route, method string, code int, took time.Duration) {
			assert.GreaterOrEqual(t, took, time.Duration(0))
			heard = append(heard, fmt.Sprintf("%s %s %d", method, route, code))
		}
	})
	e.get("/v1/products/p404")
	e.do(httptest.NewRequest(http.MethodGet, "/v1/products", nil)) // no key
	e.get("/v1/nothing-here")
	e.do(httptest.NewRequest(http.MethodPost, "/healthz", nil))
	e.do(httptest.NewRequest(http.MethodGet, "/healthz", nil))
	assert.Equal(t, []string{
		"GET /v1/products/{id} 404",
		"GET /v1/products 401",
		"GET other 404",
		"POST other 405",
		"GET /healthz 200",
	}, heard)
	assert.True(t, slices.ContainsFunc(Routes(), func(r Route) bool { return r.Path == "/v1/products/{id}" }))
}
