package blob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Lister is a Store that can name every blob it holds: what `stox blobs export`
// (backups, moving between stores) reads. fn is called once per key, in no set order;
// an error from fn stops the walk and is returned.
type Lister interface {
	Keys(ctx context.Context, fn func(key string) error) error
}

var _ Lister = (*FS)(nil)

// Keys calls fn with the key of every blob in the directory. Anything that is not a
// blob (a temporary file of a write in progress, a stray file) is skipped.
func (s *FS) Keys(ctx context.Context, fn func(key string) error) error {
	err := filepath.WalkDir(s.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() || ValidateKey(d.Name()) != nil || path != s.path(d.Name()) {
			return nil
		}
		return fn(d.Name())
	})
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list blobs in %s: %w", s.dir, err)
	}
	return nil
}
