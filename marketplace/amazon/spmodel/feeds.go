package spmodel

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Schemas of the JSON_LISTINGS_FEED documents, embedded beside the models (Amazon's
// selling-partner-api-models, schemas/feeds): the feed a seller uploads and the
// processing report Amazon gives back.
const (
	ListingsFeedSchema     = "listings-feed-schema-v2.json"
	ProcessingReportSchema = "listings-feed-processing-report-schema-v2.json"
)

// FeedViolation is one way a feed document (or a processing report) breaks its
// schema: where (a JSON pointer such as /messages/3/operationType, "" for the
// document as a whole) and what.
type FeedViolation struct {
	Location string
	Message  string
}

func (v FeedViolation) String() string {
	if v.Location == "" {
		return v.Message
	}
	return v.Location + ": " + v.Message
}

var feedSchemas = sync.OnceValues(func() (map[string]*jsonschema.Schema, error) {
	out := map[string]*jsonschema.Schema{}
	for _, name := range []string{ListingsFeedSchema, ProcessingReportSchema} {
		raw, err := readModel(name)
		if err != nil {
			return nil, fmt.Errorf("spmodel: read %s: %w", name, err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("spmodel: parse %s: %w", name, err)
		}
		c := jsonschema.NewCompiler()
		loc := "urn:stox:" + name
		if err := c.AddResource(loc, doc); err != nil {
			return nil, fmt.Errorf("spmodel: add %s: %w", name, err)
		}
		if out[name], err = c.Compile(loc); err != nil {
			return nil, fmt.Errorf("spmodel: compile %s: %w", name, err)
		}
	}
	return out, nil
})

// ValidateListingsFeed checks a JSON_LISTINGS_FEED document against Amazon's listings
// feed schema (v2) and returns every violation, sorted by location; none when it is
// valid. A document that is not JSON is one violation.
func ValidateListingsFeed(raw []byte) ([]FeedViolation, error) {
	return validateFeedDocument(ListingsFeedSchema, raw)
}

// ValidateProcessingReport checks a JSON_LISTINGS_FEED processing report against
// Amazon's processing report schema (v2), as ValidateListingsFeed does a feed.
func ValidateProcessingReport(raw []byte) ([]FeedViolation, error) {
	return validateFeedDocument(ProcessingReportSchema, raw)
}

func validateFeedDocument(name string, raw []byte) ([]FeedViolation, error) {
	schemas, err := feedSchemas()
	if err != nil {
		return nil, err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return []FeedViolation{{Message: "the document is not JSON: " + err.Error()}}, nil
	}
	err = schemas[name].Validate(doc)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil, nil
	}
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("spmodel: validate against %s: %w", name, err)
	}
	seen := map[string]bool{}
	var out []FeedViolation
	for _, leaf := range leaves(ve) {
		v := FeedViolation{Message: leaf.ErrorKind.LocalizedString(printer)}
		if len(leaf.InstanceLocation) > 0 {
			v.Location = "/" + strings.Join(leaf.InstanceLocation, "/")
		}
		if k := v.String(); !seen[k] {
			seen[k] = true
			out = append(out, v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Location < out[j].Location })
	return out, nil
}
