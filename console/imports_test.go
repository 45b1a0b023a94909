package console

import (
	"archive/zip"
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/store"
)

// importFakes records what the console imported.
type importFakes struct {
	name   string
	data   string
	photos []string // the ZIP's files
}

func newImportServer(t *testing.T, f *importFakes, p store.ImportProgress) (*httptest.Server, *http.Client, string) {
	t.Helper()
	h, err := New(Config{
		APIKeys: []string{key},
		Search:  func(context.Context, store.Query) ([]store.Found, error) { return nil, nil },
		Product: func(context.Context, string) (store.Product, error) { return store.Product{}, store.ErrNotFound },
		Stock:   func(context.Context, string) (int, int64, error) { return 0, 0, nil },
		Import: func(_ context.Context, name string, data []byte, photos *zip.Reader) (string, error) {
			if string(data) == "garbage" {
				return "", Refused("no header row")
			}
			f.name, f.data = name, string(data)
			if photos != nil {
				for _, zf := range photos.File {
					f.photos = append(f.photos, zf.Name)
				}
			}
			return "IMP1", nil
		},
		ImportProgress: func(_ context.Context, id string) (store.ImportProgress, error) {
			if id != "IMP1" {
				return store.ImportProgress{}, store.ErrNotFound
			}
			return p, nil
		},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	res, err := c.PostForm(srv.URL+"/console/signin", url.Values{"key": {key}, "next": {"/console/imports"}})
	require.NoError(t, err)
	m := csrfField.FindStringSubmatch(body(t, res))
	require.NotNil(t, m, "the import form carries a token")
	return srv, c, m[1]
}

// importBody is an import form: the token, the catalogue and, unless nil, a ZIP
// holding one file.
func importBody(t *testing.T, csrf, catalogue string, zipped []byte) (*bytes.Buffer, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	require.NoError(t, w.WriteField("csrf", csrf))
	fw, err := w.CreateFormFile("file", "katalog.csv")
	require.NoError(t, err)
	_, _ = fw.Write([]byte(catalogue))
	if zipped != nil {
		zw, err := w.CreateFormFile("photos", "photos.zip")
		require.NoError(t, err)
		_, _ = zw.Write(zipped)
	}
	require.NoError(t, w.Close())
	return &b, w.FormDataContentType()
}

// TestImportPage: the form's catalogue and ZIP reach Import and the seller lands on
// the import's page; a catalogue Import refuses is shown with its reason; a form
// without the session's token imports nothing.
func TestImportPage(t *testing.T) {
	f := &importFakes{}
	p := store.ImportProgress{Import: store.Import{ID: "IMP1", File: "katalog.csv", Rows: 3, Queued: 2,
		Bad: []store.BadRow{{Row: 3, SKU: "MUG-2", Reason: "price: must be greater than 0"}}},
		Images: map[string]int{store.StateDone: 1}, Listings: map[string]map[string]int{"trendyol": {store.ListingAccepted: 1}}, Settled: 1}
	srv, c, csrf := newImportServer(t, f, p)

	var zb bytes.Buffer
	zw := zip.NewWriter(&zb)
	_, err := zw.Create("a.jpg")
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	b, ct := importBody(t, csrf, "sku,name\nMUG-1,Mug\n", zb.Bytes())
	res, err := c.Post(srv.URL+"/console/imports", ct, b)
	require.NoError(t, err)
	page := body(t, res)
	assert.Equal(t, "/console/imports/IMP1", res.Request.URL.Path)
	assert.Equal(t, "katalog.csv", f.name)
	assert.Equal(t, "sku,name\nMUG-1,Mug\n", f.data)
	assert.Equal(t, []string{"a.jpg"}, f.photos)
	assert.Contains(t, page, "MUG-2")
	assert.Contains(t, page, "price: must be greater than 0")
	assert.Contains(t, page, `data-done="false"`)
	assert.Contains(t, page, `<meta http-equiv="refresh"`, "refreshes without JS while running")
	assert.Contains(t, page, `max="2" value="1"`, "images done: 1 of the 2 queued")

	b, ct = importBody(t, csrf, "garbage", nil)
	res, err = c.Post(srv.URL+"/console/imports", ct, b)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnprocessableEntity, res.StatusCode)
	assert.Contains(t, body(t, res), "no header row")

	f.name = ""
	b, ct = importBody(t, "forged", "sku,name\nMUG-1,Mug\n", nil)
	res, err = c.Post(srv.URL+"/console/imports", ct, b)
	require.NoError(t, err)
	_ = body(t, res)
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Empty(t, f.name, "nothing imported")

	res, err = c.Get(srv.URL + "/console/imports/NOPE")
	require.NoError(t, err)
	_ = body(t, res)
	assert.Equal(t, http.StatusNotFound, res.StatusCode)

	res, err = c.Get(srv.URL + "/console/imports/template.csv")
	require.NoError(t, err)
	assert.Contains(t, body(t, res), "sku")
	assert.Equal(t, "text/csv; charset=utf-8", res.Header.Get("Content-Type"))
}
