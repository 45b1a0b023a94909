package seo

import (
	"sort"
	"strings"
)

// Kinds of attribute buyers search for. A category template orders them in its titles
// ("Koton Kadın Keten Gömlek Beyaz M", "Spigen Kılıf iPhone 15 Pro Uyumlu TPU Şeffaf").
const (
	kindGender        = "gender"
	kindModel         = "model"
	kindCompatibility = "compatibility"
	kindMaterial      = "material"
	kindCapacity      = "capacity"
	kindColor         = "color"
	kindSize          = "size"
)

type kind struct {
	name   string
	labels map[string]string // by language
	// aliases are folded attribute keys, by language.
	aliases map[string][]string
	// drop is the order in which a too-long title gives the attribute up, 1 first; the
	// name's trailing phrases go at dropTail. The key attributes (model compatibility,
	// model, capacity, material) stay longest.
	drop int
}

// dropTail is where the phrases after the product's noun in the seller's name stand in
// the order a too-long title gives things up: after the size, before any other
// attribute.
const dropTail = 2

// kinds in the order descriptions list them.
var kinds = []kind{
	{
		name:    kindGender,
		labels:  map[string]string{Turkish: "Cinsiyet", English: "Gender"},
		aliases: map[string][]string{Turkish: {"cinsiyet"}, English: {"gender", "sex", "department"}},
		drop:    3,
	},
	{
		name:   kindModel,
		labels: map[string]string{Turkish: "Model", English: "Model"},
		aliases: map[string][]string{
			Turkish: {"model kodu", "model no", "seri"},
			English: {"model", "model number", "model name", "series"},
		},
		drop: 7,
	},
	{
		name:   kindCompatibility,
		labels: map[string]string{Turkish: "Uyumlu model", English: "Compatible models"},
		aliases: map[string][]string{
			Turkish: {"uyumlu model", "uyumlu modeller", "uyumlu cihaz", "uyumlu cihazlar", "uyumlu marka", "uyumluluk"},
			English: {"compatible model", "compatible models", "compatible device", "compatible devices", "compatibility", "compatible with"},
		},
		drop: 8,
	},
	{
		name:   kindMaterial,
		labels: map[string]string{Turkish: "Materyal", English: "Material"},
		aliases: map[string][]string{
			Turkish: {"materyal", "malzeme", "kumas", "kumas tipi", "materyal bileseni", "ana malzeme"},
			English: {"material", "fabric", "material type"},
		},
		drop: 5,
	},
	{
		name:   kindCapacity,
		labels: map[string]string{Turkish: "Kapasite", English: "Capacity"},
		aliases: map[string][]string{
			Turkish: {"hacim", "kapasite", "hafiza", "depolama", "depolama kapasitesi", "icerik miktari", "net miktar", "gramaj"},
			English: {"capacity", "volume", "storage", "storage capacity", "net content", "net quantity"},
		},
		drop: 6,
	},
	{
		name:    kindColor,
		labels:  map[string]string{Turkish: "Renk", English: "Color"},
		aliases: map[string][]string{Turkish: {"renk"}, English: {"color", "colour"}},
		drop:    4,
	},
	{
		name:    kindSize,
		labels:  map[string]string{Turkish: "Beden", English: "Size"},
		aliases: map[string][]string{Turkish: {"beden", "boyut", "olcu", "ebat", "numara"}, English: {"size", "dimensions"}},
		drop:    1,
	},
}

// attr is one seller attribute, cleaned.
type attr struct {
	kind  string // "" when it is not one of kinds
	key   string // as the seller wrote it
	value string // tags and control characters removed, spaces collapsed
	own   bool   // key is written in the listing's language
}

// keyFold folds an attribute key for alias matching: "Model_No" → "model no".
func keyFold(k string) string {
	k = keySeparators.Replace(fold(k))
	return strings.Join(strings.Fields(k), " ")
}

// notFeatures are attribute keys (folded) a seller sends for the marketplaces' forms,
// not to describe the product to a buyer: codes and tax. A description listing
// "Barcode: 8690000000005" or "Vat_rate: 20" among the product's features reads as a
// mistake, and a barcode is no search word.
var notFeatures = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range []string{"barcode", "barkod", "gtin", "ean", "upc", "isbn", "sku", "stock code", "stok kodu",
		"vat", "vat rate", "tax", "tax vat rate", "kdv", "kdv oranı", "desi"} {
		m[keyFold(k)] = true
	}
	return m
}()

// classify sorts a product's attributes into the known kinds (the first key in sorted
// order claims a kind) and the rest, sorted by key. Empty values and notFeatures are
// skipped.
func classify(attrs map[string]string, lang string) (byKind map[string]attr, others []attr) {
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		if !notFeatures[keyFold(k)] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	byKind = make(map[string]attr, len(kinds))
	for _, k := range keys {
		v := collapse(stripTags(attrs[k]))
		key := collapse(stripTags(k))
		if v == "" || key == "" {
			continue
		}
		a := attr{key: key, value: v}
		f := keyFold(key)
	kinds:
		for _, kd := range kinds {
			for l, as := range kd.aliases {
				for _, alias := range as {
					if f == alias {
						a.kind, a.own = kd.name, l == lang
						break kinds
					}
				}
			}
		}
		if a.kind != "" {
			if _, taken := byKind[a.kind]; !taken {
				byKind[a.kind] = a
				continue
			}
			a.kind = ""
		}
		others = append(others, a)
	}
	return byKind, others
}

// label is how an attribute is named in a listing in lang: the seller's key when it is
// in that language, else the kind's own label.
func (a attr) label(lang string) string {
	if a.kind != "" && !a.own {
		for _, kd := range kinds {
			if kd.name == a.kind {
				return kd.labels[lang]
			}
		}
	}
	return capitalize(lang, a.key)
}

// pair is one word in both listing languages, with other spellings that mean it.
type pair struct {
	tr, en string
	more   []string
}

// colours and genders are translated between the listing languages; other values are
// the seller's words.
var colours = []pair{
	{"Siyah", "Black", nil}, {"Beyaz", "White", nil}, {"Kırmızı", "Red", nil},
	{"Mavi", "Blue", nil}, {"Lacivert", "Navy", []string{"navy blue"}}, {"Yeşil", "Green", nil},
	{"Sarı", "Yellow", nil}, {"Turuncu", "Orange", nil}, {"Mor", "Purple", nil},
	{"Pembe", "Pink", nil}, {"Gri", "Grey", []string{"gray"}}, {"Kahverengi", "Brown", nil},
	{"Bej", "Beige", nil}, {"Krem", "Cream", nil}, {"Altın", "Gold", nil},
	{"Gümüş", "Silver", nil}, {"Bordo", "Burgundy", nil}, {"Haki", "Khaki", nil},
	{"Turkuaz", "Turquoise", nil}, {"Lila", "Lilac", nil}, {"Ekru", "Ecru", nil},
	{"Antrasit", "Anthracite", nil}, {"Şeffaf", "Transparent", []string{"clear"}},
	{"Çok Renkli", "Multicolour", []string{"multicolor", "renkli"}},
}

var genders = []pair{
	{"Kadın", "Women", []string{"woman", "women's", "female", "bayan"}},
	{"Erkek", "Men", []string{"man", "men's", "male", "bay"}},
	{"Kız Çocuk", "Girls", []string{"girl", "kiz"}},
	{"Erkek Çocuk", "Boys", []string{"boy"}},
	{"Çocuk", "Kids", []string{"children", "child", "kid"}},
	{"Bebek", "Baby", nil},
	{"Unisex", "Unisex", nil},
}

// translate returns value in lang when it is a colour or gender the dictionaries know.
func translate(kindName, value, lang string) string {
	var dict []pair
	switch kindName {
	case kindColor:
		dict = colours
	case kindGender:
		dict = genders
	default:
		return value
	}
	f := fold(value)
	for _, p := range dict {
		match := fold(p.tr) == f || fold(p.en) == f
		for _, m := range p.more {
			match = match || fold(m) == f
		}
		if match {
			if lang == Turkish {
				return p.tr
			}
			return p.en
		}
	}
	return value
}

// collapse trims s and turns every run of white space into one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// keySeparators are what sellers write between the words of an attribute key.
var keySeparators = strings.NewReplacer("_", " ", "-", " ", ".", " ")
