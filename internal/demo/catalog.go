// Package demo shows Stox at work on a running pipeline, as a seller would see it:
// it uploads realistic sample products with generated photos through the HTTP API,
// waits for them to be listed on every marketplace, places orders through the
// sandbox's customer hooks, and checks that every marketplace shows the stock the
// ledger holds. `stox demo` runs it; its test runs it against an in-process pipeline.
package demo

import "fmt"

// Sample is one product of the demo's seller, in the seller's own words: categories,
// brands and attributes that the sandbox's three taxonomies map automatically, as a
// seller who follows the README would write them.
type Sample struct {
	// SKU is fixed, so a second run makes new revisions of the same products.
	SKU        string
	Name       string
	Brand      string
	Category   string
	Price      float64
	ListPrice  float64
	Stock      int
	Attributes map[string]string
	Keywords   []string
	// Shape is what its photos show (see draw).
	Shape shape
}

// Samples are the demo's products, a seller of clothes, home goods and electronics;
// the first ones are the most varied, since a run takes the first n.
var Samples = []Sample{
	{"DEMO-TSHIRT-LCW", "Erkek Bisiklet Yaka Basic Tişört", "LC Waikiki", "Tişört", 149.99, 199.99, 25,
		map[string]string{"renk": "Lacivert", "beden": "M", "cinsiyet": "Erkek", "materyal": "Pamuk"},
		[]string{"basic tişört", "pamuklu tişört"}, tshirt},
	{"DEMO-KUPA-PASABAHCE", "Porselen Kupa 350 ml", "Paşabahçe", "Kupa", 89.90, 119.90, 40,
		map[string]string{"renk": "Beyaz", "hacim": "350 ml"}, []string{"kahve kupası", "porselen kupa"}, mug},
	{"DEMO-KULAKLIK-JBL", "Tune 510BT Kablosuz Kulak Üstü Kulaklık", "JBL", "Kulaklık", 1999.00, 2499.00, 15,
		map[string]string{"renk": "Siyah", "bağlantı": "Bluetooth", "garanti süresi": "2 Yıl"}, []string{"bluetooth kulaklık", "kablosuz kulaklık"}, headphones},
	{"DEMO-ELBISE-DEFACTO", "Kadın Çiçek Desenli Midi Elbise", "Defacto", "Elbise", 549.99, 699.99, 20,
		map[string]string{"renk": "Yeşil", "beden": "M", "cinsiyet": "Kadın"}, []string{"midi elbise", "çiçekli elbise"}, dress},
	{"DEMO-TENCERE-KARACA", "Granit 7 Parça Tencere Seti", "Karaca", "Tencere Seti", 2799.00, 3499.00, 12,
		map[string]string{"materyal": "Granit", "renk": "Siyah"}, []string{"granit tencere", "tencere seti"}, pot},
	{"DEMO-POWERBANK-ANKER", "PowerCore 10000 mAh Powerbank", "Anker", "Powerbank", 899.00, 1099.00, 30,
		map[string]string{"renk": "Siyah", "kapasite": "10000 mAh", "garanti süresi": "2 Yıl"}, []string{"taşınabilir şarj", "powerbank"}, box},
	{"DEMO-SNEAKER-ADIDAS", "Grand Court Erkek Sneaker", "adidas", "Sneaker", 2199.00, 2599.00, 18,
		map[string]string{"renk": "Beyaz", "numara": "43", "cinsiyet": "Erkek"}, []string{"beyaz sneaker", "günlük ayakkabı"}, shoe},
	{"DEMO-NEVRESIM-EH", "Pamuklu Çift Kişilik Nevresim Takımı", "English Home", "Nevresim Takımı", 1299.00, 1599.00, 10,
		map[string]string{"renk": "Ekru", "materyal": "Pamuk"}, []string{"nevresim takımı", "çift kişilik nevresim"}, box},
	{"DEMO-SAAT-SAMSUNG", "Galaxy Watch 6 Akıllı Saat 44 mm", "Samsung", "Akıllı Saat", 8999.00, 10499.00, 8,
		map[string]string{"renk": "Gümüş", "uyumlu platform": "Android ve iOS", "garanti süresi": "2 Yıl"}, []string{"akıllı saat", "galaxy watch"}, watch},
	{"DEMO-CANTA-DERIMOD", "Kadın Deri Omuz Çantası", "Derimod", "Çanta", 1899.00, 2299.00, 14,
		map[string]string{"renk": "Kahverengi", "materyal": "Deri"}, []string{"deri çanta", "omuz çantası"}, bag},
	{"DEMO-KAHVE-ARZUM", "Okka Minio Türk Kahvesi Makinesi", "Arzum", "Kahve Makinesi", 2499.00, 2999.00, 9,
		map[string]string{"renk": "Gümüş", "garanti süresi": "2 Yıl"}, []string{"türk kahvesi makinesi", "okka"}, mug},
	{"DEMO-SWEAT-KIGILI", "Erkek Kapüşonlu Sweatshirt", "Kiğılı", "Sweatshirt", 649.90, 799.90, 22,
		map[string]string{"renk": "Gri", "beden": "L", "cinsiyet": "Erkek"}, []string{"kapüşonlu sweatshirt", "erkek sweatshirt"}, tshirt},
	{"DEMO-SARJ-ANKER", "20W USB-C Hızlı Şarj Aleti", "Anker", "Şarj Aleti", 599.00, 749.00, 35,
		map[string]string{"renk": "Beyaz", "garanti süresi": "2 Yıl"}, []string{"hızlı şarj", "usb-c şarj aleti"}, box},
	{"DEMO-JEAN-MAVI", "Kadın Yüksek Bel Skinny Jean", "Mavi", "Kot Pantolon", 899.99, 1199.99, 16,
		map[string]string{"renk": "Mavi", "beden": "M", "cinsiyet": "Kadın"}, []string{"skinny jean", "yüksek bel kot"}, trousers},
	{"DEMO-SIRT-TNF", "Borealis Sırt Çantası 28 L", "The North Face", "Sırt Çantası", 3499.00, 3999.00, 7,
		map[string]string{"renk": "Siyah"}, []string{"sırt çantası", "laptop çantası"}, bag},
	{"DEMO-YOGA-DOMYOS", "Yoga Matı 8 mm", "Domyos", "Yoga Matı", 449.00, 549.00, 20,
		map[string]string{"renk": "Mor", "kalınlık": "8 mm"}, []string{"yoga matı", "pilates minderi"}, box},
}

// barcode is sample i's EAN-13 barcode: Türkiye's 869 prefix, a block the demo keeps
// to itself, and the check digit, the same every run.
func barcode(i int) string {
	code := fmt.Sprintf("8690077%05d", i+1)
	sum := 0
	for k, c := range code {
		d := int(c - '0')
		if k%2 == 1 {
			d *= 3
		}
		sum += d
	}
	return code + fmt.Sprint((10-sum%10)%10)
}
