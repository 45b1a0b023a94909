package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

type tyBatch struct {
	id        string
	kind      string // ProductV2OnBoarding or ProductInventoryUpdate
	created   time.Time
	due       time.Time
	completed bool
	items     []*tyBatchItem
}

type tyBatchItem struct {
	requestItem map[string]any
	// apply runs at completion (at is when the batch was due) and returns failure
	// reasons (none means success).
	apply   func(t *trendyol, at time.Time) []string
	status  string
	reasons []string
}

// settle completes every batch whose delay has passed (in submission order), approves
// products whose approval time has come, and forgets batches older than 4 h.
func (t *trendyol) settle(now time.Time) {
	ids := make([]string, 0, len(t.batches))
	for id := range t.batches {
		ids = append(ids, id)
	}
	sort.Strings(ids) // batch IDs end in a sequence number: apply in submission order
	for _, id := range ids {
		b := t.batches[id]
		if now.Sub(b.created) > trendyolBatchTTL {
			delete(t.batches, id)
			continue
		}
		if b.completed || now.Before(b.due) {
			continue
		}
		t.approve(b.due) // products approved before this batch was processed
		for _, it := range b.items {
			if it.status == "FAILED" {
				continue
			}
			if reasons := it.apply(t, b.due); len(reasons) > 0 {
				it.status, it.reasons = "FAILED", reasons
			} else {
				it.status = "SUCCESS"
			}
		}
		b.completed = true
	}
	t.approve(now)
}

// approve ends the approval of every pending product whose approval time is at or
// before at.
func (t *trendyol) approve(at time.Time) {
	for _, p := range t.products {
		if !p.Approved && !p.approveAt.IsZero() && !at.Before(p.approveAt) {
			p.Approved, p.ApprovedDate, p.approveAt = true, p.approveAt.UnixMilli(), time.Time{}
		}
	}
}

func (t *trendyol) newBatch(kind string, now time.Time) *tyBatch {
	t.nextBatch++
	b := &tyBatch{
		id:      fmt.Sprintf("%08x-5a4d-4c3b-9a2e-%012d-%d", t.nextBatch, t.nextBatch, now.Unix()),
		kind:    kind,
		created: now,
		due:     now.Add(t.srv.batchDelay(t.opts.ProcessDelay)),
	}
	t.batches[b.id] = b
	return b
}

// decodeItems reads a {"items":[…]} body of 1 to 1000 items; it answers the error itself.
func decodeItems(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, bool) {
	var body struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&body); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return nil, false
	}
	if len(body.Items) == 0 || len(body.Items) > trendyolMaxItems {
		tyErrors(w, http.StatusBadRequest, "invalid.item.count", fmt.Sprintf("items must hold 1 to %d products", trendyolMaxItems))
		return nil, false
	}
	return body.Items, true
}

func (t *trendyol) createProducts(w http.ResponseWriter, r *http.Request, now time.Time) {
	raws, ok := decodeItems(w, r)
	if !ok {
		return
	}
	items := make([]trendyolItem, len(raws))
	for i, raw := range raws {
		_ = json.Unmarshal(raw, &items[i]) // a malformed item is refused by ValidateTrendyolItem below
	}
	images := t.checkImages(r.Context(), items)
	b := t.newBatch("ProductV2OnBoarding", now)
	seen := map[string]bool{}
	for i, raw := range raws {
		reasons, barcode := ValidateTrendyolItem(raw)
		reasons = append(reasons, items[i].imageReasons(images)...)
		var echo map[string]any
		_ = json.Unmarshal(raw, &echo)
		if barcode != "" && echo != nil {
			echo["barcode"] = barcode
		}
		if barcode != "" && seen[barcode] {
			reasons = append(reasons, "barcode appears more than once in the batch")
		}
		seen[barcode] = true
		item := &tyBatchItem{requestItem: map[string]any{"barcode": barcode, "product": echo}}
		if len(reasons) > 0 {
			item.status, item.reasons = "FAILED", reasons
		} else {
			it := items[i]
			_, _, attrs := it.check(modeCreate)
			item.apply = func(t *trendyol, at time.Time) []string {
				if _, ok := t.products[barcode]; ok {
					return []string{"a product with this barcode already exists; use the update endpoints"}
				}
				t.nextContent++
				p := &TrendyolProduct{Barcode: barcode, StockCode: *it.StockCode, ProductMainID: *it.ProductMainID,
					BrandID: *it.BrandID, CategoryID: *it.CategoryID, ContentID: t.nextContent, Title: *it.Title,
					Description: *it.Description, Quantity: *it.Quantity, SalePrice: *it.SalePrice, ListPrice: *it.ListPrice,
					VATRate: *it.VATRate, DimensionalWeight: *it.DimensionalWeight, Images: imageURLs(it.Images), Attributes: attrs}
				if t.opts.ApprovalDelay <= 0 {
					p.Approved, p.ApprovedDate = true, at.UnixMilli()
				} else {
					p.approveAt = at.Add(t.opts.ApprovalDelay)
				}
				t.products[barcode] = p
				return nil
			}
		}
		b.items = append(b.items, item)
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// updateUnapproved is unapproved-bulk-update: products still in (or refused by)
// approval, keyed by barcode, in a ProductV2Update batch. Only the fields sent change.
func (t *trendyol) updateUnapproved(w http.ResponseWriter, r *http.Request, now time.Time) {
	t.bulkUpdate(w, r, now, modeUnapproved)
}

// updateContent is content-bulk-update: approved products' title, description, images
// and attributes, keyed by contentId, in an ApprovedProductContentUpdate batch.
// Attributes, when sent, must list every attribute the product has.
func (t *trendyol) updateContent(w http.ResponseWriter, r *http.Request, now time.Time) {
	t.bulkUpdate(w, r, now, modeContent)
}

func (t *trendyol) bulkUpdate(w http.ResponseWriter, r *http.Request, now time.Time, mode itemMode) {
	raws, ok := decodeItems(w, r)
	if !ok {
		return
	}
	kind := "ProductV2Update"
	if mode == modeContent {
		kind = "ApprovedProductContentUpdate"
	}
	items := make([]trendyolItem, len(raws))
	errs := make([]error, len(raws))
	for i, raw := range raws {
		errs[i] = json.Unmarshal(raw, &items[i])
	}
	images := t.checkImages(r.Context(), items)
	b := t.newBatch(kind, now)
	seen := map[string]bool{}
	for i, raw := range raws {
		b.items = append(b.items, updateBatchItem(mode, raw, items[i], errs[i], images, seen))
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// updateBatchItem checks one item of an update request (decodeErr is its decoding's
// error, images the request's checked image URLs) and returns its batch item: failed
// at once with its reasons, or to be applied when the batch completes. seen holds the
// products the batch's earlier items name; a product named twice fails the second time.
func updateBatchItem(mode itemMode, raw json.RawMessage, it trendyolItem, decodeErr error, images map[string]string, seen map[string]bool) *tyBatchItem {
	var reasons []string
	var barcode string
	var attrs []TrendyolAttribute
	if decodeErr != nil {
		reasons = []string{"item is not a valid product object: " + decodeErr.Error()}
	} else {
		reasons, barcode, attrs = it.check(mode)
		reasons = append(reasons, it.imageReasons(images)...)
	}
	var echo map[string]any
	_ = json.Unmarshal(raw, &echo)
	key := barcode
	requestItem := map[string]any{"barcode": barcode, "product": echo}
	if mode == modeContent {
		var id int64
		if it.ContentID != nil {
			id = *it.ContentID
		}
		key = strconv.FormatInt(id, 10)
		requestItem = map[string]any{"contentId": id, "product": echo}
	} else if barcode != "" && echo != nil {
		echo["barcode"] = barcode
	}
	if len(reasons) == 0 && seen[key] {
		reasons = append(reasons, "the same product appears more than once in the batch")
	}
	seen[key] = true
	item := &tyBatchItem{requestItem: requestItem}
	if len(reasons) > 0 {
		item.status, item.reasons = "FAILED", reasons
		return item
	}
	item.apply = func(t *trendyol, _ time.Time) []string { return t.applyUpdate(mode, it, barcode, attrs) }
	return item
}

// applyUpdate applies a checked update item (attrs its normalized attributes) as its
// batch completes and returns why it failed, if it did.
func (t *trendyol) applyUpdate(mode itemMode, it trendyolItem, barcode string, attrs []TrendyolAttribute) []string {
	p, reasons := t.updateTarget(mode, it, barcode, attrs)
	if reasons != nil {
		return reasons
	}
	// The product as it would be after the update must fit the taxonomy.
	category, brand, productAttrs := p.CategoryID, p.BrandID, p.Attributes
	set(&category, it.CategoryID)
	set(&brand, it.BrandID)
	if it.Attributes != nil {
		productAttrs = attrs
	}
	if reasons := tyCheckTaxonomy(category, brand, productAttrs); reasons != nil {
		return reasons
	}
	it.update(p, mode, attrs)
	return nil
}

// updateTarget finds the product an update item names, or says why it cannot be
// updated there: content-bulk-update takes an approved product by contentId, and only
// with all its attributes when any change; unapproved-bulk-update takes a product
// still in approval by barcode.
func (t *trendyol) updateTarget(mode itemMode, it trendyolItem, barcode string, attrs []TrendyolAttribute) (*TrendyolProduct, []string) {
	if mode == modeContent {
		var p *TrendyolProduct
		for _, q := range t.products {
			if q.ContentID == *it.ContentID && q.Approved {
				p = q
			}
		}
		if p == nil {
			return nil, []string{"no approved product with this contentId"}
		}
		if reasons := missingAttributes(p.Attributes, attrs, it.Attributes != nil); reasons != nil {
			return nil, reasons
		}
		return p, nil
	}
	p := t.products[barcode]
	switch {
	case p == nil:
		return nil, []string{"no product with this barcode; create it first"}
	case p.Approved:
		return nil, []string{"the product is approved; update its content with content-bulk-update"}
	}
	return p, nil
}

// update sets the fields the item sends on p; a content update changes only the
// title, description, images and attributes.
func (it *trendyolItem) update(p *TrendyolProduct, mode itemMode, attrs []TrendyolAttribute) {
	if mode != modeContent {
		set(&p.ProductMainID, it.ProductMainID)
		set(&p.StockCode, it.StockCode)
		set(&p.BrandID, it.BrandID)
		set(&p.CategoryID, it.CategoryID)
		set(&p.VATRate, it.VATRate)
		set(&p.DimensionalWeight, it.DimensionalWeight)
	}
	set(&p.Title, it.Title)
	set(&p.Description, it.Description)
	if it.Images != nil {
		p.Images = imageURLs(it.Images)
	}
	if it.Attributes != nil {
		p.Attributes = attrs
	}
}

func (t *trendyol) batchRequest(w http.ResponseWriter, r *http.Request, now time.Time) {
	b, ok := t.batches[r.PathValue("id")]
	if !ok {
		tyErrors(w, http.StatusNotFound, "batch.request.not.found", "batch request not found (results are kept 4 hours)")
		return
	}
	items := make([]map[string]any, 0, len(b.items))
	failed := 0
	for _, it := range b.items {
		m := map[string]any{"requestItem": it.requestItem, "failureReasons": []string{}}
		status := it.status
		if !b.completed && status != "" {
			status = "" // outcomes show only once the batch is processed
		}
		if status != "" {
			m["status"] = status
			if it.reasons != nil {
				m["failureReasons"] = it.reasons
			}
		}
		if status == "FAILED" {
			failed++
		}
		items = append(items, m)
	}
	out := map[string]any{
		"batchRequestId":   b.id,
		"creationDate":     b.created.UnixMilli(),
		"lastModification": b.created.UnixMilli(),
		"sourceType":       "API",
		"itemCount":        len(b.items),
		"failedItemCount":  failed,
		"batchRequestType": b.kind,
		"items":            items,
	}
	if b.completed {
		out["lastModification"] = b.due.UnixMilli()
	}
	if b.kind != "ProductInventoryUpdate" { // inventory batches carry no top-level status
		out["status"] = "IN_PROGRESS"
		if b.completed {
			out["status"] = "COMPLETED"
		}
	}
	writeJSON(w, http.StatusOK, out)
}
