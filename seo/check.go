package seo

import (
	"fmt"
	"html"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/stox-dev/stox/messages"
)

// Check returns the ways finished listing text breaks rules r, none when it complies:
// ours or anyone else's text. The text must be in r's language, so a marketplace
// configured for another language is checked with its rules In that one. Check cannot
// tell the brand from other words, so a brand written in capitals or with a character
// titles may not use is reported; use CheckBrand when the brand is known.
func Check(text messages.ListingText, r Rules) []string {
	return CheckBrand(text, r, "")
}

// CheckBrand is Check for a product of the given brand, whose words a title may carry
// as the brand spells them (in capitals, or with a character titles may not use).
func CheckBrand(text messages.ListingText, r Rules, brand string) []string {
	return check(r, text, collapse(stripTags(html.UnescapeString(brand))))
}

func check(r Rules, text messages.ListingText, brand string) []string {
	var v violations
	if text.Language != r.Language {
		v.add("language: %q, %s listings are in %q", text.Language, r.Marketplace, r.Language)
	}
	checkTitle(&v, r, text.Title, brand)
	checkDescription(&v, r, text.Description)
	checkBullets(&v, r, text.Bullets)
	checkKeywords(&v, r, text.Keywords, text.Language)
	entitiesIn(&v, "title", text.Title)
	if r.plainDescription() {
		entitiesIn(&v, "description", text.Description)
	}
	for i, b := range text.Bullets {
		entitiesIn(&v, fmt.Sprintf("bullet %d", i+1), b)
	}
	for _, k := range text.Keywords {
		entitiesIn(&v, "keywords", k)
	}
	return v
}

// entity matches an HTML character reference: "&amp;", "&#39;", "&#x27;".
var entity = regexp.MustCompile(`&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);`)

// entitiesIn reports the HTML entities in a field that is plain text, where a buyer
// would read them as typed ("L&#39;Oréal").
func entitiesIn(v *violations, field, s string) {
	for _, e := range entity.FindAllString(s, -1) {
		v.add("%s: HTML entity %q in plain text", field, e)
	}
}

// violations collects distinct rule violations in the order found.
type violations []string

func (v *violations) add(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if !slices.Contains(*v, s) {
		*v = append(*v, s)
	}
}

// promoIn reports every promotional phrase in tokens; tokens at an index in skip are
// the brand's and never match.
func promoIn(v *violations, field string, tokens []string, skip map[int]bool) {
	keys := promoKeys(tokens)
	for i := range keys {
		if skip[i] {
			keys[i] = ""
		}
	}
	for i := 0; i < len(tokens); {
		s, e := findPromo(tokens, keys, i)
		if s < 0 {
			return
		}
		v.add("%s: promotional phrase %q", field, strings.Join(tokens[s:e], " "))
		i = e
	}
}

func checkTitle(v *violations, r Rules, title, brand string) {
	if strings.TrimSpace(title) == "" {
		v.add("title: empty")
		return
	}
	if n := runeLen(title); n > r.TitleMax {
		v.add("title: %d characters, more than %d", n, r.TitleMax)
	}
	if title != collapse(title) {
		v.add("title: extra white space")
	}
	brandWords := map[string]bool{}
	for _, w := range strings.Fields(brand) {
		if w = trimPunct(w); w != "" {
			brandWords[w] = true
		}
	}
	tokens := strings.Fields(title)
	skip := map[int]bool{}
	count := map[string]int{}
	for i, t := range tokens {
		if brandWords[trimPunct(t)] {
			skip[i] = true
		}
		if k := wordKey(r.Language, t); k != "" && !isStop(t) {
			count[k]++
			if count[k] == r.WordRepeatMax+1 {
				v.add("title: %q appears more than %d times", trimPunct(t), r.WordRepeatMax)
			}
		}
		if skip[i] {
			continue
		}
		for _, c := range t {
			if strings.ContainsRune(r.TitleForbidden, c) || unicode.Is(unicode.So, c) {
				v.add("title: character %q is not allowed", c)
			}
		}
		if shouting(t) {
			if s, ok := spelling(trimPunct(t)); !ok || s != trimPunct(t) {
				v.add("title: %q is in capitals", trimPunct(t))
			}
		}
	}
	promoIn(v, "title", tokens, skip)
}

func checkDescription(v *violations, r Rules, d string) {
	if strings.TrimSpace(d) == "" {
		v.add("description: empty")
		return
	}
	if n := runeLen(d); n > r.DescriptionMax {
		v.add("description: %d characters, more than %d", n, r.DescriptionMax)
	}
	var open []string
	var text strings.Builder
	for i := 0; i < len(d); {
		if d[i] != '<' {
			text.WriteByte(d[i])
			i++
			continue
		}
		end := strings.IndexByte(d[i:], '>')
		if end < 0 || i+1 >= len(d) || !(isASCIILetter(d[i+1]) || d[i+1] == '/') {
			v.add("description: '<' that starts no tag (write &lt;)")
			i++
			continue
		}
		tag := d[i+1 : i+end]
		i += end + 1
		text.WriteString(" | ") // no phrase runs across markup: "<li>…Ücretsiz</li><li>Kargo…"
		closing := strings.HasPrefix(tag, "/")
		tag = strings.TrimPrefix(tag, "/")
		selfClosing := strings.HasSuffix(tag, "/")
		tag = strings.TrimSpace(strings.TrimSuffix(tag, "/"))
		name, attrs, _ := strings.Cut(tag, " ")
		name = strings.ToLower(name)
		if !slices.Contains(r.DescriptionTags, name) {
			v.add("description: tag <%s> is not allowed (allowed: %s)", name, strings.Join(r.DescriptionTags, ", "))
		}
		if strings.TrimSpace(attrs) != "" {
			v.add("description: tag <%s> has attributes", name)
		}
		switch {
		case name == "br" || selfClosing:
		case closing:
			if len(open) == 0 || open[len(open)-1] != name {
				v.add("description: </%s> closes no open <%s>", name, name)
				continue
			}
			open = open[:len(open)-1]
		default:
			open = append(open, name)
		}
	}
	for _, t := range open {
		v.add("description: <%s> is not closed", t)
	}
	promoIn(v, "description", strings.Fields(html.UnescapeString(text.String())), nil)
}

func checkBullets(v *violations, r Rules, bullets []string) {
	switch {
	case r.Bullets == 0 && len(bullets) > 0:
		v.add("bullets: %s takes no bullet points", r.Marketplace)
		return
	case len(bullets) > r.Bullets:
		v.add("bullets: %d, more than %d", len(bullets), r.Bullets)
	}
	for i, b := range bullets {
		field := fmt.Sprintf("bullet %d", i+1)
		if strings.TrimSpace(b) == "" {
			v.add("%s: empty", field)
			continue
		}
		if n := runeLen(b); n > r.BulletMax {
			v.add("%s: %d characters, more than %d", field, n, r.BulletMax)
		}
		if strings.ContainsAny(b, "<>") {
			v.add("%s: contains markup", field)
		}
		promoIn(v, field, strings.Fields(b), nil)
	}
}

func checkKeywords(v *violations, r Rules, keywords []string, lang string) {
	if r.KeywordsMax > 0 && len(keywords) > r.KeywordsMax {
		v.add("keywords: %d, more than %d", len(keywords), r.KeywordsMax)
	}
	if n := len(strings.Join(keywords, " ")); r.KeywordBytesMax > 0 && n > r.KeywordBytesMax {
		v.add("keywords: %d bytes, more than %d", n, r.KeywordBytesMax)
	}
	seen := map[string]bool{}
	for i, k := range keywords {
		if strings.TrimSpace(k) == "" {
			v.add("keyword %d: empty", i+1)
			continue
		}
		key := Lower(lang, collapse(k))
		if seen[key] {
			v.add("keywords: %q repeated", k)
		}
		seen[key] = true
		promoIn(v, "keywords", strings.Fields(k), nil)
	}
}
