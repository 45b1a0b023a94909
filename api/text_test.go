package api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
)

// TestParametersNotText sends every route path and query parameters that are not
// valid UTF-8 or hold control characters, and bodies whose JSON strings do, over a
// real SQLite and PostgreSQL store (PostgreSQL's text holds neither NUL nor invalid
// UTF-8): each is a 400 naming the parameter or field, never a 500, and nothing is
// stored; a well-formed ID that does not exist is a 404.
func TestParametersNotText(t *testing.T) {
	stores := map[string]func(t *testing.T) store.Stores{
		"sqlite": func(t *testing.T) store.Stores {
			st, err := store.Open(context.Background(), "", t.TempDir())
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			return st
		},
		"postgres": func(t *testing.T) store.Stores {
			st, err := store.Open(context.Background(), storetest.PostgresSchemaURL(t), "")
			require.NoError(t, err)
			t.Cleanup(func() { _ = st.Close() })
			return st
		},
	}
	tests := []struct {
		method, target, body string
		status               int
		field                string
	}{
		{"GET", "/v1/products/%00", "", 400, "id"},
		{"GET", "/v1/products/A%FFB", "", 400, "id"},
		{"GET", "/v1/products/%1B%5B2J", "", 400, "id"},
		{"GET", "/v1/products?after=%00", "", 400, "after"},
		{"GET", "/v1/products?after=%C3", "", 400, "after"},
		{"GET", "/v1/products?limit=5&%FF=1", "", 400, "query"},
		{"GET", "/v1/products?after=%zz", "", 400, "query"},
		{"PUT", "/v1/products/%00/stock", `{"quantity":1}`, 400, "sku"},
		{"PUT", "/v1/products/%FF/listings/trendyol/input", `{"brand":"1"}`, 400, "id"},
		{"PUT", "/v1/products/p1/listings/trendyol%00/input", `{"brand":"1"}`, 400, "marketplace"},
		{"PUT", "/v1/products/MISSING/listings/trendyol/input", `{"attributes":{"Beden":"M\u0000"}}`, 400, "attributes.Beden"},
		{"PUT", "/v1/products/MISSING/listings/trendyol/input", "{\"brand\":\"x\xff\"}", 400, "brand"},
		{"GET", "/v1/mappings?marketplace=%00", "", 400, "marketplace"},
		{"PUT", "/v1/mappings", `{"marketplace":"trendyol","kind":"brand","from":"Acme\u0000","to":"1"}`, 400, "from"},
		{"DELETE", "/v1/mappings?marketplace=trendyol&kind=brand&from=%FF", "", 400, "from"},
		{"GET", "/v1/taxonomy/%00/categories", "", 400, "marketplace"},
		{"GET", "/v1/taxonomy/trendyol/categories?q=%FF", "", 400, "q"},
		{"GET", "/v1/taxonomy/trendyol/categories/%00", "", 400, "id"},
		{"GET", "/images/%00.jpg", "", 400, "key"},
		{"GET", "/v1/products/NO-SUCH-PRODUCT", "", 404, ""},
		{"PUT", "/v1/products/NO-SUCH-SKU/stock", `{"quantity":1}`, 404, ""},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			st := open(t)
			e := realEnv(t, st)
			rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 8, 8))))
			require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)

			for _, tt := range tests {
				req := authed(tt.method, tt.target)
				if tt.body != "" {
					req.Body = io.NopCloser(strings.NewReader(tt.body))
					req.Header.Set("Content-Type", "application/json")
				}
				rec := e.do(req)
				require.Equal(t, tt.status, rec.Code, "%s %s: %s", tt.method, tt.target, rec.Body)
				p := decodeProblem(t, rec)
				if tt.field != "" {
					require.NotEmpty(t, p.Errors, "%s %s", tt.method, tt.target)
					assert.Equal(t, tt.field, p.Errors[0].Field, "%s %s", tt.method, tt.target)
				}
			}

			// Product JSON that is not text is refused before anything is stored.
			for field, js := range map[string]string{
				"name":            "{\"sku\":\"T-1\",\"name\":\"Kupa\xff\",\"price\":10}",
				"attributes.renk": `{"sku":"T-1","name":"Kupa","price":10,"attributes":{"renk":"Mavi\u0000"}}`,
				"category":        `{"sku":"T-1","name":"Kupa","price":10,"category":"Ev\udc00"}`,
			} {
				rec := e.do(uploadRequest(t, productPart(js), photoPart("a.jpg", jpegBytes(t, 8, 8))))
				require.Equal(t, http.StatusBadRequest, rec.Code, "%s: %s", field, rec.Body)
				p := decodeProblem(t, rec)
				require.Len(t, p.Errors, 1)
				assert.Equal(t, field, p.Errors[0].Field)
			}
			list, err := st.Products(t.Context(), 10, "")
			require.NoError(t, err)
			assert.Len(t, list, 1, "only the valid product is stored")
		})
	}
}
