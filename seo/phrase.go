package seo

import "strings"

// A title is cut between phrases, never inside one: "… Köpük Göstergeli Büyük" or
// "… Keyfi için Sessiz Çalışan" leave a word waiting for the noun it qualifies. Turkish
// and English put a qualifier before its noun, so a phrase may end on a noun but not on
// an adjective, a participle, a postposition or a conjunction, and may not start with
// a unit, a postposition or an ending. Word classes are guessed from endings and short
// lists; a wrong guess only makes a title shorter.

// modifiers are common adjectives of product names whose ending does not give them
// away, folded.
var modifiers = wordSet(
	// Turkish
	"buyuk", "kucuk", "orta", "uzun", "kisa", "genis", "dar", "ince", "kalin", "hafif", "agir",
	"yuksek", "alcak", "dusuk", "yeni", "eski", "sicak", "soguk", "ilik", "yumusak", "sert",
	"sik", "ozel", "pratik", "modern", "klasik", "dijital", "mini", "maxi", "midi", "tek",
	"cift", "yarim", "tam", "mat", "parlak", "dogal", "organik", "ekstra", "super", "ultra",
	"premium", "luks", "profesyonel", "otomatik", "manuel", "hakiki", "gercek", "saf",
	"kompakt", "ergonomik", "antibakteriyel", "ekonomik", "zarif", "basic", "oversize",
	"slim", "regular", "yerli", "ithal", "sade", "duz", "kare", "yuvarlak", "oval",
	// English
	"classic", "vintage", "retro", "smart", "digital", "electric", "automatic", "manual",
	"professional", "compact", "ergonomic", "soft", "hard", "heavy", "large", "small", "big",
	"wireless", "portable", "waterproof", "adjustable", "stainless", "nonstick", "non-stick",
	"premium", "deluxe", "extra", "natural", "organic", "pure", "fresh", "old", "long",
	"short", "wide", "narrow", "thin", "thick", "high", "low", "fast", "quick", "quiet",
	"silent", "casual", "slim", "regular", "round", "square", "flat", "full", "half", "dual",
	"double", "single", "multi",
)

// joiners are conjunctions and postpositions: a phrase neither ends nor starts with
// one ("Kahve Keyfi için", "… with"), folded.
var joiners = wordSet(
	"ve", "ile", "icin", "veya", "ya", "da", "de", "gibi", "kadar", "ait", "olan", "icin",
	"and", "with", "for", "of", "or", "the", "a", "an", "to", "by", "in", "on", "at", "from",
	"&", "+", "/",
)

// counters are the nouns a number counts ("12 Parça", "4 Kişilik"), folded: a number
// before one is part of its phrase.
var counters = wordSet(
	"parca", "adet", "kisilik", "katli", "kat", "gun", "ay", "yas", "numara", "beden", "boy",
	"paket", "set", "li", "lu", "lik", "luk", "pcs", "pack", "piece", "pieces", "count", "ct",
	"inch", "inc", "kademe", "kademeli", "cekmeceli", "gozlu", "kapakli", "metre",
)

func wordSet(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}

// englishEndings are the folded endings of English adjectives and participles, which
// stand before their noun.
var englishEndings = []string{"less", "ful", "able", "ible", "ive", "ous", "ing"}

// takesComplement reports whether w is a Turkish adjective made with -lı or -sız,
// which follows the noun it is made of when that is a word of its own: "Su Hazneli",
// "Köpük Göstergeli". Such a word may end a title; the noun before it may not.
func takesComplement(w string) bool {
	f := fold(trimPunct(w))
	if runeLen(f) < 5 {
		return false
	}
	for _, e := range []string{"li", "lu", "siz", "suz"} {
		if strings.HasSuffix(f, e) {
			return true
		}
	}
	return false
}

// participle reports whether w is a Turkish participle ("Çalışan", "Dönen") or an
// English one ("Pre-Seasoned"), which stands before the noun it qualifies.
func participle(w string) bool {
	f := fold(trimPunct(w))
	if runeLen(f) >= 7 && (strings.HasSuffix(f, "an") || strings.HasSuffix(f, "en")) {
		return !vowelByte(f[len(f)-3])
	}
	return runeLen(f) >= 6 && strings.HasSuffix(f, "ed")
}

// isModifier reports whether w qualifies the word after it and so cannot end a phrase:
// a plain adjective ("Büyük", "Sessiz" before a participle), a participle, or an English
// adjective. Turkish adjectives made with -lı, -sız, -abilir or -maz may end a title
// ("Cüzdan Kartlıklı", "Halı Yıkanabilir"): sellers write them after the noun.
func isModifier(w string) bool {
	f := fold(trimPunct(w))
	if f == "" {
		return false
	}
	if modifiers[f] || participle(w) {
		return true
	}
	if runeLen(f) < 5 {
		return false
	}
	for _, e := range englishEndings {
		if strings.HasSuffix(f, e) {
			return true
		}
	}
	return false
}

func vowelByte(c byte) bool { return strings.IndexByte("aeiou", c) >= 0 }

// canEnd reports whether a phrase may end on w, given the word after it ("" at the
// end): not a qualifier, a joiner, a number counting the next word, a noun the next
// word is made of ("Su" of "Su Hazneli"), or an adverb of the next participle
// ("Sessiz" of "Sessiz Çalışan").
func canEnd(w, next string) bool {
	f := fold(trimPunct(w))
	switch {
	case f == "":
		return false
	case joiners[f] || isModifier(w) && !isColour(w):
		return false
	case isNumber(w) && next != "":
		_, unit := unitAfterNumber(trimPunct(next))
		return !unit && !counters[fold(trimPunct(next))]
	case next != "" && (takesComplement(next) || participle(next)):
		return false
	}
	return true
}

// canStart reports whether a phrase may start with w: not a joiner, a unit, a number,
// a suffix written apart ("'li") or the head of a compound.
func canStart(w string) bool {
	core := trimPunct(w)
	f := fold(core)
	if f == "" || joiners[f] || strings.HasPrefix(w, "'") || strings.HasPrefix(w, "’") {
		return false
	}
	// a number belongs to the word before it: "Windows 11", "iPhone 15", "Seti 7 Parça"
	if _, unit := unitAfterNumber(core); unit || isNumber(core) {
		return false
	}
	return f != "uyumlu" && f != "compatible" && !possessive(f)
}

// baseNouns are nouns of product names that end like a possessive and are not one,
// folded.
var baseNouns = wordSet("deri", "hali", "kedi", "kutu", "utu", "dizustu", "kapi", "masaustu", "mini", "maxi", "midi")

// possessive reports whether a folded word looks like the head of a Turkish compound,
// which carries the possessive ending and belongs with the noun before it ("Bebek
// Arabası", "Kahve Keyfi", "Tencere Seti"): it ends in -sı, or in ı/u after a consonant.
// Base nouns ending so ("Deri", "Halı") only join their phrase to the word before.
func possessive(f string) bool {
	n := len(f)
	if runeLen(f) < 4 || !strings.ContainsRune("iu", rune(f[n-1])) || baseNouns[f] {
		return false
	}
	return f[n-2] == 's' || !vowelByte(f[n-2])
}

// isColour reports whether w names a colour: a colour may end a title ("Kılıf Şeffaf").
func isColour(w string) bool {
	f := fold(trimPunct(w))
	for _, p := range colours {
		if fold(p.tr) == f || fold(p.en) == f {
			return true
		}
	}
	return false
}

// separator reports whether a token is punctuation that separates phrases ("-", "|",
// "/", "+").
func separator(t string) bool { return trimPunct(t) == "" }

// phrases splits words into phrases: after a word that can end one and before a word
// that can start one, and at punctuation.
func phrases(ws []string) [][]string { return phrasesWith(ws, nil) }

// phrasesWith is phrases where a word for which head is true (the product's noun)
// also keeps the word before it ("Dizüstü Bilgisayar", "Spor Ayakkabı").
func phrasesWith(ws []string, head func(string) bool) [][]string {
	var out [][]string
	start := 0
	for i := range ws {
		next := ""
		if i+1 < len(ws) {
			next = ws[i+1]
		}
		end := i+1 == len(ws) ||
			separator(ws[i]) || separator(next) ||
			strings.HasSuffix(ws[i], ",") || strings.HasSuffix(ws[i], ";") ||
			canEnd(ws[i], next) && canStart(next) && (head == nil || !head(next) || isNumber(ws[i]))
		if end {
			out = append(out, ws[start:i+1])
			start = i + 1
		}
	}
	return out
}

// endsPhrase reports whether ws, a run of title words, ends where a phrase may.
func endsPhrase(ws []string) bool {
	return len(ws) > 0 && canEnd(ws[len(ws)-1], "")
}
