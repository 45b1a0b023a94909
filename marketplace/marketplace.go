// Package marketplace defines the one client interface every marketplace adapter
// implements (amazon, trendyol, hepsiburada sub-packages), speaking that marketplace's
// real API. Base URLs and credentials are configuration; the sandbox is the default.
package marketplace

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/stox-dev/stox/messages"
)

// Listing is one product as a marketplace adapter publishes it.
type Listing struct {
	SKU string
	// Name is the seller's own name of the product (the mapping reads it; the title
	// the marketplace shows is Text.Title).
	Name      string `json:",omitempty"`
	Barcode   string
	Brand     string
	Category  string
	Price     float64
	ListPrice float64
	Currency  string
	VATRate   int
	Quantity  int
	Text      messages.ListingText
	Images    []messages.ListingImage
	// Attributes are the seller's attributes, name → value.
	Attributes map[string]string
	// Existing is true when the marketplace has already accepted this SKU: adapters
	// whose API creates and updates through different calls update it.
	Existing bool

	// The listing in the marketplace's own vocabulary, chosen by the mapping step
	// before the listing is sent. CategoryID is the leaf category (Amazon: the product
	// type); BrandID the brand registry's ID, where the marketplace keys brands by ID
	// (Trendyol); Mapped every category attribute with its value. An empty CategoryID
	// means the listing was not mapped, and adapters fall back to their configuration.
	CategoryID string            `json:",omitempty"`
	BrandID    string            `json:",omitempty"`
	Mapped     []MappedAttribute `json:",omitempty"`
}

// MappedAttribute is one category attribute in the marketplace's vocabulary.
type MappedAttribute struct {
	// ID is the marketplace's attribute ID (Trendyol's number as text, Hepsiburada's
	// key, Amazon's attribute name).
	ID   string
	Name string
	// ValueIDs are the chosen values' IDs, for attributes with catalogued values
	// (several where the attribute takes several); Value is the text, for free-text
	// attributes, or the chosen value's name.
	ValueIDs []string `json:",omitempty"`
	Value    string   `json:",omitempty"`
}

// Submission states.
const (
	SubmissionPending  = "pending"
	SubmissionAccepted = "accepted"
	SubmissionRejected = "rejected"
)

// Submission is the marketplace's answer to an asynchronous request (a batch of
// listings or stock updates): its ID to poll and, once known, each item's outcome.
type Submission struct {
	ID string
	// Done is true once every item has an outcome.
	Done  bool
	Items []ItemResult
}

// ItemResult is the outcome of one SKU in a submission.
type ItemResult struct {
	SKU     string
	State   string
	Reasons []string
	// Barcode is the key the marketplace holds an accepted listing under, when it
	// differs from the listing's Barcode as it was given (Trendyol joins a barcode's
	// inner spaces and echoes the joined form): the SKU's stock is to be pushed under
	// it from then on. Empty when they are the same (an adapter that cannot tell, as
	// after a restart, may name it anyway), and for stock items.
	Barcode string
}

// Stock is an absolute quantity (and optionally price) for one SKU.
type Stock struct {
	SKU string
	// Barcode is the listing's barcode, for marketplaces that key stock by it
	// (Trendyol); empty means the SKU.
	Barcode   string
	Quantity  int
	Price     float64
	ListPrice float64
}

// Order is an order (or its change) seen on a marketplace, with the cursor to fetch
// the next ones from.
type Order = messages.OrderV1

// Client is what a marketplace service needs from one marketplace.
type Client interface {
	// Name is the marketplace: amazon, trendyol or hepsiburada.
	Name() string
	// MaxBatch is how many listings or stock items one request may carry.
	MaxBatch() int
	// UpsertListings creates or updates listings; the result is polled with Poll. Items
	// it returns decided (refused before sending) need not come back from Poll.
	UpsertListings(ctx context.Context, ls []Listing) (Submission, error)
	// Poll returns the current state of a submission.
	Poll(ctx context.Context, id string) (Submission, error)
	// PushStock sends absolute quantities (and prices).
	PushStock(ctx context.Context, s []Stock) (Submission, error)
	// Orders returns orders changed since cursor ("" for the start) and the next cursor.
	Orders(ctx context.Context, cursor string) ([]Order, string, error)
	// Acknowledge tells the marketplace the seller has taken the orders, where the API
	// has such a call.
	Acknowledge(ctx context.Context, orderIDs []string) error
}

// StockReader is a Client that reads back the stock a marketplace shows, for the
// reconciler to compare with the ledger: it returns the sellable quantity of each
// item it found, keyed by the item's SKU; an item the marketplace does not hold is
// absent. items carry SKU and Barcode as a push would (Quantity is ignored); a call
// takes at most MaxBatch items and goes through the client's limiter.
type StockReader interface {
	ReadStock(ctx context.Context, items []Stock) (map[string]int, error)
}

// WebhookReceiver is implemented by adapters of marketplaces that push order changes
// to the seller over HTTP (Trendyol's webhooks). The marketplace service serves
// WebhookPath and hands every delivery to Webhook.
type WebhookReceiver interface {
	// WebhookPath is the path the marketplace posts to, e.g. /webhooks/trendyol.
	WebhookPath() string
	// Webhook checks one delivery's credentials and parses it into orders. An error
	// wrapping ErrUnauthorized means the caller was not the marketplace.
	Webhook(r *http.Request) ([]Order, error)
}

// ErrRateLimited is wrapped by errors of requests the marketplace throttled; RetryAfter
// says how long it asked to wait.
var ErrRateLimited = errors.New("rate limited")

// ErrUnauthorized is wrapped by errors of requests the marketplace refused for their
// credentials or identifying headers (wrong key or secret, missing User-Agent): retrying
// cannot help until the configuration changes.
var ErrUnauthorized = errors.New("unauthorized")

// ErrUnavailable is wrapped by errors of requests the marketplace did not answer, or
// answered with a server error (5xx): nothing is wrong with what was sent, so it is
// sent again later, as it was.
var ErrUnavailable = errors.New("marketplace unavailable")

// ErrNoAnswer marks a request that got no answer (or only part of one): it may
// have reached the marketplace and been taken.
var ErrNoAnswer = errors.New("no answer")

// ErrDuplicate is wrapped by errors of requests the marketplace refused because an
// identical one was sent too recently (Trendyol refuses the same price-and-inventory body
// within 15 minutes). The marketplace already holds those values; the caller should
// drop unchanged items rather than retry.
var ErrDuplicate = errors.New("duplicate request refused")

// ErrSubmissionFailed is wrapped by Poll's errors for a submission the marketplace gave
// up on as a whole (Amazon's FATAL or CANCELLED feed): none of its items has an
// outcome to record, and nothing was wrong with any one of them that the marketplace
// said; the caller sends them again (counting an attempt), with the error as reason.
var ErrSubmissionFailed = errors.New("submission failed as a whole")

// ListingBatcher is a Client that takes more listings in one submission than stock
// items (Amazon's bulk feed): the publisher claims up to MaxListings listings a round,
// and MaxBatch stock items.
type ListingBatcher interface {
	MaxListings() int
}

// RateLimitError is a throttled request.
type RateLimitError struct {
	RetryAfter time.Duration
	Body       string
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited (retry after %s): %s", e.RetryAfter, e.Body)
}

// Unwrap makes errors.Is(err, ErrRateLimited) true.
func (e *RateLimitError) Unwrap() error { return ErrRateLimited }
