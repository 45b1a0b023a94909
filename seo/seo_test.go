package seo

import (
	"fmt"
	"math/rand"
	"reflect"
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

// assertRules checks every rule of marketplace m on text generated for p, without the
// package's own checker, so the two cannot be wrong the same way.
func assertRules(t *testing.T, m string, p messages.Product, text messages.ListingText) {
	t.Helper()
	r, ok := RulesFor(m)
	require.True(t, ok)
	brand := collapse(p.Brand)

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
	titleWords := map[string]bool{}
	titleStems := map[string]bool{}
	for _, w := range strings.Fields(text.Title) {
		titleWords[wordKey(r.Language, w)] = true
		titleStems[stem(r.Language, w)] = true
	}
	seen := map[string]bool{}
	seenStems := map[string]bool{}
	for _, k := range text.Keywords {
		for _, w := range strings.Fields(k) {
			assert.False(t, seen[w], "keyword word %q twice in %q", w, text.Keywords)
			assert.False(t, titleWords[w], "keyword word %q is in the title %q", w, text.Title)
			assert.False(t, seenStems[stem(r.Language, w)], "keyword word %q shares a stem in %q", w, text.Keywords)
			assert.False(t, titleStems[stem(r.Language, w)], "keyword word %q shares a stem with the title %q", w, text.Title)
			seen[w] = true
			seenStems[stem(r.Language, w)] = true
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
			},
		},
		{
			name: "shouting turkish name",
			product: messages.Product{Name: "ERKEK PAMUKLU TİŞÖRT BİSİKLET YAKA SİYAH", Brand: "LC Waikiki",
				Attributes: map[string]string{"Renk": "SİYAH", "Beden": "XL"}},
			want: map[string]want{
				messages.Trendyol: {status: StatusFixed, title: "LC Waikiki Erkek Pamuklu Tişört Bisiklet Yaka Siyah XL", note: "recased"},
				messages.Amazon:   {status: StatusFixed, title: "LC Waikiki Erkek Pamuklu Tişört Bisiklet Yaka Siyah Black XL", note: "recased"},
			},
		},
		{
			name: "promotional claims",
			product: messages.Product{Name: "Kadın Deri Omuz Çantası %50 %20 İNDİRİM - Kargo Bedava EN UCUZ", Brand: "Derimod",
				Attributes: map[string]string{"Materyal": "Hakiki Deri", "Renk": "Taba"}},
			want: map[string]want{
				"":                {status: StatusFixed, absent: []string{"%50", "%20", "İndirim", "Kargo", "Bedava", "Ucuz", " - "}, note: "promotional"},
				messages.Trendyol: {status: StatusFixed, title: "Derimod Kadın Deri Omuz Çantası Hakiki Deri Taba", note: "promotional"},
			},
		},
		{
			name:    "no colour attribute uses the image colour",
			product: messages.Product{Name: "Seramik Kupa 350 ml", Brand: "Paşabahçe", Category: "Ev > Mutfak"},
			colors:  []messages.Color{{Hex: "#b22222", EN: "Red", TR: "Kırmızı", Share: 0.6}, {Hex: "#ffffff", EN: "White", TR: "Beyaz", Share: 0.3}},
			want: map[string]want{
				messages.Trendyol: {status: StatusPass, title: "Paşabahçe Seramik Kupa 350 ml Kırmızı"},
				messages.Amazon:   {status: StatusPass, title: "Paşabahçe Seramik Kupa 350 ml Red"},
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
				messages.Trendyol: {status: StatusPass, title: "Hydro Flask Stainless Steel Water Bottle 750ml Siyah"},
			},
		},
		{
			name:    "repeated words",
			product: messages.Product{Name: "Bebek Zıbın Bebek Body Bebek Tulum Bebek", Brand: "Mini"},
			want: map[string]want{
				"": {status: StatusFixed, title: "Mini Bebek Zıbın Bebek Body Tulum", note: "repeated"},
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
			},
		},
		{
			name:    "english shouting with acronyms",
			product: messages.Product{Name: "WIRELESS HEADPHONES WITH MIC AND USB CABLE - BEST SELLER", Brand: "Sony"},
			want: map[string]want{
				messages.Amazon: {status: StatusFixed, title: "Sony Wireless Headphones with Mic and USB Cable"},
				// no Turkish letter: I is i, not ı, in a Turkish listing too
				messages.Trendyol: {status: StatusFixed, title: "Sony Wireless Headphones with Mic and USB Cable"},
			},
		},
	}
	for _, tt := range tests {
		for _, m := range messages.Marketplaces {
			t.Run(tt.name+"/"+m, func(t *testing.T) {
				text, rep, err := Generate(tt.product, tt.colors, m)
				require.NoError(t, err)
				w, ok := tt.want[m]
				if !ok {
					w = tt.want[""]
				}
				if general, ok := tt.want[""]; ok && w.status == "" {
					w = general
				}
				assert.Equal(t, m, rep.Marketplace)
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
				assertRules(t, m, tt.product, text)
				assert.Empty(t, CheckBrand(text, m, tt.product.Brand), "the checker agrees")
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
	for _, m := range messages.Marketplaces {
		text, rep, err := Generate(p, nil, m)
		require.NoError(t, err)
		require.NotEqual(t, StatusFail, rep.Status, rep.Notes)
		r, _ := RulesFor(m)
		words := map[string]bool{"Karaca": true, "Gri": true}
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

	tr, _, err := Generate(p, nil, messages.Trendyol)
	require.NoError(t, err)
	assert.Equal(t, `<p><strong>Mavi &amp; Co</strong> Keten Gömlek. Ürünün özellikleri aşağıda yer alıyor.</p>`+
		`<ul><li><strong>Malzeme:</strong> %100 Keten</li><li><strong>Renk:</strong> Lacivert</li>`+
		`<li><strong>Yaka Tipi:</strong> Klasik &#34;İngiliz&#34; yaka</li><li><strong>Kategori:</strong> Gömlek</li></ul>`+
		`<p><strong>Bakım ve kullanım:</strong><br>Ürün etiketindeki yıkama talimatlarına uyunuz.</p>`,
		tr.Description)
	assert.Empty(t, tr.Bullets, "trendyol takes no bullets")

	am, _, err := Generate(p, nil, messages.Amazon)
	require.NoError(t, err)
	assert.Equal(t, `Mavi &amp; Co Keten Gömlek. The product's details are listed below.<br><br>`+
		`Material: %100 Keten<br>Color: Navy<br>Yaka Tipi: Klasik &#34;İngiliz&#34; yaka<br>Category: Gömlek`+
		`<br><br>Care and use:<br>Follow the washing instructions on the label.`, am.Description)
	assert.Equal(t, []string{"Material: %100 Keten", "Color: Navy", `Yaka Tipi: Klasik "İngiliz" yaka`, "Category: Gömlek",
		"Care and use: Follow the washing instructions on the label."}, am.Bullets)
}

func TestGenerateKeywords(t *testing.T) {
	p := messages.Product{Name: "Pamuklu Tişört", Brand: "Koton", Category: "Giyim > Kadın > Tişört",
		Attributes: map[string]string{"renk": "Siyah"},
		Keywords:   []string{"yazlık tişört", "PAMUKLU", "Yazlık", "basic", "en ucuz tişört", "İNCE", "ince"}}
	text, rep, err := Generate(p, nil, messages.Trendyol)
	require.NoError(t, err)
	// "tişört", "pamuklu", "siyah" and "koton" are in the title; "yazlık" and "ince" once
	// each, lowercased the Turkish way (İNCE → ince, not ınce).
	assert.Equal(t, []string{"yazlık", "basic", "ince", "giyim", "kadın"}, text.Keywords)
	assert.Contains(t, rep.Notes, `keywords: removed promotional phrase "en ucuz"`)

	// Amazon: under 250 bytes, whatever the seller sends.
	var many []string
	for i := range 200 {
		many = append(many, fmt.Sprintf("anahtarkelime%d", i))
	}
	p.Keywords = many
	text, rep, err = Generate(p, nil, messages.Amazon)
	require.NoError(t, err)
	n := len(strings.Join(text.Keywords, " "))
	assert.LessOrEqual(t, n, 249)
	assert.Greater(t, n, 230, "the budget is used, not wasted")
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "keywords: left out")
	text, _, err = Generate(p, nil, messages.Trendyol)
	require.NoError(t, err)
	assert.Len(t, text.Keywords, 20)
}

func TestGenerateUnknownMarketplace(t *testing.T) {
	_, _, err := Generate(messages.Product{Name: "Gömlek"}, nil, "n11")
	assert.ErrorIs(t, err, ErrUnknownMarketplace)
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
		for _, m := range messages.Marketplaces {
			text, rep, err := Generate(p, cs, m)
			require.NoError(t, err)
			if rep.Status == StatusFail {
				fails++
				t.Errorf("product %d on %s failed: %q (name %q)", i, m, rep.Notes, p.Name)
				continue
			}
			if !assert.Empty(t, CheckBrand(text, m, p.Brand), "product %d on %s: %q", i, m, text.Title) {
				continue
			}
			assertRules(t, m, p, text)
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
	for _, m := range messages.Marketplaces {
		first, firstRep, err := Generate(p, colours, m)
		require.NoError(t, err)
		for range 50 {
			// a fresh map each time: Go randomises map iteration per map and per range
			attrs := make(map[string]string, len(p.Attributes))
			for k, v := range p.Attributes {
				attrs[k] = v
			}
			q := p
			q.Attributes = attrs
			text, rep, err := Generate(q, colours, m)
			require.NoError(t, err)
			require.True(t, reflect.DeepEqual(first, text), "%s: %+v != %+v", m, first, text)
			require.Equal(t, firstRep, rep)
		}
	}
}

func TestCheck(t *testing.T) {
	good := messages.ListingText{Language: "tr", Title: "Koton Kadın Keten Gömlek Beyaz",
		Description: "<p><strong>Koton</strong> Keten Gömlek.</p><ul><li>Renk: Beyaz<br/></li></ul>",
		Keywords:    []string{"yazlık", "ofis"}}
	require.Empty(t, Check(good, messages.Trendyol))

	tests := []struct {
		name   string
		market string
		edit   func(*messages.ListingText)
		want   string
	}{
		{"wrong language", messages.Amazon, func(x *messages.ListingText) {}, `language: "tr"`},
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
		{"keyword repeated", messages.Trendyol, func(x *messages.ListingText) { x.Keywords = []string{"IŞIK", "ışık"} }, `"ışık" repeated`},
		{"too many keywords", messages.Trendyol, func(x *messages.ListingText) { x.Keywords = strings.Fields(strings.Repeat("a ", 21)) }, "keywords: 21, more than 20"},
		{"unknown marketplace", "n11", func(x *messages.ListingText) {}, "unknown marketplace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text := good
			text.Bullets = nil
			text.Keywords = append([]string(nil), good.Keywords...)
			tt.edit(&text)
			v := Check(text, tt.market)
			assert.Contains(t, strings.Join(v, "\n"), tt.want, "violations: %q", v)
		})
	}
}

func TestCheckBrand(t *testing.T) {
	text := messages.ListingText{Language: "en", Title: "ADIDAS Samba Shoe by ADIDAS", Description: "Samba."}
	assert.NotEmpty(t, Check(text, messages.Amazon), "capitals are reported when the brand is unknown")
	assert.Empty(t, CheckBrand(text, messages.Amazon, "ADIDAS"))
	text.Title = "Yahoo! Mail Notebook"
	assert.Empty(t, CheckBrand(text, messages.Amazon, "Yahoo!"))
	assert.NotEmpty(t, CheckBrand(text, messages.Amazon, "Google"))
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
		{"tr", "t-shirt", "T-Shirt", "t-shirt", "T-SHİRT"},
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
	for b.Loop() {
		for _, m := range messages.Marketplaces {
			if _, _, err := Generate(p, colours, m); err != nil {
				b.Fatal(err)
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
	text, _, err := Generate(p, nil, messages.Trendyol)
	require.NoError(t, err)
	// ayakkabı… and deri… share a stem with title words; gömlek once, as first written
	assert.Equal(t, []string{"topuklu", "klasik", "gömlekler", "kadın"}, text.Keywords)
}
