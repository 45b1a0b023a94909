package api

import (
	"bytes"
	"errors"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"path"
	"strings"
	"time"

	"golang.org/x/image/webp"

	"github.com/stox-dev/stox/blob"
)

// format is an image format the API accepts.
type format struct {
	name        string
	contentType string
	ext         string
	magic       func([]byte) bool
	config      func(io.Reader) (image.Config, error)
}

// formats are the accepted photo formats, recognized by their magic numbers.
var formats = []format{
	{"jpeg", "image/jpeg", ".jpg", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF})
	}, jpeg.DecodeConfig},
	{"png", "image/png", ".png", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n"))
	}, png.DecodeConfig},
	{"gif", "image/gif", ".gif", func(b []byte) bool {
		return bytes.HasPrefix(b, []byte("GIF87a")) || bytes.HasPrefix(b, []byte("GIF89a"))
	}, gif.DecodeConfig},
	{"webp", "image/webp", ".webp", func(b []byte) bool {
		return len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WEBP"
	}, webp.DecodeConfig},
}

// sniff returns the format of data judged by its bytes alone, or nil and the media
// type net/http guesses for it.
func sniff(data []byte) (*format, string) {
	for i := range formats {
		if formats[i].magic(data) {
			return &formats[i], formats[i].contentType
		}
	}
	got, _, _ := strings.Cut(http.DetectContentType(data), ";")
	return nil, got
}

// imageCacheControl lets browsers and CDNs keep an image forever: a key names its
// content, so the bytes under a key never change.
const imageCacheControl = "public, max-age=31536000, immutable"

// image serves a blob by key: public, cacheable, with ranges and conditional requests.
func (a *api) image(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("key")
	if blob.ValidateKey(key) != nil {
		writeProblem(w, newProblem(http.StatusNotFound, "no image "+key))
		return
	}
	rc, _, err := a.blobs.Open(r.Context(), key)
	if errors.Is(err, blob.ErrNotFound) || errors.Is(err, blob.ErrInvalidKey) {
		writeProblem(w, newProblem(http.StatusNotFound, "no image "+key))
		return
	}
	if err != nil {
		a.internalError(w, r, "open image", err)
		return
	}
	defer func() { _ = rc.Close() }()
	h := w.Header()
	h.Set("Content-Type", contentTypeOf(key))
	h.Set("Cache-Control", imageCacheControl)
	h.Set("ETag", `"`+key+`"`)
	h.Set("X-Content-Type-Options", "nosniff")
	// ServeContent answers If-None-Match with 304 and Range with 206.
	http.ServeContent(w, r, key, time.Time{}, rc)
}

// contentTypeOf is the media type of a blob by its key's extension.
func contentTypeOf(key string) string {
	ext := path.Ext(key)
	if ext == ".jpeg" {
		ext = ".jpg"
	}
	for _, f := range formats {
		if f.ext == ext {
			return f.contentType
		}
	}
	return "application/octet-stream"
}
