package seo

import (
	"fmt"
	"slices"
	"strings"
)

// segment is a run of title words kept or left out whole.
type segment struct {
	kind  string // "brand", "name", "tail" (a phrase of the name after its noun) or an attribute kind
	words []string
	drop  int // 0: never left out; else the order in which a long title gives it up, 1 first
}

// title assembles the brand, the name and the attributes in the category template's
// order, each stem once, and fits the marketplace's limit by leaving out whole phrases:
// the size first, then the phrases of the name after the product's noun, then the
// other attributes, the key ones (model compatibility, model, capacity, material) last,
// then the name's own phrases from the end. It returns a reason instead when no
// compliant title fits.
func (g *generator) title(name []string, byKind map[string]attr, colour string) (string, string) {
	brand := strings.Fields(g.brand)
	seen := map[string]bool{}
	for _, w := range brand {
		seen[stem(g.lang, w)] = true
	}
	nameWords, reason := g.titleName(name, seen)
	if reason != "" {
		return "", reason
	}
	segs, reason := g.fitTitle(g.titleSegments(brand, nameWords, byKind, colour, seen))
	if reason != "" {
		return "", reason
	}
	rest, reason := g.withoutPromos(segs)
	if reason != "" {
		return "", reason
	}
	return g.joinTitle([]segment{{kind: "brand", words: brand}, {kind: "name", words: rest}}), ""
}

// titleName is the words of the name a title may use, each stem once and none the
// brand (already in seen) says; it returns a reason instead when none are left.
func (g *generator) titleName(name []string, seen map[string]bool) ([]string, string) {
	words := g.titleTokens(name)
	if len(words) == 0 {
		return nil, "title: the name has no words a title may use"
	}
	words = g.once(words, seen)
	if len(words) == 0 {
		return nil, "title: the name only repeats the brand"
	}
	return words, ""
}

// titleSegments lays out the brand, the name (its head, then each phrase of its tail)
// and the attributes in the category template's order, each segment with the order in
// which a long title gives it up. Attribute words whose stem is in seen are left out,
// and seen gains the stems used.
func (g *generator) titleSegments(brand, nameWords []string, byKind map[string]attr, colour string, seen map[string]bool) []segment {
	head, tail := g.split(nameWords)
	var segs []segment
	if len(brand) > 0 {
		segs = append(segs, segment{kind: "brand", words: brand})
	}
	for _, part := range g.tpl.order(g.r.Marketplace) {
		if part == "name" {
			segs = append(segs, segment{kind: "name", words: head})
			for _, p := range tail {
				segs = append(segs, segment{kind: "tail", words: p, drop: dropTail})
			}
			continue
		}
		i := slices.IndexFunc(kinds, func(k kind) bool { return k.name == part })
		if i < 0 {
			continue
		}
		kd := kinds[i]
		value := ""
		if kd.name == kindColor {
			value = colour
		} else if a, ok := byKind[kd.name]; ok {
			value = translate(kd.name, a.value, g.lang)
		}
		if words := g.attributeWords(kd.name, value, seen); len(words) > 0 {
			segs = append(segs, segment{kind: kd.name, words: words, drop: kd.drop})
		}
	}
	return segs
}

// fitTitle fits the segments in TitleMax characters: it leaves out segments in their
// drop order, then cuts the name's head at a phrase boundary, and notes what it did.
// It returns a reason instead when the brand and the name do not fit.
func (g *generator) fitTitle(segs []segment) ([]segment, string) {
	var left []string
	shortened := false
	for runeLen(g.joinTitle(segs)) > g.r.TitleMax {
		if i := g.toDrop(segs); i >= 0 {
			if segs[i].kind == "tail" {
				shortened = true
			} else {
				left = append(left, segs[i].kind)
			}
			segs = slices.Delete(segs, i, i+1)
			continue
		}
		n := slices.IndexFunc(segs, func(s segment) bool { return s.kind == "name" })
		over := runeLen(g.joinTitle(segs)) - g.r.TitleMax
		w, ok := g.cutHead(segs[n].words, runeLen(strings.Join(segs[n].words, " "))-over)
		if !ok {
			return nil, fmt.Sprintf("title: brand and name do not fit in %d characters", g.r.TitleMax)
		}
		segs[n].words = w
		shortened = true
	}
	if shortened {
		g.note("title: shortened the name at a phrase boundary to fit %d characters", g.r.TitleMax)
	}
	if len(left) > 0 {
		g.note("title: left out %s to fit %d characters", strings.Join(left, ", "), g.r.TitleMax)
	}
	return segs, ""
}

// withoutPromos is the words of every segment but the brand with promotional phrases
// removed, which words dropped between segments or as repeats can bring together
// ("Kargo Bebek Bedava" less a repeated "Bebek"); it notes each phrase removed and
// returns a reason instead when no word is left.
func (g *generator) withoutPromos(segs []segment) ([]string, string) {
	var rest []string
	for _, s := range segs {
		if s.kind != "brand" {
			rest = append(rest, s.words...)
		}
	}
	for {
		var removed []string
		if rest, removed = removePromo(rest); len(removed) == 0 {
			break
		}
		for _, p := range removed {
			g.note("removed promotional phrase %q", p)
		}
	}
	if len(rest) == 0 {
		return nil, "title: nothing left once promotional phrases are removed"
	}
	return rest, ""
}

// joinTitle is the segments' words as one title, without trailing punctuation; a title
// without a brand starts with a capital.
func (g *generator) joinTitle(segs []segment) string {
	var all []string
	for _, s := range segs {
		all = append(all, s.words...)
	}
	t := strings.TrimRight(strings.Join(all, " "), " ,;:-/&")
	if g.brand == "" {
		t = capitalize(g.lang, t)
	}
	return t
}

// toDrop returns the segment a too-long title gives up next, or -1: the lowest drop
// order, the last of equals.
func (g *generator) toDrop(segs []segment) int {
	i := -1
	for j, s := range segs {
		if s.drop > 0 && (i < 0 || s.drop <= segs[i].drop) {
			i = j
		}
	}
	return i
}

// cutHead shortens the head of the name to at most limit characters. The phrase with
// the product's noun, which ends the head, stays: the phrases before it go first,
// nearest first, down to the first one ("ASUS VivoBook 15 … SSD Dizüstü Bilgisayar"
// less "Windows 11 Home"); then cutPhrases.
func (g *generator) cutHead(ws []string, limit int) ([]string, bool) {
	ps := phrasesWith(ws, g.isNoun)
	if k := len(ps) - 1; k > 1 && slices.ContainsFunc(ps[k], g.isNoun) {
		for k > 1 && runeLen(strings.Join(slices.Concat(ps...), " ")) > limit {
			ps = slices.Delete(ps, k-1, k)
			k--
		}
		if w := slices.Concat(ps...); runeLen(strings.Join(w, " ")) <= limit {
			return w, true
		}
		ws = slices.Concat(ps...)
	}
	return cutPhrases(ws, limit)
}

// cutPhrases shortens ws to at most limit characters, leaving out phrases from the
// end; a single phrase too long for the limit is cut after a word a phrase may end on,
// and, failing that, after any word but a joiner. It reports false when not even the
// first word fits.
func cutPhrases(ws []string, limit int) ([]string, bool) {
	fits := func(w []string) bool { return len(w) > 0 && runeLen(strings.Join(w, " ")) <= limit }
	ps := phrases(ws)
	for n := len(ps) - 1; n > 0; n-- {
		if w := slices.Concat(ps[:n]...); fits(w) {
			return tidy(w), true
		}
	}
	for n := len(ws) - 1; n > 0; n-- {
		if w := ws[:n]; fits(w) && endsPhrase(w) {
			return tidy(w), true
		}
	}
	for n := len(ws) - 1; n > 0; n-- {
		if w := ws[:n]; fits(w) && !joiners[fold(trimPunct(w[n-1]))] {
			return tidy(w), true
		}
	}
	return nil, false
}

// once drops what the name repeats of the brand or of itself, stem by stem: each
// stem once, so "Bebek Arabası Oyuncak Pembe Kız Çocuk Oyuncak Bebek Arabası" loses
// its second "Oyuncak Bebek Arabası". It works phrase by phrase: a phrase is kept less
// its repeated words when what is left is still a phrase, and left out whole when not
// ("Kahve Keyfi için…" after "Türk Kahvesi", whose "Keyfi için…" alone would not read).
// Joiners may repeat, so may the far end of a connection ("USB-C to USB-C"), and a
// number may measure two things ("50 ml", "50 cm") but not repeat a measure.
func (g *generator) once(ws []string, seen map[string]bool) []string {
	var out []string
	for _, p := range phrases(ws) {
		var kept, repeated []string
		var marks []string
		for i := 0; i < len(p); i++ {
			w := p[i]
			core := trimPunct(w)
			if core == "" || joiners[fold(core)] || isStop(core) {
				kept = append(kept, w)
				continue
			}
			if n, u, ok := measure(p, i); ok {
				l := measureLen(p, i)
				keys := measureKeys(g.lang, n, u)
				if seen[keys[0]] || seen[keys[1]+"+"] {
					repeated = append(repeated, strings.Join(p[i:i+l], " "))
				} else {
					kept = append(kept, p[i:i+l]...)
					if seen[keys[1]] {
						marks = append(marks, keys[1]+"+") // the number's second use
					}
					marks = append(marks, keys...)
				}
				i += l - 1
				continue
			}
			k := titleKey(g.lang, w)
			connected := i > 0 && connectors[fold(trimPunct(p[i-1]))]
			if (seen[k] || slices.Contains(marks, k)) && !connected {
				repeated = append(repeated, core)
				continue
			}
			marks = append(marks, k)
			kept = append(kept, w)
		}
		if len(repeated) == 0 {
			out = append(out, kept...)
		} else if kept = trimJoiners(kept); len(kept) > 0 && canStart(kept[0]) && endsPhrase(kept) && hasContent(kept) {
			g.note("title: dropped repeated words %q", strings.Join(repeated, " "))
			out = append(out, kept...)
		} else {
			g.note("title: dropped repeated words %q", strings.Join(p, " "))
			continue
		}
		for _, m := range marks {
			seen[m] = true
		}
	}
	return trimJoiners(out)
}

// connectors join two things of a kind: the word after one may repeat the word before
// ("USB-C to USB-C", "Type-C x Lightning").
var connectors = wordSet("to", "x", "ile", "-", "/")

// trimJoiners drops joiners and punctuation from both ends of ws.
func trimJoiners(ws []string) []string {
	ws = tidy(ws)
	for len(ws) > 0 && joiners[fold(trimPunct(ws[len(ws)-1]))] {
		ws = tidy(ws[:len(ws)-1])
	}
	for len(ws) > 0 && (joiners[fold(trimPunct(ws[0]))] || trimPunct(ws[0]) == "") {
		ws = ws[1:]
	}
	return ws
}

// hasContent reports whether ws holds a word that is not a joiner or a stop word.
func hasContent(ws []string) bool {
	return slices.ContainsFunc(ws, func(w string) bool {
		c := trimPunct(w)
		return c != "" && !joiners[fold(c)] && !isStop(c)
	})
}

// titleKey is what a title word is told apart by: its stem, or for a number the
// number.
func titleKey(lang, w string) string {
	if isNumber(w) {
		return "#" + fold(trimPunct(w))
	}
	return stem(lang, w)
}

// measure reports whether ws[i] starts a measure: a number and its unit, apart ("50
// ml") or together ("50ml"), returning the number and the unit.
func measure(ws []string, i int) (number, unit string, ok bool) {
	core := trimPunct(ws[i])
	if isNumber(core) && i+1 < len(ws) {
		if u, ok := unitAfterNumber(trimPunct(ws[i+1])); ok {
			return core, u, true
		}
	}
	if s, ok := numberWithUnit(core); ok {
		j := strings.IndexFunc(s, func(r rune) bool { return !('0' <= r && r <= '9' || r == ',' || r == '.') })
		return s[:j], s[j:], true
	}
	return "", "", false
}

// measureLen is how many words the measure at ws[i] takes.
func measureLen(ws []string, i int) int {
	if isNumber(trimPunct(ws[i])) {
		return 2
	}
	return 1
}

// measureKeys are the keys a measure marks as seen: the measure, and the number.
// Units that mean one thing are one ("1.7 Litre", "1,7 lt").
func measureKeys(lang, number, unit string) []string {
	num := strings.ReplaceAll(fold(number), ",", ".")
	u := tokenKey(unit)
	if c, ok := sameUnit[u]; ok {
		u = c
	}
	return []string{"#" + num + " " + u, "#" + num, stem(lang, unit)}
}

// sameUnit maps a unit's other names to one, folded.
var sameUnit = map[string]string{
	"lt": "l", "litre": "l", "liter": "l", "gr": "g", "gram": "g", "kilogram": "kg",
	"mililitre": "ml", "inc": "in", "inch": "in", "metre": "m", "meter": "m",
	"santimetre": "cm", "lbs": "lb",
}

// split divides the name into its head, up to and including the first phrase with
// the product's noun (the template's, or a word of the category), and the phrases after
// it, which a long title may leave out. A name with no such noun has its first phrase
// as its head.
func (g *generator) split(ws []string) (head []string, tail [][]string) {
	ps := phrasesWith(ws, g.isNoun)
	for i, p := range ps {
		if slices.ContainsFunc(p, g.isNoun) {
			return slices.Concat(ps[:i+1]...), ps[i+1:]
		}
	}
	return ps[0], ps[1:]
}

// isNoun reports whether w names the product's kind: a word of the template's noun
// or match list, or of the category's last segment, in either language.
func (g *generator) isNoun(w string) bool {
	if g.nouns == nil {
		g.nouns = map[string]bool{}
		for _, lang := range []string{Turkish, English} {
			for _, n := range strings.Fields(g.tpl.Noun[lang]) {
				g.nouns[stem(lang, n)] = true
			}
			for _, m := range g.tpl.Match {
				for _, w := range strings.Fields(m) {
					g.nouns[stem(lang, w)] = true
				}
			}
		}
		if segs := categoryPath(g.category); len(segs) > 0 {
			for _, w := range strings.Fields(segs[len(segs)-1]) {
				g.nouns[stem(Turkish, w)] = true
				g.nouns[stem(English, w)] = true
			}
		}
	}
	return trimPunct(w) != "" && (g.nouns[stem(Turkish, w)] || g.nouns[stem(English, w)])
}

// attributeWords returns the title words of an attribute, or none when it would add
// nothing to what the title says, or would be left a fragment once its repeated words
// are dropped ("Hakiki" of "Hakiki Deri" beside "Deri Çanta"). A compatible model is
// written "… Uyumlu" (Turkish) or "for …" and left out whole when the name names it.
func (g *generator) attributeWords(kindName, value string, seen map[string]bool) []string {
	words := g.titleTokens(g.clean(strings.Fields(value)))
	if len(words) == 0 {
		return nil
	}
	// a measure ("50 ml") is new unless the title has it whole
	var keys []string
	for i := 0; i < len(words); i++ {
		if n, u, ok := measure(words, i); ok {
			keys = append(keys, measureKeys(g.lang, n, u)[0])
			i += measureLen(words, i) - 1
			continue
		}
		if k := trimPunct(words[i]); k != "" && !isStop(k) {
			keys = append(keys, titleKey(g.lang, words[i]))
		}
	}
	key := func(w string) string { return titleKey(g.lang, w) }
	fresh := false
	for _, k := range keys {
		if !seen[k] {
			fresh = true
		}
	}
	if !fresh {
		return nil
	}
	if kindName == kindCompatibility {
		for _, w := range words {
			if !isNumber(w) && seen[key(w)] {
				return nil
			}
		}
		if g.lang == Turkish {
			if fold(trimPunct(words[len(words)-1])) != "uyumlu" {
				words = append(words, "Uyumlu")
			}
		} else if f := fold(trimPunct(words[0])); f != "for" && f != "compatible" {
			words = append([]string{"for"}, words...)
		}
	} else {
		kept := words[:0:0]
		for i := 0; i < len(words); i++ {
			if n, u, ok := measure(words, i); ok {
				l := measureLen(words, i)
				if !seen[measureKeys(g.lang, n, u)[0]] {
					kept = append(kept, words[i:i+l]...)
				}
				i += l - 1
				continue
			}
			if k := trimPunct(words[i]); k == "" || isStop(k) || !seen[key(words[i])] {
				kept = append(kept, words[i])
			}
		}
		for len(kept) > 0 && joiners[fold(trimPunct(kept[0]))] {
			kept = kept[1:]
		}
		kept = tidy(kept)
		if len(kept) < len(words) && (!endsPhrase(kept) || !canStart(kept[0])) {
			return nil
		}
		words = kept
	}
	for _, w := range words {
		if !isNumber(w) {
			seen[key(w)] = true
		}
	}
	for _, k := range keys {
		seen[k] = true
	}
	return words
}
