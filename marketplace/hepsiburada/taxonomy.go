package hepsiburada

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/stox-dev/stox/taxonomy"
)

var _ taxonomy.Source = (*Client)(nil)

// maxPages stops a paged walk whose answers never say it is done.
const maxPages = 10000

// page is the catalog's paged envelope.
type page[T any] struct {
	TotalPages int  `json:"totalPages"`
	Last       bool `json:"last"`
	Data       []T  `json:"data"`
}

// walk asks for every page of a paged catalog list (path carries its own query; page
// and size are added) and calls fn with each page's rows.
func walk[T any](ctx context.Context, c *Client, path string, fn func([]T)) error {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for n := 0; n < maxPages; n++ {
		var p page[T]
		u := fmt.Sprintf("%s%s%spage=%d&size=%d", c.cfg.CatalogURL, path, sep, n, c.cfg.TaxonomyPageSize)
		if err := c.do(ctx, http.MethodGet, u, "", nil, &p); err != nil {
			return fmt.Errorf("page %d: %w", n, err)
		}
		fn(p.Data)
		if p.Last || len(p.Data) == 0 || n+1 >= p.TotalPages {
			return nil
		}
	}
	return fmt.Errorf("more than %d pages", maxPages)
}

type categoryRow struct {
	CategoryID       int64    `json:"categoryId"`
	Name             string   `json:"name"`
	DisplayName      string   `json:"displayName"`
	ParentCategoryID *int64   `json:"parentCategoryId"`
	Paths            []string `json:"paths"`
	Leaf             bool     `json:"leaf"`
}

// Categories implements taxonomy.Source with get-all-categories: every active category
// available to the merchant, parents before children. Path is the row's paths (ending
// with the category's own name), or else built from its parents.
func (c *Client) Categories(ctx context.Context) ([]taxonomy.Category, error) {
	var rows []categoryRow
	seen := map[int64]bool{}
	err := walk(ctx, c, "/product/api/categories/get-all-categories?status=ACTIVE&available=true&version=1",
		func(p []categoryRow) {
			for _, r := range p {
				if !seen[r.CategoryID] { // a row can move to the next page while the list is walked
					seen[r.CategoryID] = true
					rows = append(rows, r)
				}
			}
		})
	if err != nil {
		return nil, fmt.Errorf("list categories: %w", err)
	}
	byID := map[int64]*categoryRow{}
	for i := range rows {
		if rows[i].Name == "" {
			rows[i].Name = rows[i].DisplayName
		}
		byID[rows[i].CategoryID] = &rows[i]
	}
	// parent is a row's parent among the rows (none for a top-level category, or one
	// whose parent is not listed).
	parent := func(r *categoryRow) *categoryRow {
		if r.ParentCategoryID == nil || *r.ParentCategoryID == r.CategoryID {
			return nil
		}
		return byID[*r.ParentCategoryID]
	}
	// ancestors is a row's chain of listed parents, nearest first (bounded, in case
	// the rows describe a cycle).
	ancestors := func(r *categoryRow) []*categoryRow {
		var chain []*categoryRow
		for up := parent(r); up != nil && len(chain) < len(rows); up = parent(up) {
			chain = append(chain, up)
		}
		return chain
	}
	pathOf := func(r *categoryRow) []string {
		if len(r.Paths) > 0 {
			p := slices.Clone(r.Paths)
			if p[len(p)-1] != r.Name {
				p = append(p, r.Name)
			}
			return p
		}
		p := []string{r.Name}
		for _, up := range ancestors(r) {
			p = append(p, up.Name)
		}
		slices.Reverse(p)
		return p
	}
	// Parents come first: categories are sorted by their depth in the listed tree.
	out := make([]taxonomy.Category, 0, len(rows))
	depths := map[string]int{}
	for i := range rows {
		r := &rows[i]
		cat := taxonomy.Category{ID: strconv.FormatInt(r.CategoryID, 10), Name: r.Name, Path: pathOf(r), Leaf: r.Leaf}
		if up := parent(r); up != nil {
			cat.ParentID = strconv.FormatInt(up.CategoryID, 10)
		}
		depths[cat.ID] = len(ancestors(r))
		out = append(out, cat)
	}
	slices.SortStableFunc(out, func(a, b taxonomy.Category) int { return depths[a.ID] - depths[b.ID] })
	return out, nil
}

type attributeRow struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Mandatory  bool   `json:"mandatory"`
	Type       string `json:"type"`
	MultiValue bool   `json:"multiValue"`
}

type valueRow struct {
	Value string `json:"value"`
}

// Definition implements taxonomy.Source with a leaf category's attributes and variant
// attributes (the base attributes are the import's fixed keys, which the adapter fills
// itself), and the allowed values of each enum attribute. Hepsiburada takes values as
// text, so a Value's ID is the value itself; a "string" attribute takes free text.
func (c *Client) Definition(ctx context.Context, categoryID string) (taxonomy.Definition, error) {
	if _, err := strconv.ParseInt(categoryID, 10, 64); err != nil {
		return taxonomy.Definition{}, fmt.Errorf("definition of category %q: not a hepsiburada category ID", categoryID)
	}
	var res struct {
		Data struct {
			Attributes        []attributeRow `json:"attributes"`
			VariantAttributes []attributeRow `json:"variantAttributes"`
		} `json:"data"`
	}
	path := "/product/api/categories/" + url.PathEscape(categoryID)
	if err := c.do(ctx, http.MethodGet, c.cfg.CatalogURL+path+"/attributes", "", nil, &res); err != nil {
		return taxonomy.Definition{}, fmt.Errorf("attributes of category %s: %w", categoryID, err)
	}
	def := taxonomy.Definition{CategoryID: categoryID, Attributes: []taxonomy.Attribute{}}
	add := func(rows []attributeRow, varianter bool) error {
		for _, r := range rows {
			a := taxonomy.Attribute{ID: r.ID, Name: r.Name, Required: r.Mandatory, Multiple: r.MultiValue,
				Varianter: varianter, AllowCustom: strings.EqualFold(r.Type, "string")}
			if strings.EqualFold(r.Type, "enum") {
				err := walk(ctx, c, path+"/attribute/"+url.PathEscape(r.ID)+"/values?version=5", func(vs []valueRow) {
					for _, v := range vs {
						if v.Value != "" && !slices.ContainsFunc(a.Values, func(x taxonomy.Value) bool { return x.ID == v.Value }) {
							a.Values = append(a.Values, taxonomy.Value{ID: v.Value, Name: v.Value})
						}
					}
				})
				if err != nil {
					return fmt.Errorf("values of %s in category %s: %w", r.ID, categoryID, err)
				}
			}
			def.Attributes = append(def.Attributes, a)
		}
		return nil
	}
	if err := add(res.Data.Attributes, false); err != nil {
		return taxonomy.Definition{}, err
	}
	if err := add(res.Data.VariantAttributes, true); err != nil {
		return taxonomy.Definition{}, err
	}
	return def, nil
}

// Brands implements taxonomy.Source: the import takes the brand as text (Marka) and
// Hepsiburada publishes no registry of brand IDs, so there is nothing to read.
func (c *Client) Brands(ctx context.Context, fn func([]taxonomy.Brand) error) error { return nil }
