package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stox-dev/stox/messages"
)

// Product field limits. Text must fit the marketplaces and the catalog; control
// characters are refused because PostgreSQL's JSONB cannot hold NUL.
const (
	maxSKU        = 64
	maxName       = 500
	maxBrand      = 200
	maxCategory   = 200
	maxAttributes = 100
	maxAttrKey    = 100
	maxAttrValue  = 1000
	maxKeywords   = 50
	maxKeyword    = 100
	// defaultCurrency is the currency of a product that names none.
	defaultCurrency = "TRY"
)

var (
	skuPattern      = regexp.MustCompile(`^[A-Za-z0-9._-]+$`)
	currencyPattern = regexp.MustCompile(`^[A-Z]{3}$`)
)

// parseProduct decodes the product part and checks every field, recording each problem
// in pr. Decoding problems (text that is not valid UTF-8 or holds a NUL included) are
// 400s and stop there; rule violations are 422s and are all reported. The returned product has its defaults filled in.
func parseProduct(data []byte, pr *problems) messages.Product {
	var p messages.Product
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		pr.add(http.StatusBadRequest, "product", "empty; want a JSON object")
		return p
	}
	if trimmed[0] != '{' {
		pr.add(http.StatusBadRequest, "product", "want a JSON object")
		return p
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		field, msg := jsonProblem(err)
		pr.add(http.StatusBadRequest, field, "%s", msg)
		return p
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		pr.add(http.StatusBadRequest, "product", "unexpected data after the JSON object")
		return p
	}
	before := len(pr.errs)
	checkJSONText(trimmed, "product", pr)
	if len(pr.errs) > before {
		return p
	}
	p = withDefaults(p)
	validateProduct(p, pr)
	return p
}

// withDefaults fills in what a product left out, as uploads and imports store it.
func withDefaults(p messages.Product) messages.Product {
	if p.Currency == "" {
		p.Currency = defaultCurrency
	}
	if len(p.Attributes) == 0 { // {} is none, as a round trip through the message makes it
		p.Attributes = nil
	}
	if len(p.Keywords) == 0 {
		p.Keywords = nil
	}
	if p.Marketplaces == nil { // left out: every marketplace; an empty list is an error
		p.Marketplaces = slices.Clone(messages.Marketplaces)
	}
	return p
}

// jsonProblem names the field and says what is wrong for a decoding error.
func jsonProblem(err error) (field, msg string) {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &syntax):
		return "product", fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, strings.TrimPrefix(syntax.Error(), "json: "))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "product"
		}
		kind := jsonKind(typ.Type.String())
		if kind == "a number" && strings.HasPrefix(typ.Value, "number") {
			return field, fmt.Sprintf("%s is out of range", typ.Value)
		}
		return field, fmt.Sprintf("want %s, got JSON %s", kind, typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "product", "malformed JSON: unexpected end of input"
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if name = strings.Trim(name, `"`); name != "" {
			return name, "unknown field"
		}
		return "product", `unknown field ""`
	}
	return "product", "malformed JSON: " + strings.TrimPrefix(err.Error(), "json: ")
}

// jsonKind says a Go type in JSON terms.
func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case goType == "float64":
		return "a number"
	case strings.HasPrefix(goType, "int"):
		return "a whole number"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map["), strings.Contains(goType, "."):
		return "an object"
	}
	return goType
}

// validateProduct checks the rules of every field of a decoded product.
func validateProduct(p messages.Product, pr *problems) {
	bad := func(field, format string, args ...any) {
		pr.add(http.StatusUnprocessableEntity, field, format, args...)
	}
	if msg := skuProblem(p.SKU); msg != "" {
		bad("sku", "%s", msg)
	}
	if strings.TrimSpace(p.Name) == "" {
		bad("name", "required")
	} else {
		checkText("name", p.Name, maxName, bad)
	}
	checkText("brand", p.Brand, maxBrand, bad)
	checkText("category", p.Category, maxCategory, bad)
	if !(p.Price > 0) {
		bad("price", "must be greater than 0")
	}
	switch {
	case p.ListPrice < 0:
		bad("list_price", "must not be negative")
	case p.ListPrice > 0 && p.ListPrice < p.Price:
		bad("list_price", "must be at least the price (%g)", p.Price)
	}
	if !currencyPattern.MatchString(p.Currency) {
		bad("currency", "want 3 upper-case letters (ISO 4217), e.g. TRY; got %q", p.Currency)
	}
	if p.Stock < 0 {
		bad("stock", "must not be negative")
	}
	if len(p.Attributes) > maxAttributes {
		bad("attributes", "more than %d attributes", maxAttributes)
	} else {
		keys := make([]string, 0, len(p.Attributes))
		for k := range p.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			field := "attributes." + k
			if strings.TrimSpace(k) == "" {
				bad("attributes", "empty attribute name")
				continue
			}
			checkText(field, k, maxAttrKey, func(_, format string, args ...any) {
				bad(field, "name "+format, args...)
			})
			checkText(field, p.Attributes[k], maxAttrValue, bad)
		}
	}
	if len(p.Keywords) > maxKeywords {
		bad("keywords", "more than %d keywords", maxKeywords)
	} else {
		for i, k := range p.Keywords {
			field := fmt.Sprintf("keywords[%d]", i)
			if strings.TrimSpace(k) == "" {
				bad(field, "empty")
				continue
			}
			checkText(field, k, maxKeyword, bad)
		}
	}
	if len(p.Marketplaces) == 0 {
		bad("marketplaces", "required: one or more of %s (leave the field out for all of them)", strings.Join(messages.Marketplaces, ", "))
	}
	seen := map[string]bool{}
	for i, m := range p.Marketplaces {
		field := fmt.Sprintf("marketplaces[%d]", i)
		switch {
		case !messages.IsMarketplace(m):
			bad(field, "unknown marketplace %q; want one of %s", m, strings.Join(messages.Marketplaces, ", "))
		case seen[m]:
			bad(field, "duplicate marketplace %q", m)
		}
		seen[m] = true
	}
}

// skuProblem says what is wrong with sku, or "" when it is a valid SKU: 1 to maxSKU
// letters, digits, '.', '_' or '-'. Uploads and PUT .../stock share this rule.
func skuProblem(sku string) string {
	switch {
	case sku == "":
		return "required"
	case len(sku) > maxSKU:
		return fmt.Sprintf("longer than %d characters", maxSKU)
	case !skuPattern.MatchString(sku):
		return "may contain only letters A-Z and a-z, digits, '.', '_' and '-'"
	}
	return ""
}

// checkText reports text longer than max characters or holding control characters.
func checkText(field, s string, limit int, bad func(field, format string, args ...any)) {
	if n := utf8.RuneCountInString(s); n > limit {
		bad(field, "longer than %d characters", limit)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		bad(field, "must not contain control characters")
	}
}
