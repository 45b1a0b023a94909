package sandbox

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// tyPrice is a product's sale and list price.
type tyPrice struct{ sale, list float64 }

// sentBody is the last price-and-inventory body accepted for a set of barcodes.
type sentBody struct {
	sum [32]byte
	at  time.Time
}

// approvedStock is the filter of approved products' stock and prices: content by
// content (in the sandbox every barcode is its own content), each with its variants'
// barcode, prices and sellable quantity, paged (size at most 100, page×size at most
// 10 000), filtered by barcode, barcodes (comma-separated, at most 50), stockCode or
// productMainId. Unapproved products are not listed. [3P S-TY9; Trendyol's page
// "Product Filtering - Approved Products Stock and Price"] The keys and wording of its
// refusals are the imitation's [I], and so is the default size of 50.
func (t *trendyol) approvedStock(w http.ResponseWriter, r *http.Request, _ time.Time) {
	q := r.URL.Query()
	page, size := 0, 50
	for _, f := range []struct {
		name string
		dst  *int
	}{{"page", &page}, {"size", &size}} {
		name, dst := f.name, f.dst
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				tyErrors(w, http.StatusBadRequest, "invalid."+name, name+" must be a non-negative integer")
				return
			}
			*dst = n
		}
	}
	if size == 0 || size > 100 || page*size > 10000 {
		tyErrors(w, http.StatusBadRequest, "invalid.page.size", "size must be 1 to 100 and page×size at most 10000")
		return
	}
	var barcodes map[string]bool
	if v := q.Get("barcodes"); v != "" {
		barcodes = map[string]bool{}
		for _, b := range strings.Split(v, ",") {
			if b = strings.TrimSpace(b); b != "" {
				barcodes[b] = true
			}
		}
		if len(barcodes) > 50 {
			tyErrors(w, http.StatusBadRequest, "invalid.barcodes", fmt.Sprintf("en fazla 50 barkod sorgulanabilir (at most 50 barcodes, got %d)", len(barcodes)))
			return
		}
	}
	var match []*TrendyolProduct
	for _, p := range t.products {
		if !p.Approved ||
			(q.Get("barcode") != "" && q.Get("barcode") != p.Barcode) || (barcodes != nil && !barcodes[p.Barcode]) ||
			(q.Get("stockCode") != "" && q.Get("stockCode") != p.StockCode) ||
			(q.Get("productMainId") != "" && q.Get("productMainId") != p.ProductMainID) {
			continue
		}
		match = append(match, p)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].ContentID < match[j].ContentID })
	content := []map[string]any{}
	for _, p := range match[min(page*size, len(match)):min((page+1)*size, len(match))] {
		var modified any
		if p.stockModified > 0 {
			modified = p.stockModified
		}
		content = append(content, map[string]any{"contentId": p.ContentID, "productMainId": p.ProductMainID,
			"variants": []map[string]any{{"variantId": p.ContentID*10 + 1, "barcode": p.Barcode, "stockCode": p.StockCode,
				"salePrice": p.SalePrice, "listPrice": p.ListPrice, "quantity": p.Quantity, "stockLastModifiedDate": modified}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalElements": len(match),
		"totalPages":    (len(match) + size - 1) / size,
		"page":          page,
		"size":          size,
		"content":       content,
	})
}

func (t *trendyol) priceAndInventory(w http.ResponseWriter, r *http.Request, now time.Time) {
	raw, err := readAll(w, r)
	if err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", err.Error())
		return
	}
	var body struct {
		Items []tyStockItem `json:"items"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		tyErrors(w, http.StatusBadRequest, "invalid.request.body", "request body is not valid JSON: "+err.Error())
		return
	}
	if len(body.Items) == 0 || len(body.Items) > trendyolMaxItems {
		tyErrors(w, http.StatusBadRequest, "invalid.item.count", fmt.Sprintf("items must hold 1 to %d entries", trendyolMaxItems))
		return
	}
	if t.duplicate(r.PathValue("sid"), raw, body.Items, now) {
		tyErrors(w, http.StatusBadRequest, "duplicate.request", trendyolDuplicateMsg)
		return
	}
	b := t.newBatch("ProductInventoryUpdate", now)
	for _, it := range body.Items {
		b.items = append(b.items, t.stockBatchItem(it, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{"batchRequestId": b.id})
}

// tyStockItem is one item of a price-and-inventory request; nil fields are left as
// they are.
type tyStockItem struct {
	Barcode   string   `json:"barcode"`
	Quantity  *int     `json:"quantity"`
	SalePrice *float64 `json:"salePrice"`
	ListPrice *float64 `json:"listPrice"`
}

// duplicate reports whether the seller sent the same price-and-inventory body for the
// same products within the last 15 minutes, which Trendyol refuses (any changed value
// makes it a new request); when not, it records this one.
func (t *trendyol) duplicate(sid string, raw []byte, items []tyStockItem, now time.Time) bool {
	var compact bytes.Buffer
	_ = json.Compact(&compact, raw)
	barcodes := make([]string, 0, len(items))
	for _, it := range items {
		barcodes = append(barcodes, it.Barcode)
	}
	sort.Strings(barcodes)
	key := sid + "\n" + strings.Join(barcodes, "\n")
	sum := sha256.Sum256(compact.Bytes())
	if last, ok := t.lastBody[key]; ok && last.sum == sum && now.Sub(last.at) < trendyolDuplicateWindow {
		return true
	}
	t.lastBody[key] = sentBody{sum: sum, at: now}
	return false
}

// stockBatchItem checks one price-and-inventory item (its quantity, its prices and
// the barcode's price limit) and returns its batch item: failed at once with its
// reasons, or to be applied when the batch completes.
func (t *trendyol) stockBatchItem(it tyStockItem, now time.Time) *tyBatchItem {
	echo := map[string]any{"barcode": it.Barcode}
	var reasons []string
	if it.Quantity != nil {
		echo["quantity"] = *it.Quantity
		if *it.Quantity < 0 || *it.Quantity > trendyolMaxStock {
			reasons = append(reasons, fmt.Sprintf("quantity must be between 0 and %d", trendyolMaxStock))
		}
	}
	if it.SalePrice != nil {
		echo["salePrice"] = *it.SalePrice
	}
	if it.ListPrice != nil {
		echo["listPrice"] = *it.ListPrice
	}
	if it.SalePrice != nil && it.ListPrice != nil && *it.ListPrice < *it.SalePrice {
		reasons = append(reasons, "listPrice must not be lower than salePrice")
	}
	if len(reasons) == 0 && !t.takePrice(it.Barcode, it.SalePrice, it.ListPrice, now) {
		// The whole item is refused, its quantity too: a client that wants its
		// stock through sends it without the price [I].
		reasons = append(reasons, priceLimitMessage(t.opts.PriceUpdates, t.opts.PriceWindow))
	}
	item := &tyBatchItem{requestItem: echo}
	if len(reasons) > 0 {
		item.status, item.reasons = "FAILED", reasons
		return item
	}
	item.apply = func(t *trendyol, at time.Time) []string { return t.applyStock(it, at) }
	return item
}

// applyStock sets an approved product's quantity and prices from a checked item as
// its batch completes at; the price it asked for is then no longer pending.
func (t *trendyol) applyStock(it tyStockItem, at time.Time) []string {
	p, ok := t.products[it.Barcode]
	if !ok || !p.Approved {
		return []string{"no approved product with this barcode"}
	}
	if it.Quantity != nil {
		p.Quantity, p.StockUpdatedAt, p.stockModified = *it.Quantity, at.UnixMilli(), at.UnixMilli()
	}
	if it.SalePrice != nil || it.ListPrice != nil {
		set(&p.SalePrice, it.SalePrice)
		set(&p.ListPrice, it.ListPrice)
		p.PriceUpdatedAt = at.UnixMilli()
		if t.priceAsked[it.Barcode] == (tyPrice{p.SalePrice, p.ListPrice}) {
			delete(t.priceAsked, it.Barcode)
		}
	}
	return nil
}

// priceLimitMessage refuses a price change over the per-barcode limit. The wording is
// the imitation's: Trendyol has not published its own [I].
func priceLimitMessage(n int, window time.Duration) string {
	tr, en := "dakikada", "per minute"
	if window != time.Minute {
		tr, en = window.String()+" içinde", "per "+window.String()
	}
	return fmt.Sprintf("Bu barkod için %s en fazla %d fiyat güncellemesi yapılabilir (at most %d price updates %s for one barcode)", tr, n, n, en)
}

// takePrice counts an item's price change against its barcode's limit of
// PriceUpdates per PriceWindow ("30 req/min per barcode for price updates" [C S-TY10])
// and reports whether it is taken. The change is measured against the price last asked
// for (batches not yet applied count), else the product's own: an item that leaves
// both prices as they are changes nothing and counts nothing, and neither does one
// without prices.
func (t *trendyol) takePrice(barcode string, sale, list *float64, now time.Time) bool {
	if sale == nil && list == nil {
		return true
	}
	ref, ok := t.priceAsked[barcode]
	if p := t.products[barcode]; !ok && p != nil {
		ref = tyPrice{p.SalePrice, p.ListPrice}
	}
	want := ref
	set(&want.sale, sale)
	set(&want.list, list)
	if want == ref {
		return true
	}
	var hits []time.Time
	for _, at := range t.priceHits[barcode] {
		if now.Sub(at) < t.opts.PriceWindow {
			hits = append(hits, at)
		}
	}
	if len(hits) >= t.opts.PriceUpdates {
		t.priceHits[barcode] = hits
		return false
	}
	t.priceHits[barcode] = append(hits, now)
	t.priceAsked[barcode] = want
	return true
}

// setStock sets what Trendyol shows of an approved product's stock, as the seller's
// panel does, without a batch; the panel's cap is taken to be the API's 20 000 [I].
func (t *trendyol) setStock(stockCode string, quantity int) error {
	if quantity > trendyolMaxStock {
		return fmt.Errorf("trendyol: quantity must be between 0 and %d", trendyolMaxStock)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.srv.Now()
	t.settle(now)
	p := t.byStockCode(stockCode)
	if p == nil {
		return fmt.Errorf("trendyol: %w: %s", ErrNotListed, stockCode)
	}
	p.Quantity, p.stockModified = quantity, now.UnixMilli()
	return nil
}

// listings is every approved product's stock code and quantity.
func (t *trendyol) listings() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.settle(t.srv.Now())
	out := map[string]int{}
	for _, p := range t.products {
		if p.Approved {
			out[p.StockCode] = p.Quantity
		}
	}
	return out
}
