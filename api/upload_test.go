package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

const validProduct = `{"sku":"MUG-01","name":"Stoneware mug","brand":"Acme","price":149.9,
	"list_price":199.9,"stock":12,"attributes":{"color":"blue"},"keywords":["mug","coffee"],
	"marketplaces":["amazon","trendyol"]}`

func keyOf(data []byte, ext string) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + ext
}

func TestUploadAccepted(t *testing.T) {
	e := newEnv(t)
	photos := [][]byte{jpegBytes(t, 40, 30), pngBytes(t, 20, 10), jpegBytes(t, 16, 24)}
	rec := e.do(uploadRequest(t,
		productPart(validProduct),
		photoPart("front.jpg", photos[0]),
		photoPart("side.png", photos[1]),
		// The name and claimed type lie; the bytes decide.
		part{name: "photos", filename: "back.png", contentType: "image/png", data: photos[2]},
	))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)

	var acc Accepted
	decodeJSON(t, rec.Body, &acc)
	assert.Equal(t, Accepted{ID: "p001", Revision: 1}, acc)
	assert.Equal(t, "/v1/products/p001", rec.Header().Get("Location"))

	wantPhotos := []messages.Photo{
		{Key: keyOf(photos[0], ".jpg"), ContentType: "image/jpeg", Width: 40, Height: 30, Bytes: int64(len(photos[0]))},
		{Key: keyOf(photos[1], ".png"), ContentType: "image/png", Width: 20, Height: 10, Bytes: int64(len(photos[1]))},
		{Key: keyOf(photos[2], ".jpg"), ContentType: "image/jpeg", Width: 16, Height: 24, Bytes: int64(len(photos[2]))},
	}
	wantProduct := messages.Product{
		SKU: "MUG-01", Name: "Stoneware mug", Brand: "Acme", Price: 149.9, ListPrice: 199.9,
		Currency: "TRY", Stock: 12, Attributes: map[string]string{"color": "blue"},
		Keywords: []string{"mug", "coffee"}, Marketplaces: []string{"amazon", "trendyol"},
	}
	hits, sent := e.pub.calls()
	require.Equal(t, 1, hits)
	assert.Equal(t, messages.ImageUploadV1{ProductID: "p001", Revision: 1, Product: wantProduct, Photos: wantPhotos}, sent[0])

	puts, held := e.blobs.counts()
	assert.Equal(t, 3, puts)
	assert.Equal(t, 3, held)
	for i, p := range wantPhotos {
		got, err := e.blobs.Get(t.Context(), p.Key)
		require.NoError(t, err, "photo %d", i)
		assert.Equal(t, photos[i], got, "photo %d", i)
	}
	stored, err := e.store.Product(t.Context(), "p001")
	require.NoError(t, err)
	assert.Equal(t, wantProduct, stored.Product)
	assert.Equal(t, wantPhotos, stored.Photos)

	// The same SKU again keeps its ID and gets the next revision.
	rec = e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", photos[0])))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	decodeJSON(t, rec.Body, &acc)
	assert.Equal(t, Accepted{ID: "p001", Revision: 2}, acc)
	hits, sent = e.pub.calls()
	require.Equal(t, 2, hits)
	assert.Equal(t, 2, sent[1].Revision)
	assert.Len(t, sent[1].Photos, 1)
}

// TestUploadEveryMarketplace: a product that names no marketplaces goes to all of them.
func TestUploadEveryMarketplace(t *testing.T) {
	e := newEnv(t)
	rec := e.do(uploadRequest(t, productPart(`{"sku":"TS-1","name":"Tişört","price":10,"stock":1}`), photoPart("a.jpg", jpegBytes(t, 8, 8))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	_, sent := e.pub.calls()
	require.Len(t, sent, 1)
	assert.Equal(t, messages.Marketplaces, sent[0].Product.Marketplaces)
}

func TestUploadWithoutKeysNeedsNoAuth(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.APIKeys = nil })
	req := uploadRequest(t, productPart(validProduct), photoPart("a.gif", gifBytes(t)))
	req.Header.Del("Authorization")
	rec := e.do(req)
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	_, sent := e.pub.calls()
	require.Len(t, sent, 1)
	assert.Equal(t, "image/gif", sent[0].Photos[0].ContentType)
	assert.True(t, strings.HasSuffix(sent[0].Photos[0].Key, ".gif"))
}

func TestUploadRejected(t *testing.T) {
	jpg := jpegBytes(t, 32, 32)
	png := pngBytes(t, 8, 8)
	product := func(mod string) part {
		// mod replaces the fields it names in the valid product.
		return productPart(`{"sku":"SKU-1","name":"Mug","price":10,"stock":1,"marketplaces":["amazon"]` + mod + `}`)
	}
	oversize := append(bytes.Clone(jpg), make([]byte, testMaxPhoto)...)
	nine := []part{product("")}
	for range 9 {
		nine = append(nine, photoPart("p.jpg", jpg))
	}

	type want struct {
		field, message string
	}
	tests := []struct {
		name   string
		req    func(t *testing.T) *http.Request
		status int
		errs   []want
	}{
		{
			name:   "no sku",
			req:    parts(productPart(`{"name":"Mug","price":10,"marketplaces":["amazon"]}`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"sku", "required"}},
		},
		{
			name:   "sku with a slash",
			req:    parts(productPart(`{"sku":"a/b","name":"Mug","price":10,"marketplaces":["amazon"]}`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"sku", "may contain only"}},
		},
		{
			name:   "unknown marketplace",
			req:    parts(product(`,"marketplaces":["amazon","ebay"]`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"marketplaces[1]", `unknown marketplace "ebay"`}},
		},
		{
			name:   "duplicate marketplace",
			req:    parts(product(`,"marketplaces":["trendyol","amazon","trendyol"]`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"marketplaces[2]", `duplicate marketplace "trendyol"`}},
		},
		{
			name:   "no marketplaces",
			req:    parts(product(`,"marketplaces":[]`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"marketplaces", "required"}},
		},
		{
			name:   "an empty list of marketplaces",
			req:    parts(productPart(`{"sku":"SKU-1","name":"Mug","price":10,"stock":1,"marketplaces":[]}`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"marketplaces", "leave the field out for all of them"}},
		},
		{
			name:   "0 photos",
			req:    parts(product("")),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos", "required: 1 to 8"}},
		},
		{
			name:   "9 photos",
			req:    parts(nine...),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos", "9 photos; at most 8"}},
		},
		{
			name:   "text file named .jpg",
			req:    parts(product(""), photoPart("a.jpg", jpg), photoPart("b.jpg", []byte("hello, I am not a photo\n"))),
			status: http.StatusUnsupportedMediaType,
			errs:   []want{{"photos[1]", "not an image (got text/plain)"}},
		},
		{
			name:   "bmp",
			req:    parts(product(""), photoPart("a.bmp", append([]byte("BM"), make([]byte, 64)...))),
			status: http.StatusUnsupportedMediaType,
			errs:   []want{{"photos[0]", "unsupported image type image/bmp"}},
		},
		{
			name:   "truncated jpeg header",
			req:    parts(product(""), photoPart("a.jpg", jpg[:20])),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos[0]", "corrupt jpeg"}},
		},
		{
			name:   "png header claiming 30000x30000",
			req:    parts(product(""), photoPart("a.png", png), photoPart("bomb.png", pngHeader(30000, 30000))),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos[1]", "30000x30000 is 900000000 pixels; at most 50000000"}},
		},
		{
			name:   "png of zero width",
			req:    parts(product(""), photoPart("a.png", pngHeader(0, 10))),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos[0]", "corrupt png"}},
		},
		{
			name:   "empty photo",
			req:    parts(product(""), photoPart("a.jpg", nil)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"photos[0]", "empty"}},
		},
		{
			name:   "malformed json",
			req:    parts(productPart(`{"sku":"A","name":`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"product", "malformed JSON"}},
		},
		{
			name:   "json array",
			req:    parts(productPart(`[1,2]`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"product", "want a JSON object"}},
		},
		{
			name:   "trailing json",
			req:    parts(product(`}{"x":1`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"product", "unexpected data after the JSON object"}},
		},
		{
			name:   "unknown json field",
			req:    parts(product(`,"colour":"red"`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"colour", "unknown field"}},
		},
		{
			name:   "price as a string",
			req:    parts(product(`,"price":"10"`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"price", "want a number, got JSON string"}},
		},
		{
			name:   "fractional stock",
			req:    parts(product(`,"stock":1.5`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"stock", "want a whole number, got JSON number 1.5"}},
		},
		{
			name:   "price out of range",
			req:    parts(product(`,"price":1e400`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"price", "number 1e400 is out of range"}},
		},
		{
			name:   "oversize photo",
			req:    parts(product(""), photoPart("a.jpg", jpg), photoPart("big.jpg", oversize)),
			status: http.StatusRequestEntityTooLarge,
			errs:   []want{{"photos[1]", fmt.Sprintf("larger than %d bytes", testMaxPhoto)}},
		},
		{
			name:   "list_price below price",
			req:    parts(product(`,"price":100,"list_price":90`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"list_price", "must be at least the price (100)"}},
		},
		{
			name:   "every rule broken at once",
			req:    parts(productPart(`{"sku":"","name":" ","price":0,"list_price":-1,"currency":"try","stock":-2,"keywords":[""],"marketplaces":["x"]}`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs: []want{
				{"sku", "required"}, {"name", "required"}, {"price", "greater than 0"},
				{"list_price", "must not be negative"}, {"currency", "3 upper-case letters"},
				{"stock", "must not be negative"}, {"keywords[0]", "empty"},
				{"marketplaces[0]", "unknown marketplace"},
			},
		},
		{
			name:   "control character in name",
			req:    parts(product(`,"name":"Mug\u0007"`), photoPart("a.jpg", jpg)),
			status: http.StatusUnprocessableEntity,
			errs:   []want{{"name", "control characters"}},
		},
		{
			name:   "NUL in name",
			req:    parts(product(`,"name":"Mug\u0000"`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"name", "must not contain NUL"}},
		},
		{
			name: "text that is not UTF-8 or holds a NUL, anywhere",
			req: parts(product(`,"brand":"Ac\ud800me","attributes":{"renk":"Lacivert`+"\xff"+`","be`+"\xfe"+`den":"M"},`+
				`"keywords":["ok","k\u0000"],"marketplaces":["amazon`+"\xc3"+`"]`), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs: []want{
				{"brand", "unpaired surrogate"}, {"attributes.renk", "not valid UTF-8"},
				{"attributes", "a member name is not valid UTF-8"}, {"keywords[1]", "must not contain NUL"},
				{"marketplaces[0]", "not valid UTF-8"},
			},
		},
		{
			name: "a photo that is not an image beside invalid fields: 422 listing them all",
			req: parts(productPart(`{"name":"Mug","price":10,"marketplaces":["amazon"]}`),
				photoPart("a.jpg", []byte("plain text")), photoPart("b.jpg", jpg[:20])),
			status: http.StatusUnprocessableEntity,
			errs: []want{
				{"sku", "required"}, {"photos[0]", "not an image (got text/plain)"}, {"photos[1]", "corrupt jpeg"},
			},
		},
		{
			name: "photos that are not images and nothing else wrong: 415 listing each",
			req: parts(product(""), photoPart("a.jpg", []byte("plain text")),
				photoPart("b.bmp", append([]byte("BM"), make([]byte, 64)...))),
			status: http.StatusUnsupportedMediaType,
			errs:   []want{{"photos[0]", "not an image (got text/plain)"}, {"photos[1]", "unsupported image type image/bmp"}},
		},
		{
			name:   "a photo that is not an image beside malformed JSON: 400 listing both",
			req:    parts(product(`,"price":"10"`), photoPart("a.jpg", []byte("plain text"))),
			status: http.StatusBadRequest,
			errs:   []want{{"price", "want a number"}, {"photos[0]", "not an image (got text/plain)"}},
		},
		{
			name:   "no product part",
			req:    parts(photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"product", "required"}},
		},
		{
			name:   "two product parts",
			req:    parts(product(""), product(""), photoPart("a.jpg", jpg)),
			status: http.StatusBadRequest,
			errs:   []want{{"product", "more than one product part"}},
		},
		{
			name:   "unknown part",
			req:    parts(product(""), photoPart("a.jpg", jpg), part{name: "photo", data: jpg}),
			status: http.StatusBadRequest,
			errs:   []want{{"photo", "unknown part"}},
		},
		{
			name: "not multipart",
			req: func(t *testing.T) *http.Request {
				req := httptest.NewRequest(http.MethodPost, "/v1/products", strings.NewReader(validProduct))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+testKey)
				return req
			},
			status: http.StatusUnsupportedMediaType,
			errs:   []want{{"request", "multipart/form-data"}},
		},
		{
			name: "broken multipart",
			req: func(t *testing.T) *http.Request {
				req := httptest.NewRequest(http.MethodPost, "/v1/products", strings.NewReader("--b\r\nnot a header\r\n"))
				req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
				req.Header.Set("Authorization", "Bearer "+testKey)
				return req
			},
			status: http.StatusBadRequest,
			errs:   []want{{"request", "malformed multipart body"}},
		},
		{
			name: "body larger than the limit, length declared",
			req: parts(product(""), photoPart("a.jpg", jpg),
				part{name: "photos", data: make([]byte, 8*testMaxPhoto+bodySlack)}),
			status: http.StatusRequestEntityTooLarge,
			errs:   []want{{"request", "larger than"}},
		},
		{
			name: "body larger than the limit, streamed",
			req: func(t *testing.T) *http.Request {
				req := parts(product(""), part{name: "product", data: make([]byte, 8*testMaxPhoto+bodySlack)})(t)
				req.Body = io.NopCloser(io.MultiReader(req.Body)) // hide the length
				req.ContentLength = -1
				return req
			},
			status: http.StatusRequestEntityTooLarge,
			errs:   []want{{"product", "more than one product part"}, {"request", "larger than"}},
		},
		{
			name: "missing auth",
			req: func(t *testing.T) *http.Request {
				req := parts(product(""), photoPart("a.jpg", jpg))(t)
				req.Header.Del("Authorization")
				return req
			},
			status: http.StatusUnauthorized,
		},
		{
			name: "wrong key",
			req: func(t *testing.T) *http.Request {
				req := parts(product(""), photoPart("a.jpg", jpg))(t)
				req.Header.Set("Authorization", "Bearer "+testKey+"x")
				return req
			},
			status: http.StatusUnauthorized,
		},
		{
			name: "basic auth",
			req: func(t *testing.T) *http.Request {
				req := parts(product(""), photoPart("a.jpg", jpg))(t)
				req.SetBasicAuth("user", testKey)
				return req
			},
			status: http.StatusUnauthorized,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			rec := e.do(tt.req(t))
			require.Equal(t, tt.status, rec.Code, "body: %s", rec.Body)
			p := decodeProblem(t, rec)
			assert.Equal(t, tt.status, p.Status)
			assert.NotEmpty(t, p.Type)
			assert.NotEmpty(t, p.Title)
			assert.NotEmpty(t, p.Detail)
			require.Len(t, p.Errors, len(tt.errs), "errors: %+v", p.Errors)
			for i, w := range tt.errs {
				assert.Equal(t, w.field, p.Errors[i].Field, "error %d", i)
				assert.Contains(t, p.Errors[i].Message, w.message, "error %d", i)
				assert.Contains(t, p.Detail, w.field+": "+p.Errors[i].Message, "detail lists error %d", i)
			}
			if tt.status == http.StatusUnauthorized {
				assert.True(t, strings.HasPrefix(rec.Header().Get("WWW-Authenticate"), "Bearer"), rec.Header().Get("WWW-Authenticate"))
			}

			// Nothing was stored or published.
			puts, held := e.blobs.counts()
			assert.Zero(t, puts, "blob puts")
			assert.Zero(t, held, "blobs held")
			assert.Zero(t, e.store.putCount(), "products stored")
			hits, _ := e.pub.calls()
			assert.Zero(t, hits, "publishes")
		})
	}
}

// parts returns a request builder for an authenticated upload of ps.
func parts(ps ...part) func(t *testing.T) *http.Request {
	return func(t *testing.T) *http.Request { return uploadRequest(t, ps...) }
}

func TestUploadPublishFails(t *testing.T) {
	e := newEnv(t)
	e.pub.err = errors.New("broker down")
	jpg := jpegBytes(t, 10, 10)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))

	require.Equal(t, http.StatusServiceUnavailable, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, "5", rec.Header().Get("Retry-After"))
	assert.Empty(t, rec.Header().Get("Location"))
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemUnavailable, p.Type)
	assert.Equal(t, http.StatusServiceUnavailable, p.Status)
	assert.NotContains(t, p.Detail, "broker down", "internal errors stay internal")
	hits, _ := e.pub.calls()
	assert.Equal(t, 1, hits)

	stored, err := e.store.Product(t.Context(), "p001")
	require.NoError(t, err)
	assert.Equal(t, store.StateFailed, stored.Stages[store.StageImages].State)
	assert.Equal(t, []string{"pipeline unavailable: broker down"}, stored.Stages[store.StageImages].Reasons)

	// The client sends it again once the pipeline is back: a new revision goes out.
	e.pub.err = nil
	rec = e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpg)))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	hits, sent := e.pub.calls()
	assert.Equal(t, 2, hits)
	require.Len(t, sent, 1)
	assert.Equal(t, 2, sent[0].Revision)
}

func TestUploadStoreFails(t *testing.T) {
	e := newEnv(t, func(c *Config) { c.Store = failingStore{c.Store} })
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 4, 4))))
	require.Equal(t, http.StatusInternalServerError, rec.Code, "body: %s", rec.Body)
	p := decodeProblem(t, rec)
	assert.Equal(t, ProblemInternal, p.Type)
	assert.NotContains(t, p.Detail, "disk full")
	hits, _ := e.pub.calls()
	assert.Zero(t, hits, "nothing published for a product not stored")
}

// failingStore fails every PutProduct.
type failingStore struct{ store.Store }

func (failingStore) PutProduct(_ context.Context, _ store.NewProduct) (string, int, error) {
	return "", 0, errors.New("disk full")
}
