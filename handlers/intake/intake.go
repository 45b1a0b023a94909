// Package intake is the image service's intake stage: it checks that an uploaded
// product is complete and its photos are stored, and asks the AI stage to enhance them.
package intake

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/imaging"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// Intake prepares uploaded products for the AI stage.
type Intake struct {
	Blobs blob.Store
	Store store.Store
}

// Prepare checks an upload and returns the work for the AI stage: the photos and the
// image variants to make (one per marketplace the product goes to, and imaging's
// thumbnail).
// An upload that can never be processed is recorded as a failed images stage and
// returned as a permanent error.
func (i Intake) Prepare(ctx context.Context, in messages.ImageUploadV1) (messages.ImageProcessV1, error) {
	if err := check(in); err != nil {
		return messages.ImageProcessV1{}, i.fail(ctx, in, err)
	}
	for n, p := range in.Photos {
		r, _, err := i.Blobs.Open(ctx, p.Key)
		if errors.Is(err, blob.ErrNotFound) {
			return messages.ImageProcessV1{}, i.fail(ctx, in, fmt.Errorf("photos[%d]: blob %s is missing", n, p.Key))
		}
		if err != nil {
			return messages.ImageProcessV1{}, fmt.Errorf("open photo %s: %w", p.Key, err)
		}
		_ = r.Close()
	}
	variants := append(append([]string(nil), in.Product.Marketplaces...), imaging.Thumbnail)
	if err := i.Store.SetStage(ctx, in.ProductID, in.Revision, store.StageImages,
		store.Stage{State: store.StatePending, Reasons: []string{"queued for enhancement"}}); err != nil && !errors.Is(err, store.ErrNotFound) {
		return messages.ImageProcessV1{}, fmt.Errorf("record stage: %w", err)
	}
	return messages.ImageProcessV1{
		ProductID: in.ProductID,
		Revision:  in.Revision,
		Product:   in.Product,
		Photos:    in.Photos,
		Variants:  variants,
	}, nil
}

func check(in messages.ImageUploadV1) error {
	var errs []error
	if in.ProductID == "" {
		errs = append(errs, errors.New("product_id is empty"))
	}
	if in.Revision < 1 {
		errs = append(errs, fmt.Errorf("revision %d is not positive", in.Revision))
	}
	if in.Product.SKU == "" {
		errs = append(errs, errors.New("product has no sku"))
	}
	if len(in.Photos) == 0 || len(in.Photos) > messages.MaxPhotos {
		errs = append(errs, fmt.Errorf("%d photos, want 1 to %d", len(in.Photos), messages.MaxPhotos))
	}
	if len(in.Product.Marketplaces) == 0 {
		errs = append(errs, errors.New("product names no marketplace"))
	}
	seen := map[string]bool{}
	for _, m := range in.Product.Marketplaces {
		if !messages.IsMarketplace(m) {
			errs = append(errs, fmt.Errorf("unknown marketplace %q", m))
		}
		if seen[m] {
			errs = append(errs, fmt.Errorf("marketplace %q named twice", m))
		}
		seen[m] = true
	}
	return errors.Join(errs...)
}

// fail records a failure that retrying cannot fix and marks err permanent.
func (i Intake) fail(ctx context.Context, in messages.ImageUploadV1, err error) error {
	if in.ProductID != "" {
		s := store.Stage{State: store.StateFailed, Reasons: []string{err.Error()}, UpdatedAt: time.Now()}
		if serr := i.Store.SetStage(ctx, in.ProductID, in.Revision, store.StageImages, s); serr != nil && !errors.Is(serr, store.ErrNotFound) {
			return fmt.Errorf("record failure %q: %w", err, serr)
		}
	}
	return permanent.Wrap(fmt.Errorf("intake %s: %w", in.ProductID, err))
}
