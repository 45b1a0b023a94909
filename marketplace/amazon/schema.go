package amazon

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/taxonomy"
)

// productSchema is a product type's JSON Schema, the parts the adapter reads to shape
// mapped attributes, and the schema compiled for checking listings before they are sent.
type productSchema struct {
	props    map[string]property
	required map[string]bool

	raw     []byte
	once    sync.Once
	checker *spmodel.ProductTypeSchema
	err     error
}

// property is one attribute of a product type schema: an array of items, each an
// object with its value and selectors (marketplace_id, language_tag) or, for nested
// attributes such as footwear_size, several fields.
type property struct {
	Title          string `json:"title"`
	MaxItems       *int   `json:"maxItems"`
	MaxUniqueItems *int   `json:"maxUniqueItems"`
	Items          struct {
		Required   []string         `json:"required"`
		Properties map[string]field `json:"properties"`
	} `json:"items"`
}

// field is one field of an attribute's items.
type field struct {
	Title     string   `json:"title"`
	Type      string   `json:"type"`
	Enum      []any    `json:"enum"`
	EnumNames []string `json:"enumNames"`
	AnyOf     []field  `json:"anyOf"`
	Default   any      `json:"default"`
}

func parseSchema(raw []byte) (*productSchema, error) {
	var doc struct {
		Required   []string            `json:"required"`
		Properties map[string]property `json:"properties"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("parse: %w", err)
	}
	s := &productSchema{props: doc.Properties, required: map[string]bool{}, raw: raw}
	for _, r := range doc.Required {
		s.required[r] = true
	}
	return s, nil
}

// validate checks attributes against the schema, compiled the first time.
func (s *productSchema) validate(attrs map[string]any) ([]spmodel.Violation, error) {
	s.once.Do(func() { s.checker, s.err = spmodel.CompileProductType(s.raw) })
	if s.err != nil {
		return nil, s.err
	}
	return s.checker.Validate(attrs)
}

// multiple reports whether the attribute takes several values.
func (p property) multiple() bool {
	n := p.MaxUniqueItems
	if n == nil {
		n = p.MaxItems
	}
	return n == nil || *n > 1
}

// valueField is the item field the attribute's value goes into: "value", or for
// attributes without one (apparel_size, footwear_size) the required field that has
// neither a default nor a single allowed value.
func (p property) valueField() string {
	if _, ok := p.Items.Properties["value"]; ok {
		return "value"
	}
	for _, name := range p.Items.Required {
		f := p.Items.Properties[name]
		if name != "marketplace_id" && name != "language_tag" && f.Default == nil && len(f.Enum) != 1 {
			return name
		}
	}
	return "value"
}

type enumValue struct{ id, name string }

// enum is the field's allowed values and whether free text is allowed besides: a
// strict enum, or an anyOf of free text and suggested values.
func (f field) enum() ([]enumValue, bool) {
	if len(f.Enum) > 0 {
		return f.values(), false
	}
	if len(f.AnyOf) == 0 {
		return nil, true
	}
	var out []enumValue
	custom := false
	for _, b := range f.AnyOf {
		if len(b.Enum) == 0 {
			custom = true
		}
		out = append(out, b.values()...)
	}
	return out, custom
}

func (f field) values() []enumValue {
	out := make([]enumValue, len(f.Enum))
	for i, v := range f.Enum {
		out[i] = enumValue{id: fmt.Sprint(v), name: fmt.Sprint(v)}
		if i < len(f.EnumNames) {
			out[i].name = f.EnumNames[i]
		}
	}
	return out
}

// items is a mapped attribute in the schema's shape: one item per value, its value in
// the attribute's value field as the field's type (a number for item_volume's "350
// ml"), the store's marketplace_id and language_tag where the items have them, a unit
// read from the text where the items have one, and the defaults of the other required
// fields (footwear_size's size_system). Without a schema, or for an attribute the
// schema lacks, each value is sent as text.
func (s *productSchema) items(m marketplace.MappedAttribute, mid, tag string) []any {
	vals := m.ValueIDs
	if len(vals) == 0 && strings.TrimSpace(m.Value) != "" {
		vals = []string{strings.TrimSpace(m.Value)}
	}
	var p property
	known := false
	if s != nil {
		p, known = s.props[m.ID]
	}
	out := make([]any, 0, len(vals))
	for _, v := range vals {
		if !known {
			out = append(out, map[string]any{"value": v, "language_tag": tag, "marketplace_id": mid})
			continue
		}
		fields := p.Items.Properties
		vf := p.valueField()
		it := map[string]any{vf: fields[vf].convert(v)}
		if _, ok := fields["marketplace_id"]; ok {
			it["marketplace_id"] = mid
		}
		if _, ok := fields["language_tag"]; ok {
			it["language_tag"] = tag
		}
		if u, ok := fields["unit"]; ok && vf != "unit" {
			if unit := u.unit(v); unit != nil {
				it["unit"] = unit
			}
		}
		for _, name := range p.Items.Required {
			if _, set := it[name]; set {
				continue
			}
			switch f := fields[name]; {
			case f.Default != nil:
				it[name] = f.Default
			case len(f.Enum) == 1:
				it[name] = f.Enum[0]
			}
		}
		out = append(out, it)
	}
	return out
}

// convert turns a value's text into the field's JSON type; text that is not one is
// left as it is, for validation to name.
func (f field) convert(v string) any {
	switch f.Type {
	case "number":
		if n, ok := number(v); ok {
			return n
		}
	case "integer":
		if n, ok := number(v); ok && n == float64(int64(n)) {
			return int64(n)
		}
	case "boolean":
		switch taxonomy.Fold(v) {
		case "true", "evet", "var", "yes":
			return true
		case "false", "hayir", "yok", "no":
			return false
		}
	}
	return v
}

// number reads the number a value starts with: "350 ml" is 350, "1,5 L" and "1.5" are
// 1.5, "1.250,5" is 1250.5.
func number(v string) (float64, bool) {
	v = strings.TrimSpace(v)
	end := 0
	for end < len(v) && (v[end] >= '0' && v[end] <= '9' || v[end] == '.' || v[end] == ',') {
		end++
	}
	s := v[:end]
	if strings.Contains(s, ",") {
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil
}

// unitWords are the ways sellers write units, by the unit Amazon's schemas name.
var unitWords = map[string][]string{
	"milliliters": {"ml", "mililitre", "milliliter"}, "liters": {"l", "lt", "litre", "liter"},
	"kilograms": {"kg", "kilo", "kilogram"}, "grams": {"g", "gr", "gram"},
	"millimeters": {"mm", "milimetre", "millimeter"}, "centimeters": {"cm", "santimetre", "centimeter"},
	"cups": {"fincan", "cup", "cups"},
}

// unit is the unit a value's text names after its number (one of the field's allowed
// units), else the field's default.
func (f field) unit(v string) any {
	word := taxonomy.Fold(strings.TrimLeft(strings.TrimSpace(v), "0123456789.,"))
	if word != "" {
		for _, e := range f.values() {
			if word == taxonomy.Fold(e.id) || word == taxonomy.Fold(e.name) {
				return e.id
			}
			for _, w := range unitWords[e.id] {
				if word == w {
					return e.id
				}
			}
		}
	}
	return f.Default
}

// productSchema is the schema a listing of a product type is checked against before
// it is sent, and its mapped attributes shaped by: the one Config.Schema returns,
// checked against (the bool is true). Without one, a mapped listing is shaped by the
// schema read from Amazon (Definition) once per product type and not checked; an
// unmapped one needs none (nil).
func (c *Client) productSchema(ctx context.Context, productType string, mapped bool) (*productSchema, bool, error) {
	if c.cfg.Schema != nil {
		raw, err := c.cfg.Schema(ctx, productType)
		if err != nil {
			return nil, false, err
		}
		if len(raw) > 0 {
			sum := md5.Sum(raw)
			s, err := c.cachedSchema(fmt.Sprintf("hook/%s/%x", productType, sum), func() (*productSchema, error) { return parseSchema(raw) })
			return s, true, err
		}
	}
	if !mapped {
		return nil, false, nil
	}
	s, err := c.cachedSchema("amazon/"+productType, func() (*productSchema, error) {
		def, err := c.Definition(ctx, productType)
		if err != nil {
			return nil, err
		}
		return parseSchema(def.Schema)
	})
	return s, false, err
}

func (c *Client) cachedSchema(key string, load func() (*productSchema, error)) (*productSchema, error) {
	c.mu.Lock()
	s, ok := c.schemas[key]
	c.mu.Unlock()
	if ok {
		return s, nil
	}
	s, err := load()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.schemas[key] = s
	return s, nil
}
