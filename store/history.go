package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Change is one entry of a SKU's stock ledger: a hand set, or an order line's status
// (created, cancelled, returned) that moved its stock.
type Change struct {
	Delta    int    `json:"delta"`
	Quantity int    `json:"quantity"` // after the change
	Version  int64  `json:"version"`
	Reason   string `json:"reason"` // "set" or the order line's status
	// The order line that made the change; empty for a hand set.
	Marketplace string    `json:"marketplace,omitempty"`
	OrderID     string    `json:"order_id,omitempty"`
	LineID      string    `json:"line_id,omitempty"`
	At          time.Time `json:"at"`
}

// History lists a SKU's latest ledger entries, newest first: its latest orders and
// hand sets, for the console's stock page. An unknown SKU has none.
func (s *sqlStore) History(ctx context.Context, sku string, limit int) ([]Change, error) {
	if limit < 1 {
		return nil, fmt.Errorf("history of %s: limit %d is not positive", sku, limit)
	}
	list := []Change{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, `
			SELECT delta, quantity, version, reason, COALESCE(marketplace, ''), COALESCE(order_id, ''), COALESCE(line_id, ''), created_at
			FROM stock_ledger WHERE sku = $1 ORDER BY id DESC LIMIT $2`, []any{sku, limit}, func(rows *sql.Rows) error {
			var c Change
			if err := rows.Scan(&c.Delta, &c.Quantity, &c.Version, &c.Reason, &c.Marketplace, &c.OrderID, &c.LineID, timeCol{&c.At}); err != nil {
				return err
			}
			list = append(list, c)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", sku, err)
	}
	return list, nil
}
