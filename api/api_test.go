package api

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

func TestGetProduct(t *testing.T) {
	e := newEnv(t)
	jpg := jpegBytes(t, 12, 9)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	enhanced := messages.Image{Photo: 0, Variant: "amazon", Key: keyOf([]byte("enhanced"), ".jpg"), ContentType: "image/jpeg", Width: 1000, Height: 1000, Bytes: 8}
	require.NoError(t, e.store.PutImages(t.Context(), "p001", 1, []messages.Image{enhanced}, nil))
	require.NoError(t, e.store.SetStage(t.Context(), "p001", 1, store.StageImages, store.Stage{State: store.StateDone}))

	rec = e.get("/v1/products/p001")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
	var got ProductResponse
	decodeJSON(t, rec.Body, &got)
	assert.Equal(t, "p001", got.ID)
	assert.Equal(t, 1, got.Revision)
	assert.Equal(t, "MUG-01", got.Product.Product.SKU)
	assert.Equal(t, store.StateDone, got.Stages[store.StageImages].State)
	assert.Equal(t, store.StatePending, got.Stages[store.StageSEO].State)
	require.Len(t, got.Photos, 1)
	assert.Equal(t, keyOf(jpg, ".jpg"), got.Photos[0].Key)
	assert.Equal(t, "/images/"+keyOf(jpg, ".jpg"), got.Photos[0].URL)
	require.Len(t, got.Images, 1)
	assert.Equal(t, enhanced, got.Images[0].Image)
	assert.Equal(t, "/images/"+enhanced.Key, got.Images[0].URL)

	// The photo's URL serves the photo.
	img := e.do(httptest.NewRequest(http.MethodGet, got.Photos[0].URL, nil))
	require.Equal(t, http.StatusOK, img.Code)
	assert.Equal(t, jpg, img.Body.Bytes())

	rec = e.get("/v1/products/nope")
	require.Equal(t, http.StatusNotFound, rec.Code)
	p := decodeProblem(t, rec)
	assert.Equal(t, http.StatusNotFound, p.Status)
	assert.Contains(t, p.Detail, "nope")
}

// TestListProductsFiltered: with a Search, GET /v1/products passes its filters to it
// as asked and shows each product's listings; a filter with a value it cannot take is
// a 400 naming it, and a server without Search refuses filters rather than ignore them.
func TestListProductsFiltered(t *testing.T) {
	var got store.Query
	e := newEnv(t, func(c *Config) {
		c.Search = func(_ context.Context, q store.Query) ([]store.Found, error) {
			got = q
			return []store.Found{{Summary: store.Summary{ID: "id1", SKU: "SKU-1", Name: "Kupa", Revision: 1,
				Stages: map[string]store.Stage{}}, Listings: map[string]string{messages.Trendyol: store.ListingRejected}}}, nil
		}
	})
	rec := e.get("/v1/products?q=+kupa+&stage=failed&marketplace=trendyol&listing=rejected&attention=true&limit=5")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, store.Query{Text: "kupa", Stage: store.StateFailed, Marketplace: messages.Trendyol,
		Listing: store.ListingRejected, Attention: true, Limit: 6}, got)
	var page ListResponse
	decodeJSON(t, rec.Body, &page)
	require.Len(t, page.Items, 1)
	assert.Equal(t, map[string]string{messages.Trendyol: store.ListingRejected}, page.Items[0].Listings)

	for q, field := range map[string]string{"stage=broken": "stage", "marketplace=ebay": "marketplace",
		"listing=lost": "listing", "attention=yes": "attention"} {
		rec := e.get("/v1/products?" + q)
		require.Equal(t, http.StatusBadRequest, rec.Code, q)
		p := decodeProblem(t, rec)
		require.Len(t, p.Errors, 1, q)
		assert.Equal(t, field, p.Errors[0].Field, q)
	}
	plain := newEnv(t)
	rec = plain.get("/v1/products?attention=true")
	require.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Contains(t, decodeProblem(t, rec).Errors[0].Message, "without filters")
}

func TestListProducts(t *testing.T) {
	e := newEnv(t)
	for i := range 5 {
		_, _, err := e.store.PutProduct(t.Context(), store.NewProduct{
			ID:      fmt.Sprintf("id%d", i),
			Product: messages.Product{SKU: fmt.Sprintf("SKU-%d", i), Name: fmt.Sprintf("Product %d", i)},
		})
		require.NoError(t, err)
	}

	var pages [][]string
	target := "/v1/products?limit=2"
	for range 10 {
		rec := e.get(target)
		require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
		var page ListResponse
		decodeJSON(t, rec.Body, &page)
		var ids []string
		for _, s := range page.Items {
			ids = append(ids, s.ID)
		}
		pages = append(pages, ids)
		if page.Next == "" {
			break
		}
		assert.Equal(t, ids[len(ids)-1], page.Next)
		target = "/v1/products?limit=2&after=" + page.Next
	}
	assert.Equal(t, [][]string{{"id4", "id3"}, {"id2", "id1"}, {"id0"}}, pages, "newest first")

	// A page that ends exactly at the last product says there is no next page.
	rec := e.get("/v1/products?limit=5")
	var page ListResponse
	decodeJSON(t, rec.Body, &page)
	assert.Len(t, page.Items, 5)
	assert.Empty(t, page.Next)

	// The default page holds up to 20.
	rec = e.get("/v1/products")
	decodeJSON(t, rec.Body, &page)
	assert.Len(t, page.Items, 5)
	assert.Equal(t, "Product 4", page.Items[0].Name)

	for _, q := range []string{"limit=0", "limit=101", "limit=x", "limit=-1"} {
		rec := e.get("/v1/products?" + q)
		require.Equal(t, http.StatusBadRequest, rec.Code, q)
		p := decodeProblem(t, rec)
		require.Len(t, p.Errors, 1, q)
		assert.Equal(t, "limit", p.Errors[0].Field, q)
	}
	rec = e.get("/v1/products?after=ghost")
	require.Equal(t, http.StatusBadRequest, rec.Code)
	p := decodeProblem(t, rec)
	require.Len(t, p.Errors, 1)
	assert.Equal(t, "after", p.Errors[0].Field)
}

func TestListProductsEmpty(t *testing.T) {
	e := newEnv(t)
	rec := e.get("/v1/products")
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"items":[],"next":""}`, rec.Body.String())
}

func TestImages(t *testing.T) {
	e := newEnv(t)
	png := pngBytes(t, 30, 20)
	key, err := e.blobs.Put(t.Context(), png, ".png")
	require.NoError(t, err)
	webpKey, err := e.blobs.Put(t.Context(), []byte("RIFF\x00\x00\x00\x00WEBPVP8 "), ".webp")
	require.NoError(t, err)

	// Public: no Authorization header.
	rec := e.do(httptest.NewRequest(http.MethodGet, "/images/"+key, nil))
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, png, rec.Body.Bytes())
	assert.Equal(t, "image/png", rec.Header().Get("Content-Type"))
	assert.Equal(t, `"`+key+`"`, rec.Header().Get("ETag"))
	assert.Equal(t, "public, max-age=31536000, immutable", rec.Header().Get("Cache-Control"))
	assert.Equal(t, "bytes", rec.Header().Get("Accept-Ranges"))

	rec = e.do(httptest.NewRequest(http.MethodGet, "/images/"+webpKey, nil))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "image/webp", rec.Header().Get("Content-Type"))

	req := httptest.NewRequest(http.MethodGet, "/images/"+key, nil)
	req.Header.Set("If-None-Match", `"`+key+`"`)
	rec = e.do(req)
	assert.Equal(t, http.StatusNotModified, rec.Code)
	assert.Empty(t, rec.Body.Bytes())

	req = httptest.NewRequest(http.MethodGet, "/images/"+key, nil)
	req.Header.Set("If-None-Match", `"something-else"`)
	rec = e.do(req)
	assert.Equal(t, http.StatusOK, rec.Code)

	req = httptest.NewRequest(http.MethodGet, "/images/"+key, nil)
	req.Header.Set("Range", "bytes=0-7")
	rec = e.do(req)
	require.Equal(t, http.StatusPartialContent, rec.Code)
	assert.Equal(t, png[:8], rec.Body.Bytes())
	assert.Equal(t, fmt.Sprintf("bytes 0-7/%d", len(png)), rec.Header().Get("Content-Range"))

	rec = e.do(httptest.NewRequest(http.MethodHead, "/images/"+key, nil))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, fmt.Sprint(len(png)), rec.Header().Get("Content-Length"))

	missing := keyOf([]byte("never stored"), ".jpg")
	for _, k := range []string{missing, "not-a-key.jpg", strings.ToUpper(key), "%2e%2e%2fsecret"} {
		rec := e.do(httptest.NewRequest(http.MethodGet, "/images/"+k, nil))
		require.Equal(t, http.StatusNotFound, rec.Code, k)
		p := decodeProblem(t, rec)
		assert.Equal(t, http.StatusNotFound, p.Status, k)
		assert.NotEqual(t, imageCacheControl, rec.Header().Get("Cache-Control"), "a miss is not cached for a year")
	}
}

func TestRoutes(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, method, target, auth string
		status                     int
		allow                      string
	}{
		{"healthz is public", http.MethodGet, "/healthz", "", http.StatusOK, ""},
		{"unknown route", http.MethodGet, "/nope", "", http.StatusNotFound, ""},
		{"unknown route under v1 needs auth", http.MethodGet, "/v1/nope", "", http.StatusUnauthorized, ""},
		{"unknown route under v1", http.MethodGet, "/v1/nope", "Bearer " + testKey, http.StatusNotFound, ""},
		{"wrong method", http.MethodDelete, "/v1/products", "Bearer " + testKey, http.StatusMethodNotAllowed, "GET, HEAD, POST"},
		{"wrong method on images", http.MethodPost, "/images/x.jpg", "", http.StatusMethodNotAllowed, "GET, HEAD"},
		{"scheme is case-insensitive", http.MethodGet, "/v1/products", "bearer " + testKey, http.StatusOK, ""},
		{"every key is accepted", http.MethodGet, "/v1/products", "Bearer " + otherKey, http.StatusOK, ""},
		{"empty token", http.MethodGet, "/v1/products", "Bearer ", http.StatusUnauthorized, ""},
		{"prefix of a key", http.MethodGet, "/v1/products", "Bearer " + testKey[:5], http.StatusUnauthorized, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := e.do(req)
			require.Equal(t, tt.status, rec.Code, "body: %s", rec.Body)
			if tt.status >= 400 {
				p := decodeProblem(t, rec)
				assert.Equal(t, tt.status, p.Status)
				assert.NotEmpty(t, p.Detail)
			}
			if tt.allow != "" {
				assert.Equal(t, tt.allow, rec.Header().Get("Allow"))
			}
			if tt.status == http.StatusUnauthorized {
				assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"))
			}
		})
	}
}

func TestNewValidatesConfig(t *testing.T) {
	publish := func(context.Context, messages.ImageUploadV1) error { return nil }
	valid := func() Config {
		return Config{Store: newMemStore(), Blobs: newMemBlobs(), Publish: publish}
	}
	tests := []struct {
		name string
		mod  func(*Config)
		want string
	}{
		{"no store", func(c *Config) { c.Store = nil }, "store is nil"},
		{"no blobs", func(c *Config) { c.Blobs = nil }, "blob store is nil"},
		{"no publish", func(c *Config) { c.Publish = nil }, "publish is nil"},
		{"negative photo bytes", func(c *Config) { c.MaxPhotoBytes = -1 }, "max photo bytes -1"},
		{"negative pixels", func(c *Config) { c.MaxPixels = -1 }, "max pixels -1"},
		{"too many photos", func(c *Config) { c.MaxPhotos = messages.MaxPhotos + 1 }, "max photos 9"},
		{"empty key", func(c *Config) { c.APIKeys = []string{"good", ""} }, "api key 1"},
		{"key with a space", func(c *Config) { c.APIKeys = []string{"a b"} }, "api key 0"},
		{"absurd photo size", func(c *Config) { c.MaxPhotoBytes = 1 << 62 }, "too large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := valid()
			tt.mod(&cfg)
			h, err := New(cfg)
			require.Error(t, err)
			assert.Nil(t, h)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	h, err := New(valid())
	require.NoError(t, err)
	assert.NotNil(t, h)
}

func TestDefaultLimits(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.MaxPhotoBytes, c.NewID, c.Now = 0, nil, nil })
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.png", pngBytes(t, 3, 3))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	var acc Accepted
	decodeJSON(t, rec.Body, &acc)
	assert.Len(t, acc.ID, 26, "default IDs are ULIDs")

	a := e.h.(*api)
	assert.Equal(t, DefaultMaxPhotoBytes, a.maxPhoto)
	assert.Equal(t, DefaultMaxPixels, a.maxPixels)
	assert.Equal(t, messages.MaxPhotos, a.maxPhotos)
}

func TestULID(t *testing.T) {
	base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	seen := map[string]bool{}
	for i := range 200 {
		at := base.Add(time.Duration(i) * time.Millisecond)
		id := newULID(at)
		require.Len(t, id, 26)
		parsed, err := ulid.ParseStrict(id)
		require.NoError(t, err, "%s is a ULID in Crockford base32", id)
		assert.Equal(t, at, ulid.Time(parsed.Time()).UTC(), "%s carries its creation time", id)
		assert.False(t, seen[id], "duplicate %s", id)
		seen[id] = true
		ids = append(ids, id)
	}
	assert.True(t, slices.IsSorted(ids), "IDs sort by creation time")
	// The time part is the known ULID encoding of the millisecond timestamp.
	// (oklog/ulid's README: time.Unix(1000000, 0) gives 0000XSNJG0…)
	assert.Equal(t, "0000XSNJG0", newULID(time.Unix(1000000, 0))[:10])
}

func TestProblemBodyIsReadableByClients(t *testing.T) {
	e := newEnv(t)
	rec := e.do(uploadRequest(t, productPart(`{"name":"x","price":1,"marketplaces":["amazon"]}`), photoPart("a.jpg", []byte("nope"))))
	body, err := io.ReadAll(rec.Body)
	require.NoError(t, err)
	for _, member := range []string{`"type"`, `"title"`, `"status"`, `"detail"`, `"errors"`, `"field"`, `"message"`} {
		assert.Contains(t, string(body), member)
	}
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
}
