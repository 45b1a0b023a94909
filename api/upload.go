package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
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

// photo is an uploaded photo that passed every check, spooled to a file.
type photo struct {
	file          *os.File
	size          int64
	format        *format
	width, height int
}

// photoHead is how much of a photo is read into memory to check it: the format's
// magic bytes and a JPEG's EXIF segment (at most 64 KiB, near the start). The size
// is read from the file by the format's decoder, which reads only the header.
const photoHead = 128 << 10

// spool holds the photos of one request on disk, so a request holds none of them
// whole in memory while it arrives.
type spool struct {
	dir   string
	files []*os.File
}

// create makes a file for one photo.
func (s *spool) create() (*os.File, error) {
	f, err := os.CreateTemp(s.dir, "upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool photo: %w", err)
	}
	s.files = append(s.files, f)
	return f, nil
}

// remove deletes every file of the request.
func (s *spool) remove() {
	for _, f := range s.files {
		_ = f.Close()
		_ = os.Remove(f.Name())
	}
}

// upload accepts a product and its photos: it reads and checks the whole request
// (photos spooled to disk) before it stores or publishes anything, then stores the
// photos and the product, records its initial stock and publishes an ImageUploadV1.
// A product stored but without its stock recorded or not published is marked failed
// and answered 503, saying what was stored, so the client sends it again.
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

	sp := &spool{dir: a.tempDir}
	defer sp.remove()
	product, photos, readProblems, err := a.readUpload(multipart.NewReader(r.Body, params["boundary"]), sp)
	if err != nil {
		a.fail(w, r, "read upload", err)
		return
	}
	if !readProblems.ok() {
		writeProblem(w, readProblems.problem())
		return
	}
	a.accept(w, r, product, photos)
}

// readUpload reads every part of an upload and checks it, collecting every problem;
// photos go to files of sp. An error is the server's: a photo could not be spooled.
func (a *api) readUpload(mr *multipart.Reader, sp *spool) (messages.Product, []photo, *problems, error) {
	var (
		pr          = &problems{}
		product     messages.Product
		haveProduct bool
		photos      []photo
		nPhotos     int
	)
	// abort records a read error that leaves the rest of the request unreadable.
	abort := func(field string, err error) (messages.Product, []photo, *problems, error) {
		bodyProblem(pr, field, "malformed multipart body", err)
		return product, nil, pr, nil
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
			return product, nil, pr, nil
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
			f, err := sp.create()
			if err != nil {
				return product, nil, pr, err
			}
			size, err := io.Copy(f, io.LimitReader(part, a.maxPhoto+1))
			if err != nil {
				if _, ok := errors.AsType[*fs.PathError](err); ok { // the file, not the request
					return product, nil, pr, fmt.Errorf("spool photo: %w", err)
				}
				return abort(field, err)
			}
			if size > a.maxPhoto {
				pr.add(http.StatusRequestEntityTooLarge, field, "larger than %d bytes (%s)", a.maxPhoto, mib(a.maxPhoto))
				continue
			}
			p, ok, err := a.checkPhoto(field, f, size, pr)
			if err != nil {
				return product, nil, pr, err
			}
			if ok {
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
	return product, photos, pr, nil
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

// checkPhoto checks a spooled photo of size bytes: a supported format by its bytes,
// a readable header and a size in pixels within the limits. It reads only the head
// of the file and the header, never the pixels. An error is the server's: the file
// could not be read.
func (a *api) checkPhoto(field string, f *os.File, size int64, pr *problems) (photo, bool, error) {
	if size == 0 {
		pr.add(http.StatusUnprocessableEntity, field, "empty")
		return photo{}, false, nil
	}
	head := make([]byte, min(size, photoHead))
	if _, err := f.ReadAt(head, 0); err != nil {
		return photo{}, false, fmt.Errorf("read spooled photo: %w", err)
	}
	fm, got := sniff(head)
	if fm == nil {
		if strings.HasPrefix(got, "image/") {
			pr.add(http.StatusUnsupportedMediaType, field, "unsupported image type %s; want JPEG, PNG, GIF or WebP", got)
		} else {
			pr.add(http.StatusUnsupportedMediaType, field, "not an image (got %s)", got)
		}
		return photo{}, false, nil
	}
	cfg, _, err := image.DecodeConfig(io.NewSectionReader(f, 0, size))
	if err != nil {
		pr.add(http.StatusUnprocessableEntity, field, "corrupt %s: %v", fm.name, err)
		return photo{}, false, nil
	}
	if cfg.Width < 1 || cfg.Height < 1 {
		pr.add(http.StatusUnprocessableEntity, field, "%dx%d: width and height must be at least 1", cfg.Width, cfg.Height)
		return photo{}, false, nil
	}
	if fm.name == imaging.JPEG && imaging.Orientation(head) >= 5 { // stored sideways: upright size
		cfg.Width, cfg.Height = cfg.Height, cfg.Width
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > int64(a.maxPixels) {
		pr.add(http.StatusUnprocessableEntity, field, "%dx%d is %d pixels; at most %d", cfg.Width, cfg.Height, px, a.maxPixels)
		return photo{}, false, nil
	}
	return photo{file: f, size: size, format: fm, width: cfg.Width, height: cfg.Height}, true, nil
}

// accept stores a checked upload, records its initial stock and publishes it.
func (a *api) accept(w http.ResponseWriter, r *http.Request, product messages.Product, photos []photo) {
	// Once the upload is checked it is committed whole: a client that hangs up now does
	// not leave a product stored but never published.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), commitTimeout)
	defer cancel()

	// The blob store takes a photo as bytes: one buffer, as large as the largest photo,
	// holds each in turn, and the memory budget shared by every request bounds them all.
	var need int64
	for _, p := range photos {
		need = max(need, p.size)
	}
	wait, cancelWait := context.WithTimeout(r.Context(), a.memoryWait)
	err := a.memory.acquire(wait, need)
	cancelWait()
	if err != nil {
		a.log.WarnContext(r.Context(), "upload memory exhausted", slog.String("sku", product.SKU), slog.Int64("bytes", need), slog.Any("error", err))
		writeUnavailable(w, ProblemBusy, "Server busy",
			"the server is holding as many uploads in memory as it may, so nothing of this one was stored; send it again after "+retryAfter+" seconds")
		return
	}
	defer a.memory.release(need)
	buf := make([]byte, need)

	stored := make([]messages.Photo, len(photos))
	for i, p := range photos {
		data := buf[:p.size]
		if _, err := p.file.ReadAt(data, 0); err != nil {
			a.fail(w, r, "read spooled photo", fmt.Errorf("photo %d of %s: %w", i, product.SKU, err))
			return
		}
		key, err := a.blobs.Put(ctx, data, p.format.ext)
		if err != nil {
			a.fail(w, r, "store photo", fmt.Errorf("photo %d of %s: %w", i, product.SKU, err))
			return
		}
		stored[i] = messages.Photo{
			Key:         key,
			ContentType: p.format.contentType,
			Width:       p.width,
			Height:      p.height,
			Bytes:       p.size,
		}
	}
	id, revision, step, err := a.queueProduct(ctx, product, stored)
	switch {
	case err == nil:
	case step == stepStore && store.Unavailable(err):
		a.log.WarnContext(r.Context(), "upload not stored: database unavailable", slog.String("sku", product.SKU), slog.Any("error", err))
		writeUnavailable(w, ProblemDatabaseUnavailable, "Database unavailable",
			"the database is unavailable, so the product was not stored; send it again after "+retryAfter+" seconds")
		return
	case step == stepStore:
		a.fail(w, r, "store product", err)
		return
	case step == stepStock:
		what := "the stock ledger did not record the product's initial stock"
		if store.Unavailable(err) {
			what += " (the database is unavailable)"
		}
		a.unavailable(w, r, id, revision, "initial stock not recorded", what, err)
		return
	default:
		what := "the pipeline did not take the product"
		if a.initStock != nil {
			what += " (its initial stock is recorded; sending it again keeps it)"
		}
		a.unavailable(w, r, id, revision, "pipeline unavailable", what, err)
		return
	}
	w.Header().Set("Location", "/v1/products/"+url.PathEscape(id))
	writeJSON(w, http.StatusAccepted, Accepted{ID: id, Revision: revision})
}

// queueStep is the step of queueProduct that failed.
type queueStep int

const (
	stepStore   queueStep = iota // PutProduct: nothing stored
	stepStock                    // the initial stock: stored, not recorded in the ledger
	stepPublish                  // the pipeline: stored (and stock recorded), not published
)

// queueProduct stores product with its stored photos as the next revision of its SKU,
// records its initial stock and publishes it to the pipeline, in that order, for an
// upload and an import row alike. The initial stock goes in after the product is
// stored (its SKU is then a known product) and before it is published: once
// published, the pipeline lists the product on the marketplaces and orders for it can
// arrive, and the ledger must know the SKU by then, or they become oversells of an
// unknown SKU. Every listing starts from the ledger's quantity, so the ledger having
// it is what counts (a broadcast of it the broker refused is not a failure; see
// Config.InitStock). If the ledger did not record it, nothing is published: the
// caller marks the revision failed and the client sends it again, which stores the
// next revision of the same SKU. If it was recorded but publishing fails, the retry's
// InitStock finds the SKU known and changes nothing, so no accepted product and no
// sold unit is lost either way. On an error, step says which step failed.
func (a *api) queueProduct(ctx context.Context, product messages.Product, photos []messages.Photo) (id string, revision int, step queueStep, err error) {
	id, revision, err = a.store.PutProduct(ctx, store.NewProduct{ID: a.newID(), Product: product, Photos: photos})
	if err != nil {
		return "", 0, stepStore, err
	}
	if a.initStock != nil {
		if err := a.initStock(ctx, product.SKU, product.Stock); err != nil {
			return id, revision, stepStock, err
		}
	}
	msg := messages.ImageUploadV1{ProductID: id, Revision: revision, Product: product, Photos: photos}
	return id, revision, stepPublish, a.publish(ctx, msg)
}

// unavailable records that a stored product could not be accepted (the stock ledger or
// the pipeline did not take it) as the images stage failing with reason and err, and
// answers 503 saying what happened: the product was stored as this revision but not
// accepted, and the client sends it again. err stays out of the answer.
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
	writeUnavailable(w, ProblemUnavailable, titles[http.StatusServiceUnavailable], fmt.Sprintf(
		"product %s revision %d was stored, but %s, so it was not accepted; send it again after %s seconds",
		id, revision, what, retryAfter))
}

// writeJSON answers status with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
