package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/jpeg"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/catalog"
	"github.com/stox-dev/stox/messages"
)

// badKinds are the deliberately bad rows of the test catalogue: what each breaks and
// the words its reason must hold. Every catalogue has one of each.
var badKinds = []struct {
	name   string
	apply  func(cells map[string]string, firstSKU string)
	reason string
}{
	{"price not a number", func(c map[string]string, _ string) { c["price"] = "abc" }, `price: "abc" is not a number`},
	{"price zero", func(c map[string]string, _ string) { c["price"] = "0" }, "price: must be greater than 0"},
	{"no name", func(c map[string]string, _ string) { c["name"] = "" }, "name: required"},
	{"bad SKU", func(c map[string]string, _ string) { c["sku"] = "BAD SKU!" }, "sku: may contain only"},
	{"repeated SKU", func(c map[string]string, first string) { c["sku"] = first }, "is also on row 2"},
	{"photo not in the ZIP", func(c map[string]string, _ string) { c["photo_1"] = "missing.jpg" }, "photo_1 (missing.jpg): not in the ZIP of photos"},
	{"photo URL 404", func(c map[string]string, _ string) { c["photo_2"] = "{url}/p/gone.jpg" }, "HTTP 404"},
	{"photo not an image", func(c map[string]string, _ string) { c["photo_1"] = "notes.txt" }, "photo_1 (notes.txt): not an image"},
	{"unknown marketplace", func(c map[string]string, _ string) { c["marketplaces"] = "trendyol,ebay" }, `unknown marketplace "ebay"`},
	{"list price under price", func(c map[string]string, _ string) { c["list_price"] = "10" }, "list_price: must be at least the price"},
}

// testCatalogue is a catalogue of n rows with one row of each bad kind, spread
// through it, photos in a ZIP and every 25th row's second photo served by URL.
type testCatalogue struct {
	csv, zip []byte
	urls     map[string][]byte // path → JPEG
	bad      map[int]string    // line → reason it must hold
}

func newTestCatalogue(t *testing.T, n int) testCatalogue {
	t.Helper()
	tc := testCatalogue{urls: map[string][]byte{}, bad: map[int]string{}}
	attrs := map[string]bool{}
	for _, c := range e2eCatalog {
		for k := range c.Attributes {
			attrs[k] = true
		}
	}
	cols := []string{"sku", "name", "brand", "category", "price", "list_price", "currency", "stock", "marketplaces", "attr:barcode", "attr:vat_rate"}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		cols = append(cols, "attr:"+k)
	}
	cols = append(cols, "photo_1", "photo_2")

	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	addJPEG := func(seed int) []byte {
		var b bytes.Buffer
		require.NoError(t, jpeg.Encode(&b, photo(seed), &jpeg.Options{Quality: 85}))
		return b.Bytes()
	}
	w, err := zw.Create("notes.txt")
	require.NoError(t, err)
	_, _ = w.Write([]byte("not a photo"))

	var cbuf bytes.Buffer
	cw := csv.NewWriter(&cbuf)
	require.NoError(t, cw.Write(cols))
	step := n / len(badKinds)
	for i := range n {
		c := e2eCatalog[i%len(e2eCatalog)]
		cells := map[string]string{
			"sku": fmt.Sprintf("IMP-%04d", i), "name": c.Name, "brand": c.Brand, "category": c.Category,
			"price": "199.90", "list_price": "249,90", "currency": "TRY", "stock": "10", "marketplaces": "",
			"attr:barcode": ean13(5000 + i), "attr:vat_rate": "20", "photo_1": fmt.Sprintf("photos/p%04d.jpg", i),
		}
		for k, v := range c.Attributes {
			cells["attr:"+k] = v
		}
		w, err := zw.Create(cells["photo_1"])
		require.NoError(t, err)
		_, _ = w.Write(addJPEG(i))
		if i%25 == 0 {
			path := fmt.Sprintf("/p/%04d.jpg", i)
			tc.urls[path] = addJPEG(i + 7)
			cells["photo_2"] = "{url}" + path
		}
		if k := (i - 1) / step; (i-1)%step == 0 && i >= 1 && k < len(badKinds) {
			badKinds[k].apply(cells, "IMP-0000")
			tc.bad[i+2] = badKinds[k].reason
		}
		row := make([]string, len(cols))
		for j, col := range cols {
			row[j] = cells[col]
		}
		require.NoError(t, cw.Write(row))
	}
	cw.Flush()
	require.NoError(t, zw.Close())
	require.Len(t, tc.bad, len(badKinds))
	tc.csv, tc.zip = cbuf.Bytes(), zbuf.Bytes()
	return tc
}

// TestImport imports a catalogue with ten bad rows of ten kinds: every good row is
// queued, every bad one named with its reason, the progress reaches the end, and the
// same file imported again (by `stox import`) queues nothing and changes no revision.
// `make test` sends 40 rows through the pipeline; STOX_E2E=full sends 500, and also
// checks 500 rows without waiting when run small (checking and queueing are quick;
// the images stage is what takes time).
func TestImport(t *testing.T) {
	e2eParallel(t)
	if fullSize() {
		runImportTest(t, 500, true)
		return
	}
	t.Run("40 rows to the end", func(t *testing.T) { runImportTest(t, 40, true) })
	t.Run("500 rows checked and queued", func(t *testing.T) { runImportTest(t, 500, false) })
}

func runImportTest(t *testing.T, n int, wait bool) {
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, sbSrv := serveSandbox(t)
	cfg := marketConfig(t, baseConfig(t), sbSrv.URL)
	cfg.APIKeys = []string{"import-key"}
	a, srv, served := startApp(t, ctx, cfg, log, nil)

	tc := newTestCatalogue(t, n)
	photos := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if b, ok := tc.urls[r.URL.Path]; ok {
			_, _ = w.Write(b)
			return
		}
		http.NotFound(w, r)
	}))
	defer photos.Close()
	dir := t.TempDir()
	file, zipFile := filepath.Join(dir, "catalogue.csv"), filepath.Join(dir, "photos.zip")
	require.NoError(t, os.WriteFile(file, bytes.ReplaceAll(tc.csv, []byte("{url}"), []byte(photos.URL)), 0o600))
	require.NoError(t, os.WriteFile(zipFile, tc.zip, 0o600))
	o := importOptions{File: file, Photos: zipFile, API: srv.URL, Key: "import-key", Every: 200 * time.Millisecond,
		Timeout: time.Duration(2+n/50) * time.Minute} // 12 minutes for 500 on a loaded 2-core machine

	start := time.Now()
	acc, err := postImport(ctx, o)
	require.NoError(t, err)
	t.Logf("%d rows checked and queued in %s", n, time.Since(start).Round(time.Millisecond))
	good := n - len(badKinds)
	assert.Equal(t, n, acc.Rows)
	assert.Equal(t, good, acc.Queued)
	assert.Zero(t, acc.Skipped)
	require.Len(t, acc.Bad, len(badKinds))
	for _, b := range acc.Bad {
		assert.Contains(t, b.Reason, tc.bad[b.Row], "row %d (%s)", b.Row, b.SKU)
	}

	if wait {
		var out bytes.Buffer
		start = time.Now()
		require.NoError(t, followImport(ctx, importOptions{API: srv.URL, Key: o.Key, Every: o.Every, Timeout: o.Timeout, Out: &out}, acc.ID), out.String())
		t.Logf("%d products through the pipeline in %s", good, time.Since(start).Round(time.Millisecond))
		p, err := getProgress(ctx, o, acc.ID)
		require.NoError(t, err)
		assert.Equal(t, good, p.ImagesDone, "images done")
		assert.Equal(t, good, p.Settled)
		assert.True(t, p.Done)
		for _, mp := range messages.Marketplaces {
			decided := p.Listed[mp] + p.Listings[mp]["rejected"] + p.Listings[mp]["needs_input"]
			assert.Equal(t, good, decided, "%s decided every listing", mp)
		}
		assert.Contains(t, out.String(), fmt.Sprintf("%d/%d finished", good, good))
	}

	revisions := func() map[string]int {
		list, err := a.store.Products(ctx, 2*n, "")
		require.NoError(t, err)
		m := map[string]int{}
		for _, s := range list {
			m[s.SKU] = s.Revision
		}
		return m
	}
	before := revisions()
	require.Len(t, before, good)

	var out bytes.Buffer
	o.Out, o.Wait = &out, true
	err = runImport(ctx, o)
	require.ErrorIs(t, err, errBadRows, "bad rows make stox import fail")
	assert.Contains(t, out.String(), fmt.Sprintf("%d rows, 0 queued, %d unchanged (skipped), %d bad", n, good, len(badKinds)))
	assert.Equal(t, before, revisions(), "a second import changes no revision")

	cancel()
	require.NoError(t, <-served)
}

// TestImportTemplate downloads both templates: each reads as the one example row.
func TestImportTemplate(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, srv, served := startApp(t, ctx, baseConfig(t), slog.New(slog.DiscardHandler), nil)
	for _, ext := range []string{"csv", "xlsx"} {
		res, err := http.Get(srv.URL + "/v1/imports/template." + ext)
		require.NoError(t, err)
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(res.Body)
		res.Body.Close()
		require.Equal(t, http.StatusOK, res.StatusCode)
		assert.Contains(t, res.Header.Get("Content-Disposition"), "stox-catalogue."+ext)
		rows, err := catalog.Read(body, "template."+ext)
		require.NoError(t, err, ext)
		require.Len(t, rows, 1, ext)
		assert.Equal(t, "MUG-001", rows[0].Product.SKU, ext)
	}

	// A file the importer cannot read as a catalogue is refused whole, saying why.
	file := filepath.Join(t.TempDir(), "catalogue.csv")
	require.NoError(t, os.WriteFile(file, []byte("sku,name,price,photo_1,colour\nA,B,1,a.jpg,red\n"), 0o600))
	_, err := postImport(ctx, importOptions{File: file, API: srv.URL})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "422")
	assert.Contains(t, err.Error(), `column 5 "colour" is not a catalogue column`)
	cancel()
	require.NoError(t, <-served)
}
