package spmodel_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

func TestListingsFeedSchema(t *testing.T) {
	example, err := os.ReadFile("models/listings-feed-schema-v2.example.json")
	require.NoError(t, err)
	vs, err := spmodel.ValidateListingsFeed(example)
	require.NoError(t, err)
	assert.Empty(t, vs, "Amazon's own example is a valid feed")

	header := `"header":{"sellerId":"A1","version":"2.0"}`
	for _, tc := range []struct {
		name, doc, where string
	}{
		{"not JSON", `{"header":`, ""},
		{"no messages", `{` + header + `}`, ""},
		{"empty messages", `{` + header + `,"messages":[]}`, "/messages"},
		{"wrong version", `{"header":{"sellerId":"A1","version":"1.0"},"messages":[{"messageId":1,"sku":"S","operationType":"DELETE"}]}`, "/header/version"},
		{"update without attributes", `{` + header + `,"messages":[{"messageId":1,"sku":"S","operationType":"UPDATE","productType":"HOME"}]}`, "/messages/0"},
		{"unknown operation", `{` + header + `,"messages":[{"messageId":1,"sku":"S","operationType":"UPSERT","productType":"HOME","attributes":{"a":[]}}]}`, "/messages/0"},
		{"message ID zero", `{` + header + `,"messages":[{"messageId":0,"sku":"S","operationType":"DELETE"}]}`, "/messages/0/messageId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs, err := spmodel.ValidateListingsFeed([]byte(tc.doc))
			require.NoError(t, err)
			require.NotEmpty(t, vs)
			found := false
			for _, v := range vs {
				assert.NotEmpty(t, v.Message)
				if len(v.Location) >= len(tc.where) && v.Location[:len(tc.where)] == tc.where {
					found = true
				}
			}
			assert.True(t, found, "a violation at %q among %v", tc.where, vs)
		})
	}
}

func TestProcessingReportSchema(t *testing.T) {
	example, err := os.ReadFile("models/listings-feed-processing-report-schema-v2.example.json")
	require.NoError(t, err)
	vs, err := spmodel.ValidateProcessingReport(example)
	require.NoError(t, err)
	assert.Empty(t, vs, "Amazon's own example is a valid report")

	vs, err = spmodel.ValidateProcessingReport([]byte(`{"header":{"sellerId":"A1","version":"2.0","feedId":"1"},"issues":[{"messageId":1,"severity":"FATAL","message":"x"}]}`))
	require.NoError(t, err)
	var where []string
	for _, v := range vs {
		where = append(where, v.Location)
	}
	assert.Contains(t, where, "", "the summary is missing")
	assert.Contains(t, where, "/issues/0/severity")
}
