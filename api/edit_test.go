package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// serve answers an authenticated request without the OpenAPI check of env.do.
func (e *env) serve(method, target, body string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

// TestPutText: a text that meets the marketplace's rules replaces the stored one as
// the seller's, in the language of the one it replaces; one that breaks them is
// refused with each rule and changes nothing.
func TestPutText(t *testing.T) {
	e := newEnv(t)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 12, 9))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	old := messages.ListingText{Language: "tr", Title: "Acme Stoneware Kupa Mavi", Description: "Kupa."}
	require.NoError(t, e.store.PutTexts(t.Context(), "p001", 1, map[string]messages.ListingText{messages.Trendyol: old}))

	rec = e.serve(http.MethodPut, "/v1/products/p001/texts/trendyol", `{"title":"Acme Taş Kupa 350 ml Mavi","description":"Fırına dayanıklı taş kupa."}`)
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	p, err := e.store.Product(t.Context(), "p001")
	require.NoError(t, err)
	got := p.Texts[messages.Trendyol]
	assert.Equal(t, "Acme Taş Kupa 350 ml Mavi", got.Title)
	assert.Equal(t, "tr", got.Language)
	assert.Equal(t, &messages.Compliance{Status: messages.CompliancePass, Writer: WriterSeller}, got.Compliance)

	rec = e.serve(http.MethodPut, "/v1/products/p001/texts/trendyol", `{"title":"`+strings.Repeat("Kupa ", 40)+`","description":"BEDAVA KARGO!!!"}`)
	require.Equal(t, http.StatusUnprocessableEntity, rec.Code, "body: %s", rec.Body)
	pr := decodeProblem(t, rec)
	require.NotEmpty(t, pr.Errors)
	assert.Equal(t, "text", pr.Errors[0].Field)
	p, err = e.store.Product(t.Context(), "p001")
	require.NoError(t, err)
	assert.Equal(t, got, p.Texts[messages.Trendyol], "a refused text is not stored")

	assert.Equal(t, http.StatusConflict, e.serve(http.MethodPut, "/v1/products/p001/texts/hepsiburada", `{"title":"A","description":"B"}`).Code, "not listed there")
	assert.Equal(t, http.StatusNotFound, e.serve(http.MethodPut, "/v1/products/p999/texts/trendyol", `{"title":"A","description":"B"}`).Code)
	assert.Equal(t, http.StatusUnprocessableEntity, e.serve(http.MethodPut, "/v1/products/p001/texts/trendyol", `{"title":" ","description":"B"}`).Code)
}

// TestResubmit: the listing is queued again with the current text in place of the
// payload's, every other field kept; without a queued listing it is a conflict.
func TestResubmit(t *testing.T) {
	payload := json.RawMessage(`{"SKU":"MUG-01","Price":149.9,"Text":{"language":"tr","title":"Old","description":"Old."}}`)
	var requeued json.RawMessage
	queued := true
	e := newEnv(t, func(c *Config) {
		c.Requeue = func(_ context.Context, id, m string, edit func(json.RawMessage) (json.RawMessage, error)) error {
			if !queued {
				return store.ErrNotQueued
			}
			var err error
			requeued, err = edit(payload)
			return err
		}
	})
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 12, 9))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	text := messages.ListingText{Language: "tr", Title: "New", Description: "New."}
	require.NoError(t, e.store.PutTexts(t.Context(), "p001", 1, map[string]messages.ListingText{messages.Trendyol: text}))

	rec = e.serve(http.MethodPost, "/v1/products/p001/listings/trendyol/resubmit", "")
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	assert.JSONEq(t, `{"state":"queued"}`, rec.Body.String())
	assert.JSONEq(t, `{"SKU":"MUG-01","Price":149.9,"Text":{"language":"tr","title":"New","description":"New."}}`, string(requeued))

	assert.Equal(t, http.StatusConflict, e.serve(http.MethodPost, "/v1/products/p001/listings/amazon/resubmit", "").Code, "no text on amazon")
	queued = false
	assert.Equal(t, http.StatusConflict, e.serve(http.MethodPost, "/v1/products/p001/listings/trendyol/resubmit", "").Code, "never queued, and no relist")
	require.NoError(t, e.store.PutTexts(t.Context(), "p001", 1, map[string]messages.ListingText{messages.Trendyol: {
		Language: "tr", Title: "x", Compliance: &messages.Compliance{Status: messages.ComplianceFail}}}))
	queued = true
	assert.Equal(t, http.StatusConflict, e.serve(http.MethodPost, "/v1/products/p001/listings/trendyol/resubmit", "").Code, "a failing text")
}

// TestResubmitRelists: a listing its service never queued (the seo stage refused its
// text) is sent to the service anew with the product's current revision.
func TestResubmitRelists(t *testing.T) {
	var relisted []string
	e := newEnv(t, func(c *Config) {
		c.Requeue = func(context.Context, string, string, func(json.RawMessage) (json.RawMessage, error)) error {
			return fmt.Errorf("requeue: %w", store.ErrNotQueued)
		}
		c.Relist = func(_ context.Context, p store.Product, m string) error {
			relisted = append(relisted, fmt.Sprintf("%s/%d/%s/%s", p.ID, p.Revision, m, p.Texts[m].Title))
			return nil
		}
	})
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 12, 9))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	require.NoError(t, e.store.PutTexts(t.Context(), "p001", 1, map[string]messages.ListingText{
		messages.Trendyol: {Language: "tr", Title: "Edited", Compliance: &messages.Compliance{Status: messages.CompliancePass, Writer: WriterSeller}}}))
	rec = e.serve(http.MethodPost, "/v1/products/p001/listings/trendyol/resubmit", "")
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	assert.Equal(t, []string{"p001/1/trendyol/Edited"}, relisted)
}
