package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/console"
	"github.com/stox-dev/stox/internal/openapitest"
	"github.com/stox-dev/stox/internal/testenv"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
	"github.com/stox-dev/stox/taxonomy/taxonomytest"
	"github.com/stox-dev/stox/topology"
)

// fullSize reports whether the end-to-end runs go at full size: STOX_E2E=full, which
// `make e2e` sets. Without it (`make test`) every one of them runs small, so the
// default loop stays fast and no path goes untested.
func fullSize() bool { return os.Getenv("STOX_E2E") == "full" }

// e2eParallel runs a small end-to-end test beside the others: they wait on the
// sandbox's delays and the services' polls far more than they compute. At full size
// each runs alone, so the sizes, not the neighbours, set its pace.
func e2eParallel(t *testing.T) {
	if !fullSize() {
		t.Parallel()
	}
}

// products is how many products the end-to-end tests push through the pipeline.
func products() int {
	if fullSize() {
		return 200
	}
	return 20
}

func baseConfig(t testing.TB) Config {
	return Config{
		Common: Common{DataDir: t.TempDir(), AMQPPool: 8, Prefetch: 2, Timeout: time.Minute, MaxRetries: 3,
			LogFormat: "text", LogLevel: "warn"},
		HTTPAddr: "127.0.0.1:0",
		Workers:  3, MaxPixels: 50_000_000, MaxPhotoBytes: 20 << 20,
	}
}

// TestPipelineInProcess pushes products from an HTTP upload through image → ai → seo →
// the three listing queues on the in-memory broker and SQLite, and counts them out.
func TestPipelineInProcess(t *testing.T) {
	e2eParallel(t)
	runPipeline(t, baseConfig(t))
}

// TestPipelineRabbitMQ is the same run on the real RabbitMQ and PostgreSQL, with three
// ai workers competing on one queue.
func TestPipelineRabbitMQ(t *testing.T) {
	e2eParallel(t)
	cfg := baseConfig(t)
	cfg.AMQPURL = testenv.AMQPURL(t)
	cfg.DatabaseURL = storetest.PostgresSchemaURL(t)
	cfg.Prefix = testenv.Unique("e2e") + "."
	t.Cleanup(func() { deleteTopology(t, cfg.AMQPURL, topology.New(cfg.Prefix, false, messages.Marketplaces)) })
	runPipeline(t, cfg)
}

func runPipeline(t *testing.T, cfg Config) {
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, srv, served := startApp(t, ctx, cfg, log, nil)

	n := products()
	ids := map[string]bool{}
	for i := 0; i < n; i++ {
		photos := 1
		if i%10 == 0 {
			photos = 3
		}
		id := upload(t, srv.URL, i, photos)
		ids[id] = true
	}
	require.Len(t, ids, n, "every upload got its own product")

	// Count out: every product done in both stages and queued on every marketplace.
	var done int
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		done = 0
		for id := range ids {
			p, err := a.store.Product(ctx, id)
			require.NoError(t, err)
			require.NotEqual(t, store.StateFailed, p.Stages[store.StageImages].State, "%s: %v", id, p.Stages[store.StageImages].Reasons)
			require.NotEqual(t, store.StateFailed, p.Stages[store.StageSEO].State, "%s: %v", id, p.Stages[store.StageSEO].Reasons)
			queued := 0
			for _, m := range messages.Marketplaces {
				if p.Listings[m].State == store.ListingQueued {
					queued++
				}
			}
			if queued == len(messages.Marketplaces) {
				done++
			}
		}
		if done == n {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if done != n {
		p, err := a.store.Product(ctx, firstKey(ids))
		require.NoError(t, err)
		t.Fatalf("%d of %d products through every stage; e.g. stages %+v, listings %+v", done, n, p.Stages, p.Listings)
	}

	p, err := a.store.Product(ctx, firstKey(ids))
	require.NoError(t, err)
	assert.Equal(t, store.StateDone, p.Stages[store.StageImages].State)
	assert.Equal(t, store.StateDone, p.Stages[store.StageSEO].State)
	assert.NotEmpty(t, p.Images)
	for _, m := range messages.Marketplaces {
		assert.NotEmpty(t, p.Texts[m].Title, m)
		// the compliance report travels with the text into the catalog the API shows
		if assert.NotNil(t, p.Texts[m].Compliance, m) {
			assert.Contains(t, []string{messages.CompliancePass, messages.ComplianceFixed}, p.Texts[m].Compliance.Status, m)
			assert.NotEmpty(t, p.Texts[m].Compliance.Writer, m)
		}
	}
	// The finished product as the API shows it; startApp checks each answer against
	// the OpenAPI document.
	for _, path := range []string{"/v1/products/" + p.ID, "/v1/products?limit=5", "/images/" + p.Images[0].Key, "/openapi.json"} {
		res, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		assert.Equal(t, http.StatusOK, res.StatusCode, path)
	}

	cancel()
	require.NoError(t, <-served)
	assertPoisonEmpty(t, a.broker)
}

// startApp runs every service of cfg in this process until ctx ends, and the API on
// an httptest server; served reports how serving ended. prepare, when set, sees the
// app before its services are built.
func startApp(tb testing.TB, ctx context.Context, cfg Config, log *slog.Logger, prepare func(*app)) (a *app, srv *httptest.Server, served chan error) {
	tb.Helper()
	// The API's address is the images' public base URL: the sandbox fetches them.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(tb, err)
	if cfg.PublicBaseURL == "" {
		cfg.PublicBaseURL = "http://" + ln.Addr().String()
	}
	a, err = openApp(ctx, cfg, log)
	require.NoError(tb, err)
	tb.Cleanup(a.close)
	if prepare != nil {
		prepare(a)
	}
	var routers []*message.Router
	for _, name := range services {
		r, err := a.router(name)
		require.NoError(tb, err, name)
		routers = append(routers, r)
	}
	served = make(chan error, 1)
	go func() { served <- a.serve(ctx, routers, nil) }()
	for _, r := range routers {
		<-r.Running()
	}
	h, err := a.apiHandler()
	require.NoError(tb, err)
	// Every exchange with the API is checked against its OpenAPI document; the
	// console beside it is no part of the API.
	doc, err := openapitest.Parse(api.OpenAPI())
	require.NoError(tb, err)
	checked := openapitest.Handler(tb, doc, h)
	consolePath := strings.TrimSuffix(console.Prefix, "/")
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == consolePath || strings.HasPrefix(r.URL.Path, console.Prefix) {
			h.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
	srv = &httptest.Server{Listener: ln, Config: &http.Server{Handler: handler}}
	srv.Start()
	tb.Cleanup(srv.Close)
	return a, srv, served
}

func firstKey(m map[string]bool) string {
	for k := range m {
		return k
	}
	return ""
}

func assertPoisonEmpty(t *testing.T, b broker.Broker) {
	t.Helper()
	insp, ok := b.(broker.PoisonInspector)
	require.True(t, ok, "broker inspects poison queues")
	stats, err := insp.PoisonList(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, stats)
	for _, s := range stats {
		if !assert.Zero(t, s.Messages, "poison queue %s", s.Queue) {
			msgs, err := insp.PoisonPeek(context.Background(), s.Queue, 3)
			require.NoError(t, err)
			for _, m := range msgs {
				t.Logf("%s: %+v", s.Queue, m)
			}
		}
	}
}

// e2eCatalog are the catalog's products the end-to-end runs upload, in turn. Only
// Maybelline is left out: Trendyol knows it as "Maybelline New York", a brand the
// seller must choose (TestCatalogMapping does).
var e2eCatalog = slices.DeleteFunc(slices.Clone(taxonomytest.Catalog), func(p taxonomytest.Product) bool { return p.Brand == "Maybelline" })

// upload posts product i (the catalog's, in turn, under its own SKU) with photos
// generated photos and returns its ID.
func upload(t testing.TB, base string, i, photos int) string {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	c := e2eCatalog[i%len(e2eCatalog)]
	attrs := maps.Clone(c.Attributes)
	attrs["barcode"], attrs["vat_rate"] = ean13(i), "20"
	prod, _ := json.Marshal(messages.Product{
		SKU: fmt.Sprintf("SKU-%04d", i), Name: c.Name, Brand: c.Brand, Category: c.Category,
		Price: 199.90, ListPrice: 249.90, Currency: "TRY", Stock: 10, Attributes: attrs,
		Marketplaces: messages.Marketplaces,
	})
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="product"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(hdr)
	require.NoError(t, err)
	_, _ = pw.Write(prod)
	for k := 0; k < photos; k++ {
		fw, err := w.CreateFormFile("photos", fmt.Sprintf("p%d.jpg", k))
		require.NoError(t, err)
		require.NoError(t, jpeg.Encode(fw, photo(i*10+k), &jpeg.Options{Quality: 85}))
	}
	require.NoError(t, w.Close())
	res, err := http.Post(base+"/v1/products", w.FormDataContentType(), &body)
	require.NoError(t, err)
	defer res.Body.Close()
	var out struct {
		ID string `json:"id"`
	}
	require.Equal(t, http.StatusAccepted, res.StatusCode)
	require.NoError(t, json.NewDecoder(res.Body).Decode(&out))
	require.NotEmpty(t, out.ID)
	return out.ID
}

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
	return code + fmt.Sprint((10-sum%10)%10)
}

// photo draws a product-like picture: a coloured object on a near-white background.
func photo(seed int) image.Image {
	img := image.NewRGBA(image.Rect(0, 0, 480, 360))
	c := color.RGBA{uint8(40 + seed*37%180), uint8(60 + seed*53%160), uint8(90 + seed*71%150), 255}
	for y := 0; y < 360; y++ {
		for x := 0; x < 480; x++ {
			if x > 140 && x < 340 && y > 60 && y < 300 {
				img.Set(x, y, c)
			} else {
				img.Set(x, y, color.RGBA{246, 246, 244, 255})
			}
		}
	}
	return img
}

// deleteTopology removes a test's prefixed queues and exchanges from the broker.
func deleteTopology(t *testing.T, url string, topo *topology.Topology) {
	conn, err := amqp091.Dial(url)
	if err != nil {
		t.Logf("cleanup: %v", err)
		return
	}
	defer conn.Close()
	ch, err := conn.Channel()
	if err != nil {
		return
	}
	for _, q := range topo.Queues {
		_, _ = ch.QueueDelete(q.Name, false, false, false)
	}
	for _, e := range topo.Exchanges {
		_ = ch.ExchangeDelete(e.Name, false, false)
	}
}
