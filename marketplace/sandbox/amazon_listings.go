package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// settle processes every listing version due by now: identifiers already used by
// another SKU make an ERROR issue (as Amazon's catalog matching raises after ACCEPTED);
// otherwise the version goes live. Feeds due by now hand their listings over first.
func (a *amazon) settle(now time.Time) {
	a.completeFeeds(now)
	for _, l := range a.items {
		p := l.pending
		if p == nil || now.Before(p.due) {
			continue
		}
		l.pending = nil
		l.updated = p.due
		l.issues = nil
		if ean := firstString(p.attributes, "externally_assigned_product_identifier", "value"); ean != "" {
			for _, o := range a.items {
				if o != l && o.live != nil && firstString(o.live.attributes, "externally_assigned_product_identifier", "value") == ean {
					l.issues = append(l.issues, AmazonIssue{Code: "DUPLICATE_IDENTIFIER", Severity: "ERROR",
						Message:        fmt.Sprintf("The product identifier %s is already used by SKU %s.", ean, o.sku),
						AttributeNames: []string{"externally_assigned_product_identifier"}, Categories: []string{"DUPLICATE"}})
				}
			}
		}
		if len(l.issues) > 0 {
			continue
		}
		l.live = p
		if q, ok := quantityOf(p.attributes); ok {
			l.quantity = q
		}
	}
}

func (a *amazon) checkMarketplace(w http.ResponseWriter, r *http.Request) bool {
	if m := r.URL.Query().Get("marketplaceIds"); m != a.opts.MarketplaceID {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", fmt.Sprintf("marketplaceIds %q is not a marketplace the seller participates in", m))
		return false
	}
	return true
}

func (a *amazon) submission(w http.ResponseWriter, sku, status string, issues []AmazonIssue) {
	if issues == nil {
		issues = []AmazonIssue{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"sku": sku, "status": status, "submissionId": requestID(), "issues": issues})
}

func (a *amazon) putItem(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	var body struct {
		ProductType  string         `json:"productType"`
		Requirements string         `json:"requirements"`
		Attributes   map[string]any `json:"attributes"`
	}
	_ = json.Unmarshal(raw, &body) // the model check has passed
	if body.Requirements == "" {
		body.Requirements = "LISTING"
	}
	sku := r.PathValue("sku")
	issues := ValidateAmazonAttributes(body.Requirements, a.opts.MarketplaceID, body.Attributes)
	issues = azMergeIssues(issues, a.productTypeIssues(body.ProductType, body.Requirements, body.Attributes))
	// Fetching images takes time: other requests go on meanwhile. Nothing of the
	// imitation's state has been read yet.
	a.mu.Unlock()
	images := a.imageIssues(r.Context(), body.Attributes)
	a.mu.Lock()
	issues = azMergeIssues(issues, images)
	preview := r.URL.Query().Get("mode") == "VALIDATION_PREVIEW"
	switch {
	case hasError(issues) || (preview && len(issues) > 0):
		a.submission(w, sku, "INVALID", issues)
		return
	case preview:
		a.submission(w, sku, "VALID", issues)
		return
	}
	a.takeVersion(sku, &azVersion{productType: body.ProductType, attributes: body.Attributes, due: now.Add(a.srv.batchDelay(a.opts.ProcessDelay))}, now)
	a.submission(w, sku, "ACCEPTED", issues)
}

func firstString(attrs map[string]any, name, field string) string {
	for _, v := range values(attrs, name) {
		if s, ok := v[field].(string); ok {
			return s
		}
	}
	return ""
}

func quantityOf(attrs map[string]any) (int, bool) {
	for _, v := range values(attrs, "fulfillment_availability") {
		if v["fulfillment_channel_code"] == "DEFAULT" {
			if q, ok := v["quantity"].(float64); ok {
				return int(q), true
			}
		}
	}
	return 0, false
}

// patchItem applies JSON patches to top-level attributes. Quantity and price patches
// take effect at once, as offer updates do within moments on Amazon.
func (a *amazon) patchItem(w http.ResponseWriter, r *http.Request, raw []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	var body struct {
		ProductType string `json:"productType"`
		Patches     []struct {
			Op    string `json:"op"`
			Path  string `json:"path"`
			Value []any  `json:"value"`
		} `json:"patches"`
	}
	_ = json.Unmarshal(raw, &body)
	sku := r.PathValue("sku")
	l := a.items[sku]
	if l == nil || (l.live == nil && l.pending == nil) {
		a.submission(w, sku, "INVALID", []AmazonIssue{{Code: "SKU_NOT_FOUND", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
			Message: fmt.Sprintf("SKU %s has no listing in marketplace %s to patch.", sku, a.opts.MarketplaceID)}})
		return
	}
	v := l.live
	if v == nil {
		v = l.pending
	}
	attrs := map[string]any{}
	for k, val := range v.attributes {
		attrs[k] = val
	}
	var issues []AmazonIssue
	patched := map[string]bool{}
	for i, p := range body.Patches {
		name, ok := strings.CutPrefix(p.Path, "/attributes/")
		if !ok || name == "" || strings.Contains(name, "/") {
			issues = append(issues, AmazonIssue{Code: "INVALID_PATCH_PATH", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
				Message: fmt.Sprintf("patches[%d].path %q must be /attributes/{top-level attribute}.", i, p.Path)})
			continue
		}
		patched[name] = true
		switch p.Op {
		case "delete":
			delete(attrs, name)
		case "add", "replace":
			attrs[name] = p.Value
		case "merge":
			attrs[name] = mergeValues(values(attrs, name), p.Value)
		}
	}
	if len(issues) == 0 {
		for _, is := range ValidateAmazonAttributes("LISTING_OFFER_ONLY", a.opts.MarketplaceID, attrs) {
			if is.Code != amazonMissingCode || patched[is.AttributeNames[0]] {
				issues = append(issues, is)
			}
		}
	}
	if hasError(issues) {
		a.submission(w, sku, "INVALID", issues)
		return
	}
	for _, ver := range []*azVersion{l.live, l.pending} {
		if ver != nil {
			ver.attributes = attrs
		}
	}
	if q, ok := quantityOf(attrs); ok {
		l.quantity = q
	}
	l.updated = now
	l.submissions++
	a.submission(w, sku, "ACCEPTED", issues)
}

// mergeValues merges patch values into current ones, matching entries on their
// selectors (fulfillment_channel_code; marketplace_id, currency and audience).
func mergeValues(current []map[string]any, patch []any) []any {
	selectors := []string{"fulfillment_channel_code", "marketplace_id", "currency", "audience"}
	same := func(a, b map[string]any) bool {
		for _, s := range selectors {
			if a[s] != b[s] {
				return false
			}
		}
		return true
	}
	out := make([]any, 0, len(current)+len(patch))
	merged := make([]map[string]any, 0, len(current))
	for _, c := range current {
		cp := map[string]any{}
		for k, v := range c {
			cp[k] = v
		}
		merged = append(merged, cp)
	}
	for _, p := range patch {
		pm, ok := p.(map[string]any)
		if !ok {
			continue
		}
		found := false
		for _, c := range merged {
			if same(c, pm) {
				for k, v := range pm {
					c[k] = v
				}
				found = true
			}
		}
		if !found {
			merged = append(merged, pm)
		}
	}
	for _, m := range merged {
		out = append(out, m)
	}
	return out
}

func (a *amazon) getItem(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	sku := r.PathValue("sku")
	l := a.items[sku]
	if l == nil || (l.live == nil && len(l.issues) == 0) {
		azErrors(w, http.StatusNotFound, "NOT_FOUND", "Requested item not found", fmt.Sprintf("SKU '%s' not found in marketplace %s", sku, a.opts.MarketplaceID))
		return
	}
	included := map[string]bool{}
	for _, d := range strings.Split(r.URL.Query().Get("includedData"), ",") {
		included[d] = true
	}
	if r.URL.Query().Get("includedData") == "" {
		included["summaries"] = true
	}
	v := l.live
	if v == nil {
		v = &azVersion{attributes: map[string]any{}}
		if l.pending != nil {
			v = l.pending
		}
	}
	writeJSON(w, http.StatusOK, a.itemView(sku, l, v, included))
}

// itemView is a listings item as getListingsItem and a feed's processing report show
// it: the included parts of version v of listing l.
func (a *amazon) itemView(sku string, l *azListing, v *azVersion, included map[string]bool) map[string]any {
	out := map[string]any{"sku": sku}
	if included["summaries"] {
		status := []string{}
		if l.live != nil {
			status = []string{"BUYABLE", "DISCOVERABLE"}
		}
		productType := v.productType
		if productType == "" {
			productType = "PRODUCT"
		}
		s := map[string]any{"marketplaceId": a.opts.MarketplaceID, "asin": l.asin, "productType": productType, "status": status,
			"createdDate": l.created.UTC().Format(time.RFC3339), "lastUpdatedDate": l.updated.UTC().Format(time.RFC3339)}
		if c := firstString(v.attributes, "condition_type", "value"); c != "" && amazonConditions[c] {
			s["conditionType"] = c
		}
		if n := firstString(v.attributes, "item_name", "value"); n != "" {
			s["itemName"] = n
		}
		out["summaries"] = []any{s}
	}
	if included["attributes"] {
		out["attributes"] = v.attributes
	}
	if included["issues"] {
		issues := l.issues
		if issues == nil {
			issues = []AmazonIssue{}
		}
		out["issues"] = issues
	}
	if included["fulfillmentAvailability"] {
		out["fulfillmentAvailability"] = []any{map[string]any{"fulfillmentChannelCode": "DEFAULT", "quantity": l.quantity}}
	}
	return out
}

// setStock sets a live listing's DEFAULT-channel quantity as Seller Central does,
// without a submission; orders take from the same quantity.
func (a *amazon) setStock(sku string, quantity int) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(a.srv.Now())
	l := a.items[sku]
	if l == nil || l.live == nil {
		return fmt.Errorf("amazon: %w: %s", ErrNotListed, sku)
	}
	l.quantity = quantity
	return nil
}

// listings is every live listing's SKU and quantity.
func (a *amazon) listings() map[string]int {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.settle(a.srv.Now())
	out := map[string]int{}
	for sku, l := range a.items {
		if l.live != nil {
			out[sku] = l.quantity
		}
	}
	return out
}
