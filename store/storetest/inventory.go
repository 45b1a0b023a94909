package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// RunInventory runs the contract suite of store.Inventory. open must return a new,
// empty store for each call; RunInventory closes it when the subtest ends.
func RunInventory(t *testing.T, open func(t *testing.T) store.Stores) {
	newInventory := func(t *testing.T) store.Inventory {
		t.Helper()
		s := open(t)
		t.Cleanup(func() { assert.NoError(t, s.Close()) })
		return s
	}
	tests := []struct {
		name string
		fn   func(t *testing.T, inv store.Inventory)
	}{
		{"SetStock", testSetStock},
		{"SetStock/Invalid", testSetStockInvalid},
		{"Stock/NotFound", testStockNotFound},
		{"ApplyOrder/Created", testOrderCreated},
		{"ApplyOrder/ExactlyOnce", testOrderExactlyOnce},
		{"ApplyOrder/KeyIncludesMarketplaceAndOrder", testOrderKey},
		{"ApplyOrder/CancelGivesBackOnce", testOrderCancelOnce},
		{"ApplyOrder/ReleaseQuantities", testOrderReleases},
		{"ApplyOrder/CancelledBeforeCreated", testOrderCancelledFirst},
		{"ApplyOrder/Oversell", testOrderOversell},
		{"ApplyOrder/NeverBelowZero", testOrderNeverBelowZero},
		{"ApplyOrder/UnknownSKU", testOrderUnknownSKU},
		{"ApplyOrder/OneVersionPerOrder", testOrderOneVersion},
		{"ApplyOrder/Invalid", testOrderInvalid},
		{"Versions/Monotonic", testVersionsMonotonic},
		{"Oversells/Limit", testOversellsLimit},
		{"History", testHistory},
		{"MarkSent/Rules", testMarkSentRules},
		{"MarkSent/PerMarketplaceAndSKU", testMarkSentKeys},
		{"MarkSent/Invalid", testMarkSentInvalid},
		{"Concurrent/Orders", testConcurrentOrders},
		{"Concurrent/Oversell", testConcurrentOversell},
		{"Concurrent/MarkSent", testConcurrentMarkSent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newInventory(t))
		})
	}
}

func setStock(t *testing.T, inv store.Inventory, sku string, quantity int) messages.StockV1 {
	t.Helper()
	st, err := inv.SetStock(context.Background(), sku, quantity)
	require.NoError(t, err)
	return st
}

func stockOf(t *testing.T, inv store.Inventory, sku string) (int, int64) {
	t.Helper()
	q, v, err := inv.Stock(context.Background(), sku)
	require.NoError(t, err)
	return q, v
}

func order(marketplace, id, status string, lines ...messages.OrderLine) messages.OrderV1 {
	return messages.OrderV1{Marketplace: marketplace, OrderID: id, Status: status, Lines: lines}
}

func line(id, sku string, quantity int) messages.OrderLine {
	return messages.OrderLine{LineID: id, SKU: sku, Quantity: quantity}
}

func apply(t *testing.T, inv store.Inventory, o messages.OrderV1) ([]messages.StockV1, []store.Oversell) {
	t.Helper()
	changed, oversold, err := inv.ApplyOrder(context.Background(), o)
	require.NoError(t, err)
	return changed, oversold
}

func oversells(t *testing.T, inv store.Inventory) []store.Oversell {
	t.Helper()
	list, err := inv.Oversells(context.Background(), 1000)
	require.NoError(t, err)
	return list
}

func testSetStock(t *testing.T, inv store.Inventory) {
	assert.Equal(t, messages.StockV1{SKU: "A", Quantity: 5, Version: 1}, setStock(t, inv, "A", 5))
	assert.Equal(t, messages.StockV1{SKU: "A", Quantity: 3, Version: 2}, setStock(t, inv, "A", 3))
	// Setting the same quantity again is still a new truth with a new version.
	assert.Equal(t, messages.StockV1{SKU: "A", Quantity: 3, Version: 3}, setStock(t, inv, "A", 3))
	assert.Equal(t, messages.StockV1{SKU: "A", Quantity: 0, Version: 4}, setStock(t, inv, "A", 0))
	assert.Equal(t, messages.StockV1{SKU: "B", Quantity: 9, Version: 1}, setStock(t, inv, "B", 9), "versions are per SKU")

	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 0, q)
	assert.Equal(t, int64(4), v)
	q, v = stockOf(t, inv, "B")
	assert.Equal(t, 9, q)
	assert.Equal(t, int64(1), v)
}

func testSetStockInvalid(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 5)
	tests := []struct {
		name     string
		sku      string
		quantity int
	}{
		{"empty SKU", "", 1},
		{"negative", "A", -1},
		{"negative new SKU", "B", -3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := inv.SetStock(context.Background(), tt.sku, tt.quantity)
			assert.Error(t, err)
		})
	}
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 5, q)
	assert.Equal(t, int64(1), v)
	_, _, err := inv.Stock(context.Background(), "B")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testStockNotFound(t *testing.T, inv store.Inventory) {
	_, _, err := inv.Stock(context.Background(), "missing")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testOrderCreated(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	setStock(t, inv, "B", 4)
	setStock(t, inv, "C", 1)
	changed, oversold := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated,
		line("2", "B", 1), line("1", "A", 3)))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 7, Version: 2}, {SKU: "B", Quantity: 3, Version: 2}}, changed)
	assert.Empty(t, oversold)

	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 7, q)
	assert.Equal(t, int64(2), v)
	q, v = stockOf(t, inv, "C")
	assert.Equal(t, 1, q, "a SKU the order does not name is untouched")
	assert.Equal(t, int64(1), v)
	assert.Empty(t, oversells(t, inv))
}

func testOrderExactlyOnce(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	created := order(messages.Trendyol, "o1", messages.OrderCreated, line("1", "A", 2), line("2", "A", 1))
	changed, _ := apply(t, inv, created)
	require.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 7, Version: 2}}, changed)

	for i := range 5 {
		changed, oversold := apply(t, inv, created)
		assert.Empty(t, changed, "delivery %d changes nothing", i+2)
		assert.Empty(t, oversold)
	}
	// A redelivery that adds a line applies only the new line.
	created.Lines = append(created.Lines, line("3", "A", 4))
	changed, _ = apply(t, inv, created)
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 3, Version: 3}}, changed)

	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 3, q)
	assert.Equal(t, int64(3), v)
}

func testOrderKey(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 1)))
	apply(t, inv, order(messages.Trendyol, "o1", messages.OrderCreated, line("1", "A", 1)))
	apply(t, inv, order(messages.Hepsiburada, "o1", messages.OrderCreated, line("1", "A", 1)))
	apply(t, inv, order(messages.Amazon, "o2", messages.OrderCreated, line("1", "A", 1)))
	apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 1)))
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 6, q, "four distinct keys, one duplicate")
	assert.Equal(t, int64(5), v)
}

func testOrderCancelOnce(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 3)))

	changed, _ := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCancelled, line("1", "A", 3)))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 10, Version: 3}}, changed)

	tests := []struct {
		name  string
		order messages.OrderV1
	}{
		{"cancelled again", order(messages.Amazon, "o1", messages.OrderCancelled, line("1", "A", 3))},
		{"returned after cancelled", order(messages.Amazon, "o1", messages.OrderReturned, line("1", "A", 3))},
		{"created again", order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 3))},
		{"cancelled on another marketplace", order(messages.Trendyol, "o1", messages.OrderCancelled, line("1", "A", 3))},
		{"cancelled line never created", order(messages.Amazon, "o1", messages.OrderCancelled, line("2", "A", 3))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed, oversold := apply(t, inv, tt.order)
			assert.Empty(t, changed)
			assert.Empty(t, oversold)
			q, v := stockOf(t, inv, "A")
			assert.Equal(t, 10, q)
			assert.Equal(t, int64(3), v)
		})
	}
}

// testOrderReleases checks what cancellations and returns give back: never more than
// the created line took, over all of them together.
func testOrderReleases(t *testing.T, inv store.Inventory) {
	tests := []struct {
		name     string
		stock    int
		created  int
		releases []messages.OrderV1 // applied in turn to line "1" of order "o1"
		want     []int              // stock after each release
	}{
		{"returned in part, then cancelled in full", 10, 5,
			[]messages.OrderV1{release(messages.OrderReturned, 2), release(messages.OrderCancelled, 5)},
			[]int{7, 10}},
		{"returned more than ordered", 10, 2,
			[]messages.OrderV1{release(messages.OrderReturned, 9)},
			[]int{10}},
		{"oversold line cancelled gives back what it took", 2, 5,
			[]messages.OrderV1{release(messages.OrderCancelled, 5)},
			[]int{2}},
		{"oversold line: cancelled units are the uncovered ones first", 2, 5,
			[]messages.OrderV1{release(messages.OrderCancelled, 3), release(messages.OrderReturned, 2)},
			[]int{0, 2}},
		{"oversold line: partial then rest", 2, 5,
			[]messages.OrderV1{release(messages.OrderCancelled, 4), release(messages.OrderReturned, 1)},
			[]int{1, 2}},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sku := fmt.Sprintf("R%d", i)
			setStock(t, inv, sku, tt.stock)
			apply(t, inv, order(messages.Amazon, "o-"+sku, messages.OrderCreated, line("1", sku, tt.created)))
			for n, r := range tt.releases {
				r.OrderID = "o-" + sku
				r.Lines[0].SKU = sku
				apply(t, inv, r)
				q, _ := stockOf(t, inv, sku)
				assert.Equal(t, tt.want[n], q, "after release %d (%s %d)", n, r.Status, r.Lines[0].Quantity)
			}
		})
	}
}

func release(status string, quantity int) messages.OrderV1 {
	return order(messages.Amazon, "", status, line("1", "", quantity))
}

// testOrderCancelledFirst delivers a cancellation before its order: the order, when it
// arrives, takes nothing, and nothing is given back twice.
func testOrderCancelledFirst(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	changed, oversold := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCancelled, line("1", "A", 3)))
	assert.Empty(t, changed, "a cancellation of a line never applied gives nothing back")
	assert.Empty(t, oversold)

	changed, oversold = apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 3)))
	assert.Empty(t, changed, "the created line was already cancelled")
	assert.Empty(t, oversold)
	apply(t, inv, order(messages.Amazon, "o1", messages.OrderReturned, line("1", "A", 3)))
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 10, q)
	assert.Equal(t, int64(1), v)

	// A partial cancellation first: the order takes only the rest.
	changed, _ = apply(t, inv, order(messages.Amazon, "o2", messages.OrderCancelled, line("1", "A", 1)))
	assert.Empty(t, changed)
	changed, _ = apply(t, inv, order(messages.Amazon, "o2", messages.OrderCreated, line("1", "A", 4)))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 7, Version: 2}}, changed)
}

func testOrderOversell(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 2)
	setStock(t, inv, "B", 5)
	changed, oversold := apply(t, inv, order(messages.Hepsiburada, "o1", messages.OrderCreated,
		line("1", "A", 5), line("2", "B", 1)))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 0, Version: 2}, {SKU: "B", Quantity: 4, Version: 2}}, changed)
	require.Len(t, oversold, 1)
	ov := oversold[0]
	assert.NotZero(t, ov.ID)
	assert.False(t, ov.At.IsZero())
	ov.ID, ov.At = 0, ov.At.UTC()
	assert.Equal(t, store.Oversell{SKU: "A", Marketplace: messages.Hepsiburada, OrderID: "o1", LineID: "1",
		Wanted: 5, Covered: 2, At: ov.At}, ov)

	recorded := oversells(t, inv)
	require.Len(t, recorded, 1)
	assert.Equal(t, oversold[0].ID, recorded[0].ID)
	assert.Equal(t, 5, recorded[0].Wanted)
	assert.Equal(t, 2, recorded[0].Covered)
	assert.Equal(t, oversold[0].At, recorded[0].At)

	// A redelivery records nothing new.
	_, again := apply(t, inv, order(messages.Hepsiburada, "o1", messages.OrderCreated, line("1", "A", 5), line("2", "B", 1)))
	assert.Empty(t, again)
	assert.Len(t, oversells(t, inv), 1)
}

func testOrderNeverBelowZero(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 0)
	changed, oversold := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 1)))
	assert.Empty(t, changed, "stock at zero does not move")
	require.Len(t, oversold, 1)
	assert.Equal(t, 1, oversold[0].Wanted)
	assert.Equal(t, 0, oversold[0].Covered)
	assert.False(t, oversold[0].Unknown)

	changed, _ = apply(t, inv, order(messages.Amazon, "o1", messages.OrderCancelled, line("1", "A", 1)))
	assert.Empty(t, changed, "a cancelled oversold line gives back nothing it did not take")
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 0, q)
	assert.Equal(t, int64(1), v)
}

func testOrderUnknownSKU(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 5)
	o := order(messages.Amazon, "o1", messages.OrderCreated, line("1", "A", 1), line("2", "GHOST", 2))
	changed, oversold := apply(t, inv, o)
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 4, Version: 2}}, changed, "the known line still applies")
	require.Len(t, oversold, 1)
	assert.Equal(t, "GHOST", oversold[0].SKU)
	assert.True(t, oversold[0].Unknown)
	assert.Equal(t, 2, oversold[0].Wanted)
	assert.Equal(t, 0, oversold[0].Covered)

	// Recorded once, however often delivered, and never creates stock.
	apply(t, inv, o)
	apply(t, inv, order(messages.Amazon, "o1", messages.OrderCancelled, line("2", "GHOST", 2)))
	list := oversells(t, inv)
	require.Len(t, list, 1)
	assert.True(t, list[0].Unknown)
	_, _, err := inv.Stock(context.Background(), "GHOST")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testOrderOneVersion(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	changed, _ := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated,
		line("1", "A", 1), line("2", "A", 2), line("3", "A", 3)))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 4, Version: 2}}, changed, "one new version per SKU per order")
}

func testOrderInvalid(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 10)
	good := line("1", "A", 1)
	tests := []struct {
		name  string
		order messages.OrderV1
	}{
		{"unknown marketplace", order("ebay", "o1", messages.OrderCreated, good)},
		{"empty marketplace", order("", "o1", messages.OrderCreated, good)},
		{"empty order ID", order(messages.Amazon, "", messages.OrderCreated, good)},
		{"unknown status", order(messages.Amazon, "o1", "shipped", good)},
		{"no lines", order(messages.Amazon, "o1", messages.OrderCreated)},
		{"empty line ID", order(messages.Amazon, "o1", messages.OrderCreated, good, line("", "A", 1))},
		{"repeated line ID", order(messages.Amazon, "o1", messages.OrderCreated, good, line("1", "A", 2))},
		{"empty SKU", order(messages.Amazon, "o1", messages.OrderCreated, good, line("2", "", 1))},
		{"zero quantity", order(messages.Amazon, "o1", messages.OrderCreated, good, line("2", "A", 0))},
		{"negative quantity", order(messages.Amazon, "o1", messages.OrderCreated, good, line("2", "A", -4))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := inv.ApplyOrder(context.Background(), tt.order)
			assert.Error(t, err)
		})
	}
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 10, q, "no part of an invalid order applied")
	assert.Equal(t, int64(1), v)
	// The valid line of a rejected order was not recorded as applied.
	changed, _ := apply(t, inv, order(messages.Amazon, "o1", messages.OrderCreated, good))
	assert.Equal(t, []messages.StockV1{{SKU: "A", Quantity: 9, Version: 2}}, changed)
}

func testVersionsMonotonic(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	var seen []messages.StockV1
	record := func(changed []messages.StockV1) {
		for _, c := range changed {
			if c.SKU == "A" {
				seen = append(seen, c)
			}
		}
	}
	record([]messages.StockV1{setStock(t, inv, "A", 20)})
	for i := range 6 {
		changed, _ := apply(t, inv, order(messages.Marketplaces[i%3], fmt.Sprintf("o%d", i), messages.OrderCreated, line("1", "A", 2)))
		record(changed)
		if i%2 == 0 {
			changed, _ = apply(t, inv, order(messages.Marketplaces[i%3], fmt.Sprintf("o%d", i), messages.OrderCancelled, line("1", "A", 2)))
			record(changed)
		}
	}
	record([]messages.StockV1{setStock(t, inv, "A", 1)})
	record([]messages.StockV1{setStock(t, inv, "A", 1)})
	_, err := inv.SetStock(ctx, "A", -1)
	require.Error(t, err)

	require.Len(t, seen, 1+6+3+2)
	for i, s := range seen {
		assert.Equal(t, int64(i+1), s.Version, "change %d", i)
	}
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, seen[len(seen)-1].Quantity, q)
	assert.Equal(t, seen[len(seen)-1].Version, v)
}

func testOversellsLimit(t *testing.T, inv store.Inventory) {
	setStock(t, inv, "A", 0)
	for i := range 5 {
		apply(t, inv, order(messages.Amazon, fmt.Sprintf("o%d", i), messages.OrderCreated, line("1", "A", 1)))
	}
	list, err := inv.Oversells(context.Background(), 3)
	require.NoError(t, err)
	require.Len(t, list, 3)
	assert.Equal(t, []string{"o4", "o3", "o2"}, []string{list[0].OrderID, list[1].OrderID, list[2].OrderID}, "newest first")
	assert.Len(t, oversells(t, inv), 5)

	for _, limit := range []int{0, -1} {
		_, err := inv.Oversells(context.Background(), limit)
		assert.Error(t, err, "limit %d", limit)
	}
}

func testMarkSentRules(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	_, _, err := inv.Sent(ctx, messages.Amazon, "A")
	assert.ErrorIs(t, err, store.ErrNotFound, "nothing sent yet")

	steps := []struct {
		name        string
		quantity    int
		version     int64
		send        bool
		wantQ       int
		wantVersion int64
	}{
		{"first", 5, 3, true, 5, 3},
		{"same version again", 5, 3, false, 5, 3},
		{"same version, other quantity", 4, 3, false, 5, 3},
		{"older version", 1, 2, false, 5, 3},
		{"newer version, same quantity", 5, 4, false, 5, 4},
		{"the version skipped over arrives late", 2, 4, false, 5, 4},
		{"newer version, new quantity", 0, 7, true, 0, 7},
		{"older version after a gap", 9, 6, false, 0, 7},
		{"newer again", 9, 8, true, 9, 8},
	}
	for _, st := range steps {
		send, err := inv.MarkSent(ctx, messages.Amazon, "A", st.quantity, st.version)
		require.NoError(t, err, st.name)
		assert.Equal(t, st.send, send, st.name)
		q, v, err := inv.Sent(ctx, messages.Amazon, "A")
		require.NoError(t, err, st.name)
		assert.Equal(t, st.wantQ, q, st.name)
		assert.Equal(t, st.wantVersion, v, st.name)
	}
}

func testMarkSentKeys(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	mark := func(m, sku string, q int, v int64) bool {
		send, err := inv.MarkSent(ctx, m, sku, q, v)
		require.NoError(t, err)
		return send
	}
	assert.True(t, mark(messages.Amazon, "A", 5, 2))
	assert.True(t, mark(messages.Trendyol, "A", 5, 2), "each marketplace is told on its own")
	assert.True(t, mark(messages.Hepsiburada, "A", 5, 1))
	assert.True(t, mark(messages.Amazon, "B", 5, 1), "each SKU has its own versions")
	assert.False(t, mark(messages.Amazon, "A", 5, 2))

	for _, m := range messages.Marketplaces {
		q, _, err := inv.Sent(ctx, m, "A")
		require.NoError(t, err, m)
		assert.Equal(t, 5, q, m)
	}
	_, v, err := inv.Sent(ctx, messages.Hepsiburada, "A")
	require.NoError(t, err)
	assert.Equal(t, int64(1), v)
	_, _, err = inv.Sent(ctx, messages.Trendyol, "B")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

func testMarkSentInvalid(t *testing.T, inv store.Inventory) {
	tests := []struct {
		name        string
		marketplace string
		sku         string
		quantity    int
		version     int64
	}{
		{"unknown marketplace", "ebay", "A", 1, 1},
		{"empty SKU", messages.Amazon, "", 1, 1},
		{"negative quantity", messages.Amazon, "A", -1, 1},
		{"zero version", messages.Amazon, "A", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			send, err := inv.MarkSent(context.Background(), tt.marketplace, tt.sku, tt.quantity, tt.version)
			assert.Error(t, err)
			assert.False(t, send)
		})
	}
	_, _, err := inv.Sent(context.Background(), messages.Amazon, "A")
	assert.ErrorIs(t, err, store.ErrNotFound)
}

// testConcurrentOrders applies orders for the same SKUs from 16 goroutines at once, as
// the sync service's three queues do, each order delivered twice and some naming the
// SKUs in opposite orders, and counts that every order was applied exactly once.
func testConcurrentOrders(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	const (
		workers = 16
		orders  = 6
		initial = 1000
	)
	setStock(t, inv, "HOT", initial)
	setStock(t, inv, "WARM", initial)

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		errs     []error
		versions = map[string][]int64{}
		qByVer   = map[string]map[int64]int{"HOT": {}, "WARM": {}}
	)
	for w := range workers {
		wg.Go(func() {
			m := messages.Marketplaces[w%len(messages.Marketplaces)]
			for i := range orders {
				lines := []messages.OrderLine{line("a", "HOT", 1), line("b", "WARM", 2)}
				if (w+i)%2 == 1 {
					lines = []messages.OrderLine{line("a", "WARM", 2), line("b", "HOT", 1)}
				}
				o := order(m, fmt.Sprintf("w%02d-o%d", w, i), messages.OrderCreated, lines...)
				for range 2 {
					changed, oversold, err := inv.ApplyOrder(ctx, o)
					mu.Lock()
					if err != nil {
						errs = append(errs, err)
					}
					if len(oversold) > 0 {
						errs = append(errs, fmt.Errorf("%s: unexpected oversell %+v", o.OrderID, oversold))
					}
					for _, c := range changed {
						versions[c.SKU] = append(versions[c.SKU], c.Version)
						qByVer[c.SKU][c.Version] = c.Quantity
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)

	const n = workers * orders
	for _, sku := range []string{"HOT", "WARM"} {
		q, v := stockOf(t, inv, sku)
		per := 1
		if sku == "WARM" {
			per = 2
		}
		assert.Equal(t, initial-n*per, q, "%s: every order counted once", sku)
		assert.Equal(t, int64(1+n), v, sku)
		vs := versions[sku]
		slices.Sort(vs)
		want := make([]int64, n)
		for i := range want {
			want[i] = int64(i + 2)
		}
		assert.Equal(t, want, vs, "%s: every order got its own version", sku)
		for ver, quantity := range qByVer[sku] {
			assert.Equal(t, initial-int(ver-1)*per, quantity, "%s at version %d", sku, ver)
		}
	}
}

// testConcurrentOversell orders more than the stock holds from 16 goroutines at once:
// the stock ends at zero, never below, and every unit not covered is recorded.
func testConcurrentOversell(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	const (
		workers = 16
		orders  = 2
		initial = 10
	)
	setStock(t, inv, "A", initial)
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		errs    []error
		covered int
		short   int
	)
	for w := range workers {
		wg.Go(func() {
			for i := range orders {
				m := messages.Marketplaces[(w+i)%len(messages.Marketplaces)]
				changed, oversold, err := inv.ApplyOrder(ctx, order(m, fmt.Sprintf("w%02d-o%d", w, i), messages.OrderCreated, line("1", "A", 1)))
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				}
				covered += len(changed)
				for _, o := range oversold {
					short += o.Wanted - o.Covered
				}
				for _, c := range changed {
					if c.Quantity < 0 {
						errs = append(errs, fmt.Errorf("stock %d", c.Quantity))
					}
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	q, v := stockOf(t, inv, "A")
	assert.Equal(t, 0, q)
	assert.Equal(t, int64(1+initial), v)
	assert.Equal(t, initial, covered, "orders that took a unit")
	assert.Equal(t, workers*orders-initial, short, "units oversold")
	assert.Len(t, oversells(t, inv), workers*orders-initial)
}

// testConcurrentMarkSent marks versions 1..16 of one SKU from 16 goroutines at once:
// the newest wins, whatever the order they land in.
func testConcurrentMarkSent(t *testing.T, inv store.Inventory) {
	ctx := context.Background()
	const n = 16
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		errs  []error
		sends int
	)
	for i := range n {
		wg.Go(func() {
			send, err := inv.MarkSent(ctx, messages.Trendyol, "A", 100+i, int64(i+1))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
			}
			if send {
				sends++
			}
		})
	}
	wg.Wait()
	require.Empty(t, errs)
	assert.GreaterOrEqual(t, sends, 1)
	assert.LessOrEqual(t, sends, n)
	q, v, err := inv.Sent(ctx, messages.Trendyol, "A")
	require.NoError(t, err)
	assert.Equal(t, 100+n-1, q)
	assert.Equal(t, int64(n), v)
}
