// Package api is the image service's HTTP API: sellers upload products with photos,
// read their state and list them, and set a SKU's stock by hand; marketplaces fetch
// images by URL. It validates a product and its photos completely before storing or
// publishing anything, stores the photos and the product, records the product's
// initial stock in the stock ledger, and announces the product to the pipeline with an
// ImageUploadV1.
//
// Every error is an RFC 9457 problem+json body whose "errors" member lists each problem
// found as {field, message}. When a request has problems of several classes, the
// gravest sets the status, in this order:
//
//	408  the body arrived too slowly (Config.BodyWindow, Config.MinBodyRate); the
//	     connection is closed
//	413  a photo, the product part or the whole body is too large
//	400  unreadable request: broken multipart, missing/duplicate/unknown part, bad JSON
//	     (syntax, wrong type, unknown field, text that is not valid UTF-8 or holds a NUL),
//	     a path or query parameter that is not valid UTF-8 or holds a control character,
//	     bad stock body or SKU in the path of PUT .../stock (including a missing or
//	     out-of-range quantity)
//	422  readable but invalid: field rules, photo count, corrupt photo header, too many
//	     pixels, and a photo that is not JPEG, PNG, GIF or WebP beside any of these
//	415  only when nothing else is wrong: not multipart/form-data (or not JSON where
//	     JSON is due), or photos that are not JPEG, PNG, GIF or WebP by their bytes
//
// and, outside validation: 401 (missing or wrong bearer key, with WWW-Authenticate),
// 404 (unknown product, SKU, image or route), 405 (wrong method, with Allow), 500 (a
// failure of the server), 501 (setting stock on a server without a stock ledger), and
// 503 with Retry-After when the database is unavailable (on every route), when a
// request other than an upload is not answered within Config.RequestTimeout, when the
// server holds as much upload memory as it may (Config.UploadMemory), or when the
// pipeline or the stock ledger did not take an upload or a stock change.
package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/oklog/ulid"

	"github.com/stox-dev/stox/blob"
	"github.com/stox-dev/stox/internal/bearer"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Defaults for the zero values of Config.
const (
	// DefaultMaxPhotoBytes is the largest photo accepted: 20 MiB.
	DefaultMaxPhotoBytes int64 = 20 << 20
	// DefaultMaxPixels is the most pixels a photo may have: 50 megapixels.
	DefaultMaxPixels = 50_000_000
)

// Config holds the API's dependencies and limits.
type Config struct {
	// Store is the catalog products are written to and read from.
	Store store.Store
	// Taxonomy holds each marketplace's categories, the seller's pins and the input
	// supplied for listings: the mapping, taxonomy and listing input routes read and
	// write it. Nil answers those routes with 501.
	Taxonomy store.Taxonomy
	// Imports records bulk imports (POST /v1/imports) and answers their progress. Nil
	// answers the import routes with 501.
	Imports store.Importer
	// Blobs holds the photos, and serves them and the generated images.
	Blobs blob.Store
	// Publish announces an accepted product to the pipeline. It returns only once the
	// broker has taken the message (publisher confirms).
	Publish func(ctx context.Context, m messages.ImageUploadV1) error
	// SetStock sets a SKU's stock by hand (PUT /v1/products/{sku}/stock) and returns
	// the new stock; the app sets it in the ledger (store.Inventory.SetStock) and
	// publishes the result on the inventory exchange. Before calling it the API checks
	// that the SKU is known through Stock, answering 404 for store.ErrNotFound. Without
	// Stock, SetStock must itself return an error wrapping store.ErrNotFound for an
	// unknown SKU (Inventory.SetStock would create it). Any other error answers 503.
	// Nil answers the route with 501.
	SetStock func(ctx context.Context, sku string, quantity int) (messages.StockV1, error)
	// Stock reads a SKU's stock in the ledger (store.Inventory.Stock), returning
	// store.ErrNotFound for a SKU it does not know; see SetStock.
	Stock func(ctx context.Context, sku string) (quantity int, version int64, err error)
	// InitStock records an accepted product's stock as its SKU's initial stock, only
	// when the ledger has no stock for the SKU yet (a re-upload must not undo sales),
	// and broadcasts it when it set it. It returns an error only when the ledger did
	// not record the stock, which fails the upload with 503: a broadcast the broker
	// refused is not one, since every listing starts from the ledger's quantity and
	// later changes are broadcast anew. Nil skips it, for a deployment without a
	// stock ledger.
	InitStock func(ctx context.Context, sku string, quantity int) error
	// Search, when set, lists GET /v1/products through store.Searcher: each product
	// with its listings' states, and the filters q, stage, marketplace, listing and
	// attention. Nil lists with Store.Products, without listings or filters.
	Search func(context.Context, store.Query) ([]store.Found, error)
	// Requeue queues a listing again (store.Outbox.RequeueListing) for POST
	// /v1/products/{id}/listings/{marketplace}/resubmit; nil answers it with 501.
	Requeue RequeueFunc
	// Relist sends a listing its marketplace service never queued to it anew (see
	// Resubmit); nil: such a listing cannot be resubmitted (409).
	Relist RelistFunc
	// APIKeys are the bearer tokens accepted under /v1. Empty means no authentication;
	// the caller decides whether that is allowed.
	APIKeys []string
	// KeyRate and KeyBurst limit each API key's requests under /v1: KeyRate a second on
	// average, KeyBurst at once (default DefaultKeyBurst); over it a request is answered
	// 429 with Retry-After. Without keys every caller shares one limit. Zero KeyRate: no
	// limit.
	KeyRate  float64
	KeyBurst int
	// MaxPhotoBytes is the largest photo accepted (default DefaultMaxPhotoBytes).
	MaxPhotoBytes int64
	// MaxPixels is the most pixels (width × height) a photo may have (default
	// DefaultMaxPixels).
	MaxPixels int
	// MaxPhotos is the most photos per product (default and upper bound
	// messages.MaxPhotos).
	MaxPhotos int
	// UploadMemory bounds the bytes of photos all uploads together hold in memory
	// (default DefaultUploadMemory); it must be at least MaxPhotoBytes. Photos arrive
	// into files; an upload takes its share (its largest photo) only to store them.
	UploadMemory int64
	// UploadMemoryWait is how long an upload waits for its share before it is
	// answered 503 with Retry-After (default DefaultUploadMemoryWait).
	UploadMemoryWait time.Duration
	// TempDir is where photos wait while a request is served (default os.TempDir()).
	// It is created when missing.
	TempDir string
	// BodyWindow and MinBodyRate pace request bodies: every BodyWindow (default
	// DefaultBodyWindow) must bring at least MinBodyRate bytes per second (default
	// DefaultMinBodyRate) of it, or the request is answered 408 and its connection
	// closed.
	BodyWindow  time.Duration
	MinBodyRate int64
	// RequestTimeout bounds every request but an upload (default
	// DefaultRequestTimeout): its context is cancelled then, and a request not yet
	// answered is answered 503 with Retry-After. Uploads are paced instead (BodyWindow,
	// MinBodyRate), so a large one at a fair rate is never cut.
	RequestTimeout time.Duration
	// NewID returns the ID of a product with a new SKU (default: a ULID, sortable by
	// creation time).
	NewID func() string
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logger receives server-side failures (default slog.Default()).
	Logger *slog.Logger
	// Observe, when set, hears of every request answered (metrics).
	Observe Observe
}

// Request limits beyond the configurable ones.
const (
	// maxProductBytes bounds the product part's JSON.
	maxProductBytes = 1 << 20
	// bodySlack is allowed on top of the photos for the product part and the multipart
	// framing.
	bodySlack = 2 << 20
	// maxParts bounds the parts read from one request, whatever their names.
	maxParts = 32
	// commitTimeout bounds storing and publishing an accepted product.
	commitTimeout = 30 * time.Second
	// retryAfter is the Retry-After, in seconds, of a 503.
	retryAfter = "5"
)

// api serves the routes; see New.
type api struct {
	store       store.Store
	blobs       blob.Store
	memory      *budget
	memoryWait  time.Duration
	tempDir     string
	bodyWindow  time.Duration
	minBodyRate int64
	// requestTimeout bounds every route but uploadRoute; see timed.
	requestTimeout time.Duration
	publish        func(context.Context, messages.ImageUploadV1) error
	setStock       func(context.Context, string, int) (messages.StockV1, error)
	initStock      func(context.Context, string, int) error
	requeue        RequeueFunc
	relist         RelistFunc
	search         func(context.Context, store.Query) ([]store.Found, error)
	stock          func(context.Context, string) (int, int64, error) // nil: SetStock checks the SKU
	taxonomy       store.Taxonomy
	imports        store.Importer
	keys           [][sha256.Size]byte
	// limits are the keys' buckets, [0] for callers without keys (nil: no limit).
	limits    []*keyLimit
	maxPhoto  int64
	maxPixels int
	maxPhotos int
	maxBody   int64
	newID     func() string
	now       func() time.Time
	log       *slog.Logger
	mux       *http.ServeMux
	// patterns are the routes handle registered (TestRoutesListed checks Routes by them).
	patterns []string
}

// New returns the API's handler for cfg, or an error when cfg is incomplete or its
// limits are out of range.
//
// Routes: POST /v1/products, GET /v1/products/{id}, GET /v1/products, GET and PUT
// /v1/products/{sku}/stock, PUT /v1/products/{id}/listings/{marketplace}/input,
// PUT /v1/products/{id}/texts/{marketplace}, POST
// /v1/products/{id}/listings/{marketplace}/resubmit,
// GET/PUT/DELETE /v1/mappings, GET /v1/taxonomy/{marketplace}/categories[/{id}],
// POST /v1/imports, GET /v1/imports/{id} and GET /v1/imports/template.{csv,xlsx} (all
// under /v1 require "Authorization: Bearer <key>" when cfg.APIKeys is not empty), and
// the public GET /images/{key}, GET /healthz and GET /openapi.json (which documents
// them all). Every route refuses (400) a path or query parameter that is not valid
// UTF-8 or holds a control character.
func New(cfg Config) (http.Handler, error) {
	var errs []error
	if cfg.Store == nil {
		errs = append(errs, errors.New("store is nil"))
	}
	if cfg.Blobs == nil {
		errs = append(errs, errors.New("blob store is nil"))
	}
	if cfg.Publish == nil {
		errs = append(errs, errors.New("publish is nil"))
	}
	if cfg.MaxPhotoBytes < 0 {
		errs = append(errs, fmt.Errorf("max photo bytes %d is negative", cfg.MaxPhotoBytes))
	}
	if cfg.MaxPixels < 0 {
		errs = append(errs, fmt.Errorf("max pixels %d is negative", cfg.MaxPixels))
	}
	if cfg.MaxPhotos < 0 || cfg.MaxPhotos > messages.MaxPhotos {
		errs = append(errs, fmt.Errorf("max photos %d is outside 0..%d", cfg.MaxPhotos, messages.MaxPhotos))
	}
	if cfg.UploadMemoryWait < 0 || cfg.BodyWindow < 0 || cfg.MinBodyRate < 0 || cfg.RequestTimeout < 0 {
		errs = append(errs, errors.New("upload memory wait, body window, minimum body rate and request timeout must not be negative"))
	}
	a := &api{
		store:          cfg.Store,
		blobs:          cfg.Blobs,
		memoryWait:     orDefault(cfg.UploadMemoryWait, DefaultUploadMemoryWait),
		tempDir:        cfg.TempDir,
		bodyWindow:     orDefault(cfg.BodyWindow, DefaultBodyWindow),
		minBodyRate:    orDefault(cfg.MinBodyRate, DefaultMinBodyRate),
		requestTimeout: orDefault(cfg.RequestTimeout, DefaultRequestTimeout),
		publish:        cfg.Publish,
		setStock:       cfg.SetStock,
		stock:          cfg.Stock,
		taxonomy:       cfg.Taxonomy,
		imports:        cfg.Imports,
		initStock:      cfg.InitStock,
		requeue:        cfg.Requeue,
		relist:         cfg.Relist,
		search:         cfg.Search,
		maxPhoto:       orDefault(cfg.MaxPhotoBytes, DefaultMaxPhotoBytes),
		maxPixels:      orDefault(cfg.MaxPixels, DefaultMaxPixels),
		maxPhotos:      orDefault(cfg.MaxPhotos, messages.MaxPhotos),
		now:            cfg.Now,
		newID:          cfg.NewID,
		log:            cfg.Logger,
		mux:            http.NewServeMux(),
	}
	for i, k := range cfg.APIKeys {
		if strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t\r\n") {
			errs = append(errs, fmt.Errorf("api key %d is empty or contains white space", i))
			continue
		}
		a.keys = append(a.keys, sha256.Sum256([]byte(k)))
	}
	if cfg.KeyRate < 0 || cfg.KeyBurst < 0 {
		errs = append(errs, fmt.Errorf("key rate %g and key burst %d must not be negative", cfg.KeyRate, cfg.KeyBurst))
	}
	if a.maxPhoto > (math.MaxInt64-bodySlack)/int64(a.maxPhotos) {
		errs = append(errs, fmt.Errorf("max photo bytes %d is too large", a.maxPhoto))
	}
	if mem := orDefault(cfg.UploadMemory, DefaultUploadMemory); mem < a.maxPhoto {
		errs = append(errs, fmt.Errorf("upload memory %d is less than the largest photo accepted (%d bytes): no upload of such a photo could be stored", mem, a.maxPhoto))
	} else {
		a.memory = newBudget(mem)
	}
	if a.tempDir == "" {
		a.tempDir = os.TempDir()
	}
	if err := os.MkdirAll(a.tempDir, 0o700); err != nil {
		errs = append(errs, fmt.Errorf("upload directory: %w", err))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("new api: %w", err)
	}
	a.maxBody = a.maxPhoto*int64(a.maxPhotos) + bodySlack
	if a.now == nil {
		a.now = time.Now
	}
	if a.newID == nil {
		a.newID = func() string { return newULID(a.now()) }
	}
	if a.log == nil {
		a.log = slog.Default()
	}
	if cfg.KeyRate > 0 {
		for range len(a.keys) + 1 {
			a.limits = append(a.limits, newKeyLimit(cfg.KeyRate, orDefault(cfg.KeyBurst, DefaultKeyBurst), a.now()))
		}
	}

	a.handle("POST /v1/products", a.upload)
	a.handle("GET /v1/products/{id}", a.product)
	a.handle("GET /v1/products", a.products)
	a.handle("GET /v1/products/{sku}/stock", a.getStock)
	a.handle("PUT /v1/products/{sku}/stock", a.putStock)
	a.handle("PUT /v1/products/{id}/listings/{marketplace}/input", a.putInput)
	a.handle("PUT /v1/products/{id}/texts/{marketplace}", a.putText)
	a.handle("POST /v1/products/{id}/listings/{marketplace}/resubmit", a.resubmit)
	a.handle("GET /v1/mappings", a.pins)
	a.handle("PUT /v1/mappings", a.putPin)
	a.handle("DELETE /v1/mappings", a.deletePin)
	a.handle("GET /v1/taxonomy/{marketplace}/categories", a.categories)
	a.handle("GET /v1/taxonomy/{marketplace}/categories/{id}", a.category)
	a.handle("GET /images/{key}", a.image)
	a.handle("GET /healthz", a.healthz)
	a.handle(importRoute, a.postImport)
	a.handle("GET /v1/imports/{id}", a.getImport)
	a.handle("GET /v1/imports/template.csv", a.template)
	a.handle("GET /v1/imports/template.xlsx", a.template)
	a.handle("GET /openapi.json", a.openAPIDoc)
	return a.withImport(a.observed(cfg.Observe)), nil // Importing: the console imports as POST /v1/imports does
}

// orDefault returns v, or def when v is zero.
func orDefault[T int | int64 | time.Duration](v, def T) T {
	if v == 0 {
		return def
	}
	return v
}

// ServeHTTP paces request bodies, authenticates requests under /v1, bounds every
// request but an upload in time (timed) and answers unknown routes and methods with
// problem details.
func (a *api) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.pace(w, r)
	if r.URL.Path == "/v1" || strings.HasPrefix(r.URL.Path, "/v1/") {
		key, ok := a.authorize(w, r)
		if !ok || !a.limit(w, key) {
			return
		}
	}
	h, pattern := a.mux.Handler(r)
	switch pattern {
	case "":
	case uploadRoute, importRoute:
		// The mux routes again to set the path values.
		a.mux.ServeHTTP(w, r)
		return
	default:
		a.timed(w, r, a.mux)
		return
	}
	// No route: the mux answers 404, 405 (with Allow) or a redirect to a cleaned path;
	// the first two become problems.
	h.ServeHTTP(&missWriter{ResponseWriter: w, path: r.URL.Path}, r)
}

// missWriter rewrites the mux's plain-text 404 and 405 answers into problems.
type missWriter struct {
	http.ResponseWriter
	path      string
	rewritten bool
}

// WriteHeader writes a problem instead of a 404 or 405.
func (w *missWriter) WriteHeader(status int) {
	switch status {
	case http.StatusNotFound:
		w.rewritten = true
		writeProblem(w.ResponseWriter, newProblem(status, fmt.Sprintf("no route for %s", w.path)))
	case http.StatusMethodNotAllowed:
		w.rewritten = true
		writeProblem(w.ResponseWriter, newProblem(status, fmt.Sprintf("%s allows %s", w.path, w.Header().Get("Allow"))))
	default:
		w.ResponseWriter.WriteHeader(status)
	}
}

// Write drops the mux's plain-text body after a rewrite.
func (w *missWriter) Write(b []byte) (int, error) {
	if w.rewritten {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

// authorize checks the bearer token against every configured key, in constant time,
// and answers 401 when it matches none; it returns the key's index (-1 without keys).
// Keys are compared as SHA-256 hashes so neither their content nor their length leaks
// through timing.
func (a *api) authorize(w http.ResponseWriter, r *http.Request) (int, bool) {
	if len(a.keys) == 0 {
		return -1, true
	}
	token := bearer.Token(r)
	if token == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stox"`)
		writeProblem(w, newProblem(http.StatusUnauthorized, "missing bearer token: send Authorization: Bearer <key>"))
		return -1, false
	}
	sum := sha256.Sum256([]byte(token))
	key := -1
	for i, k := range a.keys {
		if subtle.ConstantTimeCompare(sum[:], k[:]) == 1 {
			key = i
		}
	}
	if key < 0 {
		w.Header().Set("WWW-Authenticate", `Bearer realm="stox", error="invalid_token"`)
		writeProblem(w, newProblem(http.StatusUnauthorized, "the bearer token is not a valid API key"))
		return -1, false
	}
	return key, true
}

// healthz answers 200 while the process serves HTTP.
func (a *api) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok\n"))
}

// newULID returns a ULID: 48 bits of milliseconds since the epoch and 80 random bits,
// in 26 Crockford base32 digits, so IDs sort by creation time.
func newULID(t time.Time) string {
	return ulid.MustNew(ulid.Timestamp(t), rand.Reader).String() // crypto/rand never fails
}
