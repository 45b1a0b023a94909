// Package taxonomy holds each marketplace's vocabulary (its category tree, the
// attributes each category asks for with their allowed values, its brand registry) and
// the mapping of a seller's own words onto it: automatically first, a mapping the
// seller pinned wins, configured defaults fill the rest, and what is still missing is
// named (with what is allowed) rather than guessed.
package taxonomy

import (
	"context"
	"encoding/json"
)

// Category is one node of a marketplace's category tree. Amazon has no tree: its
// product types are leaves whose Path is their display name.
type Category struct {
	// ID is the marketplace's ID as text: Trendyol's and Hepsiburada's numeric IDs,
	// Amazon's product type name (SHOES).
	ID       string `json:"id"`
	ParentID string `json:"parent_id,omitempty"`
	Name     string `json:"name"`
	// Path is the names from the root down to and including this category.
	Path []string `json:"path"`
	// Leaf is true for categories a listing may be placed in.
	Leaf bool `json:"leaf"`
}

// Value is one allowed value of an attribute.
type Value struct {
	// ID is the marketplace's value ID as text; marketplaces that take values as text
	// (Hepsiburada, Amazon enums) use the value itself.
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Attribute is one attribute a category asks for.
type Attribute struct {
	// ID is the marketplace's attribute ID as text: Trendyol's number, Hepsiburada's
	// key (renk_variant_property), Amazon's attribute name (color).
	ID   string `json:"id"`
	Name string `json:"name"`
	// Required attributes must be sent; a listing without one is refused.
	Required bool `json:"required,omitempty"`
	// AllowCustom is true when free text is allowed besides (or instead of) Values.
	AllowCustom bool `json:"allow_custom,omitempty"`
	// Multiple is true when several values may be sent.
	Multiple bool `json:"multiple,omitempty"`
	// Varianter marks attributes that tell variants of one product apart (size, colour).
	Varianter bool `json:"varianter,omitempty"`
	// Values are the allowed values; empty with AllowCustom means free text.
	Values []Value `json:"values,omitempty"`
}

// Definition is what a marketplace asks of listings in one leaf category.
type Definition struct {
	CategoryID string      `json:"category_id"`
	Attributes []Attribute `json:"attributes"`
	// Schema is the JSON Schema a listing's attributes must satisfy, where the
	// marketplace publishes one (Amazon's product type definitions); else nil.
	Schema json.RawMessage `json:"schema,omitempty"`
}

// Brand is one entry of a marketplace's brand registry.
type Brand struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Source reads a marketplace's taxonomy from the marketplace itself, within its rate
// limits. Every marketplace adapter implements it; the taxonomy sync stores what it
// reads, so nothing is fetched per product.
type Source interface {
	// Categories returns the whole category tree, parents before children.
	Categories(ctx context.Context) ([]Category, error)
	// Definition returns what a leaf category asks of its listings.
	Definition(ctx context.Context, categoryID string) (Definition, error)
	// Brands calls fn with each page of the brand registry, in order. Marketplaces
	// that take the brand as text, with no registry of IDs, return nil at once.
	Brands(ctx context.Context, fn func([]Brand) error) error
}
