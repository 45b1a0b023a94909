// Package listing is the marketplace services' listing intake: it records each listing
// that reaches a marketplace's queue in the catalog, so a product's state shows it.
package listing

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/stox-dev/stox/handlers"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Recorder records the listings of one marketplace.
type Recorder struct {
	Marketplace string
	Store       store.Store
}

// Record marks a listing queued on the recorder's marketplace. A listing for a product
// that does not go to this marketplace is ignored (the fanout gives every marketplace
// every listing), and so is one without text for it: the SEO stage left it out and
// recorded why. Text without images is a permanent error.
func (r Recorder) Record(ctx context.Context, in messages.ListingV1) error {
	if !slices.Contains(in.Product.Marketplaces, r.Marketplace) {
		return nil
	}
	if _, ok := in.Texts[r.Marketplace]; !ok {
		return nil
	}
	if len(in.Images[r.Marketplace]) == 0 {
		return handlers.Permanentf("listing %s rev %d: no images for %s", in.ProductID, in.Revision, r.Marketplace)
	}
	err := r.Store.SetListing(ctx, in.ProductID, in.Revision, r.Marketplace, store.Listing{State: store.ListingQueued})
	if errors.Is(err, store.ErrNotFound) {
		return handlers.Permanentf("listing %s: %w", in.ProductID, err)
	}
	if err != nil {
		return fmt.Errorf("record listing %s on %s: %w", in.ProductID, r.Marketplace, err)
	}
	return nil
}
