// Package console is the seller's web console, served by the image service under
// /console/ on the API's listener: server-rendered pages over the same functions the
// API uses, for products (their photos, texts and listings), bulk imports, stock and
// the poison queues. It signs in with an API key, keeps only the key's hash in an
// HttpOnly, SameSite=Strict cookie, and protects every form with a per-session token.
// Every visible string comes from one catalogue in Turkish and English.
package console

import (
	"archive/zip"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// Prefix is where the console is mounted.
const Prefix = "/console/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config holds the functions the console reads and writes through: the store's, and
// the API's own for what the API checks (texts). A nil optional function hides what
// it serves.
type Config struct {
	// APIKeys are the keys that may sign in (the API's). Empty: no sign-in, as the API.
	APIKeys []string
	// Search lists products (store.Searcher.Search).
	Search func(ctx context.Context, q store.Query) ([]store.Found, error)
	// Product reads one product, store.ErrNotFound for an unknown one.
	Product func(ctx context.Context, id string) (store.Product, error)
	// Input and SetInput read and replace what the seller supplied for a listing in
	// needs_input (store.Taxonomy); nil hides the form.
	Input    func(ctx context.Context, id, marketplace string) (store.ListingInput, error)
	SetInput func(ctx context.Context, id, marketplace string, in store.ListingInput) error
	// EditText replaces a marketplace's text of a product after checking it against
	// that marketplace's rules: it returns the violations (and stores nothing) when
	// there are any. Nil hides the editor.
	EditText func(ctx context.Context, id, marketplace string, t messages.ListingText) ([]string, error)
	// Resubmit queues a product's listing on a marketplace again with its current
	// text. Nil hides the button.
	Resubmit func(ctx context.Context, id, marketplace string) error
	// Stock is a SKU's quantity in the ledger; Sent what a marketplace was last told;
	// Acknowledged what it acknowledged (quantity, version; found false when none).
	Stock        func(ctx context.Context, sku string) (int, int64, error)
	Sent         func(ctx context.Context, marketplace, sku string) (int, int64, error)
	Acknowledged func(ctx context.Context, marketplace, sku string) (store.Push, bool, error)
	// History lists a SKU's latest ledger entries (orders and hand sets), newest first.
	History func(ctx context.Context, sku string, limit int) ([]store.Change, error)
	// Oversells lists recorded oversells, newest first.
	Oversells func(ctx context.Context, limit int) ([]store.Oversell, error)
	// Import imports a catalogue (CSV or XLSX by name's extension) and the ZIP of
	// photos beside it (nil: none) as POST /v1/imports does, and returns the import's
	// ID; a Refused error says why the file could not be read. ImportProgress reads an
	// import (store.Importer). Nil Import hides the import page.
	Import         func(ctx context.Context, name string, data []byte, photos *zip.Reader) (string, error)
	ImportProgress func(ctx context.Context, id string) (store.ImportProgress, error)
	// Poison is the broker's poison queues (RabbitMQ only); nil shows that the
	// transport keeps none.
	Poison Poison
	// Logger receives server-side failures (default slog.Default()).
	Logger *slog.Logger
}

// Poison is what the console may do with the poison queues: the broker's operations
// and nothing else of it.
type Poison struct {
	List    func(ctx context.Context) ([]broker.PoisonQueueStat, error)
	Peek    func(ctx context.Context, queue string, n int) ([]broker.PoisonMessage, error)
	Requeue func(ctx context.Context, queue string, n int) (int, error)
	Purge   func(ctx context.Context, queue string) (int, error)
}

// console serves the pages; see New.
type console struct {
	cfg    Config
	keys   [][sha256.Size]byte
	secret []byte // signs CSRF tokens; see csrfSecret
	pages  map[string]*template.Template
	mux    *http.ServeMux
	log    *slog.Logger
}

// New returns the console's handler, to be mounted at Prefix.
func New(cfg Config) (http.Handler, error) {
	if cfg.Search == nil || cfg.Product == nil || cfg.Stock == nil {
		return nil, errors.New("new console: search, product and stock are required")
	}
	if (cfg.Import == nil) != (cfg.ImportProgress == nil) {
		return nil, errors.New("new console: import needs import and import progress together")
	}
	if pz := cfg.Poison; pz.List != nil && (pz.Peek == nil || pz.Requeue == nil || pz.Purge == nil) {
		return nil, errors.New("new console: poison needs list, peek, requeue and purge together")
	}
	c := &console{cfg: cfg, mux: http.NewServeMux(), log: cfg.Logger}
	if c.log == nil {
		c.log = slog.Default()
	}
	for _, k := range cfg.APIKeys {
		c.keys = append(c.keys, sha256.Sum256([]byte(k)))
	}
	c.secret = csrfSecret(cfg.APIKeys)
	pages, err := parsePages()
	if err != nil {
		return nil, fmt.Errorf("new console: %w", err)
	}
	c.pages = pages
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", http.FileServerFS(static)))
	c.mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/products", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/signin", c.signinPage)
	c.mux.HandleFunc("POST /console/signin", c.signin)
	c.mux.HandleFunc("GET /console/lang/{lang}", c.setLang)
	c.mux.Handle("POST /console/signout", c.guard(c.signout))
	c.mux.Handle("GET /console/products", c.guard(c.products))
	c.mux.Handle("GET /console/products/{id}", c.guard(c.product))
	c.mux.Handle("POST /console/products/{id}/texts/{marketplace}", c.guard(c.editText))
	c.mux.Handle("POST /console/products/{id}/listings/{marketplace}/resubmit", c.guard(c.resubmit))
	c.mux.Handle("POST /console/products/{id}/listings/{marketplace}/input", c.guard(c.supplyInput))
	c.mux.Handle("GET /console/stock", c.guard(c.stock))
	if cfg.Import != nil {
		c.mux.Handle("GET /console/imports", c.guard(c.importForm))
		c.mux.Handle("POST /console/imports", c.guardUpload(c.startImport))
		c.mux.Handle("GET /console/imports/{id}", c.guard(c.showImport))
		c.mux.Handle("GET /console/imports/template.csv", c.guard(c.template))
		c.mux.Handle("GET /console/imports/template.xlsx", c.guard(c.template))
	}
	c.mux.Handle("GET /console/poison", c.guard(c.poison))
	c.mux.Handle("POST /console/poison/{op}", c.guard(c.poisonOp))
	return c, nil
}

// ServeHTTP keeps the pages out of caches and frames, then routes.
func (c *console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'")
	c.mux.ServeHTTP(w, r)
}

// Cookies of the console.
const (
	sessionCookie = "stox_console"
	langCookie    = "stox_lang"
)

// session is who signed in: the hex SHA-256 of their key, or "open" without keys.
func (c *console) session(r *http.Request) (string, bool) {
	if len(c.keys) == 0 {
		return "open", true
	}
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return "", false
	}
	sum, err := hex.DecodeString(ck.Value)
	if err != nil || len(sum) != sha256.Size {
		return "", false
	}
	return ck.Value, c.known(sum)
}

// known reports whether sum is the SHA-256 of one of the keys, comparing every key in
// constant time.
func (c *console) known(sum []byte) bool {
	ok := 0
	for _, k := range c.keys {
		ok |= subtle.ConstantTimeCompare(sum, k[:])
	}
	return ok == 1
}

// csrfSecret signs the forms' tokens. With keys it comes from them, so every replica
// of the image service behind one address accepts the others' forms, and only who
// knows a key could make one; without keys (no sign-in) it is random to the process.
func csrfSecret(keys []string) []byte {
	if len(keys) == 0 {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // crypto/rand never fails
		return b
	}
	m := hmac.New(sha256.New, []byte("stox console csrf"))
	for _, k := range keys {
		m.Write([]byte(k))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

// csrf is the token every form of session carries.
func (c *console) csrf(session string) string {
	m := hmac.New(sha256.New, c.secret)
	m.Write([]byte(session))
	return hex.EncodeToString(m.Sum(nil))
}

// guard sends a visitor who has not signed in to the sign-in page, and refuses a
// POST whose form does not carry the session's token.
func (c *console) guard(h func(w http.ResponseWriter, r *http.Request, v *view)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, ok := c.session(r)
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/signin?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		v := c.newView(r, s)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
			if subtle.ConstantTimeCompare([]byte(r.PostFormValue("csrf")), []byte(v.CSRF)) != 1 {
				http.Error(w, v.T("err.csrf"), http.StatusForbidden)
				return
			}
		}
		h(w, r, v)
	})
}

// signinPage shows the sign-in form.
func (c *console) signinPage(w http.ResponseWriter, r *http.Request) {
	if len(c.keys) == 0 {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := c.newView(r, "")
	v.Data = map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}
	c.render(w, "signin", v)
}

// signin checks a key and keeps its hash in the session cookie.
func (c *console) signin(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	key := strings.TrimSpace(r.PostFormValue("key"))
	sum := sha256.Sum256([]byte(key))
	next := safeNext(r.PostFormValue("next"))
	if !c.known(sum[:]) || key == "" {
		v := c.newView(r, "")
		v.Error = v.T("signin.wrong")
		v.Data = map[string]string{"Next": next}
		w.WriteHeader(http.StatusUnauthorized)
		c.render(w, "signin", v)
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: hex.EncodeToString(sum[:]), Path: Prefix,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
	})
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signout forgets the session.
func (c *console) signout(w http.ResponseWriter, r *http.Request, _ *view) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: Prefix, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// setLang records the seller's language and goes back to the page they were on.
func (c *console) setLang(w http.ResponseWriter, r *http.Request) {
	lang := r.PathValue("lang")
	if _, ok := catalogue[lang]; !ok {
		http.NotFound(w, r)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: lang, Path: Prefix, MaxAge: 365 * 24 * 3600,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, HttpOnly: true})
	http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
}

// safeNext keeps a redirect target inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/console/products"
	}
	return next
}

// fail logs a server-side failure and shows it without detail.
func (c *console) fail(w http.ResponseWriter, r *http.Request, v *view, what string, err error) {
	c.log.ErrorContext(r.Context(), "console: "+what, "error", err)
	status := http.StatusInternalServerError
	if store.Unavailable(err) {
		status = http.StatusServiceUnavailable
	}
	v.Error = v.T("err.server")
	w.WriteHeader(status)
	c.render(w, "error", v)
}
