package publish_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers/publish"
	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
	"github.com/stox-dev/stox/taxonomy/taxonomytest"
)

// catalogClients are the three adapters against one sandbox on a clock the test moves.
func catalogClients(t *testing.T, tax store.Taxonomy) (*sandbox.Server, map[string]marketplace.Client) {
	t.Helper()
	start := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	fast := sandbox.AmazonRate{Rate: 1000, Burst: 1000}
	sb := sandbox.New(sandbox.Options{
		Now:         func() time.Time { return start },
		Trendyol:    sandbox.TrendyolOptions{RateLimit: 100000},
		Hepsiburada: sandbox.HepsiburadaOptions{RateLimit: 100000},
		Amazon: sandbox.AmazonOptions{ListingsGet: fast, ListingsPut: fast, ListingsPatch: fast,
			DefinitionsSearch: fast, DefinitionsGet: fast},
	})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, map[string]marketplace.Client{
		messages.Trendyol: trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "100000", APIKey: "sandbox-key", APISecret: "sandbox-secret"}),
		messages.Hepsiburada: hepsiburada.New(hepsiburada.Config{CatalogURL: srv.URL, ListingURL: srv.URL, OMSURL: srv.URL,
			MerchantID: "7d1f3b2a-6c4e-4f59-8a0b-1e2d3c4b5a69", ServiceKey: "sandboxkey12", UserAgent: "stox_dev"}),
		messages.Amazon: amazon.New(amazon.Config{BaseURL: srv.URL, TokenURL: srv.URL + "/auth/o2/token",
			ClientID: "amzn1.application-oa2-client.sandbox", ClientSecret: "sandbox-secret", RefreshToken: "Atzr|sandbox-refresh-token",
			SellerID: "A1SANDBOXSELLER", MarketplaceID: "A33AVAJ2PDY3EV",
			Schema: publish.SchemaOf(tax, messages.Amazon)}),
	}
}

// catalogListing is product i of the catalog as the SEO stage hands it to a marketplace.
func catalogListing(i int, p taxonomytest.Product) marketplace.Listing {
	title := p.Brand + " " + p.Name
	return marketplace.Listing{
		SKU: fmt.Sprintf("CAT-%02d", i), Barcode: fmt.Sprintf("86900000%05d", i), Name: p.Name, Brand: p.Brand,
		Category: p.Category, Price: 199.9, ListPrice: 249.9, Currency: "TRY", VATRate: 20, Quantity: 10,
		Text: messages.ListingText{Language: "tr", Title: title,
			Description: "<p>" + title + ". Orijinal ürün, hızlı kargo.</p>",
			Bullets:     []string{"Marka: " + p.Brand, "Kategori: " + p.Category}},
		Images:     []messages.ListingImage{{Key: "1.jpg", URL: marketplacetest.ImageURL(1500, 1500), Width: 1500, Height: 1500}},
		Attributes: p.Attributes,
	}
}

// TestCatalogMapping maps 51 realistic Turkish products onto the sandbox's three
// taxonomies, as read through the adapters and kept in the store: at least 90% get
// the expected leaf on every marketplace without a pin. The test then pins each
// miss's category word (or, where one word means two leaves, chooses the category for
// that listing), and sends every listing: each complete one is accepted, and each that
// is not carries the names of the attributes it lacks.
func TestCatalogMapping(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "", t.TempDir())
	require.NoError(t, err)
	t.Cleanup(func() { _ = st.Close() })
	sb, clients := catalogClients(t, st)
	// The seller's configured defaults: made in Türkiye, the legal two-year warranty.
	defaults := map[string]string{"menşei": "TR", "garanti süresi": "2 Yıl"}

	for _, name := range messages.Marketplaces {
		t.Run(name, func(t *testing.T) {
			c := clients[name]
			src := c.(taxonomy.Source)
			_, err := taxonomy.Sync(ctx, name, src, st, time.Now)
			require.NoError(t, err)
			mapper := publish.NewMapper(name, st, src, defaults)

			// Automatic: no pins, no input.
			correct := 0
			var misses []string
			for _, p := range taxonomytest.Catalog {
				want := taxonomytest.Leaves[p.Want][name]
				require.NotEmpty(t, want, "no expected %s leaf for %s", name, p.Want)
				m, err := mapper.Map(ctx, product(p), taxonomy.Pins{}, taxonomy.Input{})
				require.NoError(t, err)
				if m.Category != nil && slices.Contains(want, m.Category.ID) {
					correct++
					continue
				}
				got := "none"
				if m.Category != nil {
					got = m.Category.ID + " " + strings.Join(m.Category.Path, " > ")
				}
				misses = append(misses, fmt.Sprintf("%s (%s): want %v, got %s", p.Name, p.Category, want, got))
			}
			share := float64(correct) / float64(len(taxonomytest.Catalog))
			t.Logf("%s: %d of %d (%.0f%%) mapped to the expected leaf automatically; misses: %s",
				name, correct, len(taxonomytest.Catalog), 100*share, strings.Join(misses, "; "))
			assert.GreaterOrEqual(t, share, 0.90, "misses: %s", strings.Join(misses, "\n"))

			// The seller's fixes: a pin per category word that means one leaf, a chosen
			// category where one word means two.
			words := map[string][]string{} // folded category word → wanted leaves
			for _, p := range taxonomytest.Catalog {
				words[taxonomy.Fold(p.Category)] = append(words[taxonomy.Fold(p.Category)], taxonomytest.Leaves[p.Want][name][0])
			}
			inputs := map[int]taxonomy.Input{}
			for i, p := range taxonomytest.Catalog {
				m, err := mapper.Map(ctx, product(p), taxonomy.Pins{}, taxonomy.Input{})
				require.NoError(t, err)
				want := taxonomytest.Leaves[p.Want][name]
				if m.Category != nil && slices.Contains(want, m.Category.ID) {
					continue
				}
				if ws := words[taxonomy.Fold(p.Category)]; len(slices.Compact(slices.Sorted(slices.Values(ws)))) == 1 {
					require.NoError(t, st.Pin(ctx, store.Pin{Marketplace: name, Kind: store.PinCategory, From: p.Category, To: want[0]}))
				} else {
					inputs[i] = taxonomy.Input{Category: want[0]}
				}
			}
			pins := pinsOf(t, st, name)

			accepted, held, answered := 0, 0, 0
			var refused []string
			send := func(i int, p taxonomytest.Product, m taxonomy.Mapping) {
				l := catalogListing(i, p)
				l.CategoryID = m.Category.ID
				if m.Brand != nil {
					l.BrandID = m.Brand.ID
				}
				for _, a := range m.Attributes {
					l.Mapped = append(l.Mapped, marketplace.MappedAttribute{ID: a.ID, Name: a.Name, ValueIDs: a.ValueIDs, Value: a.Value})
				}
				state, reasons := marketplacetest.Outcome(t, c, sb, l)
				if state == marketplace.SubmissionAccepted {
					accepted++
				} else {
					refused = append(refused, fmt.Sprintf("%s: %s", p.Name, strings.Join(reasons, "; ")))
				}
			}
			for i, p := range taxonomytest.Catalog {
				m, err := mapper.Map(ctx, product(p), pins, inputs[i])
				require.NoError(t, err)
				require.NotNil(t, m.Category, "%s: no category after the pins", p.Name)
				assert.Contains(t, taxonomytest.Leaves[p.Want][name], m.Category.ID, "%s after the pins", p.Name)
				if !m.Complete() {
					held++
					for _, x := range m.Missing {
						assert.NotEmpty(t, x.Name, "%s: a missing %s names nothing: %s", p.Name, x.Field, x.Reason)
						if x.Field == "attribute" && len(x.Allowed) == 0 {
							assert.Contains(t, x.Reason, "required", "%s: %s", p.Name, x.Reason)
						}
					}
					t.Logf("%s needs input on %s: %s", p.Name, name, strings.Join(m.Reasons(), "; "))

					// The seller answers with one of the allowed values (or text), and
					// chooses the registry's entry of a brand it knows by a longer name
					// (Maybelline is Trendyol's "Maybelline New York"): sent, accepted.
					in := inputs[i]
					in.Attributes = map[string]string{}
					for _, x := range m.Missing {
						if x.Field == "brand" {
							in.Brand = brandStartingWith(t, src, x.Name)
							continue
						}
						require.Equal(t, "attribute", x.Field, "%s: %s", p.Name, x.Reason)
						in.Attributes[x.Name] = "10"
						if len(x.Allowed) > 0 {
							in.Attributes[x.Name] = x.Allowed[0]
						}
					}
					m, err = mapper.Map(ctx, product(p), pins, in)
					require.NoError(t, err)
					require.True(t, m.Complete(), "%s after the seller's input: %s", p.Name, m.Reasons())
					answered++
					send(i, p, m)
					continue
				}
				send(i, p, m)
			}
			t.Logf("%s after the pins: %d accepted, %d of them after the seller's input", name, accepted, answered)
			assert.Empty(t, refused, "every complete listing is accepted")
			assert.Equal(t, len(taxonomytest.Catalog), accepted)
			assert.GreaterOrEqual(t, len(taxonomytest.Catalog)-held, len(taxonomytest.Catalog)*3/4, "most of the catalog needs nothing more")
		})
	}
}

// brandStartingWith is the ID of the one registry brand whose name starts with name.
func brandStartingWith(t *testing.T, src taxonomy.Source, name string) string {
	t.Helper()
	var ids []string
	require.NoError(t, src.Brands(context.Background(), func(bs []taxonomy.Brand) error {
		for _, b := range bs {
			if strings.HasPrefix(taxonomy.Fold(b.Name), taxonomy.Fold(name)+" ") {
				ids = append(ids, b.ID)
			}
		}
		return nil
	}))
	require.Len(t, ids, 1, "brands named %s…", name)
	return ids[0]
}

func product(p taxonomytest.Product) taxonomy.Product {
	return taxonomy.Product{Name: p.Name, Brand: p.Brand, Category: p.Category, Attributes: p.Attributes}
}

func pinsOf(t *testing.T, tax store.Taxonomy, name string) taxonomy.Pins {
	t.Helper()
	ps, err := tax.Pins(context.Background(), name)
	require.NoError(t, err)
	return publish.PinsOf(ps)
}
