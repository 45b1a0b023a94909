package publish_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/messages"
)

// TestReconcilerCorrectsDriftOnTheSandbox: a listed product's stock is changed on
// Trendyol behind Stox's back (the sandbox's drift hook, as a seller editing it in the
// panel would); the reconciler reads it back, sees the difference last, pushes the
// ledger's quantity again and counts it.
func TestReconcilerCorrectsDriftOnTheSandbox(t *testing.T) {
	e := newOnTrendyol(t)
	pub := e.publisher(&publish.Publisher{Buffer: 1, ReconcileEvery: 50 * time.Millisecond, DriftConfirm: 200 * time.Millisecond})
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(pub))
	e.run(t, pub)

	product := tshirt("TY-DRIFT-1", "8690000000036", messages.Trendyol)
	e.list(t, pub, "p-drift", product)
	shows := func() int { return e.sb.Listings(messages.Trendyol)[product.SKU] }
	require.Eventually(t, func() bool {
		left, err := e.outbox.Unpushed(e.ctx, messages.Trendyol, 10, 10)
		return err == nil && len(left) == 0 && shows() == 9
	}, 10*time.Second, 10*time.Millisecond, "listed and pushed: 10 minus the buffer")

	// Later (Trendyol refuses a body it took in the last 15 minutes), the stock is
	// changed behind Stox's back.
	e.sb.Advance(e.sb.DuplicateWindow(messages.Trendyol) + time.Minute)
	require.NoError(t, e.sb.SetStock(messages.Trendyol, product.SKU, 25))
	require.Eventually(t, func() bool { return shows() == 9 }, 10*time.Second, 10*time.Millisecond, "the drift corrected")
	assert.Equal(t, 1.0, counter(t, reg, "stox_marketplace_stock_drift_total"))
	q, _, err := e.inv.Stock(e.ctx, product.SKU)
	require.NoError(t, err)
	assert.Equal(t, 10, q, "the ledger is the truth; the marketplace follows it")
}

// counter is the value of the one counter called name that reg gathers.
func counter(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	for _, mf := range mfs {
		if mf.GetName() == name {
			return mf.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatalf("no metric %s", name)
	return 0
}
