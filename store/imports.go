package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stox-dev/stox/messages"
)

// Import is one catalogue file imported in bulk: how many rows it had, how many were
// queued as new revisions, skipped as unchanged, and which were bad and why.
type Import struct {
	ID        string    `json:"id"`
	File      string    `json:"file"`
	Rows      int       `json:"rows"`
	Queued    int       `json:"queued"`
	Skipped   int       `json:"skipped"`
	Bad       []BadRow  `json:"bad_rows"`
	CreatedAt time.Time `json:"created_at"`
}

// BadRow is a row of an import that was not queued: its line in the file (the header
// is line 1), its SKU when it had one, and why.
type BadRow struct {
	Row    int    `json:"row"`
	SKU    string `json:"sku,omitempty"`
	Reason string `json:"reason"`
}

// ImportProgress is where the products an import queued are in the pipeline, each at
// the revision the import queued.
type ImportProgress struct {
	Import
	// Images counts the queued products by the state of their images stage.
	Images map[string]int
	// Listings counts their listings by marketplace, then state.
	Listings map[string]map[string]int
	// Settled counts the queued products that need nothing more from the pipeline:
	// a stage failed, every marketplace they are for has decided its listing
	// (accepted, rejected or needs_input), or a newer revision replaced them.
	Settled int
}

// Current is the current revision of a product, as the importer compares a row with.
type Current struct {
	ID       string
	Revision int
	Product  messages.Product
	Photos   []messages.Photo
	// Failed says a stage of it failed (or it was stored but never accepted), so the
	// same content imported again is queued again rather than skipped.
	Failed bool
}

// ImportItem is a product revision an import queued.
type ImportItem struct {
	ProductID string
	Revision  int
}

// Importer records bulk imports and answers their progress.
type Importer interface {
	// CurrentProduct returns the current revision of the product with sku, or
	// ErrNotFound.
	CurrentProduct(ctx context.Context, sku string) (Current, error)
	// PutImport records an import, or replaces its counts and bad rows, and records
	// that it queued items (added to those recorded before), in one transaction: an
	// importer records the products it queued in batches, as a write per product
	// would double the time an import takes.
	PutImport(ctx context.Context, im Import, items []ImportItem) error
	// ImportProgress returns an import and its products' progress, or ErrNotFound.
	ImportProgress(ctx context.Context, id string) (ImportProgress, error)
}

var _ Importer = (*sqlStore)(nil)

// decided are the listing states after which a marketplace needs nothing more from
// the pipeline for a revision.
var decided = []string{ListingAccepted, ListingRejected, ListingNeedsInput}

func (s *sqlStore) CurrentProduct(ctx context.Context, sku string) (Current, error) {
	var c Current
	err := s.read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `
			SELECT id, revision, product, photos, EXISTS (SELECT 1 FROM stages s
				WHERE s.product_id = p.id AND s.revision = p.revision AND s.state = $2)
			FROM products p WHERE sku = $1`, sku, StateFailed).
			Scan(&c.ID, &c.Revision, jsonCol{&c.Product}, jsonCol{&c.Photos}, &c.Failed)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return Current{}, ErrNotFound
	}
	if err != nil {
		return Current{}, fmt.Errorf("current product %s: %w", sku, err)
	}
	return c, nil
}

func (s *sqlStore) PutImport(ctx context.Context, im Import, items []ImportItem) error {
	if im.ID == "" {
		return errors.New("put import: empty ID")
	}
	bad, err := json.Marshal(nonNil(im.Bad))
	if err != nil {
		return fmt.Errorf("put import %s: %w", im.ID, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO imports (id, file, rows_read, queued, skipped, bad, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (id) DO UPDATE SET
				rows_read = excluded.rows_read,
				queued = excluded.queued,
				skipped = excluded.skipped,
				bad = excluded.bad`,
			im.ID, im.File, im.Rows, im.Queued, im.Skipped, string(bad), s.d.time(s.stamp(im.CreatedAt)))
		for _, it := range items {
			if err != nil {
				break
			}
			_, err = tx.ExecContext(ctx, `
				INSERT INTO import_items (import_id, product_id, revision) VALUES ($1, $2, $3)
				ON CONFLICT (import_id, product_id) DO UPDATE SET revision = excluded.revision`,
				im.ID, it.ProductID, it.Revision)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("put import %s: %w", im.ID, err)
	}
	return nil
}

// importItem is what ImportProgress gathers about one queued product.
type importItem struct {
	superseded   bool
	marketplaces []string
	failed       bool
	listings     map[string]string
}

func (s *sqlStore) ImportProgress(ctx context.Context, id string) (ImportProgress, error) {
	p := ImportProgress{Images: map[string]int{}, Listings: map[string]map[string]int{}}
	items := map[string]*importItem{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT id, file, rows_read, queued, skipped, bad, created_at FROM imports WHERE id = $1", id).
			Scan(&p.ID, &p.File, &p.Rows, &p.Queued, &p.Skipped, jsonCol{&p.Bad}, timeCol{&p.CreatedAt})
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		return s.importItems(ctx, tx, id, p, items)
	})
	if errors.Is(err, ErrNotFound) {
		return ImportProgress{}, ErrNotFound
	}
	if err != nil {
		return ImportProgress{}, fmt.Errorf("import progress %s: %w", id, err)
	}
	for _, it := range items {
		if it.superseded || it.failed || allDecided(it) {
			p.Settled++
		}
	}
	return p, nil
}

// importItems reads the import's products, their stages and listings at the revision
// it queued, counting them into p and gathering each product into items.
func (s *sqlStore) importItems(ctx context.Context, tx *sql.Tx, id string, p ImportProgress, items map[string]*importItem) error {
	err := query(ctx, tx, `
		SELECT i.product_id, i.revision <> p.revision, p.product FROM import_items i
		JOIN products p ON p.id = i.product_id WHERE i.import_id = $1`, []any{id}, func(rows *sql.Rows) error {
		var (
			pid string
			it  importItem
			pr  messages.Product
		)
		if err := rows.Scan(&pid, &it.superseded, jsonCol{&pr}); err != nil {
			return err
		}
		it.marketplaces, it.listings = pr.Marketplaces, map[string]string{}
		items[pid] = &it
		return nil
	})
	if err != nil {
		return err
	}
	const at = " s JOIN import_items i ON i.product_id = s.product_id AND i.revision = s.revision WHERE i.import_id = $1"
	err = query(ctx, tx, "SELECT s.product_id, s.stage, s.state FROM stages"+at, []any{id}, func(rows *sql.Rows) error {
		var pid, stage, state string
		if err := rows.Scan(&pid, &stage, &state); err != nil {
			return err
		}
		if stage == StageImages {
			p.Images[state]++
		}
		if it := items[pid]; it != nil && state == StateFailed {
			it.failed = true
		}
		return nil
	})
	if err != nil {
		return err
	}
	return query(ctx, tx, "SELECT s.product_id, s.marketplace, s.state FROM listings"+at, []any{id}, func(rows *sql.Rows) error {
		var pid, mp, state string
		if err := rows.Scan(&pid, &mp, &state); err != nil {
			return err
		}
		if p.Listings[mp] == nil {
			p.Listings[mp] = map[string]int{}
		}
		p.Listings[mp][state]++
		if it := items[pid]; it != nil {
			it.listings[mp] = state
		}
		return nil
	})
}

// allDecided says every marketplace the product is for has decided its listing.
func allDecided(it *importItem) bool {
	for _, mp := range it.marketplaces {
		if !slices.Contains(decided, it.listings[mp]) {
			return false
		}
	}
	return true
}
