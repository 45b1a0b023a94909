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

// sqlStore is the Store on database/sql, shared by SQLite and PostgreSQL.
//
// Every row below products carries the revision it belongs to. A write applies only
// when its revision is the product's current one (an older one is stale, a newer one
// names a product state this catalog never had); reads show only rows of the current
// revision. Writes to one product are serialized on its products row.
type sqlStore struct {
	w   *sql.DB // writes; on SQLite, one connection
	r   *sql.DB // reads; the same pool as w on PostgreSQL
	d   dialect
	now func() time.Time
}

// Stored times are UTC with microsecond precision, which both engines keep exactly.
func (s *sqlStore) stamp(t time.Time) time.Time {
	if t.IsZero() {
		t = s.now()
	}
	return t.UTC().Truncate(time.Microsecond)
}

func (s *sqlStore) PutProduct(ctx context.Context, p NewProduct) (string, int, error) {
	if p.ID == "" {
		return "", 0, errors.New("put product: empty ID")
	}
	if p.Product.SKU == "" {
		return "", 0, errors.New("put product: empty SKU")
	}
	product, err := json.Marshal(p.Product)
	if err != nil {
		return "", 0, fmt.Errorf("put product %s: %w", p.Product.SKU, err)
	}
	photos, err := json.Marshal(nonNil(p.Photos))
	if err != nil {
		return "", 0, fmt.Errorf("put product %s: %w", p.Product.SKU, err)
	}
	now := s.d.time(s.stamp(time.Time{}))

	var (
		id       string
		revision int
	)
	err = s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `
			INSERT INTO products (id, sku, revision, product, photos, created_at, updated_at)
			VALUES ($1, $2, 1, $3, $4, $5, $5)
			ON CONFLICT (sku) DO UPDATE SET
				revision = products.revision + 1,
				product = excluded.product,
				photos = excluded.photos,
				updated_at = excluded.updated_at
			RETURNING id, revision`,
			p.ID, p.Product.SKU, string(product), string(photos), now).Scan(&id, &revision)
		if err != nil {
			return err
		}
		for _, stage := range []string{StageImages, StageSEO} {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO stages (product_id, stage, revision, state, reasons, updated_at)
				VALUES ($1, $2, $3, $4, NULL, $5)
				ON CONFLICT (product_id, stage) DO UPDATE SET
					revision = excluded.revision,
					state = excluded.state,
					reasons = NULL,
					updated_at = excluded.updated_at`,
				id, stage, revision, StatePending, now); err != nil {
				return err
			}
		}
		// Reads show only the current revision; deleting the older rows keeps the
		// tables small. Listing rows stay (reads skip them as older): a marketplace
		// that accepted the SKU keeps taking its stock, and the next revision is an
		// update there, not a new product.
		for _, q := range []string{
			"DELETE FROM images WHERE product_id = $1 AND revision < $2",
			"DELETE FROM texts WHERE product_id = $1 AND revision < $2",
		} {
			if _, err := tx.ExecContext(ctx, q, id, revision); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return "", 0, fmt.Errorf("put product %s: %w", p.Product.SKU, err)
	}
	return id, revision, nil
}

func (s *sqlStore) Product(ctx context.Context, id string) (Product, error) {
	p := Product{
		ID:       id,
		Stages:   map[string]Stage{},
		Images:   []messages.Image{},
		Analysis: []messages.Analysis{},
		Texts:    map[string]messages.ListingText{},
		Listings: map[string]Listing{},
	}
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx,
			"SELECT revision, product, photos, created_at, updated_at FROM products WHERE id = $1", id).
			Scan(&p.Revision, jsonCol{&p.Product}, jsonCol{&p.Photos}, timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}

		err = query(ctx, tx, "SELECT stage, state, reasons, updated_at FROM stages WHERE product_id = $1 AND revision = $2",
			[]any{id, p.Revision}, func(rows *sql.Rows) error {
				var (
					name string
					st   Stage
				)
				if err := rows.Scan(&name, &st.State, jsonCol{&st.Reasons}, timeCol{&st.UpdatedAt}); err != nil {
					return err
				}
				p.Stages[name] = st
				return nil
			})
		if err != nil {
			return err
		}

		err = tx.QueryRowContext(ctx, "SELECT images, analysis FROM images WHERE product_id = $1 AND revision = $2", id, p.Revision).
			Scan(jsonCol{&p.Images}, jsonCol{&p.Analysis})
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}

		err = query(ctx, tx, "SELECT marketplace, text FROM texts WHERE product_id = $1 AND revision = $2",
			[]any{id, p.Revision}, func(rows *sql.Rows) error {
				var (
					m    string
					text messages.ListingText
				)
				if err := rows.Scan(&m, jsonCol{&text}); err != nil {
					return err
				}
				p.Texts[m] = text
				return nil
			})
		if err != nil {
			return err
		}

		return query(ctx, tx, `
			SELECT marketplace, state, reasons, COALESCE(submission, ''), mapping, COALESCE(marketplace_barcode, ''), updated_at
			FROM listings WHERE product_id = $1 AND revision = $2`,
			[]any{id, p.Revision}, func(rows *sql.Rows) error {
				var (
					m string
					l Listing
				)
				if err := rows.Scan(&m, &l.State, jsonCol{&l.Reasons}, &l.Submission, jsonCol{&l.Mapping}, &l.Barcode, timeCol{&l.UpdatedAt}); err != nil {
					return err
				}
				p.Listings[m] = l
				return nil
			})
	})
	if err != nil {
		return Product{}, fmt.Errorf("product %s: %w", id, err)
	}
	p.Photos = nonNil(p.Photos)
	p.Images = nonNil(p.Images)
	p.Analysis = nonNil(p.Analysis)
	return p, nil
}

func (s *sqlStore) Products(ctx context.Context, limit int, after string) ([]Summary, error) {
	if limit < 1 {
		return nil, fmt.Errorf("products: limit %d is not positive", limit)
	}
	const page = "SELECT id, sku, revision, product, created_at FROM products "
	const order = " ORDER BY created_at DESC, id DESC LIMIT $1"
	var list []Summary
	err := s.read(ctx, func(tx *sql.Tx) error {
		q, args := page+order, []any{limit}
		if after != "" {
			var found int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM products WHERE id = $1", after).Scan(&found)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("after %s: %w", after, ErrNotFound)
			}
			if err != nil {
				return err
			}
			q = page + "WHERE (created_at, id) < (SELECT created_at, id FROM products WHERE id = $2)" + order
			args = append(args, after)
		}
		byID := map[string]int{}
		err := query(ctx, tx, q, args, func(rows *sql.Rows) error {
			var (
				sum     = Summary{Stages: map[string]Stage{}}
				product messages.Product
			)
			if err := rows.Scan(&sum.ID, &sum.SKU, &sum.Revision, jsonCol{&product}, timeCol{&sum.CreatedAt}); err != nil {
				return err
			}
			sum.Name = product.Name
			byID[sum.ID] = len(list)
			list = append(list, sum)
			return nil
		})
		if err != nil || len(list) == 0 {
			return err
		}
		// The stages of the page, by the page's bounds: its rows are contiguous in
		// (created_at, id) order.
		first, last := list[0].ID, list[len(list)-1].ID
		return query(ctx, tx, `
			SELECT s.product_id, s.stage, s.state, s.reasons, s.updated_at
			FROM stages s JOIN products p ON p.id = s.product_id AND p.revision = s.revision
			WHERE (p.created_at, p.id) <= (SELECT created_at, id FROM products WHERE id = $1)
			  AND (p.created_at, p.id) >= (SELECT created_at, id FROM products WHERE id = $2)`,
			[]any{first, last}, func(rows *sql.Rows) error {
				var (
					id, name string
					st       Stage
				)
				if err := rows.Scan(&id, &name, &st.State, jsonCol{&st.Reasons}, timeCol{&st.UpdatedAt}); err != nil {
					return err
				}
				if i, ok := byID[id]; ok {
					list[i].Stages[name] = st
				}
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("products: %w", err)
	}
	if list == nil {
		list = []Summary{}
	}
	return list, nil
}

func (s *sqlStore) SetStage(ctx context.Context, id string, revision int, stage string, st Stage) error {
	if stage != StageImages && stage != StageSEO {
		return fmt.Errorf("set stage %s of %s: unknown stage", stage, id)
	}
	if st.State != StatePending && st.State != StateDone && st.State != StateFailed {
		return fmt.Errorf("set stage %s of %s: unknown state %q", stage, id, st.State)
	}
	reasons, err := reasonsJSON(st.Reasons)
	if err != nil {
		return fmt.Errorf("set stage %s of %s: %w", stage, id, err)
	}
	stamp := s.d.time(s.stamp(st.UpdatedAt))
	err = s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO stages (product_id, stage, revision, state, reasons, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (product_id, stage) DO UPDATE SET
				revision = excluded.revision,
				state = excluded.state,
				reasons = excluded.reasons,
				updated_at = excluded.updated_at`,
			id, stage, revision, st.State, reasons, stamp)
		if err != nil || stage != StageImages || st.State != StateFailed {
			return err
		}
		// The seo stage writes from the images' output: without it, it never runs.
		_, err = tx.ExecContext(ctx, `
			UPDATE stages SET state = $1, reasons = $2, updated_at = $3
			WHERE product_id = $4 AND stage = $5 AND revision = $6 AND state = $7`,
			StateFailed, imagesFailed, stamp, id, StageSEO, revision, StatePending)
		return err
	})
	if err != nil {
		return fmt.Errorf("set stage %s of %s: %w", stage, id, err)
	}
	return nil
}

func (s *sqlStore) PutImages(ctx context.Context, id string, revision int, images []messages.Image, analysis []messages.Analysis) error {
	imgs, err := json.Marshal(nonNil(images))
	if err != nil {
		return fmt.Errorf("put images of %s: %w", id, err)
	}
	an, err := json.Marshal(nonNil(analysis))
	if err != nil {
		return fmt.Errorf("put images of %s: %w", id, err)
	}
	err = s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO images (product_id, revision, images, analysis)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (product_id) DO UPDATE SET
				revision = excluded.revision,
				images = excluded.images,
				analysis = excluded.analysis`,
			id, revision, string(imgs), string(an))
		return err
	})
	if err != nil {
		return fmt.Errorf("put images of %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) PutTexts(ctx context.Context, id string, revision int, texts map[string]messages.ListingText) error {
	markets := make([]string, 0, len(texts))
	encoded := make(map[string]string, len(texts))
	for m, text := range texts {
		if !messages.IsMarketplace(m) {
			return fmt.Errorf("put texts of %s: unknown marketplace %q", id, m)
		}
		b, err := json.Marshal(text)
		if err != nil {
			return fmt.Errorf("put texts of %s: %w", id, err)
		}
		markets = append(markets, m)
		encoded[m] = string(b)
	}
	slices.Sort(markets)
	err := s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM texts WHERE product_id = $1", id); err != nil {
			return err
		}
		for _, m := range markets {
			if _, err := tx.ExecContext(ctx,
				"INSERT INTO texts (product_id, marketplace, revision, text) VALUES ($1, $2, $3, $4)",
				id, m, revision, encoded[m]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("put texts of %s: %w", id, err)
	}
	return nil
}

func (s *sqlStore) SetListing(ctx context.Context, id string, revision int, marketplace string, l Listing) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("set listing of %s: unknown marketplace %q", id, marketplace)
	}
	switch l.State {
	case ListingQueued, ListingSubmitted, ListingAccepted, ListingRejected:
	default:
		return fmt.Errorf("set listing of %s on %s: unknown state %q", id, marketplace, l.State)
	}
	reasons, err := reasonsJSON(l.Reasons)
	if err != nil {
		return fmt.Errorf("set listing of %s on %s: %w", id, marketplace, err)
	}
	mapping, err := mappingJSON(l.Mapping)
	if err != nil {
		return fmt.Errorf("set listing of %s on %s: %w", id, marketplace, err)
	}
	err = s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO listings (product_id, marketplace, revision, state, reasons, submission, mapping, marketplace_barcode, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			ON CONFLICT (product_id, marketplace) DO UPDATE SET
				revision = excluded.revision,
				state = excluded.state,
				reasons = excluded.reasons,
				submission = excluded.submission,
				mapping = COALESCE(excluded.mapping, listings.mapping),
				marketplace_barcode = COALESCE(excluded.marketplace_barcode, listings.marketplace_barcode),
				updated_at = excluded.updated_at`,
			id, marketplace, revision, l.State, reasons, nullString(l.Submission), mapping, nullString(l.Barcode),
			s.d.time(s.stamp(l.UpdatedAt)))
		if err != nil || l.State != ListingAccepted {
			return err
		}
		_, err = tx.ExecContext(ctx, "UPDATE listings SET accepted = TRUE WHERE product_id = $1 AND marketplace = $2", id, marketplace)
		return err
	})
	if err != nil {
		return fmt.Errorf("set listing of %s on %s: %w", id, marketplace, err)
	}
	return nil
}

func (s *sqlStore) Close() error {
	if s.r != s.w {
		return errors.Join(s.r.Close(), s.w.Close())
	}
	return s.w.Close()
}

// write runs fn in a write transaction.
func (s *sqlStore) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

// writeRevision runs fn in a write transaction when revision is the product's
// current one, holding the product's row; it ignores any other revision and returns
// ErrNotFound for an unknown product.
func (s *sqlStore) writeRevision(ctx context.Context, id string, revision int, fn func(*sql.Tx) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		var current int
		err := tx.QueryRowContext(ctx, "SELECT revision FROM products WHERE id = $1"+s.d.lockProduct, id).Scan(&current)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if revision != current {
			return nil
		}
		return fn(tx)
	})
}

// read runs fn in a read transaction: one consistent snapshot.
func (s *sqlStore) read(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, s.d.readTx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// query runs q and calls fn for each row.
func query(ctx context.Context, tx *sql.Tx, q string, args []any, fn func(*sql.Rows) error) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// imagesFailed is the seo stage's reasons when the images stage failed.
var imagesFailed, _ = reasonsJSON([]string{ReasonImagesFailed})

// reasonsJSON encodes reasons, storing none as NULL.
func reasonsJSON(reasons []string) (any, error) {
	if len(reasons) == 0 {
		return nil, nil
	}
	b, err := json.Marshal(reasons)
	if err != nil {
		return nil, err
	}
	return string(b), nil
}

// mappingJSON checks a listing's mapping, storing none (nil) as NULL.
func mappingJSON(m json.RawMessage) (any, error) {
	if len(m) == 0 {
		return nil, nil
	}
	if !json.Valid(m) {
		return nil, errors.New("mapping is not JSON")
	}
	return string(m), nil
}

// nonNil returns s, or an empty slice for nil, so JSON shows [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// jsonCol scans a JSON column (text or bytes; NULL leaves the value alone).
type jsonCol struct{ v any }

func (c jsonCol) Scan(src any) error {
	switch x := src.(type) {
	case nil:
		return nil
	case string:
		return json.Unmarshal([]byte(x), c.v)
	case []byte:
		return json.Unmarshal(x, c.v)
	default:
		return fmt.Errorf("scan JSON column: unexpected %T", src)
	}
}

// timeCol scans a time column: a time from PostgreSQL, UTC text from SQLite.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	var s string
	switch x := src.(type) {
	case time.Time:
		*c.t = x.UTC()
		return nil
	case string:
		s = x
	case []byte:
		s = string(x)
	default:
		return fmt.Errorf("scan time column: unexpected %T", src)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("scan time column: %w", err)
	}
	*c.t = t.UTC()
	return nil
}
