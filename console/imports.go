package console

import (
	"archive/zip"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"path"
	"slices"

	"github.com/stox-dev/stox/catalog"
	"github.com/stox-dev/stox/store"
)

// maxImportBody bounds an import form: a catalogue of at most 32 MiB and a ZIP of
// photos of at most 4 GiB, as POST /v1/imports allows, and the form's other fields.
const maxImportBody = 32<<20 + 4<<30 + 1<<20

// importMemory is how much of an import form is held in memory; the rest (a large
// ZIP) is spooled to temporary files, removed when the request ends.
const importMemory = 32<<20 + 1<<20

// Refused is the Import function's error for a catalogue it could not read at all;
// its text is shown to the seller.
type Refused string

func (r Refused) Error() string { return string(r) }

// importForm shows the form that uploads a catalogue.
func (c *console) importForm(w http.ResponseWriter, r *http.Request, v *view) {
	c.render(w, "import", v)
}

// startImport runs the import of the form's catalogue (and ZIP of photos) as POST
// /v1/imports runs it, then shows its progress.
func (c *console) startImport(w http.ResponseWriter, r *http.Request, v *view) {
	name, data, photos, problem := readImportForm(r)
	if problem != "" {
		v.Error = v.T(problem)
		w.WriteHeader(http.StatusBadRequest)
		c.render(w, "import", v)
		return
	}
	id, err := c.cfg.Import(r.Context(), name, data, photos)
	var refused Refused
	switch {
	case errors.As(err, &refused):
		v.Error = v.T("import.refused") + " " + string(refused)
		w.WriteHeader(http.StatusUnprocessableEntity)
		c.render(w, "import", v)
	case err != nil && r.Context().Err() != nil:
		// the seller left while the photos were read: nothing queued
	case err != nil:
		c.fail(w, r, v, "import", err)
	default:
		http.Redirect(w, r, "/console/imports/"+url.PathEscape(id), http.StatusSeeOther)
	}
}

// readImportForm reads the catalogue (in memory) and the optional ZIP of photos of
// the form guardUpload parsed; problem is a catalogue key for what is wrong with it.
func readImportForm(r *http.Request) (name string, data []byte, photos *zip.Reader, problem string) {
	files := r.MultipartForm.File
	if len(files["file"]) != 1 {
		return "", nil, nil, "import.nofile"
	}
	fh := files["file"][0]
	f, err := fh.Open()
	if err != nil {
		return "", nil, nil, "import.unreadable"
	}
	defer f.Close()
	if data, err = io.ReadAll(f); err != nil {
		return "", nil, nil, "import.unreadable"
	}
	if zs := files["photos"]; len(zs) == 1 && zs[0].Size > 0 {
		z, err := zs[0].Open() // kept open until the request ends: its form is removed then
		if err != nil {
			return "", nil, nil, "import.unreadable"
		}
		if photos, err = zip.NewReader(z, zs[0].Size); err != nil {
			return "", nil, nil, "import.notzip"
		}
	}
	return fh.Filename, data, photos, ""
}

// guardUpload is guard for a multipart form as large as an import: it parses the
// form (spooling what does not fit in importMemory) before the token is checked.
func (c *console) guardUpload(h func(w http.ResponseWriter, r *http.Request, v *view)) http.Handler {
	inner := c.guard(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := c.session(r); ok { // else guard refuses it without reading the body
			r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
			if err := r.ParseMultipartForm(importMemory); err != nil {
				http.Error(w, "import form: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		inner.ServeHTTP(w, r)
	})
}

// importPage is an import's page data.
type importPage struct {
	P      store.ImportProgress
	Done   bool
	Bars   []bar
	Listed []bar
}

// bar is one progress bar: N of Of.
type bar struct {
	Label string
	N, Of int
	Class string
}

// Pct is the bar's fill, in percent.
func (b bar) Pct() int {
	if b.Of <= 0 {
		return 100
	}
	return min(100, b.N*100/b.Of)
}

// showImport shows an import's bad rows and progress; the page refreshes itself
// (console.js, or a meta refresh without JS) until the import is done.
func (c *console) showImport(w http.ResponseWriter, r *http.Request, v *view) {
	p, err := c.cfg.ImportProgress(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		v.Error = v.T("import.notfound")
		w.WriteHeader(http.StatusNotFound)
		c.render(w, "error", v)
		return
	}
	if err != nil {
		c.fail(w, r, v, "read import", err)
		return
	}
	v.Data = progressPage(v, p)
	c.render(w, "importprogress", v)
}

// progressPage turns an import's progress into bars.
func progressPage(v *view, p store.ImportProgress) importPage {
	page := importPage{P: p, Done: p.Settled >= p.Queued}
	good := p.Rows - len(p.Bad)
	page.Bars = []bar{
		{v.T("import.bar.read"), p.Rows, p.Rows, ""},
		{v.T("import.bar.queued"), p.Queued + p.Skipped, good, ""},
		{v.T("import.bar.images"), p.Images[store.StateDone], p.Queued, store.StateDone},
		{v.T("import.bar.imagesfailed"), p.Images[store.StateFailed], p.Queued, store.StateFailed},
		{v.T("import.bar.settled"), p.Settled, p.Queued, ""},
	}
	for _, m := range slices.Sorted(maps.Keys(p.Listings)) {
		page.Listed = append(page.Listed, bar{m, p.Listings[m][store.ListingAccepted], p.Queued, store.ListingAccepted})
	}
	return page
}

// template answers the catalogue template, as GET /v1/imports/template.{csv,xlsx}
// does: a browser signed in to the console sends no bearer key for the API's.
func (c *console) template(w http.ResponseWriter, r *http.Request, v *view) {
	typ, name, body, err := catalog.Template(path.Ext(r.URL.Path))
	if err != nil {
		c.fail(w, r, v, "write template", err)
		return
	}
	w.Header().Set("Content-Type", typ)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, _ = w.Write(body)
}
