package listing

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/handlers"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

type fakeStore struct {
	store.Store
	set map[string]string
}

func (f *fakeStore) SetListing(_ context.Context, id string, _ int, m string, l store.Listing) error {
	f.set[id+"/"+m] = l.State
	return nil
}

func TestRecord(t *testing.T) {
	in := messages.ListingV1{
		ProductID: "p1", Revision: 1,
		Product: messages.Product{Marketplaces: []string{messages.Amazon, messages.Trendyol}},
		Texts:   map[string]messages.ListingText{messages.Amazon: {Title: "t"}},
		Images:  map[string][]messages.ListingImage{messages.Amazon: {{Key: "k"}}},
	}
	cases := []struct {
		name        string
		marketplace string
		listing     func() messages.ListingV1
		want        map[string]string
		permanent   bool
	}{
		{"recorded", messages.Amazon, func() messages.ListingV1 { return in }, map[string]string{"p1/amazon": store.ListingQueued}, false},
		{"not for this marketplace", messages.Hepsiburada, func() messages.ListingV1 { return in }, map[string]string{}, false},
		{"no text: seo recorded why", messages.Trendyol, func() messages.ListingV1 { return in }, map[string]string{}, false},
		{"text without images", messages.Amazon, func() messages.ListingV1 {
			l := in
			l.Images = nil
			return l
		}, map[string]string{}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &fakeStore{set: map[string]string{}}
			err := Recorder{Marketplace: c.marketplace, Store: st}.Record(context.Background(), c.listing())
			if c.permanent {
				require.Error(t, err)
				assert.True(t, handlers.IsPermanent(err))
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, c.want, st.set)
		})
	}
}
