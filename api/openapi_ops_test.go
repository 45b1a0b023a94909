package api

import (
	"reflect"
	"strconv"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// openAPIDocument is the API's OpenAPI 3.1 document: its operations, written here
// beside the handlers' rules, and the schemas of their bodies, generated from the Go
// types (schemaGen).
func openAPIDocument() obj {
	g := &schemaGen{names: componentNames, schemas: obj{}}
	paths := openAPIPaths(g)
	g.of(reflect.TypeFor[Problem]()) // the shared problem responses refer to it
	refineSchemas(g.schemas)
	return obj{
		"openapi":           "3.1.0",
		"jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
		"info": obj{
			"title":   "Stox image service API",
			"version": "1",
			"description": "Sellers upload products with photos, read their state on every marketplace, " +
				"set stock and complete listings; marketplaces fetch images. Every error is an RFC 9457 " +
				"problem (application/problem+json) whose errors member names each field that is wrong.",
		},
		"security": []any{obj{"bearer": []any{}}},
		"paths":    paths,
		"components": obj{
			"securitySchemes": obj{"bearer": obj{
				"type": "http", "scheme": "bearer",
				"description": "One of STOX_API_KEYS; required under /v1 when keys are configured.",
			}},
			"schemas":    g.schemas,
			"responses":  problemResponses(),
			"headers":    openAPIHeaders(),
			"parameters": openAPIParameters(),
		},
	}
}

// openAPIPaths are the operations, by path and method.
func openAPIPaths(g *schemaGen) obj {
	v1 := func(o obj, codes ...int) obj { return withProblems(o, append(codes, 400, 401, 429, 500, 503)...) }
	jsonBody := func(t reflect.Type) obj {
		return obj{"required": true, "content": obj{"application/json": obj{"schema": g.of(t)}}}
	}
	sku, id, mp := pref("sku"), pref("id"), pref("marketplace")
	return obj{
		"/v1/products": obj{
			"post": v1(operation("uploadProduct", "Upload a product with its photos",
				"The same SKU again makes a new revision of the same product. Photos are checked "+
					"(type by their bytes, size, pixels) before anything is stored.",
				nil, uploadBody(g),
				obj{"202": jsonResponse("Accepted: stored and announced to the pipeline", g.of(reflect.TypeFor[Accepted]()),
					obj{"Location": obj{"required": true, "description": "the product: /v1/products/{id}", "schema": obj{"type": "string"}}})}),
				408, 413, 415, 422),
			"get": v1(operation("listProducts", "List products, newest first", "",
				[]any{
					query("limit", "page size (default 20)", obj{"type": "integer", "minimum": 1, "maximum": maxLimit}),
					query("after", "the next member of the previous page", obj{"type": "string"}),
					query("q", "products whose SKU or name contains this (ASCII letters in any case)", obj{"type": "string"}),
					query("stage", "products with a stage of their current revision in this state",
						obj{"type": "string", "enum": []any{store.StatePending, store.StateDone, store.StateFailed}}),
					query("marketplace", "products with a listing on this marketplace (in state listing, when given)",
						obj{"type": "string", "enum": []any{messages.Amazon, messages.Trendyol, messages.Hepsiburada}}),
					query("listing", "products with a listing in this state",
						obj{"type": "string", "enum": []any{store.ListingNeedsInput, store.ListingQueued, store.ListingSubmitted,
							store.ListingAccepted, store.ListingRejected}}),
					query("attention", "true: products that need the seller (a failed stage, a listing rejected or waiting for input)",
						obj{"type": "string", "enum": []any{"true", "false"}}),
				}, nil,
				obj{"200": jsonResponse("A page of products, each with its listings' states", g.of(reflect.TypeFor[ListResponse]()), nil)})),
		},
		"/v1/products/{id}": obj{"get": v1(operation("getProduct", "A product with its stages, images, texts and listings", "",
			[]any{id}, nil,
			obj{"200": jsonResponse("The product", g.of(reflect.TypeFor[ProductResponse]()), nil)}), 404)},
		"/v1/products/{sku}/stock": obj{
			"get": v1(operation("getStock", "A SKU's stock in the ledger", "", []any{sku}, nil,
				obj{"200": jsonResponse("The stock", g.of(reflect.TypeFor[messages.StockV1]()), nil)}), 404, 501),
			"put": v1(operation("setStock", "Set a SKU's stock by hand",
				"Every marketplace is brought to the new quantity.", []any{sku},
				jsonBody(reflect.TypeFor[StockRequest]()),
				obj{"200": jsonResponse("The stock set and broadcast", g.of(reflect.TypeFor[messages.StockV1]()), nil)}),
				404, 408, 413, 415, 501),
		},
		"/v1/products/{id}/listings/{marketplace}/input": obj{"put": v1(operation("setListingInput",
			"Supply what a listing in needs_input lacks",
			"In the marketplace's words: IDs for category and brand, attribute names or IDs as missing names them.",
			[]any{id, mp}, jsonBody(reflect.TypeFor[InputRequest]()),
			obj{"200": jsonResponse("The input recorded", g.of(reflect.TypeFor[store.ListingInput]()), nil)}),
			404, 408, 413, 415, 422, 501)},
		"/v1/products/{id}/texts/{marketplace}": obj{"put": v1(operation("setText",
			"Write a listing's text by hand",
			"Stored as the seller's when it meets the marketplace's rules (422 lists each it breaks); "+
				"it does not resubmit the listing.",
			[]any{id, mp}, jsonBody(reflect.TypeFor[TextRequest]()),
			obj{"200": jsonResponse("The text stored", g.of(reflect.TypeFor[messages.ListingText]()), nil)}),
			404, 408, 409, 413, 415, 422)},
		"/v1/products/{id}/listings/{marketplace}/resubmit": obj{"post": v1(operation("resubmitListing",
			"Queue a listing again with its current text", "On the same revision.",
			[]any{id, mp}, nil,
			obj{"202": jsonResponse("Queued", obj{"type": "object", "required": []string{"state"}, "additionalProperties": false,
				"properties": obj{"state": obj{"const": store.ListingQueued}}}, nil)}),
			404, 409, 501)},
		"/v1/imports": obj{"post": v1(operation("importCatalogue", "Import a catalogue (CSV or XLSX) with a ZIP of photos",
			"Every row is checked (the upload's rules, each photo read) before any is queued; rows unchanged "+
				"since their SKU's current revision are skipped.",
			nil, importBody(),
			obj{"202": jsonResponse("Accepted: the good rows queued", g.of(reflect.TypeFor[ImportAccepted]()),
				obj{"Location": obj{"required": true, "description": "the import's progress: /v1/imports/{id}", "schema": obj{"type": "string"}}})}),
			408, 413, 415, 422, 501)},
		"/v1/imports/{id}": obj{"get": v1(operation("getImport", "An import's progress through the pipeline", "",
			[]any{obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string", "minLength": 1}}}, nil,
			obj{"200": jsonResponse("The import", g.of(reflect.TypeFor[ImportProgress]()), nil)}), 404, 501)},
		"/v1/imports/template.csv": obj{"get": v1(templateOperation("importTemplateCSV", "text/csv"))},
		"/v1/imports/template.xlsx": obj{"get": v1(templateOperation("importTemplateXLSX",
			"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))},
		"/v1/mappings": obj{
			"get": v1(operation("listPins", "The seller's pinned mappings", "",
				[]any{query("marketplace", "only this marketplace's pins", marketplaceSchema())}, nil,
				obj{"200": jsonResponse("The pins", pinList(g), nil)}), 501),
			"put": v1(operation("putPin", "Pin a mapping for every later product",
				"A category pin must name a leaf of the stored taxonomy.", nil,
				obj{"required": true, "content": obj{"application/json": obj{"schema": ref("#/components/schemas/PinRequest")}}},
				obj{"200": jsonResponse("The pin stored", g.of(reflect.TypeFor[store.Pin]()), nil)}),
				408, 413, 415, 422, 501),
			"delete": v1(operation("deletePin", "Remove a pin", "", []any{
				query("marketplace", "", marketplaceSchema(), true),
				query("kind", "", pinKindSchema(), true),
				query("attribute", "the attribute of a value pin", obj{"type": "string"}),
				query("from", "the seller's word", obj{"type": "string", "minLength": 1}, true),
			}, nil, obj{"204": obj{"description": "Removed"}}), 404, 501),
		},
		"/v1/taxonomy/{marketplace}/categories": obj{"get": v1(operation("searchCategories",
			"Search a marketplace's stored leaf categories", "By words of their path; Turkish letters optional.",
			[]any{mp,
				query("q", "words of the category's name or path", obj{"type": "string"}),
				query("limit", "most results (default 20)", obj{"type": "integer", "minimum": 1, "maximum": 500}),
			}, nil, obj{"200": jsonResponse("The categories found", categoryList(g), nil)}), 404, 501)},
		"/v1/taxonomy/{marketplace}/categories/{id}": obj{"get": v1(operation("getCategory",
			"A leaf category's attributes", "Which are required, whether free text is allowed, the allowed values.",
			[]any{mp, obj{"name": "id", "in": "path", "required": true, "schema": obj{"type": "string"}}}, nil,
			obj{"200": jsonResponse("The category's definition", g.of(reflect.TypeFor[taxonomy.Definition]()), nil)}), 404, 501)},
		"/images/{key}": obj{"get": imageOperation()},
		"/healthz":      obj{"get": healthzOperation()},
		"/openapi.json": obj{"get": openAPIOperation()},
	}
}

// operation is an operation object; params and body may be nil.
func operation(id, summary, description string, params []any, body, responses obj) obj {
	o := obj{"operationId": id, "summary": summary, "responses": responses}
	if description != "" {
		o["description"] = description
	}
	if params != nil {
		o["parameters"] = params
	}
	if body != nil {
		o["requestBody"] = body
	}
	return o
}

// withProblems adds the shared problem responses of codes to o.
func withProblems(o obj, codes ...int) obj {
	rs := o["responses"].(obj)
	for _, c := range codes {
		rs[strconv.Itoa(c)] = ref("#/components/responses/" + problemNames[c])
	}
	return o
}

// jsonResponse is a response with a JSON body and headers (nil: the rate limit's).
func jsonResponse(description string, schema obj, headers obj) obj {
	h := rateLimitHeaders()
	for k, v := range headers {
		h[k] = v
	}
	return obj{"description": description, "headers": h, "content": obj{"application/json": obj{"schema": schema}}}
}

// rateLimitHeaders are on every answer under /v1 when a rate limit is set.
func rateLimitHeaders() obj {
	return obj{
		"RateLimit-Limit":     ref("#/components/headers/RateLimit-Limit"),
		"RateLimit-Remaining": ref("#/components/headers/RateLimit-Remaining"),
		"RateLimit-Reset":     ref("#/components/headers/RateLimit-Reset"),
	}
}

// pref refers to a shared path parameter.
func pref(name string) obj { return ref("#/components/parameters/" + name) }

// query is a query parameter, required when req says so.
func query(name, description string, schema obj, req ...bool) obj {
	q := obj{"name": name, "in": "query", "schema": schema}
	if description != "" {
		q["description"] = description
	}
	if len(req) > 0 && req[0] {
		q["required"] = true
	}
	return q
}

func marketplaceSchema() obj {
	return obj{"type": "string", "enum": messages.Marketplaces}
}

func pinKindSchema() obj {
	return obj{"type": "string", "enum": []string{store.PinCategory, store.PinBrand, store.PinValue}}
}

// pinList is the body of GET /v1/mappings.
func pinList(g *schemaGen) obj {
	return obj{"type": "object", "required": []string{"pins"}, "additionalProperties": false,
		"properties": obj{"pins": obj{"type": "array", "items": g.of(reflect.TypeFor[store.Pin]())}}}
}

// categoryList is the body of GET /v1/taxonomy/{marketplace}/categories.
func categoryList(g *schemaGen) obj {
	return obj{"type": "object", "required": []string{"categories"}, "additionalProperties": false,
		"properties": obj{"categories": obj{"type": "array", "items": g.of(reflect.TypeFor[taxonomy.Category]())}}}
}

// importBody is POST /v1/imports's multipart body.
func importBody() obj {
	return obj{"required": true, "content": obj{"multipart/form-data": obj{
		"schema": obj{
			"type": "object", "required": []string{"file"}, "additionalProperties": false,
			"properties": obj{
				"file":   obj{"type": "string", "description": "the catalogue, CSV or XLSX (by its file name)"},
				"photos": obj{"type": "string", "contentMediaType": "application/zip", "description": "photos the rows name"},
			},
		},
		"encoding": obj{"photos": obj{"contentType": "application/zip"}},
	}}}
}

// templateOperation is GET /v1/imports/template.{csv,xlsx}.
func templateOperation(id, mediaType string) obj {
	return operation(id, "The catalogue template", "", nil, nil, obj{"200": obj{
		"description": "The template, as an attachment",
		"headers":     rateLimitHeaders(),
		"content":     obj{mediaType: obj{"schema": obj{"type": "string"}}},
	}})
}

// uploadBody is POST /v1/products's multipart body.
func uploadBody(g *schemaGen) obj {
	return obj{"required": true, "content": obj{"multipart/form-data": obj{
		"schema": obj{
			"type": "object", "required": []string{"product", "photos"}, "additionalProperties": false,
			"properties": obj{
				"product": g.of(reflect.TypeFor[messages.Product]()),
				"photos": obj{"type": "array", "minItems": 1, "maxItems": messages.MaxPhotos,
					"description": "JPEG, PNG, GIF or WebP, judged by their bytes; in upload order",
					"items":       obj{"type": "string", "contentMediaType": "image/*"}},
			},
		},
		"encoding": obj{
			"product": obj{"contentType": "application/json"},
			"photos":  obj{"contentType": "image/jpeg, image/png, image/gif, image/webp"},
		},
	}}}
}

// problemNames name the shared problem responses by status.
var problemNames = map[int]string{
	400: "Malformed", 401: "Unauthorized", 404: "NotFound", 408: "RequestTimeout",
	409: "Conflict", 413: "TooLarge", 415: "UnsupportedMediaType", 416: "RangeNotSatisfiable", 422: "Invalid",
	429: "TooManyRequests", 500: "Internal", 501: "NotImplemented", 503: "Unavailable",
}

// problemResponses are the shared problem responses.
func problemResponses() obj {
	descriptions := map[int]string{
		400: "Unreadable request: bad JSON or multipart, an unknown field or part, a bad parameter (" + ProblemMalformed + ")",
		401: "Missing or wrong bearer key",
		404: "No such resource",
		408: "The body arrived too slowly; the connection is closed (" + ProblemTimeout + ")",
		409: "The product's state does not allow it: not listed on the marketplace, a text that breaks its rules, a listing not queued before",
		413: "A photo, a part or the body is too large (" + ProblemTooLarge + ")",
		415: "Not the media type due, or photos that are not JPEG, PNG, GIF or WebP (" + ProblemUnsupportedMedia + ")",
		416: "The range asked for is outside the image",
		422: "Readable but breaks a rule; errors lists each (" + ProblemInvalid + ")",
		429: "Over the key's rate limit",
		500: "The server failed; the request may be retried (" + ProblemInternal + ")",
		501: "Not enabled on this server (no stock ledger or taxonomy)",
		503: "Unavailable now: database, pipeline, stock ledger, upload memory or the request timeout; retry after Retry-After",
	}
	out := obj{}
	for code, name := range problemNames {
		r := obj{"description": descriptions[code],
			"content": obj{problemContentType: obj{"schema": ref("#/components/schemas/Problem")}}}
		switch code {
		case 401:
			r["headers"] = obj{"WWW-Authenticate": obj{"required": true, "schema": obj{"type": "string"}}}
		case 429:
			r["headers"] = rateLimitHeaders()
			r["headers"].(obj)["Retry-After"] = ref("#/components/headers/Retry-After")
		case 503:
			r["headers"] = obj{"Retry-After": ref("#/components/headers/Retry-After")}
		}
		out[name] = r
	}
	return out
}

// openAPIHeaders are the shared response headers.
func openAPIHeaders() obj {
	integer := func(description string, required bool) obj {
		return obj{"description": description, "required": required, "schema": obj{"type": "integer", "minimum": 0}}
	}
	return obj{
		"RateLimit-Limit":     integer("requests the key may send at once", false),
		"RateLimit-Remaining": integer("requests left now", false),
		"RateLimit-Reset":     integer("seconds until a request is allowed again", false),
		"Retry-After":         integer("seconds to wait before sending again", true),
	}
}

// openAPIParameters are the shared path parameters.
func openAPIParameters() obj {
	return obj{
		"id": obj{"name": "id", "in": "path", "required": true, "description": "the product's ID",
			"schema": obj{"type": "string", "minLength": 1}},
		"sku": obj{"name": "sku", "in": "path", "required": true, "description": "the product's SKU",
			"schema": skuSchema()},
		"marketplace": obj{"name": "marketplace", "in": "path", "required": true, "schema": marketplaceSchema()},
	}
}

func skuSchema() obj {
	return obj{"type": "string", "minLength": 1, "maxLength": maxSKU, "pattern": skuPattern.String()}
}

// imageOperation is GET /images/{key}: public, immutable, with ranges and
// conditional requests.
func imageOperation() obj {
	img := obj{"schema": obj{"type": "string", "contentMediaType": "image/*"}}
	o := operation("getImage", "An uploaded photo or a generated image",
		"Public and immutable: a key names its content. Answers Range (206) and If-None-Match (304).",
		[]any{obj{"name": "key", "in": "path", "required": true, "schema": obj{"type": "string"}}}, nil,
		obj{
			"200": obj{"description": "The image's bytes", "headers": obj{
				"ETag":          obj{"required": true, "schema": obj{"type": "string"}},
				"Cache-Control": obj{"required": true, "schema": obj{"type": "string", "const": imageCacheControl}},
			}, "content": obj{"image/jpeg": img, "image/png": img, "image/gif": img, "image/webp": img,
				"application/octet-stream": obj{"schema": obj{"type": "string"}}}},
			"206": obj{"description": "The range asked for",
				"content": obj{"image/*": img, "multipart/byteranges": obj{"schema": obj{"type": "string"}}}},
			"304": obj{"description": "Not modified (If-None-Match)"},
		})
	o["security"] = []any{}
	return withProblems(o, 400, 404, 416, 500, 503)
}

// healthzOperation is GET /healthz.
func healthzOperation() obj {
	o := operation("healthz", "Liveness", "200 while the process serves HTTP.", nil, nil, obj{
		"200": obj{"description": "Serving", "content": obj{"text/plain": obj{"schema": obj{"type": "string", "const": "ok\n"}}}},
	})
	o["security"] = []any{}
	return withProblems(o, 400)
}

// openAPIOperation is GET /openapi.json.
func openAPIOperation() obj {
	o := operation("openAPI", "This document", "Public and cacheable; revalidate with its ETag.", nil, nil, obj{
		"200": obj{"description": "The OpenAPI 3.1 document",
			"headers": obj{"ETag": obj{"required": true, "schema": obj{"type": "string"}}},
			"content": obj{"application/json": obj{"schema": obj{
				"type": "object", "required": []string{"openapi", "info", "paths"},
				"properties": obj{"openapi": obj{"const": "3.1.0"}},
			}}}},
		"304": obj{"description": "Not modified (If-None-Match)"},
	})
	o["security"] = []any{}
	return withProblems(o, 400, 503)
}

// refineSchemas adds the rules the handlers enforce beyond the Go types.
func refineSchemas(s obj) {
	product := s["ProductInput"].(obj)
	product["required"] = []string{"sku", "name", "price"}
	product["description"] = "The product part of an upload; also the product of a stored revision, its defaults filled in."
	set(prop(s, "ProductInput", "sku"), skuSchema())
	set(prop(s, "ProductInput", "name"), obj{"minLength": 1, "maxLength": maxName})
	set(prop(s, "ProductInput", "brand"), obj{"maxLength": maxBrand})
	set(prop(s, "ProductInput", "category"), obj{"maxLength": maxCategory})
	set(prop(s, "ProductInput", "price"), obj{"exclusiveMinimum": 0})
	set(prop(s, "ProductInput", "list_price"), obj{"minimum": 0, "description": "0 or at least the price"})
	set(prop(s, "ProductInput", "currency"), obj{"pattern": currencyPattern.String(), "description": "ISO 4217; default " + defaultCurrency})
	set(prop(s, "ProductInput", "stock"), obj{"minimum": 0, "description": "the initial stock of a new SKU"})
	set(prop(s, "ProductInput", "attributes"), obj{"maxProperties": maxAttributes,
		"propertyNames":        obj{"minLength": 1, "maxLength": maxAttrKey},
		"additionalProperties": obj{"type": "string", "maxLength": maxAttrValue}})
	set(prop(s, "ProductInput", "keywords"), obj{"maxItems": maxKeywords,
		"items": obj{"type": "string", "minLength": 1, "maxLength": maxKeyword}})
	set(prop(s, "ProductInput", "marketplaces"), obj{"minItems": 1, "uniqueItems": true, "items": marketplaceSchema(),
		"description": "left out: every marketplace"})
	set(prop(s, "Product", "state"), obj{"propertyNames": obj{"enum": []string{store.StageImages, store.StageSEO}}})
	set(prop(s, "ProductListItem", "state"), obj{"propertyNames": obj{"enum": []string{store.StageImages, store.StageSEO}}})
	set(prop(s, "ProductListItem", "listings"), obj{"propertyNames": marketplaceSchema(),
		"additionalProperties": obj{"enum": []string{store.ListingNeedsInput, store.ListingQueued, store.ListingSubmitted,
			store.ListingAccepted, store.ListingRejected}},
		"description": "each listing's state, by marketplace (absent when the server lists without them)"})
	set(prop(s, "Product", "listings"), obj{"propertyNames": marketplaceSchema()})
	set(prop(s, "Product", "texts"), obj{"propertyNames": marketplaceSchema()})
	set(prop(s, "Stage", "state"), obj{"enum": []string{store.StatePending, store.StateDone, store.StateFailed}})
	set(prop(s, "Listing", "state"), obj{"enum": []string{store.ListingNeedsInput, store.ListingQueued,
		store.ListingSubmitted, store.ListingAccepted, store.ListingRejected}})
	set(prop(s, "Compliance", "status"), obj{"enum": []string{messages.CompliancePass, messages.ComplianceFixed, messages.ComplianceFail}})
	set(prop(s, "Stock", "quantity"), obj{"minimum": 0})
	set(prop(s, "StockRequest", "quantity"), obj{"minimum": 0, "maximum": MaxQuantity})
	set(prop(s, "Problem", "status"), obj{"minimum": 400, "maximum": 599})
	set(prop(s, "Problem", "type"), obj{"pattern": "^(about:blank|urn:stox:problem:[a-z-]+)$"})
	set(prop(s, "Photo", "url"), obj{"pattern": "^/images/"})
	set(prop(s, "Image", "url"), obj{"pattern": "^/images/"})
	set(prop(s, "TextRequest", "title"), obj{"minLength": 1})
	set(prop(s, "TextRequest", "description"), obj{"minLength": 1})
	set(prop(s, "ImportProgress", "listings"), obj{"propertyNames": marketplaceSchema()})
	set(prop(s, "Pin", "marketplace"), marketplaceSchema())
	set(prop(s, "Pin", "kind"), pinKindSchema())
	s["PinRequest"] = obj{
		"type": "object", "required": []string{"marketplace", "kind", "from", "to"}, "additionalProperties": false,
		"description": "attribute names the marketplace attribute of a value pin, and only of one",
		"properties": obj{
			"marketplace": marketplaceSchema(),
			"kind":        pinKindSchema(),
			"attribute":   obj{"type": "string"},
			"from":        obj{"type": "string", "minLength": 1, "description": "the seller's word"},
			"to":          obj{"type": "string", "minLength": 1, "description": "the marketplace's ID"},
		},
	}
}
