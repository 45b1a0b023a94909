package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/taxonomy"
)

var _ Taxonomy = (*sqlStore)(nil)

// insertBatch is how many rows one multi-row INSERT carries: few enough to stay far
// below either engine's limit on parameters, many enough that thousands of
// categories take a handful of round trips.
const insertBatch = 500

func (s *sqlStore) ReplaceTaxonomy(ctx context.Context, marketplace string, cs []taxonomy.Category, ds []taxonomy.Definition, syncedAt time.Time) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("replace taxonomy: unknown marketplace %q", marketplace)
	}
	categories := make([][]any, 0, len(cs))
	seen := make(map[string]bool, len(cs))
	for i, c := range cs {
		if c.ID == "" {
			return fmt.Errorf("replace taxonomy of %s: category %d (%q) has no ID", marketplace, i, c.Name)
		}
		if seen[c.ID] {
			return fmt.Errorf("replace taxonomy of %s: category %s listed twice", marketplace, c.ID)
		}
		seen[c.ID] = true
		path, err := json.Marshal(nonNil(c.Path))
		if err != nil {
			return fmt.Errorf("replace taxonomy of %s: category %s: %w", marketplace, c.ID, err)
		}
		categories = append(categories, []any{marketplace, c.ID, nullString(c.ParentID), c.Name, string(path), c.Leaf, i})
	}
	definitions := make([][]any, 0, len(ds))
	defined := make(map[string]bool, len(ds))
	for _, d := range ds {
		if d.CategoryID == "" {
			return fmt.Errorf("replace taxonomy of %s: a definition has no category ID", marketplace)
		}
		if defined[d.CategoryID] {
			return fmt.Errorf("replace taxonomy of %s: category %s defined twice", marketplace, d.CategoryID)
		}
		defined[d.CategoryID] = true
		row, err := definitionRow(marketplace, d)
		if err != nil {
			return fmt.Errorf("replace taxonomy of %s: %w", marketplace, err)
		}
		definitions = append(definitions, row)
	}

	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			"DELETE FROM taxonomy_categories WHERE marketplace = $1",
			"DELETE FROM taxonomy_definitions WHERE marketplace = $1",
		} {
			if _, err := tx.ExecContext(ctx, q, marketplace); err != nil {
				return err
			}
		}
		if err := insertRows(ctx, tx,
			"INSERT INTO taxonomy_categories (marketplace, id, parent_id, name, path, leaf, seq) VALUES ", "",
			categories); err != nil {
			return err
		}
		if err := insertRows(ctx, tx,
			"INSERT INTO taxonomy_definitions (marketplace, category_id, attributes, json_schema) VALUES ", "",
			definitions); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			INSERT INTO taxonomy_syncs (marketplace, synced_at) VALUES ($1, $2)
			ON CONFLICT (marketplace) DO UPDATE SET synced_at = excluded.synced_at`,
			marketplace, s.d.time(s.stamp(syncedAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("replace taxonomy of %s: %w", marketplace, err)
	}
	return nil
}

// definitionRow is a definition's row of taxonomy_definitions.
func definitionRow(marketplace string, d taxonomy.Definition) ([]any, error) {
	attrs, err := json.Marshal(d.Attributes)
	if err != nil {
		return nil, fmt.Errorf("definition of %s: %w", d.CategoryID, err)
	}
	var schema any
	if len(d.Schema) > 0 {
		if !json.Valid(d.Schema) {
			return nil, fmt.Errorf("schema of %s is not JSON", d.CategoryID)
		}
		schema = string(d.Schema)
	}
	return []any{marketplace, d.CategoryID, string(attrs), schema}, nil
}

func (s *sqlStore) PutDefinition(ctx context.Context, marketplace string, d taxonomy.Definition) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("put definition: unknown marketplace %q", marketplace)
	}
	if d.CategoryID == "" {
		return fmt.Errorf("put definition of %s: no category ID", marketplace)
	}
	row, err := definitionRow(marketplace, d)
	if err != nil {
		return fmt.Errorf("put definition of %s: %w", marketplace, err)
	}
	_, err = s.w.ExecContext(ctx, `
		INSERT INTO taxonomy_definitions (marketplace, category_id, attributes, json_schema) VALUES ($1, $2, $3, $4)
		ON CONFLICT (marketplace, category_id) DO UPDATE SET attributes = excluded.attributes, json_schema = excluded.json_schema`,
		row...)
	if err != nil {
		return fmt.Errorf("put definition of %s category %s: %w", marketplace, d.CategoryID, err)
	}
	return nil
}

func (s *sqlStore) Defined(ctx context.Context, marketplace string) ([]string, error) {
	var out []string
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, "SELECT category_id FROM taxonomy_definitions WHERE marketplace = $1 ORDER BY category_id",
			[]any{marketplace}, func(rows *sql.Rows) error {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				out = append(out, id)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("defined categories of %s: %w", marketplace, err)
	}
	return nonNil(out), nil
}

func (s *sqlStore) Categories(ctx context.Context, marketplace string) ([]taxonomy.Category, error) {
	var out []taxonomy.Category
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, `
			SELECT id, COALESCE(parent_id, ''), name, path, leaf FROM taxonomy_categories
			WHERE marketplace = $1 ORDER BY seq`,
			[]any{marketplace}, func(rows *sql.Rows) error {
				var c taxonomy.Category
				if err := rows.Scan(&c.ID, &c.ParentID, &c.Name, jsonCol{&c.Path}, &c.Leaf); err != nil {
					return err
				}
				out = append(out, c)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("categories of %s: %w", marketplace, err)
	}
	return nonNil(out), nil
}

func (s *sqlStore) Definition(ctx context.Context, marketplace, categoryID string) (taxonomy.Definition, error) {
	d := taxonomy.Definition{CategoryID: categoryID}
	var schema sql.NullString
	err := s.r.QueryRowContext(ctx,
		"SELECT attributes, json_schema FROM taxonomy_definitions WHERE marketplace = $1 AND category_id = $2",
		marketplace, categoryID).Scan(jsonCol{&d.Attributes}, &schema)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return taxonomy.Definition{}, fmt.Errorf("definition of %s category %s: %w", marketplace, categoryID, err)
	}
	if schema.Valid {
		d.Schema = json.RawMessage(schema.String)
	}
	return d, nil
}

func (s *sqlStore) TaxonomySynced(ctx context.Context, marketplace string) (time.Time, error) {
	var t time.Time
	err := s.r.QueryRowContext(ctx, "SELECT synced_at FROM taxonomy_syncs WHERE marketplace = $1", marketplace).Scan(timeCol{&t})
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("taxonomy sync time of %s: %w", marketplace, err)
	}
	return t, nil
}

// PutBrands refuses a brand with no ID or no name. A brand listed twice is stored
// with its last name.
func (s *sqlStore) PutBrands(ctx context.Context, marketplace string, bs []taxonomy.Brand) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("put brands: unknown marketplace %q", marketplace)
	}
	// One INSERT … ON CONFLICT may not touch a row twice (PostgreSQL refuses), so a
	// brand listed twice keeps only its last row.
	at := make(map[string]int, len(bs))
	rows := make([][]any, 0, len(bs))
	for _, b := range bs {
		if b.ID == "" {
			return fmt.Errorf("put brands of %s: brand %q has no ID", marketplace, b.Name)
		}
		key := taxonomy.Fold(b.Name)
		if key == "" {
			return fmt.Errorf("put brands of %s: brand %s has no name", marketplace, b.ID)
		}
		row := []any{marketplace, b.ID, b.Name, key}
		if i, ok := at[b.ID]; ok {
			rows[i] = row
			continue
		}
		at[b.ID] = len(rows)
		rows = append(rows, row)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		return insertRows(ctx, tx,
			"INSERT INTO taxonomy_brands (marketplace, id, name, name_key) VALUES ",
			" ON CONFLICT (marketplace, id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key",
			rows)
	})
	if err != nil {
		return fmt.Errorf("put brands of %s: %w", marketplace, err)
	}
	return nil
}

func (s *sqlStore) BrandsNamed(ctx context.Context, marketplace, name string) ([]taxonomy.Brand, error) {
	key := taxonomy.Fold(name)
	if key == "" {
		return []taxonomy.Brand{}, nil
	}
	var out []taxonomy.Brand
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx,
			"SELECT id, name FROM taxonomy_brands WHERE marketplace = $1 AND name_key = $2 ORDER BY id",
			[]any{marketplace, key}, func(rows *sql.Rows) error {
				var b taxonomy.Brand
				if err := rows.Scan(&b.ID, &b.Name); err != nil {
					return err
				}
				out = append(out, b)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("brands of %s named %q: %w", marketplace, name, err)
	}
	return nonNil(out), nil
}

func (s *sqlStore) BrandCount(ctx context.Context, marketplace string) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM taxonomy_brands WHERE marketplace = $1", marketplace).Scan(&n); err != nil {
		return 0, fmt.Errorf("count brands of %s: %w", marketplace, err)
	}
	return n, nil
}

// checkPin says what is wrong with a pin's key, and with its target when to is set.
func checkPin(p Pin, to bool) error {
	if !messages.IsMarketplace(p.Marketplace) {
		return fmt.Errorf("unknown marketplace %q", p.Marketplace)
	}
	switch p.Kind {
	case PinCategory, PinBrand:
		if p.Attribute != "" {
			return fmt.Errorf("a %s pin names no attribute, got %q", p.Kind, p.Attribute)
		}
	case PinValue:
		if p.Attribute == "" {
			return errors.New("a value pin needs the attribute it applies to")
		}
	default:
		return fmt.Errorf("unknown pin kind %q: want %s, %s or %s", p.Kind, PinCategory, PinBrand, PinValue)
	}
	if taxonomy.Fold(p.From) == "" {
		return fmt.Errorf("%s pin has no seller word to map from", p.Kind)
	}
	if to && p.To == "" {
		return fmt.Errorf("%s pin of %q has no marketplace ID to map to", p.Kind, p.From)
	}
	return nil
}

func (s *sqlStore) Pin(ctx context.Context, p Pin) error {
	if err := checkPin(p, true); err != nil {
		return fmt.Errorf("pin: %w: %w", ErrBadPin, err)
	}
	if p.Kind == PinCategory {
		if err := s.checkLeaf(ctx, p.Marketplace, p.To); err != nil {
			return fmt.Errorf("pin %q: %w", p.From, err)
		}
	}
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO taxonomy_pins (marketplace, kind, attribute, from_key, from_word, to_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (marketplace, kind, attribute, from_key) DO UPDATE SET
			from_word = excluded.from_word,
			to_id = excluded.to_id,
			created_at = excluded.created_at`,
		p.Marketplace, p.Kind, p.Attribute, taxonomy.Fold(p.From), p.From, p.To, s.d.time(s.stamp(time.Time{})))
	if err != nil {
		return fmt.Errorf("pin %s %q on %s: %w", p.Kind, p.From, p.Marketplace, err)
	}
	return nil
}

// checkLeaf refuses a category that the stored taxonomy of marketplace lacks or has
// as a parent; before the first sync there is nothing to check against.
func (s *sqlStore) checkLeaf(ctx context.Context, marketplace, id string) error {
	var leaf bool
	var path []string
	err := s.r.QueryRowContext(ctx, "SELECT leaf, path FROM taxonomy_categories WHERE marketplace = $1 AND id = $2",
		marketplace, id).Scan(&leaf, jsonCol{&path})
	if errors.Is(err, sql.ErrNoRows) {
		var any int
		if err := s.r.QueryRowContext(ctx, "SELECT COUNT(*) FROM taxonomy_categories WHERE marketplace = $1", marketplace).Scan(&any); err != nil {
			return err
		}
		if any == 0 {
			return nil
		}
		return fmt.Errorf("%w: %s has no category %s", ErrBadPin, marketplace, id)
	}
	if err != nil {
		return err
	}
	if !leaf {
		return fmt.Errorf("%w: %s category %s (%s) is not a leaf: pin one of its subcategories", ErrBadPin, marketplace, id, strings.Join(path, " > "))
	}
	return nil
}

func (s *sqlStore) Unpin(ctx context.Context, p Pin) error {
	if err := checkPin(p, false); err != nil {
		return fmt.Errorf("unpin: %w", err)
	}
	res, err := s.w.ExecContext(ctx,
		"DELETE FROM taxonomy_pins WHERE marketplace = $1 AND kind = $2 AND attribute = $3 AND from_key = $4",
		p.Marketplace, p.Kind, p.Attribute, taxonomy.Fold(p.From))
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("unpin %s %q on %s: %w", p.Kind, p.From, p.Marketplace, err)
	}
	return nil
}

func (s *sqlStore) Pins(ctx context.Context, marketplace string) ([]Pin, error) {
	var out []Pin
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, `
			SELECT marketplace, kind, attribute, from_word, to_id, created_at FROM taxonomy_pins
			WHERE $1 = '' OR marketplace = $1
			ORDER BY marketplace, kind, attribute, from_key`,
			[]any{marketplace}, func(rows *sql.Rows) error {
				var p Pin
				if err := rows.Scan(&p.Marketplace, &p.Kind, &p.Attribute, &p.From, &p.To, timeCol{&p.CreatedAt}); err != nil {
					return err
				}
				out = append(out, p)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("pins of %q: %w", marketplace, err)
	}
	return nonNil(out), nil
}

// storedInput is a ListingInput as listing_inputs.input keeps it; its time has its
// own column.
type storedInput struct {
	Category   string            `json:"category,omitempty"`
	Brand      string            `json:"brand,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

func (s *sqlStore) SetListingInput(ctx context.Context, productID, marketplace string, in ListingInput) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("set listing input of %s: unknown marketplace %q", productID, marketplace)
	}
	b, err := json.Marshal(storedInput{Category: in.Category, Brand: in.Brand, Attributes: in.Attributes})
	if err != nil {
		return fmt.Errorf("set listing input of %s on %s: %w", productID, marketplace, err)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		var found int
		err := tx.QueryRowContext(ctx, "SELECT 1 FROM products WHERE id = $1"+s.d.lockProduct, productID).Scan(&found)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `
			INSERT INTO listing_inputs (product_id, marketplace, input, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (product_id, marketplace) DO UPDATE SET
				input = excluded.input,
				updated_at = excluded.updated_at`,
			productID, marketplace, string(b), s.d.time(s.stamp(in.UpdatedAt)))
		return err
	})
	if err != nil {
		return fmt.Errorf("set listing input of %s on %s: %w", productID, marketplace, err)
	}
	return nil
}

func (s *sqlStore) ListingInput(ctx context.Context, productID, marketplace string) (ListingInput, error) {
	var in ListingInput
	err := s.r.QueryRowContext(ctx,
		"SELECT input, updated_at FROM listing_inputs WHERE product_id = $1 AND marketplace = $2",
		productID, marketplace).Scan(inputCol{&in}, nullTimeCol{&in.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return ListingInput{}, nil
	}
	if err != nil {
		return ListingInput{}, fmt.Errorf("listing input of %s on %s: %w", productID, marketplace, err)
	}
	return in, nil
}

// inputCol scans listing_inputs.input into a ListingInput; NULL (no row on a LEFT
// JOIN) leaves it alone.
type inputCol struct{ in *ListingInput }

func (c inputCol) Scan(src any) error {
	var stored storedInput
	if err := (jsonCol{&stored}).Scan(src); err != nil {
		return err
	}
	c.in.Category, c.in.Brand, c.in.Attributes = stored.Category, stored.Brand, stored.Attributes
	return nil
}

// nullTimeCol scans a nullable time column; NULL leaves the time alone.
type nullTimeCol struct{ t *time.Time }

func (c nullTimeCol) Scan(src any) error {
	if src == nil {
		return nil
	}
	return timeCol(c).Scan(src)
}

// insertRows inserts rows with multi-row INSERTs of up to insertBatch rows: prefix is
// "INSERT INTO t (a, b) VALUES ", suffix what follows the values (an ON CONFLICT
// clause, or ""). Every row has as many values as the first.
func insertRows(ctx context.Context, tx *sql.Tx, prefix, suffix string, rows [][]any) error {
	for len(rows) > 0 {
		batch := rows[:min(len(rows), insertBatch)]
		rows = rows[len(batch):]
		var (
			q    strings.Builder
			args = make([]any, 0, len(batch)*len(batch[0]))
		)
		q.WriteString(prefix)
		for i, row := range batch {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j, v := range row {
				if j > 0 {
					q.WriteString(", ")
				}
				args = append(args, v)
				q.WriteString("$" + strconv.Itoa(len(args)))
			}
			q.WriteByte(')')
		}
		q.WriteString(suffix)
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
