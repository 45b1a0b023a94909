package taxonomy

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Where a mapped choice came from.
const (
	SourceAutomatic = "automatic" // matched from the product's own words
	SourcePinned    = "pinned"    // a mapping the seller pinned
	SourceInput     = "input"     // supplied by the seller for this listing
	SourceDefault   = "default"   // a configured default
)

// Product is what the mapping reads of a seller's product: their own words.
type Product struct {
	Name       string
	Brand      string
	Category   string
	Attributes map[string]string
}

// Pins are the seller's pinned mappings of one marketplace, keyed by folded words.
type Pins struct {
	// Category maps a folded category word to a category ID.
	Category map[string]string
	// Brand maps a folded brand name to a brand ID.
	Brand map[string]string
	// Value maps an attribute ID, then a folded value, to a value ID.
	Value map[string]map[string]string
}

// Input is what the seller supplied for one listing waiting in needs_input.
type Input struct {
	Category   string
	Brand      string
	Attributes map[string]string
}

// Choice is one mapped category or brand.
type Choice struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Path is a category's path from the root.
	Path   []string `json:"path,omitempty"`
	Source string   `json:"source"`
}

// MappedAttribute is one category attribute with its value in the marketplace's
// vocabulary, and the seller's words it came from.
type MappedAttribute struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	ValueIDs []string `json:"value_ids,omitempty"`
	Value    string   `json:"value"`
	// From is the seller's attribute (key: value) or the default it came from.
	From   string `json:"from,omitempty"`
	Source string `json:"source"`
}

// Missing is something the marketplace requires that the mapping could not fill.
type Missing struct {
	// Field is "category", "brand" or "attribute".
	Field string `json:"field"`
	// ID and Name name the attribute (or, for a brand, the seller's brand name).
	ID   string `json:"id,omitempty"`
	Name string `json:"name"`
	// Reason says what is wrong, in words a seller reads.
	Reason string `json:"reason"`
	// Allowed are the values (for a category: the candidates, "ID: path") to choose from.
	Allowed []string `json:"allowed,omitempty"`
}

// Mapping is a product in one marketplace's vocabulary: what was chosen, where each
// choice came from, and what is still missing. A listing is sent only when nothing is
// missing.
type Mapping struct {
	Category   *Choice           `json:"category,omitempty"`
	Brand      *Choice           `json:"brand,omitempty"`
	Attributes []MappedAttribute `json:"attributes,omitempty"`
	Missing    []Missing         `json:"missing,omitempty"`
}

// Complete reports whether nothing is missing.
func (m Mapping) Complete() bool { return len(m.Missing) == 0 }

// Reasons are the missing items as one sentence each.
func (m Mapping) Reasons() []string {
	out := make([]string, 0, len(m.Missing))
	for _, x := range m.Missing {
		r := x.Reason
		if len(x.Allowed) > 0 {
			r += "; allowed: " + strings.Join(x.Allowed, ", ")
		}
		out = append(out, r)
	}
	return out
}

// maxAllowed is how many allowed values a Missing lists.
const maxAllowed = 40

func allowedOf(a Attribute) []string {
	out := make([]string, 0, min(len(a.Values), maxAllowed))
	for _, v := range a.Values {
		if len(out) == maxAllowed {
			out = append(out, fmt.Sprintf("… %d more", len(a.Values)-maxAllowed))
			break
		}
		out = append(out, v.Name)
	}
	return out
}

// attributeValue is the value of attribute a from the seller's words: what the seller
// supplied for this listing, then the product's attributes (a key naming the attribute
// in either language), then a value the product's name states, then the configured
// defaults. ok is false when none has it.
func attributeValue(a Attribute, p Product, in Input, defaults map[string]string) (value, from, source string, ok bool) {
	names := []string{Fold(a.Name), Fold(a.ID)}
	concept := canonical(attributeGroups, Fold(a.Name))
	idConcept := canonical(attributeGroups, Fold(a.ID))
	matches := func(key string) bool {
		k := Fold(key)
		if slices.Contains(names, k) {
			return true
		}
		c := canonical(attributeGroups, k)
		return c == concept || c == idConcept
	}
	if v, k, ok := lookup(in.Attributes, func(key string) bool { return slices.Contains(names, Fold(key)) }); ok {
		return v, k + ": " + v, SourceInput, true
	}
	if v, k, ok := lookup(in.Attributes, matches); ok {
		return v, k + ": " + v, SourceInput, true
	}
	if v, k, ok := lookup(p.Attributes, func(key string) bool { return slices.Contains(names, Fold(key)) }); ok {
		return v, k + ": " + v, SourceAutomatic, true
	}
	if v, k, ok := lookup(p.Attributes, matches); ok {
		return v, k + ": " + v, SourceAutomatic, true
	}
	if v, ok := statedIn(a, p.Name); ok {
		return v, "name: " + p.Name, SourceAutomatic, true
	}
	if v, k, ok := lookup(defaults, matches); ok {
		return v, "default " + k + ": " + v, SourceDefault, true
	}
	return "", "", "", false
}

// lookup returns the first non-empty value (in key order) whose key matches.
func lookup(m map[string]string, match func(string) bool) (value, key string, ok bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := strings.TrimSpace(m[k]); v != "" && match(k) {
			return v, k, true
		}
	}
	return "", "", false
}

// statedIn finds the one allowed value of an attribute with catalogued values that
// the product's name states, in the value's words or a synonym of three letters or
// more ("… Erkek Spor Ayakkabı" states Cinsiyet: Erkek, "Kablosuz Kulaklık" states
// Bağlantı: Bluetooth). Two different values stated, or none, is no answer: the name
// is evidence only when it is unambiguous.
func statedIn(a Attribute, name string) (string, bool) {
	if len(a.Values) == 0 || a.Multiple {
		return "", false
	}
	found := ""
	folded := Fold(name)
	text := " " + folded + " "
	said := phrases(valueGroups, folded)
	for _, v := range a.Values {
		f := Fold(v.Name)
		c, synonym := valueGroups[f]
		if !(len([]rune(f)) >= 3 && strings.Contains(text, " "+f+" ")) &&
			!(synonym && len(c) >= 3 && slices.Contains(said, c)) {
			continue
		}
		if found != "" && found != v.Name {
			return "", false
		}
		found = v.Name
	}
	return found, found != ""
}

// resolveValues maps the seller's value text onto a's allowed values: pinned first,
// then the same words, then a synonym ("Navy" is "Lacivert"). Several values, where
// the attribute takes several, are separated by commas or slashes.
func resolveValues(a Attribute, text string, pins map[string]string) (ids []string, names []string, pinned bool, bad string) {
	parts := []string{text}
	if a.Multiple {
		parts = strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == '/' || r == ';' })
	}
	for _, part := range parts {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if id, ok := pins[Fold(part)]; ok {
			if v, ok := valueByID(a, id); ok {
				ids, names, pinned = append(ids, v.ID), append(names, v.Name), true
				continue
			}
		}
		v, ok := valueNamed(a, part)
		if !ok {
			return nil, nil, false, part
		}
		ids, names = append(ids, v.ID), append(names, v.Name)
	}
	return ids, names, pinned, ""
}

func valueByID(a Attribute, id string) (Value, bool) {
	for _, v := range a.Values {
		if v.ID == id {
			return v, true
		}
	}
	return Value{}, false
}

// valueNamed finds the allowed value a seller's value names: the same folded text,
// the same synonym group, or the same lone number ("4" is "4 Numara (Maxi)", not
// "4+ Numara (Maxi Plus)").
func valueNamed(a Attribute, raw string) (Value, bool) {
	f := Fold(raw)
	for _, v := range a.Values {
		if Fold(v.Name) == f || Fold(v.ID) == f {
			return v, true
		}
	}
	c := canonical(valueGroups, f)
	for _, v := range a.Values {
		if canonical(valueGroups, Fold(v.Name)) == c {
			return v, true
		}
	}
	if n := number(raw); n != "" {
		var hit *Value
		for i, v := range a.Values {
			if number(v.Name) == n {
				if hit != nil {
					return Value{}, false
				}
				hit = &a.Values[i]
			}
		}
		if hit != nil {
			return *hit, true
		}
	}
	return Value{}, false
}

// number is the only whole number in a text ("" when none or several); "4+" is not
// a whole number.
func number(raw string) string {
	n := ""
	for _, w := range strings.FieldsFunc(strings.ToLower(raw), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '+'
	}) {
		if strings.Trim(w, "0123456789") == "" {
			if n != "" {
				return ""
			}
			n = strings.TrimLeft(w, "0")
		}
	}
	return n
}
