package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// FuzzProductJSON feeds the product part's decoder and validator arbitrary bytes. It
// must never panic; every problem must name a field and have a status of its class;
// and a product it accepts must obey every rule and survive a round trip unchanged.
func FuzzProductJSON(f *testing.F) {
	for _, seed := range []string{
		validProduct,
		`{"sku":"A","name":"B","price":1,"marketplaces":["amazon"]}`,
		`{"sku":"A","name":"B","price":1,"list_price":0.5,"currency":"usd","marketplaces":["amazon","amazon"]}`,
		`{"sku":"","price":-1,"stock":-1,"marketplaces":["ebay"],"keywords":["",""],"attributes":{"":"x"}}`,
		`{"sku":"A","extra":1}`,
		`{"price":"1"}`,
		`{"attributes":{"k":1}}`,
		`null`, `[]`, `{`, `{}{}`, ``, `  {"sku":"A"} `,
		`{"name":"\u0000"}`,
		`{"price":1e400}`,
		`{"sku":"A","name":"B\ud800","price":1}`,
		`{"sku":"A","name":"B\ud83d\ude00","price":1,"keywords":["\\ud800"]}`,
		"{\"sku\":\"A\",\"name\":\"B\xff\",\"price\":1,\"attributes\":{\"k\xc3\":\"v\"}}",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// U+FFFD sent as such is fine; the check below looks for one encoding/json made.
		if bytes.Contains(data, []byte("\uFFFD")) || bytes.Contains(bytes.ToLower(data), []byte(`\ufffd`)) {
			return
		}
		var pr problems
		p := parseProduct(data, &pr)
		for _, e := range pr.errs {
			assert.NotEmpty(t, e.Field)
			assert.NotEmpty(t, e.Message)
		}
		if !pr.ok() {
			assert.Contains(t, []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge}, pr.status)
			prob := pr.problem()
			assert.Equal(t, pr.status, prob.Status)
			assert.Len(t, prob.Errors, len(pr.errs))
			return
		}

		// Accepted: the rules hold, and every string is text the database can hold,
		// exactly as sent (nothing replaced).
		for _, str := range productStrings(p) {
			assert.True(t, utf8.ValidString(str), "%q", str)
			assert.NotContains(t, str, "\x00")
			assert.NotContains(t, str, "\uFFFD", "a replacement character that was not sent")
		}
		assert.True(t, skuPattern.MatchString(p.SKU) && len(p.SKU) <= maxSKU, "sku %q", p.SKU)
		assert.NotEmpty(t, p.Name)
		assert.Greater(t, p.Price, 0.0)
		assert.True(t, p.ListPrice == 0 || p.ListPrice >= p.Price)
		assert.Regexp(t, currencyPattern, p.Currency)
		assert.GreaterOrEqual(t, p.Stock, 0)
		require.NotEmpty(t, p.Marketplaces)
		seen := map[string]bool{}
		for _, m := range p.Marketplaces {
			assert.True(t, messages.IsMarketplace(m), "marketplace %q", m)
			assert.False(t, seen[m], "duplicate %q", m)
			seen[m] = true
		}

		// What the API publishes decodes to the same product and passes again.
		enc, err := json.Marshal(p)
		require.NoError(t, err)
		var again problems
		q := parseProduct(enc, &again)
		require.True(t, again.ok(), "re-encoded product rejected: %+v", again.errs)
		assert.Equal(t, p, q)
	})
}

// productStrings lists every string of p: fields, attribute names and values,
// keywords and marketplaces.
func productStrings(p messages.Product) []string {
	out := []string{p.SKU, p.Name, p.Brand, p.Category, p.Currency}
	for k, v := range p.Attributes {
		out = append(out, k, v)
	}
	out = append(out, p.Keywords...)
	return append(out, p.Marketplaces...)
}
