package stock_test

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/stock"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// mark is one MarkSent call.
type mark struct {
	marketplace, sku string
	quantity         int
	version          int64
}

// fakeInventory answers MarkSent by the store's rules (newer version and another
// quantity sends) and counts the calls and the sends. Other methods are not used.
type fakeInventory struct {
	store.Inventory
	calls []mark
	sends int
	last  map[string]mark // by marketplace/sku
	err   error
}

func (f *fakeInventory) MarkSent(_ context.Context, marketplace, sku string, quantity int, version int64) (bool, error) {
	m := mark{marketplace, sku, quantity, version}
	f.calls = append(f.calls, m)
	if f.err != nil {
		return false, f.err
	}
	if f.last == nil {
		f.last = map[string]mark{}
	}
	prev, ok := f.last[marketplace+"/"+sku]
	if ok && version <= prev.version {
		return false, nil
	}
	f.last[marketplace+"/"+sku] = m
	send := !ok || prev.quantity != quantity
	if send {
		f.sends++
	}
	return send, nil
}

func TestApply(t *testing.T) {
	f := &fakeInventory{}
	var pending []int64
	p := stock.Pusher{Marketplace: messages.Trendyol, Inventory: f,
		Pending: func(s messages.StockV1) { pending = append(pending, s.Version) }}
	in := []messages.StockV1{
		{SKU: "A", Quantity: 5, Version: 1},
		{SKU: "A", Quantity: 5, Version: 1}, // duplicate
		{SKU: "A", Quantity: 3, Version: 3},
		{SKU: "A", Quantity: 4, Version: 2}, // late
		{SKU: "B", Quantity: 0, Version: 1},
		{SKU: "A", Quantity: 3, Version: 4}, // unchanged quantity
	}
	for _, s := range in {
		require.NoError(t, p.Apply(context.Background(), s))
	}
	require.Len(t, f.calls, len(in), "every message is recorded")
	for i, s := range in {
		assert.Equal(t, mark{messages.Trendyol, s.SKU, s.Quantity, s.Version}, f.calls[i])
	}
	assert.Equal(t, 3, f.sends, "A at 5, A at 3 and B at 0 are sent")
	assert.Equal(t, []int64{1, 3, 1}, pending, "Pending hears of exactly what is to be sent")
	assert.Equal(t, mark{messages.Trendyol, "A", 3, 4}, f.last[messages.Trendyol+"/A"])
}

func TestApplyInvalid(t *testing.T) {
	tests := []struct {
		name string
		in   messages.StockV1
	}{
		{"empty SKU", messages.StockV1{Quantity: 1, Version: 1}},
		{"negative quantity", messages.StockV1{SKU: "A", Quantity: -1, Version: 1}},
		{"zero version", messages.StockV1{SKU: "A", Quantity: 1}},
		{"negative version", messages.StockV1{SKU: "A", Quantity: 1, Version: -2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeInventory{}
			err := stock.Pusher{Marketplace: messages.Amazon, Inventory: f}.Apply(context.Background(), tt.in)
			require.Error(t, err)
			assert.True(t, permanent.Is(err), "%v is permanent", err)
			assert.Empty(t, f.calls)
		})
	}
}

func TestApplyStoreError(t *testing.T) {
	down := errors.New("database is down")
	f := &fakeInventory{err: down}
	err := stock.Pusher{Marketplace: messages.Hepsiburada, Inventory: f}.Apply(context.Background(), messages.StockV1{SKU: "A", Quantity: 1, Version: 1})
	require.Error(t, err)
	assert.ErrorIs(t, err, down)
	assert.False(t, permanent.Is(err), "a store failure is retried")
	assert.Len(t, f.calls, 1)
}
