package amazon

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/taxonomy"
)

var _ taxonomy.Source = (*Client)(nil)

// maxSchemaBytes bounds a product type schema read from its link (Amazon's largest are
// a few megabytes).
const maxSchemaBytes = 32 << 20

// filled are the attributes the adapter sets itself from the listing (its text, brand,
// offer, stock, images and identifiers): they are no category attributes to map.
var filled = map[string]bool{
	"item_name": true, "brand": true, "product_description": true, "bullet_point": true,
	"condition_type": true, "purchasable_offer": true, "fulfillment_availability": true,
	"list_price": true, "product_tax_code": true, "merchant_suggested_asin": true,
	"externally_assigned_product_identifier": true, "supplier_declared_has_product_identifier_exemption": true,
}

func isFilled(name string) bool {
	return filled[name] || strings.HasSuffix(name, "_image_locator") || strings.Contains(name, "_image_locator_")
}

// locale is the locale of the definitions calls: the store's own language.
func (c *Client) locale() string {
	if l := LanguageTag(c.cfg.MarketplaceID); l != "" {
		return l
	}
	return "DEFAULT"
}

// Categories implements taxonomy.Source: the store's product types
// (searchDefinitionsProductTypes), each a leaf named and pathed by its display name.
// Amazon has no category tree.
func (c *Client) Categories(ctx context.Context) ([]taxonomy.Category, error) {
	q := url.Values{"marketplaceIds": {c.cfg.MarketplaceID}, "locale": {c.locale()}}
	var out struct {
		ProductTypes []struct {
			Name        string `json:"name"`
			DisplayName string `json:"displayName"`
		} `json:"productTypes"`
	}
	if err := c.do(ctx, c.cfg.DefinitionsLimiter, http.MethodGet, "/definitions/2020-09-01/productTypes", q, nil, &out); err != nil {
		return nil, fmt.Errorf("search product types: %w", err)
	}
	cats := make([]taxonomy.Category, 0, len(out.ProductTypes))
	for _, p := range out.ProductTypes {
		cats = append(cats, taxonomy.Category{ID: p.Name, Name: p.DisplayName, Path: []string{p.DisplayName}, Leaf: true})
	}
	return cats, nil
}

// Brands implements taxonomy.Source: Amazon takes the brand as text, with no registry
// of IDs to read.
func (c *Client) Brands(context.Context, func([]taxonomy.Brand) error) error { return nil }

// productTypeDefinition is getDefinitionsProductType's answer, the parts the adapter reads.
type productTypeDefinition struct {
	ProductType string `json:"productType"`
	Schema      struct {
		Link struct {
			Resource string `json:"resource"`
		} `json:"link"`
		Checksum string `json:"checksum"`
	} `json:"schema"`
}

// Definition implements taxonomy.Source: the product type's definition for
// requirements LISTING (getDefinitionsProductType), then its JSON Schema from the
// definition's link, which is fetched without SP-API credentials (Amazon's links are
// pre-signed S3 URLs) and checked against the definition's checksum. Schema is the
// schema as read; Attributes are its attributes except those the adapter fills from
// the listing itself (title, brand, texts, offer, stock, images, identifiers).
func (c *Client) Definition(ctx context.Context, productType string) (taxonomy.Definition, error) {
	q := url.Values{"marketplaceIds": {c.cfg.MarketplaceID}, "requirements": {"LISTING"}, "locale": {c.locale()}}
	var def productTypeDefinition
	path := "/definitions/2020-09-01/productTypes/" + url.PathEscape(productType)
	if err := c.do(ctx, c.cfg.DefinitionsLimiter, http.MethodGet, path, q, nil, &def); err != nil {
		return taxonomy.Definition{}, fmt.Errorf("product type %s: %w", productType, err)
	}
	raw, err := c.fetchSchema(ctx, def.Schema.Link.Resource, def.Schema.Checksum)
	if err != nil {
		return taxonomy.Definition{}, fmt.Errorf("product type %s schema: %w", productType, err)
	}
	s, err := parseSchema(raw)
	if err != nil {
		return taxonomy.Definition{}, fmt.Errorf("product type %s schema: %w", productType, err)
	}
	return taxonomy.Definition{CategoryID: productType, Attributes: s.attributes(), Schema: raw}, nil
}

// fetchSchema reads a schema link and checks it against its checksum (Base64 MD5).
func (c *Client) fetchSchema(ctx context.Context, link, sum string) (json.RawMessage, error) {
	if link == "" {
		return nil, fmt.Errorf("the definition has no schema link")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	resp, err := c.cfg.HTTPClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", marketplace.ErrUnavailable, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxSchemaBytes))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%w: read schema: %w", marketplace.ErrUnavailable, err)
	case resp.StatusCode >= 500:
		return nil, fmt.Errorf("%w: schema link answered HTTP %d", marketplace.ErrUnavailable, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("schema link answered HTTP %d: %s", resp.StatusCode, strings.TrimSpace(string(raw)))
	}
	if got := md5.Sum(raw); sum != "" && base64.StdEncoding.EncodeToString(got[:]) != sum {
		return nil, fmt.Errorf("schema does not match its checksum %s", sum)
	}
	return raw, nil
}

// attributes are the schema's category attributes, required ones first, each with its
// allowed values: a strict enum's (AllowCustom false), or the suggested values of an
// enum beside free text (AllowCustom true).
func (s *productSchema) attributes() []taxonomy.Attribute {
	var out []taxonomy.Attribute
	for name, p := range s.props {
		if isFilled(name) {
			continue
		}
		a := taxonomy.Attribute{ID: name, Name: p.Title, Required: s.required[name], Multiple: p.multiple(),
			Varianter: name == "color" || strings.HasSuffix(name, "size")}
		if a.Name == "" {
			a.Name = name
		}
		f := p.Items.Properties[p.valueField()]
		values, custom := f.enum()
		a.AllowCustom = custom
		for _, v := range values {
			a.Values = append(a.Values, taxonomy.Value{ID: v.id, Name: v.name})
		}
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Required != out[j].Required {
			return out[i].Required
		}
		return out[i].ID < out[j].ID
	})
	return out
}
