package sandbox_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/marketplace/sandbox"
)

const feedContentType = "application/json; charset=UTF-8"

// transfer sends a request to a presigned document URL the sandbox gave.
func (e *azEnv) transfer(t *testing.T, method, rawURL, contentType string, body []byte) (int, []byte) {
	t.Helper()
	u, err := url.Parse(rawURL)
	require.NoError(t, err)
	r := httptest.NewRequest(method, u.RequestURI(), bytes.NewReader(body))
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	return rec.Code, rec.Body.Bytes()
}

// feedDocument creates a feed document and returns its ID and upload URL.
func (e *azEnv) feedDocument(t *testing.T) (string, string) {
	t.Helper()
	status, _, out := e.do(t, http.MethodPost, "/feeds/2021-06-30/documents", map[string]any{"contentType": feedContentType}, nil)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	return out["feedDocumentId"].(string), out["url"].(string)
}

// createFeed creates a JSON_LISTINGS_FEED of a document; it returns the answer.
func (e *azEnv) createFeed(t *testing.T, docID string) (int, map[string]any) {
	t.Helper()
	status, _, out := e.do(t, http.MethodPost, "/feeds/2021-06-30/feeds",
		map[string]any{"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": []string{azMarket}, "inputFeedDocumentId": docID}, nil)
	return status, out
}

// report downloads a feed's processing report, checks it against Amazon's schema and
// returns it decoded.
func (e *azEnv) report(t *testing.T, feed map[string]any) map[string]any {
	t.Helper()
	status, _, doc := e.do(t, http.MethodGet, "/feeds/2021-06-30/documents/"+feed["resultFeedDocumentId"].(string), nil, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, "GZIP", doc["compressionAlgorithm"])
	status, raw := e.transfer(t, http.MethodGet, doc["url"].(string), "", nil)
	require.Equal(t, http.StatusOK, status)
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	require.NoError(t, err)
	raw, err = io.ReadAll(zr)
	require.NoError(t, err)
	vs, err := spmodel.ValidateProcessingReport(raw)
	require.NoError(t, err)
	assert.Empty(t, vs, "the report matches Amazon's schema")
	var out map[string]any
	require.NoError(t, json.Unmarshal(raw, &out))
	return out
}

func (e *azEnv) feed(t *testing.T, id string) map[string]any {
	t.Helper()
	status, _, out := e.do(t, http.MethodGet, "/feeds/2021-06-30/feeds/"+id, nil, nil)
	require.Equal(t, http.StatusOK, status, "%v", out)
	return out
}

// TestAmazonFeedLifecycle: a feed of three UPDATE messages, one with a title too long
// and one for a SKU another already uses the identifier of, goes IN_QUEUE,
// IN_PROGRESS, DONE; its report has the invalid message's issue, the summary and the
// items with what processing found; the valid listing is live.
func TestAmazonFeedLifecycle(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	status, _, out := e.do(t, http.MethodPut, itemPath("TAKEN", ""), withEAN(azListing("Stox kupa", e.img), "4006381333931"), nil)
	require.Equal(t, http.StatusOK, status, "%v", out)
	e.sb.Advance(3 * time.Second)

	msg := func(id int, sku string, body map[string]any) map[string]any {
		return map[string]any{"messageId": id, "sku": sku, "operationType": "UPDATE", "productType": body["productType"],
			"requirements": "LISTING", "attributes": body["attributes"]}
	}
	doc := map[string]any{
		"header": map[string]any{"sellerId": azSeller, "version": "2.0",
			"report": map[string]any{"includedData": []string{"summaries", "issues"}, "apiVersion": "2021-08-01"}},
		"messages": []any{
			msg(1, "GOOD", azListing("Stox seramik kupa", e.img)),
			msg(2, "LONG", azListing(strings.Repeat("x", 201), e.img)),
			msg(3, "DUP", withEAN(azListing("Stox kupa", e.img), "4006381333931")),
		},
	}
	raw, err := json.Marshal(doc)
	require.NoError(t, err)
	docID, upload := e.feedDocument(t)
	status, _ = e.transfer(t, http.MethodPut, upload, feedContentType, raw)
	require.Equal(t, http.StatusOK, status)
	status, out = e.createFeed(t, docID)
	require.Equal(t, http.StatusAccepted, status, "%v", out)
	id := out["feedId"].(string)

	assert.Equal(t, "IN_QUEUE", e.feed(t, id)["processingStatus"])
	e.sb.Advance(time.Second)
	assert.Equal(t, "IN_PROGRESS", e.feed(t, id)["processingStatus"])
	assert.NotContains(t, e.sb.Listings("amazon"), "GOOD")
	e.sb.Advance(2 * time.Second)
	feed := e.feed(t, id)
	require.Equal(t, "DONE", feed["processingStatus"])
	assert.NotEmpty(t, feed["processingEndTime"])
	assert.Contains(t, e.sb.Listings("amazon"), "GOOD")
	assert.NotContains(t, e.sb.Listings("amazon"), "LONG")
	assert.NotContains(t, e.sb.Listings("amazon"), "DUP")

	rep := e.report(t, feed)
	issues := rep["issues"].([]any)
	require.Len(t, issues, 1)
	issue := issues[0].(map[string]any)
	assert.Equal(t, float64(2), issue["messageId"])
	assert.Equal(t, "LONG", issue["sku"])
	assert.Equal(t, "ERROR", issue["severity"])
	assert.Equal(t, map[string]any{"errors": float64(1), "warnings": float64(0), "messagesProcessed": float64(3),
		"messagesAccepted": float64(2), "messagesInvalid": float64(1),
		"itemSummary": map[string]any{"items": float64(2), "errors": float64(1), "warnings": float64(0)}}, rep["summary"])
	items := map[string]map[string]any{}
	for _, it := range rep["items"].([]any) {
		items[it.(map[string]any)["sku"].(string)] = it.(map[string]any)
	}
	require.Len(t, items, 2)
	good := items["GOOD"]["summaries"].([]any)[0].(map[string]any)
	assert.Equal(t, []any{"BUYABLE", "DISCOVERABLE"}, good["status"])
	assert.Empty(t, items["GOOD"]["issues"])
	dup := items["DUP"]["issues"].([]any)
	require.Len(t, dup, 1)
	assert.Equal(t, "DUPLICATE_IDENTIFIER", dup[0].(map[string]any)["code"])
}

func withEAN(body map[string]any, ean string) map[string]any {
	attrs := body["attributes"].(map[string]any)
	delete(attrs, "supplier_declared_has_product_identifier_exemption")
	attrs["externally_assigned_product_identifier"] = []any{map[string]any{"type": "ean", "value": ean, "marketplace_id": azMarket}}
	return body
}

// TestAmazonFeedFatal: a feed whose document was never uploaded, and one whose document
// breaks the listings feed schema, end FATAL with a report saying why.
func TestAmazonFeedFatal(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	empty, _ := e.feedDocument(t)
	broken, upload := e.feedDocument(t)
	status, _ := e.transfer(t, http.MethodPut, upload, feedContentType,
		[]byte(`{"header":{"sellerId":"`+azSeller+`","version":"2.0"},"messages":[{"messageId":1,"sku":"S","operationType":"UPDATE"}]}`))
	require.Equal(t, http.StatusOK, status)
	for _, tc := range []struct{ doc, reason string }{
		{empty, "was not uploaded"},
		{broken, "/messages/0"},
	} {
		status, out := e.createFeed(t, tc.doc)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		e.sb.Advance(5 * time.Second)
		feed := e.feed(t, out["feedId"].(string))
		require.Equal(t, "FATAL", feed["processingStatus"])
		rep := e.report(t, feed)
		issues := rep["issues"].([]any)
		require.NotEmpty(t, issues)
		first := issues[0].(map[string]any)
		assert.NotContains(t, first, "messageId", "about the feed, not a message")
		assert.Contains(t, first["message"], tc.reason)
	}
}

// TestAmazonFeedDocuments: the presigned URL takes the content type it was signed for
// only, refuses a changed signature, and expires after five minutes, in S3's shape.
func TestAmazonFeedDocuments(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	_, upload := e.feedDocument(t)
	status, body := e.transfer(t, http.MethodPut, upload, "text/plain", []byte("{}"))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, string(body), "<Code>SignatureDoesNotMatch</Code>")
	status, _ = e.transfer(t, http.MethodPut, strings.Replace(upload, "X-Amz-Signature=", "X-Amz-Signature=0", 1), feedContentType, []byte("{}"))
	assert.Equal(t, http.StatusForbidden, status)
	status, _ = e.transfer(t, http.MethodGet, upload, "", nil)
	assert.Equal(t, http.StatusForbidden, status, "signed for PUT, not GET")
	e.sb.Advance(6 * time.Minute)
	status, body = e.transfer(t, http.MethodPut, upload, feedContentType, []byte("{}"))
	assert.Equal(t, http.StatusForbidden, status)
	assert.Contains(t, string(body), "Request has expired")
}

// TestAmazonFeedRequests: createFeed refuses other feed types, other marketplaces and
// unknown documents; JSON_LISTINGS_FEED submissions beyond five in five minutes are
// throttled with QuotaExceeded; cancelFeed cancels a feed in queue only.
func TestAmazonFeedRequests(t *testing.T) {
	e := newAzEnv(t, sandbox.Options{})
	doc, _ := e.feedDocument(t)
	for _, body := range []map[string]any{
		{"feedType": "POST_PRODUCT_DATA", "marketplaceIds": []string{azMarket}, "inputFeedDocumentId": doc},
		{"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": []string{"ATVPDKIKX0DER"}, "inputFeedDocumentId": doc},
		{"feedType": "JSON_LISTINGS_FEED", "marketplaceIds": []string{azMarket}, "inputFeedDocumentId": "no-such-document"},
	} {
		e.sb.Advance(2 * time.Minute) // createFeed's own plan: one every two minutes
		status, _, out := e.do(t, http.MethodPost, "/feeds/2021-06-30/feeds", body, nil)
		assert.Equal(t, http.StatusBadRequest, status, "%v", body)
		assert.Equal(t, "InvalidInput", errorCode(out))
	}
	var ids []string
	for range 5 {
		status, out := e.createFeed(t, doc)
		require.Equal(t, http.StatusAccepted, status, "%v", out)
		ids = append(ids, out["feedId"].(string))
	}
	status, out := e.createFeed(t, doc)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, "QuotaExceeded", errorCode(out))

	status, _, _ = e.do(t, http.MethodGet, "/feeds/2021-06-30/feeds/404", nil, nil)
	assert.Equal(t, http.StatusNotFound, status)

	r := httptest.NewRequest(http.MethodDelete, "/feeds/2021-06-30/feeds/"+ids[0], nil)
	r.Header.Set("x-amz-access-token", e.token)
	r.Header.Set("User-Agent", azAgent)
	rec := httptest.NewRecorder()
	e.sb.ServeHTTP(rec, r)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "CANCELLED", e.feed(t, ids[0])["processingStatus"])
	e.sb.Advance(time.Minute)
	assert.Equal(t, "CANCELLED", e.feed(t, ids[0])["processingStatus"], "never processed")
	assert.Equal(t, "FATAL", e.feed(t, ids[1])["processingStatus"], "its document was never uploaded")
}
