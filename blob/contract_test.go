package blob_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/blob/blobtest"
)

func TestFSContract(t *testing.T) {
	blobtest.Run(t, func(t *testing.T) blob.Store {
		s, err := blob.NewFS(filepath.Join(t.TempDir(), "blobs"))
		require.NoError(t, err)
		return s
	})
}

func TestFSLargeStreamed(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB through the disk")
	}
	s, _ := newFS(t)
	blobtest.Large(t, s, 64<<20, 16<<20)
}
