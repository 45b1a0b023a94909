package intake

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/imaging"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

type fakeBlobs struct{ keys map[string]bool }

func (f fakeBlobs) Put(context.Context, []byte, string) (string, error) { panic("not used") }
func (f fakeBlobs) Get(context.Context, string) ([]byte, error)         { panic("not used") }
func (f fakeBlobs) Open(_ context.Context, key string) (io.ReadSeekCloser, int64, error) {
	if !f.keys[key] {
		return nil, 0, blob.ErrNotFound
	}
	return nopCloser{bytes.NewReader(nil)}, 0, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

type fakeStore struct {
	store.Store
	stages []store.Stage
}

func (f *fakeStore) SetStage(_ context.Context, _ string, _ int, stage string, s store.Stage) error {
	if stage != store.StageImages {
		panic("intake writes only the images stage")
	}
	f.stages = append(f.stages, s)
	return nil
}

func upload() messages.ImageUploadV1 {
	return messages.ImageUploadV1{
		ProductID: "p1", Revision: 1,
		Product: messages.Product{SKU: "S1", Name: "n", Marketplaces: []string{messages.Trendyol, messages.Amazon}},
		Photos:  []messages.Photo{{Key: "a.jpg"}, {Key: "b.jpg"}},
	}
}

func TestPrepare(t *testing.T) {
	st := &fakeStore{}
	in := upload()
	out, err := Intake{Blobs: fakeBlobs{map[string]bool{"a.jpg": true, "b.jpg": true}}, Store: st}.Prepare(context.Background(), in)
	require.NoError(t, err)
	assert.Equal(t, []string{messages.Trendyol, messages.Amazon, imaging.Thumbnail}, out.Variants)
	assert.Equal(t, in.Photos, out.Photos)
	assert.Equal(t, "p1", out.ProductID)
	require.Len(t, st.stages, 1)
	assert.Equal(t, store.StatePending, st.stages[0].State)
}

func TestPrepareRefuses(t *testing.T) {
	cases := []struct {
		name   string
		change func(*messages.ImageUploadV1)
		reason string
	}{
		{"missing blob", func(u *messages.ImageUploadV1) { u.Photos[1].Key = "gone.jpg" }, "photos[1]: blob gone.jpg is missing"},
		{"no photos", func(u *messages.ImageUploadV1) { u.Photos = nil }, "0 photos"},
		{"unknown marketplace", func(u *messages.ImageUploadV1) { u.Product.Marketplaces = []string{"ebay"} }, `unknown marketplace "ebay"`},
		{"twice", func(u *messages.ImageUploadV1) { u.Product.Marketplaces = []string{"amazon", "amazon"} }, "named twice"},
		{"no sku", func(u *messages.ImageUploadV1) { u.Product.SKU = "" }, "no sku"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := &fakeStore{}
			in := upload()
			c.change(&in)
			_, err := Intake{Blobs: fakeBlobs{map[string]bool{"a.jpg": true, "b.jpg": true}}, Store: st}.Prepare(context.Background(), in)
			require.Error(t, err)
			assert.True(t, permanent.Is(err))
			assert.Contains(t, err.Error(), c.reason)
			require.Len(t, st.stages, 1, "the failure is recorded")
			assert.Equal(t, store.StateFailed, st.stages[0].State)
			assert.Contains(t, st.stages[0].Reasons[0], c.reason)
		})
	}
}
