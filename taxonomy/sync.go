package taxonomy

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Writer stores what Sync reads (the store implements it).
type Writer interface {
	ReplaceTaxonomy(ctx context.Context, marketplace string, cs []Category, ds []Definition, syncedAt time.Time) error
	PutBrands(ctx context.Context, marketplace string, bs []Brand) error
	// Defined lists the categories whose definitions are stored: those in use.
	Defined(ctx context.Context, marketplace string) ([]string, error)
}

// Synced counts what one Sync read.
type Synced struct {
	Categories int
	// Definitions counts the definitions read again: those of categories in use.
	Definitions int
	Brands      int
}

// Sync reads a marketplace's taxonomy from src (the brand registry page by page, the
// category tree, and again the definition of every category already in use; a
// category's definition is otherwise read when a listing first needs it) and stores
// it in w. The brands are stored first and the tree last, in one replacement: a
// reader sees the old taxonomy or the new one, never half of one, and a sync that
// fails leaves the old in place. A read that fails (throttled, a server error) is
// tried again a few times, with growing pauses, before the sync gives up.
func Sync(ctx context.Context, marketplace string, src Source, w Writer, now func() time.Time) (Synced, error) {
	var n Synced
	// The registry is read again from its first page when a page fails.
	err := retry(ctx, func() error {
		n.Brands = 0
		return src.Brands(ctx, func(bs []Brand) error {
			n.Brands += len(bs)
			return w.PutBrands(ctx, marketplace, bs)
		})
	})
	if err != nil {
		return n, fmt.Errorf("sync %s brands: %w", marketplace, err)
	}
	var cats []Category
	if err := retry(ctx, func() (err error) { cats, err = src.Categories(ctx); return err }); err != nil {
		return n, fmt.Errorf("sync %s categories: %w", marketplace, err)
	}
	used, err := w.Defined(ctx, marketplace)
	if err != nil {
		return n, err
	}
	var defs []Definition
	for _, c := range cats {
		if !c.Leaf || !slices.Contains(used, c.ID) {
			continue
		}
		var d Definition
		if err := retry(ctx, func() (err error) { d, err = src.Definition(ctx, c.ID); return err }); err != nil {
			return n, fmt.Errorf("sync %s category %s (%s): %w", marketplace, c.ID, c.Name, err)
		}
		d.CategoryID = c.ID
		defs = append(defs, d)
	}
	if err := w.ReplaceTaxonomy(ctx, marketplace, cats, defs, now()); err != nil {
		return n, fmt.Errorf("store %s taxonomy: %w", marketplace, err)
	}
	n.Categories, n.Definitions = len(cats), len(defs)
	return n, nil
}

// retries is how often a failed read is tried again; the pauses double from
// retryPause.
const (
	retries    = 4
	retryPause = 500 * time.Millisecond
)

func retry(ctx context.Context, read func() error) error {
	pause := retryPause
	for i := 0; ; i++ {
		err := read()
		if err == nil || i == retries || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(pause):
		}
		pause *= 2
	}
}

// ReadThrough returns a definition reader for Mapper.Definition: the stored
// definition, else (when stored reports that it has none) the marketplace's, read
// once and stored by put, with retries as Sync does.
func ReadThrough(stored func(ctx context.Context, id string) (Definition, bool, error), src Source, put func(ctx context.Context, d Definition) error) func(context.Context, string) (Definition, error) {
	return func(ctx context.Context, id string) (Definition, error) {
		d, ok, err := stored(ctx, id)
		if err != nil || ok {
			return d, err
		}
		if err := retry(ctx, func() (err error) { d, err = src.Definition(ctx, id); return err }); err != nil {
			return Definition{}, err
		}
		d.CategoryID = id
		if err := put(ctx, d); err != nil {
			return Definition{}, err
		}
		return d, nil
	}
}
