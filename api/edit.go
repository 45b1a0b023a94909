package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/seo"
	"github.com/stox-dev/stox/store"
)

// WriterSeller is the Compliance.Writer of a text the seller wrote (PUT .../texts).
const WriterSeller = "seller"

// ErrNotListed is returned for a marketplace the product does not go to.
var ErrNotListed = errors.New("the product is not listed on this marketplace")

// ErrTextFails is returned by Resubmit when the current text breaks its marketplace's
// rules: it would be refused again.
var ErrTextFails = errors.New("the text breaks the marketplace's rules; edit it first")

// TextRequest is the body of PUT /v1/products/{id}/texts/{marketplace}: the seller's
// title and description, and bullets and keywords when given (left out: kept).
type TextRequest struct {
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Bullets     []string `json:"bullets,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
}

// RequeueFunc queues a listing again with its stored payload as edit rewrites it
// (store.Outbox.RequeueListing).
type RequeueFunc func(ctx context.Context, id, marketplace string, edit func(json.RawMessage) (json.RawMessage, error)) error

// RelistFunc sends product p's current revision to marketplace's service again as a
// pipeline listing (messages.ListingV1) with only that marketplace's text and images:
// for a listing its service never queued, such as one whose text the seo stage
// refused. The service queues it as it queues any listing.
type RelistFunc func(ctx context.Context, p store.Product, marketplace string) error

// EditText replaces the text of a product's current revision on marketplace with t,
// in the language of the text it replaces, when it meets the marketplace's rules (the
// ones the seo stage writes to, the brand allowed as the seller spells it); otherwise
// it returns the violations and stores nothing. The stored text is marked as the
// seller's. It does not resubmit the listing (Resubmit does), and a new revision of
// the product writes its texts anew. ErrNotFound and ErrNotListed as they apply.
func EditText(ctx context.Context, s store.Store, id, marketplace string, t messages.ListingText) ([]string, error) {
	p, err := s.Product(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(p.Product.Marketplaces, marketplace) {
		return nil, fmt.Errorf("%s on %s: %w", id, marketplace, ErrNotListed)
	}
	rules, ok := seo.RulesFor(marketplace)
	if !ok {
		return nil, fmt.Errorf("%s on %s: %w", id, marketplace, ErrNotListed)
	}
	old, had := p.Texts[marketplace]
	if had {
		t.Language = old.Language
		if t.Bullets == nil {
			t.Bullets = old.Bullets
		}
		if t.Keywords == nil {
			t.Keywords = old.Keywords
		}
	}
	rules = rules.In(t.Language)
	t.Language = rules.Language
	t.Compliance = nil
	if v := seo.CheckBrand(t, rules, p.Product.Brand); len(v) > 0 {
		return v, nil
	}
	t.Compliance = &messages.Compliance{Status: messages.CompliancePass, Writer: WriterSeller}
	texts := make(map[string]messages.ListingText, len(p.Texts)+1)
	for m, x := range p.Texts {
		texts[m] = x
	}
	texts[marketplace] = t
	return nil, s.PutTexts(ctx, id, p.Revision, texts)
}

// Resubmit queues a product's listing on marketplace again with the current text of
// that marketplace, on the same revision: requeue rewrites the payload the service
// queued; a listing never queued (its text was refused before it reached the service)
// is sent to the service anew through relist, when set. ErrNotFound, ErrNotListed
// (also for a marketplace without text), ErrTextFails and store.ErrNotQueued as they
// apply.
func Resubmit(ctx context.Context, s store.Store, requeue RequeueFunc, relist RelistFunc, id, marketplace string) error {
	p, err := s.Product(ctx, id)
	if err != nil {
		return err
	}
	t, ok := p.Texts[marketplace]
	if !ok || !slices.Contains(p.Product.Marketplaces, marketplace) {
		return fmt.Errorf("%s on %s: %w", id, marketplace, ErrNotListed)
	}
	if t.Compliance != nil && t.Compliance.Status == messages.ComplianceFail {
		return fmt.Errorf("%s on %s: %w", id, marketplace, ErrTextFails)
	}
	text, err := json.Marshal(t)
	if err != nil {
		return err
	}
	// Only the payload's Text changes: every other field stays as the marketplace
	// service encoded it.
	err = requeue(ctx, id, marketplace, func(payload json.RawMessage) (json.RawMessage, error) {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(payload, &fields); err != nil {
			return nil, fmt.Errorf("stored payload: %w", err)
		}
		fields["Text"] = text
		return json.Marshal(fields)
	})
	if errors.Is(err, store.ErrNotQueued) && relist != nil {
		return relist(ctx, p, marketplace)
	}
	return err
}

// putText edits a product's text on a marketplace: 200 with the stored text, 422
// with each rule the text breaks.
func (a *api) putText(w http.ResponseWriter, r *http.Request) {
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	if !marketplaceParam(w, m) {
		return
	}
	var in TextRequest
	var pr problems
	readJSON(r, &in, &pr)
	if pr.ok() {
		if strings.TrimSpace(in.Title) == "" {
			pr.add(http.StatusUnprocessableEntity, "title", "required")
		}
		if strings.TrimSpace(in.Description) == "" {
			pr.add(http.StatusUnprocessableEntity, "description", "required")
		}
	}
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	t := messages.ListingText{Title: strings.TrimSpace(in.Title), Description: strings.TrimSpace(in.Description), Bullets: in.Bullets, Keywords: in.Keywords}
	violations, err := EditText(r.Context(), a.store, id, m, t)
	if a.editFailed(w, r, id, m, err) {
		return
	}
	if len(violations) > 0 {
		errs := make([]FieldError, len(violations))
		for i, v := range violations {
			errs[i] = FieldError{Field: "text", Message: v}
		}
		writeProblem(w, newProblem(http.StatusUnprocessableEntity, fmt.Sprintf("the text breaks %s's rules", m), errs...))
		return
	}
	p, err := a.store.Product(r.Context(), id)
	if err != nil {
		a.fail(w, r, "read product", err)
		return
	}
	writeJSON(w, http.StatusOK, p.Texts[m])
}

// resubmit queues a listing again with the current text: 202 {"state": "queued"}.
func (a *api) resubmit(w http.ResponseWriter, r *http.Request) {
	id, m := r.PathValue("id"), r.PathValue("marketplace")
	if !marketplaceParam(w, m) {
		return
	}
	if a.requeue == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented, "this server cannot queue listings"))
		return
	}
	err := Resubmit(r.Context(), a.store, a.requeue, a.relist, id, m)
	if a.editFailed(w, r, id, m, err) {
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]string{"state": store.ListingQueued})
}

// editFailed answers err of EditText or Resubmit, reporting whether there was one.
func (a *api) editFailed(w http.ResponseWriter, r *http.Request, id, m string, err error) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeProblem(w, newProblem(http.StatusNotFound, "no product "+id))
	case errors.Is(err, ErrNotListed):
		writeProblem(w, newProblem(http.StatusConflict, fmt.Sprintf("product %s has no text on %s to list", id, m)))
	case errors.Is(err, ErrTextFails), errors.Is(err, store.ErrNotQueued):
		writeProblem(w, newProblem(http.StatusConflict, fmt.Sprintf("product %s on %s: %s", id, m, errors.Unwrap(err))))
	default:
		a.fail(w, r, "edit listing", err)
	}
	return true
}
