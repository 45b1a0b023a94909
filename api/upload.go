package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/stox-dev/stox/imaging"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Accepted is the body of a 202 answer to POST /v1/products: the product's ID (the
// same for every upload of one SKU) and the revision this upload created.
type Accepted struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
}

// photo is an uploaded photo that passed every check.
type photo struct {
	data          []byte
	format        *format
	width, height int
}

// upload accepts a product and its photos: it reads and checks the whole request
// before it stores or publishes anything, then stores the photos and the product,
// records its initial stock and publishes an ImageUploadV1. A product stored but
// without its stock recorded or not published is marked failed and answered 503, so
// the client sends it again.
func (a *api) upload(w http.ResponseWriter, r *http.Request) {
	var pr problems
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil || mediaType != "multipart/form-data":
		pr.add(http.StatusUnsupportedMediaType, "request", "want Content-Type multipart/form-data with a product part and 1-%d photos parts; got %q",
			a.maxPhotos, r.Header.Get("Content-Type"))
	case params["boundary"] == "":
		pr.add(http.StatusBadRequest, "request", "multipart Content-Type without a boundary")
	case r.ContentLength > a.maxBody:
		pr.add(http.StatusRequestEntityTooLarge, "request", "larger than %d bytes", a.maxBody)
	}
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, a.maxBody)

	product, photos, readProblems := a.readUpload(multipart.NewReader(r.Body, params["boundary"]))
	if !readProblems.ok() {
		writeProblem(w, readProblems.problem())
		return
	}
	a.accept(w, r, product, photos)
}

// readUpload reads every part of an upload and checks it, collecting every problem.
func (a *api) readUpload(mr *multipart.Reader) (messages.Product, []photo, *problems) {
	var (
		pr          = &problems{}
		product     messages.Product
		haveProduct bool
		photos      []photo
		nPhotos     int
	)
	// abort records a read error that leaves the rest of the request unreadable.
	abort := func(field string, err error) (messages.Product, []photo, *problems) {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			pr.add(http.StatusRequestEntityTooLarge, "request", "larger than %d bytes", a.maxBody)
		} else {
			pr.add(http.StatusBadRequest, field, "malformed multipart body: %v", err)
		}
		return product, nil, pr
	}
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return abort("request", err)
		}
		if parts == maxParts {
			pr.add(http.StatusBadRequest, "request", "more than %d parts", maxParts)
			return product, nil, pr
		}
		switch name := part.FormName(); name {
		case "product":
			if haveProduct {
				pr.add(http.StatusBadRequest, "product", "more than one product part")
				continue
			}
			haveProduct = true
			data, tooLarge, err := readLimited(part, maxProductBytes)
			if err != nil {
				return abort("product", err)
			}
			if tooLarge {
				pr.add(http.StatusRequestEntityTooLarge, "product", "larger than %d bytes", maxProductBytes)
				continue
			}
			product = parseProduct(data, pr)
		case "photos":
			i := nPhotos
			nPhotos++
			if i >= a.maxPhotos {
				continue // counted below; NextPart skips its bytes
			}
			field := fmt.Sprintf("photos[%d]", i)
			data, tooLarge, err := readLimited(part, a.maxPhoto)
			if err != nil {
				return abort(field, err)
			}
			if tooLarge {
				pr.add(http.StatusRequestEntityTooLarge, field, "larger than %d bytes (%s)", a.maxPhoto, mib(a.maxPhoto))
				continue
			}
			if p, ok := a.checkPhoto(field, data, pr); ok {
				photos = append(photos, p)
			}
		case "":
			pr.add(http.StatusBadRequest, fmt.Sprintf("parts[%d]", parts), "no form-data name; want product or photos")
		default:
			pr.add(http.StatusBadRequest, name, "unknown part; want product or photos")
		}
	}
	if !haveProduct {
		pr.add(http.StatusBadRequest, "product", "required: a part holding the product as JSON")
	}
	switch {
	case nPhotos == 0:
		pr.add(http.StatusUnprocessableEntity, "photos", "required: 1 to %d photos parts", a.maxPhotos)
	case nPhotos > a.maxPhotos:
		pr.add(http.StatusUnprocessableEntity, "photos", "%d photos; at most %d", nPhotos, a.maxPhotos)
	}
	return product, photos, pr
}

// readLimited reads r whole when it holds at most limit bytes; tooLarge says it holds
// more.
func readLimited(r io.Reader, limit int64) (data []byte, tooLarge bool, err error) {
	data, err = io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, false, err
	}
	return data, int64(len(data)) > limit, nil
}

// mib says a byte count in MiB.
func mib(n int64) string {
	return fmt.Sprintf("%.4g MiB", float64(n)/(1<<20))
}

// checkPhoto checks a photo by its bytes: a supported format, a readable header and
// a size in pixels within the limits. It reads only the header, never the pixels.
func (a *api) checkPhoto(field string, data []byte, pr *problems) (photo, bool) {
	if len(data) == 0 {
		pr.add(http.StatusUnprocessableEntity, field, "empty")
		return photo{}, false
	}
	f, got := sniff(data)
	if f == nil {
		if strings.HasPrefix(got, "image/") {
			pr.add(http.StatusUnsupportedMediaType, field, "unsupported image type %s; want JPEG, PNG, GIF or WebP", got)
		} else {
			pr.add(http.StatusUnsupportedMediaType, field, "not an image (got %s)", got)
		}
		return photo{}, false
	}
	// The limit is checked below, so the message can give the size.
	cfg, err := imaging.Config(data, math.MaxInt)
	if err != nil {
		pr.add(http.StatusUnprocessableEntity, field, "corrupt %s: %v", f.name, err)
		return photo{}, false
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		pr.add(http.StatusUnprocessableEntity, field, "%dx%d: width and height must be at least 1", cfg.Width, cfg.Height)
		return photo{}, false
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > int64(a.maxPixels) {
		pr.add(http.StatusUnprocessableEntity, field, "%dx%d is %d pixels; at most %d", cfg.Width, cfg.Height, px, a.maxPixels)
		return photo{}, false
	}
	return photo{data: data, format: f, width: cfg.Width, height: cfg.Height}, true
}

// accept stores a checked upload, records its initial stock and publishes it.
func (a *api) accept(w http.ResponseWriter, r *http.Request, product messages.Product, photos []photo) {
	// Once the upload is checked it is committed whole: a client that hangs up now
	// does not leave a product stored but never published.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), commitTimeout)
	defer cancel()

	stored := make([]messages.Photo, len(photos))
	for i, p := range photos {
		key, err := a.blobs.Put(ctx, p.data, p.format.ext)
		if err != nil {
			a.internalError(w, r, "store photo", fmt.Errorf("photo %d of %s: %w", i, product.SKU, err))
			return
		}
		stored[i] = messages.Photo{
			Key:         key,
			ContentType: p.format.contentType,
			Width:       p.width,
			Height:      p.height,
			Bytes:       int64(len(p.data)),
		}
	}
	id, revision, err := a.store.PutProduct(ctx, store.NewProduct{ID: a.newID(), Product: product, Photos: stored})
	if err != nil {
		a.internalError(w, r, "store product", err)
		return
	}
	// The initial stock goes in after the product is stored (its SKU is then a known
	// product) and before the upload is published: once published, the pipeline lists
	// the product on the marketplaces and orders for it can arrive, and the ledger must
	// know the SKU by then, or they become oversells of an unknown SKU. If recording the
	// stock fails, nothing has been published yet: the upload is not accepted (503) and
	// the client sends it again, which stores the next revision of the same SKU. If the
	// stock was recorded but publishing fails, the retry's InitStock finds the SKU
	// known and changes nothing, so no accepted upload and no sold unit is lost either way.
	if a.initStock != nil {
		if err := a.initStock(ctx, product.SKU, product.Stock); err != nil {
			a.unavailable(w, r, id, revision, "initial stock not recorded",
				"the stock ledger did not record the product's initial stock", err)
			return
		}
	}
	msg := messages.ImageUploadV1{ProductID: id, Revision: revision, Product: product, Photos: stored}
	if err := a.publish(ctx, msg); err != nil {
		a.unavailable(w, r, id, revision, "pipeline unavailable", "the pipeline did not take the product", err)
		return
	}
	w.Header().Set("Location", "/v1/products/"+url.PathEscape(id))
	writeJSON(w, http.StatusAccepted, Accepted{ID: id, Revision: revision})
}

// unavailable records that a stored product could not be accepted (the stock ledger or
// the pipeline did not take it) as the images stage failing with reason and err, and
// answers 503 saying what happened: the product was not accepted, and the client sends
// it again. err stays out of the answer.
func (a *api) unavailable(w http.ResponseWriter, r *http.Request, id string, revision int, reason, what string, err error) {
	reason += ": " + err.Error()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 5*time.Second)
	defer cancel()
	attrs := []any{slog.String("product_id", id), slog.Int("revision", revision), slog.Any("error", err)}
	if serr := a.store.SetStage(ctx, id, revision, store.StageImages, store.Stage{
		State:     store.StateFailed,
		Reasons:   []string{reason},
		UpdatedAt: a.now(),
	}); serr != nil {
		attrs = append(attrs, slog.Any("set_stage_error", serr))
	}
	a.log.WarnContext(r.Context(), "upload not accepted", attrs...)
	w.Header().Set("Retry-After", retryAfter)
	writeProblem(w, newProblem(http.StatusServiceUnavailable,
		what+", so it was not accepted; send it again after "+retryAfter+" seconds"))
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
