// Package seo writes a product's listing text for each marketplace (title, HTML
// description, bullet points, keywords) from what the seller gave and what the image
// stage saw, and checks any listing text against the marketplace's rules. It is
// deterministic: the same product always gets the same text.
package seo

import (
	"errors"
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode"

	"github.com/stox-dev/stox/messages"
)

// Status values of a Report.
const (
	// StatusPass means the seller's text needed no change to meet the rules.
	StatusPass = "pass"
	// StatusFixed means the text meets the rules after changes listed in the notes.
	StatusFixed = "fixed"
	// StatusFail means no compliant text could be written; the notes say why.
	StatusFail = "fail"
)

// WriterDeterministic names the text Generate writes, in a Compliance report's Writer.
const WriterDeterministic = "deterministic"

// Report is how a product's text fared against one marketplace's rules.
type Report struct {
	Marketplace string   `json:"marketplace"`
	Status      string   `json:"status"`
	Notes       []string `json:"notes,omitempty"`
	// Writer names what wrote the text: WriterDeterministic, WriterLLM, or
	// WriterDeterministic with the reason a language model's text was not used.
	Writer string `json:"writer,omitempty"`
}

// ErrUnknownMarketplace is what a marketplace with no rules is reported with.
var ErrUnknownMarketplace = errors.New("unknown marketplace")

// Generate writes the listing text of product p under rules r, in r's language (see
// Rules.In): Turkish, or English for any other. colors are the dominant colours the
// image stage found, most frequent first; the first one names the colour when the
// seller gave none. The report says whether the text passed as given, was fixed (and
// how), or fails (and why); a failing text is returned too, for inspection, but must not
// be published.
func Generate(p messages.Product, colors []messages.Color, r Rules) (messages.ListingText, Report) {
	if r.Language != Turkish {
		r.Language = English
	}
	g := generator{r: r, lang: r.Language, brand: collapse(stripTags(p.Brand)), tpl: templateFor(p.Category)}
	g.brandWords = make(map[string]string)
	for _, w := range strings.Fields(g.brand) {
		if k := fold(trimPunct(w)); k != "" {
			g.brandWords[k] = trimPunct(w)
		}
	}
	text := messages.ListingText{Language: r.Language}
	rep := Report{Marketplace: r.Marketplace, Writer: WriterDeterministic}
	if hasMarkup(p) {
		g.note("removed markup from the seller's text")
	}

	raw := strings.Fields(stripTags(p.Name))
	if len(raw) == 0 {
		rep.Status, rep.Notes = StatusFail, []string{"name: empty"}
		return text, rep
	}
	name := g.clean(raw)
	if len(name) == 0 {
		rep.Status = StatusFail
		rep.Notes = append(g.notes, "name: nothing left once promotional phrases are removed")
		return text, rep
	}
	name = g.withNoun(g.withoutBrand(name))

	byKind, others := classify(p.Attributes, g.lang)
	colour := ""
	if a, ok := byKind[kindColor]; ok {
		colour = translate(kindColor, a.value, g.lang)
	} else if len(colors) > 0 {
		colour = colors[0].EN
		if g.lang == Turkish {
			colour = colors[0].TR
		}
		colour = collapse(stripTags(colour))
	}

	title, reason := g.title(name, byKind, colour)
	if reason != "" {
		rep.Status, rep.Notes = StatusFail, append(g.notes, reason)
		return text, rep
	}
	text.Title = title
	items := g.items(byKind, others, colour, p.Category)
	text.Description = g.description(name, items)
	text.Bullets = g.bullets(name, items)
	text.Keywords = g.keywords(p, byKind, others, colour, title)

	if v := check(r, text, g.brand); len(v) > 0 {
		rep.Status, rep.Notes = StatusFail, v
		return text, rep
	}
	rep.Status, rep.Notes = StatusPass, g.notes
	if len(g.notes) > 0 {
		rep.Status = StatusFixed
	}
	return text, rep
}

// hasMarkup reports whether any of the seller's text holds tags or control characters,
// which Generate removes.
func hasMarkup(p messages.Product) bool {
	changed := func(s string) bool { return collapse(stripTags(s)) != collapse(s) }
	if changed(p.Name) || changed(p.Brand) || changed(p.Category) {
		return true
	}
	for k, v := range p.Attributes {
		if changed(k) || changed(v) {
			return true
		}
	}
	return slices.ContainsFunc(p.Keywords, changed)
}

type generator struct {
	r          Rules
	tpl        Template
	lang       string
	brand      string
	brandWords map[string]string // folded brand word → the brand's spelling
	notes      []string
}

func (g *generator) note(format string, args ...any) {
	n := fmt.Sprintf(format, args...)
	if !slices.Contains(g.notes, n) {
		g.notes = append(g.notes, n)
	}
}

// clean removes promotional phrases and recases shouting from seller words, for any
// field; what it changes is noted once.
func (g *generator) clean(tokens []string) []string {
	tokens, removed := removePromo(tokens)
	for _, p := range removed {
		g.note("removed promotional phrase %q", p)
	}
	return g.recase(tokens, false)
}

// recase writes the brand's words in the brand's spelling and brings shouted words
// down: an all-capitals word of shoutMin letters or more, and in a mostly shouted run
// every all-capitals word that is not a known acronym. For a title it also capitalises
// lower-case words and lowercases conjunctions and articles, as Amazon's style guide
// asks; words with digits or mixed case ("iPhone", "X1502ZA") are left as written.
// Shouted words are lowercased the Turkish way only when their run holds a Turkish
// letter: without one, I is read as i.
func (g *generator) recase(tokens []string, title bool) []string {
	caps, words := 0, 0
	for _, t := range tokens {
		if s := shapeOf(t); s.letters >= 2 {
			words++
			if s.allCaps() {
				caps++
			}
		}
	}
	loud := caps >= 2 && caps*2 > words
	tr := turkishRun(g.lang, tokens)
	// A shouted run with no Turkish letter was typed where I stands for both ı and i
	// (an ASCII keyboard, or English): i, the likelier, is taken, so "NOISE
	// CANCELLING" becomes "Noise Cancelling" in a Turkish listing, not "Noıse".
	shoutTR := turkishRun(English, tokens)
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t
		core := trimPunct(t)
		if core == "" {
			continue
		}
		if b, ok := g.brandWords[fold(core)]; ok {
			out[i] = strings.Replace(t, core, b, 1)
			continue
		}
		s := shapeOf(core)
		switch {
		case s.digit:
		case s.allCaps() && (shouting(core) || loud && !acronyms[Upper(g.lang, core)]):
			if lowerStops[fold(core)] {
				out[i] = lowerWith(shoutTR, t)
			} else {
				out[i] = titleWith(shoutTR, t)
			}
			g.note("recased all-capitals words")
		case !title:
		case lowerStops[fold(core)]:
			out[i] = lowerWith(tr, t)
		case s.upper == 0 && s.lower > 0 && !units[core]:
			out[i] = titleWith(tr, t)
		}
	}
	return out
}

// withNoun adds the category template's noun to a name that lacks it, so a product
// named by its model alone ("Samba OG") is found by what it is.
func (g *generator) withNoun(name []string) []string {
	noun := strings.Fields(g.tpl.Noun[g.lang])
	if len(noun) == 0 {
		return name
	}
	// in either language: "Deri Ayakkabı" on Amazon is named already
	have := map[string]bool{}
	for _, w := range name {
		have[stem(Turkish, w)] = true
		have[stem(English, w)] = true
	}
	for _, lang := range []string{Turkish, English} {
		for _, w := range strings.Fields(g.tpl.Noun[lang]) {
			if have[stem(lang, w)] {
				return name
			}
		}
	}
	return append(slices.Clone(name), noun...)
}

// withoutBrand drops the brand from the start of the name, since every title and
// description puts the brand first itself.
func (g *generator) withoutBrand(name []string) []string {
	bw := strings.Fields(g.brand)
	if len(bw) == 0 || len(name) <= len(bw) {
		return name
	}
	for i, w := range bw {
		if fold(trimPunct(name[i])) != fold(trimPunct(w)) {
			return name
		}
	}
	return tidy(name[len(bw):])
}

// titleTokens prepares seller words for a title: characters the marketplace forbids
// and pictographs removed, promotional phrases that this uncovers removed, then the
// title casing of recase.
func (g *generator) titleTokens(tokens []string) []string {
	var dropped []rune
	out := tokens[:0:0]
	for _, t := range tokens {
		clean := strings.Map(func(r rune) rune {
			if strings.ContainsRune(g.r.TitleForbidden, r) || unicode.Is(unicode.So, r) {
				if !slices.Contains(dropped, r) {
					dropped = append(dropped, r)
				}
				return ' '
			}
			return r
		}, t)
		out = append(out, strings.Fields(clean)...)
	}
	if len(dropped) > 0 {
		g.note("title: removed characters %q", string(dropped))
	}
	// "süper_fiyat" shows its claim only once the underscore is gone
	out, removed := removePromo(out)
	for _, p := range removed {
		g.note("removed promotional phrase %q", p)
	}
	return g.recase(out, true)
}

type segment struct {
	kind  string
	words []string
	drop  int // 0: never left out
}

// title assembles brand, gender, name, model, material, colour and size, drops words
// that would appear more than the marketplace allows, and fits the limit by leaving out
// attributes (size first, colour last), then by shortening the name at a word boundary.
// It returns a reason instead when no compliant title fits.
func (g *generator) title(name []string, byKind map[string]attr, colour string) (string, string) {
	nameWords := g.titleTokens(name)
	if len(nameWords) == 0 {
		return "", "title: the name has no words a title may use"
	}
	brand := strings.Fields(g.brand)
	have := map[string]bool{}
	for _, w := range append(slices.Clone(brand), nameWords...) {
		have[wordKey(g.lang, w)] = true
	}
	var segs []segment
	if len(brand) > 0 {
		segs = append(segs, segment{kind: "brand", words: brand})
	}
	for _, part := range g.tpl.order(g.r.Marketplace) {
		if part == "name" {
			segs = append(segs, segment{kind: "name", words: nameWords})
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
		words := g.titleTokens(g.clean(strings.Fields(value)))
		fresh := false
		for _, w := range words {
			if k := wordKey(g.lang, w); k != "" && !have[k] {
				fresh = true
			}
		}
		if !fresh {
			continue
		}
		for _, w := range words {
			have[wordKey(g.lang, w)] = true
		}
		segs = append(segs, segment{kind: kd.name, words: words, drop: kd.drop})
	}
	segs = g.limitRepeats(segs)

	join := func() string {
		var all []string
		for _, s := range segs {
			all = append(all, s.words...)
		}
		t := strings.TrimRight(strings.Join(all, " "), " ,;:-/&")
		if len(brand) == 0 {
			t = capitalize(g.lang, t)
		}
		return t
	}
	var left []string
	for runeLen(join()) > g.r.TitleMax {
		i := -1
		for j, s := range segs {
			if s.drop > 0 && (i < 0 || s.drop < segs[i].drop) {
				i = j
			}
		}
		if i >= 0 {
			left = append(left, segs[i].kind)
			segs = slices.Delete(segs, i, i+1)
			continue
		}
		n := slices.IndexFunc(segs, func(s segment) bool { return s.kind == "name" })
		if len(segs[n].words) <= 1 {
			return "", fmt.Sprintf("title: brand and name do not fit in %d characters", g.r.TitleMax)
		}
		w := tidy(segs[n].words[:len(segs[n].words)-1])
		for len(w) > 1 && lowerStops[fold(trimPunct(w[len(w)-1]))] {
			w = w[:len(w)-1]
		}
		segs[n].words = w
		g.note("title: shortened the name at a word boundary to fit %d characters", g.r.TitleMax)
	}
	if len(left) > 0 {
		g.note("title: left out %s to fit %d characters", strings.Join(left, ", "), g.r.TitleMax)
	}
	// Words dropped between segments or as repeats can bring the words of a claim
	// together ("Kargo Bebek Bedava" less a repeated "Bebek").
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
		return "", "title: nothing left once promotional phrases are removed"
	}
	segs = []segment{{kind: "brand", words: brand}, {kind: "name", words: rest}}
	return join(), ""
}

// limitRepeats drops a word that repeats the word before it, or that already appeared
// as often as the marketplace allows; stop words may repeat.
func (g *generator) limitRepeats(segs []segment) []segment {
	count := map[string]int{}
	prev := ""
	out := segs[:0]
	for _, s := range segs {
		var kept []string
		for _, w := range s.words {
			k := wordKey(g.lang, w)
			if k == "" {
				kept = append(kept, w)
				continue
			}
			if s.kind != "brand" && (k == prev || !isStop(w) && count[k] >= g.r.WordRepeatMax) {
				g.note("title: dropped repeated word %q", trimPunct(w))
				continue
			}
			count[k]++
			prev = k
			kept = append(kept, w)
		}
		if s.kind != "brand" {
			kept = tidy(kept)
		}
		if len(kept) > 0 || s.kind == "name" {
			s.words = kept
			out = append(out, s)
		}
	}
	return out
}

// capitalize upper-cases the first letter of s.
func capitalize(lang, s string) string {
	for i, r := range s {
		if unicode.IsLetter(r) {
			if unicode.IsLower(r) {
				return s[:i] + Upper(lang, string(r)) + s[i+len(string(r)):]
			}
			return s
		}
	}
	return s
}

// item is one line of the attribute list: plain text, escaped where it lands in HTML.
type item struct{ label, value string }

// items lists the attributes for the description and bullets: the known kinds in title
// order (the image's colour when the seller gave none), the others by key, then the
// category.
func (g *generator) items(byKind map[string]attr, others []attr, colour, category string) []item {
	var out []item
	add := func(label, value string) {
		label = strings.Join(g.clean(strings.Fields(label)), " ")
		value = strings.Join(g.clean(strings.Fields(value)), " ")
		if label == "" || value == "" {
			return
		}
		// "Kargo: Ücretsiz" is a shipping claim though neither half is one
		if _, removed := removePromo(strings.Fields(label + " " + value)); len(removed) > 0 {
			g.note("left out attribute %q: promotional phrase %q", label, removed[0])
			return
		}
		out = append(out, item{label: label, value: value})
	}
	for _, kd := range kinds {
		switch a, ok := byKind[kd.name]; {
		case ok:
			add(a.label(g.lang), translate(kd.name, a.value, g.lang))
		case kd.name == kindColor && colour != "":
			add(kd.labels[g.lang], capitalize(g.lang, colour))
		}
	}
	for _, a := range others {
		add(a.label(g.lang), a.value)
	}
	if segs := categoryPath(category); len(segs) > 0 {
		label := map[string]string{Turkish: "Kategori", English: "Category"}[g.lang]
		add(label, segs[len(segs)-1])
	}
	return out
}

// categoryPath splits a category such as "Giyim > Kadın > Gömlek" into its parts.
func categoryPath(c string) []string {
	parts := strings.FieldsFunc(stripTags(c), func(r rune) bool { return strings.ContainsRune(">/|\\,;", r) })
	out := parts[:0]
	for _, p := range parts {
		if p = collapse(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// description writes a short paragraph naming the product, the attribute list and the
// category's care and usage lines, in
// the markup the marketplace takes (a paragraph and a list, or lines joined by <br>),
// all seller text escaped. Attributes are left out from the end to fit the limit.
func (g *generator) description(name []string, items []item) string {
	tags := map[string]bool{}
	for _, t := range g.r.DescriptionTags {
		tags[t] = true
	}
	wrap := func(tag, s string) string {
		if tags[tag] {
			return "<" + tag + ">" + s + "</" + tag + ">"
		}
		return s
	}
	lineBreak := "\n"
	if tags["br"] {
		lineBreak = "<br>"
	}
	core := func(name []string, items []item) string {
		var b strings.Builder
		intro := strings.TrimRight(strings.Join(name, " "), ".!?,;: ")
		if intro = html.EscapeString(intro); g.brand != "" {
			intro = wrap("strong", html.EscapeString(g.brand)) + " " + intro
		} else {
			intro = capitalize(g.lang, intro)
		}
		intro += "."
		if len(items) > 0 {
			intro += map[string]string{
				Turkish: " Ürünün özellikleri aşağıda yer alıyor.",
				English: " The product's details are listed below.",
			}[g.lang]
		}
		b.WriteString(wrap("p", intro))
		if len(items) == 0 {
			return b.String()
		}
		line := func(it item) string {
			return wrap("strong", html.EscapeString(it.label)+":") + " " + html.EscapeString(it.value)
		}
		if tags["ul"] && tags["li"] {
			b.WriteString("<ul>")
			for _, it := range items {
				b.WriteString("<li>" + line(it) + "</li>")
			}
			b.WriteString("</ul>")
			return b.String()
		}
		if !tags["p"] {
			b.WriteString(lineBreak + lineBreak)
		}
		for i, it := range items {
			if i > 0 {
				b.WriteString(lineBreak)
			}
			b.WriteString(line(it))
		}
		return b.String()
	}
	care := g.tpl.Care[g.lang]
	build := func(name []string, items []item, withCare bool) string {
		d := core(name, items)
		if !withCare || len(care) == 0 {
			return d
		}
		lines := make([]string, 0, len(care)+1)
		lines = append(lines, wrap("strong", html.EscapeString(careLabel[g.lang])+":"))
		for _, c := range care {
			lines = append(lines, html.EscapeString(c))
		}
		if tags["p"] {
			return d + wrap("p", strings.Join(lines, lineBreak))
		}
		return d + lineBreak + lineBreak + strings.Join(lines, lineBreak)
	}
	withCare := true
	d := build(name, items, withCare)
	kept := len(items)
	for runeLen(d) > g.r.DescriptionMax && kept > 0 {
		kept--
		d = build(name, items[:kept], withCare)
	}
	if kept < len(items) {
		g.note("description: left out %d attributes to fit %d characters", len(items)-kept, g.r.DescriptionMax)
	}
	if runeLen(d) > g.r.DescriptionMax && len(care) > 0 {
		withCare = false
		d = build(name, nil, withCare)
		g.note("description: left out the care lines to fit %d characters", g.r.DescriptionMax)
	}
	for runeLen(d) > g.r.DescriptionMax && len(name) > 1 {
		name = name[:len(name)-1]
		d = build(name, nil, withCare)
		g.note("description: shortened the name to fit %d characters", g.r.DescriptionMax)
	}
	return d
}

// careLabel heads the care and usage lines of a description or bullet.
var careLabel = map[string]string{Turkish: "Bakım ve kullanım", English: "Care and use"}

// bullets writes up to the marketplace's number of bullet points, one attribute each,
// in plain text (with no attributes, one names the product), and the category's care
// and usage lines in the last one when there is room.
func (g *generator) bullets(name []string, items []item) []string {
	if g.r.Bullets == 0 {
		return nil
	}
	plain := strings.NewReplacer("<", " ", ">", " ")
	var lines []string
	for _, it := range items {
		lines = append(lines, it.label+": "+it.value)
	}
	if len(lines) == 0 {
		lines = append(lines, strings.TrimSpace(g.brand+" "+strings.Join(name, " ")))
	}
	if care := g.tpl.Care[g.lang]; len(care) > 0 {
		// last, so a product with many attributes gives it up first
		lines = append(lines, careLabel[g.lang]+": "+strings.Join(care, " "))
	}
	var out []string
	for i, l := range lines {
		if i == g.r.Bullets {
			break
		}
		l = capitalize(g.lang, collapse(plain.Replace(l)))
		if runeLen(l) > g.r.BulletMax {
			l = cutWords(l, g.r.BulletMax)
			g.note("bullet %d: shortened to %d characters", i+1, g.r.BulletMax)
		}
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// keywords collects search terms from the seller's keywords, the category and the
// attribute values, in lower case: no word twice, none already in the title, no stop,
// temporary or promotional words, no word sharing a stem with an earlier one or a title
// word ("ayakkabısı" after "Ayakkabı"), within the marketplace's count and byte limits.
func (g *generator) keywords(p messages.Product, byKind map[string]attr, others []attr, colour, title string) []string {
	used := map[string]bool{}
	for _, w := range strings.Fields(title) {
		used[stem(g.lang, w)] = true
	}
	var sources []string
	sources = append(sources, p.Keywords...)
	sources = append(sources, categoryPath(p.Category)...)
	for _, kd := range kinds {
		if kd.name == kindColor {
			sources = append(sources, colour)
		} else if a, ok := byKind[kd.name]; ok {
			sources = append(sources, translate(kd.name, a.value, g.lang))
		}
	}
	for _, a := range others {
		sources = append(sources, a.value)
	}
	split := strings.NewReplacer(",", " ", ";", " ", "/", " ", "|", " ", ">", " ")
	var out []string
	dropped, size := 0, 0
	for _, src := range sources {
		tokens, removed := removePromo(strings.Fields(split.Replace(stripTags(src))))
		for _, r := range removed {
			g.note("keywords: removed promotional phrase %q", r)
		}
		var words []string
		for _, t := range tokens {
			w := Lower(g.lang, trimPunct(t))
			if runeLen(w) < 2 || used[stem(g.lang, w)] || isStop(w) || temporaryWords[fold(w)] {
				continue
			}
			used[stem(g.lang, w)] = true
			words = append(words, w)
		}
		for {
			var removed []string
			if words, removed = removePromo(words); len(removed) == 0 {
				break
			}
			for _, r := range removed {
				g.note("keywords: removed promotional phrase %q", r)
			}
		}
		if len(words) == 0 {
			continue
		}
		kw := strings.Join(words, " ")
		extra := len(kw)
		if len(out) > 0 {
			extra++
		}
		if g.r.KeywordsMax > 0 && len(out) >= g.r.KeywordsMax ||
			g.r.KeywordBytesMax > 0 && size+extra > g.r.KeywordBytesMax {
			dropped++
			for _, w := range words {
				delete(used, stem(g.lang, w))
			}
			continue
		}
		out = append(out, kw)
		size += extra
	}
	if dropped > 0 {
		g.note("keywords: left out %d that did not fit the limit", dropped)
	}
	return out
}
