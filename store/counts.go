package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Counts is where the catalog's products are, for `stox status`: every count is of
// current revisions only, so a product counts once whatever its history.
type Counts struct {
	Products int `json:"products"`
	// Stages counts products by stage, then state (images → done → 12).
	Stages map[string]map[string]int `json:"stages"`
	// Listings counts listings by marketplace, then state (amazon → queued → 3).
	Listings map[string]map[string]int `json:"listings"`
}

// Counter counts the catalog.
type Counter interface {
	// Counts returns how many products there are, at which state of each stage,
	// and how many of their listings are at which state on each marketplace.
	Counts(ctx context.Context) (Counts, error)
}

func (s *sqlStore) Counts(ctx context.Context) (Counts, error) {
	c := Counts{Stages: map[string]map[string]int{}, Listings: map[string]map[string]int{}}
	const current = " s JOIN products p ON p.id = s.product_id AND p.revision = s.revision GROUP BY 1, 2"
	err := s.read(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, "SELECT COUNT(*) FROM products").Scan(&c.Products); err != nil {
			return err
		}
		if err := countBy(ctx, tx, "SELECT s.stage, s.state, COUNT(*) FROM stages"+current, c.Stages); err != nil {
			return err
		}
		return countBy(ctx, tx, "SELECT s.marketplace, s.state, COUNT(*) FROM listings"+current, c.Listings)
	})
	if err != nil {
		return Counts{}, fmt.Errorf("count the catalog: %w", err)
	}
	return c, nil
}

// countBy runs q, whose rows are (key, state, count), into into[key][state].
func countBy(ctx context.Context, tx *sql.Tx, q string, into map[string]map[string]int) error {
	return query(ctx, tx, q, nil, func(rows *sql.Rows) error {
		var (
			key, state string
			n          int
		)
		if err := rows.Scan(&key, &state, &n); err != nil {
			return err
		}
		if into[key] == nil {
			into[key] = map[string]int{}
		}
		into[key][state] = n
		return nil
	})
}
