package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/ledger"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// fakeInventory returns canned answers and counts the calls. Methods the handler does
// not use are not implemented.
type fakeInventory struct {
	store.Inventory
	orders   []messages.OrderV1
	changed  []messages.StockV1
	oversold []store.Oversell
	applyErr error
	stock    map[string]messages.StockV1 // what Stock returns; missing is ErrNotFound
	stockErr error
	reads    []string
}

func (f *fakeInventory) ApplyOrder(_ context.Context, o messages.OrderV1) ([]messages.StockV1, []store.Oversell, error) {
	f.orders = append(f.orders, o)
	if f.applyErr != nil {
		return nil, nil, f.applyErr
	}
	return f.changed, f.oversold, nil
}

func (f *fakeInventory) Stock(_ context.Context, sku string) (int, int64, error) {
	f.reads = append(f.reads, sku)
	if f.stockErr != nil {
		return 0, 0, f.stockErr
	}
	s, ok := f.stock[sku]
	if !ok {
		return 0, 0, store.ErrNotFound
	}
	return s.Quantity, s.Version, nil
}

func created(lines ...messages.OrderLine) messages.OrderV1 {
	return messages.OrderV1{Marketplace: messages.Amazon, OrderID: "o1", Status: messages.OrderCreated, Lines: lines}
}

func TestApplyOrder(t *testing.T) {
	at := time.Date(2026, 12, 1, 4, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		order    messages.OrderV1
		changed  []messages.StockV1
		oversold []store.Oversell
		stock    map[string]messages.StockV1
		want     []messages.StockV1
		reads    []string
	}{
		{
			name:    "changed stock is returned",
			order:   created(messages.OrderLine{LineID: "1", SKU: "B", Quantity: 1}, messages.OrderLine{LineID: "2", SKU: "A", Quantity: 2}),
			changed: []messages.StockV1{{SKU: "A", Quantity: 3, Version: 7}, {SKU: "B", Quantity: 0, Version: 2}},
			want:    []messages.StockV1{{SKU: "A", Quantity: 3, Version: 7, ChangedAt: at}, {SKU: "B", Quantity: 0, Version: 2, ChangedAt: at}},
		},
		{
			name:  "a redelivered order broadcasts the current stock again",
			order: created(messages.OrderLine{LineID: "1", SKU: "A", Quantity: 2}, messages.OrderLine{LineID: "2", SKU: "A", Quantity: 1}),
			stock: map[string]messages.StockV1{"A": {SKU: "A", Quantity: 3, Version: 7}},
			want:  []messages.StockV1{{SKU: "A", Quantity: 3, Version: 7}}, // no ChangedAt: an old change
			reads: []string{"A"},
		},
		{
			name:     "an oversell is not an error",
			order:    created(messages.OrderLine{LineID: "1", SKU: "A", Quantity: 5}, messages.OrderLine{LineID: "2", SKU: "Z", Quantity: 1}),
			changed:  []messages.StockV1{{SKU: "A", Quantity: 0, Version: 4}},
			oversold: []store.Oversell{{SKU: "A", Wanted: 5, Covered: 2}, {SKU: "Z", Wanted: 1, Unknown: true}},
			want:     []messages.StockV1{{SKU: "A", Quantity: 0, Version: 4, ChangedAt: at}},
			reads:    []string{"Z"},
		},
		{
			name:    "cancelled",
			order:   messages.OrderV1{Marketplace: messages.Trendyol, OrderID: "o9", Status: messages.OrderCancelled, Lines: []messages.OrderLine{{LineID: "1", SKU: "A", Quantity: 1}}},
			changed: []messages.StockV1{{SKU: "A", Quantity: 4, Version: 5}},
			want:    []messages.StockV1{{SKU: "A", Quantity: 4, Version: 5, ChangedAt: at}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeInventory{changed: tt.changed, oversold: tt.oversold, stock: tt.stock}
			var applied []string
			b := ledger.Bookkeeper{Inventory: f, Now: func() time.Time { return at },
				Applied: func(o messages.OrderV1, oversold int) {
					applied = append(applied, fmt.Sprintf("%s/%s/%d", o.Marketplace, o.OrderID, oversold))
				}}
			got, err := b.ApplyOrder(context.Background(), tt.order)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, []string{fmt.Sprintf("%s/%s/%d", tt.order.Marketplace, tt.order.OrderID, len(tt.oversold))}, applied,
				"Applied hears of the order once, with its oversells")
			require.Len(t, f.orders, 1, "the order is applied once")
			assert.Equal(t, tt.order, f.orders[0])
			assert.Equal(t, tt.reads, f.reads)
		})
	}
}

func TestApplyOrderInvalid(t *testing.T) {
	good := messages.OrderLine{LineID: "1", SKU: "A", Quantity: 1}
	tests := []struct {
		name   string
		order  messages.OrderV1
		reason string
	}{
		{"unknown marketplace", messages.OrderV1{Marketplace: "ebay", OrderID: "o1", Status: messages.OrderCreated, Lines: []messages.OrderLine{good}}, `unknown marketplace "ebay"`},
		{"empty order ID", messages.OrderV1{Marketplace: messages.Amazon, Status: messages.OrderCreated, Lines: []messages.OrderLine{good}}, "order_id is empty"},
		{"unknown status", messages.OrderV1{Marketplace: messages.Amazon, OrderID: "o1", Status: "shipped", Lines: []messages.OrderLine{good}}, `unknown status "shipped"`},
		{"no lines", created(), "no lines"},
		{"empty line ID", created(good, messages.OrderLine{SKU: "A", Quantity: 1}), "lines[1]: line_id is empty"},
		{"repeated line ID", created(good, good), `lines[1]: line_id "1" repeated`},
		{"empty SKU", created(messages.OrderLine{LineID: "1", Quantity: 1}), "lines[0]: sku is empty"},
		{"zero quantity", created(messages.OrderLine{LineID: "1", SKU: "A"}), "lines[0]: quantity 0 is less than 1"},
		{"negative quantity", created(messages.OrderLine{LineID: "1", SKU: "A", Quantity: -3}), "lines[0]: quantity -3 is less than 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeInventory{}
			got, err := ledger.Bookkeeper{Inventory: f}.ApplyOrder(context.Background(), tt.order)
			require.Error(t, err)
			assert.True(t, permanent.Is(err), "%v is permanent", err)
			assert.ErrorContains(t, err, tt.reason)
			assert.Empty(t, got)
			assert.Empty(t, f.orders, "nothing reaches the ledger")
		})
	}
}

func TestApplyOrderStoreErrors(t *testing.T) {
	down := errors.New("database is down")
	tests := []struct {
		name  string
		inv   *fakeInventory
		reads int
	}{
		{"apply fails", &fakeInventory{applyErr: down}, 0},
		{"reading current stock fails", &fakeInventory{stockErr: down}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ledger.Bookkeeper{Inventory: tt.inv}.ApplyOrder(context.Background(), created(messages.OrderLine{LineID: "1", SKU: "A", Quantity: 1}))
			require.Error(t, err)
			assert.ErrorIs(t, err, down)
			assert.False(t, permanent.Is(err), "a store failure is retried")
			assert.Nil(t, got)
			assert.Len(t, tt.inv.orders, 1)
			assert.Len(t, tt.inv.reads, tt.reads)
		})
	}
}
