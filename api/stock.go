package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Limits of PUT /v1/products/{sku}/stock.
const (
	// MaxQuantity is the most stock a SKU may be set to by hand.
	MaxQuantity = 1_000_000
	// maxStockBody bounds the request body; {"quantity": 1000000} needs 22 bytes.
	maxStockBody = 4 << 10
)

// StockRequest is the body of PUT /v1/products/{sku}/stock: the SKU's new absolute
// stock, a whole number (no fraction, no exponent) from 0 to MaxQuantity. It answers
// 200 with the stock that was set and broadcast, a messages.StockV1:
// {"sku", "quantity", "version"}.
type StockRequest struct {
	Quantity int `json:"quantity"`
}

// putStock sets a known SKU's stock by hand. The body and the SKU are checked first
// (400, or 413/415 for the transport), then the SKU must be known (404), then the
// stock is set and broadcast through Config.SetStock (503 when that fails).
//
// The catalog has no lookup by SKU, so "known" means known to the stock ledger: every
// product accepted since uploads record their initial stock (Config.InitStock) is.
func (a *api) putStock(w http.ResponseWriter, r *http.Request) {
	if a.setStock == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented,
			"setting stock by hand is not enabled on this server: it is not connected to a stock ledger"))
		return
	}
	sku := r.PathValue("sku")
	var pr problems
	if msg := skuProblem(sku); msg != "" {
		pr.add(http.StatusBadRequest, "sku", "%s", msg)
	}
	quantity := readQuantity(r, &pr)
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}

	if a.stock != nil {
		_, _, err := a.stock(r.Context(), sku)
		if errors.Is(err, store.ErrNotFound) {
			unknownSKU(w, sku)
			return
		}
		if err != nil {
			a.fail(w, r, "read stock", err)
			return
		}
	}
	// Once checked, the change is committed whole: a client that hangs up now does not
	// leave the ledger changed but the change not broadcast.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), commitTimeout)
	defer cancel()
	st, err := a.setStock(ctx, sku, quantity)
	if errors.Is(err, store.ErrNotFound) {
		unknownSKU(w, sku)
		return
	}
	if store.Unavailable(err) {
		a.fail(w, r, "set stock", err)
		return
	}
	if err != nil {
		a.log.WarnContext(r.Context(), "set stock", slog.String("sku", sku), slog.Int("quantity", quantity), slog.Any("error", err))
		w.Header().Set("Retry-After", retryAfter)
		writeProblem(w, newProblem(http.StatusServiceUnavailable, fmt.Sprintf(
			"the stock of %s may not have been set or broadcast to the marketplaces; send it again after %s seconds", sku, retryAfter)))
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// getStock answers a SKU's stock in the ledger as a messages.StockV1 {"sku",
// "quantity", "version"}: what the marketplaces are being brought to show, which a
// seller (or stox demo) compares with what each of them shows.
func (a *api) getStock(w http.ResponseWriter, r *http.Request) {
	if a.stock == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented,
			"reading stock is not enabled on this server: it is not connected to a stock ledger"))
		return
	}
	sku := r.PathValue("sku")
	if msg := skuProblem(sku); msg != "" {
		var pr problems
		pr.add(http.StatusBadRequest, "sku", "%s", msg)
		writeProblem(w, pr.problem())
		return
	}
	q, version, err := a.stock(r.Context(), sku)
	if errors.Is(err, store.ErrNotFound) {
		unknownSKU(w, sku)
		return
	}
	if err != nil {
		a.fail(w, r, "read stock", err)
		return
	}
	writeJSON(w, http.StatusOK, messages.StockV1{SKU: sku, Quantity: q, Version: version})
}

// unknownSKU answers 404 for a SKU the ledger does not know.
func unknownSKU(w http.ResponseWriter, sku string) {
	writeProblem(w, newProblem(http.StatusNotFound,
		fmt.Sprintf("no product with SKU %s: upload the product (POST /v1/products) before setting its stock", sku)))
}

// readQuantity reads the body of PUT .../stock and returns its quantity, recording
// every problem in pr.
func readQuantity(r *http.Request, pr *problems) int {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			pr.add(http.StatusUnsupportedMediaType, "request", `want Content-Type application/json; got %q`, ct)
			return 0
		}
	}
	data, tooLarge, err := readLimited(r.Body, maxStockBody)
	switch {
	case err != nil:
		bodyProblem(pr, "request", "unreadable body", err)
		return 0
	case tooLarge:
		pr.add(http.StatusRequestEntityTooLarge, "request", "larger than %d bytes", maxStockBody)
		return 0
	}
	return parseQuantity(data, pr)
}

// parseQuantity decodes a stock body and checks its quantity, recording each problem in
// pr as a 400.
func parseQuantity(data []byte, pr *problems) int {
	bad := func(field, format string, args ...any) int {
		pr.add(http.StatusBadRequest, field, format, args...)
		return 0
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return bad("request", `want a JSON object like {"quantity": 10}`)
	}
	var body struct {
		Quantity json.RawMessage `json:"quantity"`
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		field, msg := jsonProblem(err)
		if field == "product" { // jsonProblem's name for the whole document
			field = "request"
		}
		return bad(field, "%s", msg)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bad("request", "unexpected data after the JSON object")
	}
	raw := string(body.Quantity)
	wantWhole := "want a whole number from 0 to %d; got %s"
	switch {
	case raw == "" || raw == "null":
		return bad("quantity", "required: a whole number from 0 to %d", MaxQuantity)
	case raw[0] == '"':
		return bad("quantity", wantWhole, MaxQuantity, "a JSON string")
	case raw == "true" || raw == "false":
		return bad("quantity", wantWhole, MaxQuantity, "a JSON boolean")
	case raw[0] == '{':
		return bad("quantity", wantWhole, MaxQuantity, "a JSON object")
	case raw[0] == '[':
		return bad("quantity", wantWhole, MaxQuantity, "a JSON array")
	case strings.ContainsAny(raw, ".eE"):
		// Like the upload's stock field: 5.0 and 5e0 are not whole-number literals.
		return bad("quantity", wantWhole, MaxQuantity, raw)
	}
	// What is left is a JSON integer literal, perhaps beyond int64.
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 || n > MaxQuantity {
		return bad("quantity", "must be from 0 to %d; got %s", MaxQuantity, raw)
	}
	return int(n)
}
