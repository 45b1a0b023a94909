// Package ledger is the sync service's order handler: it applies marketplace orders to
// the stock ledger, exactly once per order line and status, and returns the new stock
// that the inventory fanout broadcasts to every marketplace.
package ledger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// Bookkeeper applies orders to the inventory.
type Bookkeeper struct {
	Inventory store.Inventory
	// Applied, when set, hears of every order applied, with the number of oversells
	// the ledger recorded for it (metrics count them).
	Applied func(o messages.OrderV1, oversold int)
	// Now is the clock that stamps each change's ChangedAt (default time.Now).
	Now func() time.Time
}

// ApplyOrder applies an order and returns the stock to broadcast: the new stock of
// every SKU the order moved, and the current stock of the other SKUs it names that
// the ledger knows. The latter makes a redelivered order (one whose stock messages
// were lost after the ledger committed, say to a full queue) broadcast its stock
// again; marketplace services drop versions they already sent. Oversells are recorded
// by the ledger and are not errors. An order that can never be applied is a permanent
// error. The stock of the SKUs it moved carries ChangedAt.
func (b Bookkeeper) ApplyOrder(ctx context.Context, o messages.OrderV1) ([]messages.StockV1, error) {
	if err := check(o); err != nil {
		return nil, permanent.Errorf("order %q on %q: %w", o.OrderID, o.Marketplace, err)
	}
	changed, oversold, err := b.Inventory.ApplyOrder(ctx, o)
	if err != nil {
		return nil, fmt.Errorf("apply order %s on %s: %w", o.OrderID, o.Marketplace, err)
	}
	if b.Applied != nil {
		b.Applied(o, len(oversold))
	}
	// Only the versions this order made are stamped: the marketplaces measure their
	// stock lag from the stamp, and a rebroadcast's change happened long ago.
	now := time.Now
	if b.Now != nil {
		now = b.Now
	}
	at := now()
	out := slices.Clone(changed)
	for i := range out {
		out[i].ChangedAt = at
	}
	done := map[string]bool{}
	for _, c := range changed {
		done[c.SKU] = true
	}
	for _, line := range o.Lines {
		if done[line.SKU] {
			continue
		}
		done[line.SKU] = true
		q, v, err := b.Inventory.Stock(ctx, line.SKU)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("order %s on %s: %w", o.OrderID, o.Marketplace, err)
		}
		out = append(out, messages.StockV1{SKU: line.SKU, Quantity: q, Version: v})
	}
	slices.SortFunc(out, func(a, b messages.StockV1) int { return cmp.Compare(a.SKU, b.SKU) })
	return out, nil
}

// check lists everything wrong with an order.
func check(o messages.OrderV1) error {
	var errs []error
	if !messages.IsMarketplace(o.Marketplace) {
		errs = append(errs, fmt.Errorf("unknown marketplace %q", o.Marketplace))
	}
	if o.OrderID == "" {
		errs = append(errs, errors.New("order_id is empty"))
	}
	switch o.Status {
	case messages.OrderCreated, messages.OrderCancelled, messages.OrderReturned:
	default:
		errs = append(errs, fmt.Errorf("unknown status %q, want %s, %s or %s",
			o.Status, messages.OrderCreated, messages.OrderCancelled, messages.OrderReturned))
	}
	if len(o.Lines) == 0 {
		errs = append(errs, errors.New("no lines"))
	}
	seen := map[string]bool{}
	for i, line := range o.Lines {
		if line.LineID == "" {
			errs = append(errs, fmt.Errorf("lines[%d]: line_id is empty", i))
		} else if seen[line.LineID] {
			errs = append(errs, fmt.Errorf("lines[%d]: line_id %q repeated", i, line.LineID))
		}
		seen[line.LineID] = true
		if line.SKU == "" {
			errs = append(errs, fmt.Errorf("lines[%d]: sku is empty", i))
		}
		if line.Quantity < 1 {
			errs = append(errs, fmt.Errorf("lines[%d]: quantity %d is less than 1", i, line.Quantity))
		}
	}
	return errors.Join(errs...)
}
