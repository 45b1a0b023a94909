package trendyol_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/marketplace/trendyol"
	"github.com/stox-dev/stox/messages"
)

// recorded is a sandbox served over HTTP that remembers the paths it was asked for.
type recorded struct {
	sb    *sandbox.Server
	srv   *httptest.Server
	mu    sync.Mutex
	paths []string
}

func newRecorded(t *testing.T, o sandbox.TrendyolOptions) *recorded {
	t.Helper()
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	o.SellerID, o.APIKey, o.APISecret = "123456", "key", "secret"
	rc := &recorded{sb: sandbox.New(sandbox.Options{Now: func() time.Time { return start }, Trendyol: o})}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		rc.paths = append(rc.paths, r.Method+" "+r.URL.Path)
		rc.mu.Unlock()
		rc.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

// take returns the paths asked for since the last call.
func (rc *recorded) take() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	p := rc.paths
	rc.paths = nil
	return p
}

func (rc *recorded) client(cfg trendyol.Config) *trendyol.Client {
	cfg.BaseURL, cfg.SellerID, cfg.APIKey, cfg.APISecret, cfg.HTTPClient = rc.srv.URL, "123456", "key", "secret", rc.srv.Client()
	return trendyol.New(onClock(cfg, rc.sb))
}

// upsert sends listings and polls until the submission is done.
func (rc *recorded) upsert(t *testing.T, c *trendyol.Client, ls ...marketplace.Listing) marketplace.Submission {
	t.Helper()
	sub, err := c.UpsertListings(context.Background(), ls)
	require.NoError(t, err)
	require.NotEmpty(t, sub.ID)
	for range 30 {
		done, err := c.Poll(context.Background(), sub.ID)
		require.NoError(t, err)
		if done.Done {
			return done
		}
		rc.sb.Advance(time.Second)
	}
	t.Fatalf("submission %s not done", sub.ID)
	return marketplace.Submission{}
}

const sellerPath = "/integration/product/sellers/123456"

func TestUpdateApprovedProduct(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{ProcessDelay: time.Second})
	c := rc.client(trendyol.Config{})
	l := valid("upd")
	done := rc.upsert(t, c, l)
	require.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "%q", done.Items[0].Reasons)
	rc.take()

	l.Existing = true
	l.Text.Title = "Erkek pamuklu tişört lacivert, L"
	l.Mapped[1] = marketplace.MappedAttribute{ID: "338", Name: "Beden", ValueIDs: []string{"6981"}, Value: "L"}
	l.Mapped[0] = marketplace.MappedAttribute{ID: "47", Name: "Renk", Value: "Gece Mavisi"}
	done = rc.upsert(t, c, l)
	require.Len(t, done.Items, 1)
	assert.Equal(t, l.SKU, done.Items[0].SKU, "content batches are mapped back to the SKU")
	assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "%q", done.Items[0].Reasons)
	paths := rc.take()
	assert.Contains(t, paths, "GET "+sellerPath+"/product/"+l.Barcode)
	assert.Contains(t, paths, "POST "+sellerPath+"/products/content-bulk-update")
	assert.NotContains(t, paths, "POST "+sellerPath+"/v2/products")
	p, ok := rc.sb.TrendyolProduct(l.Barcode)
	require.True(t, ok)
	assert.Equal(t, l.Text.Title, p.Title)
	assert.Equal(t, []sandbox.TrendyolAttribute{{AttributeID: 47, Value: "Gece Mavisi"}, {AttributeID: 296, ValueIDs: []int64{1235}},
		{AttributeID: 338, ValueIDs: []int64{6981}}, {AttributeID: 17620, ValueIDs: []int64{228701}}, {AttributeID: 59810, ValueIDs: []int64{2178167}}},
		p.Attributes, "every attribute, in the update form")

	// The content ID is remembered: no second lookup. A listing unknown to Trendyol
	// is created even though marked existing, in the same call: two batches, one ID.
	l.Text.Title = "Erkek pamuklu tişört, yeni sezon"
	fresh := valid("fresh")
	fresh.Existing = true
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l, fresh})
	require.NoError(t, err)
	assert.Len(t, strings.Split(sub.ID, ","), 2, "one batch per endpoint: %s", sub.ID)
	paths = rc.take()
	assert.NotContains(t, paths, "GET "+sellerPath+"/product/"+l.Barcode)
	assert.Contains(t, paths, "GET "+sellerPath+"/product/"+fresh.Barcode)
	assert.Contains(t, paths, "POST "+sellerPath+"/v2/products")
	assert.Contains(t, paths, "POST "+sellerPath+"/products/content-bulk-update")

	first, err := c.Poll(context.Background(), sub.ID)
	require.NoError(t, err)
	assert.False(t, first.Done)
	rc.sb.Advance(time.Second)
	done, err = c.Poll(context.Background(), sub.ID)
	require.NoError(t, err)
	require.True(t, done.Done)
	assert.Equal(t, sub.ID, done.ID)
	got := map[string]string{}
	for _, it := range done.Items {
		got[it.SKU] = it.State
	}
	assert.Equal(t, map[string]string{l.SKU: marketplace.SubmissionAccepted, fresh.SKU: marketplace.SubmissionAccepted}, got)
	_, ok = rc.sb.TrendyolProduct(fresh.Barcode)
	assert.True(t, ok, "the unknown barcode was created")
	p, _ = rc.sb.TrendyolProduct(l.Barcode)
	assert.Equal(t, l.Text.Title, p.Title)
}

func TestUpdateUnapprovedProduct(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{ProcessDelay: time.Second, ApprovalDelay: 24 * time.Hour})
	c := rc.client(trendyol.Config{})
	l := valid("draft")
	rc.upsert(t, c, l)
	rc.take()

	l.Existing = true
	l.Text.Title = "Erkek tişört taslak"
	done := rc.upsert(t, c, l)
	assert.Equal(t, []marketplace.ItemResult{{SKU: l.SKU, State: marketplace.SubmissionAccepted}}, done.Items)
	paths := rc.take()
	assert.Contains(t, paths, "POST "+sellerPath+"/products/unapproved-bulk-update")
	assert.NotContains(t, paths, "POST "+sellerPath+"/products/content-bulk-update")
	p, ok := rc.sb.TrendyolProduct(l.Barcode)
	require.True(t, ok)
	assert.Equal(t, "Erkek tişört taslak", p.Title)
	assert.False(t, p.Approved)

	l.VATRate = 18
	done = rc.upsert(t, c, l)
	require.Len(t, done.Items, 1)
	assert.Equal(t, marketplace.SubmissionRejected, done.Items[0].State)
	assert.Equal(t, []string{"vatRate must be one of 0, 1, 10, 20"}, done.Items[0].Reasons)
}

func TestUpdateWireFormat(t *testing.T) {
	var mu sync.Mutex
	bodies := map[string]map[string]any{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/product/BC-A"):
			_, _ = w.Write([]byte(`{"barcode":"BC-A","approved":true,"archived":false,"contentId":9510902}`))
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/product/BC-U"):
			_, _ = w.Write([]byte(`{"barcode":"BC-U","approved":false,"archived":false,"contentId":null}`))
		case r.Method == http.MethodGet:
			w.WriteHeader(http.StatusInternalServerError)
		default:
			var body map[string]any
			require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
			mu.Lock()
			bodies[r.URL.Path] = body
			mu.Unlock()
			_, _ = w.Write([]byte(`{"batchRequestId":"b-` + r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:] + `"}`))
		}
	}))
	t.Cleanup(srv.Close)
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	approved, unapproved := marketplacetest.Listing("a"), marketplacetest.Listing("u")
	approved.Barcode, unapproved.Barcode = "BC-A", "BC-U"
	approved.Existing, unapproved.Existing = true, true
	for _, l := range []*marketplace.Listing{&approved, &unapproved} {
		l.Attributes["trendyol_attribute_338"] = "6980"
		l.Attributes["trendyol_custom_47"] = "Beyaz"
	}
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{approved, unapproved})
	require.NoError(t, err)
	assert.Equal(t, "b-unapproved-bulk-update,b-content-bulk-update", sub.ID, "updates first, one batch each")

	wantAttrs := []any{
		map[string]any{"attributeId": float64(47), "attributeValue": "Beyaz"},
		map[string]any{"attributeId": float64(338), "attributeValueIds": []any{float64(6980)}},
	}
	content := bodies["/integration/product/sellers/77/products/content-bulk-update"]["items"].([]any)[0].(map[string]any)
	assert.EqualValues(t, 9510902, content["contentId"])
	assert.Equal(t, approved.Text.Title, content["title"])
	assert.Equal(t, wantAttrs, content["attributes"], "update form, every attribute")
	for _, k := range []string{"barcode", "brandId", "categoryId", "productMainId", "salePrice", "quantity"} {
		assert.NotContains(t, content, k, "approved products cannot change %s here", k)
	}
	item := bodies["/integration/product/sellers/77/products/unapproved-bulk-update"]["items"].([]any)[0].(map[string]any)
	assert.Equal(t, "BC-U", item["barcode"])
	assert.EqualValues(t, 1791, item["brandId"])
	assert.Equal(t, unapproved.SKU, item["stockCode"])
	assert.Equal(t, wantAttrs, item["attributes"])
	assert.NotContains(t, item, "salePrice", "prices go through price-and-inventory")

	broken := marketplacetest.Listing("broken")
	broken.Existing = true
	_, err = c.UpsertListings(context.Background(), []marketplace.Listing{broken})
	assert.ErrorContains(t, err, "look up listing "+broken.SKU, "a failed lookup sends nothing")
	var te *trendyol.Error
	assert.True(t, errors.As(err, &te))
}

// hookReceiver serves Webhook deliveries through an adapter, recording orders and errors.
type hookReceiver struct {
	c      *trendyol.Client
	mu     sync.Mutex
	orders []marketplace.Order
	errs   []error
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	orders, err := h.c.Webhook(r)
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case errors.Is(err, marketplace.ErrUnauthorized):
		h.errs = append(h.errs, err)
		w.WriteHeader(http.StatusUnauthorized)
	case err != nil:
		h.errs = append(h.errs, err)
		w.WriteHeader(http.StatusBadRequest)
	default:
		h.orders = append(h.orders, orders...)
	}
}

func (h *hookReceiver) got() ([]marketplace.Order, []error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]marketplace.Order(nil), h.orders...), append([]error(nil), h.errs...)
}

func TestWebhooksFromSandbox(t *testing.T) {
	rc := newRecorded(t, sandbox.TrendyolOptions{ProcessDelay: time.Second, WebhookBackoff: time.Millisecond, WebhookAttempts: 2})
	c := rc.client(trendyol.Config{WebhookUsername: "stox", WebhookPassword: "hook-pw"})
	assert.Equal(t, trendyol.DefaultWebhookPath, c.WebhookPath())
	good := &hookReceiver{c: c}
	goodSrv := httptest.NewServer(good)
	t.Cleanup(goodSrv.Close)
	ctx := context.Background()
	require.NoError(t, c.RegisterWebhook(ctx, goodSrv.URL, nil))
	require.NoError(t, c.RegisterWebhook(ctx, goodSrv.URL, nil), "registering the same URL again is a no-op")

	// A webhook registered with other credentials than the receiver checks.
	wrong := rc.client(trendyol.Config{WebhookUsername: "stox", WebhookPassword: "old-pw"})
	refusing := &hookReceiver{c: c}
	refusingSrv := httptest.NewServer(refusing)
	t.Cleanup(refusingSrv.Close)
	require.NoError(t, wrong.RegisterWebhook(ctx, refusingSrv.URL, []string{"CREATED"}))

	l := valid("hook")
	rc.upsert(t, c, l)
	id, err := rc.sb.PlaceOrder("trendyol", l.SKU, 2)
	require.NoError(t, err)
	rc.sb.Advance(time.Second)
	require.NoError(t, rc.sb.CancelOrder("trendyol", id))
	require.Eventually(t, func() bool {
		st := rc.sb.TrendyolWebhookStats()
		return st.Pending == 0 && st.Delivered+st.Failed == 3
	}, 5*time.Second, 5*time.Millisecond)
	st := rc.sb.TrendyolWebhookStats()
	assert.Equal(t, 2, st.Delivered, "placed and cancelled, each once")
	assert.Equal(t, 1, st.Failed, "the refusing receiver")

	orders, errs := good.got()
	assert.Empty(t, errs)
	require.Len(t, orders, 2)
	assert.Equal(t, []string{messages.OrderCreated, messages.OrderCancelled}, []string{orders[0].Status, orders[1].Status})
	for _, o := range orders {
		assert.Equal(t, trendyol.Name, o.Marketplace)
		assert.Equal(t, id, o.OrderID)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, l.SKU, o.Lines[0].SKU)
		assert.Equal(t, 2, o.Lines[0].Quantity)
		assert.NotEmpty(t, o.Lines[0].LineID)
	}

	// The webhook carries what Orders would have returned.
	pulled, _, err := c.Orders(ctx, "")
	require.NoError(t, err)
	require.Len(t, pulled, 1)
	assert.Equal(t, orders[1], pulled[0])

	orders, errs = refusing.got()
	assert.Empty(t, orders)
	require.Len(t, errs, 2, "each attempt was refused")
	for _, err := range errs {
		assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
	}
}

func TestWebhookAuthAndParsing(t *testing.T) {
	const created = `{"shipmentPackageId":3301,"orderNumber":"10001","orderDate":1764072000000,"status":"Created","lastModifiedDate":1764072000000,
		"lines":[{"lineId":33011,"barcode":"BC1","stockCode":"SKU-1","quantity":2}]}`
	const cancelled = `{"shipmentPackageId":3302,"status":"Cancelled","lines":[{"lineId":33021,"stockCode":"SKU-2","quantity":1}]}`
	basic := trendyol.New(trendyol.Config{SellerID: "1", WebhookUsername: "u", WebhookPassword: "p", WebhookPath: "/hooks/ty"})
	keyed := trendyol.New(trendyol.Config{SellerID: "1", WebhookAPIKey: "k3y"})
	bare := trendyol.New(trendyol.Config{SellerID: "1"})
	req := func(method, body string, mod func(*http.Request)) *http.Request {
		r := httptest.NewRequest(method, "/hooks/ty", strings.NewReader(body))
		r.SetBasicAuth("u", "p")
		if mod != nil {
			mod(r)
		}
		return r
	}
	tests := []struct {
		name   string
		c      *trendyol.Client
		r      *http.Request
		want   []marketplace.Order
		err    string
		unauth bool
	}{
		{name: "one package", c: basic, r: req(http.MethodPost, created, nil), want: []marketplace.Order{{Marketplace: "trendyol", OrderID: "3301",
			Status: messages.OrderCreated, PlacedAt: "2025-11-25T12:00:00Z", Lines: []messages.OrderLine{{LineID: "33011", SKU: "SKU-1", Quantity: 2}}}}},
		{name: "a list", c: basic, r: req(http.MethodPost, "["+created+","+cancelled+"]", nil)},
		{name: "a page", c: basic, r: req(http.MethodPost, `{"page":0,"size":1,"totalElements":2,"content":[`+created+","+cancelled+`]}`, nil)},
		{name: "status without order", c: basic, r: req(http.MethodPost, strings.Replace(created, `"Created"`, `"Picking"`, 1), nil)},
		{name: "webhook spelling", c: basic, r: req(http.MethodPost, strings.Replace(cancelled, `"Cancelled"`, `"UNSUPPLIED"`, 1), nil), want: []marketplace.Order{{
			Marketplace: "trendyol", OrderID: "3302", Status: messages.OrderCancelled, Lines: []messages.OrderLine{{LineID: "33021", SKU: "SKU-2", Quantity: 1}}}}},
		{name: "names before the rename", c: basic, r: req(http.MethodPost, `{"id":9,"status":"Returned","lines":[{"id":91,"merchantSku":"OLD","quantity":1}]}`, nil),
			want: []marketplace.Order{{Marketplace: "trendyol", OrderID: "9", Status: messages.OrderReturned, Lines: []messages.OrderLine{{LineID: "91", SKU: "OLD", Quantity: 1}}}}},
		{name: "api key", c: keyed, r: req(http.MethodPost, cancelled, func(r *http.Request) { r.Header.Del("Authorization"); r.Header.Set("x-api-key", "k3y") })},
		{name: "wrong password", c: basic, r: req(http.MethodPost, created, func(r *http.Request) { r.SetBasicAuth("u", "x") }), unauth: true},
		{name: "no credentials", c: basic, r: req(http.MethodPost, created, func(r *http.Request) { r.Header.Del("Authorization") }), unauth: true},
		{name: "wrong api key", c: keyed, r: req(http.MethodPost, created, func(r *http.Request) { r.Header.Set("x-api-key", "nope") }), unauth: true},
		{name: "nothing configured", c: bare, r: req(http.MethodPost, created, nil), unauth: true},
		{name: "not json", c: basic, r: req(http.MethodPost, "hello", nil), err: "not a JSON package"},
		{name: "no package id", c: basic, r: req(http.MethodPost, `{"status":"Created"}`, nil), err: "no shipmentPackageId"},
		{name: "GET", c: basic, r: req(http.MethodGet, "", nil), err: "want POST"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			orders, err := tt.c.Webhook(tt.r)
			switch {
			case tt.unauth:
				assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
				assert.Nil(t, orders)
			case tt.err != "":
				assert.ErrorContains(t, err, tt.err)
				assert.NotErrorIs(t, err, marketplace.ErrUnauthorized)
			default:
				require.NoError(t, err)
				if tt.want != nil {
					assert.Equal(t, tt.want, orders)
				}
			}
		})
	}
	assert.Equal(t, "/hooks/ty", basic.WebhookPath())
	orders, err := basic.Webhook(req(http.MethodPost, `{"content":[`+created+","+cancelled+`]}`, nil))
	require.NoError(t, err)
	require.Len(t, orders, 2)
	assert.Equal(t, messages.OrderCancelled, orders[1].Status)
}

func TestRegisterWebhookWire(t *testing.T) {
	var got map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/integration/webhook/sellers/77/webhooks", r.URL.Path)
		if r.Method == http.MethodGet {
			_, _ = w.Write([]byte(`{"content":[{"id":1,"url":"https://stox.example.com/old"}]}`))
			return
		}
		require.NoError(t, json.NewDecoder(r.Body).Decode(&got))
		_, _ = w.Write([]byte(`{"id":"wh-1"}`))
	}))
	t.Cleanup(srv.Close)
	ctx := context.Background()
	c := trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s", WebhookAPIKey: "hk", WebhookUsername: "u", WebhookPassword: "p"})
	require.NoError(t, c.RegisterWebhook(ctx, "https://stox.example.com/webhooks/trendyol", []string{"CREATED"}))
	assert.Equal(t, map[string]any{"url": "https://stox.example.com/webhooks/trendyol", "authenticationType": "API_KEY", "apiKey": "hk",
		"subscribedStatuses": []any{"CREATED"}}, got, "the API key is preferred")

	got = nil
	c = trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s", WebhookUsername: "u", WebhookPassword: "p"})
	require.NoError(t, c.RegisterWebhook(ctx, "https://stox.example.com/new", nil))
	assert.Equal(t, "BASIC_AUTHENTICATION", got["authenticationType"])
	assert.Equal(t, "u", got["username"])
	assert.Equal(t, "p", got["password"])
	assert.Equal(t, []any{"CREATED", "CANCELLED", "UNSUPPLIED", "RETURNED"}, got["subscribedStatuses"])

	got = nil
	require.NoError(t, c.RegisterWebhook(ctx, "https://stox.example.com/old", nil))
	assert.Nil(t, got, "an existing URL is not registered again")

	c = trendyol.New(trendyol.Config{BaseURL: srv.URL, SellerID: "77", APIKey: "k", APISecret: "s"})
	assert.ErrorContains(t, c.RegisterWebhook(ctx, "https://stox.example.com/x", nil), "configure WebhookAPIKey")
}
