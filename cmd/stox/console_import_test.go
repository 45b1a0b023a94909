package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"image/jpeg"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/messages"
)

// TestConsoleImport imports a small catalogue through the console's import page in a
// real headless Chromium: three good rows whose photos are served by URL and one with
// a price that is not a number. The page names the bad row with its reason, and its
// progress refreshes itself (no navigation) until the import is done; the API agrees.
// With STOX_UPDATE_DOCS=1 it writes docs/console-import-{desktop,phone}.png.
func TestConsoleImport(t *testing.T) {
	chromium(t)
	e2eParallel(t)
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, sbSrv := serveSandbox(t)
	cfg := marketConfig(t, rabbitConfig(t), sbSrv.URL)
	cfg.APIKeys = []string{consoleKey}
	a, _, _ := startApp(t, ctx, cfg, log, nil)

	photos := map[string][]byte{}
	photoSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := photos[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		_, _ = w.Write(b)
	}))
	defer photoSrv.Close()
	file := filepath.Join(t.TempDir(), "katalog.csv")
	require.NoError(t, os.WriteFile(file, consoleCatalogue(t, photoSrv.URL, photos, 4, 2), 0o600))

	// The browser gets a listener of its own, as in TestConsoleBrowser.
	h, err := a.apiHandler()
	require.NoError(t, err)
	web := httptest.NewServer(h)
	defer web.Close()
	b := browser(t, ctx)
	base := web.URL
	do(t, b, chromedp.Navigate(base+"/console/imports"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), consoleKey),
		chromedp.Click(chromedp.CSS("form button")),
		chromedp.WaitVisible(chromedp.CSS("#import-form")))
	do(t, b, chromedp.SetUploadFiles(chromedp.CSS(`#import-form input[name=file]`), []string{file}),
		chromedp.Click(chromedp.CSS("#import-form button")),
		chromedp.WaitVisible(chromedp.CSS("#import")))
	loc, err := chromedp.Run(b, chromedp.Location())
	require.NoError(t, err)
	id := path.Base(loc)
	bad, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#bad-rows")))
	require.NoError(t, err)
	assert.Contains(t, bad, "CIMP-0002")
	assert.Contains(t, bad, `price: "abc" is not a number`)

	// The page's script refreshes the figures in place until the import is done.
	_, err = chromedp.Run(b, chromedp.Evaluate[bool](`window.stoxStayed = true`))
	require.NoError(t, err)
	pctx, pcancel := context.WithTimeout(b, 3*time.Minute)
	defer pcancel()
	_, err = chromedp.Run(pctx, chromedp.Poll[bool](`document.getElementById('import').dataset.done === 'true'`,
		chromedp.WithPollingTimeout(3*time.Minute)))
	require.NoError(t, err, "the import's page shows it done")
	stayed, err := chromedp.Run(b, chromedp.Evaluate[bool](`window.stoxStayed === true`))
	require.NoError(t, err)
	assert.True(t, stayed, "the progress refreshed without reloading the page")
	state, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#import")))
	require.NoError(t, err)
	assert.Contains(t, state, "Done")
	assert.Contains(t, state, "4 rows read, 1 bad, 3 queued, 0 unchanged.")

	var p api.ImportProgress
	getJSON(t, base+"/v1/imports/"+id, &p)
	assert.True(t, p.Done)
	assert.Equal(t, 4, p.Rows)
	assert.Equal(t, 3, p.Queued)
	assert.Equal(t, 3, p.ImagesDone)
	require.Len(t, p.BadRows, 1)
	assert.Equal(t, 4, p.BadRows[0].Row, "the header is line 1")
	for _, m := range messages.Marketplaces {
		assert.Contains(t, state, m, "a bar for %s", m)
		assert.Contains(t, state, fmt.Sprintf("%d / 3", p.Listed[m]))
	}

	shots := map[string][]byte{}
	buf, err := chromedp.Run(b, chromedp.FullScreenshot(100))
	require.NoError(t, err)
	shots["import-desktop"] = buf
	do(t, b, chromedp.EmulateViewport(390, 844), chromedp.Navigate(loc), chromedp.WaitVisible(chromedp.CSS("#import")))
	width, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	require.NoError(t, err)
	assert.LessOrEqual(t, width, 390, "the import's page fits a phone's width")
	if shots["import-phone"], err = chromedp.Run(b, chromedp.FullScreenshot(100)); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("STOX_UPDATE_DOCS") == "1" {
		for name, buf := range shots {
			require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "console-"+name+".png"), buf, 0o644))
		}
	}
}

// consoleCatalogue is a CSV of n rows of e2eCatalog products, SKUs CIMP-0000 on, each
// with one photo served by URL at base (put in photos), where row bad (0-based) has a
// price that is not a number.
func consoleCatalogue(t *testing.T, base string, photos map[string][]byte, n, bad int) []byte {
	t.Helper()
	attrs := map[string]bool{}
	for _, c := range e2eCatalog {
		for k := range c.Attributes {
			attrs[k] = true
		}
	}
	cols := []string{"sku", "name", "brand", "category", "price", "list_price", "currency", "stock", "attr:barcode", "attr:vat_rate"}
	for _, k := range slices.Sorted(maps.Keys(attrs)) {
		cols = append(cols, "attr:"+k)
	}
	cols = append(cols, "photo_1")
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	require.NoError(t, w.Write(cols))
	for i := range n {
		c := e2eCatalog[i%len(e2eCatalog)]
		var img bytes.Buffer
		require.NoError(t, jpeg.Encode(&img, photo(100+i), &jpeg.Options{Quality: 85}))
		p := fmt.Sprintf("/p/%d.jpg", i)
		photos[p] = img.Bytes()
		cells := map[string]string{"sku": fmt.Sprintf("CIMP-%04d", i), "name": c.Name, "brand": c.Brand, "category": c.Category,
			"price": "199.90", "list_price": "249.90", "currency": "TRY", "stock": "5", "attr:barcode": ean13(7000 + i),
			"attr:vat_rate": "20", "photo_1": base + p}
		if i == bad {
			cells["price"] = "abc"
		}
		for k, v := range c.Attributes {
			cells["attr:"+k] = v
		}
		row := make([]string, len(cols))
		for j, col := range cols {
			row[j] = strings.TrimSpace(cells[col])
		}
		require.NoError(t, w.Write(row))
	}
	w.Flush()
	return out.Bytes()
}
