package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// testHistory checks that a SKU's ledger lists its hand sets and order lines newest
// first, each with the stock after it, and only that SKU's.
func testHistory(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	_, err := inv.SetStock(ctx, "H-1", 5)
	require.NoError(t, err)
	_, err = inv.SetStock(ctx, "H-2", 9)
	require.NoError(t, err)
	apply(t, inv, order(messages.Trendyol, "o1", messages.OrderCreated, line("l1", "H-1", 2)))
	apply(t, inv, order(messages.Trendyol, "o1", messages.OrderCancelled, line("l1", "H-1", 2)))

	h, err := inv.History(ctx, "H-1", 10)
	require.NoError(t, err)
	require.Len(t, h, 3)
	assert.Equal(t, []string{messages.OrderCancelled, messages.OrderCreated, "set"}, []string{h[0].Reason, h[1].Reason, h[2].Reason})
	assert.Equal(t, []int{2, -2, 5}, []int{h[0].Delta, h[1].Delta, h[2].Delta})
	assert.Equal(t, []int{5, 3, 5}, []int{h[0].Quantity, h[1].Quantity, h[2].Quantity})
	assert.Equal(t, store.Change{Delta: -2, Quantity: 3, Version: h[1].Version, Reason: messages.OrderCreated,
		Marketplace: messages.Trendyol, OrderID: "o1", LineID: "l1", At: h[1].At}, h[1])
	assert.Greater(t, h[0].Version, h[1].Version)
	assert.Empty(t, h[2].OrderID, "a hand set names no order")

	h, err = inv.History(ctx, "H-1", 1)
	require.NoError(t, err)
	assert.Len(t, h, 1)
	h, err = inv.History(ctx, "unknown", 10)
	require.NoError(t, err)
	assert.Empty(t, h)
	_, err = inv.History(ctx, "H-1", 0)
	assert.Error(t, err)
}
