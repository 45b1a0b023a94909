package store

import (
	"context"
	"errors"
	"time"

	"github.com/stox-dev/stox/taxonomy"
)

// ListingNeedsInput is the state of a listing the mapping could not complete: it is
// not sent (it would be refused) until the seller supplies what is missing or pins a
// mapping; the listing's Mapping says what is missing and what is allowed.
const ListingNeedsInput = "needs_input"

// Pin kinds.
const (
	PinCategory = "category" // the seller's category word → the marketplace's leaf category ID
	PinBrand    = "brand"    // the seller's brand name → the marketplace's brand ID
	PinValue    = "value"    // the seller's attribute value → the marketplace's value ID
)

// ErrBadPin is wrapped by errors of pins that cannot be stored: malformed, or a
// category pin to a category the stored taxonomy lacks or has as a parent.
var ErrBadPin = errors.New("bad pin")

// Pin is a mapping the seller fixed: it wins over the automatic choice for every
// later product. Pins are keyed by (Marketplace, Kind, Attribute, taxonomy.Fold(From)).
type Pin struct {
	Marketplace string `json:"marketplace"`
	Kind        string `json:"kind"`
	// Attribute is the marketplace attribute ID a value pin applies to; empty for
	// category and brand pins.
	Attribute string `json:"attribute,omitempty"`
	// From is the seller's word as the seller wrote it.
	From string `json:"from"`
	// To is the marketplace's ID (category, brand or value).
	To        string    `json:"to"`
	CreatedAt time.Time `json:"created_at"`
}

// ListingInput is what the seller supplied for one product's listing on one
// marketplace, to complete a listing waiting in needs_input. It outlives revisions.
type ListingInput struct {
	// Category is a leaf category ID chosen by the seller ("" : none).
	Category string `json:"category,omitempty"`
	// Brand is a brand ID chosen by the seller ("" : none).
	Brand string `json:"brand,omitempty"`
	// Attributes are values by the marketplace attribute's name or ID.
	Attributes map[string]string `json:"attributes,omitempty"`
	UpdatedAt  time.Time         `json:"updated_at"`
}

// Taxonomy keeps each marketplace's taxonomy as the taxonomy sync last read it, the
// seller's pins, and the input the seller supplied for listings. Open returns it with
// the catalog, as Stores.
type Taxonomy interface {
	// ReplaceTaxonomy replaces a marketplace's category tree and leaf definitions in
	// one transaction and records syncedAt as its sync time.
	ReplaceTaxonomy(ctx context.Context, marketplace string, cs []taxonomy.Category, ds []taxonomy.Definition, syncedAt time.Time) error
	// Categories returns a marketplace's category tree, in the order it was stored.
	Categories(ctx context.Context, marketplace string) ([]taxonomy.Category, error)
	// Definition returns one category's definition, or ErrNotFound.
	Definition(ctx context.Context, marketplace, categoryID string) (taxonomy.Definition, error)
	// PutDefinition stores (or replaces) one category's definition, read when a
	// category is first used; ReplaceTaxonomy replaces them all.
	PutDefinition(ctx context.Context, marketplace string, d taxonomy.Definition) error
	// Defined lists the categories a marketplace has a stored definition of.
	Defined(ctx context.Context, marketplace string) ([]string, error)
	// TaxonomySynced is when a marketplace's taxonomy was last replaced (zero: never).
	TaxonomySynced(ctx context.Context, marketplace string) (time.Time, error)
	// PutBrands adds brands to a marketplace's registry, or renames those it has. A
	// page with a brand that has no ID or no name is refused whole.
	PutBrands(ctx context.Context, marketplace string, bs []taxonomy.Brand) error
	// BrandsNamed returns the brands whose name folds (taxonomy.Fold) to the same as
	// name's; BrandCount how many brands a marketplace's registry holds.
	BrandsNamed(ctx context.Context, marketplace, name string) ([]taxonomy.Brand, error)
	BrandCount(ctx context.Context, marketplace string) (int, error)
	// Pin stores a pin, replacing one with the same key; its CreatedAt is the store's
	// clock. It refuses an unknown marketplace or kind, an empty From or To, and an
	// Attribute on anything but a value pin (or none on a value pin). Unpin removes the
	// pin with p's key (To is not needed; ErrNotFound when there is none); Pins lists a
	// marketplace's pins ("" : every marketplace's) by marketplace, kind, attribute and
	// folded word.
	Pin(ctx context.Context, p Pin) error
	Unpin(ctx context.Context, p Pin) error
	Pins(ctx context.Context, marketplace string) ([]Pin, error)
	// SetListingInput replaces what the seller supplied for a product on a marketplace;
	// ErrNotFound when the product does not exist. ListingInput returns it (zero when
	// nothing was supplied).
	SetListingInput(ctx context.Context, productID, marketplace string, in ListingInput) error
	ListingInput(ctx context.Context, productID, marketplace string) (ListingInput, error)
}
