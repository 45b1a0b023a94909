// Package listing is the marketplace services' listing intake: each listing that
// reaches a marketplace's queue becomes the marketplace listing to publish, stored in
// the outbox (so the product's state shows it queued) for the publisher to submit.
package listing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
	"github.com/stox-dev/stox/store"
)

// Product attributes the intake reads.
const (
	// AttrBarcode is the product's barcode (EAN/GTIN); without it the SKU is used.
	AttrBarcode = "barcode"
	// AttrVATRate is the VAT rate in percent (default DefaultVATRate).
	AttrVATRate = "vat_rate"
)

// DefaultVATRate is the Turkish standard rate, for products without vat_rate.
const DefaultVATRate = 20

// Recorder queues the listings of one marketplace.
type Recorder struct {
	Marketplace string
	Outbox      store.Outbox
	// Inventory gives the quantity a new listing starts with (the ledger's, else
	// the product's stock).
	Inventory store.Inventory
	// Notify, when set, is called after a listing is queued (it wakes the publisher).
	Notify func()
}

// Record queues a listing on the recorder's marketplace. A listing for a product that
// does not go to this marketplace is ignored (the fanout gives every marketplace every
// listing), and so is one without text for it: the SEO stage left it out and recorded
// why. Text without images, or a bad vat_rate, is a permanent error.
func (r Recorder) Record(ctx context.Context, in messages.ListingV1) error {
	if !slices.Contains(in.Product.Marketplaces, r.Marketplace) {
		return nil
	}
	if _, ok := in.Texts[r.Marketplace]; !ok {
		return nil
	}
	quantity, _, err := r.Inventory.Stock(ctx, in.Product.SKU)
	switch {
	case errors.Is(err, store.ErrNotFound):
		quantity = in.Product.Stock
	case err != nil:
		return fmt.Errorf("listing %s on %s: %w", in.ProductID, r.Marketplace, err)
	}
	l, err := Build(in, r.Marketplace, quantity)
	if err != nil {
		return permanent.Errorf("listing %s rev %d on %s: %w", in.ProductID, in.Revision, r.Marketplace, err)
	}
	payload, err := json.Marshal(l)
	if err != nil {
		return permanent.Errorf("listing %s: encode: %w", in.ProductID, err)
	}
	err = r.Outbox.QueueListing(ctx, in.ProductID, in.Revision, r.Marketplace, store.QueuedListing{Payload: payload, Barcode: l.Barcode})
	if errors.Is(err, store.ErrNotFound) {
		return permanent.Errorf("listing %s: %w", in.ProductID, err)
	}
	if err != nil {
		return fmt.Errorf("queue listing %s on %s: %w", in.ProductID, r.Marketplace, err)
	}
	if r.Notify != nil {
		r.Notify()
	}
	return nil
}

// Build is the marketplace listing of a pipeline listing, starting at quantity.
func Build(in messages.ListingV1, name string, quantity int) (marketplace.Listing, error) {
	p := in.Product
	images := in.Images[name]
	if len(images) == 0 {
		return marketplace.Listing{}, fmt.Errorf("no images for %s", name)
	}
	vat := DefaultVATRate
	if v, ok := p.Attributes[AttrVATRate]; ok {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 0 || n > 100 {
			return marketplace.Listing{}, fmt.Errorf("attribute %s=%q is not a percentage", AttrVATRate, v)
		}
		vat = n
	}
	return marketplace.Listing{
		SKU:        p.SKU,
		Name:       p.Name,
		Barcode:    strings.TrimSpace(p.Attributes[AttrBarcode]),
		Brand:      p.Brand,
		Category:   p.Category,
		Price:      p.Price,
		ListPrice:  p.ListPrice,
		Currency:   p.Currency,
		VATRate:    vat,
		Quantity:   max(quantity, 0),
		Text:       in.Texts[name],
		Images:     images,
		Attributes: p.Attributes,
	}, nil
}
