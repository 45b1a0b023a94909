package api

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Paging of GET /v1/products.
const (
	defaultLimit = 20
	maxLimit     = 100
)

// ProductResponse is the body of GET /v1/products/{id}: the catalog's product with a
// URL for each photo and image.
type ProductResponse struct {
	store.Product
	Photos []PhotoResponse `json:"photos"`
	Images []ImageResponse `json:"images"`
}

// PhotoResponse is an uploaded photo and where to fetch it.
type PhotoResponse struct {
	messages.Photo
	// URL is the image's path on this API: /images/{key}.
	URL string `json:"url"`
}

// ImageResponse is a generated image and where to fetch it.
type ImageResponse struct {
	messages.Image
	// URL is the image's path on this API: /images/{key}.
	URL string `json:"url"`
}

// ListResponse is the body of GET /v1/products: a page of products, newest first.
// Next is the after parameter of the next page, empty on the last page.
type ListResponse struct {
	Items []store.Found `json:"items"`
	Next  string        `json:"next"`
}

// imageURL is where GET /images serves key.
func imageURL(key string) string { return "/images/" + key }

// product answers one product by ID.
func (a *api) product(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	p, err := a.store.Product(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, newProblem(http.StatusNotFound, "no product "+id))
		return
	}
	if err != nil {
		a.fail(w, r, "read product", err)
		return
	}
	resp := ProductResponse{
		Product: p,
		Photos:  make([]PhotoResponse, len(p.Photos)),
		Images:  make([]ImageResponse, len(p.Images)),
	}
	for i, ph := range p.Photos {
		resp.Photos[i] = PhotoResponse{Photo: ph, URL: imageURL(ph.Key)}
	}
	for i, im := range p.Images {
		resp.Images[i] = ImageResponse{Image: im, URL: imageURL(im.Key)}
	}
	writeJSON(w, http.StatusOK, resp)
}

// products answers a page of the product list, newest first.
func (a *api) products(w http.ResponseWriter, r *http.Request) {
	var pr problems
	q := r.URL.Query()
	limit := defaultLimit
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			pr.add(http.StatusBadRequest, "limit", "want a whole number from 1 to %d; got %q", maxLimit, s)
		}
		limit = n
	}
	query := listQuery(&pr, q)
	if query != (store.Query{}) && a.search == nil {
		pr.add(http.StatusBadRequest, "query", "this server lists products without filters")
	}
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	// One more than the page tells whether a next page exists.
	query.Limit, query.After = limit+1, q.Get("after")
	items, err := a.list(r.Context(), query)
	if errors.Is(err, store.ErrNotFound) {
		pr.add(http.StatusBadRequest, "after", "no product %q", query.After)
		writeProblem(w, pr.problem())
		return
	}
	if err != nil {
		a.fail(w, r, "list products", err)
		return
	}
	resp := ListResponse{Items: items}
	if len(items) > limit {
		resp.Items = items[:limit]
		resp.Next = items[limit-1].ID
	}
	if resp.Items == nil {
		resp.Items = []store.Found{}
	}
	writeJSON(w, http.StatusOK, resp)
}

// list is a page of products: searched, with their listings' states, when the server
// can; else the plain list.
func (a *api) list(ctx context.Context, q store.Query) ([]store.Found, error) {
	if a.search != nil {
		return a.search(ctx, q)
	}
	sums, err := a.store.Products(ctx, q.Limit, q.After)
	found := make([]store.Found, len(sums))
	for i, s := range sums {
		found[i] = store.Found{Summary: s}
	}
	return found, err
}

// listQuery reads GET /v1/products's filters, each checked against what it may be.
func listQuery(pr *problems, q url.Values) store.Query {
	query := store.Query{Text: strings.TrimSpace(q.Get("q")), Stage: q.Get("stage"),
		Marketplace: q.Get("marketplace"), Listing: q.Get("listing")}
	oneOf := func(name, v string, allowed []string) {
		if v != "" && !slices.Contains(allowed, v) {
			pr.add(http.StatusBadRequest, name, "want one of %s; got %q", strings.Join(allowed, ", "), v)
		}
	}
	oneOf("stage", query.Stage, []string{store.StatePending, store.StateDone, store.StateFailed})
	oneOf("marketplace", query.Marketplace, messages.Marketplaces)
	oneOf("listing", query.Listing, []string{store.ListingNeedsInput, store.ListingQueued, store.ListingSubmitted,
		store.ListingAccepted, store.ListingRejected})
	switch v := q.Get("attention"); v {
	case "", "false":
	case "true":
		query.Attention = true
	default:
		pr.add(http.StatusBadRequest, "attention", "want true or false; got %q", v)
	}
	return query
}
