package texts

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// With ImageURL set (STOX_IMAGE_URLS presigned or public) listings point at what it
// returns, and its failure fails the message so that it is retried.
func TestProcessImageURL(t *testing.T) {
	fs := newFakeStore(t)
	w := Writer{Store: fs, PublicBaseURL: "http://unused", ImageURL: func(_ context.Context, key string) (string, error) {
		return "https://bucket.example.com/stox/" + key + "?X-Amz-Signature=s", nil
	}}
	out, err := w.Process(context.Background(), enhanced())
	require.NoError(t, err)
	imgs := out.Images[messages.Amazon]
	require.NotEmpty(t, imgs)
	for _, img := range imgs {
		assert.Equal(t, "https://bucket.example.com/stox/"+img.Key+"?X-Amz-Signature=s", img.URL)
	}

	w.ImageURL = func(context.Context, string) (string, error) { return "", errors.New("presign: no region") }
	_, err = w.Process(context.Background(), enhanced())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "presign: no region")
}
