package taxonomy

import (
	"strings"
	"unicode"
)

// fold maps the letters a seller may or may not type (Turkish ı ğ ü ş ö ç, accents) to
// plain ASCII, after Turkish lowercasing: İ → i, I → ı → i.
var fold = strings.NewReplacer(
	"ı", "i", "ğ", "g", "ü", "u", "ş", "s", "ö", "o", "ç", "c",
	"â", "a", "î", "i", "û", "u", "é", "e", "è", "e", "ê", "e", "ë", "e",
	"á", "a", "à", "a", "ä", "a", "ã", "a", "å", "a", "í", "i", "ì", "i", "ï", "i",
	"ó", "o", "ò", "o", "ô", "o", "õ", "o", "ú", "u", "ù", "u", "ñ", "n", "ß", "ss",
	"œ", "oe", "æ", "ae", "ø", "o",
)

// Fold is the form names are compared in: lowercased the Turkish way, Turkish letters
// and accents folded to ASCII, every run of other characters (spaces, punctuation,
// apostrophes) one space. "L'Oréal" and "L’OREAL" fold to "l oreal", "Kığılı" and
// "KIGILI" to "kigili", "T-Shirt" to "t shirt".
func Fold(s string) string {
	s = strings.ToLowerSpecial(unicode.TurkishCase, s)
	s = fold.Replace(s)
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			continue
		}
		space = true
	}
	return b.String()
}

// Search returns the leaves of cats whose path (or ID) holds every word of query,
// Turkish letters optional, at most limit of them (0: all), in the tree's order.
func Search(cats []Category, query string, limit int) []Category {
	words := strings.Fields(Fold(query))
	out := []Category{}
	for _, c := range cats {
		if !c.Leaf {
			continue
		}
		text := " " + Fold(strings.Join(c.Path, " ")+" "+c.ID) + " "
		match := true
		for _, w := range words {
			match = match && strings.Contains(text, w)
		}
		if match {
			out = append(out, c)
			if len(out) == limit {
				break
			}
		}
	}
	return out
}
