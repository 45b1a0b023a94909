package sandbox

import (
	"crypto/md5"
	"embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
	"github.com/stox-dev/stox/taxonomy"
)

// The Product Type Definitions API 2020-09-01 of the imitation: searchDefinitionsProductTypes
// and getDefinitionsProductType on their real paths, and the JSON Schemas their links
// point at, which Amazon serves as pre-signed S3 URLs needing no SP-API token:
//
//	GET /selling-partner-definitions/schema/{productType}/{requirements}/{requirementsEnforced}
//	GET /selling-partner-definitions/meta-schema/v1
//
// Each product type's schema is listing.json (the attributes every listing has: title,
// brand, offer, images…) plus its own attributes from attributes.json, as this file's
// table says, with the required list of the requirements set asked for.

//go:embed amazonschemas/*.json
var amazonSchemaFiles embed.FS

// azAttr is one attribute of a product type: its name in listings, the key of its
// definition in attributes.json (the name, or name#variant where product types differ
// in its values) and whether a listing must have it.
type azAttr struct {
	name, def string
	required  bool
}

func azReq(def string) azAttr {
	return azAttr{name: strings.Split(def, "#")[0], def: def, required: true}
}
func azOpt(def string) azAttr { return azAttr{name: strings.Split(def, "#")[0], def: def} }

// azProductType is one product type: its name, its display names in Turkish and English,
// and its own attributes. Generic types (HOME, PRODUCT) have none and ask only for
// what every listing needs.
type azProductType struct {
	name, tr, en string
	attrs        []azAttr
}

func (p azProductType) generic() bool { return len(p.attrs) == 0 }

// Clothing, shoes, bags and the rest share their attribute sets.
var (
	azClothing = []azAttr{azReq("color"), azReq("department"), azReq("apparel_size"), azOpt("material"), azReq("country_of_origin")}
	azShoes    = []azAttr{azReq("color"), azReq("department"), azReq("footwear_size"), azOpt("material"), azReq("country_of_origin")}
	azBags     = []azAttr{azReq("color"), azOpt("material"), azOpt("department"), azReq("country_of_origin")}
	azCare     = []azAttr{azOpt("item_volume"), azOpt("hair_type"), azReq("country_of_origin")}
	azToys     = []azAttr{azReq("age_range_description"), azOpt("number_of_pieces"), azReq("country_of_origin")}
)

// amazonProductTypes are the product types the imitation defines: real Amazon product
// type names (PERFUME, SMARTWATCH and DIAPER are the likeliest names, not confirmed
// against a live store), the ten seller categories' leaves and a few neighbours.
var amazonProductTypes = []azProductType{
	{"DRESS", "Elbise", "Dress", azClothing},
	{"SHIRT", "Tişört ve Gömlek", "Shirt", azClothing},
	{"PANTS", "Pantolon ve Kot Pantolon", "Pants", azClothing},
	{"SWEATSHIRT", "Sweatshirt", "Sweatshirt", azClothing},
	{"COAT", "Mont ve Kaban", "Coat", azClothing},
	{"SHOES", "Ayakkabı", "Shoes", azShoes},
	{"BOOT", "Bot", "Boot", azShoes},
	{"SANDAL", "Sandalet", "Sandal", azShoes},
	{"HANDBAG", "El ve Omuz Çantası", "Handbag", azBags},
	{"BACKPACK", "Sırt Çantası", "Backpack", azBags},
	{"WALLET", "Cüzdan", "Wallet", azBags},
	{"SKIN_MOISTURIZER", "Yüz Kremi ve Nemlendirici", "Skin Moisturizer", []azAttr{azOpt("item_volume"), azOpt("skin_type"), azReq("country_of_origin")}},
	{"SHAMPOO", "Şampuan", "Shampoo", azCare},
	{"CONDITIONER", "Saç Kremi", "Conditioner", azCare},
	{"LIP_COLOR", "Ruj ve Dudak Boyası", "Lip Color", []azAttr{azReq("color"), azReq("country_of_origin")}},
	{"PERFUME", "Parfüm", "Perfume", []azAttr{azOpt("item_volume"), azOpt("department"), azReq("country_of_origin")}},
	{"CELLULAR_PHONE_CASE", "Telefon Kılıfı", "Cellular Phone Case", []azAttr{azReq("compatible_devices"), azOpt("compatible_phone_models"), azReq("color"), azOpt("material#accessory"), azReq("country_of_origin")}},
	{"CHARGING_ADAPTER", "Şarj Cihazı ve Adaptörü", "Charging Adapter", []azAttr{azReq("color"), azOpt("compatible_devices"), azOpt("warranty_description"), azReq("country_of_origin")}},
	{"SCREEN_PROTECTOR", "Ekran Koruyucu", "Screen Protector", []azAttr{azReq("compatible_devices"), azOpt("compatible_phone_models"), azOpt("material#accessory"), azReq("country_of_origin")}},
	{"HEADPHONES", "Kulaklık", "Headphones", []azAttr{azReq("color"), azReq("connectivity_technology"), azOpt("warranty_description"), azReq("country_of_origin")}},
	{"SMARTWATCH", "Akıllı Saat", "Smartwatch", []azAttr{azReq("color"), azOpt("connectivity_technology"), azOpt("compatible_devices"), azOpt("warranty_description"), azReq("country_of_origin")}},
	{"POWER_BANK", "Taşınabilir Şarj Cihazı (Powerbank)", "Power Bank", []azAttr{azReq("color"), azOpt("warranty_description"), azReq("country_of_origin")}},
	{"COFFEE_MAKER", "Kahve Makinesi", "Coffee Maker", []azAttr{azReq("color"), azOpt("material#kitchen"), azOpt("capacity"), azOpt("warranty_description"), azReq("country_of_origin")}},
	{"COOKWARE", "Tencere ve Tava Seti", "Cookware", []azAttr{azReq("color"), azOpt("material#kitchen"), azOpt("number_of_pieces"), azOpt("capacity"), azReq("country_of_origin")}},
	{"BED_LINEN_SET", "Nevresim Takımı", "Bed Linen Set", []azAttr{azReq("color"), azOpt("material"), azReq("size#bedding"), azReq("country_of_origin")}},
	{"DRINKING_CUP", "Kupa ve Bardak", "Drinking Cup", []azAttr{azReq("color"), azOpt("material#kitchen"), azOpt("capacity"), azReq("country_of_origin")}},
	{"TOY_BUILDING_BLOCK", "Yapı Oyuncakları ve Yapı Setleri", "Toy Building Block", azToys},
	{"PUZZLES", "Yapboz (Puzzle)", "Puzzles", azToys},
	{"DOLL", "Oyuncak Bebek", "Doll", []azAttr{azReq("age_range_description"), azOpt("color"), azReq("country_of_origin")}},
	{"DIAPER", "Bebek Bezi", "Diaper", []azAttr{azReq("size#diaper"), azOpt("number_of_items"), azReq("country_of_origin")}},
	{"BABY_BOTTLE", "Biberon", "Baby Bottle", []azAttr{azReq("age_range_description#baby"), azOpt("item_volume"), azOpt("material#kitchen"), azReq("country_of_origin")}},
	{"STROLLER", "Bebek Arabası", "Stroller", []azAttr{azReq("color"), azOpt("age_range_description#baby"), azOpt("item_weight"), azReq("country_of_origin")}},
	{"EXERCISE_MAT", "Yoga ve Pilates Matı", "Exercise Mat", []azAttr{azReq("color"), azOpt("material#sports"), azOpt("item_thickness"), azReq("country_of_origin")}},
	{"DUMBBELL", "Dambıl", "Dumbbell", []azAttr{azReq("item_weight"), azOpt("color"), azOpt("material#sports"), azReq("country_of_origin")}},
	{"WATER_BOTTLE", "Matara ve Su Şişesi", "Water Bottle", []azAttr{azReq("color"), azOpt("capacity"), azOpt("material#sports"), azReq("country_of_origin")}},
	{"HOME", "Ev ve Yaşam", "Home", nil},
	{"PRODUCT", "Ürün", "Product", nil},
}

// Attributes by requirements set: offer attributes are left out of LISTING_PRODUCT_ONLY;
// LISTING_OFFER_ONLY has them and the identifiers, nothing else.
var (
	azOfferAttrs    = []string{"condition_type", "purchasable_offer", "list_price", "fulfillment_availability", "product_tax_code"}
	azIdentityAttrs = []string{"externally_assigned_product_identifier", "supplier_declared_has_product_identifier_exemption", "merchant_suggested_asin"}
	azRequired      = map[string][]string{
		"LISTING":              {"item_name", "brand", "condition_type", "main_product_image_locator", "purchasable_offer", "fulfillment_availability"},
		"LISTING_PRODUCT_ONLY": {"item_name", "brand", "main_product_image_locator"},
		"LISTING_OFFER_ONLY":   {"condition_type", "purchasable_offer", "fulfillment_availability"},
	}
	// azTextRequired are required of every product type but the generic ones, in
	// requirements sets with product facts.
	azTextRequired = []string{"product_description", "bullet_point"}
)

// azMarketplaces are the stores the imitation knows by name and primary locale.
var azMarketplaces = map[string][2]string{
	"A33AVAJ2PDY3EV": {"Amazon.com.tr", "tr_TR"},
	"A1PA6795UKMFR9": {"Amazon.de", "de_DE"},
	"A1F83G8C2ARO7P": {"Amazon.co.uk", "en_GB"},
	"ATVPDKIKX0DER":  {"Amazon.com", "en_US"},
}

// azDefinitions builds and caches the product type schemas of one marketplace.
type azDefinitions struct {
	marketplaceID string
	types         map[string]azProductType
	listing       map[string]any // listing.json's properties
	library       map[string]any // attributes.json

	mu       sync.Mutex
	docs     map[string][]byte
	compiled map[string]*spmodel.ProductTypeSchema
}

func newAzDefinitions(marketplaceID string) *azDefinitions {
	d := &azDefinitions{marketplaceID: marketplaceID, types: map[string]azProductType{},
		docs: map[string][]byte{}, compiled: map[string]*spmodel.ProductTypeSchema{}}
	var listing struct {
		Properties map[string]any `json:"properties"`
	}
	azMustJSON("amazonschemas/listing.json", &listing)
	azMustJSON("amazonschemas/attributes.json", &d.library)
	d.listing = listing.Properties
	for _, p := range amazonProductTypes {
		for _, a := range p.attrs {
			if _, ok := d.library[a.def].(map[string]any); !ok {
				panic(fmt.Sprintf("sandbox: product type %s: attributes.json has no %s", p.name, a.def))
			}
		}
		d.types[p.name] = p
	}
	return d
}

// azMustJSON decodes an embedded file: the imitation's own data, checked by its tests.
func azMustJSON(name string, v any) {
	raw, err := amazonSchemaFiles.ReadFile(name)
	if err == nil {
		err = json.Unmarshal(raw, v)
	}
	if err != nil {
		panic(fmt.Sprintf("sandbox: %s: %v", name, err))
	}
}

// turkish reports whether display names are given in Turkish: Turkish for tr and tr_TR (and
// DEFAULT on the Turkish store), English otherwise.
func (d *azDefinitions) turkish(locale string) bool {
	if locale == "" || locale == "DEFAULT" {
		locale = azMarketplaces[d.marketplaceID][1]
	}
	return locale == "tr" || locale == "tr_TR"
}

func (p azProductType) display(turkish bool) string {
	if turkish {
		return p.tr
	}
	return p.en
}

// schema is a product type's JSON Schema document for a requirements set.
func (d *azDefinitions) schema(p azProductType, requirements string, enforced bool) []byte {
	key := fmt.Sprintf("%s/%s/%t", p.name, requirements, enforced)
	d.mu.Lock()
	defer d.mu.Unlock()
	if doc, ok := d.docs[key]; ok {
		return doc
	}
	props := map[string]any{}
	for name, v := range d.listing {
		props[name] = v
	}
	if main, ok := d.listing["main_product_image_locator"].(map[string]any); ok {
		for i := 1; i <= amazonOtherImages; i++ {
			other := maps.Clone(main)
			other["title"] = fmt.Sprintf("Diğer Görsel %d", i)
			delete(other, "description")
			props["other_product_image_locator_"+strconv.Itoa(i)] = other
		}
	}
	required := slices.Clone(azRequired[requirements])
	if requirements != "LISTING_OFFER_ONLY" {
		for _, a := range p.attrs {
			props[a.name] = d.library[a.def]
			if a.required {
				required = append(required, a.name)
			}
		}
		if !p.generic() {
			required = append(required, azTextRequired...)
		}
	}
	for name := range props {
		offer := slices.Contains(azOfferAttrs, name)
		switch {
		case requirements == "LISTING_PRODUCT_ONLY" && offer,
			requirements == "LISTING_OFFER_ONLY" && !offer && !slices.Contains(azIdentityAttrs, name):
			delete(props, name)
		}
	}
	sort.Strings(required)
	name, locale := azMarketplaces[d.marketplaceID][0], azMarketplaces[d.marketplaceID][1]
	if name == "" {
		name, locale = d.marketplaceID, "en_US"
	}
	doc := map[string]any{
		"$schema":  spmodel.MetaSchemaURL,
		"$id":      "https://schemas.amazon.com/selling-partners/definitions/product-types/schema/v1/" + p.name,
		"$comment": fmt.Sprintf("Amazon product type definition for %s product type", p.name),
		"$defs": map[string]any{
			"marketplace_id": map[string]any{"default": d.marketplaceID, "editable": false, "hidden": true, "examples": []string{name},
				"type": "string", "anyOf": []any{map[string]any{"type": "string"},
					map[string]any{"type": "string", "enum": []string{d.marketplaceID}, "enumNames": []string{name}}}},
			"language_tag": map[string]any{"default": locale, "editable": false, "hidden": true, "examples": []string{locale},
				"type": "string", "anyOf": []any{map[string]any{"type": "string"},
					map[string]any{"type": "string", "enum": []string{locale}, "enumNames": []string{locale}}}},
		},
		"type":       "object",
		"properties": props,
	}
	if enforced {
		doc["required"] = required
	}
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(fmt.Sprintf("sandbox: encode %s schema: %v", p.name, err))
	}
	d.docs[key] = raw
	return raw
}

// validator is a product type's compiled schema for a requirements set, enforced.
func (d *azDefinitions) validator(p azProductType, requirements string) (*spmodel.ProductTypeSchema, error) {
	raw := d.schema(p, requirements, true)
	key := p.name + "/" + requirements
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.compiled[key]; ok {
		return s, nil
	}
	s, err := spmodel.CompileProductType(raw)
	if err != nil {
		return nil, err
	}
	d.compiled[key] = s
	return s, nil
}

// propertyGroups groups a product type's attributes as Amazon's definitions do.
func (d *azDefinitions) propertyGroups(p azProductType) map[string]any {
	details := []string{"product_description", "bullet_point"}
	var compliance []string
	for _, a := range p.attrs {
		if a.name == "country_of_origin" {
			compliance = append(compliance, a.name)
			continue
		}
		details = append(details, a.name)
	}
	images := []string{"main_product_image_locator"}
	for i := 1; i <= amazonOtherImages; i++ {
		images = append(images, "other_product_image_locator_"+strconv.Itoa(i))
	}
	group := func(title, desc string, names []string) map[string]any {
		return map[string]any{"title": title, "description": desc, "propertyNames": names}
	}
	out := map[string]any{
		"offer":            group("Teklif", "Satış koşulları: fiyat, stok, ürün durumu", azOfferAttrs),
		"images":           group("Görseller", "Ürün görselleri", images),
		"product_identity": group("Ürün Kimliği", "Ürünü tanımlayan bilgiler (EAN, marka, ürün adı)", append([]string{"item_name", "brand"}, azIdentityAttrs...)),
		"product_details":  group("Ürün Ayrıntıları", "Ürünün özellikleri", details),
	}
	if len(compliance) > 0 {
		out["safety_and_compliance"] = group("Güvenlik ve Uygunluk", "Menşei ve uygunluk bilgileri", compliance)
	}
	return out
}

// version is a product type's version: a digest of its LISTING schema, so it changes
// when the schema does.
func (d *azDefinitions) version(p azProductType) string {
	sum := md5.Sum(d.schema(p, "LISTING", true))
	return "U" + base64.StdEncoding.EncodeToString(sum[:9])
}

func azChecksum(raw []byte) string {
	sum := md5.Sum(raw)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// searchProductTypes is searchDefinitionsProductTypes: every product type, or those
// whose name or display name matches a keyword, or whose display name the itemName
// contains (Amazon's product type recommendation).
func (a *amazon) searchProductTypes(w http.ResponseWriter, r *http.Request, _ []byte, _ time.Time) {
	q := r.URL.Query()
	if !slices.Contains(strings.Split(q.Get("marketplaceIds"), ","), a.opts.MarketplaceID) {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", fmt.Sprintf("marketplaceIds %q has no marketplace the seller participates in", q.Get("marketplaceIds")))
		return
	}
	keywords, itemName := q.Get("keywords"), q.Get("itemName")
	if keywords != "" && itemName != "" {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid input", "keywords cannot be used with itemName")
		return
	}
	turkish := a.defs.turkish(q.Get("locale"))
	types := []any{}
	var all []byte
	for _, p := range amazonProductTypes {
		all = append(all, a.defs.version(p)...)
		if !azMatches(p, keywords, itemName) {
			continue
		}
		types = append(types, map[string]any{"name": p.name, "displayName": p.display(turkish), "marketplaceIds": []string{a.opts.MarketplaceID}})
	}
	sum := md5.Sum(all)
	writeJSON(w, http.StatusOK, map[string]any{"productTypes": types, "productTypeVersion": "U" + base64.StdEncoding.EncodeToString(sum[:9])})
}

func azMatches(p azProductType, keywords, itemName string) bool {
	names := []string{taxonomy.Fold(strings.ReplaceAll(p.name, "_", " ")), taxonomy.Fold(p.tr), taxonomy.Fold(p.en)}
	if itemName != "" {
		item := " " + taxonomy.Fold(itemName) + " "
		for _, n := range names[1:] {
			if strings.Contains(item, " "+n+" ") {
				return true
			}
		}
		return false
	}
	if keywords == "" {
		return true
	}
	for _, k := range strings.Split(keywords, ",") {
		k = taxonomy.Fold(k)
		for _, n := range names {
			if k != "" && strings.Contains(n, k) {
				return true
			}
		}
	}
	return false
}

// getProductType is getDefinitionsProductType: the definition with links to its
// schema and to the meta-schema, on this server's own address.
func (a *amazon) getProductType(w http.ResponseWriter, r *http.Request, _ []byte, _ time.Time) {
	if !a.checkMarketplace(w, r) {
		return
	}
	q := r.URL.Query()
	p, ok := a.defs.types[r.PathValue("productType")]
	if !ok {
		azErrors(w, http.StatusNotFound, "NOT_FOUND", "Resource not found.",
			fmt.Sprintf("Product type %q is not available in marketplace %s.", r.PathValue("productType"), a.opts.MarketplaceID))
		return
	}
	requirements := q.Get("requirements")
	if requirements == "" {
		requirements = "LISTING"
	}
	enforced := q.Get("requirementsEnforced")
	if enforced == "" {
		enforced = "ENFORCED"
	}
	version := a.defs.version(p)
	if v := q.Get("productTypeVersion"); v != "" && v != "LATEST" && v != "RELEASE_CANDIDATE" && v != version {
		azErrors(w, http.StatusNotFound, "NOT_FOUND", "Resource not found.", fmt.Sprintf("Product type %s has no version %q.", p.name, v))
		return
	}
	locale := q.Get("locale")
	if locale == "" || locale == "DEFAULT" {
		locale = azMarketplaces[a.opts.MarketplaceID][1]
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	base := scheme + "://" + r.Host + "/selling-partner-definitions"
	raw := a.defs.schema(p, requirements, enforced == "ENFORCED")
	writeJSON(w, http.StatusOK, map[string]any{
		"metaSchema":           map[string]any{"link": map[string]any{"resource": base + "/meta-schema/v1", "verb": "GET"}, "checksum": azChecksum(azMetaSchema)},
		"schema":               map[string]any{"link": map[string]any{"resource": base + "/schema/" + p.name + "/" + requirements + "/" + enforced, "verb": "GET"}, "checksum": azChecksum(raw)},
		"requirements":         requirements,
		"requirementsEnforced": enforced,
		"propertyGroups":       a.defs.propertyGroups(p),
		"locale":               locale,
		"marketplaceIds":       []string{a.opts.MarketplaceID},
		"productType":          p.name,
		"displayName":          p.display(a.defs.turkish(locale)),
		"productTypeVersion":   map[string]any{"version": version, "latest": true, "releaseCandidate": false},
	})
}

// azMetaSchema stands for Amazon's meta-schema: draft 2019-09, whose vocabulary
// Amazon's keywords (selectors, enumNames, editable, hidden…) extend.
var azMetaSchema = []byte(`{"$schema":"https://json-schema.org/draft/2019-09/schema","$id":"` + spmodel.MetaSchemaURL +
	`","$comment":"Stands for Amazon's product type meta-schema: JSON Schema draft 2019-09 with Amazon's annotation keywords.",` +
	`"allOf":[{"$ref":"https://json-schema.org/draft/2019-09/schema"}]}`)

// schemaDocument serves a schema link, as S3 does a pre-signed URL: no SP-API token,
// no SP-API rate limit, no SP-API faults.
func (a *amazon) schemaDocument(w http.ResponseWriter, r *http.Request) {
	p, ok := a.defs.types[r.PathValue("productType")]
	req, enforced := r.PathValue("requirements"), r.PathValue("enforced")
	if _, known := azRequired[req]; !ok || !known || (enforced != "ENFORCED" && enforced != "NOT_ENFORCED") {
		http.Error(w, "NoSuchKey: The specified key does not exist.", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(a.defs.schema(p, req, enforced == "ENFORCED"))
}

func (a *amazon) metaSchema(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(azMetaSchema)
}

// productTypeIssues checks attributes against the product type's schema for a
// requirements set: an unknown product type, required attributes not supplied
// (Amazon's 90220), values outside their enum and other schema violations.
func (a *amazon) productTypeIssues(productType, requirements string, attrs map[string]any) []AmazonIssue {
	p, ok := a.defs.types[productType]
	if !ok {
		return []AmazonIssue{{Code: "INVALID_PRODUCT_TYPE", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
			Message: fmt.Sprintf("Product type '%s' is not available in marketplace %s.", productType, a.opts.MarketplaceID)}}
	}
	s, err := a.defs.validator(p, requirements)
	if err == nil {
		var vs []spmodel.Violation
		if vs, err = s.Validate(attrs); err == nil {
			return azViolationIssues(vs)
		}
	}
	return []AmazonIssue{{Code: "INTERNAL_ERROR", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"},
		Message: fmt.Sprintf("Product type '%s' could not be checked: %v", productType, err)}}
}

func azViolationIssues(vs []spmodel.Violation) []AmazonIssue {
	var out []AmazonIssue
	for _, v := range vs {
		is := AmazonIssue{Code: "INVALID_VALUE", Severity: "ERROR", Categories: []string{"INVALID_ATTRIBUTE"}}
		if v.Attribute != "" {
			is.AttributeNames = []string{v.Attribute}
		}
		switch {
		case v.Missing:
			is.Code, is.Categories[0] = amazonMissingCode, "MISSING_ATTRIBUTE"
			is.Message = fmt.Sprintf("'%s' is required but not supplied.", v.Attribute)
			switch v.Attribute {
			case "main_product_image_locator":
				is.Categories[0] = "MISSING_IMAGE"
			case "purchasable_offer":
				is.Categories[0] = "MISSING_PRICE"
			}
		case v.Attribute != "":
			is.Message = fmt.Sprintf("'%s' %s.", v.Attribute, v.Message)
		default:
			is.Message = v.Message + "."
		}
		out = append(out, is)
	}
	return out
}
