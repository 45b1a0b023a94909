package api

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/catalog"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

const (
	// importWorkers bounds the photos of an import read and checked at once (fetched
	// by URL, or unzipped), and so the temporary files and memory they hold.
	importWorkers = 8
	// photoFetchTimeout bounds fetching one photo by URL, from dialling to its last
	// byte.
	photoFetchTimeout = 30 * time.Second
	// importProgressEvery is how many rows are queued between updates of the import's
	// counts and products, so its progress shows while it is being queued.
	importProgressEvery = 50
)

// photoClient fetches photos named by URL in a catalogue.
var photoClient = &http.Client{Timeout: photoFetchTimeout}

// checkedRow is a catalogue row after every check: its product with defaults filled
// in, its photos stored (when the row is good) and every reason it is bad.
type checkedRow struct {
	product messages.Product
	photos  []messages.Photo
	reasons []string
}

// photoJob is one photo of one row to read and check; put stores it.
type photoJob struct {
	row, photo int
	put        bool
}

// checkRows checks every row with the upload's rules, then reads and checks every
// photo, importWorkers at a time. A row with no other problem has its photos stored
// in the blob store as they pass (keys are content hashes, so this queues nothing and
// a re-import stores nothing new).
func (a *api) checkRows(ctx context.Context, rows []catalog.Row, zr *zip.Reader) []checkedRow {
	out := make([]checkedRow, len(rows))
	photoReasons := make([][]string, len(rows))
	first := map[string]int{}
	var jobs []photoJob
	for i, row := range rows {
		c := &out[i]
		c.reasons = append(c.reasons, row.Problems...)
		c.product = withDefaults(row.Product)
		pr := &problems{}
		validateProduct(c.product, pr)
		for _, e := range pr.errs {
			c.reasons = append(c.reasons, e.Field+": "+e.Message)
		}
		if sku := c.product.SKU; sku != "" {
			if line, ok := first[sku]; ok {
				c.reasons = append(c.reasons, fmt.Sprintf("sku: %s is also on row %d", sku, line))
			} else {
				first[sku] = row.Line
			}
		}
		switch n := len(row.Photos); {
		case n == 0:
			c.reasons = append(c.reasons, fmt.Sprintf("photos: required: 1 to %d in photo_1 … photo_%d", a.maxPhotos, a.maxPhotos))
		case n > a.maxPhotos:
			c.reasons = append(c.reasons, fmt.Sprintf("photos: %d photos; at most %d", n, a.maxPhotos))
		}
		c.photos = make([]messages.Photo, len(row.Photos))
		photoReasons[i] = make([]string, len(row.Photos))
		for k := range row.Photos {
			jobs = append(jobs, photoJob{row: i, photo: k, put: len(c.reasons) == 0})
		}
	}
	names := zipIndex(zr)
	ch := make(chan photoJob)
	var wg sync.WaitGroup
	for range importWorkers {
		wg.Go(func() {
			for j := range ch { // each job writes its own elements: no lock
				ref := rows[j.row].Photos[j.photo]
				field := fmt.Sprintf("photo_%d (%s)", j.photo+1, ref)
				out[j.row].photos[j.photo], photoReasons[j.row][j.photo] = a.importPhoto(ctx, field, ref, zr != nil, names, j.put)
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	for i, reasons := range photoReasons {
		for _, r := range reasons {
			if r != "" {
				out[i].reasons = append(out[i].reasons, r)
			}
		}
	}
	return out
}

// zipIndex maps the files of a ZIP by their path and, when no other file shares it,
// by their base name, so a catalogue may name "shoes/a.jpg" or "a.jpg".
func zipIndex(zr *zip.Reader) map[string]*zip.File {
	names := map[string]*zip.File{}
	if zr == nil {
		return names
	}
	bases := map[string]int{}
	for _, f := range zr.File {
		bases[path.Base(f.Name)]++
	}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		names[f.Name] = f
		if b := path.Base(f.Name); bases[b] == 1 {
			if _, ok := names[b]; !ok {
				names[b] = f
			}
		}
	}
	return names
}

// importPhoto reads the photo ref (a URL, or a file of the ZIP) into a temporary
// file, checks it as an upload's photo and, when put, stores it. It returns the
// stored photo or why it is bad.
func (a *api) importPhoto(ctx context.Context, field, ref string, haveZip bool, names map[string]*zip.File, put bool) (messages.Photo, string) {
	f, err := os.CreateTemp(a.tempDir, "import-*")
	if err != nil {
		return messages.Photo{}, fmt.Sprintf("%s: the server could not spool it: %v", field, err)
	}
	defer func() { _ = f.Close(); _ = os.Remove(f.Name()) }()
	var size int64
	var reason string
	if strings.HasPrefix(ref, "http://") || strings.HasPrefix(ref, "https://") {
		size, reason = a.fetchPhoto(ctx, ref, f)
	} else {
		size, reason = a.unzipPhoto(ref, haveZip, names, f)
	}
	if reason != "" {
		return messages.Photo{}, field + ": " + reason
	}
	pr := &problems{}
	p, ok, err := a.checkPhoto(field, f, size, pr)
	if err != nil {
		return messages.Photo{}, fmt.Sprintf("%s: the server could not read it: %v", field, err)
	}
	if !ok {
		return messages.Photo{}, pr.errs[0].Field + ": " + pr.errs[0].Message
	}
	if !put {
		return messages.Photo{}, ""
	}
	stored, err := a.storePhoto(ctx, p)
	if err != nil {
		return messages.Photo{}, fmt.Sprintf("%s: the server could not store it: %v", field, err)
	}
	return stored, ""
}

// fetchPhoto copies the photo at url into f, at most a.maxPhoto bytes.
func (a *api) fetchPhoto(ctx context.Context, url string, f *os.File) (int64, string) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, fmt.Sprintf("not a valid URL: %v", err)
	}
	res, err := photoClient.Do(req)
	if err != nil {
		return 0, fmt.Sprintf("fetch: %v", err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, "fetch: HTTP " + res.Status
	}
	if res.ContentLength > a.maxPhoto {
		return 0, fmt.Sprintf("larger than %d bytes (%s)", a.maxPhoto, mib(a.maxPhoto))
	}
	return a.copyPhoto(f, res.Body, "fetch")
}

// unzipPhoto copies the file name of the ZIP into f, at most a.maxPhoto bytes.
func (a *api) unzipPhoto(name string, haveZip bool, names map[string]*zip.File, f *os.File) (int64, string) {
	if !haveZip {
		return 0, "not an http(s) URL, and no ZIP of photos was sent"
	}
	zf := names[name]
	if zf == nil {
		return 0, "not in the ZIP of photos"
	}
	if zf.UncompressedSize64 > uint64(a.maxPhoto) {
		return 0, fmt.Sprintf("larger than %d bytes (%s)", a.maxPhoto, mib(a.maxPhoto))
	}
	rc, err := zf.Open()
	if err != nil {
		return 0, fmt.Sprintf("unzip: %v", err)
	}
	defer rc.Close()
	return a.copyPhoto(f, rc, "unzip")
}

// copyPhoto copies r into f, refusing more than a.maxPhoto bytes.
func (a *api) copyPhoto(f *os.File, r io.Reader, verb string) (int64, string) {
	size, err := io.Copy(f, io.LimitReader(r, a.maxPhoto+1))
	if err != nil {
		return 0, fmt.Sprintf("%s: %v", verb, err)
	}
	if size > a.maxPhoto {
		return 0, fmt.Sprintf("larger than %d bytes (%s)", a.maxPhoto, mib(a.maxPhoto))
	}
	return size, ""
}

// storePhoto puts a checked photo in the blob store, holding its bytes in memory
// under the budget every upload shares.
func (a *api) storePhoto(ctx context.Context, p photo) (messages.Photo, error) {
	if err := a.memory.acquire(ctx, p.size); err != nil {
		return messages.Photo{}, err
	}
	defer a.memory.release(p.size)
	data := make([]byte, p.size)
	if _, err := p.file.ReadAt(data, 0); err != nil {
		return messages.Photo{}, err
	}
	key, err := a.blobs.Put(ctx, data, p.format.ext)
	if err != nil {
		return messages.Photo{}, err
	}
	return messages.Photo{Key: key, ContentType: p.format.contentType, Width: p.width, Height: p.height, Bytes: p.size}, nil
}

// nonNilBad makes no bad rows an empty list in JSON.
func nonNilBad(b []store.BadRow) []store.BadRow {
	if b == nil {
		return []store.BadRow{}
	}
	return b
}

// queueRow queues a good row as its SKU's next revision, as an upload is queued
// (stored, its initial stock recorded, published), unless the current revision holds
// the same content and did not fail: then it returns nil. A revision stored but not
// published is marked failed, so a re-import queues it again.
func (a *api) queueRow(ctx context.Context, c checkedRow) (*store.ImportItem, error) {
	ctx, cancel := context.WithTimeout(ctx, commitTimeout)
	defer cancel()
	cur, err := a.imports.CurrentProduct(ctx, c.product.SKU)
	switch {
	case err == nil && !cur.Failed && sameContent(cur, c.product, c.photos):
		return nil, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	id, revision, step, err := a.queueProduct(ctx, c.product, c.photos)
	if err != nil {
		if step != stepStore {
			_ = a.store.SetStage(ctx, id, revision, store.StageImages, store.Stage{
				State: store.StateFailed, Reasons: []string{"import not queued: " + err.Error()}, UpdatedAt: a.now(),
			})
		}
		return nil, err
	}
	return &store.ImportItem{ProductID: id, Revision: revision}, nil
}
