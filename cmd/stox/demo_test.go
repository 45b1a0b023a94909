package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/internal/demo"
	"github.com/stox-dev/stox/messages"
)

// TestDemo runs `stox demo`'s code twice against a pipeline in this process with the
// sandbox: every sample accepted on all three marketplaces on the first try (with the
// attribute defaults stox run has, no input supplied), stock in step after the orders,
// and the second run made revision 2 of the same products, no duplicates. Then the
// command itself exits non-zero when a marketplace refuses the seller (its
// credentials revoked), saying which listing.
func TestDemo(t *testing.T) {
	e2eParallel(t)
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb, sbSrv := serveSandbox(t)
	cfg := marketConfig(t, baseConfig(t), sbSrv.URL)
	cfg.AttributeDefaults = defaultMarketplaces(t).AttributeDefaults // what stox run has
	_, srv, served := startApp(t, ctx, cfg, log, nil)

	n, orders := len(demo.Samples), 20
	var first demo.Result
	for run := 1; run <= 2; run++ {
		var out bytes.Buffer
		res, err := demo.Run(ctx, demo.Config{API: srv.URL, Sandbox: sbSrv.URL, Products: n, Orders: orders,
			Timeout: 2 * time.Minute, Out: &out, Poll: 100 * time.Millisecond, Seed: uint64(run)})
		t.Logf("run %d:\n%s", run, out.String())
		require.NoError(t, err)
		assert.Empty(t, res.Problems())
		assert.Empty(t, res.Answered, "the samples map onto every taxonomy without the seller's input")
		for _, m := range messages.Marketplaces {
			assert.Equal(t, n, res.Accepted[m], m)
			assert.Equal(t, n, res.InStep[m], m)
		}
		assert.Equal(t, orders, res.Orders)
		assert.Contains(t, out.String(), "every product accepted on every marketplace, stock in step")
		require.Len(t, res.Revision, n)
		for sku, rev := range res.Revision {
			assert.Equal(t, run, rev, sku)
		}
		if run == 1 {
			first = res
			// The first sample nearly sold out: the second run restocks it.
			req, err := http.NewRequest(http.MethodPut, srv.URL+"/v1/products/"+demo.Samples[0].SKU+"/stock", strings.NewReader(`{"quantity":1}`))
			require.NoError(t, err)
			res, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			_ = res.Body.Close()
			require.Equal(t, http.StatusOK, res.StatusCode)
			continue
		}
		assert.Contains(t, out.String(), "revision 2 (each SKU once in the catalog);")
		assert.Contains(t, out.String(), fmt.Sprintf("%s: 1 left of %d, restocked to %d", demo.Samples[0].SKU, demo.Samples[0].Stock, demo.Samples[0].Stock+2))
		assert.Equal(t, first.IDs, res.IDs, "the same products")
		for sku := range res.Revision {
			assert.Equal(t, 1, res.Catalog[sku], "%s: one product, not one per run", sku)
		}
	}
	// A marketplace that refuses the seller: the command says so and fails.
	require.NoError(t, sb.SetRevoked(messages.Hepsiburada, true))
	cmd := demoCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"--api", srv.URL, "--sandbox", sbSrv.URL, "--products", "1", "--orders", "0", "--timeout", "6s"})
	err := cmd.ExecuteContext(ctx)
	t.Logf("with hepsiburada refusing:\n%s", out.String())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "on hepsiburada")
	assert.Contains(t, out.String(), "revision 3")
	assert.Contains(t, out.String(), "not right:")

	cancel()
	require.NoError(t, <-served)
}
