package sandbox_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

func TestHepsiburadaFulfilledByHB(t *testing.T) {
	e := newHBEnv(t, sandbox.HepsiburadaOptions{ProcessDelay: time.Second})
	require.Equal(t, http.StatusOK, e.do(t, http.MethodPost, hbImportPath, []any{hbItem("SKU-1"), hbItem("SKU-2")}, nil).Code)
	e.now = e.now.Add(time.Second)
	require.Len(t, e.sb.Listings("hepsiburada"), 2)

	hook := func(sku, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		e.sb.ServeHTTP(rec, httptest.NewRequest(http.MethodPut, "/sandbox/hepsiburada/listings/"+sku+"/fulfilled-by-hb", strings.NewReader(body)))
		return rec
	}
	hooks := []struct {
		name, sku, body string
		want            int
	}{
		{name: "marks a listed sku", sku: "SKU-1", body: `{"isFulfilledByHB": true}`, want: http.StatusOK},
		{name: "an unlisted sku", sku: "NOPE", body: `{"isFulfilledByHB": true}`, want: http.StatusNotFound},
		{name: "a body without the flag", sku: "SKU-2", body: `{}`, want: http.StatusBadRequest},
	}
	for _, tt := range hooks {
		t.Run(tt.name, func(t *testing.T) {
			rec := hook(tt.sku, tt.body)
			assert.Equal(t, tt.want, rec.Code, rec.Body.String())
		})
	}
	require.ErrorIs(t, e.sb.SetHepsiburadaFulfilledByHB("NOPE", true), sandbox.ErrNotListed)

	listingsPath := "/listings/merchantid/" + hbMerchant + "?offset=0&limit=10"
	read := func(t *testing.T, query string) map[string]bool {
		t.Helper()
		rec := e.do(t, http.MethodGet, listingsPath+query, nil, nil)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		out := map[string]bool{}
		for _, row := range decode(t, rec)["listings"].([]any) {
			r := row.(map[string]any)
			out[r["merchantSku"].(string)] = r["isFulfilledByHB"].(bool)
		}
		return out
	}
	reads := []struct {
		name, query string
		want        map[string]bool
	}{
		{name: "every listing", want: map[string]bool{"SKU-1": true, "SKU-2": false}},
		{name: "merchantSkuList", query: "&merchantSkuList=SKU-2,NOPE", want: map[string]bool{"SKU-2": false}},
		{name: "merchantSkuList of the fulfilled one", query: "&merchantSkuList=SKU-1", want: map[string]bool{"SKU-1": true}},
		{name: "hbSkuList of nothing listed", query: "&hbSkuList=HBV0", want: map[string]bool{}},
	}
	for _, tt := range reads {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, read(t, tt.query)) })
	}

	t.Run("more than 50 skus in a list", func(t *testing.T) {
		skus := make([]string, 51)
		for i := range skus {
			skus[i] = fmt.Sprintf("S%d", i)
		}
		rec := e.do(t, http.MethodGet, listingsPath+"&merchantSkuList="+strings.Join(skus, ","), nil, nil)
		assert.Equal(t, http.StatusBadRequest, rec.Code)
		assert.Contains(t, decode(t, rec)["message"], "merchantSkuList takes at most 50")
	})

	t.Run("a stock upload overwrites the warehouse count", func(t *testing.T) {
		rec := e.do(t, http.MethodPost, hbStockPath, []any{map[string]any{"merchantSku": "SKU-1", "availableStock": 2}}, nil)
		require.Equal(t, http.StatusOK, rec.Code)
		e.now = e.now.Add(time.Second)
		out := decode(t, e.do(t, http.MethodGet, hbStockPath+"/id/"+decode(t, rec)["id"].(string), nil, nil))
		assert.Equal(t, "COMPLETED", out["status"], "hepsiburada documents no refusal")
		assert.Equal(t, 2, e.sb.Listings("hepsiburada")["SKU-1"])
	})

	t.Run("unmarked again", func(t *testing.T) {
		require.NoError(t, e.sb.SetHepsiburadaFulfilledByHB("SKU-1", false))
		assert.Equal(t, map[string]bool{"SKU-1": false, "SKU-2": false}, read(t, ""))
	})
}
