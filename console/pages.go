package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// pageSize is the products listed on a page.
const pageSize = 25

// listPage is the products page's data.
type listPage struct {
	Query        store.Query
	Items        []store.Found
	Next         string // the next page's URL, "" on the last
	First        string // the first page's URL, "" on it
	Stages       []string
	Listings     []string
	Marketplaces []string
}

// products lists products by the filters in the query string.
func (c *console) products(w http.ResponseWriter, r *http.Request, v *view) {
	qs := r.URL.Query()
	q := store.Query{
		Text:        qs.Get("q"),
		Stage:       oneOf(qs.Get("stage"), store.StatePending, store.StateDone, store.StateFailed),
		Marketplace: oneOf(qs.Get("marketplace"), messages.Marketplaces...),
		Listing:     oneOf(qs.Get("listing"), listingStates...),
		Attention:   qs.Get("attention") == "1",
		Limit:       pageSize + 1, // one more tells whether a next page exists
		After:       qs.Get("after"),
	}
	items, err := c.cfg.Search(r.Context(), q)
	if errors.Is(err, store.ErrNotFound) { // a stale after: start again
		http.Redirect(w, r, "/console/products", http.StatusSeeOther)
		return
	}
	if err != nil {
		c.fail(w, r, v, "search products", err)
		return
	}
	p := listPage{Query: q, Items: items, Marketplaces: messages.Marketplaces, Listings: listingStates,
		Stages: []string{store.StatePending, store.StateDone, store.StateFailed}}
	if len(items) > pageSize {
		p.Items = items[:pageSize]
		qs.Set("after", items[pageSize-1].ID)
		p.Next = "/console/products?" + qs.Encode()
	}
	if q.After != "" {
		qs.Del("after")
		p.First = "/console/products?" + qs.Encode()
	}
	v.Data = p
	c.render(w, "products", v)
}

// listingStates are the states a listing can be in.
var listingStates = []string{store.ListingQueued, store.ListingSubmitted, store.ListingAccepted, store.ListingRejected, store.ListingNeedsInput}

// oneOf is s when it is one of allowed, else "".
func oneOf(s string, allowed ...string) string {
	if slices.Contains(allowed, s) {
		return s
	}
	return ""
}

// productPage is the product page's data.
type productPage struct {
	P        store.Product
	Photos   []photoRow
	Markets  []marketRow
	CanEdit  bool
	CanInput bool
	Resubmit bool
}

// photoRow is one uploaded photo and what each marketplace gets from it.
type photoRow struct {
	Index    int
	Before   string
	Analysis *messages.Analysis
	After    []variant
}

// variant is one marketplace's image of a photo with its compliance.
type variant struct {
	Marketplace string
	URL         string
	Compliance  *messages.PhotoCompliance
}

// marketRow is one marketplace's text and listing.
type marketRow struct {
	Name      string
	Text      *messages.ListingText
	Listing   *store.Listing
	Mapping   *taxonomy.Mapping
	Input     store.ListingInput
	Violation []string // why the seller's edited text was refused
	Draft     *messages.ListingText
}

// product shows one product.
func (c *console) product(w http.ResponseWriter, r *http.Request, v *view) {
	c.showProduct(w, r, v, "", nil, nil)
}

// showProduct renders the product page; a refused edit of marketplace's text shows
// the draft with its violations.
func (c *console) showProduct(w http.ResponseWriter, r *http.Request, v *view, market string, draft *messages.ListingText, violations []string) {
	id := r.PathValue("id")
	p, err := c.cfg.Product(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, v)
		return
	}
	if err != nil {
		c.fail(w, r, v, "read product", err)
		return
	}
	page := productPage{P: p, CanEdit: c.cfg.EditText != nil, CanInput: c.cfg.SetInput != nil, Resubmit: c.cfg.Resubmit != nil}
	page.Photos = photoRows(p)
	for _, m := range p.Product.Marketplaces {
		row := marketRow{Name: m}
		if t, ok := p.Texts[m]; ok {
			row.Text = &t
		}
		if l, ok := p.Listings[m]; ok {
			row.Listing = &l
			if len(l.Mapping) > 0 {
				var mp taxonomy.Mapping
				if json.Unmarshal(l.Mapping, &mp) == nil {
					row.Mapping = &mp
				}
			}
			if l.State == store.ListingNeedsInput && c.cfg.Input != nil {
				if row.Input, err = c.cfg.Input(r.Context(), id, m); err != nil {
					c.fail(w, r, v, "read listing input", err)
					return
				}
			}
		}
		if m == market {
			row.Draft, row.Violation = draft, violations
		}
		page.Markets = append(page.Markets, row)
	}
	v.Data = page
	if len(violations) > 0 {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	c.render(w, "product", v)
}

// photoRows pairs each uploaded photo with its marketplace variants and analysis.
func photoRows(p store.Product) []photoRow {
	rows := make([]photoRow, len(p.Photos))
	for i, ph := range p.Photos {
		rows[i] = photoRow{Index: i + 1, Before: "/images/" + ph.Key}
	}
	for i := range p.Analysis {
		if a := &p.Analysis[i]; a.Photo >= 0 && a.Photo < len(rows) {
			rows[a.Photo].Analysis = a
		}
	}
	for _, im := range p.Images {
		if im.Photo < 0 || im.Photo >= len(rows) || !messages.IsMarketplace(im.Variant) {
			continue
		}
		vr := variant{Marketplace: im.Variant, URL: "/images/" + im.Key}
		if a := rows[im.Photo].Analysis; a != nil {
			if pc, ok := a.Compliance[im.Variant]; ok {
				vr.Compliance = &pc
			}
		}
		rows[im.Photo].After = append(rows[im.Photo].After, vr)
	}
	return rows
}

// editText saves the seller's title and description for a marketplace, when the
// marketplace's rules allow them.
func (c *console) editText(w http.ResponseWriter, r *http.Request, v *view) {
	if c.cfg.EditText == nil {
		http.NotFound(w, r)
		return
	}
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	p, err := c.cfg.Product(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		c.notFound(w, v)
		return
	}
	if err != nil {
		c.fail(w, r, v, "read product", err)
		return
	}
	t := p.Texts[m]
	t.Title = strings.TrimSpace(r.PostFormValue("title"))
	t.Description = strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("description"), "\r\n", "\n"))
	violations, err := c.cfg.EditText(r.Context(), id, m, t)
	if err != nil {
		c.fail(w, r, v, "edit text", err)
		return
	}
	if len(violations) > 0 {
		v.Error = v.T("text.rejected")
		c.showProduct(w, r, v, m, &t, violations)
		return
	}
	if r.PostFormValue("resubmit") == "1" && c.cfg.Resubmit != nil {
		if err := c.cfg.Resubmit(r.Context(), id, m); err != nil {
			c.fail(w, r, v, "resubmit listing", err)
			return
		}
		c.back(w, r, id, m, "resubmit")
		return
	}
	c.back(w, r, id, m, "text")
}

// resubmit queues a listing again with the product's current text.
func (c *console) resubmit(w http.ResponseWriter, r *http.Request, v *view) {
	if c.cfg.Resubmit == nil {
		http.NotFound(w, r)
		return
	}
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	if err := c.cfg.Resubmit(r.Context(), id, m); err != nil {
		c.fail(w, r, v, "resubmit listing", err)
		return
	}
	c.back(w, r, id, m, "resubmit")
}

// supplyInput records what the seller supplied for a listing waiting for input: the
// form's category, brand and attr.<name> fields, as PUT .../input takes them.
func (c *console) supplyInput(w http.ResponseWriter, r *http.Request, v *view) {
	if c.cfg.SetInput == nil {
		http.NotFound(w, r)
		return
	}
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	in := store.ListingInput{
		Category: strings.TrimSpace(r.PostFormValue("category")),
		Brand:    strings.TrimSpace(r.PostFormValue("brand")),
	}
	for k, vals := range r.PostForm {
		name, ok := strings.CutPrefix(k, "attr.")
		if val := strings.TrimSpace(strings.Join(vals, "")); ok && name != "" && val != "" {
			if in.Attributes == nil {
				in.Attributes = map[string]string{}
			}
			in.Attributes[name] = val
		}
	}
	if in.Category == "" && in.Brand == "" && len(in.Attributes) == 0 {
		v.Error = v.T("input.empty")
		c.showProduct(w, r, v, "", nil, nil)
		return
	}
	if c.cfg.Input != nil { // keep what was supplied before for other fields
		old, err := c.cfg.Input(r.Context(), id, m)
		if err != nil {
			c.fail(w, r, v, "read listing input", err)
			return
		}
		in = merge(old, in)
	}
	if err := c.cfg.SetInput(r.Context(), id, m, in); err != nil {
		c.fail(w, r, v, "record listing input", err)
		return
	}
	c.back(w, r, id, m, "input")
}

// merge is old with what in sets.
func merge(old, in store.ListingInput) store.ListingInput {
	if in.Category == "" {
		in.Category = old.Category
	}
	if in.Brand == "" {
		in.Brand = old.Brand
	}
	for k, v := range old.Attributes {
		if _, ok := in.Attributes[k]; !ok {
			if in.Attributes == nil {
				in.Attributes = map[string]string{}
			}
			in.Attributes[k] = v
		}
	}
	return in
}

// back redirects to the product page after a POST, saying what was done.
func (c *console) back(w http.ResponseWriter, r *http.Request, id, market, done string) {
	http.Redirect(w, r, "/console/products/"+url.PathEscape(id)+"?done="+done+"#"+market, http.StatusSeeOther)
}

// notFound answers 404 for a product that does not exist.
func (c *console) notFound(w http.ResponseWriter, v *view) {
	v.Error = v.T("err.notfound")
	w.WriteHeader(http.StatusNotFound)
	c.render(w, "error", v)
}
