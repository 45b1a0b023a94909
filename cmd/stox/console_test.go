package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/jpeg"
	"maps"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
	"github.com/stox-dev/stox/topology"
)

// consoleKey is the API key the browser signs in with.
const consoleKey = "console-browser-key"

// chromium is Debian's Chromium, which the browser test drives; it skips without it
// unless STOX_TEST_REQUIRE_SERVICES=1.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if testenv.Required() {
			t.Fatalf("chromium not found and STOX_TEST_REQUIRE_SERVICES=1: apt-get install chromium")
		}
		t.Skip("chromium not found (apt-get install chromium)")
	}
	return path
}

// browser starts a headless Chromium with a user data directory of its own.
func browser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:0:0],
		chromedp.ExecPath(chromium(t)), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("lang", "en-US"),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900))
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	bctx, cancel := chromedp.NewContext(alloc)
	t.Cleanup(cancel)
	// The first run starts the browser on bctx, so steps with deadlines of their own
	// (do) do not end it.
	require.NoError(t, chromedp.Do(bctx))
	return bctx
}

// TestConsoleBrowser drives the console in a real headless Chromium against a running
// pipeline on RabbitMQ, PostgreSQL and the marketplace sandbox: sign in, find products
// that went through the pipeline, see their photos, edit a title and resubmit it,
// supply a missing attribute, and requeue a poisoned message. Each step is checked in
// the page and through the API or the broker. With STOX_UPDATE_DOCS=1 it writes the
// screenshots the README shows (docs/console-*.png).
func TestConsoleBrowser(t *testing.T) {
	chromium(t)
	e2eParallel(t)
	log := errorLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sb, sbSrv := serveSandbox(t)
	cfg := marketConfig(t, rabbitConfig(t), sbSrv.URL)
	cfg.APIKeys = []string{consoleKey}
	a, srv, _ := startApp(t, ctx, cfg, log, nil)

	// Products through the pipeline until each listing is accepted or waits for input.
	ids := map[string]int{}
	for i := range 8 {
		ids[keyedUpload(t, srv.URL, i, "")] = i
	}
	// A brand too long for Trendyol's titles: its text there fails the rules, so the
	// listing is rejected before its service ever queued it.
	long := keyedUpload(t, srv.URL, len(e2eCatalog), "Anadolu Geleneksel El Sanatları Tekstil Konfeksiyon Dış Ticaret Limited Şirketi Kooperatifi Ürünleri")
	var edited, held string // a product accepted on Trendyol; one waiting for input
	var heldOn string
	waitFor(t, time.Minute, "every listing accepted or waiting for input", func() (bool, string) {
		settled := 0
		for id := range ids {
			p, err := a.store.Product(ctx, id)
			require.NoError(t, err)
			for _, m := range messages.Marketplaces {
				switch l := p.Listings[m]; l.State {
				case store.ListingAccepted:
					settled++
					if m == messages.Trendyol && edited == "" {
						edited = id
					}
				case store.ListingNeedsInput:
					settled++
					if held == "" && attributesOnly(l) {
						held, heldOn = id, m
					}
				case store.ListingRejected:
					t.Fatalf("%s on %s rejected: %v", id, m, l.Reasons)
				}
			}
		}
		p, err := a.store.Product(ctx, long)
		require.NoError(t, err)
		for _, m := range messages.Marketplaces {
			switch l := p.Listings[m]; {
			case m == messages.Trendyol && l.State == store.ListingRejected,
				m != messages.Trendyol && (l.State == store.ListingAccepted || l.State == store.ListingNeedsInput):
				settled++
			}
		}
		want := (len(ids) + 1) * len(messages.Marketplaces)
		states := map[string]string{}
		for m, l := range p.Listings {
			states[m] = l.State + fmt.Sprint(l.Reasons)
		}
		return settled == want, fmt.Sprintf("%d of %d settled; the long name's listings: %v", settled, want, states)
	})
	require.NotEmpty(t, edited, "a product accepted on trendyol")
	require.NotEmpty(t, held, "a product waiting for an attribute")
	poisoned, ghost := poisonListing(t, ctx, a)

	// The browser gets a listener of its own: startApp's checks every exchange against
	// the API's OpenAPI document, which the console's pages are no part of.
	h, err := a.apiHandler()
	require.NoError(t, err)
	web := httptest.NewServer(h)
	defer web.Close()
	b := browser(t, ctx)
	base := web.URL
	shots := map[string][]byte{}
	shot := func(name string) {
		buf, err := chromedp.Run(b, chromedp.FullScreenshot(100))
		require.NoError(t, err)
		shots[name] = buf
	}

	// Sign in: the console sends a visitor to the sign-in form and back.
	do(t, b, chromedp.Navigate(base+"/console/products"),
		chromedp.WaitVisible(chromedp.CSS("#key")),
		chromedp.SendKeys(chromedp.CSS("#key"), consoleKey),
		chromedp.Click(chromedp.CSS("form button")),
		chromedp.WaitVisible(chromedp.CSS("#products")))
	list, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#products")))
	require.NoError(t, err)
	for id, i := range ids {
		assert.Contains(t, list, fmt.Sprintf("SKU-%04d", i), id)
	}
	shot("products-desktop")

	// Needs attention lists the held product.
	do(t, b, chromedp.Navigate(base+"/console/products?attention=1"), chromedp.WaitVisible(chromedp.CSS("#products")))
	list, err = chromedp.Run(b, chromedp.Text(chromedp.CSS("#products")))
	require.NoError(t, err)
	assert.Contains(t, list, fmt.Sprintf("SKU-%04d", ids[held]))

	// The product's photos render, before and after, for every marketplace.
	do(t, b, chromedp.Navigate(base+"/console/products/"+edited), chromedp.WaitVisible(chromedp.CSS("#photos")))
	shown, err := chromedp.Run(b, chromedp.Poll[int](`(() => { const im = [...document.querySelectorAll('#photos img')];
		return im.length > 0 && im.every(i => i.complete && i.naturalWidth > 0) && im.length })()`, chromedp.WithPollingTimeout(30*time.Second)))
	require.NoError(t, err, "every photo renders")
	assert.Equal(t, 1+len(messages.Marketplaces), shown, "the upload and each marketplace's image")
	shot("product-desktop")

	editTitle(t, b, base, sb, edited, ids[edited])
	// The refused text, shortened by the seller, goes to Trendyol's service anew.
	do(t, b, chromedp.Navigate(base+"/console/products/"+long), chromedp.WaitVisible(chromedp.CSS("#trendyol .text-form")))
	resubmitTitle(t, b, base, long, func(string) string { return "Erkek Bisiklet Yaka Basic Tişört Lacivert M" })
	waitFor(t, time.Minute, "the refused listing queued by its service", func() (bool, string) {
		var p api.ProductResponse
		getJSON(t, base+"/v1/products/"+long, &p)
		st := p.Listings[messages.Trendyol].State
		return st != "" && st != store.ListingRejected, st
	})
	supplyAttribute(t, b, base, a, held, heldOn)

	// Stock: the ledger's quantity of the SKU and what each marketplace acknowledged.
	// A customer orders one on Trendyol: the page shows the order in the ledger.
	sku := fmt.Sprintf("SKU-%04d", ids[edited])
	order, err := sb.PlaceOrder(messages.Trendyol, sku, 1)
	require.NoError(t, err)
	waitFor(t, time.Minute, "the order applied", func() (bool, string) {
		q, _, err := a.store.Stock(ctx, sku)
		require.NoError(t, err)
		return q == 9, fmt.Sprintf("stock %d", q)
	})
	do(t, b, chromedp.Navigate(base+"/console/stock?sku="+sku), chromedp.WaitVisible(chromedp.CSS("#ledger")))
	ledger, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#ledger")))
	require.NoError(t, err)
	q, ver, err := a.store.Stock(ctx, sku)
	require.NoError(t, err)
	assert.Contains(t, ledger, fmt.Sprintf("%d (version %d)", q, ver))
	history, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#history")))
	require.NoError(t, err)
	assert.Contains(t, history, "order -1")
	assert.Contains(t, history, order)
	shot("stock-desktop")

	requeuePoisoned(t, b, base, a, poisoned, ghost, shot)

	// The same pages on a phone's screen.
	do(t, b, chromedp.EmulateViewport(390, 844))
	for name, path := range map[string]string{"products": "/console/products", "product": "/console/products/" + edited,
		"stock": "/console/stock?sku=" + sku, "poison": "/console/poison"} {
		do(t, b, chromedp.Navigate(base+path), chromedp.WaitVisible(chromedp.CSS("main")))
		width, err := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		require.NoError(t, err)
		if !assert.LessOrEqual(t, width, 390, "%s fits a phone's width without scrolling sideways", name) {
			wide, _ := chromedp.Run(b, chromedp.Evaluate[[]string](`[...document.querySelectorAll('main *')].filter(e => e.getBoundingClientRect().right > 390).slice(0, 5).map(e => e.tagName + '.' + e.className + ': ' + e.textContent.slice(0, 60))`))
			t.Logf("wider than the screen: %q", wide)
		}
		shot(name + "-phone")
	}
	if os.Getenv("STOX_UPDATE_DOCS") == "1" {
		for name, buf := range shots {
			require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "console-"+name+".png"), buf, 0o644))
		}
	}
}

// attributesOnly reports whether a listing waits only for attributes (which the
// console's form supplies from the allowed values).
func attributesOnly(l store.Listing) bool {
	var m taxonomy.Mapping
	if json.Unmarshal(l.Mapping, &m) != nil || len(m.Missing) == 0 {
		return false
	}
	for _, x := range m.Missing {
		if x.Field != "attribute" || strings.ContainsAny(x.Name, `"\`) {
			return false
		}
	}
	return true
}

// resubmitTitle edits the Trendyol title of product id (its page open) in the console
// and resubmits it: the page says so and the API shows the seller's text. It returns
// the title.
func resubmitTitle(t *testing.T, b context.Context, base, id string, edit func(string) string) string {
	t.Helper()
	old, err := chromedp.Run(b, chromedp.Value(chromedp.CSS("#trendyol input[name=title]")))
	require.NoError(t, err)
	title := edit(old)
	// A text the seo stage refused has no description yet: the seller writes one.
	desc, err := chromedp.Run(b, chromedp.Value(chromedp.CSS("#trendyol textarea[name=description]")))
	require.NoError(t, err)
	if desc == "" {
		desc = "Pamuklu, bisiklet yaka basic tişört."
	}
	do(t, b, chromedp.SetValue(chromedp.CSS("#trendyol textarea[name=description]"), desc),
		chromedp.SetValue(chromedp.CSS("#trendyol input[name=title]"), title),
		chromedp.Click(chromedp.CSS(`#trendyol button[name=resubmit][value="1"]`)),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(".notice")))
	require.NoError(t, err)
	assert.Equal(t, "The listing was queued again.", notice)

	var p api.ProductResponse
	getJSON(t, base+"/v1/products/"+id, &p)
	assert.Equal(t, title, p.Texts[messages.Trendyol].Title)
	require.NotNil(t, p.Texts[messages.Trendyol].Compliance)
	assert.Equal(t, api.WriterSeller, p.Texts[messages.Trendyol].Compliance.Writer)
	return title
}

// editTitle resubmits an accepted listing with an edited title: the sandbox gets the
// title and accepts the listing again.
func editTitle(t *testing.T, b context.Context, base string, sb *sandbox.Server, id string, i int) {
	t.Helper()
	title := resubmitTitle(t, b, base, id, func(old string) string { return old + " Model K2" })
	waitFor(t, time.Minute, "the edited title on trendyol", func() (bool, string) {
		tp, ok := sb.TrendyolProduct(ean13(i))
		return ok && tp.Title == title, fmt.Sprintf("trendyol shows %q", tp.Title)
	})
	waitFor(t, time.Minute, "the resubmitted listing accepted", func() (bool, string) {
		var p api.ProductResponse
		getJSON(t, base+"/v1/products/"+id, &p)
		return p.Listings[messages.Trendyol].State == store.ListingAccepted, p.Listings[messages.Trendyol].State
	})
}

// supplyAttribute fills in the held listing's missing attributes with their first
// allowed values in the console: the page says so, and the API shows the listing
// leave needs_input and be accepted.
func supplyAttribute(t *testing.T, b context.Context, base string, a *app, id, m string) {
	t.Helper()
	p, err := a.store.Product(context.Background(), id)
	require.NoError(t, err)
	var mp taxonomy.Mapping
	require.NoError(t, json.Unmarshal(p.Listings[m].Mapping, &mp))
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/console/products/" + id), chromedp.WaitVisible(chromedp.CSS("#" + m + " .input-form"))}
	want := map[string]string{}
	for _, x := range mp.Missing {
		sel, value := fmt.Sprintf(`#%s [name="attr.%s"]`, m, x.Name), "10"
		if len(x.Allowed) > 0 {
			value = x.Allowed[0]
		}
		want[x.Name] = value
		steps = append(steps, chromedp.SetValue(chromedp.CSS(sel), value))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#"+m+" .input-form button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	do(t, b, steps...)
	notice, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(".notice")))
	require.NoError(t, err)
	assert.Equal(t, "Saved; the listing is mapped again within a minute.", notice)

	in, err := a.store.ListingInput(context.Background(), id, m)
	require.NoError(t, err)
	assert.Equal(t, want, in.Attributes)
	waitFor(t, time.Minute, "the held listing accepted after the seller's input", func() (bool, string) {
		var p api.ProductResponse
		getJSON(t, base+"/v1/products/"+id, &p)
		return p.Listings[m].State == store.ListingAccepted, p.Listings[m].State
	})
}

// poisonListing publishes a listing of a product the catalog does not know yet: the
// Trendyol service cannot queue it and poisons it. The product is then stored, so a
// requeue succeeds. It returns the poison queue and the product's ID.
func poisonListing(t *testing.T, ctx context.Context, a *app) (string, string) {
	t.Helper()
	topo := a.broker.Topology()
	queue := topo.Name(topology.ListingsQueue(messages.Trendyol)) + topology.PoisonSuffix
	id, sku := "ghost-"+testenv.Unique("p"), testenv.Unique("GHOST")
	prod := messages.Product{SKU: sku, Name: "Hayalet kupa", Brand: "Stox", Price: 10, Currency: "TRY", Stock: 1,
		Marketplaces: []string{messages.Trendyol}}
	pub, err := a.broker.Publisher(topo.Name(topology.ExchangeMarketplaces))
	require.NoError(t, err)
	require.NoError(t, publishCorrelated(ctx, pub, "", id, messages.ListingV1{ProductID: id, Revision: 1, Product: prod,
		Texts:  map[string]messages.ListingText{messages.Trendyol: {Language: "tr", Title: "Stox Hayalet Kupa", Description: "Kupa."}},
		Images: map[string][]messages.ListingImage{messages.Trendyol: {{Key: "none.jpg", URL: "http://127.0.0.1:1/none.jpg", Width: 1200, Height: 1200}}}}))
	waitFor(t, time.Minute, "the listing poisoned", func() (bool, string) {
		n := poisonCount(t, a, queue)
		return n == 1, fmt.Sprintf("%s holds %d", queue, n)
	})
	_, _, err = a.store.PutProduct(ctx, store.NewProduct{ID: id, Product: prod})
	require.NoError(t, err)
	return queue, id
}

// poisonCount is how many messages queue holds, by the broker.
func poisonCount(t *testing.T, a *app, queue string) int {
	t.Helper()
	stats, err := a.broker.(broker.PoisonInspector).PoisonList(context.Background())
	require.NoError(t, err)
	for _, s := range stats {
		if s.Queue == queue {
			return s.Messages
		}
	}
	return -1
}

// requeuePoisoned requeues the poisoned listing from the console, through its
// confirmation: the page shows the queue empty, and so does the broker.
func requeuePoisoned(t *testing.T, b context.Context, base string, a *app, queue, ghost string, shot func(string)) {
	t.Helper()
	row := fmt.Sprintf(`tr[data-queue=%q]`, queue)
	do(t, b, chromedp.Navigate(base+"/console/poison?queue="+queue), chromedp.WaitVisible(chromedp.CSS(row)))
	count, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(row+" .count")))
	require.NoError(t, err)
	assert.Equal(t, "1", count)
	reasons, err := chromedp.Run(b, chromedp.Text(chromedp.CSS("#messages")))
	require.NoError(t, err)
	assert.Contains(t, reasons, "not found")
	shot("poison-desktop")
	do(t, b, chromedp.Click(chromedp.CSS(row+" form[action$=requeue] button")),
		chromedp.WaitVisible(chromedp.CSS("#confirm")))
	assert.Equal(t, 1, poisonCount(t, a, queue), "nothing happens before the confirmation")
	do(t, b, chromedp.Click(chromedp.CSS("#confirm button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	count, err = chromedp.Run(b, chromedp.Text(chromedp.CSS(row+" .count")))
	require.NoError(t, err)
	assert.Equal(t, "0", count)
	assert.Equal(t, 0, poisonCount(t, a, queue), "the broker's poison queue is empty")
	waitFor(t, time.Minute, "the requeued listing recorded", func() (bool, string) {
		var p api.ProductResponse
		getJSON(t, base+"/v1/products/"+ghost, &p)
		return p.Listings[messages.Trendyol].State != "", "no listing yet"
	})
}

// do runs browser steps within 30 s; on failure it shows what the page says.
func do(t *testing.T, b context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		page, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector('main') ? document.querySelector('main').innerText.slice(0, 2000) : document.body.innerText.slice(0, 2000)`))
		t.Fatalf("browser: %v; the page says:\n%s", err, page)
	}
}

// keyedUpload is upload with the API key; a brand replaces the catalog product's.
func keyedUpload(t *testing.T, base string, i int, brand string) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	c := e2eCatalog[i%len(e2eCatalog)]
	if brand != "" {
		c.Brand = brand
	}
	attrs := maps.Clone(c.Attributes)
	attrs["barcode"], attrs["vat_rate"] = ean13(i), "20"
	prod, err := json.Marshal(messages.Product{SKU: fmt.Sprintf("SKU-%04d", i), Name: c.Name, Brand: c.Brand, Category: c.Category,
		Price: 199.90, ListPrice: 249.90, Currency: "TRY", Stock: 10, Attributes: attrs, Marketplaces: messages.Marketplaces})
	require.NoError(t, err)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="product"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(hdr)
	require.NoError(t, err)
	_, _ = pw.Write(prod)
	fw, err := w.CreateFormFile("photos", "p.jpg")
	require.NoError(t, err)
	require.NoError(t, jpeg.Encode(fw, photo(i*10), &jpeg.Options{Quality: 85}))
	require.NoError(t, w.Close())
	req, err := http.NewRequest(http.MethodPost, base+"/v1/products", &body)
	require.NoError(t, err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+consoleKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusAccepted, res.StatusCode)
	var out struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	return out.ID
}

// getJSON reads an API route with the key into v.
func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+consoleKey)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(v))
}
