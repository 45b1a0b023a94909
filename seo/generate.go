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
// Rules.In): Turkish, or English for any other. colors are the dominant colours of the
// product, most frequent first, as the image stage measured them on a subject it
// separated from its backdrop; callers pass none where it did not, since the colours of
// a whole frame are the room's. The first one names the colour when the seller gave
// none and the category's template takes a colour from photos (Template.Color). The
// report says whether the text passed as given, was fixed (and how), or fails (and
// why); a failing text is returned too, for inspection, but must not be published.
func Generate(p messages.Product, colors []messages.Color, r Rules) (messages.ListingText, Report) {
	if r.Language != Turkish {
		r.Language = English
	}
	p, decoded := unescapeProduct(p)
	g := generator{r: r, lang: r.Language, brand: collapse(stripTags(p.Brand)), tpl: templateFor(p.Category),
		category: p.Category}
	g.brandWords = make(map[string]string)
	for _, w := range strings.Fields(g.brand) {
		if k := tokenKey(trimPunct(w)); k != "" {
			g.brandWords[k] = trimPunct(w)
		}
	}
	text := messages.ListingText{Language: r.Language}
	rep := Report{Marketplace: r.Marketplace, Writer: WriterDeterministic}
	if decoded {
		g.note("decoded HTML entities in the seller's text")
	}
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
	// colour is what the listing says the product's colour is: the seller's, else the
	// photo's where the template takes it; titleColour is what the title shows of it
	colour := ""
	if a, ok := byKind[kindColor]; ok {
		colour = translate(kindColor, a.value, g.lang)
	} else if len(colors) > 0 && g.tpl.Color == ColorAny {
		colour = colors[0].EN
		if g.lang == Turkish {
			colour = colors[0].TR
		}
		colour = collapse(stripTags(colour))
	}
	titleColour := colour
	if g.tpl.Color == ColorNone {
		titleColour = ""
	}

	title, reason := g.title(name, byKind, titleColour)
	if reason != "" {
		rep.Status, rep.Notes = StatusFail, append(g.notes, reason)
		return text, rep
	}
	text.Title = title
	// the description names the product as the title does: without what the name
	// repeats ("Bebek Arabası … Oyuncak Bebek Arabası")
	seen := map[string]bool{}
	for _, w := range strings.Fields(g.brand) {
		seen[stem(g.lang, w)] = true
	}
	if once := g.once(name, seen); len(once) > 0 {
		// dropped words can bring a claim's words together, as in the title
		for {
			var removed []string
			if once, removed = removePromo(once); len(removed) == 0 {
				break
			}
			for _, p := range removed {
				g.note("removed promotional phrase %q", p)
			}
		}
		if len(once) > 0 {
			name = once
		}
	}
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

// unescapeProduct decodes the HTML entities in the seller's text ("L&#39;Oréal" →
// "L'Oréal"), so that none reaches a field that is plain text, and reports whether
// there were any. Markup they spell ("&lt;b&gt;") is then removed as any other.
func unescapeProduct(p messages.Product) (messages.Product, bool) {
	decoded := false
	un := func(s string) string {
		u := html.UnescapeString(s)
		decoded = decoded || u != s
		return u
	}
	p.Name, p.Brand, p.Category = un(p.Name), un(p.Brand), un(p.Category)
	if len(p.Attributes) > 0 {
		attrs := make(map[string]string, len(p.Attributes))
		for k, v := range p.Attributes {
			attrs[un(k)] = un(v)
		}
		p.Attributes = attrs
	}
	if len(p.Keywords) > 0 {
		kws := make([]string, len(p.Keywords))
		for i, k := range p.Keywords {
			kws[i] = un(k)
		}
		p.Keywords = kws
	}
	return p, decoded
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
	brandWords map[string]string // tokenKey of a brand word → the brand's spelling
	category   string
	nouns      map[string]bool // stems naming the product's kind; see isNoun
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

// recase writes the brand's words in the brand's spelling, names, acronyms and units
// as tokens.txt spells them ("iPhone", "USB-C", "400 ml"), and brings shouted words
// down: an all-capitals word of shoutMin letters or more, and in a mostly shouted run
// every all-capitals word that is not a known acronym, spelled by the Turkish
// dictionary (spellLower: "KULAKLIK" → "Kulaklık", "ELVIVE" → "Elvive"). For a title
// it also capitalises lower-case words and lowercases conjunctions and articles, as
// Amazon's style guide asks; other words with digits or mixed case ("X1502ZA",
// "VivoBook") are left as written.
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
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t
		core := trimPunct(t)
		if core == "" {
			continue
		}
		put := func(s string) {
			if s != core {
				out[i] = strings.Replace(t, core, s, 1)
			}
		}
		if b, ok := g.brandWords[tokenKey(core)]; ok {
			put(b)
			continue
		}
		if s, ok := spelling(core); ok {
			put(s)
			continue
		}
		if i > 0 && isNumber(tokens[i-1]) {
			if u, ok := unitAfterNumber(core); ok {
				put(u)
				continue
			}
		}
		if s, ok := numberWithUnit(core); ok {
			put(s)
			continue
		}
		s := shapeOf(core)
		switch {
		case s.digit:
		case s.allCaps() && (shouting(core) || loud && !acronyms[strings.ToUpper(core)]):
			if l := spellLower(core); lowerStops[fold(core)] {
				put(l)
			} else {
				put(capitalizeWord(g.lang, l))
			}
			g.note("recased all-capitals words")
		case !title:
		case lowerStops[fold(core)]:
			put(spellLower(core))
		case s.upper == 0 && s.lower > 0:
			if u, ok := unitAfterNumber(core); ok && u == core {
				continue // "adet", "ml" where no number precedes
			}
			put(capitalizeWord(g.lang, core))
		}
	}
	return out
}

// withNoun adds the category template's noun to a name that lacks it, so a product
// named by its model alone ("Samba OG") is found by what it is. A name that says what
// the product is in either language ("Deri Ayakkabı" on Amazon, "Earbuds" where the
// noun is "Kulaklık") is named already, and so is a name written as English prose
// ("… with Charging Case"): a Turkish noun at its end would read as a stray word.
func (g *generator) withNoun(name []string) []string {
	noun := strings.Fields(g.tpl.Noun[g.lang])
	if len(noun) == 0 {
		return name
	}
	have := map[string]bool{}
	for _, w := range name {
		have[stem(Turkish, w)] = true
		have[stem(English, w)] = true
		if englishJoiners[fold(trimPunct(w))] {
			return name
		}
	}
	for _, lang := range []string{Turkish, English} {
		ws := strings.Fields(g.tpl.Noun[lang])
		for _, m := range g.tpl.Match {
			ws = append(ws, strings.Fields(m)...)
		}
		for _, w := range ws {
			if have[stem(lang, w)] {
				return name
			}
		}
	}
	return append(slices.Clone(name), noun...)
}

// englishJoiners are English words that only English prose holds, folded.
var englishJoiners = wordSet("with", "for", "and", "the", "of")

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
	m := g.markup()
	care := g.tpl.Care[g.lang]
	d := m.description(name, items, care)
	kept := len(items)
	for runeLen(d) > g.r.DescriptionMax && kept > 0 {
		kept--
		d = m.description(name, items[:kept], care)
	}
	if kept < len(items) {
		g.note("description: left out %d attributes to fit %d characters", len(items)-kept, g.r.DescriptionMax)
	}
	if runeLen(d) > g.r.DescriptionMax && len(care) > 0 {
		care = nil
		d = m.description(name, nil, care)
		g.note("description: left out the care lines to fit %d characters", g.r.DescriptionMax)
	}
	for runeLen(d) > g.r.DescriptionMax && len(name) > 1 {
		name = name[:len(name)-1]
		d = m.description(name, nil, care)
		g.note("description: shortened the name to fit %d characters", g.r.DescriptionMax)
	}
	return d
}

// markup writes a description's parts in the tags the marketplace takes
// (Rules.DescriptionTags), every piece of seller text escaped.
type markup struct {
	g         *generator
	tags      map[string]bool
	lineBreak string // between lines: <br> where the marketplace takes it
}

func (g *generator) markup() markup {
	m := markup{g: g, tags: map[string]bool{}, lineBreak: "\n"}
	for _, t := range g.r.DescriptionTags {
		m.tags[t] = true
	}
	if m.tags["br"] {
		m.lineBreak = "<br>"
	}
	return m
}

// wrap puts s in tag where the marketplace takes it, else leaves it bare.
func (m markup) wrap(tag, s string) string {
	if m.tags[tag] {
		return "<" + tag + ">" + s + "</" + tag + ">"
	}
	return s
}

// description is the whole description: the intro, the attribute list and the care
// lines (none when care is empty).
func (m markup) description(name []string, items []item, care []string) string {
	d := m.wrap("p", m.intro(name, len(items) > 0))
	if len(items) > 0 {
		d += m.list(items)
	}
	if len(care) == 0 {
		return d
	}
	return d + m.careSection(care)
}

// intro is the sentence naming the product after its brand (else capitalized),
// pointing to the list below when there is one.
func (m markup) intro(name []string, listed bool) string {
	g := m.g
	intro := strings.TrimRight(strings.Join(name, " "), ".!?,;: ")
	if intro = g.escape(intro); g.brand != "" {
		intro = m.wrap("strong", g.escape(g.brand)) + " " + intro
	} else {
		intro = capitalize(g.lang, intro)
	}
	intro += "."
	if listed {
		intro += map[string]string{
			Turkish: " Ürünün özellikleri aşağıda yer alıyor.",
			English: " The product's details are listed below.",
		}[g.lang]
	}
	return intro
}

// list is the attributes, one "label: value" line each: a bulleted list where the
// marketplace takes one, else lines (set off from the intro by a blank line when the
// intro is no paragraph).
func (m markup) list(items []item) string {
	line := func(it item) string {
		return m.wrap("strong", m.g.escape(it.label)+":") + " " + m.g.escape(it.value)
	}
	var b strings.Builder
	if m.tags["ul"] && m.tags["li"] {
		b.WriteString("<ul>")
		for _, it := range items {
			b.WriteString("<li>" + line(it) + "</li>")
		}
		b.WriteString("</ul>")
		return b.String()
	}
	if !m.tags["p"] {
		b.WriteString(m.lineBreak + m.lineBreak)
	}
	for i, it := range items {
		if i > 0 {
			b.WriteString(m.lineBreak)
		}
		b.WriteString(line(it))
	}
	return b.String()
}

// careSection is the category's care and usage lines under their label: a paragraph where
// the marketplace takes one, else lines after a blank line.
func (m markup) careSection(care []string) string {
	lines := make([]string, 0, len(care)+1)
	lines = append(lines, m.wrap("strong", m.g.escape(careLabel[m.g.lang])+":"))
	for _, c := range care {
		lines = append(lines, m.g.escape(c))
	}
	if m.tags["p"] {
		return m.wrap("p", strings.Join(lines, m.lineBreak))
	}
	return m.lineBreak + m.lineBreak + strings.Join(lines, m.lineBreak)
}

// keywordKey is what tells a keyword's word from the title's: its stem, or for a unit
// the unit whatever it is called ("lt" is "Litre").
func keywordKey(lang, w string) string {
	if u, ok := unitAfterNumber(trimPunct(w)); ok {
		k := tokenKey(u)
		if c, ok := sameUnit[k]; ok {
			k = c
		}
		return "unit:" + k
	}
	return stem(lang, w)
}

// escape writes seller text into the description: in HTML, with only the characters
// HTML needs escaped (&, <, >), so "L'Oréal" stays as it is; in a description that is
// plain text with line breaks (Amazon's), with no entity at all and no angle bracket,
// which would read as the start of a tag.
func (g *generator) escape(s string) string {
	if g.r.plainDescription() {
		return collapse(angles.Replace(s))
	}
	return htmlEscaper.Replace(s)
}

var htmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")

// careLabel heads the care and usage lines of a description or bullet.
var careLabel = map[string]string{Turkish: "Bakım ve kullanım", English: "Care and use"}

// bullets writes up to the marketplace's number of bullet points, one attribute each,
// in plain text (with no attributes, one names the product), and the category's care
// and usage lines in the last one when there is room.
func (g *generator) bullets(name []string, items []item) []string {
	if g.r.Bullets == 0 {
		return nil
	}
	plain := angles
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
// attribute values, in lower case, each a whole phrase as the product gives it ("tüm
// saç tipleri", never "tüm tipleri"): a phrase whose words the title or an earlier
// keyword already holds, stem by stem ("yüz kremi" beside "Yüz Kremi", "kupalar"
// beside "Kupa"), adds nothing and is left out whole. Temporary and promotional words
// are removed; the marketplace's count and byte limits are kept.
func (g *generator) keywords(p messages.Product, byKind map[string]attr, others []attr, colour, title string) []string {
	covered := map[string]bool{}
	for _, w := range strings.Fields(title) {
		covered[keywordKey(g.lang, w)] = true
	}
	var sources []string
	split := func(s string) []string {
		return strings.FieldsFunc(stripTags(s), func(r rune) bool { return strings.ContainsRune(",;/|>", r) })
	}
	for _, k := range p.Keywords {
		sources = append(sources, split(k)...)
	}
	sources = append(sources, categoryPath(p.Category)...)
	for _, kd := range kinds {
		if kd.name == kindColor {
			sources = append(sources, colour)
		} else if a, ok := byKind[kd.name]; ok {
			sources = append(sources, split(translate(kd.name, a.value, g.lang))...)
		}
	}
	for _, a := range others {
		sources = append(sources, split(a.value)...)
	}
	var out []string
	seen := map[string]bool{}
	dropped, size := 0, 0
	for _, src := range sources {
		tokens, removed := removePromo(strings.Fields(src))
		for _, r := range removed {
			g.note("keywords: removed promotional phrase %q", r)
		}
		var words []string
		for _, t := range tokens {
			w := spellLower(trimPunct(t))
			if w == "" || temporaryWords[fold(w)] {
				continue
			}
			words = append(words, w)
		}
		for len(words) > 0 && isStop(words[0]) {
			words = words[1:]
		}
		for len(words) > 0 && isStop(words[len(words)-1]) {
			words = words[:len(words)-1]
		}
		// a phrase adds a word of two letters or more, and has a letter: a number
		// alone ("500") is nothing anyone searches for
		adds := false
		for _, w := range words {
			if runeLen(w) >= 2 && !isStop(w) && !covered[keywordKey(g.lang, w)] {
				adds = true
			}
		}
		adds = adds && strings.IndexFunc(strings.Join(words, ""), unicode.IsLetter) >= 0
		kw := strings.Join(words, " ")
		if !adds || seen[kw] {
			continue
		}
		extra := len(kw)
		if len(out) > 0 {
			extra++
		}
		if g.r.KeywordsMax > 0 && len(out) >= g.r.KeywordsMax ||
			g.r.KeywordBytesMax > 0 && size+extra > g.r.KeywordBytesMax {
			dropped++
			continue
		}
		seen[kw] = true
		for _, w := range words {
			covered[keywordKey(g.lang, w)] = true
		}
		out = append(out, kw)
		size += extra
	}
	if dropped > 0 {
		g.note("keywords: left out %d that did not fit the limit", dropped)
	}
	return out
}

// angles would start a tag in text that takes none.
var angles = strings.NewReplacer("<", " ", ">", " ")
