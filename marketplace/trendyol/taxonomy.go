package trendyol

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/stox-dev/stox/taxonomy"
)

var _ taxonomy.Source = (*Client)(nil)

// categoryNode is a node of getCategoryTree's nested answer.
type categoryNode struct {
	ID            json.Number    `json:"id"`
	Name          string         `json:"name"`
	SubCategories []categoryNode `json:"subCategories"`
}

// Categories implements taxonomy.Source with getCategoryTree
// (GET /integration/product/product-categories), flattened parents first. A category
// without subcategories is a leaf: the only kind a product may be placed in.
func (c *Client) Categories(ctx context.Context) ([]taxonomy.Category, error) {
	var res struct {
		Categories []categoryNode `json:"categories"`
	}
	if err := c.do(ctx, http.MethodGet, "/integration/product/product-categories", nil, &res); err != nil {
		return nil, fmt.Errorf("read categories: %w", err)
	}
	var out []taxonomy.Category
	var walk func(nodes []categoryNode, parent string, path []string)
	walk = func(nodes []categoryNode, parent string, path []string) {
		for _, n := range nodes {
			p := append(slices.Clone(path), n.Name)
			out = append(out, taxonomy.Category{ID: n.ID.String(), ParentID: parent, Name: n.Name, Path: p, Leaf: len(n.SubCategories) == 0})
			walk(n.SubCategories, n.ID.String(), p)
		}
	}
	walk(res.Categories, "", nil)
	return out, nil
}

// Definition implements taxonomy.Source with getCategoryAttributes
// (GET /integration/product/categories/{id}/attributes). An attribute listed without
// values has them read from getCategoryAttributeValues, page by page: Trendyol's V2
// attribute list carries none, and long lists are left out of lists that carry
// them. Attributes that take only free text answer an empty first page.
func (c *Client) Definition(ctx context.Context, categoryID string) (taxonomy.Definition, error) {
	var res struct {
		CategoryAttributes []struct {
			Attribute struct {
				ID   json.Number `json:"id"`
				Name string      `json:"name"`
			} `json:"attribute"`
			Required        bool    `json:"required"`
			AllowCustom     bool    `json:"allowCustom"`
			Multiple        bool    `json:"allowMultipleAttributeValues"`
			Varianter       bool    `json:"varianter"`
			AttributeValues []value `json:"attributeValues"`
		} `json:"categoryAttributes"`
	}
	path := "/integration/product/categories/" + url.PathEscape(categoryID) + "/attributes"
	if err := c.do(ctx, http.MethodGet, path, nil, &res); err != nil {
		return taxonomy.Definition{}, fmt.Errorf("read attributes of category %s: %w", categoryID, err)
	}
	def := taxonomy.Definition{CategoryID: categoryID, Attributes: []taxonomy.Attribute{}}
	for _, ca := range res.CategoryAttributes {
		a := taxonomy.Attribute{ID: ca.Attribute.ID.String(), Name: ca.Attribute.Name, Required: ca.Required,
			AllowCustom: ca.AllowCustom, Multiple: ca.Multiple, Varianter: ca.Varianter}
		vs := ca.AttributeValues
		if len(vs) == 0 {
			var err error
			if vs, err = c.attributeValues(ctx, categoryID, a.ID); err != nil {
				return taxonomy.Definition{}, fmt.Errorf("read values of attribute %s (%s) in category %s: %w", a.ID, a.Name, categoryID, err)
			}
		}
		for _, v := range vs {
			a.Values = append(a.Values, v.value())
		}
		def.Attributes = append(def.Attributes, a)
	}
	return def, nil
}

// value is an attribute value as the attribute list ({id, name}) and the values
// endpoint ({attributeValueId, attributeValue}) spell it.
type value struct {
	ID      json.Number `json:"id"`
	Name    string      `json:"name"`
	ValueID json.Number `json:"attributeValueId"`
	Value   string      `json:"attributeValue"`
}

func (v value) value() taxonomy.Value {
	return taxonomy.Value{ID: cmp(v.ID.String(), v.ValueID.String()), Name: cmp(v.Name, v.Value)}
}

// attributeValues reads every value of one attribute of a category, 1000 at a time.
func (c *Client) attributeValues(ctx context.Context, categoryID, attributeID string) ([]value, error) {
	const size = 1000
	var out []value
	for page := 0; ; page++ {
		var res struct {
			TotalPages int     `json:"totalPages"`
			Content    []value `json:"content"`
		}
		path := fmt.Sprintf("/integration/product/categories/%s/attributes/%s/values?page=%d&size=%d",
			url.PathEscape(categoryID), url.PathEscape(attributeID), page, size)
		if err := c.do(ctx, http.MethodGet, path, nil, &res); err != nil {
			return nil, fmt.Errorf("page %d: %w", page, err)
		}
		out = append(out, res.Content...)
		if len(res.Content) < size || page+1 >= res.TotalPages {
			return out, nil
		}
	}
}

// Brands implements taxonomy.Source with getBrands (GET /integration/product/brands),
// from page 0 on, Config.BrandPageSize brands a page, until a page comes back short.
// An error of fn stops the walk and is returned as it is.
func (c *Client) Brands(ctx context.Context, fn func([]taxonomy.Brand) error) error {
	size := c.cfg.BrandPageSize
	for page := 0; ; page++ {
		var res struct {
			Brands []struct {
				ID   json.Number `json:"id"`
				Name string      `json:"name"`
			} `json:"brands"`
		}
		path := "/integration/product/brands?page=" + strconv.Itoa(page) + "&size=" + strconv.Itoa(size)
		if err := c.do(ctx, http.MethodGet, path, nil, &res); err != nil {
			return fmt.Errorf("read brands page %d: %w", page, err)
		}
		if len(res.Brands) > 0 {
			bs := make([]taxonomy.Brand, 0, len(res.Brands))
			for _, b := range res.Brands {
				bs = append(bs, taxonomy.Brand{ID: b.ID.String(), Name: b.Name})
			}
			if err := fn(bs); err != nil {
				return err
			}
		}
		if len(res.Brands) < size {
			return nil
		}
	}
}
