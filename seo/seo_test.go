package seo

import (
	"fmt"
	"html"
	"math/rand"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// testPromos are claims the test inputs make; no generated text may keep one. The list
// is the test's own, so a phrase dropped from promoPhrases by mistake shows up here.
var testPromos = []string{
	"kargo bedava", "bedava", "en ucuz", "indirim", "ucretsiz kargo", "firsat",
	"free shipping", "best seller", "on sale", "cheapest",
}

// rulesOf returns marketplace m's rules in its default language.
func rulesOf(tb testing.TB, m string) Rules {
	tb.Helper()
	r, ok := RulesFor(m)
	require.True(tb, ok, m)
	return r
}

// amazonTR names Amazon configured for amazon.com.tr, where listings are in Turkish,
// in the tables below.
const amazonTR = messages.Amazon + "/" + Turkish

// listings are the rules texts are written under: every marketplace in its default
// language, by name, and Amazon in Turkish as amazonTR.
func listings(tb testing.TB) map[string]Rules {
	out := map[string]Rules{amazonTR: rulesOf(tb, messages.Amazon).In(Turkish)}
	for _, m := range messages.Marketplaces {
		out[m] = rulesOf(tb, m)
	}
	return out
}

// listingNames are the keys of listings in a fixed order.
var listingNames = append(slices.Clone(messages.Marketplaces), amazonTR)

// assertRules checks every rule of r on text generated for p, without the package's
// own checker, so the two cannot be wrong the same way.
func assertRules(t *testing.T, r Rules, p messages.Product, text messages.ListingText) {
	t.Helper()
	brand := collapse(html.UnescapeString(p.Brand)) // Generate decodes the seller's entities

	assert.Equal(t, r.Language, text.Language, "language")

	// title
	assert.NotEmpty(t, text.Title)
	assert.LessOrEqual(t, len([]rune(text.Title)), r.TitleMax, "title length: %q", text.Title)
	assert.Equal(t, strings.Join(strings.Fields(text.Title), " "), text.Title, "title white space")
	if brand != "" {
		assert.True(t, strings.HasPrefix(text.Title, brand+" ") || text.Title == brand, "title starts with the brand as given: %q", text.Title)
	}
	brandWords := map[string]bool{}
	for _, w := range strings.Fields(brand) {
		brandWords[strings.Trim(w, "!?.,")] = true
	}
	counts := map[string]int{}
	for _, w := range strings.Fields(text.Title) {
		core := strings.TrimFunc(w, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if brandWords[core] {
			continue
		}
		k := strings.ToLowerSpecial(unicode.TurkishCase, core)
		if k != "" && !isStop(k) {
			counts[k]++
			assert.LessOrEqual(t, counts[k], 2, "word %q repeated in %q", k, text.Title)
		}
		assert.False(t, strings.ContainsAny(w, "!$?_{}^¬¦"), "forbidden character in %q", text.Title)
		letters, upper := 0, 0
		for _, c := range core {
			if unicode.IsLetter(c) {
				letters++
				if unicode.IsUpper(c) {
					upper++
				}
			}
		}
		assert.False(t, letters >= 5 && upper == letters, "all-capitals word %q in %q", w, text.Title)
		assert.False(t, letters >= 2 && upper == letters && strings.ContainsAny(core, "ÇĞİÖŞÜ"), "all-capitals Turkish word %q in %q", w, text.Title)
	}
	folded := " " + fold(text.Title) + " "
	for _, promo := range testPromos {
		assert.NotContains(t, folded, " "+promo+" ", "promotional %q in title %q", promo, text.Title)
	}

	// description
	assert.NotEmpty(t, text.Description)
	assert.LessOrEqual(t, len([]rune(text.Description)), r.DescriptionMax)
	for _, tag := range tagsIn(text.Description) {
		assert.Contains(t, r.DescriptionTags, tag, "tag in %q", text.Description)
	}
	assert.NotContains(t, strings.ToLower(text.Description), "<script")
	assert.NotContains(t, strings.ToLower(text.Description), "<img")
	foldedDesc := fold(text.Description)
	for _, promo := range testPromos {
		assert.NotContains(t, foldedDesc, " "+promo+" ", "promotional %q in description", promo)
	}

	// bullets
	assert.LessOrEqual(t, len(text.Bullets), r.Bullets, "bullet count")
	for _, b := range text.Bullets {
		assert.NotEmpty(t, b)
		assert.LessOrEqual(t, len([]rune(b)), r.BulletMax)
		assert.False(t, strings.ContainsAny(b, "<>"), "markup in bullet %q", b)
	}

	// keywords
	if r.KeywordsMax > 0 {
		assert.LessOrEqual(t, len(text.Keywords), r.KeywordsMax)
	}
	if r.KeywordBytesMax > 0 {
		assert.LessOrEqual(t, len(strings.Join(text.Keywords, " ")), r.KeywordBytesMax)
	}
	// each keyword is a whole phrase that adds a word, by stem, to the title and the
	// keywords before it; none repeats
	covered := map[string]bool{}
	for _, w := range strings.Fields(text.Title) {
		covered[stem(r.Language, w)] = true
	}
	seen := map[string]bool{}
	for _, k := range text.Keywords {
		assert.False(t, seen[k], "keyword %q twice in %q", k, text.Keywords)
		seen[k] = true
		assert.Equal(t, collapse(k), k, "keyword white space")
		assert.NotContains(t, k, "&", "keyword %q", k)
		adds := false
		for _, w := range strings.Fields(k) {
			if !isStop(w) && !covered[stem(r.Language, w)] {
				adds = true
			}
		}
		assert.True(t, adds, "keyword %q adds nothing to the title %q or the keywords %q", k, text.Title, text.Keywords)
		for _, w := range strings.Fields(k) {
			covered[stem(r.Language, w)] = true
		}
		for _, promo := range testPromos {
			assert.NotContains(t, " "+fold(k)+" ", " "+promo+" ")
		}
	}
}

// tagsIn lists the tag names in an HTML string.
func tagsIn(s string) []string {
	var tags []string
	for {
		i := strings.IndexByte(s, '<')
		if i < 0 {
			return tags
		}
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return append(tags, "unclosed")
		}
		name := strings.TrimSuffix(strings.TrimPrefix(s[i+1:i+j], "/"), "/")
		name, _, _ = strings.Cut(name, " ")
		tags = append(tags, name)
		s = s[i+j+1:]
	}
}

type want struct {
	status   string
	title    string   // exact, when set
	contains []string // in the title
	absent   []string // not in the title
	note     string   // a note containing this
}

func TestGenerate(t *testing.T) {
	tests := []struct {
		name    string
		product messages.Product
		colors  []messages.Color
		want    map[string]want // by marketplace; "" applies to all
	}{
		{
			name: "turkish silk shirt",
			product: messages.Product{Name: "İpek Gömlek", Brand: "Koton", Category: "Giyim > Kadın > Gömlek",
				Attributes: map[string]string{"renk": "Beyaz", "beden": "M", "cinsiyet": "Kadın"},
				Keywords:   []string{"ipek gömlek", "ofis şıklığı", "yazlık"}},
			want: map[string]want{
				messages.Trendyol:    {status: StatusPass, title: "Koton Kadın İpek Gömlek Beyaz M"},
				messages.Hepsiburada: {status: StatusPass, title: "Koton Kadın İpek Gömlek Beyaz M"},
				messages.Amazon:      {status: StatusPass, title: "Koton Women İpek Gömlek White M"},
				amazonTR:             {status: StatusPass, title: "Koton Kadın İpek Gömlek Beyaz M"},
			},
		},
		{
			name: "shouting turkish name",
			product: messages.Product{Name: "ERKEK PAMUKLU TİŞÖRT BİSİKLET YAKA SİYAH", Brand: "LC Waikiki",
				Attributes: map[string]string{"Renk": "SİYAH", "Beden": "XL"}},
			want: map[string]want{
				messages.Trendyol: {status: StatusFixed, title: "LC Waikiki Erkek Pamuklu Tişört Bisiklet Yaka Siyah XL", note: "recased"},
				// no category: the default template puts the colour last
				messages.Amazon: {status: StatusFixed, title: "LC Waikiki Erkek Pamuklu Tişört Bisiklet Yaka Siyah XL Black", note: "recased"},
				amazonTR:        {status: StatusFixed, title: "LC Waikiki Erkek Pamuklu Tişört Bisiklet Yaka Siyah XL", note: "recased"},
			},
		},
		{
			name: "promotional claims",
			product: messages.Product{Name: "Kadın Deri Omuz Çantası %50 %20 İNDİRİM - Kargo Bedava EN UCUZ", Brand: "Derimod",
				Attributes: map[string]string{"Materyal": "Hakiki Deri", "Renk": "Taba"}},
			want: map[string]want{
				"": {status: StatusFixed, absent: []string{"%50", "%20", "İndirim", "Kargo", "Bedava", "Ucuz", " - "}, note: "promotional"},
				// each stem once: "Hakiki" alone would dangle, so the material is left out
				messages.Trendyol: {status: StatusFixed, title: "Derimod Kadın Deri Omuz Çantası Taba", note: "promotional"},
			},
		},
		{
			name:    "no colour attribute uses the image colour",
			product: messages.Product{Name: "Seramik Kupa 350 ml", Brand: "Paşabahçe", Category: "Ev > Mutfak"},
			colors:  []messages.Color{{Hex: "#b22222", EN: "Red", TR: "Kırmızı", Share: 0.6}, {Hex: "#ffffff", EN: "White", TR: "Beyaz", Share: 0.3}},
			want: map[string]want{
				messages.Trendyol: {status: StatusPass, title: "Paşabahçe Seramik Kupa 350 ml Kırmızı"},
				messages.Amazon:   {status: StatusPass, title: "Paşabahçe Seramik Kupa 350 ml Red"},
				amazonTR:          {status: StatusPass, title: "Paşabahçe Seramik Kupa 350 ml Kırmızı"},
			},
		},
		{
			name:    "shouted turkish with turkish letters keeps dotless i",
			product: messages.Product{Name: "KADIN KISA KOLLU GÖMLEK", Brand: "Koton"},
			want: map[string]want{
				"": {status: StatusFixed, title: "Koton Kadın Kısa Kollu Gömlek", note: "recased"},
			},
		},
		{
			name:    "dotless i",
			product: messages.Product{Name: "ışık zinciri 10 metre ılık beyaz", Brand: "Işıltı"},
			want: map[string]want{
				"": {status: StatusPass, title: "Işıltı Işık Zinciri 10 Metre Ilık Beyaz"},
			},
		},
		{
			name:    "long name is cut at a word boundary",
			product: messages.Product{Name: longName, Brand: "Karaca", Attributes: map[string]string{"renk": "Gri", "beden": "Tek Ebat"}},
			want: map[string]want{
				"": {status: StatusFixed, note: "shortened the name"},
			},
		},
		{
			name: "english bottle",
			product: messages.Product{Name: "Stainless Steel Water Bottle 750ml", Brand: "Hydro Flask", Category: "Sports/Outdoors",
				Attributes: map[string]string{"color": "Black", "material": "Stainless Steel", "capacity": "750 ml"},
				Keywords:   []string{"insulated bottle", "gym", "hiking flask", "NEW"}},
			want: map[string]want{
				messages.Amazon:   {status: StatusPass, title: "Hydro Flask Stainless Steel Water Bottle 750ml Black"},
				amazonTR:          {status: StatusPass, title: "Hydro Flask Stainless Steel Water Bottle 750ml Siyah"},
				messages.Trendyol: {status: StatusPass, title: "Hydro Flask Stainless Steel Water Bottle 750ml Siyah"},
			},
		},
		{
			name:    "repeated words",
			product: messages.Product{Name: "Bebek Zıbın Bebek Body Bebek Tulum Bebek", Brand: "Mini"},
			want: map[string]want{
				// each stem once (issue 10: stuffing survived a two-repeats rule)
				"": {status: StatusFixed, title: "Mini Bebek Zıbın Body Tulum", note: "repeated"},
			},
		},
		{
			name:    "empty name",
			product: messages.Product{Name: "   ", Brand: "Koton"},
			want:    map[string]want{"": {status: StatusFail, note: "name: empty"}},
		},
		{
			name:    "name of promotional claims only",
			product: messages.Product{Name: "KARGO BEDAVA!!! EN UCUZ", Brand: "Koton"},
			want:    map[string]want{"": {status: StatusFail, note: "promotional"}},
		},
		{
			name:    "brand too long for trendyol",
			product: messages.Product{Name: "Gömlek", Brand: "Anadolu Geleneksel El Sanatları Tekstil Konfeksiyon Dış Ticaret Limited Şirketi Kooperatifi Ürünleri"},
			want: map[string]want{
				messages.Trendyol:    {status: StatusFail, note: "do not fit in 100"},
				messages.Hepsiburada: {status: StatusPass},
				messages.Amazon:      {status: StatusPass},
				amazonTR:             {status: StatusPass},
			},
		},
		{
			name: "markup in seller text is removed and escaped",
			product: messages.Product{Name: `Keten Pantolon <script>alert(1)</script>`, Brand: "Mavi",
				Attributes: map[string]string{"Not": `<img src=x onerror=alert(1)> "A & B"`}},
			want: map[string]want{
				"": {status: StatusFixed, absent: []string{"<", ">", "script"}, note: "removed markup"},
			},
		},
		{
			name:    "amazon forbidden characters",
			product: messages.Product{Name: "Bluetooth Speaker!!! {Waterproof} $19 Party Box?", Brand: "JBL"},
			want: map[string]want{
				"": {status: StatusFixed, title: "JBL Bluetooth Speaker Waterproof 19 Party Box", note: "removed characters"},
			},
		},
		{
			name:    "brand in capitals and model codes",
			product: messages.Product{Name: "ASUS VivoBook 15 X1502ZA Intel Core i5 LAPTOP", Brand: "ASUS", Attributes: map[string]string{"Renk": "Gümüş"}},
			want: map[string]want{
				messages.Trendyol: {status: StatusFixed, title: "ASUS VivoBook 15 X1502ZA Intel Core i5 Laptop Gümüş", note: "recased"},
				messages.Amazon:   {status: StatusFixed, title: "ASUS VivoBook 15 X1502ZA Intel Core i5 Laptop Silver"},
				amazonTR:          {status: StatusFixed, title: "ASUS VivoBook 15 X1502ZA Intel Core i5 Laptop Gümüş"},
			},
		},
		{
			name:    "english shouting with acronyms",
			product: messages.Product{Name: "WIRELESS HEADPHONES WITH MIC AND USB CABLE - BEST SELLER", Brand: "Sony"},
			want: map[string]want{
				messages.Amazon: {status: StatusFixed, title: "Sony Wireless Headphones with Mic and USB Cable"},
				amazonTR:        {status: StatusFixed, title: "Sony Wireless Headphones with Mic and USB Cable"},
				// no Turkish letter: I is i, not ı, in a Turkish listing too
				messages.Trendyol: {status: StatusFixed, title: "Sony Wireless Headphones with Mic and USB Cable"},
			},
		},
	}
	all := listings(t)
	for _, tt := range tests {
		for _, m := range listingNames {
			t.Run(tt.name+"/"+m, func(t *testing.T) {
				r := all[m]
				text, rep := Generate(tt.product, tt.colors, r)
				w, ok := tt.want[m]
				if !ok {
					w = tt.want[""]
				}
				if general, ok := tt.want[""]; ok && w.status == "" {
					w = general
				}
				assert.Equal(t, r.Marketplace, rep.Marketplace)
				assert.Equal(t, r.Language, text.Language)
				if w.status != "" {
					assert.Equal(t, w.status, rep.Status, "notes: %q", rep.Notes)
				}
				if w.note != "" {
					assert.Contains(t, strings.Join(rep.Notes, "\n"), w.note)
				}
				switch rep.Status {
				case StatusFail:
					assert.NotEmpty(t, rep.Notes, "a failure says why")
					return
				case StatusPass:
					assert.Empty(t, rep.Notes)
				case StatusFixed:
					assert.NotEmpty(t, rep.Notes, "a fix says what it fixed")
				}
				if w.title != "" {
					assert.Equal(t, w.title, text.Title)
				}
				for _, s := range w.contains {
					assert.Contains(t, text.Title, s)
				}
				for _, s := range append(w.absent, tt.want[""].absent...) {
					assert.NotContains(t, text.Title, s)
				}
				assertRules(t, r, tt.product, text)
				assert.Empty(t, CheckBrand(text, r, tt.product.Brand), "the checker agrees")
			})
		}
	}
}

// longName is 267 characters of distinct words.
const longName = "Dayanıklı Paslanmaz Çelik Tencere Seti 12 Parça Granit Kaplama Yapışmaz Taban " +
	"İndüksiyon Uyumlu Cam Kapaklı Isıya Dayanıklı Silikon Tutacaklı Bulaşık Makinesinde Yıkanabilir " +
	"Mutfak Gereçleri Çeyiz Paketi Özel Kutulu Büyük Boy Aile Kullanımına Uygun Pratik Şık Tasarım"

func TestGenerateLongNameKeepsWholeWords(t *testing.T) {
	name := longName
	p := messages.Product{Name: name, Brand: "Karaca", Attributes: map[string]string{"renk": "Gri", "beden": "Tek Ebat"}}
	for m, r := range listings(t) {
		text, rep := Generate(p, nil, r)
		require.NotEqual(t, StatusFail, rep.Status, rep.Notes)
		words := map[string]bool{"Karaca": true, "Gri": true, "Grey": true}
		for _, w := range strings.Fields(name) {
			words[w] = true
		}
		for _, w := range strings.Fields(text.Title) {
			assert.True(t, words[w], "%s: %q is a whole word of the input", m, w)
		}
		// the title is filled close to the limit, not cut short
		assert.Greater(t, len([]rune(text.Title)), r.TitleMax-15, "%s: %q", m, text.Title)
		assert.Contains(t, strings.Join(rep.Notes, "\n"), "left out size")
	}
}

func TestGenerateDescriptionAndBullets(t *testing.T) {
	p := messages.Product{Name: "Keten Gömlek", Brand: "Mavi & Co", Category: "Giyim > Erkek > Gömlek",
		Attributes: map[string]string{"renk": "Lacivert", "Yaka Tipi": `Klasik "İngiliz" <b>yaka</b>`, "malzeme": "%100 Keten"}}

	tr, _ := Generate(p, nil, rulesOf(t, messages.Trendyol))
	assert.Equal(t, `<p><strong>Mavi &amp; Co</strong> Keten Gömlek. Ürünün özellikleri aşağıda yer alıyor.</p>`+
		`<ul><li><strong>Malzeme:</strong> %100 Keten</li><li><strong>Renk:</strong> Lacivert</li>`+
		`<li><strong>Yaka Tipi:</strong> Klasik "İngiliz" yaka</li><li><strong>Kategori:</strong> Gömlek</li></ul>`+
		`<p><strong>Bakım ve kullanım:</strong><br>Ürün etiketindeki yıkama talimatlarına uyunuz.</p>`,
		tr.Description)
	assert.Empty(t, tr.Bullets, "trendyol takes no bullets")

	am, _ := Generate(p, nil, rulesOf(t, messages.Amazon))
	// Amazon's description is plain text with line breaks: no entity (issue 10)
	assert.Equal(t, `Mavi & Co Keten Gömlek. The product's details are listed below.<br><br>`+
		`Material: %100 Keten<br>Color: Navy<br>Yaka Tipi: Klasik "İngiliz" yaka<br>Category: Gömlek`+
		`<br><br>Care and use:<br>Follow the washing instructions on the label.`, am.Description)
	assert.Equal(t, []string{"Material: %100 Keten", "Color: Navy", `Yaka Tipi: Klasik "İngiliz" yaka`, "Category: Gömlek",
		"Care and use: Follow the washing instructions on the label."}, am.Bullets)

	// amazon.com.tr: Amazon's markup and bullets, in Turkish
	amTR, _ := Generate(p, nil, rulesOf(t, messages.Amazon).In(Turkish))
	assert.Equal(t, `Mavi & Co Keten Gömlek. Ürünün özellikleri aşağıda yer alıyor.<br><br>`+
		`Malzeme: %100 Keten<br>Renk: Lacivert<br>Yaka Tipi: Klasik "İngiliz" yaka<br>Kategori: Gömlek`+
		`<br><br>Bakım ve kullanım:<br>Ürün etiketindeki yıkama talimatlarına uyunuz.`, amTR.Description)
	assert.Equal(t, []string{"Malzeme: %100 Keten", "Renk: Lacivert", `Yaka Tipi: Klasik "İngiliz" yaka`, "Kategori: Gömlek",
		"Bakım ve kullanım: Ürün etiketindeki yıkama talimatlarına uyunuz."}, amTR.Bullets)
}

// TestGenerateLeavesOutCodes: the codes and tax a seller sends for the marketplaces'
// forms (barcode, VAT rate, desi…) are no features: no description, bullet or search
// word shows them.
func TestGenerateLeavesOutCodes(t *testing.T) {
	p := messages.Product{Name: "Keten Gömlek", Brand: "Mavi", Category: "Giyim > Erkek > Gömlek",
		Attributes: map[string]string{"renk": "Lacivert", "barcode": "8690000000005", "vat_rate": "20",
			"KDV Oranı": "20", "Desi": "2", "GTIN": "08690000000005"}}
	for _, m := range messages.Marketplaces {
		text, _ := Generate(p, nil, rulesOf(t, m))
		all := text.Title + " " + text.Description + " " + strings.Join(text.Bullets, " ") + " " + strings.Join(text.Keywords, " ")
		for _, code := range []string{"8690000000005", "arcode", "Vat", "KDV", "Desi", "GTIN"} {
			assert.NotContains(t, all, code, m)
		}
		assert.Regexp(t, "Lacivert|Navy", text.Description, "the colour stays (%s)", m)
	}
}

// TestGenerateAmazonTurkish writes products a Turkish seller lists on amazon.com.tr:
// title, bullets and search terms in Turkish, within Amazon's limits.
func TestGenerateAmazonTurkish(t *testing.T) {
	r := rulesOf(t, messages.Amazon).In(Turkish)
	tests := []struct {
		name     string
		product  messages.Product
		title    string
		bullets  []string
		keywords []string
	}{
		{
			name: "nike sneaker",
			product: messages.Product{Name: "Air Max 90 Erkek Spor Ayakkabı", Brand: "Nike", Category: "Ayakkabı > Spor Ayakkabı",
				Attributes: map[string]string{"renk": "Beyaz", "numara": "42", "cinsiyet": "Erkek", "materyal": "Deri ve Tekstil"},
				Keywords:   []string{"sneaker", "koşu ayakkabısı", "günlük ayakkabı"}},
			title: "Nike Air Max 90 Erkek Spor Ayakkabı Deri ve Tekstil Beyaz 42",
			// five bullets: the care line gives way to the attributes
			bullets: []string{"Cinsiyet: Erkek", "Materyal: Deri ve Tekstil", "Renk: Beyaz", "Numara: 42", "Kategori: Spor Ayakkabı"},
			// whole phrases, not the fragments "koşu", "günlük" (issue 10)
			keywords: []string{"sneaker", "koşu ayakkabısı", "günlük ayakkabı"},
		},
		{
			name: "english seller's sneaker",
			product: messages.Product{Name: "Air Max 90", Brand: "Nike", Category: "Shoes > Sneakers",
				Attributes: map[string]string{"color": "White", "size": "10", "gender": "Men"}},
			title: "Nike Erkek Air Max 90 Ayakkabı Beyaz 10",
			bullets: []string{"Cinsiyet: Erkek", "Renk: Beyaz", "Beden: 10", "Kategori: Sneakers",
				"Bakım ve kullanım: Nemli bir bezle silerek temizleyiniz. Doğrudan ısı kaynağından uzakta kurutunuz."},
			keywords: []string{"shoes", "sneakers"},
		},
		{
			name: "iphone case",
			product: messages.Product{Name: "iPhone 15 Pro Uyumlu Şeffaf Silikon Kılıf MagSafe", Brand: "Spigen",
				Category:   "Elektronik > Telefon Aksesuarları > Kılıf",
				Attributes: map[string]string{"renk": "Şeffaf", "malzeme": "TPU Silikon", "uyumlu model": "iPhone 15 Pro"},
				Keywords:   []string{"telefon kılıfı", "darbe emici", "ince kılıf"}},
			// the material's TPU is a key attribute the title kept out before (issue 10)
			title: "Spigen iPhone 15 Pro Uyumlu Şeffaf Silikon Kılıf MagSafe TPU",
			bullets: []string{"Uyumlu model: iPhone 15 Pro", "Malzeme: TPU Silikon", "Renk: Şeffaf", "Kategori: Kılıf",
				"Bakım ve kullanım: Kullanım kılavuzunu okuyunuz."},
			// whole phrases: "ince kılıf", not "ince"; "15 pro" of "iPhone 15 Pro" is no keyword
			keywords: []string{"telefon kılıfı", "darbe emici", "ince kılıf", "elektronik", "telefon aksesuarları"},
		},
		{
			name: "face cream",
			product: messages.Product{Name: "Nemlendirici Yüz Kremi Hyaluronik Asit 50 ml", Brand: "La Roche-Posay",
				Category:   "Kozmetik > Cilt Bakımı > Yüz Kremi",
				Attributes: map[string]string{"hacim": "50 ml", "cilt tipi": "Kuru ve Hassas Cilt"},
				Keywords:   []string{"yüz kremi", "kuru cilt", "nemlendirici krem"}},
			title: "La Roche-Posay Nemlendirici Yüz Kremi Hyaluronik Asit 50 ml",
			bullets: []string{"Hacim: 50 ml", "Cilt tipi: Kuru ve Hassas Cilt", "Kategori: Yüz Kremi",
				"Bakım ve kullanım: Ambalajdaki kullanım talimatına uyunuz. Serin ve kuru bir yerde saklayınız."},
			keywords: []string{"kuru cilt", "nemlendirici krem", "kozmetik", "cilt bakımı", "kuru ve hassas cilt"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, rep := Generate(tt.product, nil, r)
			require.Equal(t, StatusPass, rep.Status, rep.Notes)
			assert.Equal(t, Turkish, text.Language)
			assert.Equal(t, tt.title, text.Title)
			assert.Equal(t, tt.bullets, text.Bullets)
			assert.Equal(t, tt.keywords, text.Keywords)
			assert.Contains(t, text.Description, "Ürünün özellikleri aşağıda yer alıyor.<br><br>")
			assertRules(t, r, tt.product, text)
			assert.Empty(t, CheckBrand(text, r, tt.product.Brand))
		})
	}
}

func TestGenerateKeywords(t *testing.T) {
	p := messages.Product{Name: "Pamuklu Tişört", Brand: "Koton", Category: "Giyim > Kadın > Tişört",
		Attributes: map[string]string{"renk": "Siyah"},
		Keywords:   []string{"yazlık tişört", "PAMUKLU", "Yazlık", "basic", "en ucuz tişört", "İNCE", "ince"}}
	text, rep := Generate(p, nil, rulesOf(t, messages.Trendyol))
	// "tişört", "pamuklu", "siyah" and "koton" are in the title; "yazlık tişört" whole,
	// then "yazlık" adds nothing; "ince" once, lowercased the Turkish way (İNCE → ince,
	// not ınce).
	assert.Equal(t, []string{"yazlık tişört", "basic", "ince", "giyim", "kadın"}, text.Keywords)
	assert.Contains(t, rep.Notes, `keywords: removed promotional phrase "en ucuz"`)

	// Amazon: under 250 bytes, whatever the seller sends, in either language; Turkish
	// letters take two bytes each.
	var many []string
	for i := range 200 {
		many = append(many, fmt.Sprintf("anahtarkelime%d", i), fmt.Sprintf("şıklığı%d", i))
	}
	p.Keywords = many
	for _, r := range []Rules{rulesOf(t, messages.Amazon), listings(t)[amazonTR]} {
		text, rep = Generate(p, nil, r)
		n := len(strings.Join(text.Keywords, " "))
		assert.LessOrEqual(t, n, 249, r.Language)
		assert.Greater(t, n, 230, "%s: the budget is used, not wasted", r.Language)
		assert.Contains(t, strings.Join(text.Keywords, " "), "şıklığı", r.Language)
		assert.Contains(t, strings.Join(rep.Notes, "\n"), "keywords: left out", r.Language)
	}
	text, _ = Generate(p, nil, rulesOf(t, messages.Trendyol))
	assert.Len(t, text.Keywords, 20)
}

func TestRulesIn(t *testing.T) {
	amazon := rulesOf(t, messages.Amazon)
	require.Equal(t, English, amazon.Language, "amazon.com's language unless configured")
	tests := []struct{ language, want string }{
		{"tr", Turkish},
		{"tr_TR", Turkish}, // Amazon's language_tag
		{"TR-tr", Turkish},
		{"en", English},
		{"en_GB", English},
		{"de", English}, // amazon.de: no German writer, so English
		{"de_DE", English},
		{"", English}, // no language: the marketplace's default
	}
	for _, tt := range tests {
		t.Run(tt.language, func(t *testing.T) {
			r := amazon.In(tt.language)
			assert.Equal(t, tt.want, r.Language)
			r.Language = amazon.Language
			assert.Equal(t, amazon, r, "only the language changes")
		})
	}
	trendyol := rulesOf(t, messages.Trendyol)
	assert.Equal(t, Turkish, trendyol.In("").Language, "an empty language keeps the default")
	assert.Equal(t, English, trendyol.In("en").Language)

	r := amazon.In(Turkish)
	r.DescriptionTags[0] = "script"
	assert.Equal(t, "br", amazon.DescriptionTags[0], "the copy shares no tags with the original")
}

func TestGenerateLanguage(t *testing.T) {
	p := messages.Product{Name: "Samba OG", Brand: "adidas", Category: "Ayakkabı", Attributes: map[string]string{"renk": "Beyaz"}}
	tests := []struct{ language, wantLang, wantTitle string }{
		{Turkish, Turkish, "adidas Samba OG Ayakkabı Beyaz"},
		{English, English, "adidas Samba OG Shoes White"},
		{"de", English, "adidas Samba OG Shoes White"}, // set directly, not through In
		{"", English, "adidas Samba OG Shoes White"},
	}
	for _, tt := range tests {
		t.Run(tt.language, func(t *testing.T) {
			r := rulesOf(t, messages.Amazon)
			r.Language = tt.language
			text, rep := Generate(p, nil, r)
			assert.Equal(t, StatusPass, rep.Status, rep.Notes)
			assert.Equal(t, tt.wantLang, text.Language)
			assert.Equal(t, tt.wantTitle, text.Title)
		})
	}
}

// TestGenerateProperty runs many random products through every marketplace: no title
// that passes may break a rule, and only a product without a usable name may fail.
func TestGenerateProperty(t *testing.T) {
	rng := rand.New(rand.NewSource(20260801))
	vocab := []string{
		"gömlek", "GÖMLEK", "İpek", "ışık", "IŞIK", "Kadın", "erkek", "pamuklu", "PAMUKLU",
		"tişört", "çanta", "deri", "ayakkabı", "spor", "koşu", "shoe", "running", "WIRELESS",
		"headphones", "USB", "LED", "HDMI", "kablo", "3m", "X1502ZA", "iPhone", "kılıf",
		"stainless", "steel", "bottle", "750ml", "and", "with", "ve", "ile", "için", "-", "&",
		"kargo", "bedava", "BEDAVA!!!", "en", "ucuz", "%50", "indirim", "free", "shipping",
		"best", "seller", "{super}", "$99", "wow?", "★", "süper_fiyat", "ÇOK", "SATAN",
		"Uzunkelimeolanbirürünadıparçası", "ŞAL", "XXL", "bebek", "bebek", "bebek",
	}
	keys := []string{"renk", "color", "Renk", "beden", "size", "malzeme", "material", "cinsiyet",
		"gender", "model", "Yaka Tipi", "Kapasite", "garanti", "<b>x</b>"}
	words := func(n int) string {
		ws := make([]string, n)
		for i := range ws {
			ws[i] = vocab[rng.Intn(len(vocab))]
		}
		return strings.Join(ws, " ")
	}
	// every template's categories, and none
	categories := []string{"", "Giyim > Tişört", "Ayakkabı", "Kadın Ayakkabıları", "Çanta", "Kulaklık",
		"Elektronik", "Ev > Mutfak", "Kozmetik", "Oyuncak", "Spor", "Shoes", "Headphones", "Toys"}
	brands := []string{"", "Koton", "LC Waikiki", "ADIDAS", "adidas", "Işıltı", "Mavi", "Yahoo!", "B&O"}
	colours := []messages.Color{{EN: "Black", TR: "Siyah"}, {EN: "Navy", TR: "Lacivert"}}

	all := listings(t)
	fails := 0
	for i := range 600 {
		p := messages.Product{
			Name:       words(1+rng.Intn(45)) + " Gömlek",
			Brand:      brands[rng.Intn(len(brands))],
			Category:   categories[rng.Intn(len(categories))] + " " + words(rng.Intn(2)),
			Attributes: map[string]string{},
		}
		for range rng.Intn(7) {
			p.Attributes[keys[rng.Intn(len(keys))]] = words(1 + rng.Intn(4))
		}
		for range rng.Intn(30) {
			p.Keywords = append(p.Keywords, words(1+rng.Intn(3)))
		}
		cs := colours[:rng.Intn(len(colours)+1)]
		for _, m := range listingNames {
			r := all[m]
			text, rep := Generate(p, cs, r)
			if rep.Status == StatusFail {
				fails++
				t.Errorf("product %d on %s failed: %q (name %q)", i, m, rep.Notes, p.Name)
				continue
			}
			if !assert.Empty(t, CheckBrand(text, r, p.Brand), "product %d on %s: %q", i, m, text.Title) {
				continue
			}
			assertRules(t, r, p, text)
		}
	}
	assert.Zero(t, fails)
}

func TestGenerateDeterministic(t *testing.T) {
	p := messages.Product{Name: "Kadın Keten Gömlek", Brand: "Koton", Category: "Giyim > Kadın",
		Attributes: map[string]string{"renk": "Beyaz", "color": "White", "beden": "M", "a": "1", "b": "2", "c": "3",
			"Yaka": "V", "Kol": "Uzun", "Desen": "Düz", "Cep": "Var", "Boy": "Uzun", "Kalıp": "Rahat"},
		Keywords: []string{"yazlık", "keten", "ofis", "şık"}}
	colours := []messages.Color{{EN: "White", TR: "Beyaz"}}
	for m, r := range listings(t) {
		first, firstRep := Generate(p, colours, r)
		for range 50 {
			// a fresh map each time: Go randomises map iteration per map and per range
			attrs := make(map[string]string, len(p.Attributes))
			for k, v := range p.Attributes {
				attrs[k] = v
			}
			q := p
			q.Attributes = attrs
			text, rep := Generate(q, colours, r)
			require.True(t, reflect.DeepEqual(first, text), "%s: %+v != %+v", m, first, text)
			require.Equal(t, firstRep, rep)
		}
	}
}

func TestCheck(t *testing.T) {
	good := messages.ListingText{Language: "tr", Title: "Koton Kadın Keten Gömlek Beyaz",
		Description: "<p><strong>Koton</strong> Keten Gömlek.</p><ul><li>Renk: Beyaz<br/></li></ul>",
		Keywords:    []string{"yazlık", "ofis"}}
	all := listings(t)
	require.Empty(t, Check(good, all[messages.Trendyol]))
	// HTML descriptions may escape; listed spellings in capitals are no shouting
	listed := good
	listed.Title, listed.Description = "LEGO DUPLO Tren Seti", "<p>Saç &amp; Cilt</p>"
	assert.Empty(t, Check(listed, all[messages.Trendyol]))
	// amazon.com.tr takes Turkish text; only the list markup is Trendyol's
	assert.Equal(t, []string{"description: tag <p> is not allowed (allowed: br)", "description: tag <strong> is not allowed (allowed: br)",
		"description: tag <ul> is not allowed (allowed: br)", "description: tag <li> is not allowed (allowed: br)"}, Check(good, all[amazonTR]))

	tests := []struct {
		name   string
		market string
		edit   func(*messages.ListingText)
		want   string
	}{
		{"turkish on amazon.com", messages.Amazon, func(x *messages.ListingText) {}, `language: "tr", amazon listings are in "en"`},
		{"english on amazon.com.tr", amazonTR, func(x *messages.ListingText) { x.Language = "en" }, `language: "en", amazon listings are in "tr"`},
		{"amazon.com.tr takes no list either", amazonTR, func(x *messages.ListingText) {}, "tag <p> is not allowed"},
		{"title too long", messages.Trendyol, func(x *messages.ListingText) { x.Title = strings.Repeat("Gömlek Keten ", 9) + "Beyaz" }, "more than 100"},
		{"title empty", messages.Trendyol, func(x *messages.ListingText) { x.Title = " " }, "title: empty"},
		{"forbidden character", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton Gömlek!" }, `character '!'`},
		{"emoji", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton Gömlek ★" }, `character '★'`},
		{"promotional", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton Gömlek Kargo Bedava" }, `promotional phrase "Kargo Bedava"`},
		{"promotional english", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton Shirt FREE SHIPPING" }, `promotional phrase "FREE SHIPPING"`},
		{"repeated word", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton Gömlek gömlek Keten GÖMLEK" }, `appears more than 2 times`},
		{"capitals", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton GÖMLEK" }, `"GÖMLEK" is in capitals`},
		{"short turkish capitals", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton IŞIK USB" }, `"IŞIK" is in capitals`},
		{"extra space", messages.Trendyol, func(x *messages.ListingText) { x.Title = "Koton  Gömlek" }, "extra white space"},
		{"tag not allowed", messages.Trendyol, func(x *messages.ListingText) { x.Description = "<p>a</p><script>x</script>" }, "tag <script> is not allowed"},
		{"attributes", messages.Trendyol, func(x *messages.ListingText) { x.Description = `<p style="color:red">a</p>` }, "tag <p> has attributes"},
		{"unclosed", messages.Trendyol, func(x *messages.ListingText) { x.Description = "<p><strong>a</p>" }, "</p> closes no open <p>"},
		{"bare <", messages.Trendyol, func(x *messages.ListingText) { x.Description = "<p>a < 10 cm</p>" }, "starts no tag"},
		{"amazon takes no list", messages.Amazon, func(x *messages.ListingText) { x.Language = "en" }, "tag <p> is not allowed"},
		{"empty description", messages.Trendyol, func(x *messages.ListingText) { x.Description = "" }, "description: empty"},
		{"bullets on trendyol", messages.Trendyol, func(x *messages.ListingText) { x.Bullets = []string{"a"} }, "takes no bullet points"},
		{"too many bullets", messages.Amazon, func(x *messages.ListingText) {
			x.Language, x.Description = "en", "a"
			x.Bullets = []string{"a", "b", "c", "d", "e", "f"}
		}, "bullets: 6, more than 5"},
		{"long bullet", messages.Amazon, func(x *messages.ListingText) {
			x.Language, x.Description, x.Bullets = "en", "a", []string{strings.Repeat("x", 251)}
		}, "bullet 1: 251 characters"},
		{"markup bullet", messages.Amazon, func(x *messages.ListingText) {
			x.Language, x.Description, x.Bullets = "en", "a", []string{"<b>x</b>"}
		}, "bullet 1: contains markup"},
		{"keyword bytes", messages.Amazon, func(x *messages.ListingText) {
			x.Language, x.Description = "en", "a"
			x.Keywords = []string{strings.Repeat("ş", 125)} // 250 bytes
		}, "keywords: 250 bytes, more than 249"},
		{"keyword bytes on amazon.com.tr", amazonTR, func(x *messages.ListingText) {
			x.Description = "a"
			x.Keywords = []string{strings.Repeat("ş", 125)}
		}, "keywords: 250 bytes, more than 249"},
		{"keyword repeated", messages.Trendyol, func(x *messages.ListingText) { x.Keywords = []string{"IŞIK", "ışık"} }, `"ışık" repeated`},
		{"entity in a title", messages.Trendyol, func(x *messages.ListingText) { x.Title = "L&#39;Oréal Şampuan" }, `title: HTML entity "&#39;" in plain text`},
		{"entity in amazon's description", amazonTR, func(x *messages.ListingText) { x.Description = "L&#39;Oréal Şampuan" }, `description: HTML entity "&#39;" in plain text`},
		{"entity in a keyword", messages.Trendyol, func(x *messages.ListingText) { x.Keywords = []string{"saç &amp; cilt"} }, `keywords: HTML entity "&amp;" in plain text`},
		{"entity in a bullet", messages.Amazon, func(x *messages.ListingText) {
			x.Language, x.Description, x.Bullets = "en", "a", []string{"Tom &quot;Ford&quot;"}
		}, `bullet 1: HTML entity "&quot;" in plain text`},
		{"too many keywords", messages.Trendyol, func(x *messages.ListingText) { x.Keywords = strings.Fields(strings.Repeat("a ", 21)) }, "keywords: 21, more than 20"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := good
			text.Bullets = nil
			text.Keywords = append([]string(nil), good.Keywords...)
			tt.edit(&text)
			r, ok := all[tt.market]
			require.True(t, ok, tt.market)
			v := Check(text, r)
			assert.Contains(t, strings.Join(v, "\n"), tt.want, "violations: %q", v)
		})
	}
}

func TestCheckBrand(t *testing.T) {
	text := messages.ListingText{Language: "en", Title: "ADIDAS Samba Shoe by ADIDAS", Description: "Samba."}
	assert.NotEmpty(t, Check(text, rulesOf(t, messages.Amazon)), "capitals are reported when the brand is unknown")
	assert.Empty(t, CheckBrand(text, rulesOf(t, messages.Amazon), "ADIDAS"))
	text.Title = "Yahoo! Mail Notebook"
	assert.Empty(t, CheckBrand(text, rulesOf(t, messages.Amazon), "Yahoo!"))
	assert.NotEmpty(t, CheckBrand(text, rulesOf(t, messages.Amazon), "Google"))
}

func TestSlug(t *testing.T) {
	tests := []struct{ in, want string }{
		{"İpek Gömlek", "ipek-gomlek"},
		{"ışık zinciri", "isik-zinciri"},
		{"IŞIK ZİNCİRİ", "isik-zinciri"},
		{"Çağrı Şükrü Öğütçü", "cagri-sukru-ogutcu"},
		{"  Kadın'ın   Çantası!! ", "kadinin-cantasi"},
		{"Women's T-Shirt / XL", "womens-t-shirt-xl"},
		{"Crème brûlée 100%", "creme-brulee-100"},
		{"Kâğıt Havlu", "kagit-havlu"},
		{"日本 Tea", "tea"},
		{"---", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Slug(tt.in))
		})
	}
}

func TestCasing(t *testing.T) {
	tests := []struct{ lang, in, title, lower, upper string }{
		{"tr", "ışık", "Işık", "ışık", "IŞIK"},
		{"tr", "İPEK GÖMLEK", "İpek Gömlek", "ipek gömlek", "İPEK GÖMLEK"},
		{"tr", "istanbul", "İstanbul", "istanbul", "İSTANBUL"},
		// not Turkish: no Turkish letter (issue 10)
		{"tr", "t-shirt", "T-Shirt", "t-shirt", "T-SHIRT"},
		{"tr", "KULAKLIK", "Kulaklık", "kulaklık", "KULAKLIK"},
		{"tr", "ELVIVE", "Elvive", "elvive", "ELVIVE"},
		{"tr", "intel", "Intel", "intel", "INTEL"},
		{"tr", "ipek", "İpek", "ipek", "İPEK"},
		{"en", "istanbul", "Istanbul", "istanbul", "ISTANBUL"},
		{"en", "İpek", "İpek", "ipek", "İPEK"},
		{"en", "women's t-shirt", "Women's T-Shirt", "women's t-shirt", "WOMEN'S T-SHIRT"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.in, func(t *testing.T) {
			assert.Equal(t, tt.title, TitleCase(tt.lang, tt.in))
			assert.Equal(t, tt.lower, Lower(tt.lang, tt.in))
			assert.Equal(t, tt.upper, Upper(tt.lang, tt.in))
		})
	}
}

func TestRulesFor(t *testing.T) {
	for _, m := range messages.Marketplaces {
		r, ok := RulesFor(m)
		require.True(t, ok, m)
		assert.Equal(t, m, r.Marketplace)
		assert.Positive(t, r.TitleMax)
		assert.Positive(t, r.DescriptionMax)
		assert.NotEmpty(t, r.DescriptionTags)
	}
	r, _ := RulesFor(messages.Trendyol)
	r.DescriptionTags[0] = "script"
	again, _ := RulesFor(messages.Trendyol)
	assert.Equal(t, "p", again.DescriptionTags[0], "callers cannot change the rules")
	_, ok := RulesFor("n11")
	assert.False(t, ok)
}

func BenchmarkGenerate(b *testing.B) {
	p := messages.Product{Name: "ERKEK PAMUKLU BASİC TİŞÖRT KISA KOLLU BİSİKLET YAKA - KARGO BEDAVA", Brand: "LC Waikiki",
		Category:   "Giyim > Erkek > Tişört",
		Attributes: map[string]string{"Renk": "Siyah", "Beden": "L", "Materyal": "%100 Pamuk", "Kalıp": "Regular", "Yaka Tipi": "Bisiklet Yaka"},
		Keywords:   []string{"basic tişört", "yazlık", "günlük", "spor", "pamuk"}}
	colours := []messages.Color{{EN: "Black", TR: "Siyah"}}
	var all []Rules
	for _, m := range messages.Marketplaces {
		all = append(all, rulesOf(b, m))
	}
	for b.Loop() {
		for _, r := range all {
			if _, rep := Generate(p, colours, r); rep.Status == StatusFail {
				b.Fatal(rep.Notes)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "products/s")
}

func TestStem(t *testing.T) {
	tests := []struct{ lang, a, b string }{
		{Turkish, "ayakkabısı", "Ayakkabı"},
		{Turkish, "ayakkabıları", "ayakkabı"},
		{Turkish, "gömlekler", "Gömlek"},
		{Turkish, "çantası", "ÇANTA"},
		{Turkish, "çantalar", "çanta"},
		{Turkish, "kulaklıklar", "kulaklık"},
		{English, "shoes", "Shoe"},
		{English, "Ayakkabısı", "ayakkabı"}, // a Turkish letter: Turkish endings
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.a, func(t *testing.T) {
			assert.Equal(t, stem(tt.lang, tt.b), stem(tt.lang, tt.a))
		})
	}
	distinct := []struct{ lang, a, b string }{
		{Turkish, "kadın", "kad"},    // no case ending is cut
		{Turkish, "kurs", "kur"},     // "s" after a consonant is the stem's
		{Turkish, "ders", "der"},     // likewise
		{Turkish, "eller", "el"},     // too short a stem to cut
		{English, "glass", "glas"},   // a double s is no plural
		{English, "gas", "ga"},       // too short
		{Turkish, "kalem", "kalemi"}, // an accusative is not cut
	}
	for _, tt := range distinct {
		t.Run("distinct/"+tt.a, func(t *testing.T) {
			assert.NotEqual(t, stem(tt.lang, tt.b), stem(tt.lang, tt.a))
		})
	}
}

func TestGenerateKeywordsStems(t *testing.T) {
	p := messages.Product{Name: "Deri Ayakkabı", Brand: "Hotiç", Category: "Ayakkabı > Kadın Ayakkabıları",
		Keywords: []string{"ayakkabısı", "topuklu ayakkabılar", "deriler", "klasik", "gömlekler", "gömlek"}}
	text, _ := Generate(p, nil, rulesOf(t, messages.Trendyol))
	// ayakkabı… and deri… share a stem with title words, so "ayakkabısı" and "deriler"
	// add nothing; phrases stay whole ("topuklu ayakkabılar"); gömlek once, as first
	// written
	assert.Equal(t, []string{"topuklu ayakkabılar", "klasik", "gömlekler", "kadın ayakkabıları"}, text.Keywords)
}
