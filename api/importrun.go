package api

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stox-dev/stox/catalog"
	"github.com/stox-dev/stox/store"
)

// ErrNoImports is Import's error on a server that keeps no imports.
var ErrNoImports = errors.New("this server keeps no imports")

// CatalogueError is Import's error for a catalogue file it cannot read at all (not
// CSV or XLSX, no header, too large): the seller's to fix, nothing recorded.
type CatalogueError struct{ Reason string }

func (e *CatalogueError) Error() string { return e.Reason }

// StoppedError is Import's error when the server could not queue a row: the rows
// before it stay queued and recorded under ID, and the same file imported again skips
// them.
type StoppedError struct {
	ID              string
	Row             int
	SKU             string
	Queued, Skipped int
	Err             error
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("import %s stopped at row %d (SKU %s): the server could not queue it; %d rows were queued and %d skipped before it. "+
		"Import the same file again after %s seconds: rows already queued are skipped", e.ID, e.Row, e.SKU, e.Queued, e.Skipped, retryAfter)
}

func (e *StoppedError) Unwrap() error { return e.Err }

// Importing is what New's handler offers a caller in the same process (the web
// console): the import POST /v1/imports runs, without HTTP around it.
type Importing interface {
	// Import reads the catalogue data (name's extension says CSV or XLSX), checks
	// every row and its photos (URLs, or files of photos, nil when no ZIP was sent),
	// records the import and queues its good rows. It keeps queueing when ctx is
	// cancelled after the rows are checked.
	Import(ctx context.Context, name string, data []byte, photos *zip.Reader) (ImportAccepted, error)
}

// Import is Importing's, on the handler New returns when nothing observes it.
func (a *api) Import(ctx context.Context, name string, data []byte, photos *zip.Reader) (ImportAccepted, error) {
	return a.runImport(ctx, name, data, photos)
}

// importing is New's observed handler with the import beside it.
type importing struct {
	http.Handler
	*api
}

// ServeHTTP is the observed handler's, not api's.
func (h importing) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.Handler.ServeHTTP(w, r) }

// withImport is h, New's handler, offering a's import: a itself when nothing
// observes it (so the package's tests still find *api).
func (a *api) withImport(h http.Handler) http.Handler {
	if h == http.Handler(a) {
		return a
	}
	return importing{h, a}
}

// runImport is an import, by POST /v1/imports or the console.
func (a *api) runImport(ctx context.Context, name string, data []byte, photos *zip.Reader) (ImportAccepted, error) {
	if a.imports == nil {
		return ImportAccepted{}, ErrNoImports
	}
	if len(data) > maxCatalogBytes {
		return ImportAccepted{}, &CatalogueError{fmt.Sprintf("larger than %d bytes (%s)", maxCatalogBytes, mib(maxCatalogBytes))}
	}
	rows, err := catalog.Read(bytes.NewReader(data), name)
	if err != nil {
		return ImportAccepted{}, &CatalogueError{err.Error()}
	}
	checked := a.checkRows(ctx, rows, photos)
	if err := ctx.Err(); err != nil {
		return ImportAccepted{}, err // the caller left while photos were read: nothing queued, no import recorded
	}
	return a.queueRows(context.WithoutCancel(ctx), name, rows, checked) // a caller hanging up does not cut the import short
}

// queueRows records the import with its bad rows, then queues each good row that
// differs from its SKU's current revision. A server failure stops it with a
// *StoppedError: the rows queued so far stay queued and recorded, and the same file
// imported again skips them and queues the rest.
func (a *api) queueRows(ctx context.Context, name string, rows []catalog.Row, checked []checkedRow) (ImportAccepted, error) {
	im := store.Import{ID: a.newID(), File: name, Rows: len(rows), CreatedAt: a.now()}
	for i, c := range checked {
		if len(c.reasons) > 0 {
			im.Bad = append(im.Bad, store.BadRow{Row: rows[i].Line, SKU: rows[i].Product.SKU, Reason: strings.Join(c.reasons, "; ")})
		}
	}
	if err := a.imports.PutImport(ctx, im, nil); err != nil {
		return ImportAccepted{}, fmt.Errorf("record import: %w", err)
	}
	var items []store.ImportItem // queued, not yet recorded
	for i, c := range checked {
		if len(c.reasons) > 0 {
			continue
		}
		item, err := a.queueRow(ctx, c)
		if err != nil {
			_ = a.imports.PutImport(ctx, im, items)
			a.log.WarnContext(ctx, "import stopped", slog.String("import", im.ID), slog.Int("row", rows[i].Line), slog.Any("error", err))
			return ImportAccepted{}, &StoppedError{ID: im.ID, Row: rows[i].Line, SKU: c.product.SKU, Queued: im.Queued, Skipped: im.Skipped, Err: err}
		}
		if item == nil {
			im.Skipped++
			continue
		}
		im.Queued++
		items = append(items, *item)
		if len(items) == importProgressEvery {
			if err := a.imports.PutImport(ctx, im, items); err == nil {
				items = nil
			} // else kept for the next write
		}
	}
	if err := a.imports.PutImport(ctx, im, items); err != nil {
		return ImportAccepted{}, fmt.Errorf("record import: %w", err)
	}
	return ImportAccepted{ID: im.ID, Rows: im.Rows, Bad: nonNilBad(im.Bad), Queued: im.Queued, Skipped: im.Skipped}, nil
}
