// Package stock is the marketplace services' stock handler: it takes each new stock
// quantity from the inventory fanout and decides, per marketplace, whether it must be
// sent, so a marketplace is told only newer versions that change what it shows.
package stock

import (
	"context"
	"errors"
	"fmt"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// Pusher keeps one marketplace's stock in step with the ledger.
type Pusher struct {
	Marketplace string
	Inventory   store.Inventory
	// Notify, when set, is called when a quantity is to be sent (it wakes the
	// publisher, which pushes every unacknowledged quantity in batches).
	Notify func()
	// Pending, when set, hears of every quantity to be sent: the marketplace service
	// measures its stock lag from the message's ChangedAt to the acknowledgement.
	Pending func(messages.StockV1)
}

// Apply records a stock message for the pusher's marketplace with MarkSent. A version
// not newer than the last one recorded, or a quantity the marketplace already shows,
// is dropped. A malformed message is a permanent error. The push itself is the
// publisher's: what MarkSent recorded stays unacknowledged in the store until the
// marketplace took it, so a crash between the two loses nothing.
func (p Pusher) Apply(ctx context.Context, s messages.StockV1) error {
	if err := check(s); err != nil {
		return permanent.Errorf("stock of %q for %s: %w", s.SKU, p.Marketplace, err)
	}
	send, err := p.Inventory.MarkSent(ctx, p.Marketplace, s.SKU, s.Quantity, s.Version)
	if err != nil {
		return fmt.Errorf("stock of %s for %s: %w", s.SKU, p.Marketplace, err)
	}
	if send && p.Pending != nil {
		p.Pending(s)
	}
	if send && p.Notify != nil {
		p.Notify()
	}
	return nil
}

func check(s messages.StockV1) error {
	switch {
	case s.SKU == "":
		return errors.New("sku is empty")
	case s.Quantity < 0:
		return fmt.Errorf("quantity %d is negative", s.Quantity)
	case s.Version < 1:
		return fmt.Errorf("version %d is not positive", s.Version)
	}
	return nil
}
