package api

import (
	"errors"
	"net/http"
	"strconv"

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
	Items []store.Summary `json:"items"`
	Next  string          `json:"next"`
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
	after := q.Get("after")
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	// One more than the page tells whether a next page exists.
	items, err := a.store.Products(r.Context(), limit+1, after)
	if errors.Is(err, store.ErrNotFound) {
		pr.add(http.StatusBadRequest, "after", "no product %q", after)
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
		resp.Items = []store.Summary{}
	}
	writeJSON(w, http.StatusOK, resp)
}
