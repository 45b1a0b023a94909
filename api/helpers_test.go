package api

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/openapitest"
)

const (
	testKey      = "test-key-0123456789"
	otherKey     = "other-key"
	testMaxPhoto = 64 << 10
)

// env is an API over in-memory fakes.
type env struct {
	t     testing.TB
	h     http.Handler
	store *memStore
	blobs *memBlobs
	pub   *publisher
	ids   int
}

// newEnv builds the API with keys, a 64 KiB photo limit and sequential IDs; mod
// changes the config before New.
func newEnv(t *testing.T, mod ...func(*Config)) *env {
	t.Helper()
	e := &env{t: t, store: newMemStore(), blobs: newMemBlobs(), pub: &publisher{}}
	cfg := Config{
		Store:         e.store,
		Blobs:         e.blobs,
		Publish:       e.pub.Publish,
		APIKeys:       []string{otherKey, testKey},
		MaxPhotoBytes: testMaxPhoto,
		NewID: func() string {
			e.ids++
			return fmt.Sprintf("p%03d", e.ids)
		},
		Logger: slog.New(slog.DiscardHandler),
	}
	for _, m := range mod {
		m(&cfg)
	}
	h, err := New(cfg)
	require.NoError(t, err)
	e.h = h
	return e
}

// do serves req and returns the recorded answer, failing the test when the exchange
// does not match api/openapi.json.
func (e *env) do(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	openapitest.Handler(e.t, apiDoc(e.t), e.h).ServeHTTP(rec, req)
	return rec
}

// get serves an authenticated GET.
func (e *env) get(target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	return e.do(req)
}

// part is one multipart part of an upload.
type part struct {
	name        string
	filename    string
	contentType string
	data        []byte
}

// productPart is the product part holding js.
func productPart(js string) part {
	return part{name: "product", contentType: "application/json", data: []byte(js)}
}

// photoPart is a photos part with a file name and a claimed type.
func photoPart(filename string, data []byte) part {
	ct := "image/jpeg"
	if strings.HasSuffix(filename, ".png") {
		ct = "image/png"
	}
	return part{name: "photos", filename: filename, contentType: ct, data: data}
}

// multipartBody encodes parts and returns the body and its Content-Type.
func multipartBody(t testing.TB, parts ...part) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		require.NoError(t, err)
		_, err = w.Write(p.data)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

// uploadRequest is an authenticated POST /v1/products of parts.
func uploadRequest(t testing.TB, parts ...part) *http.Request {
	t.Helper()
	body, ct := multipartBody(t, parts...)
	req := httptest.NewRequest(http.MethodPost, "/v1/products", body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Authorization", "Bearer "+testKey)
	return req
}

// testImage is a w×h image with a gradient, so encoders have something to encode.
func testImage(w, h int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(x * 255 / w), G: uint8(y * 255 / h), B: 128, A: 255})
		}
	}
	return img
}

func jpegBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, testImage(w, h), &jpeg.Options{Quality: 80}))
	return buf.Bytes()
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, testImage(w, h)))
	return buf.Bytes()
}

func gifBytes(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, gif.Encode(&buf, testImage(12, 7), nil))
	return buf.Bytes()
}

// pngHeader is a PNG of only a signature, a well-formed IHDR claiming w×h RGB pixels
// and IEND: a few dozen bytes that promise a huge image.
func pngHeader(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	chunk := func(typ string, data []byte) {
		_ = binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		crc := crc32.NewIEEE()
		buf.WriteString(typ)
		crc.Write([]byte(typ))
		buf.Write(data)
		crc.Write(data)
		_ = binary.Write(&buf, binary.BigEndian, crc.Sum32())
	}
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit truecolour
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return buf.Bytes()
}

// decodeProblem reads a problem+json answer.
func decodeProblem(t testing.TB, rec *httptest.ResponseRecorder) Problem {
	t.Helper()
	require.Equal(t, "application/problem+json", rec.Header().Get("Content-Type"), "body: %s", rec.Body)
	var p Problem
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &p))
	return p
}

// decodeJSON reads a JSON answer into v.
func decodeJSON(t testing.TB, r io.Reader, v any) {
	t.Helper()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(v))
}
