package publish_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/handlers/stock"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// TestSpacedBarcodeOnTrendyol follows a product whose barcode is written with spaces
// (issue 17, item 1) through the Trendyol publisher, on SQLite and the sandbox:
// Trendyol accepts it under the joined barcode, the store keeps that form, and an
// order on another marketplace moves the product's stock on Trendyol.
func TestSpacedBarcodeOnTrendyol(t *testing.T) {
	e := newOnTrendyol(t)
	ctx, inv, outbox, sb := e.ctx, e.inv, e.outbox, e.sb
	pub := e.publisher(&publish.Publisher{})
	e.run(t, pub)

	const spaced, joined = "869 0000 000012", "8690000000012"
	product := tshirt("TY-SPACE-1", spaced, messages.Trendyol, messages.Hepsiburada)
	id := e.list(t, pub, "p-space", product)
	l := e.decided(t, id)
	require.Equal(t, store.ListingAccepted, l.State, "reasons: %q", l.Reasons)
	assert.Equal(t, joined, l.Barcode, "the store keeps the barcode Trendyol holds the product under")
	held, ok := sb.TrendyolProduct(joined)
	require.True(t, ok)
	assert.Equal(t, 10, held.Quantity)

	// A customer on Hepsiburada buys 3: the ledger's new quantity goes to Trendyol.
	changed, oversold, err := inv.ApplyOrder(ctx, messages.OrderV1{Marketplace: messages.Hepsiburada, OrderID: "HB-1",
		Status: messages.OrderCreated, Lines: []messages.OrderLine{{LineID: "1", SKU: product.SKU, Quantity: 3}}})
	require.NoError(t, err)
	require.Empty(t, oversold)
	require.Len(t, changed, 1)
	pusher := stock.Pusher{Marketplace: messages.Trendyol, Inventory: inv, Notify: pub.WakeStock}
	require.NoError(t, pusher.Apply(ctx, changed[0]))

	assert.Eventually(t, func() bool {
		p, ok := sb.TrendyolProduct(joined)
		return ok && p.Quantity == 7
	}, 10*time.Second, 10*time.Millisecond, "the order on Hepsiburada moves the Trendyol stock")
	assert.Eventually(t, func() bool {
		left, err := outbox.Unpushed(ctx, messages.Trendyol, 10, 10)
		return err == nil && len(left) == 0
	}, 10*time.Second, 10*time.Millisecond, "Trendyol acknowledged the quantity")
}
