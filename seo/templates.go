package seo

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Template is how listings of one category are written: the order of the title's
// parts per marketplace, the category's noun and its care or usage lines. Templates
// are data (templates.json), not code.
type Template struct {
	// Name names the template ("shoes").
	Name string `json:"name"`
	// Match are the folded category words or phrases that select the template; a
	// category segment matches when it is one of them or holds one as a word, Turkish
	// plural and possessive endings aside ("Kadın Ayakkabıları" matches "ayakkabi").
	Match []string `json:"match"`
	// Noun is the category's product noun by language, added to a title whose name
	// lacks it ("Samba OG" → "Samba OG Ayakkabı"); empty for broad categories.
	Noun map[string]string `json:"noun,omitempty"`
	// Order is the title's parts in order, by marketplace, "default" for the others:
	// "name" and the attribute kinds gender, model, compatibility, material, capacity,
	// color and size. A kind left out does not go into the title (the description still
	// lists it).
	Order map[string][]string `json:"order"`
	// Color says where a title's colour may come from: ColorAny (the default), ColorSeller
	// or ColorNone, for categories where colour means nothing to a buyer (a face cream,
	// a book); such a title names no colour at all.
	Color string `json:"color,omitempty"`
	// Care are the care or usage lines by language, added to the description.
	Care map[string][]string `json:"care,omitempty"`
}

// Colour sources of a Template.
const (
	// ColorAny takes the seller's colour attribute, or, when the seller gave none, the
	// colour of the photo's subject, which callers pass only where the image stage
	// separated the subject from its backdrop.
	ColorAny = ""
	// ColorSeller takes only the seller's colour attribute: the photo's colour of a
	// toy or a set is rarely the product's.
	ColorSeller = "seller"
	// ColorNone keeps colour out of titles.
	ColorNone = "none"
)

// order returns the title order for marketplace.
func (t Template) order(marketplace string) []string {
	if o, ok := t.Order[marketplace]; ok {
		return o
	}
	return t.Order["default"]
}

//go:embed templates.json
var templatesJSON []byte

var defaultTemplate, templates = mustTemplates(templatesJSON)

func mustTemplates(data []byte) (Template, []Template) {
	d, ts, err := parseTemplates(data)
	if err != nil {
		panic(err)
	}
	return d, ts
}

// parseTemplates reads and checks the template file.
func parseTemplates(data []byte) (Template, []Template, error) {
	var f struct {
		Default   Template   `json:"default"`
		Templates []Template `json:"templates"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return Template{}, nil, fmt.Errorf("read seo templates: %w", err)
	}
	for _, t := range append([]Template{f.Default}, f.Templates...) {
		if len(t.Order["default"]) == 0 {
			return Template{}, nil, fmt.Errorf("seo template %q: no default order", t.Name)
		}
		if !slices.Contains([]string{ColorAny, ColorSeller, ColorNone}, t.Color) {
			return Template{}, nil, fmt.Errorf("seo template %q: unknown colour source %q", t.Name, t.Color)
		}
		for m, o := range t.Order {
			if !slices.Contains(o, "name") {
				return Template{}, nil, fmt.Errorf("seo template %q: order %q has no name", t.Name, m)
			}
			for _, part := range o {
				if part != "name" && !slices.ContainsFunc(kinds, func(k kind) bool { return k.name == part }) {
					return Template{}, nil, fmt.Errorf("seo template %q: unknown title part %q", t.Name, part)
				}
			}
		}
	}
	return f.Default, f.Templates, nil
}

// Templates returns the category templates and, last, the default one.
func Templates() []Template {
	return append(slices.Clone(templates), defaultTemplate)
}

// stems is the key a category phrase is matched by: each word's stem.
func stems(s string) string {
	words := strings.Fields(phraseSeparators.Replace(s))
	for i, w := range words {
		words[i] = stem(Turkish, w)
	}
	return strings.Join(words, " ")
}

// templateFor picks the template of a category: the most specific segment decides
// ("Spor > Ayakkabı" is shoes), a whole-segment match before a match of the segment's
// last word ("Spor Ayakkabı" is shoes, not sports), and the file's order breaks ties. An unknown
// category gets the default template.
func templateFor(category string) Template {
	segs := categoryPath(category)
	for i := len(segs) - 1; i >= 0; i-- {
		seg := stems(segs[i])
		for _, t := range templates {
			for _, m := range t.Match {
				if stems(m) == seg {
					return t
				}
			}
		}
		// a compound is named by its last word: "Kadın Ayakkabıları" are shoes,
		// "Kulaklık Aksesuarları" are not headphones
		words := strings.Fields(seg)
		for _, t := range templates {
			for _, m := range t.Match {
				if len(words) > 0 && words[len(words)-1] == stems(m) {
					return t
				}
			}
		}
	}
	return defaultTemplate
}

// phraseSeparators join the words of a category phrase.
var phraseSeparators = strings.NewReplacer("-", " ", "&", " ")
