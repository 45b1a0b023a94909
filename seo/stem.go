package seo

import "strings"

// stemMin is the fewest letters a stem keeps: shorter words lose no suffix, so "kalem"
// or "yaş" are never cut to nothing.
const stemMin = 3

// turkishSuffixes are the plural, possessive and plural-possessive endings stem
// removes from a folded Turkish word, longest first: "ayakkabıları" → "ayakkabı",
// "gömlekler" → "gömlek", "çantası" → "çanta". Case endings are left alone: they are
// too short to tell from the end of a stem ("kadın", "deri").
var turkishSuffixes = []string{"lari", "leri", "lar", "ler", "si", "su"}

// stem reduces a word to the key keywords are de-duplicated by: folded (lowercase,
// Turkish letters transliterated), then without a Turkish plural or possessive ending
// when the word is Turkish (a Turkish listing, or a Turkish letter in the word), or
// without an English plural "s" in an English listing. It is only a matching key,
// never shown: "ayakkabısı" and "ayakkabı" share one, as do "shoes" and "shoe".
func stem(lang, w string) string {
	core := trimPunct(w)
	f := fold(core)
	if lang == Turkish || strings.ContainsAny(core, turkishLetters) {
		for _, s := range turkishSuffixes {
			rest, ok := strings.CutSuffix(f, s)
			if !ok || runeLen(rest) < stemMin {
				continue
			}
			// "si" and "su" are possessive only after a vowel ("çanta-sı"); after a
			// consonant they belong to the stem ("kesi" aside, "kurs", "ters").
			if (s == "si" || s == "su") && !strings.ContainsAny(rest[len(rest)-1:], "aeiou") {
				continue
			}
			return rest
		}
		return f
	}
	if rest, ok := strings.CutSuffix(f, "s"); ok && !strings.HasSuffix(rest, "s") && runeLen(rest) >= stemMin {
		return rest
	}
	return f
}
