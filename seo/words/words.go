// Package words knows how Turkish words are spelled where a writer could not say
// whether an I is ı or i: a word in capitals ("KULAKLIK"), or typed on a keyboard
// without Turkish letters ("kulaklik"). It reads a word list derived from Debian's
// Turkish hunspell dictionary (tr.txt, see README.md) and Turkish vowel harmony, so
// "KULAKLIKLARI" is "kulaklıkları" although only "kulaklık" is listed, and a word that
// is not Turkish ("ELVIVE", "NOISE") is left with dotted i's.
package words

import (
	"cmp"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

//go:embed tr.txt
var turkishList string

// Dict is a set of Turkish words, looked up by their key.
type Dict struct {
	byKey map[string]string // Key(word) → word
}

// New returns a Dict of words, each written in lower case with its Turkish letters.
// Words that are not lower-case Turkish letters are skipped.
func New(words []string) *Dict {
	d := &Dict{byKey: make(map[string]string, len(words))}
	for _, w := range words {
		if w = strings.TrimSpace(w); w != "" && isWord(w) {
			d.byKey[Key(w)] = w
		}
	}
	return d
}

var (
	turkishOnce sync.Once
	turkish     *Dict
)

// Turkish returns the shipped Turkish dictionary.
func Turkish() *Dict {
	turkishOnce.Do(func() { turkish = New(strings.Split(turkishList, "\n")) })
	return turkish
}

// Len is the number of words in d.
func (d *Dict) Len() int { return len(d.byKey) }

// Key is how a lower-case word is looked up: with ı written as i, the one difference
// capitals and ASCII keyboards lose.
func Key(w string) string {
	if !strings.ContainsRune(w, 'ı') {
		return w
	}
	return strings.ReplaceAll(w, "ı", "i")
}

// isWord reports whether w holds only lower-case letters of the Turkish alphabet
// (with the circumflexed vowels) and the English letters it lacks.
func isWord(w string) bool {
	for _, r := range w {
		if !('a' <= r && r <= 'z' || strings.ContainsRune("çğıöşüâîû", r)) {
			return false
		}
	}
	return true
}

// Spell returns the Turkish spelling of key, a lower-case word in which every i may
// stand for ı (see Key), and whether the word is Turkish: a listed word, a listed word
// followed by suffixes in vowel harmony ("kulaklık" + "ları"), or a word holding a
// letter only Turkish has (ç, ğ, ş, ö, ü), spelled by vowel harmony. Any other word is
// returned as it is, with false: a word that is not Turkish gets no Turkish letter.
func (d *Dict) Spell(key string) (string, bool) {
	w, how := d.spell(key)
	return w, how != unknown
}

// How a word was spelled.
const (
	unknown = iota
	listed
	derived // a listed stem and suffixes
	harmony // a Turkish letter, and vowel harmony
)

func (d *Dict) spell(key string) (string, int) {
	key = Key(key)
	if w, ok := d.byKey[key]; ok {
		return w, listed
	}
	// longest stem first: "kulaklık" before "kulak"
	for n := len(key); n > 0; {
		if w, ok := d.byKey[key[:n]]; ok && n < len(key) && utf8.RuneCountInString(w) >= stemMin {
			if rest, ok := suffixes(w, key[n:]); ok {
				return w + rest, derived
			}
		}
		last, size := utf8.DecodeLastRuneInString(key[:n])
		// a stem's last p, ç, t or k softens before a vowel: "kitap" → "kitabı",
		// "ayak" → "ayağı"
		if hard, ok := softened[last]; ok && n < len(key) {
			for _, h := range hard {
				w, ok := d.byKey[key[:n-size]+string(h)]
				if !ok || utf8.RuneCountInString(w) < stemMin {
					continue
				}
				stem := strings.TrimSuffix(w, string(h)) + string(last)
				if rest, ok := suffixes(stem, key[n:]); ok {
					return stem + rest, derived
				}
			}
		}
		n -= size
	}
	if strings.ContainsAny(key, "çğşöü") && isWord(key) {
		return harmonize(key), harmony
	}
	return key, unknown
}

// softened are the consonants a stem's last one becomes before a vowel, and what it
// was.
var softened = map[rune]string{'b': "p", 'c': "ç", 'd': "t", 'ğ': "kg"}

// stemMin is the fewest letters a listed word needs to stand as the stem of a longer
// one: the one-letter interjections would make anything Turkish.
const stemMin = 2

// back reports whether vowel v is a back vowel (a, ı, o, u, and â, û).
func back(v rune) bool { return strings.ContainsRune("aıouâû", v) }

func vowel(r rune) bool { return strings.ContainsRune("aeıioöuüâîû", r) }

// lastVowel is the last vowel of w, or 0.
func lastVowel(w string) rune {
	for i := len(w); i > 0; {
		r, size := utf8.DecodeLastRuneInString(w[:i])
		if vowel(r) {
			return r
		}
		i -= size
	}
	return 0
}

// harmonize spells every i of key as ı or i by the vowel before it (the vowel after it
// for a leading one), as Turkish vowel harmony does.
func harmonize(key string) string {
	rs := []rune(key)
	prev := rune(0)
	for _, r := range rs {
		if vowel(r) && r != 'i' {
			prev = r
			break
		}
	}
	for i, r := range rs {
		if r == 'i' && prev != 0 && back(prev) {
			rs[i] = 'ı'
		}
		if vowel(rs[i]) {
			prev = rs[i]
		}
	}
	return string(rs)
}

// Reduce returns the fewest of words a Dict needs to spell every one of them as it is
// written (where two words share a key, "pil" and "pıl", the first one given), and the words made from them by suffixes: a word is left out when the
// words before it (shorter first) spell it, tell it Turkish where its first letter is
// an i (whose capital, İ or I, depends on that), and spell it with a suffix after it.
// tr.txt is Reduce of the hunspell dictionary's stems (see gen.go).
func Reduce(words []string) []string {
	var ws []string
	seen := map[string]bool{}
	for _, w := range words {
		// the first of two spellings with one key wins ("pil" before "pıl")
		if isWord(w) && utf8.RuneCountInString(w) >= stemMin && !seen[Key(w)] {
			seen[Key(w)] = true
			ws = append(ws, w)
		}
	}
	slices.SortFunc(ws, func(a, b string) int {
		return cmp.Or(cmp.Compare(utf8.RuneCountInString(a), utf8.RuneCountInString(b)), strings.Compare(a, b))
	})
	d := New(nil)
	var out []string
	for _, w := range ws {
		got, how := d.spell(Key(w))
		if got == w && (how != unknown || !strings.HasPrefix(w, "i")) {
			// a word spelled without a stem must still take suffixes right
			suffix := "li"
			if v := lastVowel(w); v != 0 && back(v) {
				suffix = "lı"
			}
			// and, for words made from it with a Turkish letter ("torpil-le-diği"),
			// be spelled right by vowel harmony
			withSuffix, _ := d.Spell(Key(w) + "li")
			if how == derived || withSuffix == w+suffix && harmonize(Key(w)) == w {
				continue
			}
		}
		d.byKey[Key(w)] = w
		out = append(out, w)
	}
	slices.Sort(out)
	return out
}
