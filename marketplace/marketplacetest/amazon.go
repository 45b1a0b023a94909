package marketplacetest

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

// AmazonFidelity is what RunAmazonFidelity needs besides Run's arguments.
type AmazonFidelity struct {
	// Options are the Amazon options sb was made with, credentials, seller and
	// marketplace set: the suite signs in with them, and makes a static sandbox of its
	// own (AmazonOptions.Static) with them.
	Options sandbox.AmazonOptions
	// WithUserAgent returns a client like newClient's that sends userAgent as its
	// User-Agent.
	WithUserAgent func(t *testing.T, userAgent string) marketplace.Client
}

// amazonOperations are the SP-API operations the Amazon adapter calls.
var amazonOperations = []string{"putListingsItem", "patchListingsItem", "getListingsItem", "searchOrders",
	"searchDefinitionsProductTypes", "getDefinitionsProductType",
	"createFeedDocument", "createFeed", "getFeed", "getFeedDocument"}

// RunAmazonFidelity runs the cases of Amazon's rules beyond the common suite against an
// Amazon client and sb:
//   - every SP-API request carries a User-Agent of the form Amazon documents,
//     AppName/Version (Language=…), at most 500 characters [C S-AZ2]; the sandbox
//     refuses others with 400 InvalidInput [I], which the client reports as
//     marketplace.ErrUnauthorized (its configuration must change);
//   - Amazon's static sandbox examples (x-amzn-api-sandbox.static in the official
//     models [C S-AZ4, S-AZ5, S-AZ11]): the sandbox in static mode answers each
//     example's request with the example's status and body, exactly, and those answers
//     match the models;
//   - a round of many listings goes as one JSON_LISTINGS_FEED (Feeds API 2021-06-30),
//     each listing ending accepted or rejected with its reasons as on the single path,
//     and a one-off listing still goes on its own (runAmazonBulk).
func RunAmazonFidelity(t *testing.T, newClient func(t *testing.T) marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing, f AmazonFidelity) {
	ctx := context.Background()
	require.NotEmpty(t, f.Options.ClientID, "AmazonFidelity.Options needs the sandbox's credentials")
	require.NotNil(t, f.WithUserAgent)

	t.Run("the client's User-Agent is Amazon's form", func(t *testing.T) {
		c := newClient(t)
		l := listed(t, c, sb, valid("agent"))
		sub, err := c.PushStock(ctx, []marketplace.Stock{{SKU: l.SKU, Quantity: 6}})
		require.NoError(t, err)
		done := waitDone(t, c, sb, sub.ID)
		assert.Equal(t, marketplace.SubmissionAccepted, done.Items[0].State, "reasons: %q", done.Items[0].Reasons)
		assert.Equal(t, 6, stock(t, sb, c.Name(), l.SKU))
		_, _, err = c.Orders(ctx, "")
		assert.NoError(t, err)
	})

	t.Run("a User-Agent not of Amazon's form is refused", func(t *testing.T) {
		tok := amazonToken(t, sb, f.Options)
		target := "/listings/2021-08-01/items/" + url.PathEscape(f.Options.SellerID) + "/NO-SUCH-SKU?marketplaceIds=" + f.Options.MarketplaceID
		for _, tc := range []struct {
			name, ua string
			ok       bool
		}{
			{"amazon's example", "My Selling Tool/2.0 (Language=Java/1.8.0.221; Platform=Windows/10)", true},
			{"quoted reserved characters", `My\/Tool/1.0 (Language=Go/1.26; Note=a\)b)`, true},
			{"missing", "", false},
			{"go's default", "Go-http-client/1.1", false},
			{"name only", "Stox", false},
			{"no language", "Stox/1.0 (Platform=Linux)", false},
			{"no space before the attributes", "Stox/1.0(Language=Go)", false},
			{"over 500 characters", "Stox/1.0 (Language=Go; Pad=" + strings.Repeat("x", 480) + ")", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, body := amazonRaw(t, sb, http.MethodGet, target, nil, tok, tc.ua)
				if tc.ok {
					assert.Equal(t, http.StatusNotFound, status, "the request reaches the operation: %s", body)
					return
				}
				require.Equal(t, http.StatusBadRequest, status, "%s", body)
				var out struct {
					Errors []struct{ Code, Details string }
				}
				require.NoError(t, json.Unmarshal(body, &out))
				require.Len(t, out.Errors, 1)
				assert.Equal(t, "InvalidInput", out.Errors[0].Code)
				assert.Contains(t, out.Errors[0].Details, "User-Agent")
			})
		}
	})

	t.Run("a client with a malformed User-Agent gets ErrUnauthorized", func(t *testing.T) {
		for _, ua := range []string{"Stox", "Stox/1.0 (Platform=Linux)"} {
			c := f.WithUserAgent(t, ua)
			_, err := c.UpsertListings(ctx, []marketplace.Listing{valid("badagent")})
			require.Error(t, err, ua)
			assert.ErrorIs(t, err, marketplace.ErrUnauthorized, ua)
			assert.NotErrorIs(t, err, marketplace.ErrRateLimited, ua)
			_, _, err = c.Orders(ctx, "")
			assert.ErrorIs(t, err, marketplace.ErrUnauthorized, ua)
		}
	})

	t.Run("the static sandbox answers every example as Amazon's does", func(t *testing.T) {
		runAmazonStatic(t, sb, f.Options)
	})

	t.Run("a bulk round goes as a feed, a one-off as a PUT", func(t *testing.T) {
		runAmazonBulk(t, newClient(t), sb, valid)
	})
}

// runAmazonBulk sends a round of twenty listings, more than the adapter sends one by
// one, which goes as a JSON_LISTINGS_FEED: one listing the sandbox refuses (a title
// over 200 characters) and one the adapter refuses before sending (a VAT rate without
// an Amazon tax code) are rejected with their reasons, the other eighteen accepted and
// listed — one of them already listed, its new quantity taken. A one-off listing
// before it still goes through on its own.
func runAmazonBulk(t *testing.T, c marketplace.Client, sb *sandbox.Server, valid func(prefix string) marketplace.Listing) {
	ctx := context.Background()
	existing := listed(t, c, sb, valid("oneoff"))
	assert.Equal(t, existing.Quantity, stock(t, sb, c.Name(), existing.SKU), "the one-off listing is live")

	existing.Quantity = 7
	ls := []marketplace.Listing{existing}
	for range 17 {
		ls = append(ls, valid("bulk"))
	}
	tooLong := valid("bulk-title")
	tooLong.Text.Title = strings.Repeat("x", 300)
	noTaxCode := valid("bulk-vat")
	noTaxCode.VATRate = 18
	ls = append(ls, tooLong, noTaxCode)

	sub, err := c.UpsertListings(ctx, ls)
	require.NoError(t, err)
	assert.False(t, sub.Done)
	// Poll need not repeat what the submission decided at once (the listing refused
	// before the feed went).
	got := bySKU(sub.Items)
	for sku, it := range bySKU(waitDone(t, c, sb, sub.ID).Items) {
		got[sku] = it
	}
	require.Len(t, got, len(ls))
	for _, l := range ls[:18] {
		assert.Equal(t, marketplace.SubmissionAccepted, got[l.SKU].State, "%s: %q", l.SKU, got[l.SKU].Reasons)
		assert.Empty(t, got[l.SKU].Reasons)
		assert.Equal(t, l.Quantity, stock(t, sb, c.Name(), l.SKU), "%s is listed with its quantity", l.SKU)
	}
	assert.Equal(t, marketplace.SubmissionRejected, got[tooLong.SKU].State)
	assert.Contains(t, strings.Join(got[tooLong.SKU].Reasons, "; "), "200")
	assert.Equal(t, marketplace.SubmissionRejected, got[noTaxCode.SKU].State)
	assert.Contains(t, strings.Join(got[noTaxCode.SKU].Reasons, "; "), "18%")
	listings := sb.Listings(c.Name())
	assert.NotContains(t, listings, tooLong.SKU)
	assert.NotContains(t, listings, noTaxCode.SKU)
}

// runAmazonStatic walks every static sandbox example of the official models through a
// sandbox in static mode.
func runAmazonStatic(t *testing.T, sb *sandbox.Server, o sandbox.AmazonOptions) {
	o.Static = true
	t0 := sb.Now()
	static := sandbox.New(sandbox.Options{Now: func() time.Time { return t0 }, Amazon: o})
	tok := amazonToken(t, static, o)
	models, err := spmodel.Default()
	require.NoError(t, err)

	// The operation's required parameters an example leaves out take these values.
	fill := func(ex spmodel.Example) func(p spmodel.Parameter) any {
		return func(p spmodel.Parameter) any {
			switch {
			case p.In == "body" && ex.Operation == "patchListingsItem":
				return map[string]any{"productType": "LUGGAGE", "patches": []any{map[string]any{"op": "delete", "path": "/attributes/fake_attribute"}}}
			case p.In == "body":
				return map[string]any{"productType": "LUGGAGE", "requirements": "LISTING", "attributes": map[string]any{}}
			case p.Name == "marketplaceIds":
				return []any{o.MarketplaceID}
			}
			return map[string]any{"sellerId": o.SellerID, "sku": "STATIC-SKU", "productType": "LUGGAGE", "orderId": "STATIC-ORDER"}[p.Name]
		}
	}
	walked := map[string]int{}
	var offModel []string
	for _, op := range models.Operations() {
		for _, ex := range op.Examples {
			t.Run(ex.Name, func(t *testing.T) {
				target, body, err := ex.Target(fill(ex))
				require.NoError(t, err)
				static.Advance(time.Second) // the sandbox plan: 5 per second, burst 15
				status, got := amazonRaw(t, static, ex.Method, target, body, tok, "StoxTest/1.0 (Language=Go)")
				assert.Equal(t, ex.Status, status, "%s %s", ex.Method, target)
				if len(ex.Response) == 0 { // cancelFeed's answer has no body
					assert.Empty(t, got, "%s %s", ex.Method, target)
				} else {
					assert.JSONEq(t, string(ex.Response), string(got), "%s %s", ex.Method, target)
				}
				walked[ex.Operation]++

				// Amazon's example requests meet the models but for those meant to
				// break them: createdAfter=TEST_CASE_400 (no date), a createFeed without
				// feedType, a createFeedDocument without contentType, a getFeeds with
				// processingStatuses BAD_VALUE.
				r := httptest.NewRequest(ex.Method, target, bytes.NewReader(body))
				if body != nil {
					r.Header.Set("Content-Type", "application/json")
				}
				if spmodel.ValidateRequest(r, body) != nil {
					offModel = append(offModel, ex.Name)
				}
			})
		}
	}
	for _, op := range amazonOperations {
		assert.Positive(t, walked[op], "%s has examples and they were walked", op)
	}
	sort.Strings(offModel)
	assert.Equal(t, []string{"createFeed 400 #1", "createFeedDocument 400 #1", "getFeeds 400 #1", "searchOrders 400 #1"}, offModel)

	t.Run("a request no example has is not matched", func(t *testing.T) {
		static.Advance(time.Second)
		q := url.Values{"lastUpdatedAfter": {t0.Add(-time.Hour).UTC().Format(time.RFC3339)}, "marketplaceIds": {o.MarketplaceID}}
		status, got := amazonRaw(t, static, http.MethodGet, "/orders/2026-01-01/orders?"+q.Encode(), nil, tok, "StoxTest/1.0 (Language=Go)")
		assert.Equal(t, http.StatusBadRequest, status)
		assert.JSONEq(t, `{"errors":[{"code":"InvalidInput","message":"Could not match input arguments","details":""}]}`, string(got))
	})
}

// amazonToken signs in to sb's Login with Amazon with o's credentials.
func amazonToken(t *testing.T, sb *sandbox.Server, o sandbox.AmazonOptions) string {
	t.Helper()
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {o.RefreshToken}, "client_id": {o.ClientID}, "client_secret": {o.ClientSecret}}
	r := httptest.NewRequest(http.MethodPost, "/auth/o2/token", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var out struct {
		AccessToken string `json:"access_token"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
	require.NotEmpty(t, out.AccessToken)
	return out.AccessToken
}

// amazonRaw sends one SP-API request to sb with an access token and a User-Agent
// ("" sends none), checks the answer against the models and returns it.
func amazonRaw(t *testing.T, sb *sandbox.Server, method, target string, body []byte, tok, ua string) (int, []byte) {
	t.Helper()
	r := httptest.NewRequest(method, target, bytes.NewReader(body))
	if body != nil {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("x-amz-access-token", tok)
	r.Header.Del("User-Agent")
	if ua != "" {
		r.Header.Set("User-Agent", ua)
	}
	rec := httptest.NewRecorder()
	sb.ServeHTTP(rec, r)
	assert.NoError(t, spmodel.ValidateResponse(r, rec.Code, rec.Header(), rec.Body.Bytes()), "the answer breaks the model")
	assert.NotEmpty(t, rec.Header().Get("x-amzn-RequestId"))
	return rec.Code, rec.Body.Bytes()
}
