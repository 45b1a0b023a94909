package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Query selects products for the console's list. Every set field narrows the list;
// the zero Query lists every product, newest first.
type Query struct {
	// Text matches products whose SKU or name contains it, ignoring ASCII case.
	Text string
	// Stage keeps products with a stage of their current revision in this state
	// (StatePending, StateDone, StateFailed).
	Stage string
	// Marketplace keeps products with a listing on it; with Listing, in that state.
	Marketplace string
	// Listing keeps products with a listing (on Marketplace when set) in this state.
	Listing string
	// Attention keeps products that need the seller: a failed stage, or a listing
	// rejected or waiting for input.
	Attention bool
	// Limit is the most products returned; After the ID of the last product of the
	// previous page ("" for the first page), as in Products.
	Limit int
	After string
}

// Found is one product of a search: its summary and the state of each of its
// listings, by marketplace.
type Found struct {
	Summary
	Listings map[string]string `json:"listings,omitempty"`
}

// Searcher finds products by what the seller asks for. The SQL stores implement it;
// it is apart from Store so the many stores in tests need not.
type Searcher interface {
	Search(ctx context.Context, q Query) ([]Found, error)
}

// Search lists the products q selects, newest first, filtered in the database so a
// page is full whatever share of the catalog matches.
func (s *sqlStore) Search(ctx context.Context, q Query) ([]Found, error) {
	if q.Limit < 1 {
		return nil, fmt.Errorf("search: limit %d is not positive", q.Limit)
	}
	where, args := q.where()
	var list []Found
	err := s.read(ctx, func(tx *sql.Tx) error {
		if q.After != "" {
			var found int
			err := tx.QueryRowContext(ctx, "SELECT 1 FROM products WHERE id = $1", q.After).Scan(&found)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("after %s: %w", q.After, ErrNotFound)
			}
			if err != nil {
				return err
			}
			args = append(args, q.After)
			where = append(where, fmt.Sprintf("(p.created_at, p.id) < (SELECT created_at, id FROM products WHERE id = $%d)", len(args)))
		}
		args = append(args, q.Limit)
		sqlText := "SELECT p.id, p.sku, p.revision, p.product->>'name', p.created_at FROM products p"
		if len(where) > 0 {
			sqlText += " WHERE " + strings.Join(where, " AND ")
		}
		sqlText += fmt.Sprintf(" ORDER BY p.created_at DESC, p.id DESC LIMIT $%d", len(args))
		err := query(ctx, tx, sqlText, args, func(rows *sql.Rows) error {
			f := Found{Summary: Summary{Stages: map[string]Stage{}}, Listings: map[string]string{}}
			var name sql.NullString
			if err := rows.Scan(&f.ID, &f.SKU, &f.Revision, &name, timeCol{&f.CreatedAt}); err != nil {
				return err
			}
			f.Name = name.String
			list = append(list, f)
			return nil
		})
		if err != nil {
			return err
		}
		return s.searchStates(ctx, tx, list)
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	if list == nil {
		list = []Found{}
	}
	return list, nil
}

// where is q's conditions on products p, numbered from $1.
func (q Query) where() ([]string, []any) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	current := func(table string) string {
		return "SELECT 1 FROM " + table + " x WHERE x.product_id = p.id AND x.revision = p.revision"
	}
	if t := strings.TrimSpace(q.Text); t != "" {
		like := arg("%" + strings.ToLower(escapeLike(t)) + "%")
		where = append(where, fmt.Sprintf("(LOWER(p.sku) LIKE %s ESCAPE '\\' OR LOWER(p.product->>'name') LIKE %s ESCAPE '\\')", like, like))
	}
	if q.Stage != "" {
		where = append(where, fmt.Sprintf("EXISTS (%s AND x.state = %s)", current("stages"), arg(q.Stage)))
	}
	if q.Marketplace != "" || q.Listing != "" {
		cond := current("listings")
		if q.Marketplace != "" {
			cond += " AND x.marketplace = " + arg(q.Marketplace)
		}
		if q.Listing != "" {
			cond += " AND x.state = " + arg(q.Listing)
		}
		where = append(where, "EXISTS ("+cond+")")
	}
	if q.Attention {
		where = append(where, fmt.Sprintf("(EXISTS (%s AND x.state = %s) OR EXISTS (%s AND x.state IN (%s, %s)))",
			current("stages"), arg(StateFailed), current("listings"), arg(ListingRejected), arg(ListingNeedsInput)))
	}
	return where, args
}

// escapeLike makes s match itself in a LIKE pattern with ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// searchStates fills in the stages and listing states of list's current revisions.
func (s *sqlStore) searchStates(ctx context.Context, tx *sql.Tx, list []Found) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[string]int, len(list))
	marks := make([]string, len(list))
	args := make([]any, len(list))
	for i, f := range list {
		byID[f.ID] = i
		marks[i] = fmt.Sprintf("$%d", i+1)
		args[i] = f.ID
	}
	in := strings.Join(marks, ", ")
	err := query(ctx, tx, `
		SELECT s.product_id, s.stage, s.state, s.reasons, s.updated_at
		FROM stages s JOIN products p ON p.id = s.product_id AND p.revision = s.revision
		WHERE s.product_id IN (`+in+`)`, args, func(rows *sql.Rows) error {
		var (
			id, name string
			st       Stage
		)
		if err := rows.Scan(&id, &name, &st.State, jsonCol{&st.Reasons}, timeCol{&st.UpdatedAt}); err != nil {
			return err
		}
		list[byID[id]].Stages[name] = st
		return nil
	})
	if err != nil {
		return err
	}
	return query(ctx, tx, `
		SELECT l.product_id, l.marketplace, l.state
		FROM listings l JOIN products p ON p.id = l.product_id AND p.revision = l.revision
		WHERE l.product_id IN (`+in+`)`, args, func(rows *sql.Rows) error {
		var id, m, state string
		if err := rows.Scan(&id, &m, &state); err != nil {
			return err
		}
		list[byID[id]].Listings[m] = state
		return nil
	})
}
