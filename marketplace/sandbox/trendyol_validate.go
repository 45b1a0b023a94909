package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// trendyolItem is a V2 create or update item; pointers tell a missing field from a
// zero one.
type trendyolItem struct {
	Barcode           *string           `json:"barcode"`
	ContentID         *int64            `json:"contentId"`
	Title             *string           `json:"title"`
	ProductMainID     *string           `json:"productMainId"`
	BrandID           *int64            `json:"brandId"`
	CategoryID        *int64            `json:"categoryId"`
	Quantity          *int              `json:"quantity"`
	StockCode         *string           `json:"stockCode"`
	DimensionalWeight *float64          `json:"dimensionalWeight"`
	Description       *string           `json:"description"`
	CurrencyType      *string           `json:"currencyType"`
	ListPrice         *float64          `json:"listPrice"`
	SalePrice         *float64          `json:"salePrice"`
	VATRate           *int              `json:"vatRate"`
	Images            []map[string]any  `json:"images"`
	Attributes        []json.RawMessage `json:"attributes"`
}

// itemMode says which endpoint an item came to, and so which of its fields are
// required, optional or refused.
type itemMode int

const (
	// modeCreate is V2 create: every documented field is required.
	modeCreate itemMode = iota
	// modeUnapproved is unapproved-bulk-update: keyed by barcode, every other field
	// optional (checked by create's rules when present).
	modeUnapproved
	// modeContent is content-bulk-update of approved products: keyed by contentId;
	// title, description, images and attributes optional; barcode, productMainId,
	// brandId and categoryId cannot change.
	modeContent
)

// ValidateTrendyolItem checks one V2 create item against Trendyol's documented rules and
// the imitation's taxonomy (leaf category, brand, category attributes and their values)
// and returns the failure reasons (none when valid) and the canonical barcode (inner
// spaces joined, as Trendyol does). Images are not fetched here: the imitation checks
// them when it takes a request.
func ValidateTrendyolItem(raw json.RawMessage) (reasons []string, barcode string) {
	var it trendyolItem
	if err := json.Unmarshal(raw, &it); err != nil {
		return []string{"item is not a valid product object: " + err.Error()}, ""
	}
	reasons, barcode, _ = it.check(modeCreate)
	return reasons, barcode
}

// check validates the item for mode and returns its failure reasons, canonical
// barcode and normalized attributes.
func (it *trendyolItem) check(mode itemMode) (reasons []string, barcode string, attrs []TrendyolAttribute) {
	c := &tyCheck{mode: mode}
	barcode = it.checkKey(c)
	it.checkText(c)
	it.checkPlacement(c)
	if mode == modeCreate { // stock and prices go through price-and-inventory after create
		it.checkStockAndPrices(c)
	}
	it.checkWeightAndVAT(c)
	it.checkImageCount(c)
	attrs = it.normalizedAttributes(c)
	// Updates are checked against the taxonomy when they are applied, since the
	// product's own category and brand count where the item sends none.
	if mode == modeCreate && it.CategoryID != nil && *it.CategoryID > 0 && it.BrandID != nil && *it.BrandID > 0 {
		c.reasons = append(c.reasons, tyCheckTaxonomy(*it.CategoryID, *it.BrandID, attrs)...)
	}
	return c.reasons, barcode, attrs
}

// tyCheck gathers an item's failure reasons for one mode.
type tyCheck struct {
	mode    itemMode
	reasons []string
}

func (c *tyCheck) fail(format string, args ...any) {
	c.reasons = append(c.reasons, fmt.Sprintf(format, args...))
}

// required reports whether every documented field must be sent (create); updates
// check only the fields they send.
func (c *tyCheck) required() bool { return c.mode == modeCreate }

// str checks a text field of at most max characters and returns it ("" when it is
// missing or refused).
func (c *tyCheck) str(name string, p *string, max int) string {
	switch {
	case p == nil && !c.required():
	case p == nil || strings.TrimSpace(*p) == "":
		c.fail("%s is required", name)
	case utf8.RuneCountInString(*p) > max:
		c.fail("%s must be at most %d characters", name, max)
	default:
		return *p
	}
	return ""
}

// checkKey checks what the item is found by and returns its canonical barcode: a
// content update names an approved product by contentId and may not send the fields
// that identify it; create and unapproved updates name it by barcode, whose inner
// spaces Trendyol joins.
func (it *trendyolItem) checkKey(c *tyCheck) (barcode string) {
	if c.mode == modeContent {
		if it.ContentID == nil || *it.ContentID <= 0 {
			c.fail("contentId is required (from the approved product filter or the product's base information)")
		}
		for name, sent := range map[string]bool{"barcode": it.Barcode != nil, "productMainId": it.ProductMainID != nil,
			"brandId": it.BrandID != nil, "categoryId": it.CategoryID != nil} {
			if sent {
				c.fail("%s cannot be updated on approved products", name)
			}
		}
		sort.Strings(c.reasons) // map order must not decide the order of reasons
		return ""
	}
	if it.Barcode == nil || strings.TrimSpace(*it.Barcode) == "" {
		c.fail("barcode is required")
		return ""
	}
	barcode = strings.Join(strings.Fields(*it.Barcode), "")
	switch {
	case utf8.RuneCountInString(barcode) > 40:
		c.fail("barcode must be at most 40 characters")
	case !barcodeRe.MatchString(barcode):
		c.fail("barcode may contain only letters, digits and . - _ (Barkod formatı geçersiz)")
	}
	return barcode
}

// checkText checks the text fields' presence and length, and the description's
// markup.
func (it *trendyolItem) checkText(c *tyCheck) {
	c.str("title", it.Title, 100)
	if c.mode != modeContent {
		c.str("productMainId", it.ProductMainID, 40)
		c.str("stockCode", it.StockCode, 100)
	}
	if d := c.str("description", it.Description, 30000); forbiddenRe.MatchString(d) {
		c.fail("description must not contain script, style or iframe")
	}
}

// checkPlacement checks the brand and the category IDs (content updates cannot send
// them; checkKey refuses them there).
func (it *trendyolItem) checkPlacement(c *tyCheck) {
	if c.mode == modeContent {
		return
	}
	if (c.required() || it.BrandID != nil) && (it.BrandID == nil || *it.BrandID <= 0) {
		c.fail("brandId is required")
	}
	if (c.required() || it.CategoryID != nil) && (it.CategoryID == nil || *it.CategoryID <= 0) {
		c.fail("categoryId is required (a leaf category)")
	}
}

// checkStockAndPrices checks create's quantity, currency and prices.
func (it *trendyolItem) checkStockAndPrices(c *tyCheck) {
	if it.Quantity == nil {
		c.fail("quantity is required")
	} else if *it.Quantity < 0 || *it.Quantity > trendyolMaxStock {
		c.fail("quantity must be between 0 and %d", trendyolMaxStock)
	}
	if it.CurrencyType != nil && *it.CurrencyType != "TRY" {
		c.fail("currencyType must be TRY")
	}
	switch {
	case it.SalePrice == nil || *it.SalePrice <= 0:
		c.fail("salePrice is required and must be positive")
	case it.ListPrice == nil || *it.ListPrice <= 0:
		c.fail("listPrice is required and must be positive")
	case *it.ListPrice < *it.SalePrice:
		c.fail("listPrice must not be lower than salePrice")
	}
}

// checkWeightAndVAT checks the dimensional weight and the VAT rate, which content
// updates do not take.
func (it *trendyolItem) checkWeightAndVAT(c *tyCheck) {
	if c.mode == modeContent {
		return
	}
	if (c.required() || it.DimensionalWeight != nil) && (it.DimensionalWeight == nil || *it.DimensionalWeight < 0) {
		c.fail("dimensionalWeight is required")
	}
	if it.VATRate == nil {
		if c.required() {
			c.fail("vatRate is required")
		}
	} else if v := *it.VATRate; v != 0 && v != 1 && v != 10 && v != 20 {
		c.fail("vatRate must be one of 0, 1, 10, 20")
	}
}

// checkImageCount checks that the item has 1 to 8 images; their content is checked
// when the request is taken (checkImages).
func (it *trendyolItem) checkImageCount(c *tyCheck) {
	if !c.required() && it.Images == nil {
		return
	}
	switch {
	case len(it.Images) == 0:
		c.fail("at least one image is required")
	case len(it.Images) > 8:
		c.fail("at most 8 images are allowed")
	}
}

// normalizedAttributes checks the item's attributes in either form and returns the
// well-formed ones, normalized.
func (it *trendyolItem) normalizedAttributes(c *tyCheck) []TrendyolAttribute {
	if it.Attributes == nil {
		if c.required() {
			c.fail("attributes is required")
		}
		return nil
	}
	attrs, more := checkAttributes(it.Attributes)
	c.reasons = append(c.reasons, more...)
	return attrs
}

// trendyolMinImageSide is the shorter side, in pixels, below which the imitation
// refuses an image. Trendyol documents none (it recommends 1200×1800); 500 is an
// inference, the same as the other imitations'. [I]
const trendyolMinImageSide = 500

// checkImages fetches every image URL of the items (each once, a few at a time) as
// Trendyol does, and returns why each is refused ("" when it is fine). It lets go of
// mu while it waits on the network, so other requests go on meanwhile.
func (t *trendyol) checkImages(ctx context.Context, items []trendyolItem) map[string]string {
	var urls []string
	for _, it := range items {
		urls = append(urls, imageURLs(it.Images)...)
	}
	slices.Sort(urls)
	urls = slices.Compact(urls)
	t.mu.Unlock()
	defer t.mu.Lock()
	out := map[string]string{}
	var wg sync.WaitGroup
	var omu sync.Mutex
	sem := make(chan struct{}, 8)
	for _, u := range urls {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			reason := t.srv.checkImage(ctx, u, trendyolMinImageSide)
			omu.Lock()
			out[u] = reason
			omu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// imageReasons are the item's image failures, from checkImages' answers.
func (it *trendyolItem) imageReasons(checked map[string]string) []string {
	var reasons []string
	for i, u := range imageURLs(it.Images) {
		if r := checked[u]; r != "" {
			reasons = append(reasons, fmt.Sprintf("image %d: %s", i+1, r))
		}
	}
	return reasons
}

// checkAttributes validates attributes in either Trendyol form: create's
// attributeValueId / customAttributeValue or the updates' attributeValueIds /
// attributeValue (Trendyol's own tool says never to mix them; its OpenAPI shows the
// plural form for create too, so both are taken everywhere). In the create form an
// attribute with several values comes once per value; those entries are joined.
// Only well-formed attributes are returned.
func checkAttributes(raws []json.RawMessage) ([]TrendyolAttribute, []string) {
	var reasons []string
	attrs := make([]TrendyolAttribute, 0, len(raws))
	seen := map[int64]bool{}
	joinable := map[int64]int{} // attribute ID → index in attrs of a create-form value ID
	for i, raw := range raws {
		var a struct {
			AttributeID          *int64  `json:"attributeId"`
			AttributeValueID     *int64  `json:"attributeValueId"`
			CustomAttributeValue *string `json:"customAttributeValue"`
			AttributeValueIDs    []int64 `json:"attributeValueIds"`
			AttributeValue       *string `json:"attributeValue"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			reasons = append(reasons, fmt.Sprintf("attribute %d is not a valid attribute object", i+1))
			continue
		}
		if a.AttributeID == nil || *a.AttributeID <= 0 {
			reasons = append(reasons, fmt.Sprintf("attribute %d: attributeId is required", i+1))
			continue
		}
		id := *a.AttributeID
		valueOnly := a.AttributeValueID != nil && a.CustomAttributeValue == nil && len(a.AttributeValueIDs) == 0 && a.AttributeValue == nil
		if i, ok := joinable[id]; ok && valueOnly {
			attrs[i].ValueIDs = append(attrs[i].ValueIDs, *a.AttributeValueID)
			continue
		}
		if seen[id] {
			reasons = append(reasons, fmt.Sprintf("attribute %d appears more than once", id))
			continue
		}
		seen[id] = true
		single := a.AttributeValueID != nil || a.CustomAttributeValue != nil
		plural := len(a.AttributeValueIDs) > 0 || a.AttributeValue != nil
		out := TrendyolAttribute{AttributeID: id, ValueIDs: a.AttributeValueIDs}
		switch {
		case single && plural:
			reasons = append(reasons, fmt.Sprintf("attribute %d: do not mix attributeValueId/customAttributeValue with attributeValueIds/attributeValue", id))
			continue
		case a.AttributeValueID != nil && a.CustomAttributeValue != nil:
			reasons = append(reasons, fmt.Sprintf("attribute %d: send attributeValueId or customAttributeValue, not both", id))
			continue
		case len(a.AttributeValueIDs) > 0 && a.AttributeValue != nil:
			reasons = append(reasons, fmt.Sprintf("attribute %d: send attributeValueIds or attributeValue, not both", id))
			continue
		case !single && !plural:
			reasons = append(reasons, fmt.Sprintf("attribute %d: a value is required", id))
			continue
		case a.AttributeValueID != nil:
			out.ValueIDs = []int64{*a.AttributeValueID}
			joinable[id] = len(attrs)
		case a.CustomAttributeValue != nil:
			out.Value = *a.CustomAttributeValue
		case a.AttributeValue != nil:
			out.Value = *a.AttributeValue
		}
		attrs = append(attrs, out)
	}
	return attrs, reasons
}

func imageURLs(images []map[string]any) []string {
	out := make([]string, 0, len(images))
	for _, img := range images {
		s, _ := img["url"].(string)
		out = append(out, s)
	}
	return out
}

// missingAttributes enforces content-bulk-update's rule that a request changing any
// attribute sends all of them.
func missingAttributes(have, sent []TrendyolAttribute, changing bool) []string {
	if !changing {
		return nil
	}
	got := map[int64]bool{}
	for _, a := range sent {
		got[a.AttributeID] = true
	}
	var missing []string
	for _, a := range have {
		if !got[a.AttributeID] {
			missing = append(missing, strconv.FormatInt(a.AttributeID, 10))
		}
	}
	if missing == nil {
		return nil
	}
	return []string{"when attributes change every attribute of the product must be sent; missing " + strings.Join(missing, ", ")}
}
