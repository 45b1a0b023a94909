// Package store keeps the catalog (products, their photos, generated images and texts,
// per-stage and per-marketplace state) behind one interface with two implementations:
// SQLite (modernc.org/sqlite, the embedded default) and PostgreSQL (pgx). Both pass the
// contract suite in storetest. Schema migrations are embedded and applied at Open.
package store

import (
	"context"
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

// Listing is the state of a product on one marketplace.
type Listing struct {
	State     string    `json:"state"`
	Reasons   []string  `json:"reasons,omitempty"`
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
	// SetStage records a stage's state for a revision.
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
