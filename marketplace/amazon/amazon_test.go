package amazon_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon"
	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/marketplacetest"
	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
)

var start = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

var sandboxOpts = sandbox.AmazonOptions{
	ClientID: "amzn1.application-oa2-client.test", ClientSecret: "secret", RefreshToken: "Atzr|refresh",
	SellerID: "A2SELLER", MarketplaceID: amazon.MarketplaceTurkey, ProcessDelay: 2 * time.Second,
	Orders: sandbox.AmazonRate{Rate: 10, Burst: 100},
}

// modelCheck is a transport that validates every SP-API request the adapter sends and
// every answer it gets against Amazon's official models.
type modelCheck struct {
	next http.RoundTripper

	mu       sync.Mutex
	problems []string
	checked  int
	// puts are the bodies of putListingsItem requests; schemas counts schema link
	// fetches, signed counts those that carried an access token.
	puts            []map[string]any
	schemas, signed int
	// ops counts requests by operation ID; documents are the bodies sent to and
	// received from feed documents' presigned URLs, by method.
	ops       map[string]int
	documents map[string][][]byte
}

func (m *modelCheck) RoundTrip(r *http.Request) (*http.Response, error) {
	// Login with Amazon and the schema links (S3 on Amazon) are no SP-API operations.
	if strings.HasPrefix(r.URL.Path, "/selling-partner-definitions/") {
		m.mu.Lock()
		m.schemas++
		if r.Header.Get("x-amz-access-token") != "" {
			m.signed++
		}
		m.mu.Unlock()
	}
	if strings.HasPrefix(r.URL.Path, "/feed-documents/") {
		return m.document(r)
	}
	if r.URL.Path == "/auth/o2/token" || strings.HasPrefix(r.URL.Path, "/selling-partner-definitions/") {
		return m.next.RoundTrip(r)
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		body = b
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	reqErr := spmodel.ValidateRequest(r, body)
	uaErr := spmodel.ValidateUserAgent(r.Header.Get("User-Agent"))
	resp, err := m.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(raw))
	respErr := spmodel.ValidateResponse(r, resp.StatusCode, resp.Header, raw)
	m.mu.Lock()
	defer m.mu.Unlock()
	m.checked++
	if op, err := spmodel.Default(); err == nil {
		if id, err := op.OperationID(r); err == nil {
			if m.ops == nil {
				m.ops = map[string]int{}
			}
			m.ops[id]++
		}
	}
	if r.Method == http.MethodPut {
		var put map[string]any
		if err := json.Unmarshal(body, &put); err != nil {
			m.problems = append(m.problems, "PUT body: "+err.Error())
		}
		m.puts = append(m.puts, put)
	}
	for _, e := range []error{reqErr, uaErr, respErr} {
		if e != nil {
			m.problems = append(m.problems, e.Error())
		}
	}
	if resp.Header.Get("x-amzn-RequestId") == "" {
		m.problems = append(m.problems, fmt.Sprintf("%s %s: answer has no x-amzn-RequestId", r.Method, r.URL.Path))
	}
	return resp, nil
}

// document passes a transfer to or from a feed document's presigned URL (S3 on Amazon,
// no SP-API operation), keeping the bodies.
func (m *modelCheck) document(r *http.Request) (*http.Response, error) {
	var sent []byte
	if r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		sent, r.Body = b, io.NopCloser(bytes.NewReader(b))
	}
	resp, err := m.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	got, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(got))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.documents == nil {
		m.documents = map[string][][]byte{}
	}
	if r.Method == http.MethodPut {
		m.documents[r.Method] = append(m.documents[r.Method], sent)
	} else {
		m.documents[r.Method] = append(m.documents[r.Method], got)
	}
	return resp, nil
}

// opCount is how many requests of an operation the adapter sent.
func (m *modelCheck) opCount(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.ops[op]
}

// env is a sandbox on a fixed clock served over HTTP, counting token requests and 403s.
type env struct {
	sb        *sandbox.Server
	srv       *httptest.Server
	check     *modelCheck
	tokens    atomic.Int64
	forbidden atomic.Int64

	mu      sync.Mutex
	locales []string // the locale of every Product Type Definitions request
}

func newEnv(t *testing.T, o sandbox.AmazonOptions) *env {
	e := &env{sb: sandbox.New(sandbox.Options{Now: func() time.Time { return start }, Amazon: o})}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/o2/token" {
			e.tokens.Add(1)
		}
		if strings.HasPrefix(r.URL.Path, "/definitions/") {
			e.mu.Lock()
			e.locales = append(e.locales, r.URL.Query().Get("locale"))
			e.mu.Unlock()
		}
		rec := &statusRecorder{ResponseWriter: w}
		e.sb.ServeHTTP(rec, r)
		if rec.status == http.StatusForbidden {
			e.forbidden.Add(1)
		}
	}))
	t.Cleanup(e.srv.Close)
	e.check = &modelCheck{next: e.srv.Client().Transport}
	return e
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

func (e *env) client(mod func(*amazon.Config)) *amazon.Client {
	cfg := amazon.Config{
		BaseURL: e.srv.URL, TokenURL: e.srv.URL + "/auth/o2/token",
		ClientID: sandboxOpts.ClientID, ClientSecret: sandboxOpts.ClientSecret, RefreshToken: sandboxOpts.RefreshToken,
		SellerID: sandboxOpts.SellerID, PageSize: 2,
		HTTPClient: &http.Client{Transport: e.check}, Now: e.sb.Now,
	}
	if mod != nil {
		mod(&cfg)
	}
	return amazon.New(cfg)
}

// validListing is a mug the sandbox accepts: product type DRINKING_CUP with its
// required attributes (colour and country of origin) and two optional ones, and the
// bullet points every product type but the generic ones asks for.
func validListing(prefix string) marketplace.Listing {
	l := marketplacetest.Listing(prefix)
	l.Text.Bullets = []string{"350 ml seramik gövde", "Bulaşık makinesinde yıkanabilir"}
	l.CategoryID = "DRINKING_CUP"
	l.Mapped = []marketplace.MappedAttribute{
		{ID: "color", Name: "Renk", ValueIDs: []string{"Beyaz"}, Value: "Beyaz"},
		{ID: "country_of_origin", Name: "Menşei", ValueIDs: []string{"TR"}, Value: "Türkiye"},
		{ID: "material", Name: "Materyal", ValueIDs: []string{"Seramik"}, Value: "Seramik"},
		{ID: "capacity", Name: "Kapasite", Value: "350 ml"},
	}
	return l
}

// TestContract runs the suite without Config.Schema, so every listing reaches the
// sandbox and the reasons are Amazon's (TestLocalValidation covers the hook).
func TestContract(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	newClient := func(t *testing.T) marketplace.Client { return e.client(nil) }
	marketplacetest.Run(t, newClient, e.sb, validListing)
	marketplacetest.RunAmazonFidelity(t, newClient, e.sb, validListing, marketplacetest.AmazonFidelity{
		Options: sandboxOpts,
		WithUserAgent: func(t *testing.T, ua string) marketplace.Client {
			// Straight to the sandbox: the model check would count the bad header.
			return e.client(func(cfg *amazon.Config) { cfg.UserAgent, cfg.HTTPClient = ua, e.srv.Client() })
		},
	})

	// Every request the adapter sent and every answer the sandbox gave during the
	// suite (including 403, 404 and 429 answers) matches Amazon's models.
	e.check.mu.Lock()
	defer e.check.mu.Unlock()
	assert.Greater(t, e.check.checked, 20)
	assert.Empty(t, e.check.problems)
}

func TestTokenIsRefreshedBeforeExpiryOncePerExpiry(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	ctx := context.Background()
	call := func() {
		t.Helper()
		_, _, err := c.Orders(ctx, "")
		require.NoError(t, err)
	}
	call()
	call()
	assert.EqualValues(t, 1, e.tokens.Load(), "the token is reused")
	e.sb.Advance(58 * time.Minute)
	call()
	assert.EqualValues(t, 1, e.tokens.Load(), "a token with two minutes left is still used")
	e.sb.Advance(90 * time.Second) // 30 s before expiry
	call()
	call()
	assert.EqualValues(t, 2, e.tokens.Load(), "the token is replaced once, a minute before it expires")
	e.sb.Advance(time.Hour)
	call()
	assert.EqualValues(t, 3, e.tokens.Load())
	assert.Zero(t, e.forbidden.Load(), "no request went out with an expired token")
}

func TestRefusedTokenIsReplacedAndRetriedOnce(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	// The adapter's clock stays put while Amazon's moves on: its cached token is
	// expired on Amazon's side although it looks fresh.
	c := e.client(func(cfg *amazon.Config) { cfg.Now = func() time.Time { return start } })
	ctx := context.Background()
	_, _, err := c.Orders(ctx, "")
	require.NoError(t, err)
	e.sb.Advance(2 * time.Hour)
	_, _, err = c.Orders(ctx, "")
	require.NoError(t, err)
	assert.EqualValues(t, 2, e.tokens.Load())
	assert.EqualValues(t, 1, e.forbidden.Load(), "one 403, then the retry with a new token")

	// Wrong LWA credentials: no retry loop, a clear ErrUnauthorized.
	bad := e.client(func(cfg *amazon.Config) { cfg.ClientSecret = "wrong" })
	_, err = bad.UpsertListings(ctx, []marketplace.Listing{marketplacetest.Listing("lwa")})
	require.ErrorIs(t, err, marketplace.ErrUnauthorized)
	assert.Contains(t, err.Error(), "invalid_client")
}

func TestWireFormat(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies []map[string]any
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/auth/o2/token" {
			require.NoError(t, r.ParseForm())
			assert.Equal(t, "refresh_token", r.PostForm.Get("grant_type"))
			assert.Equal(t, "Atzr|r", r.PostForm.Get("refresh_token"))
			assert.Equal(t, "cid", r.PostForm.Get("client_id"))
			assert.Equal(t, "cs", r.PostForm.Get("client_secret"))
			_, _ = w.Write([]byte(`{"access_token":"Atza|t1","token_type":"bearer","expires_in":3600}`))
			return
		}
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, body)
		mu.Unlock()
		_, _ = w.Write([]byte(`{"sku":"x","status":"ACCEPTED","submissionId":"s1","issues":[]}`))
	}))
	t.Cleanup(srv.Close)
	c := amazon.New(amazon.Config{BaseURL: srv.URL + "/", TokenURL: srv.URL + "/auth/o2/token",
		ClientID: "cid", ClientSecret: "cs", RefreshToken: "Atzr|r", SellerID: "A2SELLER"})
	l := marketplacetest.Listing("wire")
	l.Barcode = "8690000000012" // a valid EAN-13
	l.Images = append(l.Images, messages.ListingImage{URL: "https://images.example.com/2.jpg"})
	l.Attributes["amazon_bullet_point_1"] = "Bulaşık makinesinde yıkanabilir"
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	assert.False(t, sub.Done)
	require.Len(t, got, 1)
	r := got[0]
	assert.Equal(t, http.MethodPut, r.Method)
	assert.Equal(t, "/listings/2021-08-01/items/A2SELLER/"+l.SKU, r.URL.Path)
	assert.Equal(t, amazon.MarketplaceTurkey, r.URL.Query().Get("marketplaceIds"))
	assert.Equal(t, "Atza|t1", r.Header.Get("x-amz-access-token"))
	assert.Equal(t, amazon.DefaultUserAgent, r.Header.Get("User-Agent"))
	assert.Equal(t, "Stox/1.0 (Language=Go/"+strings.TrimPrefix(runtime.Version(), "go")+")", r.Header.Get("User-Agent"),
		"Amazon's form with the language's version")
	assert.NoError(t, spmodel.ValidateUserAgent(r.Header.Get("User-Agent")))
	require.NoError(t, spmodel.ValidateRequest(r, mustJSON(t, bodies[0])))

	b := bodies[0]
	assert.Equal(t, "HOME", b["productType"], "from amazon_product_type")
	assert.Equal(t, "LISTING", b["requirements"])
	a := b["attributes"].(map[string]any)
	first := func(name string) map[string]any {
		list, ok := a[name].([]any)
		require.True(t, ok, "attribute %s missing", name)
		return list[0].(map[string]any)
	}
	assert.Equal(t, l.Text.Title, first("item_name")["value"])
	assert.Equal(t, "tr_TR", first("item_name")["language_tag"])
	assert.Equal(t, "Stox", first("brand")["value"])
	assert.Equal(t, "new_new", first("condition_type")["value"])
	assert.Equal(t, "Bulaşık makinesinde yıkanabilir", first("bullet_point")["value"])
	assert.Equal(t, map[string]any{"type": "ean", "value": "8690000000012", "marketplace_id": amazon.MarketplaceTurkey}, first("externally_assigned_product_identifier"))
	assert.NotContains(t, a, "supplier_declared_has_product_identifier_exemption")
	assert.Equal(t, l.Images[0].URL, first("main_product_image_locator")["media_location"])
	assert.Equal(t, "https://images.example.com/2.jpg", first("other_product_image_locator_1")["media_location"])
	assert.Equal(t, "A_GEN_STANDARD", first("product_tax_code")["value"], "VAT 20")
	offer := first("purchasable_offer")
	assert.Equal(t, "TRY", offer["currency"])
	assert.EqualValues(t, 100, offer["our_price"].([]any)[0].(map[string]any)["schedule"].([]any)[0].(map[string]any)["value_with_tax"])
	assert.EqualValues(t, 120, first("list_price")["value_with_tax"])
	assert.Equal(t, map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": float64(50)}, first("fulfillment_availability"))

	got, bodies = nil, nil
	_, err = c.PushStock(context.Background(), []marketplace.Stock{{SKU: l.SKU, Quantity: 4}})
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, http.MethodPatch, got[0].Method)
	assert.Equal(t, []any{map[string]any{"op": "merge", "path": "/attributes/fulfillment_availability",
		"value": []any{map[string]any{"fulfillment_channel_code": "DEFAULT", "quantity": float64(4)}}}}, bodies[0]["patches"],
		"without a price only the quantity is patched")
}

func mustJSON(t *testing.T, v any) []byte {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}

func TestListingProblemsFoundWhileProcessingRejectOnPoll(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	ctx := context.Background()
	first, second := marketplacetest.Listing("ean"), marketplacetest.Listing("ean")
	first.Barcode, second.Barcode = "8690000000012", "8690000000012"
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{first})
	require.NoError(t, err)
	e.sb.Advance(3 * time.Second)
	sub, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, sub.Done)
	assert.Equal(t, marketplace.SubmissionAccepted, sub.Items[0].State)

	sub, err = c.UpsertListings(ctx, []marketplace.Listing{second})
	require.NoError(t, err)
	require.Equal(t, marketplace.SubmissionPending, sub.Items[0].State, "Amazon accepts it before processing")
	sub, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	assert.False(t, sub.Done, "not processed yet")
	e.sb.Advance(3 * time.Second)
	sub, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, sub.Done)
	assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State)
	require.Len(t, sub.Items[0].Reasons, 1)
	assert.Contains(t, sub.Items[0].Reasons[0], first.SKU)
	assert.NotContains(t, e.sb.Listings(amazon.Name), second.SKU)
	assert.Empty(t, e.check.problems)
}

func TestVATRateWithoutTaxCodeIsOnlyPreviewed(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	l := marketplacetest.Listing("vat")
	l.VATRate = 18
	sub, err := c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	require.True(t, sub.Done)
	assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State)
	assert.Equal(t, []string{"VAT rate 18% has no Amazon product tax code (configured rates: 0, 1, 10, 20)"}, sub.Items[0].Reasons)
	e.sb.Advance(time.Minute)
	assert.NotContains(t, e.sb.Listings(amazon.Name), l.SKU, "a preview stores nothing")

	c = e.client(func(cfg *amazon.Config) { cfg.TaxCodes = map[int]string{18: "A_GEN_STANDARD"} })
	sub, err = c.UpsertListings(context.Background(), []marketplace.Listing{l})
	require.NoError(t, err)
	assert.Equal(t, marketplace.SubmissionPending, sub.Items[0].State, "a configured rate goes through")
}

func TestCancelledOrdersComeBackCancelled(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	c := e.client(nil)
	ctx := context.Background()
	l := marketplacetest.Listing("cancel")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	e.sb.Advance(3 * time.Second)
	_, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)

	id, err := e.sb.PlaceOrder(amazon.Name, l.SKU, 2)
	require.NoError(t, err)
	orders, cursor, err := c.Orders(ctx, "")
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, id, orders[0].OrderID)
	assert.Equal(t, messages.OrderCreated, orders[0].Status)
	assert.Equal(t, start.Add(3*time.Second).Format(time.RFC3339Nano), orders[0].PlacedAt)

	e.sb.Advance(time.Second)
	require.NoError(t, e.sb.CancelOrder(amazon.Name, id))
	orders, cursor, err = c.Orders(ctx, cursor)
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, messages.OrderCancelled, orders[0].Status)
	assert.Equal(t, 2, orders[0].Lines[0].Quantity)
	orders, _, err = c.Orders(ctx, cursor)
	require.NoError(t, err)
	assert.Empty(t, orders)
	assert.Equal(t, 50, e.sb.Listings(amazon.Name)[l.SKU], "the cancellation gave the stock back")
}

func TestBadIDsAndCursors(t *testing.T) {
	c := amazon.New(amazon.Config{})
	_, err := c.Poll(context.Background(), "b-1")
	assert.ErrorContains(t, err, "not a submission ID")
	_, _, err = c.Orders(context.Background(), "%%%")
	assert.ErrorContains(t, err, "cursor")
	assert.Equal(t, "amazon", c.Name())
	assert.Equal(t, 20, c.MaxBatch())
	assert.NoError(t, c.Acknowledge(context.Background(), []string{"1"}))
	assert.True(t, strings.HasPrefix(amazon.DefaultBaseURL, "https://sellingpartnerapi-eu"))
}

// staticExample is the response of one of the models' static sandbox examples.
func staticExample(t *testing.T, name string, out any) {
	t.Helper()
	m, err := spmodel.Default()
	require.NoError(t, err)
	for _, op := range m.Operations() {
		for _, ex := range op.Examples {
			if ex.Name == name {
				require.NoError(t, json.Unmarshal(ex.Response, out))
				return
			}
		}
	}
	t.Fatalf("no example %s", name)
}

// TestStaticSandboxThroughTheAdapter points the adapter at a sandbox in static mode,
// as at Amazon's sandbox endpoint, and checks it reads Amazon's own example answers
// as it should.
func TestStaticSandboxThroughTheAdapter(t *testing.T) {
	o := sandboxOpts
	o.Static = true
	e := newEnv(t, o)
	c := e.client(nil)
	ctx := context.Background()

	l := marketplacetest.Listing("static")
	sub, err := c.UpsertListings(ctx, []marketplace.Listing{l})
	require.NoError(t, err)
	require.Len(t, sub.Items, 1)
	assert.Equal(t, marketplace.SubmissionPending, sub.Items[0].State, "the catch-all example ACCEPTS any put")

	var item struct {
		Issues []struct{ Message, Severity string }
	}
	staticExample(t, "getListingsItem 200 #1", &item)
	var errs []string
	for _, is := range item.Issues {
		if is.Severity == "ERROR" {
			errs = append(errs, is.Message)
		}
	}
	require.NotEmpty(t, errs)
	sub, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	require.True(t, sub.Done)
	assert.Equal(t, marketplace.SubmissionRejected, sub.Items[0].State, "Amazon's example item has ERROR issues")
	assert.Equal(t, errs, sub.Items[0].Reasons, "its ERROR issues, warnings left out")

	sub, err = c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 3, Price: 90}})
	require.NoError(t, err)
	assert.Equal(t, marketplace.SubmissionAccepted, sub.Items[0].State, "the catch-all example ACCEPTS any patch")

	bad := marketplacetest.Listing("static")
	bad.SKU = "BadSKU"
	_, err = c.UpsertListings(ctx, []marketplace.Listing{bad})
	var ae *amazon.Error
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusBadRequest, ae.Status)
	require.Len(t, ae.Errors, 1)
	assert.Equal(t, "BAD_REQUEST", ae.Errors[0].Code)
	assert.NotErrorIs(t, err, marketplace.ErrUnauthorized)

	var types struct {
		ProductTypes []struct{ Name, DisplayName string }
	}
	staticExample(t, "searchDefinitionsProductTypes 200 #1", &types)
	require.Len(t, types.ProductTypes, 1)
	cats, err := c.Categories(ctx)
	require.NoError(t, err)
	require.Len(t, cats, 1)
	assert.Equal(t, types.ProductTypes[0].Name, cats[0].ID)
	assert.Equal(t, types.ProductTypes[0].DisplayName, cats[0].Name)

	// Amazon's orders examples all search by createdAfter; the adapter searches by
	// lastUpdatedAfter, which no example has.
	_, _, err = c.Orders(ctx, "")
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusBadRequest, ae.Status)
	assert.Contains(t, err.Error(), "Could not match input arguments")

	e.check.mu.Lock()
	defer e.check.mu.Unlock()
	assert.Equal(t, 6, e.check.checked)
	assert.Empty(t, e.check.problems, "requests, User-Agent and Amazon's answers all meet the models")
}

// TestPollKeepsWhatItCouldRead: a SKU whose read fails stays pending while the other
// SKUs of the submission are decided, so a large submission completes through
// occasional 500s; only a round that reads nothing is an error.
func TestPollKeepsWhatItCouldRead(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	var failing sync.Map // SKUs whose reads answer 500
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/listings/") {
			if _, bad := failing.Load(r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]); bad {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"errors":[{"code":"InternalFailure","message":"We encountered an internal error."}]}`))
				return
			}
		}
		e.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(flaky.Close)
	c := e.client(func(cfg *amazon.Config) {
		cfg.BaseURL, cfg.TokenURL, cfg.HTTPClient = flaky.URL, flaky.URL+"/auth/o2/token", flaky.Client()
	})
	ctx := context.Background()
	var ls []marketplace.Listing
	for range 5 {
		ls = append(ls, validListing("flaky"))
	}
	sub, err := c.UpsertListings(ctx, ls)
	require.NoError(t, err)
	e.sb.Advance(3 * time.Second)

	failing.Store(ls[0].SKU, true)
	got, err := c.Poll(ctx, sub.ID)
	require.NoError(t, err, "four of five reads worked")
	assert.False(t, got.Done)
	states := map[string]string{}
	for _, it := range got.Items {
		states[it.SKU] = it.State
	}
	assert.Equal(t, marketplace.SubmissionPending, states[ls[0].SKU])
	for _, l := range ls[1:] {
		assert.Equal(t, marketplace.SubmissionAccepted, states[l.SKU], l.SKU)
	}

	for _, l := range ls {
		failing.Store(l.SKU, true)
	}
	_, err = c.Poll(ctx, sub.ID)
	require.Error(t, err, "nothing could be read")
	assert.ErrorIs(t, err, marketplace.ErrUnavailable)

	failing.Clear()
	got, err = c.Poll(ctx, sub.ID)
	require.NoError(t, err)
	assert.True(t, got.Done)
	for _, it := range got.Items {
		assert.Equal(t, marketplace.SubmissionAccepted, it.State, it.SKU)
	}
}

// TestPutSentAgainAfterServerError: a PUT answered 500 is sent again at once (it
// replaces the listing, so repeating it is safe) instead of failing the batch.
func TestPutSentAgainAfterServerError(t *testing.T) {
	e := newEnv(t, sandboxOpts)
	var puts, failed atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut {
			if puts.Add(1)%2 == 1 { // every other PUT fails
				failed.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"errors":[{"code":"InternalFailure","message":"We encountered an internal error."}]}`))
				return
			}
		}
		e.sb.ServeHTTP(w, r)
	}))
	t.Cleanup(flaky.Close)
	c := e.client(func(cfg *amazon.Config) {
		cfg.BaseURL, cfg.TokenURL, cfg.HTTPClient = flaky.URL, flaky.URL+"/auth/o2/token", flaky.Client()
	})
	var ls []marketplace.Listing
	for range 4 {
		ls = append(ls, validListing("retry"))
	}
	sub, err := c.UpsertListings(context.Background(), ls)
	require.NoError(t, err)
	require.Len(t, sub.Items, 4)
	assert.Equal(t, int64(8), puts.Load(), "each SKU's PUT failed once and was sent again")
	assert.Equal(t, int64(4), failed.Load())
	e.sb.Advance(3 * time.Second)
	got, err := c.Poll(context.Background(), sub.ID)
	require.NoError(t, err)
	assert.True(t, got.Done)
	for _, it := range got.Items {
		assert.Equal(t, marketplace.SubmissionAccepted, it.State, it.SKU)
	}
}
