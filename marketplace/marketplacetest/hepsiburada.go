package marketplacetest

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// RunHepsiburadaFidelity runs the cases of Hepsiburada's own rules (issue 17) against a
// Hepsiburada client pointed at sb, with Run's parameters: the VAT rates the catalog
// import takes, and listings fulfilled by Hepsiburada kept out of stock pushes.
func RunHepsiburadaFidelity(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()

	t.Run("vat rates", func(t *testing.T) {
		// Hepsiburada's own import sample sends "tax_vat_rate":"5" [C S-HB3]; Turkish VAT
		// is 0, 1, 10 or 20 since July 2023, and the former 8 and 18 are gone [I].
		tests := []struct {
			name     string
			rate     int
			accepted bool
		}{
			{name: "5 as in hepsiburada's sample", rate: 5, accepted: true},
			{name: "0 for exempt supplies", rate: 0, accepted: true},
			{name: "1", rate: 1, accepted: true},
			{name: "10", rate: 10, accepted: true},
			{name: "20", rate: 20, accepted: true},
			{name: "18 repealed in 2023", rate: 18},
			{name: "8 repealed in 2023", rate: 8},
			{name: "7 never a turkish rate", rate: 7},
		}
		c := newClient(t)
		ls := make([]marketplace.Listing, len(tests))
		for i, tt := range tests {
			ls[i] = valid("vat" + strconv.Itoa(tt.rate))
			ls[i].VATRate = tt.rate
		}
		sub, err := c.UpsertListings(ctx, ls)
		require.NoError(t, err, "the adapter sends every rate and lets hepsiburada decide")
		got := bySKU(waitDone(t, c, sb, sub.ID).Items)
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				it, ok := got[ls[i].SKU]
				require.True(t, ok, "no outcome for %s", ls[i].SKU)
				if tt.accepted {
					assert.Equal(t, marketplace.SubmissionAccepted, it.State, "reasons: %q", it.Reasons)
					assert.Empty(t, it.Reasons)
					return
				}
				assert.Equal(t, marketplace.SubmissionRejected, it.State)
				require.Len(t, it.Reasons, 1, "only the rate is wrong: %q", it.Reasons)
				assert.Contains(t, it.Reasons[0], "tax_vat_rate")
				assert.Contains(t, it.Reasons[0], "0, 1, 5, 10, 20", "the refusal names the rates hepsiburada takes")
			})
		}
	})

	t.Run("a listing fulfilled by hepsiburada gets no stock push", func(t *testing.T) {
		c := newClient(t)
		own, byHB := valid("own"), valid("fbh")
		sub, err := c.UpsertListings(ctx, []marketplace.Listing{own, byHB})
		require.NoError(t, err)
		for _, it := range waitDone(t, c, sb, sub.ID).Items {
			require.Equal(t, marketplace.SubmissionAccepted, it.State, "%s: %q", it.SKU, it.Reasons)
		}
		require.NoError(t, sb.SetHepsiburadaFulfilledByHB(byHB.SKU, true))
		warehouse := stock(t, sb, c.Name(), byHB.SKU)

		sub, err = c.PushStock(ctx, []marketplace.Stock{{SKU: own.SKU, Quantity: 7}, {SKU: byHB.SKU, Quantity: 3}})
		require.NoError(t, err)
		if !sub.Done {
			sub = waitDone(t, c, sb, sub.ID)
		}
		got := bySKU(sub.Items)
		require.Len(t, got, 2)
		assert.Equal(t, marketplace.SubmissionAccepted, got[own.SKU].State, "reasons: %q", got[own.SKU].Reasons)
		assert.Equal(t, 7, stock(t, sb, c.Name(), own.SKU), "the seller's own listing is pushed")
		assert.Equal(t, marketplace.SubmissionAccepted, got[byHB.SKU].State, "nothing to change is not a failure")
		assert.Contains(t, strings.Join(got[byHB.SKU].Reasons, "; "), "isFulfilledByHB", "the outcome says why nothing was sent")
		assert.Equal(t, warehouse, stock(t, sb, c.Name(), byHB.SKU), "hepsiburada's warehouse count is not overwritten")

		// A push of fulfilled-by-Hepsiburada listings alone sends no stock at all.
		sub, err = c.PushStock(ctx, []marketplace.Stock{{SKU: byHB.SKU, Quantity: 1}})
		require.NoError(t, err)
		if !sub.Done {
			sub = waitDone(t, c, sb, sub.ID)
		}
		require.Len(t, sub.Items, 1)
		assert.Equal(t, marketplace.SubmissionAccepted, sub.Items[0].State)
		assert.Equal(t, warehouse, stock(t, sb, c.Name(), byHB.SKU))
		polled, err := c.Poll(ctx, sub.ID)
		require.NoError(t, err, "the submission can still be polled")
		assert.True(t, polled.Done)
	})
}
