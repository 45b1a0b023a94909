package texts

import (
	"context"
	"testing"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// nopStore accepts what the seo stage records; any other call panics (nil Store).
type nopStore struct{ store.Store }

func (nopStore) PutTexts(context.Context, string, int, map[string]messages.ListingText) error {
	return nil
}

func (nopStore) SetListing(context.Context, string, int, string, store.Listing) error { return nil }

func (nopStore) SetStage(context.Context, string, int, string, store.Stage) error { return nil }

// BenchmarkSEOStage measures the seo stage alone: one enhanced product (three
// marketplaces, three photos) through Writer.Process, catalog writes free.
//
//	go test -run '^$' -bench SEOStage ./handlers/texts/
func BenchmarkSEOStage(b *testing.B) {
	w := Writer{Store: nopStore{}, PublicBaseURL: "https://cdn.example.com"}
	in := enhanced()
	in.Product.Name = "ERKEK PAMUKLU BASİC TİŞÖRT KISA KOLLU BİSİKLET YAKA - KARGO BEDAVA"
	in.Product.Category = "Giyim > Erkek > Tişört"
	in.Product.Attributes = map[string]string{"Renk": "Siyah", "Beden": "L", "Materyal": "%100 Pamuk", "Kalıp": "Regular"}
	in.Product.Keywords = []string{"basic tişört", "yazlık", "günlük", "spor", "pamuk"}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		in.Revision = i
		i++
		if _, err := w.Process(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Minutes(), "products/min")
}
