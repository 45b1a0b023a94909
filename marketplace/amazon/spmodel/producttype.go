package spmodel

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// MetaSchemaURL is the $schema Amazon's product type schemas declare: JSON Schema draft
// 2019-09 with Amazon's own keywords (selectors, enumNames, editable, hidden,
// maxUtf8ByteLength, minUniqueItems, maxUniqueItems…). CompileProductType treats it as
// draft 2019-09; the keywords it does not know describe, they do not constrain.
const MetaSchemaURL = "https://schemas.amazon.com/selling-partners/definitions/product-types/meta-schema/v1"

// ProductTypeSchema is one product type's JSON Schema (from getDefinitionsProductType's
// schema link), compiled, for checking a listing's attributes before they are sent.
type ProductTypeSchema struct {
	schema *jsonschema.Schema
	titles map[string]string // top-level attribute → its title
}

// CompileProductType compiles a product type schema. Its $schema may be Amazon's meta-
// schema (MetaSchemaURL) or a JSON Schema draft; nothing is fetched from the network.
func CompileProductType(raw []byte) (*ProductTypeSchema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse product type schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2019)
	meta := map[string]any{"$schema": "https://json-schema.org/draft/2019-09/schema", "$id": MetaSchemaURL}
	if err := c.AddResource(MetaSchemaURL, meta); err != nil {
		return nil, fmt.Errorf("add amazon meta-schema: %w", err)
	}
	loc := "urn:stox:product-type-schema"
	if err := c.AddResource(loc, doc); err != nil {
		return nil, fmt.Errorf("add product type schema: %w", err)
	}
	s, err := c.Compile(loc)
	if err != nil {
		return nil, fmt.Errorf("compile product type schema: %w", err)
	}
	var titles struct {
		Properties map[string]struct {
			Title string `json:"title"`
		} `json:"properties"`
	}
	_ = json.Unmarshal(raw, &titles) // it parsed above
	out := &ProductTypeSchema{schema: s, titles: map[string]string{}}
	for name, p := range titles.Properties {
		out.titles[name] = p.Title
	}
	return out, nil
}

// Violation is one way a listing's attributes break a product type schema.
type Violation struct {
	// Attribute is the top-level attribute concerned (color, footwear_size); empty
	// when the problem is with the attributes as a whole.
	Attribute string
	// Title is the attribute's title in the schema (Renk), if it has one.
	Title string
	// Missing is true for a required attribute that was not supplied.
	Missing bool
	// Allowed are the allowed values of a value outside its enum.
	Allowed []string
	// Message says what is wrong, without the attribute's name: "required but not
	// supplied", "value must be one of Kadın, Erkek, Unisex".
	Message string
}

// String is the violation as a reason a seller can act on:
// "department (Departman): value must be one of Kadın, Erkek, Unisex".
func (v Violation) String() string {
	name := v.Attribute
	if v.Title != "" && v.Title != v.Attribute {
		name += " (" + v.Title + ")"
	}
	if name == "" {
		return v.Message
	}
	return name + ": " + v.Message
}

var printer = message.NewPrinter(language.English)

// Validate checks a listing's attributes (the attributes object of a putListingsItem
// body) and returns every violation, sorted by attribute; none when they are valid.
func (s *ProductTypeSchema) Validate(attrs map[string]any) ([]Violation, error) {
	raw, err := json.Marshal(attrs)
	if err != nil {
		return nil, fmt.Errorf("encode attributes: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("decode attributes: %w", err)
	}
	err = s.schema.Validate(inst)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil, nil
	}
	if !errors.As(err, &ve) {
		return nil, fmt.Errorf("validate attributes: %w", err)
	}
	seen := map[string]bool{}
	var out []Violation
	add := func(v Violation) {
		v.Title = s.titles[v.Attribute]
		if key := v.String(); !seen[key] {
			seen[key] = true
			out = append(out, v)
		}
	}
	for _, leaf := range leaves(ve) {
		loc := leaf.InstanceLocation
		switch k := leaf.ErrorKind.(type) {
		case *kind.Required:
			for _, m := range k.Missing {
				if len(loc) == 0 {
					add(Violation{Attribute: m, Missing: true, Message: "required but not supplied"})
				} else {
					add(Violation{Attribute: loc[0], Message: field(loc, m) + " is required but not supplied"})
				}
			}
		case *kind.Enum:
			v := Violation{Message: fmt.Sprintf("%s %s is not allowed: must be one of %s", field(loc, ""), display(k.Got), joinValues(k.Want))}
			for _, w := range k.Want {
				v.Allowed = append(v.Allowed, fmt.Sprint(w))
			}
			if len(loc) > 0 {
				v.Attribute = loc[0]
			}
			add(v)
		default:
			v := Violation{Message: leaf.ErrorKind.LocalizedString(printer)}
			if len(loc) > 0 {
				v.Attribute = loc[0]
				if f := field(loc, ""); f != "value" {
					v.Message = f + ": " + v.Message
				}
			}
			add(v)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Attribute < out[j].Attribute })
	return out, nil
}

// leaves are the errors without causes: the failed keywords themselves.
func leaves(e *jsonschema.ValidationError) []*jsonschema.ValidationError {
	if len(e.Causes) == 0 {
		return []*jsonschema.ValidationError{e}
	}
	var out []*jsonschema.ValidationError
	for _, c := range e.Causes {
		out = append(out, leaves(c)...)
	}
	return out
}

// field names the part of an attribute a location points at: the last name after the
// attribute, its array indexes left out ("size" in footwear_size/0/size), then child;
// "value" when there is none.
func field(loc []string, child string) string {
	var parts []string
	for _, p := range loc[min(1, len(loc)):] {
		if _, err := strconv.Atoi(p); err != nil {
			parts = append(parts, p)
		}
	}
	if child != "" {
		parts = append(parts, child)
	}
	if len(parts) == 0 {
		return "value"
	}
	return strings.Join(parts, ".")
}

func display(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func joinValues(vs []any) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = fmt.Sprint(v)
	}
	return strings.Join(s, ", ")
}
