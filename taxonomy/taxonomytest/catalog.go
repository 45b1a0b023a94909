// Package taxonomytest holds a catalog of realistic Turkish products, in the words a
// seller uses, across the ten seller categories the sandbox's taxonomies cover, each
// with the leaf category a careful person would choose on every marketplace. Tests of
// the mapping and the end-to-end runs share it.
package taxonomytest

// Product is one seller's product and where it belongs.
type Product struct {
	Name       string
	Brand      string
	Category   string
	Attributes map[string]string
	// Want is the concept of the leaf it belongs in: a key of Leaves.
	Want string
}

// Leaves are, for each concept of the catalog, the leaf categories of the sandbox's
// taxonomies (marketplace/sandbox) a careful person would choose, by marketplace;
// where two are equally right (Trendyol's Sneaker and Spor Ayakkabı) both are listed,
// the best first.
var Leaves = map[string]map[string][]string{
	"men-tshirt":             {"trendyol": {"1174"}, "hepsiburada": {"60001201"}, "amazon": {"SHIRT"}},
	"women-tshirt":           {"trendyol": {"1174"}, "hepsiburada": {"60001102"}, "amazon": {"SHIRT"}},
	"women-jeans":            {"trendyol": {"1183"}, "hepsiburada": {"60001103"}, "amazon": {"PANTS"}},
	"women-dress":            {"trendyol": {"56"}, "hepsiburada": {"60001101"}, "amazon": {"DRESS"}},
	"men-sweatshirt":         {"trendyol": {"1179"}, "hepsiburada": {"60001202"}, "amazon": {"SWEATSHIRT"}},
	"men-sneakers":           {"trendyol": {"1080", "1081"}, "hepsiburada": {"60001401"}, "amazon": {"SHOES"}},
	"women-heels":            {"trendyol": {"1085"}, "hepsiburada": {"60001301"}, "amazon": {"SHOES"}},
	"women-boots":            {"trendyol": {"1087"}, "hepsiburada": {"60001302"}, "amazon": {"BOOT"}},
	"women-shoulder-bag":     {"trendyol": {"1056"}, "hepsiburada": {"60001501"}, "amazon": {"HANDBAG"}},
	"backpack":               {"trendyol": {"1057"}, "hepsiburada": {"60001502"}, "amazon": {"BACKPACK"}},
	"wallet":                 {"trendyol": {"1061"}, "hepsiburada": {"60001503"}, "amazon": {"WALLET"}},
	"face-cream":             {"trendyol": {"1301"}, "hepsiburada": {"60002101"}, "amazon": {"SKIN_MOISTURIZER"}},
	"shampoo":                {"trendyol": {"1311"}, "hepsiburada": {"60002201"}, "amazon": {"SHAMPOO"}},
	"lipstick":               {"trendyol": {"1322"}, "hepsiburada": {"60002301"}, "amazon": {"LIP_COLOR"}},
	"perfume":                {"trendyol": {"1331"}, "hepsiburada": {"60002401"}, "amazon": {"PERFUME"}},
	"phone-case":             {"trendyol": {"1103"}, "hepsiburada": {"60003101"}, "amazon": {"CELLULAR_PHONE_CASE"}},
	"charger":                {"trendyol": {"1104"}, "hepsiburada": {"60003102"}, "amazon": {"CHARGING_ADAPTER"}},
	"screen-protector":       {"trendyol": {"1105"}, "hepsiburada": {"60003103"}, "amazon": {"SCREEN_PROTECTOR"}},
	"headphones":             {"trendyol": {"1111"}, "hepsiburada": {"60003201"}, "amazon": {"HEADPHONES"}},
	"smartwatch":             {"trendyol": {"1121"}, "hepsiburada": {"60003301"}, "amazon": {"SMARTWATCH"}},
	"power-bank":             {"trendyol": {"1106"}, "hepsiburada": {"60003104"}, "amazon": {"POWER_BANK"}},
	"coffee-machine":         {"trendyol": {"1131"}, "hepsiburada": {"60004201"}, "amazon": {"COFFEE_MAKER"}},
	"turkish-coffee-machine": {"trendyol": {"1132", "1131"}, "hepsiburada": {"60004201"}, "amazon": {"COFFEE_MAKER"}},
	"cookware":               {"trendyol": {"1362"}, "hepsiburada": {"60004101"}, "amazon": {"COOKWARE"}},
	"duvet-cover":            {"trendyol": {"1381"}, "hepsiburada": {"60004301"}, "amazon": {"BED_LINEN_SET"}},
	"mug":                    {"trendyol": {"1371"}, "hepsiburada": {"18021982"}, "amazon": {"DRINKING_CUP"}},
	"building-sets":          {"trendyol": {"1511"}, "hepsiburada": {"60005101"}, "amazon": {"TOY_BUILDING_BLOCK"}},
	"puzzle":                 {"trendyol": {"1512"}, "hepsiburada": {"60005102"}, "amazon": {"PUZZLES"}},
	"doll":                   {"trendyol": {"1521"}, "hepsiburada": {"60005103"}, "amazon": {"DOLL"}},
	"diapers":                {"trendyol": {"1461"}, "hepsiburada": {"60005201"}, "amazon": {"DIAPER"}},
	"baby-bottle":            {"trendyol": {"1471"}, "hepsiburada": {"60005301"}, "amazon": {"BABY_BOTTLE"}},
	"stroller":               {"trendyol": {"1482", "1481"}, "hepsiburada": {"60005401"}, "amazon": {"STROLLER"}},
	"yoga-mat":               {"trendyol": {"1611"}, "hepsiburada": {"60006101"}, "amazon": {"EXERCISE_MAT"}},
	"dumbbell":               {"trendyol": {"1612"}, "hepsiburada": {"60006102"}, "amazon": {"DUMBBELL"}},
	"water-bottle":           {"trendyol": {"1621", "1622"}, "hepsiburada": {"60006201"}, "amazon": {"WATER_BOTTLE"}},
}

// Catalog is 51 products across clothing, shoes, bags, cosmetics, phone accessories,
// small electronics, home and kitchen, toys, baby and sports, written as sellers write
// them: Turkish and English words, brand names in the name, some attributes in English.
var Catalog = []Product{
	// clothing
	{"Erkek Bisiklet Yaka Basic Tişört", "LC Waikiki", "Tişört", map[string]string{"renk": "Lacivert", "beden": "M", "cinsiyet": "Erkek"}, "men-tshirt"},
	{"Kadın Oversize Baskılı Tişört", "Koton", "T-Shirt", map[string]string{"renk": "Beyaz", "beden": "S"}, "women-tshirt"},
	{"Kadın Yüksek Bel Skinny Jean", "Mavi", "Kot Pantolon", map[string]string{"renk": "Mavi", "beden": "M"}, "women-jeans"},
	{"Kadın Çiçek Desenli Midi Elbise", "Defacto", "Elbise", map[string]string{"renk": "Yeşil", "beden": "M"}, "women-dress"},
	{"Erkek Kapüşonlu Sweatshirt", "Kiğılı", "Sweatshirt", map[string]string{"renk": "Gri", "beden": "L"}, "men-sweatshirt"},
	{"Saten Gömlek Elbise", "Mango", "Elbise", map[string]string{"color": "Navy", "size": "Small"}, "women-dress"},
	{"Dri-FIT Erkek Antrenman Tişörtü", "Nike", "Giyim", map[string]string{"renk": "Siyah", "beden": "XL"}, "men-tshirt"},
	// shoes
	{"Nike Air Max 270 Erkek Spor Ayakkabı", "Nike", "Ayakkabı", map[string]string{"renk": "Siyah", "numara": "42"}, "men-sneakers"},
	{"Grand Court Erkek Sneaker", "adidas", "Sneaker", map[string]string{"renk": "Beyaz", "numara": "43"}, "men-sneakers"},
	{"Kadın Hakiki Deri Topuklu Ayakkabı", "Derimod", "Topuklu Ayakkabı", map[string]string{"renk": "Siyah", "numara": "38"}, "women-heels"},
	{"Kadın Süet Bot", "Hotiç", "Bot", map[string]string{"renk": "Kahverengi", "numara": "39"}, "women-boots"},
	{"Go Walk Erkek Yürüyüş Ayakkabısı", "Skechers", "Spor Ayakkabı", map[string]string{"renk": "Lacivert", "numara": "44"}, "men-sneakers"},
	// bags
	{"Kadın Deri Omuz Çantası", "Derimod", "Çanta", map[string]string{"renk": "Taba", "materyal": "Deri"}, "women-shoulder-bag"},
	{"Borealis Sırt Çantası 28 L", "The North Face", "Sırt Çantası", map[string]string{"renk": "Siyah"}, "backpack"},
	{"Erkek Deri Cüzdan", "Tommy Hilfiger", "Cüzdan", map[string]string{"renk": "Kahverengi", "materyal": "Deri"}, "wallet"},
	{"Kadın Zincir Askılı Omuz Çantası", "Koton", "Omuz Çantası", map[string]string{"renk": "Bej"}, "women-shoulder-bag"},
	{"Unisex Okul Sırt Çantası", "U.S. Polo Assn.", "Çanta", map[string]string{"renk": "Lacivert"}, "backpack"},
	// cosmetics
	{"Soft Nemlendirici Krem 100 ml", "Nivea", "Yüz Kremi", map[string]string{"hacim": "100 ml"}, "face-cream"},
	{"Elvive Dökülme Karşıtı Şampuan 400 ml", "L'Oréal Paris", "Şampuan", map[string]string{"hacim": "400 ml"}, "shampoo"},
	{"SuperStay Matte Ink Likit Ruj", "Maybelline", "Ruj", map[string]string{"renk": "Kırmızı"}, "lipstick"},
	{"Nemlendirici Mat Ruj 04", "Flormar", "Makyaj", map[string]string{"renk": "Pembe"}, "lipstick"},
	{"L.12.12 Blanc Erkek Parfüm EDT 100 ml", "Lacoste", "Parfüm", map[string]string{"hacim": "100 ml"}, "perfume"},
	{"Saf ve Temiz Yüz Kremi 50 ml", "Garnier", "Cilt Bakımı", map[string]string{"hacim": "50 ml"}, "face-cream"},
	// phone accessories
	{"iPhone 15 Pro MagSafe Silikon Kılıf", "Apple", "Telefon Kılıfı", map[string]string{"uyumlu marka": "Apple", "renk": "Siyah"}, "phone-case"},
	{"Galaxy S24 Şeffaf Kılıf", "Samsung", "Kılıf", map[string]string{"uyumlu marka": "Samsung", "renk": "Şeffaf"}, "phone-case"},
	{"20W USB-C Hızlı Şarj Aleti", "Anker", "Şarj Aleti", map[string]string{"renk": "Beyaz"}, "charger"},
	{"iPhone 15 Temperli Cam Ekran Koruyucu", "Baseus", "Ekran Koruyucu", map[string]string{"uyumlu marka": "Apple"}, "screen-protector"},
	{"Redmi Note 13 Silikon Kılıf", "Xiaomi", "Telefon Kılıfı", map[string]string{"compatible brand": "Xiaomi", "color": "Navy Blue"}, "phone-case"},
	// small electronics
	{"Tune 510BT Kablosuz Kulak Üstü Kulaklık", "JBL", "Kulaklık", map[string]string{"renk": "Siyah"}, "headphones"},
	{"AirPods Pro 2. Nesil", "Apple", "Bluetooth Kulaklık", map[string]string{"renk": "Beyaz"}, "headphones"},
	{"Galaxy Watch 6 Akıllı Saat 44 mm", "Samsung", "Akıllı Saat", map[string]string{"renk": "Gümüş"}, "smartwatch"},
	{"PowerCore 10000 mAh Powerbank", "Anker", "Powerbank", map[string]string{"renk": "Siyah"}, "power-bank"},
	{"Redmi Watch 3 Active", "Xiaomi", "Smartwatch", map[string]string{"color": "Black"}, "smartwatch"},
	// home and kitchen
	{"Senseo Original Kahve Makinesi", "Philips", "Kahve Makinesi", map[string]string{"renk": "Siyah"}, "coffee-machine"},
	{"Okka Minio Türk Kahvesi Makinesi", "Arzum", "Kahve Makinesi", map[string]string{"renk": "Gümüş"}, "turkish-coffee-machine"},
	{"Granit 7 Parça Tencere Seti", "Karaca", "Tencere Seti", map[string]string{"materyal": "Granit", "renk": "Siyah"}, "cookware"},
	{"Pamuklu Çift Kişilik Nevresim Takımı", "English Home", "Nevresim Takımı", map[string]string{"renk": "Ekru", "materyal": "Pamuk"}, "duvet-cover"},
	{"Porselen Kupa 350 ml", "Paşabahçe", "Kupa", map[string]string{"renk": "Beyaz"}, "mug"},
	{"Paslanmaz Çelik Tencere Seti 8 Parça", "Korkmaz", "Mutfak", map[string]string{"materyal": "Paslanmaz Çelik"}, "cookware"},
	// toys
	{"LEGO Classic Yaratıcı Yapım Kutusu 11013", "LEGO", "Oyuncak", map[string]string{"yaş grubu": "4+"}, "building-sets"},
	{"Kapadokya 1000 Parça Puzzle", "Ravensburger", "Yapboz", map[string]string{"parça sayısı": "1000"}, "puzzle"},
	{"Barbie Dreamtopia Prenses Bebek", "Barbie", "Oyuncak Bebek", map[string]string{"yaş grubu": "3+"}, "doll"},
	{"City Life Yapı Seti", "Playmobil", "Yapı Oyuncakları", map[string]string{"yaş grubu": "4+"}, "building-sets"},
	// baby
	{"Premium Care Bebek Bezi 4 Numara 76 Adet", "Prima", "Bebek Bezi", map[string]string{"numara": "4"}, "diapers"},
	{"Natural Biberon 260 ml", "Philips Avent", "Biberon", map[string]string{"hacim": "260 ml"}, "baby-bottle"},
	{"Goody Plus Baston Puset", "Chicco", "Bebek Arabası", map[string]string{"renk": "Gri"}, "stroller"},
	{"Pure & Soft Bebek Bezi Jumbo 5 Numara", "Molfix", "Bez", map[string]string{"numara": "5"}, "diapers"},
	// sports
	{"Yoga Matı 8 mm", "Domyos", "Yoga Matı", map[string]string{"renk": "Mor", "kalınlık": "8 mm"}, "yoga-mat"},
	{"Vinil Kaplı Dambıl 2 x 5 kg", "Domyos", "Dambıl", map[string]string{"ağırlık": "5 kg"}, "dumbbell"},
	{"Classic Termos Matara 1 L", "Stanley", "Matara", map[string]string{"renk": "Yeşil"}, "water-bottle"},
	{"Kaymaz Pilates Minderi", "Lescon", "Spor", map[string]string{"renk": "Mor"}, "yoga-mat"},
}
