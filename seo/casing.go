package seo

import (
	_ "embed"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/stox-dev/stox/seo/words"
)

//go:embed tokens.txt
var tokensFile string

// spellings are the names, acronyms and units tokens.txt spells, by fold of their
// letters; unitSpellings the units among them.
var spellings, unitSpellings = parseTokens(tokensFile)

func parseTokens(file string) (names, units map[string]string) {
	names, units = map[string]string{}, map[string]string{}
	for _, line := range strings.Split(file, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if u, ok := strings.CutPrefix(line, "unit "); ok {
			units[tokenKey(u)] = u
			continue
		}
		names[tokenKey(line)] = line
	}
	return names, units
}

// tokenKey is how a word is matched against tokens.txt: folded, with the apostrophes
// sellers type in any of their forms made one.
func tokenKey(w string) string { return fold(apostrophes.Replace(w)) }

var (
	apostrophes   = strings.NewReplacer("’", "'", "`", "'", "´", "'")
	noApostrophes = strings.NewReplacer("'", "", "’", "")
)

// spelling returns the listed spelling of core, if any.
func spelling(core string) (string, bool) {
	s, ok := spellings[tokenKey(core)]
	return s, ok
}

// unitAfterNumber returns the listed spelling of a unit, if core is one.
func unitAfterNumber(core string) (string, bool) {
	s, ok := unitSpellings[tokenKey(core)]
	return s, ok
}

// numberWithUnit spells a number run together with its unit ("400ML" → "400ml",
// "16gb" → "16GB"), and reports whether core is one.
func numberWithUnit(core string) (string, bool) {
	i := strings.IndexFunc(core, func(r rune) bool { return !unicode.IsDigit(r) && r != ',' && r != '.' })
	if i <= 0 {
		return "", false
	}
	u, ok := unitAfterNumber(core[i:])
	if !ok {
		return "", false
	}
	return core[:i] + u, true
}

// isNumber reports whether w is a number ("12", "1,5", "15.6").
func isNumber(w string) bool {
	w = trimPunct(w)
	if w == "" {
		return false
	}
	for _, r := range w {
		if !unicode.IsDigit(r) && r != ',' && r != '.' {
			return false
		}
	}
	return true
}

// dict is the Turkish dictionary shouted words are spelled with.
func dict() *words.Dict { return words.Turkish() }

// spellLower lowercases a word written in capitals, or partly so. Where the writer
// could not tell ı from i (an I in a word with no İ or ı), the Turkish dictionary
// decides: "KULAKLIK" → "kulaklık", "SIYAH" → "siyah", and a word that is not Turkish
// gets no Turkish letter: "ELVIVE" → "elvive", "NOISE" → "noise". A word holding İ or
// ı was typed on a Turkish keyboard, so its I is ı. Parts between hyphens, slashes and
// apostrophes are spelled each ("KADIN'IN", "T-SHIRT").
func spellLower(w string) string {
	return mapLetterRuns(w, func(run string) string {
		if strings.ContainsAny(run, "İı") {
			return strings.ToLowerSpecial(unicode.TurkishCase, run)
		}
		if !strings.ContainsRune(run, 'I') {
			return strings.ToLowerSpecial(unicode.TurkishCase, run)
		}
		// "KADIN'IN": the ending after an apostrophe follows the word's harmony
		plain := noApostrophes.Replace(run)
		s, _ := dict().Spell(strings.ToLower(plain))
		if plain == run {
			return s
		}
		spelled := []rune(s)
		var b strings.Builder
		j := 0
		for _, r := range run {
			if r == '\'' || r == '’' {
				b.WriteRune(r)
				continue
			}
			b.WriteRune(spelled[j])
			j++
		}
		return b.String()
	})
}

// turkishWord reports whether a lower-case word is Turkish, so that its capital i is
// İ: a word with a letter only Turkish has, or one the dictionary knows.
func turkishWord(lower string) bool {
	if strings.ContainsAny(lower, "ğış") {
		return true
	}
	_, ok := dict().Spell(words.Key(lower))
	return ok
}

// capitalizeWord upper-cases the first letter of each part of a lower-case word
// ("t-shirt" → "T-Shirt"): i becomes İ only in a Turkish word of a Turkish listing,
// or in a word with a letter only Turkish has ("ipek" → "İpek", "intel" → "Intel").
func capitalizeWord(lang, w string) string {
	return mapLetterRuns(w, func(run string) string {
		r, size := utf8.DecodeRuneInString(run)
		var first string
		switch {
		case r == 'i' && (strings.ContainsAny(run, turkishOnly) || lang == Turkish && turkishWord(run)):
			first = "İ"
		case r == 'i' || r == 'ı':
			first = "I"
		default:
			first = string(unicode.ToUpper(r))
		}
		return first + run[size:]
	})
}

// mapLetterRuns applies f to every run of letters in w (apostrophes within a run
// included: "Kadın'ın" is one), leaving what joins them.
func mapLetterRuns(w string, f func(string) string) string {
	var b strings.Builder
	start := -1
	for i, r := range w {
		letter := unicode.IsLetter(r) || unicode.IsMark(r) || start >= 0 && (r == '\'' || r == '’')
		switch {
		case letter && start < 0:
			start = i
		case !letter && start >= 0:
			b.WriteString(f(w[start:i]))
			start = -1
			fallthrough
		case !letter:
			b.WriteRune(r)
		}
	}
	if start >= 0 {
		b.WriteString(f(w[start:]))
	}
	return b.String()
}
