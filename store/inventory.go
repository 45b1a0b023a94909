package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stox-dev/stox/messages"
)

// Oversell is an order line the stock could not fully cover: Wanted units were
// ordered (less any already cancelled), Covered of them came from stock. Unknown
// means the SKU had no stock at all.
type Oversell struct {
	ID          int64     `json:"id"`
	SKU         string    `json:"sku"`
	Marketplace string    `json:"marketplace"`
	OrderID     string    `json:"order_id"`
	LineID      string    `json:"line_id"`
	Wanted      int       `json:"wanted"`
	Covered     int       `json:"covered"`
	Unknown     bool      `json:"unknown_sku"`
	At          time.Time `json:"at"`
}

// Ledger reasons besides the order statuses.
const reasonSet = "set"

var _ Inventory = (*sqlStore)(nil)

// forUpdate follows a SELECT of one row in a write transaction to hold that row until
// the transaction ends; empty when the engine has a single writer anyway.
func (d dialect) forUpdate() string { return d.lockProduct }

func (s *sqlStore) SetStock(ctx context.Context, sku string, quantity int) (messages.StockV1, error) {
	if sku == "" {
		return messages.StockV1{}, errors.New("set stock: empty SKU")
	}
	if quantity < 0 {
		return messages.StockV1{}, fmt.Errorf("set stock of %s: quantity %d is negative", sku, quantity)
	}
	now := s.stamp(time.Time{})
	out := messages.StockV1{SKU: sku, Quantity: quantity}
	err := s.write(ctx, func(tx *sql.Tx) error {
		rows, err := s.lockStock(ctx, tx, []string{sku}, now, true)
		if err != nil {
			return err
		}
		r := rows[sku]
		out.Version = r.version + 1
		if err := s.updateStock(ctx, tx, sku, quantity, out.Version, now); err != nil {
			return err
		}
		return s.ledger(ctx, tx, ledgerEntry{sku: sku, delta: quantity - r.quantity, quantity: quantity, reason: reasonSet}, out.Version, now)
	})
	if err != nil {
		return messages.StockV1{}, fmt.Errorf("set stock of %s: %w", sku, err)
	}
	return out, nil
}

func (s *sqlStore) Stock(ctx context.Context, sku string) (int, int64, error) {
	var (
		quantity int
		version  int64
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT quantity, version FROM stock WHERE sku = $1", sku).Scan(&quantity, &version)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("stock of %s: %w", sku, err)
	}
	return quantity, version, nil
}

func (s *sqlStore) Oversells(ctx context.Context, limit int) ([]Oversell, error) {
	if limit < 1 {
		return nil, fmt.Errorf("oversells: limit %d is not positive", limit)
	}
	list := []Oversell{}
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, `
			SELECT id, sku, marketplace, order_id, line_id, wanted, covered, unknown_sku, created_at
			FROM oversells ORDER BY id DESC LIMIT $1`, []any{limit}, func(rows *sql.Rows) error {
			var o Oversell
			if err := rows.Scan(&o.ID, &o.SKU, &o.Marketplace, &o.OrderID, &o.LineID, &o.Wanted, &o.Covered, &o.Unknown, timeCol{&o.At}); err != nil {
				return err
			}
			list = append(list, o)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("oversells: %w", err)
	}
	return list, nil
}

// stockRow is a SKU's stock as a write transaction holds it.
type stockRow struct {
	quantity int
	version  int64
	known    bool
	start    int // quantity when the transaction read it
}

// lockStock reads and holds the stock rows of skus, in SKU order so that concurrent
// transactions never wait on each other in a cycle. With create, a missing row is
// inserted (quantity 0, version 0) and held; without, it is reported as not known.
func (s *sqlStore) lockStock(ctx context.Context, tx *sql.Tx, skus []string, now time.Time, create bool) (map[string]*stockRow, error) {
	skus = slices.Clone(skus)
	slices.Sort(skus)
	skus = slices.Compact(skus)
	rows := make(map[string]*stockRow, len(skus))
	for _, sku := range skus {
		if create {
			if _, err := tx.ExecContext(ctx, `
				INSERT INTO stock (sku, quantity, version, updated_at) VALUES ($1, 0, 0, $2)
				ON CONFLICT (sku) DO NOTHING`, sku, s.d.time(now)); err != nil {
				return nil, err
			}
		}
		r := &stockRow{known: true}
		err := tx.QueryRowContext(ctx, "SELECT quantity, version FROM stock WHERE sku = $1"+s.d.forUpdate(), sku).Scan(&r.quantity, &r.version)
		if errors.Is(err, sql.ErrNoRows) {
			r.known = false
		} else if err != nil {
			return nil, err
		}
		r.start = r.quantity
		rows[sku] = r
	}
	return rows, nil
}

func (s *sqlStore) updateStock(ctx context.Context, tx *sql.Tx, sku string, quantity int, version int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, "UPDATE stock SET quantity = $2, version = $3, updated_at = $4 WHERE sku = $1",
		sku, quantity, version, s.d.time(now))
	return err
}

// ledgerEntry is one change of a SKU's stock.
type ledgerEntry struct {
	sku      string
	delta    int
	quantity int // after the change
	reason   string
	// The order line that made the change; empty for a hand set.
	marketplace, orderID, lineID string
}

func (s *sqlStore) ledger(ctx context.Context, tx *sql.Tx, e ledgerEntry, version int64, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO stock_ledger (sku, delta, quantity, version, reason, marketplace, order_id, line_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		e.sku, e.delta, e.quantity, version, e.reason, nullString(e.marketplace), nullString(e.orderID), nullString(e.lineID), s.d.time(now))
	return err
}

// orderLine is an order line's row: which statuses were applied and what they did.
type orderLine struct {
	sku                                   string
	ordered, covered, cancelled, returned sql.Null[int]
	restocked                             int
}

// released is how many of the line's units were cancelled or returned, at most the
// ordered quantity once that is known.
func (l orderLine) released() int {
	r := l.cancelled.V + l.returned.V
	if l.ordered.Valid {
		r = min(r, l.ordered.V)
	}
	return r
}

// givenBack is how much of what the created line took goes back to stock once
// released units are cancelled or returned. The units stock could not cover go first:
// cancelling them frees nothing.
func (l orderLine) givenBack() int {
	if !l.ordered.Valid {
		return 0
	}
	return max(0, l.released()-(l.ordered.V-l.covered.V))
}

// applied reports whether status was already applied to the line.
func (l orderLine) applied(status string) bool {
	switch status {
	case messages.OrderCreated:
		return l.ordered.Valid
	case messages.OrderCancelled:
		return l.cancelled.Valid
	default:
		return l.returned.Valid
	}
}

// create records the created line on its row and returns how many units the line
// wants (those not cancelled or returned before the order arrived) and how many of
// them st, the SKU's held stock, covers.
func (l *orderLine) create(line messages.OrderLine, st *stockRow) (wanted, covered int) {
	l.sku = line.SKU
	wanted = line.Quantity - min(l.released(), line.Quantity)
	if st.known {
		covered = min(wanted, st.quantity)
	}
	l.ordered = sql.Null[int]{V: line.Quantity, Valid: true}
	l.covered = sql.Null[int]{V: covered, Valid: true}
	return wanted, covered
}

// release records a cancellation or return of quantity units on the line's row and
// returns how many units go back to stock now: what givenBack allows, less what
// earlier releases already gave back.
func (l *orderLine) release(status string, quantity int) int {
	q := sql.Null[int]{V: quantity, Valid: true}
	if status == messages.OrderCancelled {
		l.cancelled = q
	} else {
		l.returned = q
	}
	back := l.givenBack()
	delta := back - l.restocked
	l.restocked = back
	return delta
}

func (s *sqlStore) ApplyOrder(ctx context.Context, o messages.OrderV1) ([]messages.StockV1, []Oversell, error) {
	if err := checkOrder(o); err != nil {
		return nil, nil, fmt.Errorf("apply order %s on %s: %w", o.OrderID, o.Marketplace, err)
	}
	lines := slices.Clone(o.Lines)
	slices.SortFunc(lines, func(a, b messages.OrderLine) int { return cmp.Compare(a.LineID, b.LineID) })
	now := s.stamp(time.Time{})

	var (
		changed  []messages.StockV1
		oversold []Oversell
	)
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Hold the lines first, then the stock rows, each in key order: every
		// transaction takes its locks in the same order, so none waits in a cycle.
		rows, skus, err := s.lockLines(ctx, tx, o, lines, now)
		if err != nil {
			return err
		}
		stock, err := s.lockStock(ctx, tx, skus, now, false)
		if err != nil {
			return err
		}
		var entries []ledgerEntry
		if entries, oversold, err = s.applyLines(ctx, tx, o, lines, rows, stock, now); err != nil {
			return err
		}
		if changed, err = s.writeStock(ctx, tx, stock, now); err != nil {
			return err
		}
		return s.writeLedger(ctx, tx, entries, changed, now)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("apply order %s on %s: %w", o.OrderID, o.Marketplace, err)
	}
	return changed, oversold, nil
}

// lockLines holds the rows of the order's lines (sorted by line ID), inserting new
// ones, and returns them with the SKUs whose stock the order can move: none for a line
// that already has the order's status, nor for a release of a line never created.
func (s *sqlStore) lockLines(ctx context.Context, tx *sql.Tx, o messages.OrderV1, lines []messages.OrderLine, now time.Time) ([]orderLine, []string, error) {
	rows := make([]orderLine, len(lines))
	var skus []string
	for i, l := range lines {
		r, err := s.lockLine(ctx, tx, o.Marketplace, o.OrderID, l, now)
		if err != nil {
			return nil, nil, err
		}
		rows[i] = r
		switch {
		case r.applied(o.Status):
		case o.Status == messages.OrderCreated:
			skus = append(skus, l.SKU)
		case r.ordered.Valid:
			skus = append(skus, r.sku)
		}
	}
	return rows, skus, nil
}

// applyLines applies the order's status to each line that does not have it yet: it
// stores the line's new row, records an oversell where stock could not cover a created
// line, and moves the held stock. It returns the ledger entries of the moves and the
// oversells.
func (s *sqlStore) applyLines(ctx context.Context, tx *sql.Tx, o messages.OrderV1, lines []messages.OrderLine,
	rows []orderLine, stock map[string]*stockRow, now time.Time) ([]ledgerEntry, []Oversell, error) {
	var (
		entries  []ledgerEntry
		oversold []Oversell
	)
	for i, l := range lines {
		r := rows[i]
		if r.applied(o.Status) {
			continue
		}
		var delta int
		if o.Status == messages.OrderCreated {
			st := stock[l.SKU]
			wanted, covered := r.create(l, st)
			delta = -covered
			if wanted > covered {
				ov := Oversell{SKU: l.SKU, Marketplace: o.Marketplace, OrderID: o.OrderID, LineID: l.LineID,
					Wanted: wanted, Covered: covered, Unknown: !st.known, At: now}
				if err := s.oversell(ctx, tx, &ov); err != nil {
					return nil, nil, err
				}
				oversold = append(oversold, ov)
			}
		} else {
			delta = r.release(o.Status, l.Quantity)
		}
		if err := s.updateLine(ctx, tx, o.Marketplace, o.OrderID, l.LineID, r, now); err != nil {
			return nil, nil, err
		}
		if delta == 0 {
			continue
		}
		st := stock[r.sku]
		st.quantity += delta
		if st.quantity < 0 {
			return nil, nil, fmt.Errorf("line %s: stock of %s would become %d", l.LineID, r.sku, st.quantity)
		}
		entries = append(entries, ledgerEntry{sku: r.sku, delta: delta, quantity: st.quantity, reason: o.Status,
			marketplace: o.Marketplace, orderID: o.OrderID, lineID: l.LineID})
	}
	return entries, oversold, nil
}

// writeStock stores a new version of every held SKU whose quantity moved, in SKU
// order, and returns those changes: the stock to broadcast.
func (s *sqlStore) writeStock(ctx context.Context, tx *sql.Tx, stock map[string]*stockRow, now time.Time) ([]messages.StockV1, error) {
	var changed []messages.StockV1
	for _, sku := range slices.Sorted(maps.Keys(stock)) {
		st := stock[sku]
		if st.quantity == st.start {
			continue
		}
		if !st.known {
			return nil, fmt.Errorf("stock of %s moved without a stock row", sku)
		}
		if err := s.updateStock(ctx, tx, sku, st.quantity, st.version+1, now); err != nil {
			return nil, err
		}
		changed = append(changed, messages.StockV1{SKU: sku, Quantity: st.quantity, Version: st.version + 1})
	}
	return changed, nil
}

// writeLedger records the entries, each with the version its SKU's stock took in
// changed.
func (s *sqlStore) writeLedger(ctx context.Context, tx *sql.Tx, entries []ledgerEntry, changed []messages.StockV1, now time.Time) error {
	versions := make(map[string]int64, len(changed))
	for _, c := range changed {
		versions[c.SKU] = c.Version
	}
	for _, e := range entries {
		if err := s.ledger(ctx, tx, e, versions[e.sku], now); err != nil {
			return err
		}
	}
	return nil
}

// checkOrder rejects an order the ledger cannot apply. The sync handler checks the
// same before calling, so this guards other callers.
func checkOrder(o messages.OrderV1) error {
	if !messages.IsMarketplace(o.Marketplace) {
		return fmt.Errorf("unknown marketplace %q", o.Marketplace)
	}
	if o.OrderID == "" {
		return errors.New("empty order ID")
	}
	switch o.Status {
	case messages.OrderCreated, messages.OrderCancelled, messages.OrderReturned:
	default:
		return fmt.Errorf("unknown status %q", o.Status)
	}
	if len(o.Lines) == 0 {
		return errors.New("no lines")
	}
	seen := map[string]bool{}
	for i, l := range o.Lines {
		switch {
		case l.LineID == "":
			return fmt.Errorf("lines[%d]: empty line ID", i)
		case seen[l.LineID]:
			return fmt.Errorf("lines[%d]: line ID %q repeated", i, l.LineID)
		case l.SKU == "":
			return fmt.Errorf("lines[%d]: empty SKU", i)
		case l.Quantity < 1:
			return fmt.Errorf("lines[%d]: quantity %d is not positive", i, l.Quantity)
		}
		seen[l.LineID] = true
	}
	return nil
}

// lockLine reads and holds an order line's row, inserting it (no status applied yet)
// when the line is new.
func (s *sqlStore) lockLine(ctx context.Context, tx *sql.Tx, marketplace, orderID string, l messages.OrderLine, now time.Time) (orderLine, error) {
	if _, err := tx.ExecContext(ctx, `
		INSERT INTO order_lines (marketplace, order_id, line_id, sku, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (marketplace, order_id, line_id) DO NOTHING`,
		marketplace, orderID, l.LineID, l.SKU, s.d.time(now)); err != nil {
		return orderLine{}, err
	}
	var r orderLine
	err := tx.QueryRowContext(ctx, `
		SELECT sku, ordered, covered, cancelled, returned, restocked FROM order_lines
		WHERE marketplace = $1 AND order_id = $2 AND line_id = $3`+s.d.forUpdate(),
		marketplace, orderID, l.LineID).Scan(&r.sku, &r.ordered, &r.covered, &r.cancelled, &r.returned, &r.restocked)
	return r, err
}

func (s *sqlStore) updateLine(ctx context.Context, tx *sql.Tx, marketplace, orderID, lineID string, r orderLine, now time.Time) error {
	_, err := tx.ExecContext(ctx, `
		UPDATE order_lines SET sku = $4, ordered = $5, covered = $6, cancelled = $7, returned = $8, restocked = $9, updated_at = $10
		WHERE marketplace = $1 AND order_id = $2 AND line_id = $3`,
		marketplace, orderID, lineID, r.sku, r.ordered, r.covered, r.cancelled, r.returned, r.restocked, s.d.time(now))
	return err
}

// oversell records o and sets its ID.
func (s *sqlStore) oversell(ctx context.Context, tx *sql.Tx, o *Oversell) error {
	return tx.QueryRowContext(ctx, `
		INSERT INTO oversells (sku, marketplace, order_id, line_id, wanted, covered, unknown_sku, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		o.SKU, o.Marketplace, o.OrderID, o.LineID, o.Wanted, o.Covered, o.Unknown, s.d.time(o.At)).Scan(&o.ID)
}

func (s *sqlStore) MarkSent(ctx context.Context, marketplace, sku string, quantity int, version int64) (bool, error) {
	switch {
	case !messages.IsMarketplace(marketplace):
		return false, fmt.Errorf("mark sent: unknown marketplace %q", marketplace)
	case sku == "":
		return false, errors.New("mark sent: empty SKU")
	case quantity < 0:
		return false, fmt.Errorf("mark sent %s to %s: quantity %d is negative", sku, marketplace, quantity)
	case version < 1:
		return false, fmt.Errorf("mark sent %s to %s: version %d is not positive", sku, marketplace, version)
	}
	now := s.d.time(s.stamp(time.Time{}))
	var send bool
	err := s.write(ctx, func(tx *sql.Tx) error {
		// A new row (nothing sent, version 0) is inserted and held like any other,
		// so concurrent first sends take turns too.
		if _, err := tx.ExecContext(ctx, `
			INSERT INTO stock_sent (marketplace, sku, quantity, version, updated_at) VALUES ($1, $2, NULL, 0, $3)
			ON CONFLICT (marketplace, sku) DO NOTHING`, marketplace, sku, now); err != nil {
			return err
		}
		var (
			last        sql.Null[int]
			lastVersion int64
		)
		err := tx.QueryRowContext(ctx,
			"SELECT quantity, version FROM stock_sent WHERE marketplace = $1 AND sku = $2"+s.d.forUpdate(),
			marketplace, sku).Scan(&last, &lastVersion)
		if err != nil {
			return err
		}
		if version <= lastVersion {
			return nil
		}
		send = !last.Valid || last.V != quantity
		_, err = tx.ExecContext(ctx,
			"UPDATE stock_sent SET quantity = $3, version = $4, failures = 0, updated_at = $5 WHERE marketplace = $1 AND sku = $2",
			marketplace, sku, quantity, version, now)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("mark sent %s to %s: %w", sku, marketplace, err)
	}
	return send, nil
}

func (s *sqlStore) Sent(ctx context.Context, marketplace, sku string) (int, int64, error) {
	var (
		quantity sql.Null[int]
		version  int64
	)
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, "SELECT quantity, version FROM stock_sent WHERE marketplace = $1 AND sku = $2",
			marketplace, sku).Scan(&quantity, &version)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !quantity.Valid) {
			return ErrNotFound
		}
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("sent %s to %s: %w", sku, marketplace, err)
	}
	return quantity.V, version, nil
}

// nullString stores an empty string as NULL.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
