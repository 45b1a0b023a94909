package hepsiburada_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/hepsiburada"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
)

const (
	merchant = "0b8c7a1e-2f3d-4c5b-9a6e-7d8f9a0b1c2d"
	key      = "Abc123Def456"
	agent    = "acme_dev"
)

func newSandbox(t *testing.T, now *time.Time) (*sandbox.Server, *httptest.Server) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{
		Now:         func() time.Time { return *now },
		Hepsiburada: sandbox.HepsiburadaOptions{MerchantID: merchant, ServiceKey: key, UserAgent: agent, ProcessDelay: 2 * time.Second},
	})
	srv := httptest.NewServer(sb)
	t.Cleanup(srv.Close)
	return sb, srv
}

func newClient(srv *httptest.Server, pageSize int) *hepsiburada.Client {
	return hepsiburada.New(hepsiburada.Config{
		CatalogURL: srv.URL, ListingURL: srv.URL, OMSURL: srv.URL + "/",
		MerchantID: merchant, ServiceKey: key, UserAgent: agent,
		PageSize: pageSize, ListingPageSize: pageSize, HTTPClient: srv.Client(),
	})
}

func TestContract(t *testing.T) {
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &start)
	newC := func(t *testing.T) marketplace.Client { return newClient(srv, 2) }
	marketplacetest.Run(t, newC, sb, dress)
	t.Run("fidelity", func(t *testing.T) { marketplacetest.RunHepsiburadaFidelity(t, newC, sb, dress) })
}

// dress is a listing mapped onto the sandbox's Moda > Kadın Giyim > Elbise.
func dress(prefix string) marketplace.Listing {
	l := marketplacetest.Listing(prefix)
	l.Text.Title = "Stox kadın pamuklu midi elbise lacivert"
	l.Text.Description = "<p>Pamuklu, midi boy kadın elbise.</p>"
	l.CategoryID = "60001101"
	l.Mapped = []marketplace.MappedAttribute{
		{ID: "renk_variant_property", Name: "Renk", ValueIDs: []string{"Lacivert"}, Value: "Lacivert"},
		{ID: "beden_variant_property", Name: "Beden", ValueIDs: []string{"M"}, Value: "M"},
		{ID: "cinsiyet", Name: "Cinsiyet", ValueIDs: []string{"Kadın"}, Value: "Kadın"},
		{ID: "mensei", Name: "Menşei", ValueIDs: []string{"TR"}, Value: "TR"},
		{ID: "materyal", Name: "Materyal", ValueIDs: []string{"Pamuk"}, Value: "Pamuk"},
	}
	return l
}

type captured struct {
	r        *http.Request
	part     string
	filename string
	file     []any
}

// importServer answers every request as a successful import (trackingId t-1) and
// hands over what it got, with the multipart file decoded.
func importServer(t *testing.T) (*httptest.Server, chan captured) {
	t.Helper()
	calls := make(chan captured, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := captured{r: r}
		mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err == nil && mt == "multipart/form-data" {
			mr := multipart.NewReader(r.Body, params["boundary"])
			if p, err := mr.NextPart(); err == nil {
				c.part, c.filename = p.FormName(), p.FileName()
				raw, _ := io.ReadAll(p)
				_ = json.Unmarshal(raw, &c.file)
				if _, err := mr.NextPart(); err != io.EOF {
					c.part += " and more parts"
				}
			}
		}
		calls <- c
		_, _ = w.Write([]byte(`{"success":true,"code":0,"version":1,"message":null,"data":{"trackingId":"t-1"}}`))
	}))
	t.Cleanup(srv.Close)
	return srv, calls
}

func TestWireFormat(t *testing.T) {
	srv, calls := importServer(t)
	c := hepsiburada.New(hepsiburada.Config{CatalogURL: srv.URL + "/", MerchantID: "m-1", ServiceKey: "k", UserAgent: "acme_dev", CategoryID: 60001})
	l := marketplacetest.Listing("wire")
	delete(l.Attributes, hepsiburada.AttrCategoryID)
	l.Price = 130.5
	l.VATRate = 10
	l.Quantity = 13
	l.Images = append(l.Images, messages.ListingImage{URL: "https://img.example.com/2.jpg"})
	l.Attributes[hepsiburada.AttrPrefix+"renk"] = "Beyaz"
	l.Attributes[hepsiburada.AttrWarrantyMonths] = "24"
	l.Attributes[hepsiburada.AttrWeight] = "2,5"
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	assert.Equal(t, "import:t-1", sub.ID)
	require.Len(t, sub.Items, 1)
	assert.Equal(t, marketplace.SubmissionPending, sub.Items[0].State)

	got := <-calls
	assert.Equal(t, http.MethodPost, got.r.Method)
	assert.Equal(t, "/product/api/products/import", got.r.URL.Path)
	assert.Equal(t, "acme_dev", got.r.Header.Get("User-Agent"))
	user, pass, ok := got.r.BasicAuth()
	require.True(t, ok)
	assert.Equal(t, "m-1:k", user+":"+pass)
	assert.Equal(t, "file", got.part, "one multipart part named file")
	assert.Equal(t, "integrator.json", got.filename)
	require.Len(t, got.file, 1)
	it := got.file[0].(map[string]any)
	assert.EqualValues(t, 60001, it["categoryId"], "from the configured default")
	assert.Equal(t, "m-1", it["merchant"])
	assert.Equal(t, map[string]any{
		"merchantSku": l.SKU, "VaryantGroupID": l.SKU, "Barcode": l.Barcode,
		"UrunAdi": l.Text.Title, "UrunAciklamasi": l.Text.Description, "Marka": "Stox",
		"GarantiSuresi": float64(24), "kg": "2.5", "tax_vat_rate": "10",
		"price": "130,50", "stock": "13",
		"Image1": l.Images[0].URL, "Image2": "https://img.example.com/2.jpg", "renk": "Beyaz",
	}, it["attributes"])

	c = hepsiburada.New(hepsiburada.Config{CatalogURL: srv.URL, MerchantID: "m-1", ServiceKey: "k", UserAgent: "acme_dev"})
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{l})
	assert.ErrorContains(t, err, hepsiburada.AttrCategoryID)

	c = hepsiburada.New(hepsiburada.Config{CatalogURL: srv.URL, MerchantID: "m-1", ServiceKey: "k", CategoryID: 1})
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{l})
	assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
	assert.ErrorContains(t, err, "UserAgent")
	assert.Empty(t, calls, "nothing is sent when a listing cannot be mapped or the User-Agent is missing")
}

func TestStockAndPriceUploads(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &now)
	c := newClient(srv, 100)
	ctx := context.Background()
	l := marketplacetest.Listing("stock")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	now = now.Add(2 * time.Second)
	done, err := c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)
	require.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State)

	push, err := c.PushStock(ctx, []marketplace.Stock{
		{SKU: l.SKU, Quantity: 11, Price: 89.9},
		{SKU: "unknown-sku", Quantity: 3},
	})
	require.NoError(t, err)
	assert.Regexp(t, `^stock:[^+]+\+price:.+$`, push.ID)

	pending, err := c.Poll(ctx, push.ID)
	require.NoError(t, err)
	assert.False(t, pending.Done)
	require.Len(t, pending.Items, 2)
	for _, it := range pending.Items {
		assert.Equal(t, marketplace.SubmissionPending, it.State)
	}

	now = now.Add(2 * time.Second)
	final, err := c.Poll(ctx, push.ID)
	require.NoError(t, err)
	assert.True(t, final.Done)
	got := map[string]marketplace.ItemResult{}
	for _, it := range final.Items {
		got[it.SKU] = it
	}
	require.Len(t, got, 2)
	assert.Equal(t, marketplace.SubmissionAccepted, got[l.SKU].State)
	assert.Equal(t, marketplace.SubmissionRejected, got["unknown-sku"].State)
	assert.Equal(t, []string{"stock: listing not found"}, got["unknown-sku"].Reasons)
	assert.Equal(t, 11, sb.Listings("hepsiburada")[l.SKU])

	_, err = c.Poll(ctx, "stock:")
	assert.ErrorContains(t, err, "not a hepsiburada submission ID")
	_, err = c.Poll(ctx, "import:a+price:b")
	assert.ErrorContains(t, err, "not a hepsiburada submission ID")
}

func TestOrdersCancelled(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	sb, srv := newSandbox(t, &now)
	c := newClient(srv, 1)
	ctx := context.Background()
	l := marketplacetest.Listing("orders")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	now = now.Add(time.Minute)
	_, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)

	first, err := sb.PlaceOrder("hepsiburada", l.SKU, 2)
	require.NoError(t, err)
	now = now.Add(2 * time.Hour)
	second, err := sb.PlaceOrder("hepsiburada", l.SKU, 1)
	require.NoError(t, err)

	orders, cursor, err := c.Orders(ctx, "")
	require.NoError(t, err)
	require.Len(t, orders, 2)
	assert.Equal(t, first, orders[0].OrderID)
	assert.Equal(t, messages.OrderCreated, orders[0].Status)
	assert.Equal(t, "2026-11-25T12:01:00Z", orders[0].PlacedAt)
	assert.Equal(t, 2, orders[0].Lines[0].Quantity)
	assert.Equal(t, l.SKU, orders[0].Lines[0].SKU)
	assert.Equal(t, second, orders[1].OrderID)

	// The first line is older than the lookback behind the newest: the cursor forgets
	// its ID, and begindate (Turkish time) keeps it from coming back.
	again, cursor, err := c.Orders(ctx, cursor)
	require.NoError(t, err)
	assert.Empty(t, again)
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	require.NoError(t, err)
	var pos struct {
		O struct {
			S map[string]int64 `json:"s"`
		} `json:"o"`
	}
	require.NoError(t, json.Unmarshal(raw, &pos))
	assert.Len(t, pos.O.S, 1, "only the line inside the lookback is remembered")

	now = now.Add(time.Minute)
	require.NoError(t, sb.CancelOrder("hepsiburada", first))
	orders, cursor, err = c.Orders(ctx, cursor)
	require.NoError(t, err)
	require.Len(t, orders, 1, "only the cancellation is new: %+v", orders)
	assert.Equal(t, messages.OrderCancelled, orders[0].Status)
	assert.Equal(t, first, orders[0].OrderID)
	assert.Equal(t, 2, orders[0].Lines[0].Quantity)
	assert.Equal(t, l.Quantity-1, sb.Listings("hepsiburada")[l.SKU], "the cancel gave the stock back")

	orders, _, err = c.Orders(ctx, cursor)
	require.NoError(t, err)
	assert.Empty(t, orders)

	_, _, err = c.Orders(ctx, "not-a-cursor!")
	assert.ErrorContains(t, err, "bad cursor")
	assert.NoError(t, c.Acknowledge(ctx, []string{first}))
}

func TestOrdersNeedPaging(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	_, srv := newSandbox(t, &now)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/orders/merchantid/"+merchant, nil)
	require.NoError(t, err)
	req.SetBasicAuth(merchant, key)
	req.Header.Set("User-Agent", agent)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.True(t, strings.Contains(string(body), "limit and offset parameters are required"), string(body))
}
