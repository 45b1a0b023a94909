package api

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// This file generates openapi.json. Schemas of bodies come from the Go types the
// handlers encode and decode, by reflection, so a field added to a response is in the
// document at the next -update-openapi; the rules the handlers enforce beyond the
// types (patterns, ranges, enums) are added by hand in refinements. TestOpenAPIDocument
// keeps the committed file equal to what this generates.

var updateOpenAPI = flag.Bool("update-openapi", false, "rewrite api/openapi.json from the generator")

// obj is a JSON object of the document.
type obj = map[string]any

// TestOpenAPIDocument checks that openapi.json is what the generator makes of the
// current types and operations; with -update-openapi it rewrites it.
func TestOpenAPIDocument(t *testing.T) {
	doc := openAPIDocument()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	require.NoError(t, enc.Encode(doc))
	if *updateOpenAPI {
		require.NoError(t, os.WriteFile("openapi.json", buf.Bytes(), 0o644))
		return
	}
	require.Equal(t, buf.String(), string(openAPI),
		"api/openapi.json is stale: run go test ./api -run TestOpenAPIDocument -update-openapi")
}

// schemaGen turns Go types into JSON Schemas, naming struct types as components.
type schemaGen struct {
	names   map[reflect.Type]string
	schemas obj
}

// componentNames name the struct types of bodies in the document.
var componentNames = map[reflect.Type]string{
	reflect.TypeFor[Problem]():                  "Problem",
	reflect.TypeFor[FieldError]():               "FieldError",
	reflect.TypeFor[Accepted]():                 "Accepted",
	reflect.TypeFor[messages.Product]():         "ProductInput",
	reflect.TypeFor[ProductResponse]():          "Product",
	reflect.TypeFor[PhotoResponse]():            "Photo",
	reflect.TypeFor[ImageResponse]():            "Image",
	reflect.TypeFor[messages.Analysis]():        "Analysis",
	reflect.TypeFor[messages.Color]():           "Color",
	reflect.TypeFor[messages.PhotoCompliance](): "PhotoCompliance",
	reflect.TypeFor[messages.ListingText]():     "ListingText",
	reflect.TypeFor[messages.Compliance]():      "Compliance",
	reflect.TypeFor[store.Stage]():              "Stage",
	reflect.TypeFor[store.Listing]():            "Listing",
	reflect.TypeFor[ListResponse]():             "ProductList",
	reflect.TypeFor[store.Found]():              "ProductListItem",
	reflect.TypeFor[messages.StockV1]():         "Stock",
	reflect.TypeFor[StockRequest]():             "StockRequest",
	reflect.TypeFor[InputRequest]():             "ListingInputRequest",
	reflect.TypeFor[store.ListingInput]():       "ListingInput",
	reflect.TypeFor[store.Pin]():                "Pin",
	reflect.TypeFor[taxonomy.Category]():        "Category",
	reflect.TypeFor[taxonomy.Definition]():      "CategoryDefinition",
	reflect.TypeFor[taxonomy.Attribute]():       "Attribute",
	reflect.TypeFor[taxonomy.Value]():           "AttributeValue",
	reflect.TypeFor[TextRequest]():              "TextRequest",
	reflect.TypeFor[ImportAccepted]():           "ImportAccepted",
	reflect.TypeFor[ImportProgress]():           "ImportProgress",
	reflect.TypeFor[store.BadRow]():             "BadRow",
}

// of is the schema of t: a $ref for a named struct, inline for anything else.
func (g *schemaGen) of(t reflect.Type) obj {
	switch t {
	case reflect.TypeFor[time.Time]():
		return obj{"type": "string", "format": "date-time"}
	case reflect.TypeFor[json.RawMessage]():
		return obj{"description": "any JSON value"}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return g.of(t.Elem())
	case reflect.String:
		return obj{"type": "string"}
	case reflect.Bool:
		return obj{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return obj{"type": "integer"}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return obj{"type": "integer", "minimum": 0}
	case reflect.Float32, reflect.Float64:
		return obj{"type": "number"}
	case reflect.Slice, reflect.Array:
		return obj{"type": "array", "items": g.of(t.Elem())}
	case reflect.Map:
		return obj{"type": "object", "additionalProperties": g.of(t.Elem())}
	case reflect.Struct:
		name, ok := g.names[t]
		if !ok {
			panic(fmt.Sprintf("openapi: no component name for %v: add it to componentNames", t))
		}
		if _, done := g.schemas[name]; !done {
			g.schemas[name] = obj{} // a recursive type refers to it while it is built
			g.schemas[name] = g.structSchema(t)
		}
		return ref("#/components/schemas/" + name)
	}
	panic(fmt.Sprintf("openapi: no schema for %v", t))
}

// structSchema is a struct's object schema, as encoding/json writes it: embedded
// structs' fields promoted unless a shallower field has the name, fields without
// omitempty or omitzero required, no other member.
func (g *schemaGen) structSchema(t reflect.Type) obj {
	props, required := obj{}, []string{}
	g.fields(t, props, &required, map[string]bool{})
	return obj{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// fields adds t's JSON fields to props; taken holds the names a shallower level set.
func (g *schemaGen) fields(t reflect.Type, props obj, required *[]string, taken map[string]bool) {
	var embedded []reflect.Type
	level := map[string]bool{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			embedded = append(embedded, f.Type)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if taken[name] {
			continue
		}
		level[name] = true
		props[name] = g.of(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") {
			*required = append(*required, name)
		}
	}
	for name := range level {
		taken[name] = true
	}
	for _, e := range embedded {
		g.fields(e, props, required, taken)
	}
}

// ref is a $ref.
func ref(to string) obj { return obj{"$ref": to} }

// prop returns the property schema name of component c, for refinements.
func prop(schemas obj, c, name string) obj {
	comp, _ := schemas[c].(obj)
	props, _ := comp["properties"].(obj)
	p, ok := props[name].(obj)
	if !ok {
		panic(fmt.Sprintf("openapi: component %s has no property %s", c, name))
	}
	return p
}

// set copies kv into o.
func set(o obj, kv obj) {
	for k, v := range kv {
		o[k] = v
	}
}
