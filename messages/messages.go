// Package messages holds the wire contracts between Stox services: one Go type per
// message, JSON with snake_case fields, versioned by type name and by the "schema"
// metadata value. It holds nothing else.
//
// Messages carry references, not bytes: photos and generated images live in the blob
// store and are named here by key. Correlation travels in metadata.
package messages

import "time"

// SchemaKey is the metadata key that names a message's schema, e.g. "image.process.v1".
const SchemaKey = "schema"

// Message is implemented by every wire contract.
type Message interface {
	// Schema is the versioned schema name carried in the SchemaKey metadata value.
	Schema() string
}

// Marketplace names, as they appear in products, routing keys and queue names.
const (
	Amazon      = "amazon"
	Trendyol    = "trendyol"
	Hepsiburada = "hepsiburada"
)

// Marketplaces lists every marketplace Stox publishes to, in a stable order.
var Marketplaces = []string{Amazon, Trendyol, Hepsiburada}

// IsMarketplace reports whether name is a marketplace Stox knows.
func IsMarketplace(name string) bool {
	for _, m := range Marketplaces {
		if m == name {
			return true
		}
	}
	return false
}

// MaxPhotos is the most photos one product may carry: the work unit of the image
// stages is one product with all its photos.
const MaxPhotos = 8

// Product is the seller's description of a product, as sent to POST /v1/products.
// It travels inside the image-stage messages so no stage needs to read the catalog.
type Product struct {
	SKU          string            `json:"sku"`
	Name         string            `json:"name"`
	Brand        string            `json:"brand,omitempty"`
	Category     string            `json:"category,omitempty"`
	Price        float64           `json:"price"`
	ListPrice    float64           `json:"list_price,omitempty"`
	Currency     string            `json:"currency,omitempty"`
	Stock        int               `json:"stock"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	Keywords     []string          `json:"keywords,omitempty"`
	Marketplaces []string          `json:"marketplaces"`
}

// Photo is one uploaded photo, stored in the blob store under Key.
type Photo struct {
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Bytes       int64  `json:"bytes"`
}

// Image is one generated image variant, stored in the blob store under Key.
type Image struct {
	// Photo is the index of the source photo in the product's photos.
	Photo int `json:"photo"`
	// Variant names the target: a marketplace name or "thumbnail".
	Variant     string `json:"variant"`
	Key         string `json:"key"`
	ContentType string `json:"content_type"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	Bytes       int64  `json:"bytes"`
}

// Analysis is what the image stage measured on one source photo.
type Analysis struct {
	Photo int `json:"photo"`
	// Sharpness is the variance of the Laplacian of luma on the reduced image.
	Sharpness float64 `json:"sharpness"`
	// Brightness is the mean luma, 0..255.
	Brightness float64 `json:"brightness"`
	// Background is the share of border pixels that are near white, 0..1.
	Background float64 `json:"background"`
	// Fill is the share of the frame the subject's bounding box covers, 0..1.
	Fill float64 `json:"fill"`
	// Colors are the dominant colours of what the shopper sees, most frequent first:
	// the subject's alone when it was separated from its backdrop (then equal to
	// SubjectColors), else the whole frame's, backdrop included.
	Colors []Color `json:"colors,omitempty"`
	// Backdrop is what surrounded the subject, modelled from the photo's borders:
	// "white" (near white already), "plain" (one colour, soft shadows allowed),
	// "gradient" (a smooth change of colour, such as a studio sweep) or "busy" (a
	// scene or texture, left as it is). Empty in messages from before it was added.
	Backdrop string `json:"backdrop,omitempty"`
	// Separated is set when a matte separated the subject from a white, plain or
	// gradient backdrop: the marketplace variants show the subject alone on pure white
	// and SubjectColors holds its colours. False for busy scenes, photos with no
	// subject found, and messages from before it was added.
	Separated bool `json:"separated"`
	// SubjectColors are the product's dominant colours measured over the subject's
	// matte only (backdrop, shadows and edge pixels left out), most frequent first;
	// present only when Separated. A photo's colour is the product's only when it
	// comes from here.
	SubjectColors []Color `json:"subject_colors,omitempty"`
	// Exposure is "under", "ok" or "over", judged on the subject's mean luma.
	Exposure string `json:"exposure,omitempty"`
	// PHash is the 64-bit DCT perceptual hash of the upright photo, 16 hex digits:
	// re-encodings of one photo differ in a few bits at most.
	PHash string `json:"phash,omitempty"`
	// Compliance is the photo's standing against each requested marketplace's image
	// rules, keyed by marketplace.
	Compliance map[string]PhotoCompliance `json:"compliance,omitempty"`
}

// Compliance statuses of PhotoCompliance.
const (
	CompliancePass  = "pass"
	ComplianceFixed = "fixed"
	ComplianceFail  = "fail"
)

// PhotoCompliance is one photo against one marketplace's image rules.
type PhotoCompliance struct {
	// Status is CompliancePass, ComplianceFixed (the generated image meets the rules
	// because the stage corrected the photo) or ComplianceFail.
	Status string `json:"status"`
	// Notes say what was fixed or what fails, one finding each.
	Notes []string `json:"notes,omitempty"`
}

// Color is a named dominant colour.
type Color struct {
	Hex   string  `json:"hex"`
	EN    string  `json:"en"`
	TR    string  `json:"tr"`
	Share float64 `json:"share"`
}

// ImageUploadV1 announces a product accepted by the HTTP API with its photos stored.
// Published by the image service's API on stox.images/image.upload; consumed by the
// image service's intake handler (queue image_uploads).
// Idempotent on (ProductID, Revision).
type ImageUploadV1 struct {
	ProductID string  `json:"product_id"`
	Revision  int     `json:"revision"`
	Product   Product `json:"product"`
	Photos    []Photo `json:"photos"`
}

// Schema implements Message.
func (ImageUploadV1) Schema() string { return "image.upload.v1" }

// ImageProcessV1 asks the AI stage to enhance a product's photos.
// Published by the image service's intake handler on stox.images/image.process;
// consumed by the ai service's competing workers (queue ai_processing).
// Idempotent on (ProductID, Revision).
type ImageProcessV1 struct {
	ProductID string   `json:"product_id"`
	Revision  int      `json:"revision"`
	Product   Product  `json:"product"`
	Photos    []Photo  `json:"photos"`
	Variants  []string `json:"variants"`
}

// Schema implements Message.
func (ImageProcessV1) Schema() string { return "image.process.v1" }

// ImageEnhancedV1 carries the enhanced images and their analysis.
// Published by the ai service on stox.images/image.enhanced; consumed by the seo
// service (queue seo_generation). Idempotent on (ProductID, Revision).
type ImageEnhancedV1 struct {
	ProductID string     `json:"product_id"`
	Revision  int        `json:"revision"`
	Product   Product    `json:"product"`
	Images    []Image    `json:"images"`
	Analysis  []Analysis `json:"analysis"`
}

// Schema implements Message.
func (ImageEnhancedV1) Schema() string { return "image.enhanced.v1" }

// ListingText is the text written for one marketplace.
type ListingText struct {
	Language    string   `json:"language"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Bullets     []string `json:"bullets,omitempty"`
	Keywords    []string `json:"keywords,omitempty"`
	// Compliance is how the text fared against the marketplace's rules; absent in
	// messages from before it was added.
	Compliance *Compliance `json:"compliance,omitempty"`
}

// Compliance is one listing text's standing against its marketplace's text rules.
type Compliance struct {
	// Status is CompliancePass (the seller's text needed no change), ComplianceFixed
	// (the text complies after the changes in Notes) or ComplianceFail (Notes say why;
	// a failing text is not published).
	Status string `json:"status"`
	// Notes say what was fixed or what fails, one finding each.
	Notes []string `json:"notes,omitempty"`
	// Writer names what wrote the text: "deterministic", "llm", or "deterministic
	// (llm rejected: …)" when a language model's text was replaced.
	Writer string `json:"writer,omitempty"`
}

// ListingImage is an image a marketplace fetches by URL.
type ListingImage struct {
	Key    string `json:"key"`
	URL    string `json:"url"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
}

// ListingV1 is a product ready to publish, with text and images per marketplace.
// Published by the seo service on the stox.marketplaces fanout; consumed by each
// marketplace service (queues amazon_listings, trendyol_listings, hepsiburada_listings),
// which picks its own entries from Texts and Images and ignores a listing that does
// not name it in Product.Marketplaces. Idempotent on (ProductID, Revision).
type ListingV1 struct {
	ProductID string                    `json:"product_id"`
	Revision  int                       `json:"revision"`
	Product   Product                   `json:"product"`
	Texts     map[string]ListingText    `json:"texts"`
	Images    map[string][]ListingImage `json:"images"`
}

// Schema implements Message.
func (ListingV1) Schema() string { return "listing.v1" }

// OrderLine is one line of a marketplace order.
type OrderLine struct {
	LineID   string `json:"line_id"`
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
}

// Order statuses a marketplace service reports.
const (
	OrderCreated   = "created"
	OrderCancelled = "cancelled"
	OrderReturned  = "returned"
)

// OrderV1 is an order (or its cancellation or return) seen on one marketplace.
// Published by a marketplace service on stox.orders with routing key
// order.<marketplace>; consumed by the sync service (queues amazon_orders,
// trendyol_orders, hepsiburada_orders). Idempotent on (Marketplace, OrderID, LineID, Status).
type OrderV1 struct {
	Marketplace string      `json:"marketplace"`
	OrderID     string      `json:"order_id"`
	Status      string      `json:"status"`
	Lines       []OrderLine `json:"lines"`
	PlacedAt    string      `json:"placed_at,omitempty"`
}

// Schema implements Message.
func (OrderV1) Schema() string { return "order.v1" }

// StockV1 is the new absolute quantity of one SKU.
// Published by the sync service on the stox.inventory fanout; consumed by each
// marketplace service (queues amazon_stock, trendyol_stock, hepsiburada_stock), which
// ignores a Version older than the last it sent.
type StockV1 struct {
	SKU      string `json:"sku"`
	Quantity int    `json:"quantity"`
	// Version increases with every change of this SKU's stock.
	Version int64 `json:"version"`
	// ChangedAt, when set, is when the ledger made this version (an order applied,
	// stock set by hand); a rebroadcast of an older change leaves it out. The
	// marketplace services measure their stock lag from it (stox_stock_lag_seconds).
	ChangedAt time.Time `json:"changed_at,omitzero"`
}

// Schema implements Message.
func (StockV1) Schema() string { return "stock.v1" }
