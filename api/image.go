package api

import (
	"errors"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/imaging"
)

// format is how the API stores and serves an accepted photo format.
type format struct {
	name        string
	contentType string
	ext         string
}

// formats are the accepted photo formats, by imaging's format names.
var formats = []format{
	{imaging.JPEG, "image/jpeg", ".jpg"},
	{imaging.PNG, "image/png", ".png"},
	{imaging.GIF, "image/gif", ".gif"},
	{imaging.WebP, "image/webp", ".webp"},
}

// sniff returns the format of data judged by its bytes alone (imaging.Sniff), or nil
// and the media type net/http guesses for it.
func sniff(data []byte) (*format, string) {
	if name, err := imaging.Sniff(data); err == nil {
		for i := range formats {
			if formats[i].name == name {
				return &formats[i], formats[i].contentType
			}
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
		a.fail(w, r, "open image", err)
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
