package api

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// TestGetProductTexts: each marketplace's text is shown with its compliance report,
// a failing one too, with its reasons.
func TestGetProductTexts(t *testing.T) {
	e := newEnv(t)
	rec := e.do(uploadRequest(t, productPart(validProduct), photoPart("a.jpg", jpegBytes(t, 12, 9))))
	require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
	texts := map[string]messages.ListingText{
		messages.Amazon: {Language: "en", Title: "Paşabahçe Ceramic Mug Red", Description: "Mug.",
			Compliance: &messages.Compliance{Status: messages.ComplianceFixed, Notes: []string{"recased all-capitals words"}, Writer: "deterministic"}},
		messages.Trendyol: {Language: "tr",
			Compliance: &messages.Compliance{Status: messages.ComplianceFail, Notes: []string{"title: brand and name do not fit in 100 characters"}, Writer: "deterministic"}},
	}
	require.NoError(t, e.store.PutTexts(t.Context(), "p001", 1, texts))

	rec = e.get("/v1/products/p001")
	require.Equal(t, http.StatusOK, rec.Code, "body: %s", rec.Body)
	assert.Contains(t, rec.Body.String(), `"compliance":{"status":"fixed","notes":["recased all-capitals words"],"writer":"deterministic"}`)
	var got ProductResponse
	decodeJSON(t, rec.Body, &got)
	assert.Equal(t, texts, got.Texts)
}
