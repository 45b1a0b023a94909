package console

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

const key = "console-test-key"

// fakes are the console's functions over memory, recording what it wrote.
type fakes struct {
	query   store.Query
	input   store.ListingInput
	purged  string
	product store.Product
}

func newServer(t *testing.T, f *fakes) (*httptest.Server, *http.Client) {
	t.Helper()
	f.product = store.Product{ID: "p1", Revision: 2,
		Product: messages.Product{SKU: "MUG-1", Name: "Mug", Marketplaces: []string{messages.Trendyol}},
		Photos:  []messages.Photo{{Key: "a.jpg"}},
		Images:  []messages.Image{{Photo: 0, Variant: messages.Trendyol, Key: "b.jpg"}},
		Texts:   map[string]messages.ListingText{messages.Trendyol: {Title: "Kupa", Description: "Kupa."}},
		Listings: map[string]store.Listing{messages.Trendyol: {State: store.ListingNeedsInput,
			Mapping: []byte(`{"missing":[{"field":"attribute","name":"Hacim","reason":"required","allowed":["250 ml","350 ml"]}]}`)}},
	}
	h, err := New(Config{
		APIKeys: []string{key},
		Search: func(_ context.Context, q store.Query) ([]store.Found, error) {
			f.query = q
			return []store.Found{{Summary: store.Summary{ID: "p1", SKU: "MUG-1", Name: "Mug"}, Listings: map[string]string{}}}, nil
		},
		Product: func(_ context.Context, id string) (store.Product, error) {
			if id != "p1" {
				return store.Product{}, store.ErrNotFound
			}
			return f.product, nil
		},
		Input: func(context.Context, string, string) (store.ListingInput, error) { return f.input, nil },
		SetInput: func(_ context.Context, _, _ string, in store.ListingInput) error {
			f.input = in
			return nil
		},
		Stock: func(context.Context, string) (int, int64, error) { return 3, 7, nil },
		Poison: Poison{
			List: func(context.Context) ([]broker.PoisonQueueStat, error) {
				return []broker.PoisonQueueStat{{Queue: "image_uploads.poison", Messages: 2}}, nil
			},
			Peek: func(context.Context, string, int) ([]broker.PoisonMessage, error) {
				return []broker.PoisonMessage{{Reason: "bad payload"}}, nil
			},
			Requeue: func(context.Context, string, int) (int, error) { return 0, nil },
			Purge:   func(_ context.Context, q string) (int, error) { f.purged = q; return 2, nil },
		},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	return srv, &http.Client{Jar: jar, Timeout: 10 * time.Second}
}

func body(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	_, _ = ioCopy(&b, res)
	return b.String()
}

func signIn(t *testing.T, srv *httptest.Server, c *http.Client) {
	t.Helper()
	res, err := c.PostForm(srv.URL+"/console/signin", url.Values{"key": {key}, "next": {"/console/stock"}})
	require.NoError(t, err)
	assert.Contains(t, body(t, res), "Stok")
	assert.Equal(t, "/console/stock", res.Request.URL.Path)
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// TestSignIn: pages need a key; the cookie holds its hash, never the key, and is
// HttpOnly and SameSite=Strict; a wrong key is refused.
func TestSignIn(t *testing.T) {
	srv, c := newServer(t, &fakes{})
	res, err := c.Get(srv.URL + "/console/products")
	require.NoError(t, err)
	assert.Contains(t, body(t, res), `name="key"`)
	assert.Equal(t, "/console/signin", res.Request.URL.Path)

	res, err = c.PostForm(srv.URL+"/console/signin", url.Values{"key": {"wrong"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, res.StatusCode)
	_ = body(t, res)

	once := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err = once.PostForm(srv.URL+"/console/signin", url.Values{"key": {key}})
	require.NoError(t, err)
	_ = body(t, res)
	assert.Equal(t, http.StatusSeeOther, res.StatusCode)
	ck := res.Cookies()
	require.Len(t, ck, 1)
	assert.NotContains(t, ck[0].Value, key)
	assert.Len(t, ck[0].Value, 64)
	assert.True(t, ck[0].HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, ck[0].SameSite)

	signIn(t, srv, c)
}

// TestFormsNeedToken: a POST without the session's token changes nothing; with it,
// the supplied attribute is recorded as PUT .../input takes it.
func TestFormsNeedToken(t *testing.T) {
	f := &fakes{}
	srv, c := newServer(t, f)
	signIn(t, srv, c)
	res, err := c.PostForm(srv.URL+"/console/products/p1/listings/trendyol/input", url.Values{"attr.Hacim": {"350 ml"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	_ = body(t, res)
	assert.Empty(t, f.input.Attributes)

	res, err = c.Get(srv.URL + "/console/products/p1")
	require.NoError(t, err)
	page := body(t, res)
	assert.Contains(t, page, `<option value="350 ml">`)
	assert.Contains(t, page, `src="/images/b.jpg"`)
	m := csrfField.FindStringSubmatch(page)
	require.NotNil(t, m)
	res, err = c.PostForm(srv.URL+"/console/products/p1/listings/trendyol/input", url.Values{"csrf": {m[1]}, "attr.Hacim": {"350 ml"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, body(t, res), "yeniden eşlenecek")
	assert.Equal(t, map[string]string{"Hacim": "350 ml"}, f.input.Attributes)
}

// TestProductsFilters: the query string becomes the store's query, unknown values
// dropped; the language follows Accept-Language until the seller picks one.
func TestProductsFilters(t *testing.T) {
	f := &fakes{}
	srv, c := newServer(t, f)
	signIn(t, srv, c)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/products?q=mug&stage=failed&marketplace=trendyol&listing=bogus&attention=1", nil)
	req.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	res, err := c.Do(req)
	require.NoError(t, err)
	assert.Contains(t, body(t, res), "Needs attention")
	assert.Equal(t, store.Query{Text: "mug", Stage: store.StateFailed, Marketplace: messages.Trendyol, Attention: true, Limit: pageSize + 1}, f.query)

	res, err = c.Get(srv.URL + "/console/lang/tr?next=/console/products")
	require.NoError(t, err)
	assert.Contains(t, body(t, res), "İlgi bekleyenler")
}

// TestPoisonConfirm: purge asks first, and purges only when confirmed.
func TestPoisonConfirm(t *testing.T) {
	f := &fakes{}
	srv, c := newServer(t, f)
	signIn(t, srv, c)
	res, err := c.Get(srv.URL + "/console/poison")
	require.NoError(t, err)
	m := csrfField.FindStringSubmatch(body(t, res))
	require.NotNil(t, m)
	res, err = c.PostForm(srv.URL+"/console/poison/purge", url.Values{"csrf": {m[1]}, "queue": {"image_uploads.poison"}})
	require.NoError(t, err)
	assert.Contains(t, body(t, res), `name="confirm" value="yes"`)
	assert.Empty(t, f.purged, "not before it is confirmed")
	res, err = c.PostForm(srv.URL+"/console/poison/purge", url.Values{"csrf": {m[1]}, "queue": {"image_uploads.poison"}, "confirm": {"yes"}})
	require.NoError(t, err)
	assert.Contains(t, body(t, res), "bad payload")
	assert.Equal(t, "image_uploads.poison", f.purged)
	res, err = c.PostForm(srv.URL+"/console/poison/purge", url.Values{"csrf": {m[1]}, "queue": {"other"}, "confirm": {"yes"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "only the broker's poison queues")
}

// TestCatalogue: both languages have the same keys, and every key a template or the
// code asks for exists.
func TestCatalogue(t *testing.T) {
	en, tr := slices.Sorted(maps.Keys(catalogue["en"])), slices.Sorted(maps.Keys(catalogue["tr"]))
	assert.Equal(t, en, tr)
	used := regexp.MustCompile(`\.Tf? "([a-z.]+)"|v\.Tf?\("([a-z.]+)"\)`)
	var sources []string
	_ = fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(templateFS, p)
			sources = append(sources, string(b))
		}
		return nil
	})
	require.NotEmpty(t, sources)
	for _, src := range sources {
		for _, m := range used.FindAllStringSubmatch(src, -1) {
			k := m[1] + m[2]
			_, ok := catalogue["en"][k]
			assert.True(t, ok, "key %q is not in the catalogue", k)
		}
	}
}

func ioCopy(b *strings.Builder, res *http.Response) (int64, error) {
	return io.Copy(b, res.Body)
}

// TestTokenAcrossReplicas: two consoles with the same keys (replicas behind one
// address) accept each other's form tokens; other keys do not.
func TestTokenAcrossReplicas(t *testing.T) {
	mk := func(keys ...string) *console {
		h, err := New(Config{APIKeys: keys, Search: func(context.Context, store.Query) ([]store.Found, error) { return nil, nil },
			Product: func(context.Context, string) (store.Product, error) { return store.Product{}, nil },
			Stock:   func(context.Context, string) (int, int64, error) { return 0, 0, nil }})
		require.NoError(t, err)
		return h.(*console)
	}
	a, b, other := mk(key, "k2"), mk(key, "k2"), mk(key)
	assert.Equal(t, a.csrf("s"), b.csrf("s"))
	assert.NotEqual(t, a.csrf("s"), a.csrf("t"))
	assert.NotEqual(t, a.csrf("s"), other.csrf("s"))
}
