package api

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"path"

	"github.com/stox-dev/stox/catalog"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Import limits.
const (
	// importRoute, like uploadRoute, has no deadline: its body is paced, and checking
	// every row (photos fetched by URL) and queueing them takes as long as the
	// catalogue is long.
	importRoute = "POST /v1/imports"
	// maxCatalogBytes bounds the catalogue file.
	maxCatalogBytes = 32 << 20
	// maxZipBytes bounds the ZIP of photos sent beside it.
	maxZipBytes = 4 << 30
)

// ImportAccepted is the body of a 202 answer to POST /v1/imports: the import's ID
// (its progress is at /v1/imports/{id}), how many rows the file had, the rows that
// were not queued and why, how many were queued as new revisions and how many were
// skipped because they are unchanged since their SKU's current revision.
type ImportAccepted struct {
	ID      string         `json:"id"`
	Rows    int            `json:"rows"`
	Bad     []store.BadRow `json:"bad"`
	Queued  int            `json:"queued"`
	Skipped int            `json:"skipped"`
}

// ImportProgress is the body of GET /v1/imports/{id}: the import and where the
// products it queued are in the pipeline, each at the revision it queued.
type ImportProgress struct {
	ID        string `json:"id"`
	File      string `json:"file"`
	CreatedAt string `json:"created_at"`
	// Rows were read from the file; Bad of them were not queued (BadRows says why),
	// Queued were queued as new revisions, Skipped were unchanged.
	Rows    int            `json:"rows"`
	Bad     int            `json:"bad"`
	BadRows []store.BadRow `json:"bad_rows"`
	Queued  int            `json:"queued"`
	Skipped int            `json:"skipped"`
	// ImagesPending, ImagesDone and ImagesFailed count the queued products by their
	// images stage.
	ImagesPending int `json:"images_pending"`
	ImagesDone    int `json:"images_done"`
	ImagesFailed  int `json:"images_failed"`
	// Listed counts the queued products accepted on each marketplace; Listings counts
	// their listings by marketplace, then state (queued, submitted, accepted,
	// rejected, needs_input).
	Listed   map[string]int            `json:"listed"`
	Listings map[string]map[string]int `json:"listings"`
	// Settled counts the queued products the pipeline is finished with: a stage
	// failed, or every marketplace they are for decided (accepted, rejected,
	// needs_input), or a newer revision replaced them. Done is Settled == Queued.
	Settled int  `json:"settled"`
	Done    bool `json:"done"`
}

// importFile is what an import request carries.
type importFile struct {
	name   string
	data   []byte
	photos *zip.Reader // nil: no ZIP sent
}

// postImport imports a catalogue: it reads the file and the ZIP of photos, checks
// every row (the upload's rules, each photo read and checked) before queueing any,
// then queues each good row whose content differs from its SKU's current revision.
func (a *api) postImport(w http.ResponseWriter, r *http.Request) {
	if a.imports == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented, "this server keeps no imports"))
		return
	}
	mediaType, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != "multipart/form-data" || params["boundary"] == "" {
		writeProblem(w, newProblem(http.StatusUnsupportedMediaType, fmt.Sprintf(
			"want Content-Type multipart/form-data with a file part (CSV or XLSX) and an optional photos part (ZIP); got %q",
			r.Header.Get("Content-Type"))))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCatalogBytes+maxZipBytes+bodySlack)
	sp := &spool{dir: a.tempDir}
	defer sp.remove()
	in, pr, err := a.readImport(multipart.NewReader(r.Body, params["boundary"]), sp)
	if err != nil {
		a.fail(w, r, "read import", err)
		return
	}
	if !pr.ok() {
		writeProblem(w, pr.problem())
		return
	}
	acc, err := a.runImport(r.Context(), in.name, in.data, in.photos)
	var (
		bad     *CatalogueError
		stopped *StoppedError
	)
	switch {
	case errors.As(err, &bad):
		pr.add(http.StatusUnprocessableEntity, "file", "%s", bad.Reason)
		writeProblem(w, pr.problem())
	case errors.As(err, &stopped):
		writeUnavailable(w, ProblemUnavailable, titles[http.StatusServiceUnavailable], stopped.Error())
	case err != nil && r.Context().Err() != nil:
		// the client left while its photos were read: nothing queued, no import recorded
	case err != nil:
		a.fail(w, r, "import", err)
	default:
		w.Header().Set("Location", importLocation(acc.ID))
		writeJSON(w, http.StatusAccepted, acc)
	}
}

// readImport reads the parts of an import: file (the catalogue, in memory) and
// photos (a ZIP, spooled to sp). An error is the server's.
func (a *api) readImport(mr *multipart.Reader, sp *spool) (importFile, *problems, error) {
	var (
		in  importFile
		pr  = &problems{}
		got = map[string]bool{}
	)
	for parts := 0; ; parts++ {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			bodyProblem(pr, "request", "malformed multipart body", err)
			return in, pr, nil
		}
		if parts == maxParts {
			pr.add(http.StatusBadRequest, "request", "more than %d parts", maxParts)
			return in, pr, nil
		}
		name := part.FormName()
		if got[name] {
			pr.add(http.StatusBadRequest, name, "more than one %s part", name)
			continue
		}
		got[name] = true
		switch name {
		case "file":
			in.name = part.FileName()
			if in.name == "" {
				in.name = "catalogue.csv"
			}
			data, tooLarge, err := readLimited(part, maxCatalogBytes)
			if err != nil {
				bodyProblem(pr, "file", "malformed multipart body", err)
				return in, pr, nil
			}
			if tooLarge {
				pr.add(http.StatusRequestEntityTooLarge, "file", "larger than %d bytes (%s)", maxCatalogBytes, mib(maxCatalogBytes))
			}
			in.data = data
		case "photos":
			zr, err := a.readZip(part, sp, pr)
			if err != nil {
				return in, pr, err
			}
			in.photos = zr
		default:
			pr.add(http.StatusBadRequest, orPart(name), "unknown part; want file or photos")
		}
	}
	if !got["file"] {
		pr.add(http.StatusBadRequest, "file", "required: a part holding the catalogue (CSV or XLSX; see GET /v1/imports/template.csv)")
	}
	return in, pr, nil
}

// orPart names a part without a name.
func orPart(name string) string {
	if name == "" {
		return "parts"
	}
	return name
}

// readZip spools the ZIP of photos to a file of sp and opens it.
func (a *api) readZip(part *multipart.Part, sp *spool, pr *problems) (*zip.Reader, error) {
	f, err := sp.create()
	if err != nil {
		return nil, err
	}
	size, err := io.Copy(f, io.LimitReader(part, maxZipBytes+1))
	if err != nil {
		bodyProblem(pr, "photos", "malformed multipart body", err)
		return nil, nil
	}
	if size > maxZipBytes {
		pr.add(http.StatusRequestEntityTooLarge, "photos", "larger than %d bytes (%s)", int64(maxZipBytes), mib(maxZipBytes))
		return nil, nil
	}
	zr, err := zip.NewReader(f, size)
	if err != nil {
		pr.add(http.StatusUnprocessableEntity, "photos", "not a ZIP file: %v", err)
		return nil, nil
	}
	return zr, nil
}

// getImport answers an import's progress.
func (a *api) getImport(w http.ResponseWriter, r *http.Request) {
	if a.imports == nil {
		writeProblem(w, newProblem(http.StatusNotImplemented, "this server keeps no imports"))
		return
	}
	id := r.PathValue("id")
	p, err := a.imports.ImportProgress(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeProblem(w, newProblem(http.StatusNotFound, "no import "+id))
		return
	}
	if err != nil {
		a.fail(w, r, "read import", err)
		return
	}
	writeJSON(w, http.StatusOK, progressOf(p))
}

// progressOf turns the store's progress into the answer.
func progressOf(p store.ImportProgress) ImportProgress {
	out := ImportProgress{
		ID: p.ID, File: p.File, CreatedAt: p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z07:00"),
		Rows: p.Rows, Bad: len(p.Bad), BadRows: p.Bad, Queued: p.Queued, Skipped: p.Skipped,
		ImagesPending: p.Images[store.StatePending],
		ImagesDone:    p.Images[store.StateDone],
		ImagesFailed:  p.Images[store.StateFailed],
		Listed:        map[string]int{},
		Listings:      p.Listings,
		Settled:       p.Settled,
		Done:          p.Settled >= p.Queued,
	}
	if out.BadRows == nil {
		out.BadRows = []store.BadRow{}
	}
	for mp, states := range p.Listings {
		out.Listed[mp] = states[store.ListingAccepted]
	}
	return out
}

// template answers the catalogue template as CSV or XLSX.
func (a *api) template(w http.ResponseWriter, r *http.Request) {
	typ, name, body, err := catalog.Template(path.Ext(r.URL.Path))
	if err != nil {
		a.fail(w, r, "write template", err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(body)
}

// importLocation is where an import's progress is read.
func importLocation(id string) string { return "/v1/imports/" + url.PathEscape(id) }

// sameContent says a row holds what the current revision of its SKU holds: the same
// product fields and the same photos. Photos are compared by their keys, which are
// their bytes' SHA-256 (blob.Store), so no hash is stored beside the revision.
func sameContent(cur store.Current, p messages.Product, photos []messages.Photo) bool {
	a, errA := json.Marshal(cur.Product)
	b, errB := json.Marshal(p)
	if errA != nil || errB != nil || !bytes.Equal(a, b) || len(cur.Photos) != len(photos) {
		return false
	}
	for i := range photos {
		if cur.Photos[i].Key != photos[i].Key {
			return false
		}
	}
	return true
}
