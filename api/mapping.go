package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// maxMappingBody bounds the bodies of the mapping routes.
const maxMappingBody = 64 << 10

// InputRequest is the body of PUT /v1/products/{id}/listings/{marketplace}/input:
// what the seller supplies for a listing waiting in needs_input. Attributes are keyed
// by the marketplace attribute's name or ID, as the listing's mapping names them
// under "missing"; Category is a leaf category ID and Brand a brand ID of that
// marketplace. It replaces what was supplied before; the marketplace service maps the
// listing again within its poll interval and sends it once nothing is missing.
type InputRequest struct {
	Category   string            `json:"category,omitempty"`
	Brand      string            `json:"brand,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// taxonomyStore is the taxonomy, or a 501 when the server has none.
func (a *api) taxonomyStore(w http.ResponseWriter) (store.Taxonomy, bool) {
	if a.taxonomy == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented, "this server keeps no marketplace taxonomy"))
		return nil, false
	}
	return a.taxonomy, true
}

// marketplaceParam checks a marketplace named in the path.
func marketplaceParam(w http.ResponseWriter, name string) bool {
	if messages.IsMarketplace(name) {
		return true
	}
	writeProblem(w, newProblem(http.StatusNotFound,
		fmt.Sprintf("no marketplace %q: one of %s", name, strings.Join(messages.Marketplaces, ", "))))
	return false
}

// readJSON decodes a JSON body into v, refusing unknown fields and trailing data,
// recording each problem in pr.
func readJSON(r *http.Request, v any, pr *problems) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			pr.add(http.StatusUnsupportedMediaType, "request", `want Content-Type application/json; got %q`, ct)
			return
		}
	}
	data, tooLarge, err := readLimited(r.Body, maxMappingBody)
	switch {
	case err != nil:
		bodyProblem(pr, "request", "unreadable body", err)
		return
	case tooLarge:
		pr.add(http.StatusRequestEntityTooLarge, "request", "larger than %d bytes", maxMappingBody)
		return
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		field, msg := jsonProblem(err)
		if field == "product" {
			field = "request"
		}
		pr.add(http.StatusBadRequest, field, "%s", msg)
		return
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		pr.add(http.StatusBadRequest, "request", "unexpected data after the JSON object")
		return
	}
	checkJSONText(data, "request", pr)
}

// putInput records what the seller supplies for a product's listing on a marketplace.
func (a *api) putInput(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok || !marketplaceParam(w, r.PathValue("marketplace")) {
		return
	}
	var in InputRequest
	var pr problems
	readJSON(r, &in, &pr)
	if pr.ok() {
		if in.Category == "" && in.Brand == "" && len(in.Attributes) == 0 {
			pr.add(http.StatusUnprocessableEntity, "request", "supply a category, a brand or attributes")
		}
		for k, v := range in.Attributes {
			if strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
				pr.add(http.StatusUnprocessableEntity, "attributes."+k, "an attribute needs a name and a value")
			}
		}
	}
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	err := t.SetListingInput(r.Context(), id, m, store.ListingInput{Category: in.Category, Brand: in.Brand, Attributes: in.Attributes})
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, newProblem(http.StatusNotFound, fmt.Sprintf("no product %s", id)))
		return
	}
	if err != nil {
		a.fail(w, r, "record listing input", err)
		return
	}
	saved, err := t.ListingInput(r.Context(), id, m)
	if err != nil {
		a.fail(w, r, "read listing input", err)
		return
	}
	writeJSON(w, http.StatusOK, saved)
}

// pins lists the seller's pinned mappings, of one marketplace with ?marketplace=.
func (a *api) pins(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok {
		return
	}
	m := r.URL.Query().Get("marketplace")
	if m != "" && !messages.IsMarketplace(m) {
		writeProblem(w, newProblem(http.StatusBadRequest, fmt.Sprintf("no marketplace %q", m),
			FieldError{Field: "marketplace", Message: "one of " + strings.Join(messages.Marketplaces, ", ")}))
		return
	}
	ps, err := t.Pins(r.Context(), m)
	if err != nil {
		a.fail(w, r, "list pins", err)
		return
	}
	if ps == nil {
		ps = []store.Pin{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"pins": ps})
}

// putPin pins a mapping: {"marketplace", "kind", "attribute", "from", "to"}; 422 for
// one the store refuses (a category pin must name a leaf of the stored taxonomy).
func (a *api) putPin(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok {
		return
	}
	var p store.Pin
	var pr problems
	readJSON(r, &p, &pr)
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	err := t.Pin(r.Context(), p)
	if errors.Is(err, store.ErrBadPin) {
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, err.Error()))
		return
	}
	if err != nil {
		a.fail(w, r, "pin mapping", err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// deletePin removes a pin named by the query: marketplace, kind, attribute, from.
func (a *api) deletePin(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := store.Pin{Marketplace: q.Get("marketplace"), Kind: q.Get("kind"), Attribute: q.Get("attribute"), From: q.Get("from")}
	err := t.Unpin(r.Context(), p)
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, newProblem(http.StatusNotFound, fmt.Sprintf("no %s pin of %q on %s", p.Kind, p.From, p.Marketplace)))
		return
	}
	if store.Unavailable(err) {
		a.fail(w, r, "unpin mapping", err)
		return
	}
	if err != nil { // the store checks the pin's fields
		writeProblem(w, newProblem(http.StatusBadRequest, err.Error()))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// categories searches a marketplace's stored leaf categories: ?q= words of the name
// or path (Turkish letters optional), at most ?limit= (default 20) results, each with
// its ID and path, for a seller choosing a category to pin.
func (a *api) categories(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok || !marketplaceParam(w, r.PathValue("marketplace")) {
		return
	}
	limit := 20
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeProblem(w, newProblem(http.StatusBadRequest, "bad limit", FieldError{Field: "limit", Message: "a whole number from 1 to 500"}))
			return
		}
		limit = n
	}
	cats, err := t.Categories(r.Context(), r.PathValue("marketplace"))
	if err != nil {
		a.fail(w, r, "read categories", err)
		return
	}
	out := taxonomy.Search(cats, r.URL.Query().Get("q"), limit)
	writeJSON(w, http.StatusOK, map[string]any{"categories": out})
}

// category is one stored category's definition: its attributes, which are required,
// and their allowed values.
func (a *api) category(w http.ResponseWriter, r *http.Request) {
	t, ok := a.taxonomyStore(w)
	if !ok || !marketplaceParam(w, r.PathValue("marketplace")) {
		return
	}
	d, err := t.Definition(r.Context(), r.PathValue("marketplace"), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, newProblem(http.StatusNotFound,
			fmt.Sprintf("no leaf category %s on %s (search: GET /v1/taxonomy/%s/categories?q=…)", r.PathValue("id"), r.PathValue("marketplace"), r.PathValue("marketplace"))))
		return
	}
	if err != nil {
		a.fail(w, r, "read category", err)
		return
	}
	d.Schema = nil // large, and the attributes say what it requires
	writeJSON(w, http.StatusOK, d)
}
