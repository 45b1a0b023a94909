package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// hbJob is work that runs once its due time has passed on the sandbox clock.
type hbJob struct {
	due time.Time
	run func(h *hepsiburada)
}

type hbImport struct {
	id        string
	created   time.Time
	completed bool
	items     []*hbImportItem
}

type hbImportItem struct {
	merchantSKU string
	barcode     string
	failures    []HepsiburadaValidation
}

type hbUpload struct {
	id        string
	kind      string // stock or price
	created   time.Time
	completed bool
	total     int
	errors    []hbElementError
}

type hbElementError struct {
	ElementNo      int      `json:"elementNo"`
	HepsiburadaSKU string   `json:"hepsiburadaSku"`
	MerchantSKU    string   `json:"merchantSku"`
	Errors         []string `json:"errors"`
}

// settle runs every job whose time has come, in submission order, and forgets results
// older than hbKept.
func (h *hepsiburada) settle(now time.Time) {
	kept := h.jobs[:0]
	for _, j := range h.jobs {
		if now.Before(j.due) {
			kept = append(kept, j)
			continue
		}
		j.run(h)
	}
	clear(h.jobs[len(kept):])
	h.jobs = kept
	for id, imp := range h.imports {
		if imp.completed && now.Sub(imp.created) > hbKept {
			delete(h.imports, id)
		}
	}
	for id, u := range h.uploads {
		if u.completed && now.Sub(u.created) > hbKept {
			delete(h.uploads, id)
		}
	}
}

func (h *hepsiburada) schedule(now time.Time, run func(h *hepsiburada)) {
	h.jobs = append(h.jobs, &hbJob{due: now.Add(h.srv.batchDelay(h.opts.ProcessDelay)), run: run})
}

// readImport reads the import's JSON array from the multipart part "file" or, as
// some clients send it, from a plain JSON body.
func readImport(w http.ResponseWriter, r *http.Request) ([]json.RawMessage, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<20)
	var raw []byte
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		f, _, err := r.FormFile("file")
		if err != nil {
			return nil, fmt.Errorf(`multipart body needs a part named "file": %w`, err)
		}
		defer f.Close()
		if raw, err = io.ReadAll(f); err != nil {
			return nil, fmt.Errorf("read file part: %w", err)
		}
	} else {
		var err error
		if raw, err = io.ReadAll(r.Body); err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("file must hold a JSON array of products: %w", err)
	}
	return items, nil
}

// importProducts takes a catalog import. Items are validated (fetching their images)
// before the imitation's lock is taken; the outcome shows in the import's status once
// it has been processed.
func (h *hepsiburada) importProducts(w http.ResponseWriter, r *http.Request, now time.Time) {
	items, err := readImport(w, r)
	if err != nil {
		catalogError(w, http.StatusBadRequest, 1001, err.Error())
		return
	}
	if len(items) == 0 || len(items) > hbMaxItems {
		catalogError(w, http.StatusBadRequest, 1002, fmt.Sprintf("the file must hold 1 to %d products", hbMaxItems))
		return
	}
	type valid struct {
		p   hbProduct
		qty int
	}
	var checked []*hbImportItem
	var ok []valid
	seen := map[string]bool{}
	for _, raw := range items {
		failures, sku := h.validate(r.Context(), raw)
		if sku != "" && seen[sku] {
			failures = append(failures, HepsiburadaValidation{AttributeName: "merchantSku", Message: "merchantSku appears more than once in the file"})
		}
		seen[sku] = true
		var it struct {
			CategoryID json.Number    `json:"categoryId"`
			Attributes map[string]any `json:"attributes"`
		}
		dec := json.NewDecoder(strings.NewReader(string(raw)))
		dec.UseNumber()
		_ = dec.Decode(&it)
		text := func(k string) string { s, _ := attrText(it.Attributes[k]); return strings.TrimSpace(s) }
		item := &hbImportItem{merchantSKU: sku, barcode: text("Barcode"), failures: failures}
		checked = append(checked, item)
		if len(failures) == 0 {
			cat, _ := it.CategoryID.Int64()
			vat, _ := strconv.Atoi(text("tax_vat_rate"))
			price, _ := strconv.ParseFloat(strings.Replace(text("price"), ",", ".", 1), 64)
			qty, _ := strconv.Atoi(text("stock"))
			ok = append(ok, valid{qty: qty, p: hbProduct{MerchantSKU: sku, Barcode: item.barcode, Title: text("UrunAdi"),
				Brand: text("Marka"), CategoryID: cat, VATRate: vat, Price: price}})
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.settle(now)
	imp := &hbImport{id: h.newID(""), created: now, items: checked}
	h.imports[imp.id] = imp
	h.schedule(now, func(h *hepsiburada) {
		// A new merchantSku becomes a listed product with the file's price and stock;
		// importing a listed one updates its catalog content only, as price and stock
		// belong to the listing service afterwards. [I]
		for _, v := range ok {
			if p, exists := h.products[v.p.MerchantSKU]; exists {
				p.Barcode, p.Title, p.Brand, p.CategoryID, p.VATRate = v.p.Barcode, v.p.Title, v.p.Brand, v.p.CategoryID, v.p.VATRate
				continue
			}
			p := v.p
			h.seq++
			p.HBSKU = fmt.Sprintf("HBV%011d", h.seq)
			p.Stock = v.qty
			h.products[p.MerchantSKU] = &p
		}
		imp.completed = true
	})
	catalogOK(w, map[string]any{"trackingId": imp.id})
}

// importStatus answers a trackingId. Hepsiburada's exact status payload is not
// public; this one is an inference [I]: the catalog envelope around
// {trackingId, status PROCESSING|COMPLETED, createdAt, total, successCount,
// failureCount, items[{merchantSku, barcode, status PROCESSING|SUCCESS|FAILED,
// productStatus WAITING|CREATED|REJECTED, validationResults[{attributeName, message}]}]}.
func (h *hepsiburada) importStatus(w http.ResponseWriter, r *http.Request, now time.Time) {
	imp, ok := h.imports[r.PathValue("trackingId")]
	if !ok {
		catalogError(w, http.StatusNotFound, 1004, "trackingId not found")
		return
	}
	status, succeeded, failed := "PROCESSING", 0, 0
	items := make([]map[string]any, 0, len(imp.items))
	for _, it := range imp.items {
		row := map[string]any{"merchantSku": it.merchantSKU, "barcode": it.barcode, "status": "PROCESSING",
			"productStatus": "WAITING", "validationResults": []HepsiburadaValidation{}}
		if imp.completed {
			if len(it.failures) > 0 {
				row["status"], row["productStatus"], row["validationResults"] = "FAILED", "REJECTED", it.failures
				failed++
			} else {
				row["status"], row["productStatus"] = "SUCCESS", "CREATED"
				succeeded++
			}
		}
		items = append(items, row)
	}
	if imp.completed {
		status = "COMPLETED"
	}
	catalogOK(w, map[string]any{
		"trackingId": imp.id, "status": status, "createdAt": imp.created.UTC().Format(time.RFC3339),
		"total": len(imp.items), "successCount": succeeded, "failureCount": failed, "items": items,
	})
}

type hbElement struct {
	HepsiburadaSKU string   `json:"hepsiburadaSku"`
	MerchantSKU    string   `json:"merchantSku"`
	AvailableStock *float64 `json:"availableStock"`
	Price          *float64 `json:"price"`
}

// upload takes a stock or price upload: a JSON array of elements, applied after the
// processing delay; elements that cannot be applied are listed in the result's errors.
func (h *hepsiburada) upload(kind string) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		var elems []hbElement
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<20)).Decode(&elems); err != nil {
			h.omsError(w, http.StatusBadRequest, "body must be a JSON array of "+kind+" elements: "+err.Error())
			return
		}
		if len(elems) == 0 || len(elems) > hbMaxItems {
			h.omsError(w, http.StatusBadRequest, fmt.Sprintf("an upload takes 1 to %d elements", hbMaxItems))
			return
		}
		u := &hbUpload{id: h.newID(""), kind: kind, created: now, total: len(elems)}
		h.uploads[u.id] = u
		h.schedule(now, func(h *hepsiburada) {
			for i, e := range elems {
				if errs := h.apply(kind, e); len(errs) > 0 {
					u.errors = append(u.errors, hbElementError{ElementNo: i, HepsiburadaSKU: e.HepsiburadaSKU, MerchantSKU: e.MerchantSKU, Errors: errs})
				}
			}
			u.completed = true
		})
		writeJSON(w, http.StatusOK, map[string]any{"id": u.id})
	}
}

func (h *hepsiburada) apply(kind string, e hbElement) []string {
	var p *hbProduct
	switch {
	case e.MerchantSKU == "" && e.HepsiburadaSKU == "":
		return []string{"merchantSku or hepsiburadaSku is required"}
	case e.MerchantSKU != "":
		p = h.products[e.MerchantSKU]
		if p != nil && e.HepsiburadaSKU != "" && e.HepsiburadaSKU != p.HBSKU {
			return []string{"hepsiburadaSku does not belong to merchantSku"}
		}
	default:
		for _, q := range h.products {
			if q.HBSKU == e.HepsiburadaSKU {
				p = q
			}
		}
	}
	if p == nil {
		return []string{"listing not found"}
	}
	switch kind {
	case "stock":
		// A fulfilled-by-Hepsiburada listing takes the upload too: the merchant's number
		// overwrites Hepsiburada's warehouse count, the hazard open-source clients warn
		// about ("can overwrite Hepsiburada's stock figure and oversell"), so they leave
		// such listings out of stock pushes. Hepsiburada documents no refusal. [C-oss S-OSS3]
		if e.AvailableStock == nil || *e.AvailableStock < 0 || *e.AvailableStock != math.Trunc(*e.AvailableStock) {
			return []string{"availableStock must be a whole number of at least 0"}
		}
		p.Stock = int(*e.AvailableStock)
	case "price":
		if e.Price == nil || *e.Price <= 0 {
			return []string{"price must be greater than 0"}
		}
		p.Price = *e.Price
	}
	return nil
}

func (h *hepsiburada) uploadStatus(kind string) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		u, ok := h.uploads[r.PathValue("id")]
		if !ok || u.kind != kind {
			h.omsError(w, http.StatusNotFound, kind+" upload not found")
			return
		}
		status := "PROCESSING"
		switch {
		case !u.completed:
		case len(u.errors) == 0:
			status = "COMPLETED"
		case len(u.errors) == u.total:
			status = "FAILED"
		default:
			status = "COMPLETED_WITH_ERRORS"
		}
		out := map[string]any{"id": u.id, "status": status, "createdAt": u.created.UTC().Format(time.RFC3339),
			"total": u.total, "errors": append([]hbElementError{}, u.errors...)}
		if kind == "price" {
			out["priceValidations"] = []any{}
		}
		writeJSON(w, http.StatusOK, out)
	}
}
