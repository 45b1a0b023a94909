package sandbox

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Amazon product tax codes the imitation takes in product_tax_code (the general
// codes of Amazon's European stores).
var amazonTaxCodes = map[string]bool{"A_GEN_STANDARD": true, "A_GEN_REDUCED": true, "A_GEN_SUPERREDUCED": true, "A_GEN_NOTAX": true}

var amazonConditions = map[string]bool{"new_new": true, "new_open_box": true, "new_oem": true, "refurbished_refurbished": true,
	"used_like_new": true, "used_very_good": true, "used_good": true, "used_acceptable": true, "collectible_like_new": true,
	"collectible_very_good": true, "collectible_good": true, "collectible_acceptable": true, "club_club": true}

// azMergeIssues adds more issues to issues, except those about an attribute issues
// already has one for (the more specific rule speaks first), sorted by attribute.
func azMergeIssues(issues, more []AmazonIssue) []AmazonIssue {
	seen := map[string]bool{}
	for _, is := range issues {
		seen[strings.Join(is.AttributeNames, ",")] = true
	}
	for _, is := range more {
		if len(is.AttributeNames) == 0 || !seen[strings.Join(is.AttributeNames, ",")] {
			issues = append(issues, is)
		}
	}
	azSortIssues(issues)
	return issues
}

func azSortIssues(issues []AmazonIssue) {
	sort.SliceStable(issues, func(i, j int) bool {
		return strings.Join(issues[i].AttributeNames, ",") < strings.Join(issues[j].AttributeNames, ",")
	})
}

// imageIssues fetches every image of a listing as Amazon does (Server.checkImage, at
// least 500 px on the shorter side) and returns an INVALID_IMAGE issue for each one it
// cannot use.
func (a *amazon) imageIssues(ctx context.Context, attrs map[string]any) []AmazonIssue {
	var issues []AmazonIssue
	for name := range attrs {
		if name != "main_product_image_locator" && !strings.HasPrefix(name, "other_product_image_locator_") {
			continue
		}
		for _, v := range values(attrs, name) {
			s, _ := v["media_location"].(string)
			if reason := a.srv.checkImage(ctx, s, amazonMinImageSide); reason != "" {
				issues = append(issues, AmazonIssue{Code: "INVALID_IMAGE_URL", Severity: "ERROR", Categories: []string{"INVALID_IMAGE"},
					AttributeNames: []string{name}, Message: fmt.Sprintf("'%s' cannot be used: %s.", name, reason)})
			}
		}
	}
	azSortIssues(issues)
	return issues
}

// ValidateAmazonAttributes checks a listing's attributes for a requirements set
// (LISTING, LISTING_PRODUCT_ONLY, LISTING_OFFER_ONLY) against the rules every product
// type shares, and returns the issues (none when valid); the product type's own schema
// and the images themselves are checked by putListingsItem besides. It checks:
//   - required attributes (Amazon's code 90220);
//   - item_name at most 200 characters without ! $ ? _ { } ^ ¬ ¦ (Seller Central title policy);
//   - image locators: at most 8 other images;
//   - purchasable_offer: the store's marketplace and currency (TRY for Turkey), our_price
//     above zero, list_price not below it;
//   - fulfillment_availability: a channel code and a quantity of zero or more;
//   - condition_type, product_tax_code and EAN/GTIN/UPC check digits.
//
// Issue codes other than 90220 are the imitation's own.
func ValidateAmazonAttributes(requirements, marketplaceID string, attrs map[string]any) []AmazonIssue {
	c := &azCheck{attrs: attrs}
	c.checkRequired(requirements)
	c.checkArrays()
	c.checkProductFields()
	c.checkImageLocators()
	c.checkOffer(marketplaceID)
	c.checkFulfillment()
	azSortIssues(c.issues)
	return c.issues
}

// azCheck gathers the issues of a listing's attributes.
type azCheck struct {
	attrs  map[string]any
	issues []AmazonIssue
}

// add records an ERROR issue about attr.
func (c *azCheck) add(code, category, attr, format string, args ...any) {
	c.issues = append(c.issues, AmazonIssue{Code: code, Severity: "ERROR", Message: fmt.Sprintf(format, args...),
		AttributeNames: []string{attr}, Categories: []string{category}})
}

// checkRequired checks that the attributes the requirements set needs are there, and
// (except for LISTING_PRODUCT_ONLY) a product identifier, an ASIN or an exemption.
func (c *azCheck) checkRequired(requirements string) {
	required := map[string][]string{
		"LISTING":              {"item_name", "brand", "condition_type", "main_product_image_locator", "purchasable_offer", "fulfillment_availability"},
		"LISTING_PRODUCT_ONLY": {"item_name", "brand", "main_product_image_locator"},
		"LISTING_OFFER_ONLY":   {"condition_type", "purchasable_offer", "fulfillment_availability"},
	}[requirements]
	for _, name := range required {
		if len(values(c.attrs, name)) == 0 {
			category := "MISSING_ATTRIBUTE"
			switch name {
			case "main_product_image_locator":
				category = "MISSING_IMAGE"
			case "purchasable_offer":
				category = "MISSING_PRICE"
			}
			c.add(amazonMissingCode, category, name, "'%s' is required but not supplied.", name)
		}
	}
	if requirements != "LISTING_PRODUCT_ONLY" && len(values(c.attrs, "externally_assigned_product_identifier")) == 0 &&
		len(values(c.attrs, "merchant_suggested_asin")) == 0 && len(values(c.attrs, "supplier_declared_has_product_identifier_exemption")) == 0 {
		c.add(amazonMissingCode, "MISSING_ATTRIBUTE", "externally_assigned_product_identifier",
			"'externally_assigned_product_identifier' is required but not supplied: give an EAN, UPC or GTIN, a merchant_suggested_asin or a product identifier exemption.")
	}
}

// checkArrays checks that every attribute is an array of values.
func (c *azCheck) checkArrays() {
	for name, v := range c.attrs {
		if _, ok := v.([]any); !ok {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", name, "'%s' must be an array of values.", name)
		}
	}
}

// checkProductFields checks the product's own values: the title policy, a brand,
// the condition, the tax code and the identifier's check digit.
func (c *azCheck) checkProductFields() {
	for _, v := range values(c.attrs, "item_name") {
		s, _ := v["value"].(string)
		switch {
		case strings.TrimSpace(s) == "":
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' must not be empty.")
		case utf8.RuneCountInString(s) > amazonMaxTitle:
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' is %d characters; at most %d are allowed.", utf8.RuneCountInString(s), amazonMaxTitle)
		case strings.ContainsAny(s, amazonTitleBanned):
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "item_name", "'item_name' must not contain any of %s.", strings.Join(strings.Split(amazonTitleBanned, ""), " "))
		}
	}
	for _, v := range values(c.attrs, "brand") {
		if s, _ := v["value"].(string); strings.TrimSpace(s) == "" {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "brand", "'brand' must not be empty.")
		}
	}
	for _, v := range values(c.attrs, "condition_type") {
		if s, _ := v["value"].(string); !amazonConditions[s] {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "condition_type", "'condition_type' value %q is not a condition.", s)
		}
	}
	for _, v := range values(c.attrs, "product_tax_code") {
		if s, _ := v["value"].(string); !amazonTaxCodes[s] {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "product_tax_code", "'product_tax_code' value %q is not a tax code of this store.", s)
		}
	}
	for _, v := range values(c.attrs, "externally_assigned_product_identifier") {
		typ, _ := v["type"].(string)
		s, _ := v["value"].(string)
		if (typ != "ean" && typ != "upc" && typ != "gtin") || !ValidGTIN(s) {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "externally_assigned_product_identifier", "'externally_assigned_product_identifier' %s %q is not a valid EAN, UPC or GTIN.", typ, s)
		}
	}
}

// checkImageLocators checks the image attributes' names (other images numbered 1 to
// amazonOtherImages) and that each names a media_location; the images themselves are
// fetched by imageIssues.
func (c *azCheck) checkImageLocators() {
	for name := range c.attrs {
		isOther := strings.HasPrefix(name, "other_product_image_locator_")
		if name != "main_product_image_locator" && !isOther {
			continue
		}
		if isOther {
			n, err := strconv.Atoi(strings.TrimPrefix(name, "other_product_image_locator_"))
			if err != nil || n < 1 || n > amazonOtherImages {
				c.add("INVALID_VALUE", "INVALID_IMAGE", name, "'%s' is not an image attribute: other images are other_product_image_locator_1 to _%d.", name, amazonOtherImages)
				continue
			}
		}
		for _, v := range values(c.attrs, name) {
			if s, _ := v["media_location"].(string); s == "" {
				c.add("INVALID_IMAGE_URL", "INVALID_IMAGE", name, "'%s' needs a media_location.", name)
			}
		}
	}
}

// checkOffer checks each offer: this store's marketplace and currency, our_price above
// zero and list_price not below it.
func (c *azCheck) checkOffer(marketplaceID string) {
	for _, v := range values(c.attrs, "purchasable_offer") {
		if m, _ := v["marketplace_id"].(string); m != marketplaceID {
			c.add("INVALID_VALUE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' marketplace_id %q is not this store (%s).", m, marketplaceID)
		}
		if cur, _ := v["currency"].(string); marketplaceID == "A33AVAJ2PDY3EV" && cur != "TRY" {
			c.add("INVALID_VALUE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' currency %q must be TRY in this store.", cur)
		}
		our, ok := ourPrice(v)
		if !ok || our <= 0 {
			c.add("INVALID_PRICE", "INVALID_PRICE", "purchasable_offer", "'purchasable_offer' needs our_price with a schedule value_with_tax above zero.")
			continue
		}
		for _, lp := range values(c.attrs, "list_price") {
			if p, ok := lp["value_with_tax"].(float64); !ok || p < our {
				c.add("INVALID_PRICE", "INVALID_PRICE", "list_price", "'list_price' %v must not be below our_price %v.", lp["value_with_tax"], our)
			}
		}
	}
}

// checkFulfillment checks that each availability names a channel and, for DEFAULT
// (the seller's own stock), a whole quantity of zero or more.
func (c *azCheck) checkFulfillment() {
	for _, v := range values(c.attrs, "fulfillment_availability") {
		code, _ := v["fulfillment_channel_code"].(string)
		q, ok := v["quantity"].(float64)
		if code == "" || (code == "DEFAULT" && (!ok || q < 0 || q != math.Trunc(q))) {
			c.add("INVALID_VALUE", "INVALID_ATTRIBUTE", "fulfillment_availability", "'fulfillment_availability' needs a fulfillment_channel_code and, for DEFAULT, a whole quantity of zero or more.")
		}
	}
}

// ValidGTIN reports whether s is an 8, 12, 13 or 14 digit GTIN with a correct check digit.
func ValidGTIN(s string) bool {
	if n := len(s); n != 8 && n != 12 && n != 13 && n != 14 {
		return false
	}
	sum := 0
	for i := range len(s) {
		c := s[len(s)-1-i]
		if c < '0' || c > '9' {
			return false
		}
		d := int(c - '0')
		if i%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return sum%10 == 0
}

func hasError(issues []AmazonIssue) bool {
	for _, i := range issues {
		if i.Severity == "ERROR" {
			return true
		}
	}
	return false
}

// values is an attribute's values, those that are JSON objects.
func values(attrs map[string]any, name string) []map[string]any {
	list, _ := attrs[name].([]any)
	var out []map[string]any
	for _, v := range list {
		if m, ok := v.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func ourPrice(offer map[string]any) (float64, bool) {
	ours, _ := offer["our_price"].([]any)
	for _, o := range ours {
		m, _ := o.(map[string]any)
		sched, _ := m["schedule"].([]any)
		for _, s := range sched {
			sm, _ := s.(map[string]any)
			if p, ok := sm["value_with_tax"].(float64); ok {
				return p, true
			}
		}
	}
	return 0, false
}
