package seo

import (
	"slices"
	"strings"

	"github.com/stox-dev/stox/messages"
)

// Languages of listing text.
const (
	Turkish = "tr"
	English = "en"
)

// Rules is what one marketplace accepts as a listing's text. Lengths count characters
// (runes), spaces and markup included, except KeywordBytesMax, which counts UTF-8 bytes.
type Rules struct {
	// Marketplace is the marketplace's name (messages.Amazon, …).
	Marketplace string
	// Language is the language the listing is written in: Turkish or English. RulesFor
	// gives each marketplace's default; In sets the one a configured marketplace speaks.
	Language string
	// TitleMax is the longest title.
	TitleMax int
	// TitleForbidden holds the characters a title may not contain outside the brand.
	TitleForbidden string
	// WordRepeatMax is how often one word may appear in a title; stop words are exempt.
	WordRepeatMax int
	// DescriptionMax is the longest description, markup included.
	DescriptionMax int
	// DescriptionTags are the only HTML tags the description may use, without attributes.
	DescriptionTags []string
	// Bullets is the most bullet points; 0 means the marketplace takes none.
	Bullets int
	// BulletMax is the longest bullet point.
	BulletMax int
	// KeywordsMax is the most keywords; 0 means no limit on their number.
	KeywordsMax int
	// KeywordBytesMax is the most UTF-8 bytes of the keywords joined by single spaces;
	// 0 means no byte limit.
	KeywordBytesMax int
}

// decorative are characters no title needs. Amazon forbids exactly these (Seller Central
// help 201100890); Trendyol and Hepsiburada publish no list, so the same set applies.
const decorative = "!$?_{}^¬¦"

// turkishTags is the HTML a Turkish marketplace description may use. Trendyol takes HTML
// but no JS, style or iframe (reference/marketplaces.md §1.2); this subset carries a
// paragraph and a list and nothing executable.
var turkishTags = []string{"p", "ul", "li", "br", "strong"}

// rules holds every marketplace's text rules; sources are tagged as in
// reference/marketplaces.md: [C] official, [3P] third party, [I] our inference.
var rules = map[string]Rules{
	messages.Trendyol: {
		Marketplace: messages.Trendyol,
		Language:    Turkish,
		// [C] product create V2 field table: title ≤100, description HTML ≤30 000
		// (reference/marketplaces.md §1.2, S-TY3/S-TY4).
		TitleMax:        100,
		TitleForbidden:  decorative,
		WordRepeatMax:   2, // [I] Amazon's rule applied to every marketplace.
		DescriptionMax:  30000,
		DescriptionTags: turkishTags,
		// [C] the product API has no bullet or search-term field; keywords are ours,
		// so [I] a cap keeps them focused.
		Bullets:     0,
		KeywordsMax: 20,
	},
	messages.Hepsiburada: {
		Marketplace: messages.Hepsiburada,
		Language:    Turkish,
		// [3P] "Hepsiburada: 150 karakter" (pazaryeriyazilimlari.com/blog/marketplace-seo);
		// Hepsiburada's developer docs (UrunAdi) state no limit, nor does the reference.
		TitleMax:       150,
		TitleForbidden: decorative,
		WordRepeatMax:  2,
		// [I] no documented limit for UrunAciklamasi; Trendyol's is used.
		DescriptionMax:  30000,
		DescriptionTags: turkishTags,
		Bullets:         0,
		KeywordsMax:     20,
	},
	messages.Amazon: {
		Marketplace: messages.Amazon,
		// Amazon's language is its marketplace's (Turkish on amazon.com.tr), which only
		// configuration knows: callers set it with In. English is amazon.com's.
		Language: English,
		// [C] Seller Central help 201100890: ≤200 characters with spaces, none of
		// ! $ ? _ { } ^ ¬ ¦, no promotional phrases, the same word at most twice
		// (reference/marketplaces.md §3.2). A single [3P] post claims 75 characters from
		// 27 July 2026; unconfirmed by any Amazon page.
		TitleMax:       200,
		TitleForbidden: decorative,
		WordRepeatMax:  2,
		// [3P] seller guides: description up to 2 000 characters. [C] Seller Central help
		// 200390640: no HTML in detail pages except line breaks.
		DescriptionMax:  2000,
		DescriptionTags: []string{"br"},
		// [3P] up to five bullet points; 250 characters each is the conservative figure
		// (guides quote 250 to 500; the product type definition has the real one).
		Bullets:   5,
		BulletMax: 250,
		// [C] Seller Central help 23501: search terms "less than 250 bytes".
		KeywordBytesMax: 249,
	},
}

// plainDescription reports whether the description is plain text with line breaks
// (Amazon's takes no HTML but <br>), where an HTML entity would show as typed.
func (r Rules) plainDescription() bool {
	for _, t := range r.DescriptionTags {
		if t != "br" {
			return false
		}
	}
	return true
}

// RulesFor returns the text rules of a marketplace in its default language, and false
// for an unknown one.
func RulesFor(marketplace string) (Rules, bool) {
	r, ok := rules[marketplace]
	r.DescriptionTags = slices.Clone(r.DescriptionTags)
	return r, ok
}

// In returns r for listings in language, a code ("tr", "en") or a tag whose first part
// is one ("tr_TR", "en-GB"); every limit stays the marketplace's. Generate writes only
// Turkish and English, so any other language ("de" for amazon.de) falls back to
// English; an empty language keeps r's.
func (r Rules) In(language string) Rules {
	r.DescriptionTags = slices.Clone(r.DescriptionTags)
	if language == "" {
		return r
	}
	code, _, _ := strings.Cut(language, "_")
	code, _, _ = strings.Cut(code, "-")
	r.Language = English
	if strings.EqualFold(code, Turkish) {
		r.Language = Turkish
	}
	return r
}
