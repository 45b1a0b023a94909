package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// HepsiburadaValidation is one broken rule of an imported item.
type HepsiburadaValidation struct {
	AttributeName string `json:"attributeName"`
	Message       string `json:"message"`
}

// attrText renders a JSON scalar attribute value as text (numbers as written).
func attrText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	}
	return "", false
}

// hbMinImageSide is the shorter side an image must have. Hepsiburada documents no
// minimum; 500 px, what Trendyol and Amazon ask at least, is an inference. [I]
const hbMinImageSide = 500

// ValidateHepsiburadaItem checks one catalog import item ({categoryId, merchant,
// attributes{…}}) as the Hepsiburada imitation's import does and returns the rules it
// breaks (none when valid) and its merchantSku. The rules are Hepsiburada's documented
// ones (Turkish keys, price as a decimal-comma string, stock as an integer string, VAT
// 0/1/5/10/20 (see hbVATRates), Image1…Image10 fetched over HTTPS, an active and
// available leaf category with its mandatory attributes and allowed values; see
// hepsiburada_taxonomy.go) plus
// inferred limits where it publishes none: UrunAdi ≤ 200 characters, barcode
// letters/digits/. - _ up to 50, kg a positive number, images at least 500 px. [I]
func (s *Server) ValidateHepsiburadaItem(ctx context.Context, raw json.RawMessage) (failures []HepsiburadaValidation, merchantSKU string) {
	return s.hb().validate(ctx, raw)
}

func (h *hepsiburada) validate(ctx context.Context, raw json.RawMessage) (failures []HepsiburadaValidation, merchantSKU string) {
	var it hbItem
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.UseNumber()
	if err := dec.Decode(&it); err != nil {
		return []HepsiburadaValidation{{Message: "item is not a valid product object: " + err.Error()}}, ""
	}
	c := &hbCheck{it: it}
	c.checkPlacement(h.opts.MerchantID)
	merchantSKU = c.checkFields()
	h.checkImages(ctx, c)
	return c.failures, merchantSKU
}

// hbItem is one item of a catalog import.
type hbItem struct {
	CategoryID json.Number    `json:"categoryId"`
	Merchant   string         `json:"merchant"`
	Attributes map[string]any `json:"attributes"`
}

// attr is an attribute's value as trimmed text; false when it is missing, empty or
// not a scalar.
func (it hbItem) attr(name string) (string, bool) {
	v, ok := it.Attributes[name]
	if !ok || v == nil {
		return "", false
	}
	s, ok := attrText(v)
	if !ok {
		return "", false
	}
	s = strings.TrimSpace(s)
	return s, s != ""
}

// hbCheck gathers the rules an import item breaks.
type hbCheck struct {
	it       hbItem
	failures []HepsiburadaValidation
}

func (c *hbCheck) fail(attr, format string, args ...any) {
	c.failures = append(c.failures, HepsiburadaValidation{AttributeName: attr, Message: fmt.Sprintf(format, args...)})
}

// required checks that an attribute is there and at most max characters long (0: no
// limit) and returns it ("" when it is refused).
func (c *hbCheck) required(name string, max int) string {
	s, ok := c.it.attr(name)
	switch {
	case !ok || s == "":
		c.fail(name, "%s is required", name)
	case max > 0 && utf8.RuneCountInString(s) > max:
		c.fail(name, "%s must be at most %d characters", name, max)
	default:
		return s
	}
	return ""
}

// checkPlacement checks the item's category against the taxonomy (a leaf, active and
// available, with its mandatory attributes and allowed values) and that it names the
// seller's merchant.
func (c *hbCheck) checkPlacement(merchant string) {
	if n, err := c.it.CategoryID.Int64(); err != nil || n <= 0 {
		c.fail("categoryId", "categoryId is required (a leaf, active category)")
	} else {
		validateTaxonomy(n, c.it.Attributes, c.fail)
	}
	if !strings.EqualFold(c.it.Merchant, merchant) {
		c.fail("merchant", "merchant must be your merchant ID")
	}
}

// checkFields checks the catalog's own attributes (SKU, barcode, text, brand, weight,
// warranty, VAT, price and stock, each in Hepsiburada's format) and returns the
// merchantSku.
func (c *hbCheck) checkFields() (merchantSKU string) {
	merchantSKU = c.required("merchantSku", 100)
	if b := c.required("Barcode", 0); b != "" && !hbBarcodeRe.MatchString(b) {
		c.fail("Barcode", "Barcode must be 1 to 50 letters, digits or . - _")
	}
	c.required("UrunAdi", hbMaxTitle)
	c.required("UrunAciklamasi", 0)
	c.required("Marka", 100)
	if w := c.required("kg", 0); w != "" {
		if f, err := strconv.ParseFloat(strings.Replace(w, ",", ".", 1), 64); !hbWeightRe.MatchString(w) || err != nil || f <= 0 {
			c.fail("kg", "kg must be a positive number")
		}
	}
	if g, ok := c.it.attr("GarantiSuresi"); ok {
		if n, err := strconv.Atoi(g); err != nil || n < 0 {
			c.fail("GarantiSuresi", "GarantiSuresi must be a whole number of months")
		}
	}
	if v := c.required("tax_vat_rate", 0); v != "" && !slices.Contains(hbVATRates, v) {
		c.fail("tax_vat_rate", "tax_vat_rate must be one of %s, got %q", strings.Join(hbVATRates, ", "), v)
	}
	if p := c.required("price", 0); p != "" {
		f, err := strconv.ParseFloat(strings.Replace(p, ",", ".", 1), 64)
		if !hbPriceRe.MatchString(p) || err != nil || f <= 0 {
			c.fail("price", `price must be a positive amount with a decimal comma, e.g. "130,50"`)
		}
	}
	if s := c.required("stock", 0); s != "" && !hbStockRe.MatchString(s) {
		c.fail("stock", "stock must be a whole number of at least 0")
	}
	return merchantSKU
}

// checkImages checks the item's images: Image1 is required, there are at most
// hbMaxImages, and each is fetched (in Image1, Image2, … order) as Hepsiburada does.
func (h *hepsiburada) checkImages(ctx context.Context, c *hbCheck) {
	if _, ok := c.it.attr("Image1"); !ok {
		c.fail("Image1", "Image1 is required")
	}
	var keys []string
	tooMany := false
	for k := range c.it.Attributes {
		m := hbImageKeyRe.FindStringSubmatch(k)
		if m == nil {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n < 1 || n > hbMaxImages {
			tooMany = true
			continue
		}
		keys = append(keys, k)
	}
	if tooMany {
		c.fail("Image", "at most %d images are allowed (Image1 to Image%d)", hbMaxImages, hbMaxImages)
	}
	sort.Slice(keys, func(i, j int) bool {
		return len(keys[i]) < len(keys[j]) || (len(keys[i]) == len(keys[j]) && keys[i] < keys[j])
	})
	for _, k := range keys {
		if s, _ := c.it.attr(k); s != "" {
			if reason := h.srv.checkImage(ctx, s, hbMinImageSide); reason != "" {
				c.fail(k, "%s: %s", k, reason)
			}
		}
	}
}
