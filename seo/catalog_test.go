package seo

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// catalog are real-looking products across the template categories, written by Turkish
// and by English-speaking sellers, some with the habits marketplaces reject.
var catalog = []struct {
	name     string
	template string
	product  messages.Product
	contains []string // in the title on every marketplace
}{
	// t-shirts
	{"tr basic tişört", "tshirt", messages.Product{Name: "Basic Bisiklet Yaka Tişört", Brand: "Koton", Category: "Giyim > Kadın > Tişört",
		Attributes: map[string]string{"renk": "Beyaz", "beden": "S", "cinsiyet": "Kadın", "materyal": "%100 Pamuk"}}, []string{"Koton"}},
	{"tr shouting tişört", "tshirt", messages.Product{Name: "ERKEK OVERSIZE TİŞÖRT BASKILI", Brand: "DeFacto", Category: "Erkek > T-Shirt",
		Attributes: map[string]string{"Renk": "Siyah", "Beden": "XL"}}, []string{"DeFacto", "Tişört", "Baskılı"}},
	{"tr tişört promo", "tshirt", messages.Product{Name: "Polo Yaka Tişört %40 İNDİRİM", Brand: "U.S. Polo Assn.", Category: "Giyim/Erkek/Tişört",
		Attributes: map[string]string{"renk": "Lacivert", "beden": "M"}}, []string{"Polo"}},
	{"en tee", "tshirt", messages.Product{Name: "Men's Crew Neck Cotton Tee", Brand: "Hanes", Category: "Clothing > Men > T-Shirts",
		Attributes: map[string]string{"color": "Grey", "size": "L", "material": "Cotton"}}, []string{"Hanes", "Crew Neck"}},
	{"en graphic tee", "tshirt", messages.Product{Name: "Graphic T-Shirt Vintage Print - FREE SHIPPING", Brand: "Levi's", Category: "Apparel > T-Shirts",
		Attributes: map[string]string{"colour": "White", "size": "M"}, Keywords: []string{"vintage", "retro tee"}}, []string{"Levi's"}},
	// other apparel
	{"tr keten gömlek", "apparel", messages.Product{Name: "Keten Gömlek Uzun Kollu", Brand: "Mavi", Category: "Giyim > Erkek > Gömlek",
		Attributes: map[string]string{"renk": "Bej", "beden": "L", "kumaş": "Keten"}}, []string{"Mavi", "Gömlek"}},
	{"tr elbise", "apparel", messages.Product{Name: "Çiçek Desenli Midi Elbise", Brand: "Trendyol Modest", Category: "Kadın > Elbise",
		Attributes: map[string]string{"renk": "Çok Renkli", "beden": "38"}}, []string{"Elbise"}},
	{"en jeans", "apparel", messages.Product{Name: "Slim Fit Stretch Jeans", Brand: "Wrangler", Category: "Clothing > Men > Trousers",
		Attributes: map[string]string{"color": "Navy", "size": "32/34"}}, []string{"Wrangler"}},
	{"en jacket", "apparel", messages.Product{Name: "Waterproof Rain Jacket with Hood", Brand: "Columbia", Category: "Apparel > Jacket",
		Attributes: map[string]string{"color": "Black", "gender": "Women", "material": "Polyester"}}, []string{"Columbia"}},
	// shoes
	{"tr spor ayakkabı", "shoes", messages.Product{Name: "Koşu Ayakkabısı Hafif Taban", Brand: "Kinetix", Category: "Ayakkabı > Spor Ayakkabı",
		Attributes: map[string]string{"renk": "Siyah", "numara": "42", "cinsiyet": "Erkek"}}, []string{"Kinetix"}},
	{"tr model only shoe", "shoes", messages.Product{Name: "Samba OG", Brand: "adidas", Category: "Kadın Ayakkabıları",
		Attributes: map[string]string{"renk": "Beyaz", "numara": "38"}}, []string{"adidas", "Samba OG"}},
	{"tr bot", "shoes", messages.Product{Name: "Hakiki Deri Bağcıklı Bot", Brand: "Hotiç", Category: "Ayakkabı > Bot",
		Attributes: map[string]string{"materyal": "Hakiki Deri", "renk": "Kahverengi", "numara": "40"}}, []string{"Hotiç", "Bot"}},
	{"en sneakers", "shoes", messages.Product{Name: "Air Max 90", Brand: "Nike", Category: "Shoes > Sneakers",
		Attributes: map[string]string{"color": "White", "size": "10", "gender": "Men"}}, []string{"Nike", "Air Max 90"}},
	{"en boots shouting", "shoes", messages.Product{Name: "CLASSIC LEATHER CHELSEA BOOTS", Brand: "Dr. Martens", Category: "Boots",
		Attributes: map[string]string{"color": "Black", "size": "UK 7"}}, []string{"Dr. Martens", "Chelsea"}},
	// bags
	{"tr omuz çantası", "bags", messages.Product{Name: "Kadın Omuz Çantası Zincir Askılı", Brand: "Derimod", Category: "Aksesuar > Çanta",
		Attributes: map[string]string{"renk": "Taba", "materyal": "Deri"}}, []string{"Derimod", "Çantası"}},
	{"tr sırt çantası", "bags", messages.Product{Name: "Laptop Bölmeli Sırt Çantası 15.6 inç", Brand: "Samsonite", Category: "Çanta > Sırt Çantası",
		Attributes: map[string]string{"renk": "Antrasit", "malzeme": "Polyester"}}, []string{"Samsonite"}},
	{"tr cüzdan", "bags", messages.Product{Name: "Erkek Deri Cüzdan Kartlıklı", Brand: "Pierre Cardin", Category: "Cüzdan",
		Attributes: map[string]string{"renk": "Siyah"}}, []string{"Pierre Cardin"}},
	{"en tote", "bags", messages.Product{Name: "Canvas Tote", Brand: "Herschel", Category: "Bags > Handbag",
		Attributes: map[string]string{"color": "Khaki", "material": "Canvas"}}, []string{"Herschel", "Canvas Tote"}},
	{"en backpack", "bags", messages.Product{Name: "Travel Backpack 40L Carry On", Brand: "Osprey", Category: "Luggage > Backpack",
		Attributes: map[string]string{"color": "Green"}}, []string{"Osprey"}},
	// headphones
	{"tr kablosuz kulaklık", "headphones", messages.Product{Name: "Kablosuz Kulak Üstü Kulaklık Bluetooth 5.3", Brand: "JBL", Category: "Elektronik > Kulaklık",
		Attributes: map[string]string{"renk": "Siyah", "model": "Tune 520BT"}}, []string{"JBL", "Tune 520BT"}},
	{"tr model code earbuds", "headphones", messages.Product{Name: "Buds FE", Brand: "Samsung", Category: "Kulak İçi Kulaklık",
		Attributes: map[string]string{"renk": "Grafit", "model kodu": "SM-R400"}}, []string{"Samsung", "Buds FE"}},
	{"en headphones shouting", "headphones", messages.Product{Name: "NOISE CANCELLING WIRELESS HEADPHONES", Brand: "Sony", Category: "Electronics > Headphones",
		Attributes: map[string]string{"color": "Silver", "model": "WH-1000XM5"}}, []string{"Sony", "WH-1000XM5"}},
	{"en earbuds", "headphones", messages.Product{Name: "AirPods Pro (2nd generation) with USB-C", Brand: "Apple", Category: "Earbuds",
		Attributes: map[string]string{"color": "White"}}, []string{"Apple", "AirPods"}},
	// electronics
	{"tr laptop", "electronics", messages.Product{Name: "VivoBook 15 Intel Core i5 16GB RAM 512GB SSD Dizüstü Bilgisayar", Brand: "ASUS", Category: "Elektronik > Bilgisayar",
		Attributes: map[string]string{"renk": "Gümüş", "model": "X1502ZA"}}, []string{"ASUS", "X1502ZA"}},
	{"tr şarj kablosu", "electronics", messages.Product{Name: "USB-C Hızlı Şarj Kablosu 2 Metre", Brand: "Anker", Category: "Telefon > Aksesuar",
		Attributes: map[string]string{"renk": "Beyaz"}}, []string{"Anker", "USB-C"}},
	{"en phone case", "electronics", messages.Product{Name: "Clear Case with MagSafe for iPhone 15", Brand: "Spigen", Category: "Electronics > Phone > Cases",
		Attributes: map[string]string{"color": "Crystal Clear"}}, []string{"Spigen", "iPhone"}},
	// kitchen
	{"tr kupa", "kitchen", messages.Product{Name: "Seramik Kupa 350 ml", Brand: "Paşabahçe", Category: "Ev > Mutfak", Keywords: []string{"kahve kupası", "kupalar"}}, []string{"Paşabahçe", "Kupa"}},
	{"tr tencere seti", "kitchen", messages.Product{Name: "Granit Tencere Seti 7 Parça", Brand: "Karaca", Category: "Ev & Yaşam > Mutfak > Tencere",
		Attributes: map[string]string{"renk": "Gri", "materyal": "Alüminyum"}}, []string{"Karaca"}},
	{"tr çaydanlık", "kitchen", messages.Product{Name: "Çelik Çaydanlık Takımı", Brand: "Korkmaz", Category: "Mutfak",
		Attributes: map[string]string{"renk": "Gümüş", "kapasite": "2 lt"}}, []string{"Korkmaz"}},
	{"en mug", "kitchen", messages.Product{Name: "Stoneware Coffee Mug 12 oz Set of 4", Brand: "Bormioli Rocco", Category: "Home & Kitchen > Mugs",
		Attributes: map[string]string{"color": "Blue", "material": "Stoneware"}}, []string{"Bormioli Rocco"}},
	{"en skillet", "kitchen", messages.Product{Name: "Pre-Seasoned Cast Iron Skillet 10.25 Inch", Brand: "Lodge", Category: "Kitchen",
		Attributes: map[string]string{"color": "Black"}}, []string{"Lodge"}},
	// cosmetics
	{"tr ruj", "cosmetics", messages.Product{Name: "Mat Likit Ruj Kalıcı", Brand: "Flormar", Category: "Kozmetik > Makyaj > Ruj",
		Attributes: map[string]string{"renk": "Kırmızı", "hacim": "5 ml"}}, []string{"Flormar"}},
	{"tr nemlendirici", "personal care", messages.Product{Name: "Nemlendirici Yüz Kremi Hyaluronik Asit 50 ml", Brand: "La Roche-Posay", Category: "Cilt Bakımı",
		Keywords: []string{"yüz kremi", "kuru cilt"}}, []string{"La Roche-Posay"}},
	{"tr parfüm", "personal care", messages.Product{Name: "EDP Kadın Parfüm 100 ml", Brand: "Zara", Category: "Kozmetik > Parfüm",
		Attributes: map[string]string{"cinsiyet": "Kadın"}}, []string{"Zara"}},
	{"en mascara", "cosmetics", messages.Product{Name: "Lash Sensational Sky High Mascara", Brand: "Maybelline New York", Category: "Beauty > Makeup",
		Attributes: map[string]string{"color": "Very Black"}}, []string{"Maybelline New York"}},
	// toys
	{"tr lego", "toys", messages.Product{Name: "City İtfaiye Merkezi 60320", Brand: "LEGO", Category: "Oyuncak > Yapı Oyuncakları",
		Attributes: map[string]string{"yaş": "6+", "parça sayısı": "540"}}, []string{"LEGO", "60320"}},
	{"tr peluş", "toys", messages.Product{Name: "Peluş Ayıcık 40 cm", Brand: "Neco Toys", Category: "Oyuncak",
		Attributes: map[string]string{"renk": "Krem", "materyal": "Polyester"}}, []string{"Neco Toys"}},
	{"tr eğitici", "toys", messages.Product{Name: "Ahşap Şekil Eşleştirme Oyunu", Brand: "Hamaha", Category: "Eğitici Oyuncak"}, []string{"Hamaha"}},
	{"en rc car", "toys", messages.Product{Name: "Remote Control Car 1:16 Off Road", Brand: "Hot Wheels", Category: "Toys & Games",
		Attributes: map[string]string{"color": "Red", "age": "8+"}}, []string{"Hot Wheels"}},
	// sports
	{"tr yoga matı", "sports", messages.Product{Name: "Yoga Matı 6 mm Kaymaz", Brand: "Decathlon", Category: "Spor > Fitness",
		Attributes: map[string]string{"renk": "Mor", "ebat": "183x61 cm"}}, []string{"Decathlon"}},
	{"tr kamp çadırı", "sports", messages.Product{Name: "4 Kişilik Kamp Çadırı Su Geçirmez", Brand: "Quechua", Category: "Outdoor > Kamp",
		Attributes: map[string]string{"renk": "Yeşil"}}, []string{"Quechua"}},
	{"en dumbbells", "sports", messages.Product{Name: "Adjustable Dumbbells Pair 24kg", Brand: "Bowflex", Category: "Sports & Outdoors > Fitness",
		Attributes: map[string]string{"color": "Black", "material": "Steel"}}, []string{"Bowflex"}},
	{"en bottle", "sports", messages.Product{Name: "Stainless Steel Water Bottle 750ml", Brand: "Hydro Flask", Category: "Sports/Outdoors",
		Attributes: map[string]string{"color": "Black", "capacity": "750 ml"}}, []string{"Hydro Flask"}},
	// no template
	{"tr kitap", "books", messages.Product{Name: "Suç ve Ceza", Brand: "İş Bankası Kültür Yayınları", Category: "Kitap > Roman",
		Attributes: map[string]string{"yazar": "Fyodor Dostoyevski"}}, []string{"İş Bankası Kültür Yayınları"}},
	{"en garden hose", "default", messages.Product{Name: "Expandable Garden Hose 50ft", Brand: "Flexi Hose", Category: "Garden",
		Attributes: map[string]string{"color": "Green"}}, []string{"Flexi Hose"}},
	{"no category", "default", messages.Product{Name: "Masa Lambası LED", Brand: "Philips"}, []string{"Philips", "LED"}},
}

// TestGenerateCatalog writes every catalog product for every marketplace, and for
// Amazon in Turkish, and checks every rule on each text.
func TestGenerateCatalog(t *testing.T) {
	require.GreaterOrEqual(t, len(catalog), 40)
	colours := []messages.Color{{Hex: "#222222", EN: "Black", TR: "Siyah", Share: 0.5}}
	all := listings(t)
	for _, tt := range catalog {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.template, templateFor(tt.product.Category).Name, "template of %q", tt.product.Category)
			for _, m := range listingNames {
				r := all[m]
				text, rep := Generate(tt.product, colours, r)
				require.NotEqual(t, StatusFail, rep.Status, "%s: %q", m, rep.Notes)
				assertRules(t, r, tt.product, text)
				assert.Empty(t, CheckBrand(text, r, tt.product.Brand), "%s: the checker agrees", m)
				for _, s := range tt.contains {
					assert.Contains(t, text.Title, s, m)
				}
				if care := templateFor(tt.product.Category).Care[text.Language]; len(care) > 0 {
					assert.Contains(t, text.Description, care[0], "%s: care line", m)
				}
			}
		})
	}
}

func TestTemplateFor(t *testing.T) {
	tests := []struct{ category, want string }{
		{"Giyim > Kadın > Tişört", "tshirt"},
		{"Spor > Ayakkabı", "shoes"},
		{"Spor Ayakkabı", "shoes"},
		{"Kadın Ayakkabıları", "shoes"},
		{"Spor", "sports"},
		{"Elektronik > Kulaklık", "headphones"},
		{"Elektronik", "electronics"},
		{"Çanta > Sırt Çantası", "bags"},
		{"HOME & KITCHEN", "kitchen"},
		{"<b>Oyuncak</b>", "toys"},
		{"Kitap", "books"},
		{"Bahçe", "default"},
		{"Kozmetik > Cilt Bakımı > Yüz Kremi", "personal care"},
		{"Kozmetik > Makyaj > Ruj", "cosmetics"},
		{"", "default"},
	}
	for _, tt := range tests {
		t.Run(tt.category, func(t *testing.T) {
			assert.Equal(t, tt.want, templateFor(tt.category).Name)
		})
	}
}

func TestTemplateOrderAndNoun(t *testing.T) {
	// headphones: the model follows the name and no gender goes into the title
	p := messages.Product{Name: "Kablosuz Kulaklık", Brand: "JBL", Category: "Kulaklık",
		Attributes: map[string]string{"renk": "Siyah", "model": "Tune 520BT", "cinsiyet": "Unisex"}}
	text, _ := Generate(p, nil, rulesOf(t, messages.Trendyol))
	assert.Equal(t, "JBL Kablosuz Kulaklık Tune 520BT Siyah", text.Title)

	// a model name alone gets the category's noun, in the listing's language
	p = messages.Product{Name: "Samba OG", Brand: "adidas", Category: "Ayakkabı", Attributes: map[string]string{"renk": "Beyaz"}}
	text, _ = Generate(p, nil, rulesOf(t, messages.Trendyol))
	assert.Equal(t, "adidas Samba OG Ayakkabı Beyaz", text.Title)
	text, _ = Generate(p, nil, rulesOf(t, messages.Amazon))
	assert.Equal(t, "adidas Samba OG Shoes White", text.Title)

	// a name with the noun, in either language, gets none
	p.Name = "Samba OG Ayakkabısı"
	text, _ = Generate(p, nil, rulesOf(t, messages.Amazon))
	assert.Equal(t, "adidas Samba OG Ayakkabısı White", text.Title)
}

func TestParseTemplates(t *testing.T) {
	d, ts, err := parseTemplates(templatesJSON)
	require.NoError(t, err)
	assert.Equal(t, "default", d.Name)
	assert.GreaterOrEqual(t, len(ts), 8)
	// colour means nothing for these: their titles name none (issue 10, item 5)
	for _, name := range []string{"personal care", "books", "food"} {
		i := slices.IndexFunc(ts, func(t Template) bool { return t.Name == name })
		require.GreaterOrEqual(t, i, 0, name)
		assert.Equal(t, ColorNone, ts[i].Color, name)
	}
	for _, tpl := range Templates() {
		for _, lang := range []string{Turkish, English} {
			if tpl.Name != "default" {
				assert.NotEmpty(t, tpl.Care[lang], "%s: care lines in %s", tpl.Name, lang)
			}
			for _, c := range tpl.Care[lang] {
				_, removed := removePromo(strings.Fields(c))
				assert.Empty(t, removed, "%s: %q", tpl.Name, c)
			}
		}
	}

	bad := []struct{ name, json, want string }{
		{"not json", `{`, "read seo templates"},
		{"no default order", `{"default":{"name":"d","order":{}}}`, "no default order"},
		{"no name", `{"default":{"name":"d","order":{"default":["color"]}}}`, "has no name"},
		{"unknown part", `{"default":{"name":"d","order":{"default":["name","price"]}}}`, `unknown title part "price"`},
		{"unknown colour source", `{"default":{"name":"d","order":{"default":["name"]},"color":"photo"}}`, `unknown colour source "photo"`},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := parseTemplates([]byte(tt.json))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestTemplateNounInOtherLanguage(t *testing.T) {
	p := messages.Product{Name: "Noise Cancelling Wireless Headphones", Brand: "Sony", Category: "Headphones"}
	text, _ := Generate(p, nil, rulesOf(t, messages.Trendyol))
	assert.NotContains(t, text.Title, "Kulaklık", "the English noun names it already")
}
