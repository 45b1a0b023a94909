package chaos

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"maps"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/broker/rabbitmq"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
	"github.com/stox-dev/stox/taxonomy/taxonomytest"
)

// initialStock is every product's stock at upload; orders take at most half of it per
// SKU, so no order is an oversell and the arithmetic is exact: every marketplace and
// the ledger end at initialStock minus what was ordered.
const initialStock = 10

// flow is the products and orders of one run and what came of them.
type flow struct {
	e  *env
	db *sql.DB

	mu       sync.Mutex
	products map[string]string // product ID → SKU
	skus     []string
	refused  map[string]int // upload answers other than 202, by status
	ordered  map[string]int // SKU → units ordered
	orders   int
	answered map[string]bool // product/marketplace given the seller's input
	state    productState
	last     time.Time // when the last product or order went in
}

// productState is the last poll of every product's listings.
type productState struct {
	done     int               // accepted on every marketplace
	rejected map[string]string // "SKU on marketplace" → reasons
	waiting  map[string]int    // "marketplace/state" → listings not yet accepted
	example  string
}

func newFlow(e *env) *flow {
	db, err := store.PostgresDB(e.in.dbURL)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { _ = db.Close() })
	return &flow{e: e, db: db, products: map[string]string{}, refused: map[string]int{},
		ordered: map[string]int{}, answered: map[string]bool{}}
}

// uploadAll posts products [from, to), one every pace, as a seller's client would:
// a 503 is tried again after its Retry-After, a refused connection (the image
// service down) after half a second, for up to two minutes each.
func (f *flow) uploadAll(ctx context.Context, from, to int, pace time.Duration) error {
	for i := from; i < to; i++ {
		if err := f.upload(ctx, i); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pace):
		}
	}
	return nil
}

func (f *flow) upload(ctx context.Context, i int) error {
	body, ctype := productForm(i)
	sku := fmt.Sprintf("SKU-%04d", i)
	deadline := time.Now().Add(2 * time.Minute)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+f.e.apiAddr+"/v1/products", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Authorization", "Bearer "+apiKey)
		wait := 500 * time.Millisecond
		res, err := http.DefaultClient.Do(req)
		status := "unreachable"
		if err == nil {
			var out struct {
				ID string `json:"id"`
			}
			_ = json.NewDecoder(res.Body).Decode(&out)
			_ = res.Body.Close()
			if res.StatusCode == http.StatusAccepted && out.ID != "" {
				f.mu.Lock()
				if _, seen := f.products[out.ID]; !seen {
					f.products[out.ID] = sku
					f.skus = append(f.skus, sku)
				}
				f.last = time.Now()
				f.mu.Unlock()
				return nil
			}
			status = strconv.Itoa(res.StatusCode)
			if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			} else if res.StatusCode == http.StatusServiceUnavailable {
				status += " without Retry-After"
			}
		}
		f.mu.Lock()
		f.refused[status]++
		f.mu.Unlock()
		if time.Now().After(deadline) {
			return fmt.Errorf("upload %s: not accepted within 2 minutes (last answer %s)", sku, status)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// placeOrders places n orders, one every pace, on random marketplaces against SKUs
// listed there with stock, never taking more than half a SKU's initial stock.
func (f *flow) placeOrders(ctx context.Context, n int, pace time.Duration) error {
	rng := rand.New(rand.NewPCG(3, 5))
	for f.placed() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d orders placed: %w", f.placed(), n, ctx.Err())
		case <-time.After(pace):
		}
		m := messages.Marketplaces[rng.IntN(len(messages.Marketplaces))]
		f.mu.Lock()
		var open []string
		for sku, q := range f.e.sb.Listings(m) {
			if q > 0 && f.ordered[sku] < initialStock/2 && slices.Contains(f.skus, sku) {
				open = append(open, sku)
			}
		}
		sort.Strings(open)
		if len(open) == 0 {
			f.mu.Unlock()
			continue
		}
		sku := open[rng.IntN(len(open))]
		q := min(1+rng.IntN(2), initialStock/2-f.ordered[sku])
		_, err := f.e.sb.PlaceOrder(m, sku, q)
		if err == nil {
			f.ordered[sku] += q
			f.orders++
			f.last = time.Now()
		}
		f.mu.Unlock()
		if err != nil && !errors.Is(err, sandbox.ErrNoStock) {
			return fmt.Errorf("place order of %s on %s: %w", sku, m, err)
		}
	}
	return nil
}

func (f *flow) placed() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.orders
}

// watch polls every product until ctx ends, answering listings that wait for the
// seller's input, as a seller would.
func (f *flow) watch(ctx context.Context) {
	for {
		f.pollProducts(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (f *flow) pollProducts(ctx context.Context) {
	f.mu.Lock()
	ids := slices.Collect(maps.Keys(f.products))
	f.mu.Unlock()
	st := productState{rejected: map[string]string{}, waiting: map[string]int{}}
	for _, id := range ids {
		var p store.Product
		if err := f.get(ctx, "/v1/products/"+id, &p); err != nil {
			st.waiting["api: "+err.Error()]++
			continue
		}
		accepted := 0
		for _, m := range messages.Marketplaces {
			l := p.Listings[m]
			switch l.State {
			case store.ListingAccepted:
				accepted++
			case store.ListingRejected:
				st.rejected[p.Product.SKU+" on "+m] = strings.Join(l.Reasons, "; ")
			case store.ListingNeedsInput:
				if !f.answered[id+"/"+m] {
					if err := f.supplyInput(ctx, id, m, l); err != nil {
						st.waiting["input: "+err.Error()]++
					} else {
						f.answered[id+"/"+m] = true
					}
				}
			}
			if l.State != store.ListingAccepted {
				st.waiting[m+"/"+or(l.State, "none")]++
				st.example = fmt.Sprintf("%s on %s: %s %v (stages %v)", p.Product.SKU, m, or(l.State, "none"), l.Reasons, p.Stages)
			}
		}
		if accepted == len(messages.Marketplaces) {
			st.done++
		}
	}
	f.mu.Lock()
	f.state = st
	f.mu.Unlock()
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func (f *flow) get(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+f.e.apiAddr+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return errors.New("unreachable")
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s answered %d", strings.SplitN(path, "/", 4)[2], res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

// supplyInput answers a listing in needs_input through the API: the first allowed
// value of every missing attribute (or a number where any text goes).
func (f *flow) supplyInput(ctx context.Context, id, marketplace string, l store.Listing) error {
	var m taxonomy.Mapping
	if err := json.Unmarshal(l.Mapping, &m); err != nil || len(m.Missing) == 0 {
		return fmt.Errorf("needs_input without a mapping naming what is missing (%v)", err)
	}
	in := map[string]string{}
	for _, x := range m.Missing {
		if x.Field != "attribute" {
			return fmt.Errorf("%s missing: %s", x.Field, x.Reason)
		}
		in[x.Name] = "10"
		if len(x.Allowed) > 0 {
			in[x.Name] = x.Allowed[0]
		}
	}
	body, _ := json.Marshal(map[string]any{"attributes": in})
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, "http://"+f.e.apiAddr+"/v1/products/"+id+"/listings/"+marketplace+"/input", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+apiKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return errors.New("unreachable")
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("input answered %d", res.StatusCode)
	}
	return nil
}

// counts is what came out of a run.
type counts struct {
	productsIn, done        int
	ordersIn, applied       int
	lost, twice, stockWrong int
	poisoned                int
	reasons                 []string
	notes                   []string
}

// count reads the ledger, the order lines and every marketplace's stock.
func (f *flow) count(ctx context.Context) (c counts, status string) {
	f.mu.Lock()
	st := f.state
	c.productsIn, c.done, c.ordersIn = len(f.products), st.done, f.orders
	ordered := maps.Clone(f.ordered)
	skus := slices.Clone(f.skus)
	f.mu.Unlock()
	var problems []string
	if len(st.rejected) > 0 {
		for k, v := range st.rejected {
			problems = append(problems, fmt.Sprintf("rejected: %s: %s", k, v))
			break
		}
	}
	if c.done < c.productsIn {
		problems = append(problems, fmt.Sprintf("%d of %d products accepted everywhere; waiting %v, e.g. %s", c.done, c.productsIn, st.waiting, st.example))
	}

	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := f.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT DISTINCT marketplace, order_id FROM order_lines WHERE ordered IS NOT NULL) o`).Scan(&c.applied)
	if err != nil {
		return c, "database: " + err.Error()
	}
	var dup int
	err = f.db.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM stock_ledger WHERE order_id IS NOT NULL
		GROUP BY marketplace, order_id, line_id, reason HAVING count(*) > 1) d`).Scan(&dup)
	if err != nil {
		return c, "database: " + err.Error()
	}
	c.twice = dup
	units := map[string]int{}
	rows, err := f.db.QueryContext(ctx, `SELECT sku, sum(ordered) FROM order_lines WHERE ordered IS NOT NULL GROUP BY sku`)
	if err != nil {
		return c, "database: " + err.Error()
	}
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			return c, "database: " + err.Error()
		}
		units[sku] = n
	}
	_ = rows.Close()
	ledger := map[string]int{}
	rows, err = f.db.QueryContext(ctx, `SELECT sku, quantity FROM stock`)
	if err != nil {
		return c, "database: " + err.Error()
	}
	for rows.Next() {
		var sku string
		var n int
		if err := rows.Scan(&sku, &n); err != nil {
			return c, "database: " + err.Error()
		}
		ledger[sku] = n
	}
	_ = rows.Close()

	lostUnits := 0
	for _, sku := range skus {
		want := initialStock - ordered[sku]
		q, ok := ledger[sku]
		switch {
		case !ok:
			problems = append(problems, sku+" has no stock in the ledger")
		case q < want:
			c.twice++ // units taken more than once
			problems = append(problems, fmt.Sprintf("ledger %s = %d, want %d (taken twice)", sku, q, want))
		case q > want:
			lostUnits += q - want
		}
		if units[sku] > ordered[sku] {
			problems = append(problems, fmt.Sprintf("order lines of %s sum to %d units, %d ordered", sku, units[sku], ordered[sku]))
		}
		for _, m := range messages.Marketplaces {
			if shown, listed := f.e.sb.Listings(m)[sku]; listed && shown != want {
				c.stockWrong++
				if c.stockWrong == 1 {
					problems = append(problems, fmt.Sprintf("%s on %s shows %d, want %d", sku, m, shown, want))
				}
			}
		}
	}
	if b, err := backlog(f.e.in.amqpURL(""), f.e.topo); err != nil {
		problems = append(problems, "broker: "+err.Error())
	} else if len(b) > 0 {
		problems = append(problems, fmt.Sprintf("work queues not empty: %v", b))
	}
	c.lost = (c.productsIn - c.done) + max(0, c.ordersIn-c.applied)
	if c.applied < c.ordersIn || lostUnits > 0 {
		problems = append(problems, fmt.Sprintf("%d of %d orders applied, %d units not taken from the ledger", c.applied, c.ordersIn, lostUnits))
	}
	if c.stockWrong > 0 {
		problems = append(problems, fmt.Sprintf("%d marketplace×SKU stocks wrong", c.stockWrong))
	}
	return c, strings.Join(problems, "; ")
}

// poison counts the run's poison queues, grouping their reasons; the queue-full
// fault's own filler (message IDs chaos-filler-…) is counted apart.
func (f *flow) poison(ctx context.Context, c *counts) (filler int) {
	b, err := rabbitmq.New(ctx, rabbitmq.Config{URL: f.e.in.amqpURL("")}, f.e.topo, nil)
	if err != nil {
		c.reasons = append(c.reasons, "poison queues unreadable: "+err.Error())
		return 0
	}
	defer b.Close()
	stats, err := b.PoisonList(ctx)
	if err != nil {
		c.reasons = append(c.reasons, "poison queues unreadable: "+err.Error())
		return 0
	}
	for _, s := range stats {
		if s.Messages == 0 {
			continue
		}
		msgs, err := b.PoisonPeek(ctx, s.Queue, s.Messages)
		if err != nil {
			c.reasons = append(c.reasons, fmt.Sprintf("%d× %s: unreadable: %v", s.Messages, s.Queue, err))
			c.poisoned += s.Messages
			continue
		}
		byReason := map[string]int{}
		for _, m := range msgs {
			if strings.HasPrefix(m.UUID, "chaos-filler-") {
				filler++
				continue
			}
			r := strings.ReplaceAll(strings.ReplaceAll(m.Reason, m.UUID, "…"), f.e.prefix, "")
			byReason[strings.TrimPrefix(m.Queue, f.e.prefix)+": "+shorten(r, 200)]++
			c.poisoned++
		}
		for r, n := range byReason {
			c.reasons = append(c.reasons, fmt.Sprintf("%d× %s", n, r))
		}
	}
	sort.Strings(c.reasons)
	return filler
}

func shorten(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// productForm is product i's multipart upload: the catalog's product in turn (one
// whose brand every marketplace knows), its own SKU and barcode, one generated photo.
func productForm(i int) ([]byte, string) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	c := catalog[i%len(catalog)]
	attrs := maps.Clone(c.Attributes)
	attrs["barcode"], attrs["vat_rate"] = ean13(i), "20"
	prod, _ := json.Marshal(messages.Product{
		SKU: fmt.Sprintf("SKU-%04d", i), Name: c.Name, Brand: c.Brand, Category: c.Category,
		Price: 199.90, ListPrice: 249.90, Currency: "TRY", Stock: initialStock, Attributes: attrs,
		Marketplaces: messages.Marketplaces,
	})
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="product"`)
	hdr.Set("Content-Type", "application/json")
	pw, _ := w.CreatePart(hdr)
	_, _ = pw.Write(prod)
	fw, _ := w.CreateFormFile("photos", "p.jpg")
	_ = jpeg.Encode(fw, photo(i), &jpeg.Options{Quality: 85})
	_ = w.Close()
	return body.Bytes(), w.FormDataContentType()
}

// catalog leaves out Maybelline: Trendyol knows it as "Maybelline New York", a brand
// the seller must choose.
var catalog = slices.DeleteFunc(slices.Clone(taxonomytest.Catalog), func(p taxonomytest.Product) bool { return p.Brand == "Maybelline" })

// ean13 is a valid EAN-13 barcode (Turkish 869 prefix) for product i.
func ean13(i int) string {
	code := fmt.Sprintf("869%09d", i)
	sum := 0
	for k, c := range code {
		d := int(c - '0')
		if k%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return code + strconv.Itoa((10-sum%10)%10)
}

// photo draws a product-like picture: a coloured object on a near-white background.
func photo(seed int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	c := color.RGBA{uint8(40 + seed*37%180), uint8(60 + seed*53%160), uint8(90 + seed*71%150), 255}
	for y := range 360 {
		for x := range 480 {
			if x > 140 && x < 340 && y > 60 && y < 300 {
				img.Set(x, y, c)
			} else {
				img.Set(x, y, color.RGBA{246, 246, 244, 255})
			}
		}
	}
	return img
}
