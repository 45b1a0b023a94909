package words

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// morphs are the Turkish suffixes a listed word may be followed by, written with
// archiphonemes: I is ı, i, u or ü and A is a or e by vowel harmony; D is d or t, C is
// c or ç, K is k or ğ; lower-case vowels do not harmonise ("ki", "yor"). A consonant in
// parentheses is a buffer, there after a vowel and not after a consonant ("(s)I":
// "çanta-sı", "kılıf-ı"); a vowel in parentheses is there after a consonant only
// ("(I)m": "kalem-im", "çanta-m"). A suffix that starts with a vowel follows a
// consonant, and one made of a consonant alone follows a vowel: two vowels never meet
// and no ending is a bare consonant after one. They are the plural, possessive, case,
// copula and derivational endings product names carry ("kulaklık", "kablosuz",
// "çantası", "şarjlı"), and the verb endings of participles ("katlanabilir").
var morphs = slices.Concat(
	// derivation, of nouns and verbs alike; any number, in any order
	expand(slotDerivation, "lI", "lIK", "sIz", "CI", "CIK", "CIl", "sAl", "DAş", "(y)IcI", "mA",
		"mAK", "(y)Iş", "lAş", "lAn", "lAt", "(I)l", "(I)n", "(I)t", "DIr", "(I)r", "cA", "cAK",
		"msI", "(I)mtrAK", "(y)Ik", "lA"),
	// verb endings, the participles and infinitives that name products ("katlanabilir")
	expand(slotVerb, "(y)An", "DIK", "(y)AcAK", "(y)Ip", "(y)ArAk", "Ar", "(I)r", "(y)Abil", "mAz",
		"mIş", "(y)Iver", "Iyor", "mAktA", "(y)AmA", "(y)IncA", "mAdAn", "(y)AlI", "mAlI", "DI",
		"sA", "(y)AlIm"),
	expand(slotPlural, "lAr"),
	expand(slotPossessive, "(s)I", "(I)m", "(I)n", "(I)mIz", "(I)nIz", "lArI"),
	expand(slotCase, "(y)I", "(n)In", "(y)A", "DA", "DAn", "(y)lA", "(n)A", "(n)I", "(n)DA", "(n)DAn"),
	// "-ki" makes a noun again: "kutudaki", "kutudakiler"
	expand(slotKi, "ki", "(n)ki"),
	expand(slotCopula, "DIr", "(y)DI", "(y)mIş", "(y)sA", "(y)Im", "(y)Iz", "sIn", "sInIz", "(y)ken",
		"(I)k", "sAnIz", "sAk", "sAm", "sAn", "lAr"),
)

// Slots order the morphs of a word: a morph may follow one of its own slot or an
// earlier one, and "-ki" starts a noun again, so "kutu-da-ki-ler" is a word and
// "in-de-l" is not.
const (
	slotDerivation = iota
	slotVerb
	slotPlural
	slotPossessive
	slotCase
	slotKi
	slotCopula
)

// morph is one written-out suffix and what may come before it.
type morph struct {
	pat  string
	slot int
	// afterVowel and afterConsonant say whether it may follow a vowel, a consonant.
	afterVowel, afterConsonant bool
}

// expand writes out the variants of each pattern: "(s)I" → "sI" after a vowel, "I"
// after a consonant.
func expand(slot int, patterns ...string) []morph {
	seen := map[morph]bool{}
	var out []morph
	add := func(m morph) {
		if m.pat == "" {
			return
		}
		first, _ := utf8.DecodeRuneInString(m.pat)
		if archVowel(first) {
			m.afterVowel = false // two vowels never meet
		}
		if utf8.RuneCountInString(m.pat) == 1 && !archVowel(first) {
			m.afterConsonant = false
		}
		if (m.afterVowel || m.afterConsonant) && !seen[m] {
			seen[m] = true
			out = append(out, m)
		}
	}
	for _, p := range patterns {
		if p[0] != '(' {
			add(morph{p, slot, true, true})
			continue
		}
		end := strings.IndexByte(p, ')')
		opt, rest := p[1:end], p[end+1:]
		if r, _ := utf8.DecodeRuneInString(opt); archVowel(r) {
			add(morph{opt + rest, slot, false, true})
			add(morph{rest, slot, true, false})
		} else {
			add(morph{opt + rest, slot, true, false})
			add(morph{rest, slot, false, true})
		}
	}
	return out
}

// archVowel reports whether r is a vowel or a vowel archiphoneme of a pattern.
func archVowel(r rune) bool { return r == 'I' || r == 'A' || vowel(r) }

// suffixes spells rest, the key of what follows stem in a word, as a chain of morphs
// in vowel harmony with stem, and reports whether it is one.
func suffixes(stem, rest string) (string, bool) {
	last, _ := utf8.DecodeLastRuneInString(stem)
	return chain(lastVowel(stem), vowel(last), slotDerivation, rest, 0)
}

// chainMax bounds the morphs of one word, and so the search.
const chainMax = 8

func chain(prev rune, afterVowel bool, slot int, rest string, depth int) (string, bool) {
	if rest == "" {
		return "", true
	}
	if depth == chainMax {
		return "", false
	}
	for _, m := range morphs {
		if m.slot < slot || afterVowel && !m.afterVowel || !afterVowel && !m.afterConsonant {
			continue
		}
		out, last, n, ok := match(m.pat, prev, rest)
		if !ok {
			continue
		}
		end, _ := utf8.DecodeLastRuneInString(out)
		next := m.slot
		if next == slotKi {
			next = slotPlural
		}
		if tail, ok := chain(last, vowel(end), next, rest[n:], depth+1); ok {
			return out + tail, true
		}
	}
	return "", false
}

// match matches morph pattern m at the start of rest after vowel prev, and returns
// the spelling, the last vowel, the bytes of rest matched and whether it matched.
func match(m string, prev rune, rest string) (string, rune, int, bool) {
	var b strings.Builder
	n := 0
	for _, p := range m {
		if n >= len(rest) {
			return "", 0, 0, false
		}
		r, size := utf8.DecodeRuneInString(rest[n:])
		isBack := prev == 0 || back(prev)
		switch p {
		case 'I':
			switch {
			case r == 'i':
				r = 'i'
				if isBack {
					r = 'ı'
				}
			case r == 'u' && isBack, r == 'ü' && !isBack:
			default:
				return "", 0, 0, false
			}
		case 'A':
			if !(r == 'a' && isBack || r == 'e' && !isBack) {
				return "", 0, 0, false
			}
		case 'D':
			if r != 'd' && r != 't' {
				return "", 0, 0, false
			}
		case 'C':
			if r != 'c' && r != 'ç' {
				return "", 0, 0, false
			}
		case 'K':
			if r != 'k' && r != 'ğ' {
				return "", 0, 0, false
			}
		default:
			if r != p {
				return "", 0, 0, false
			}
		}
		if vowel(r) {
			prev = r
		}
		b.WriteRune(r)
		n += size
	}
	return b.String(), prev, n, true
}
