package seo

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// turkishOnly are letters that appear in Turkish but not in English or the other
// Latin-script languages sellers here use; a word holding one is cased the Turkish way
// even in an English listing, so "İpek" stays "İpek" and "IŞIK" becomes "Işık".
const turkishOnly = "ğĞıİşŞ"

func lowerWith(turkish bool, s string) string {
	if turkish {
		return strings.ToLowerSpecial(unicode.TurkishCase, s)
	}
	// strings.ToLower turns İ into i + U+0307; a plain i is what anyone means.
	return strings.ToLower(strings.ReplaceAll(s, "İ", "i"))
}

func upperWith(turkish bool, s string) string {
	if turkish {
		return strings.ToUpperSpecial(unicode.TurkishCase, s)
	}
	return strings.ToUpper(s)
}

// Lower lowercases s for a listing in lang. In Turkish, a word's I is ı or i as the
// Turkish dictionary spells it ("KULAKLIK" → "kulaklık", "ELVIVE" → "elvive"); in
// English, I is i unless the word holds a letter only Turkish has ("IŞIK" → "ışık").
func Lower(lang, s string) string {
	return mapLetterRuns(s, func(run string) string {
		if lang == Turkish || strings.ContainsAny(run, turkishOnly) {
			return spellLower(run)
		}
		return lowerWith(false, run)
	})
}

// Upper uppercases s for a listing in lang: a Turkish word the Turkish way (i → İ, ı →
// I), any other word without Turkish letters ("t-shirt" → "T-SHIRT").
func Upper(lang, s string) string {
	return mapLetterRuns(s, func(run string) string {
		tr := strings.ContainsAny(run, turkishOnly)
		return upperWith(tr || lang == Turkish && turkishWord(lowerWith(false, run)), run)
	})
}

// TitleCase capitalises the first letter of every word of s and lowercases the rest,
// a Turkish word the Turkish way ("ışık" → "Işık", "İPEK" → "İpek"), any other word
// without Turkish letters ("intel" → "Intel"). Parts of a word joined by '-' or '/' are
// capitalised each ("t-shirt" → "T-Shirt").
func TitleCase(lang, s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		l := lang
		if strings.ContainsAny(w, turkishOnly) {
			l = Turkish // "İpek" stays İpek in any listing
		}
		words[i] = capitalizeWord(l, Lower(lang, w))
	}
	return strings.Join(words, " ")
}

// turkishLetters are the letters of the Turkish alphabet that English lacks.
const turkishLetters = "çÇğĞıİöÖşŞüÜ"

// wordKey is how a title word is compared with another in lang: case-folded, without
// the punctuation around it. It is "" for a token with no letter or digit.
func wordKey(lang, w string) string {
	return Lower(lang, trimPunct(w))
}

// trimPunct removes what is not a letter or digit from both ends of w.
func trimPunct(w string) string {
	return strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// translit maps Turkish and a few other Latin letters to ASCII, for slugs and for
// matching words whatever keyboard typed them.
var translit = map[rune]string{
	'ç': "c", 'ğ': "g", 'ı': "i", 'ö': "o", 'ş': "s", 'ü': "u",
	'â': "a", 'î': "i", 'û': "u", 'á': "a", 'à': "a", 'ä': "a", 'å': "a", 'ã': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'í': "i", 'ì': "i", 'ï': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'õ': "o", 'ø': "o", 'ú': "u", 'ù': "u",
	'ñ': "n", 'ß': "ss", 'æ': "ae", 'œ': "oe",
}

// fold reduces s to lowercase ASCII-ish text for matching: Turkish lowercasing (so both
// I and İ become i after transliteration), then transliteration. "KARGO BEDAVA",
// "Kargo Bedava" and "kargo bedava" fold alike, as do "Ücretsiz" and "UCRETSIZ".
func fold(s string) string {
	ascii, lower := true, true
	for i := 0; i < len(s) && ascii; i++ {
		ascii = s[i] < utf8.RuneSelf
		lower = lower && !('A' <= s[i] && s[i] <= 'Z')
	}
	if ascii {
		if lower {
			return s
		}
		return strings.ToLower(s) // I → ı → i: the same as the long way
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		r = unicode.TurkishCase.ToLower(r)
		if t, ok := translit[r]; ok {
			b.WriteString(t)
			continue
		}
		if r == '\u0307' { // a combining dot left by a decomposed İ
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Slug turns s into a URL path segment: lowercase ASCII letters and digits joined by
// single hyphens, with Turkish letters transliterated (ç→c, ğ→g, ı→i, İ→i, ö→o, ş→s,
// ü→u). Other characters become separators or are dropped.
func Slug(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range fold(s) {
		switch {
		case r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		case r == '\'' || r == '’':
			// "Kadın'ın" → "kadinin", "women's" → "womens"
		case unicode.IsLetter(r) || unicode.IsMark(r):
			// a letter with no ASCII form: dropped, not a word break
		default:
			dash = true
		}
	}
	return b.String()
}

// stopWords are the short words that neither count as repeats in a title nor carry a
// search: Amazon's list (Seller Central help 23501) and the Turkish equivalents.
var stopWords = map[string]bool{
	"a": true, "also": true, "an": true, "and": true, "any": true, "are": true, "as": true,
	"at": true, "be": true, "because": true, "been": true, "but": true, "by": true,
	"for": true, "from": true, "in": true, "into": true, "is": true, "of": true, "on": true,
	"or": true, "so": true, "some": true, "such": true, "the": true, "to": true, "was": true,
	"were": true, "with": true,
	"ve": true, "ile": true, "icin": true, "veya": true, "ya": true, "da": true, "de": true,
	"bir": true, "bu": true, "su": true, "gibi": true, "cok": true, "daha": true, "en": true,
}

// isStop reports whether w is a stop word.
func isStop(w string) bool { return stopWords[fold(trimPunct(w))] }

// lowerStops are the stop words a title keeps in lower case (conjunctions, articles,
// short prepositions).
var lowerStops = map[string]bool{
	"a": true, "an": true, "and": true, "at": true, "by": true, "for": true, "in": true,
	"of": true, "on": true, "or": true, "the": true, "to": true, "with": true,
	"ve": true, "ile": true, "icin": true, "veya": true,
}

// acronyms stay in capitals even when the rest of a shouted name is recased.
var acronyms = map[string]bool{
	"ABS": true, "AC": true, "DC": true, "DVD": true, "EU": true, "GB": true, "GPS": true,
	"HD": true, "HDD": true, "HDMI": true, "LCD": true, "LED": true, "MB": true, "PC": true,
	"PVC": true, "RAM": true, "RGB": true, "SSD": true, "TB": true, "TV": true, "UK": true,
	"UHD": true, "US": true, "USA": true, "USB": true, "UV": true, "XS": true, "XXS": true,
	"S": true, "M": true, "L": true, "XL": true, "XXL": true, "XXXL": true, "OLED": true,
	"NFC": true, "AUX": true, "SIM": true, "CPU": true, "GPU": true, "IP": true,
}

// shoutMin is the fewest letters an all-capitals word needs to count as shouting;
// shorter ones pass as acronyms ("USB", "HDMI", "XXL").
const shoutMin = 5

type shape struct {
	letters, upper, lower int
	digit                 bool
}

func shapeOf(w string) shape {
	var s shape
	for _, r := range w {
		switch {
		case unicode.IsUpper(r):
			s.letters++
			s.upper++
		case unicode.IsLower(r):
			s.letters++
			s.lower++
		case unicode.IsLetter(r):
			s.letters++
		case unicode.IsDigit(r):
			s.digit = true
		}
	}
	return s
}

// allCaps reports whether w is written in capitals only (two letters or more).
func (s shape) allCaps() bool { return s.letters >= 2 && s.upper == s.letters }

// shouting reports whether w is an all-capitals word that is no acronym: too long for
// one, or holding a Turkish letter ("IŞIK", "ŞAL"), since acronyms are written in ASCII.
func shouting(w string) bool {
	s := shapeOf(w)
	return !s.digit && s.allCaps() && (s.letters >= shoutMin || strings.ContainsAny(w, turkishLetters))
}

// percent reports whether tok is a percentage like "%50" or "50%".
func percent(tok string) bool {
	t := strings.Trim(tok, ".,;:!?()[]")
	if !strings.Contains(t, "%") {
		return false
	}
	t = strings.ReplaceAll(t, "%", "")
	if t == "" {
		return true
	}
	for _, r := range t {
		if !unicode.IsDigit(r) && r != ',' && r != '.' {
			return false
		}
	}
	return true
}

// promoPhrases are promotional claims no title, bullet or description may make: price,
// shipping and sales talk (Amazon: "free shipping", "best seller"… Seller Central help
// 201100890; the Turkish marketplaces' equivalents). Matched on folded whole words.
var promoPhrases = splitPhrases(
	// Turkish
	"en ucuz", "ucuz", "bedava", "kargo bedava", "bedava kargo", "ucretsiz kargo",
	"ucretsiz teslimat", "kargo ucretsiz", "indirim", "indirimli", "kampanya", "kampanyali",
	"firsat", "firsati", "firsat urunu", "super firsat", "son firsat", "kacirma", "en iyi",
	"en cok satan", "cok satan", "en kaliteli", "sok fiyat", "super fiyat", "uygun fiyat",
	"uygun fiyatli", "stoklarla sinirli", "hemen al", "acele et", "sinirli sayida",
	// English
	"best seller", "bestseller", "best selling", "top seller", "best price", "best deal",
	"free shipping", "free delivery", "ships free", "sale", "on sale", "hot sale", "hot item",
	"discount", "discounted", "cheap", "cheapest", "clearance", "limited time",
	"limited offer", "buy now", "top rated", "100 quality guaranteed",
	"quality guaranteed", "money back guarantee", "deal of the day",
)

// temporaryWords make poor search terms: Amazon's temporary and subjective words
// (Seller Central help 23501) and the Turkish equivalents.
var temporaryWords = map[string]bool{
	"new": true, "latest": true, "current": true, "today": true, "best": true,
	"amazing": true, "popular": true, "trending": true, "effective": true, "fastest": true,
	"most": true, "least": true, "yeni": true, "harika": true, "populer": true, "muhtesem": true,
}

func splitPhrases(ps ...string) [][]string {
	out := make([][]string, 0, len(ps))
	for _, p := range ps {
		out = append(out, strings.Fields(p))
	}
	// longest first, so "kargo bedava" is removed whole rather than leaving "kargo"
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && len(out[j]) > len(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// promoKeys returns the folded match key of every token.
func promoKeys(tokens []string) []string {
	keys := make([]string, len(tokens))
	for i, t := range tokens {
		keys[i] = fold(trimPunct(t))
	}
	return keys
}

// findPromo returns the token span [start, end) of the first promotional phrase in
// tokens at or after from, or start == -1. A percentage right before or after the phrase
// ("%50 indirim", "50% off") belongs to it.
func findPromo(tokens, keys []string, from int) (start, end int) {
	for i := from; i < len(tokens); i++ {
		if keys[i] == "off" && i > from && percent(tokens[i-1]) {
			return i - 1, i + 1
		}
	phrases:
		for _, p := range promoPhrases {
			if i+len(p) > len(keys) {
				continue
			}
			for j, w := range p {
				if keys[i+j] != w {
					continue phrases
				}
			}
			s, e := i, i+len(p)
			for s > from && percent(tokens[s-1]) {
				s--
			}
			for e < len(tokens) && percent(tokens[e]) {
				e++
			}
			return s, e
		}
	}
	return -1, -1
}

// removePromo drops promotional phrases from tokens and returns what was removed.
func removePromo(tokens []string) (kept, removed []string) {
	keys := promoKeys(tokens)
	kept = tokens[:0:0]
	for i := 0; i < len(tokens); {
		s, e := findPromo(tokens, keys, i)
		if s < 0 {
			kept = append(kept, tokens[i:]...)
			break
		}
		kept = append(kept, tokens[i:s]...)
		removed = append(removed, strings.Join(tokens[s:e], " "))
		i = e
	}
	return tidy(kept), removed
}

// tidy drops tokens with no letter or digit from both ends and collapses runs of them,
// so "Gömlek - Kargo Bedava" loses its dangling dash once the claim is removed.
func tidy(tokens []string) []string {
	out := tokens[:0:0]
	for _, t := range tokens {
		if trimPunct(t) == "" && (len(out) == 0 || trimPunct(out[len(out)-1]) == "") {
			continue
		}
		out = append(out, t)
	}
	for len(out) > 0 && trimPunct(out[len(out)-1]) == "" {
		out = out[:len(out)-1]
	}
	return out
}

// stripTags removes anything that looks like an HTML tag from seller text, and control
// characters; what remains is plain text to be escaped where it goes into HTML.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := s[i]
		if c == '<' && i+1 < len(s) && (isASCIILetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!') {
			if j := strings.IndexByte(s[i:], '>'); j > 0 {
				b.WriteByte(' ')
				i += j + 1
				continue
			}
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsControl(r) {
			b.WriteByte(' ')
		} else {
			b.WriteRune(r)
		}
		i += n
	}
	return b.String()
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// runeLen is the length of s in characters.
func runeLen(s string) int { return utf8.RuneCountInString(s) }

// cutWords shortens s at a word boundary to at most limit characters.
func cutWords(s string, limit int) string {
	if runeLen(s) <= limit {
		return s
	}
	words := strings.Fields(s)
	for len(words) > 1 && runeLen(strings.Join(words, " ")) > limit {
		words = words[:len(words)-1]
	}
	out := strings.Join(words, " ")
	if runeLen(out) > limit { // one word longer than the limit: cut it
		out = string([]rune(out)[:limit])
	}
	return strings.TrimRight(out, " ,;:-/&")
}
