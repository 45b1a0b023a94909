// Package store keeps the catalog (products, their photos, generated images and texts,
// per-stage and per-marketplace state) behind one interface with two implementations:
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (lib/pq). Both pass the
// contract suite in storetest. Schema migrations are embedded and applied at Open.
package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/stox-dev/stox/messages"
)

// ErrNotFound is returned when a product does not exist.
var ErrNotFound = errors.New("not found")

// Stage names and their states.
const (
	StageImages = "images"
	StageSEO    = "seo"

	StatePending = "pending"
	StateDone    = "done"
	StateFailed  = "failed"

	// ReasonImagesFailed is the seo stage's reason when the images stage, whose output
	// it works on, failed: it will not run for that revision.
	ReasonImagesFailed = "not written: the images stage failed (see its reasons)"
)

// Listing states.
const (
	ListingQueued    = "queued"
	ListingSubmitted = "submitted"
	ListingAccepted  = "accepted"
	ListingRejected  = "rejected"
)

// NewProduct is a product accepted by the API.
type NewProduct struct {
	ID      string
	Product messages.Product
	Photos  []messages.Photo
}

// Stage is the state of one pipeline stage for a product.
type Stage struct {
	State     string    `json:"state"`
	Reasons   []string  `json:"reasons,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Listing is the state of a product on one marketplace: Reasons are the marketplace's
// (or the service's) words for a rejection; Submission is the marketplace's ID of the
// request the listing went out in.
type Listing struct {
	State      string   `json:"state"`
	Reasons    []string `json:"reasons,omitempty"`
	Submission string   `json:"submission,omitempty"`
	// Mapping is the listing in the marketplace's vocabulary as the mapping step chose
	// it (a taxonomy.Mapping): category, brand, attributes and where each came from,
	// and for needs_input what is missing and what is allowed. SetListing keeps the
	// stored mapping when this is nil.
	Mapping json.RawMessage `json:"mapping,omitempty"`
	// Barcode is the barcode the marketplace holds the listing under, when it is not
	// the one the listing was queued with (Trendyol joins a barcode's inner spaces):
	// the SKU's stock is pushed under it (Unpushed). SetListing records it when it is
	// set and keeps the stored one when it is empty; it stays for later revisions
	// queued with the same barcode, and QueueListing clears it when the barcode changes.
	Barcode   string    `json:"barcode,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Product is everything the API shows about a product.
type Product struct {
	ID        string                          `json:"id"`
	Revision  int                             `json:"revision"`
	Product   messages.Product                `json:"product"`
	Photos    []messages.Photo                `json:"photos"`
	Stages    map[string]Stage                `json:"state"`
	Images    []messages.Image                `json:"images"`
	Analysis  []messages.Analysis             `json:"analysis"`
	Texts     map[string]messages.ListingText `json:"texts"`
	Listings  map[string]Listing              `json:"listings"`
	CreatedAt time.Time                       `json:"created_at"`
	UpdatedAt time.Time                       `json:"updated_at"`
}

// Summary is one row of the product list.
type Summary struct {
	ID        string           `json:"id"`
	SKU       string           `json:"sku"`
	Name      string           `json:"name"`
	Revision  int              `json:"revision"`
	Stages    map[string]Stage `json:"state"`
	CreatedAt time.Time        `json:"created_at"`
}

// Store is the catalog. Writes that carry a revision are ignored when the product has
// already moved to a newer revision, so a late message never overwrites newer state.
type Store interface {
	// PutProduct stores a product accepted by the API. A product with a SKU already
	// known keeps its ID and gets the next revision; the returned ID and revision are
	// the ones to publish. Every stage is reset to pending, listings are cleared.
	PutProduct(ctx context.Context, p NewProduct) (id string, revision int, err error)
	// Product returns one product by ID, or ErrNotFound.
	Product(ctx context.Context, id string) (Product, error)
	// Products lists products newest first; after is the ID of the last product of the
	// previous page ("" for the first page).
	Products(ctx context.Context, limit int, after string) ([]Summary, error)
	// SetStage records a stage's state for a revision. A failed images stage fails a
	// pending seo stage too (ReasonImagesFailed): it has nothing to write from.
	SetStage(ctx context.Context, id string, revision int, stage string, s Stage) error
	// PutImages replaces the generated images and analysis of a revision.
	PutImages(ctx context.Context, id string, revision int, images []messages.Image, analysis []messages.Analysis) error
	// PutTexts replaces the texts per marketplace of a revision.
	PutTexts(ctx context.Context, id string, revision int, texts map[string]messages.ListingText) error
	// SetListing records a product's state on one marketplace for a revision.
	SetListing(ctx context.Context, id string, revision int, marketplace string, l Listing) error
	// Close releases the database.
	Close() error
}

// Inventory is the stock ledger: one stock truth per SKU, order lines applied exactly
// once, the oversells they caused, and what each marketplace was last told. It is kept
// in the same database as the catalog (Open returns both, as Stores); services that
// only read the catalog take a Store and do not see it.
type Inventory interface {
	// SetStock sets a SKU's stock by hand (or from an uploaded product), bumps its
	// version and records a ledger entry. It returns the stock to broadcast.
	SetStock(ctx context.Context, sku string, quantity int) (messages.StockV1, error)
	// ApplyOrder applies an order's lines in one transaction, each exactly once per
	// (marketplace, order ID, line ID, status): created takes stock, cancelled and
	// returned give back what the created line took, once. Stock never goes below
	// zero: what it cannot cover is recorded and returned as an Oversell, as is a
	// line whose SKU has no stock. changed holds the new stock of every SKU whose
	// quantity moved, each with a new version; a redelivered order changes nothing.
	ApplyOrder(ctx context.Context, o messages.OrderV1) (changed []messages.StockV1, oversold []Oversell, err error)
	// Stock returns a SKU's quantity and version, or ErrNotFound.
	Stock(ctx context.Context, sku string) (quantity int, version int64, err error)
	// Oversells lists recorded oversells, newest first.
	Oversells(ctx context.Context, limit int) ([]Oversell, error)
	// MarkSent records that marketplace should now show quantity of sku at version.
	// send is false, and nothing is to be sent, when version is not newer than the
	// one recorded, or when quantity equals the last recorded quantity (the newer
	// version is still recorded, so an older message arriving late is ignored).
	MarkSent(ctx context.Context, marketplace, sku string, quantity int, version int64) (send bool, err error)
	// Sent returns what MarkSent last recorded for marketplace and sku, or ErrNotFound.
	Sent(ctx context.Context, marketplace, sku string) (quantity int, version int64, err error)
	// History lists a SKU's latest ledger entries, newest first (store/history.go).
	History(ctx context.Context, sku string, limit int) ([]Change, error)
}
