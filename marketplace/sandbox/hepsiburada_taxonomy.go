package sandbox

import (
	"errors"
	"fmt"
	"hash/crc32"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The Hepsiburada imitation's taxonomy: a category tree covering what Stox's sellers
// sell (clothing, shoes, bags, cosmetics, phone accessories, small electronics, home
// and kitchen, toys, baby, sports), in Hepsiburada's naming, with each leaf's category
// and variant attributes and their allowed values. Only 18021982 (Kupa) is a real ID
// from Hepsiburada's documentation (its sample import item); the others are sandbox
// IDs in the same 8-digit style.
//
// It is served, in the catalog's documented shapes, by
//
//	GET /product/api/categories/get-all-categories?leaf&status&available&version=1&page&size
//	GET /product/api/categories/{categoryId}/attributes
//	GET /product/api/categories/{categoryId}/attribute/{attributeId}/values?version=5&page&size
//
// and enforced on import (see validateTaxonomy).

// hbCategory is one category of the tree. A category is a leaf when no other category
// names it as Parent.
type hbCategory struct {
	ID     int64
	Parent int64 // 0 for a top-level category
	Name   string
	// Passive marks a closed category; Unavailable one the merchant may not sell in
	// without an authorisation. Listings in either are refused.
	Passive, Unavailable bool
	// Attributes and Variants are a leaf's "attributes" and "variantAttributes".
	Attributes, Variants []hbAttribute
}

// hbAttribute is one category attribute. Values nil makes it a free-text ("string")
// attribute; else the value must be one of Values ("enum").
type hbAttribute struct {
	ID         string
	Name       string
	Mandatory  bool
	MultiValue bool
	Values     []string
}

func hbEnum(id, name string, values ...string) hbAttribute {
	return hbAttribute{ID: id, Name: name, Values: values}
}

func hbText(id, name string) hbAttribute { return hbAttribute{ID: id, Name: name} }

// required returns a copy of a that listings must send.
func (a hbAttribute) required() hbAttribute {
	a.Mandatory = true
	return a
}

// multi returns a copy of a that takes several values (a JSON array of them).
func (a hbAttribute) multi() hbAttribute {
	a.MultiValue = true
	return a
}

// typ is the attribute's "type" as the attributes endpoint writes it.
func (a hbAttribute) typ() string {
	if a.Values == nil {
		return "string"
	}
	return "enum"
}

func hbAttrs(a ...hbAttribute) []hbAttribute { return a }

// Value lists shared by several categories.
var (
	hbColours = []string{"Siyah", "Beyaz", "Lacivert", "Kırmızı", "Mavi", "Yeşil", "Sarı", "Turuncu", "Mor", "Pembe",
		"Gri", "Kahverengi", "Bej", "Ekru", "Haki", "Bordo", "Altın", "Gümüş", "Çok Renkli", "Şeffaf"}
	hbOrigins    = []string{"TR", "CN", "BD", "VN", "IN", "PK", "IT", "DE", "FR", "ES", "PT", "GB", "US", "KR", "JP"}
	hbPhoneMakes = []string{"Apple", "Samsung", "Xiaomi", "Huawei", "Oppo", "Realme", "Honor", "Vivo", "OnePlus",
		"Google", "Tecno", "Infinix", "General Mobile", "Reeder"}
	hbToyAges = []string{"0-12 Ay", "1-3 Yaş", "3-6 Yaş", "6-9 Yaş", "9-12 Yaş", "12+ Yaş", "Yetişkin"}
)

// Attributes shared by several categories; each leaf marks which it requires.
var (
	hbColour    = hbEnum("renk_variant_property", "Renk", hbColours...)
	hbSize      = hbEnum("beden_variant_property", "Beden", "XS", "S", "M", "L", "XL", "XXL", "3XL")
	hbShoeSize  = hbEnum("numara_variant_property", "Numara", "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46")
	hbGender    = hbEnum("cinsiyet", "Cinsiyet", "Kadın", "Erkek", "Unisex")
	hbOrigin    = hbEnum("mensei", "Menşei", hbOrigins...)
	hbFabric    = hbEnum("materyal", "Materyal", "Pamuk", "Polyester", "Viskon", "Keten", "Yün", "Denim", "Elastan", "Akrilik", "Modal")
	hbBagMat    = hbEnum("materyal", "Materyal", "Deri", "Suni Deri", "Kumaş", "Kanvas", "Naylon", "Hasır", "Süet")
	hbVolume    = hbText("hacim", "Hacim")
	hbSkinType  = hbEnum("cilt_tipi", "Cilt Tipi", "Tüm Cilt Tipleri", "Kuru", "Yağlı", "Karma", "Normal", "Hassas").multi()
	hbHairType  = hbEnum("sac_tipi", "Saç Tipi", "Tüm Saç Tipleri", "Kuru", "Yağlı", "Normal", "Boyalı", "Kepekli", "İnce Telli")
	hbPhoneMake = hbEnum("uyumlu_marka", "Uyumlu Marka", hbPhoneMakes...)
	hbModel     = hbText("uyumlu_model", "Uyumlu Model")
	hbWarranty  = hbEnum("garanti_tipi", "Garanti Tipi", "Resmi Distribütör Garantili", "İthalatçı Garantili", "Üretici Garantili")
	hbCapacity  = hbText("kapasite", "Kapasite")
	hbToyAge    = hbEnum("yas_grubu", "Yaş Grubu", hbToyAges...)
	hbPieces    = hbText("parca_sayisi", "Parça Sayısı")
	hbWeight    = hbText("agirlik", "Ağırlık")
	hbThickness = hbText("kalinlik", "Kalınlık")
	hbKitchen   = hbEnum("materyal", "Materyal", "Seramik", "Porselen", "Cam", "Paslanmaz Çelik", "Emaye", "Bambu")
	hbBottleMat = hbEnum("materyal", "Materyal", "Paslanmaz Çelik", "Alüminyum", "Plastik", "Tritan", "Cam")
)

// Attribute sets of the leaves.
var (
	// clothing: colour and size are the variant attributes.
	hbClothesVariants = hbAttrs(hbColour.required(), hbSize.required())
	hbShoesVariants   = hbAttrs(hbColour.required(), hbShoeSize.required())
	hbShoesAttributes = hbAttrs(hbGender.required(), hbOrigin.required(),
		hbEnum("materyal", "Materyal", "Deri", "Suni Deri", "Süet", "Tekstil", "Kauçuk"))
	hbBagAttributes = hbAttrs(hbBagMat, hbGender, hbOrigin.required())
	hbHeadphones    = hbAttrs(hbEnum("baglanti", "Bağlantı", "Bluetooth", "Kablolu", "Bluetooth ve Kablolu").required(),
		hbEnum("kulaklik_tipi", "Kulaklık Tipi", "Kulak İçi", "Kulak Üstü", "Kulak Çevreleyen"), hbWarranty)
)

func hbClothes(extra ...hbAttribute) []hbAttribute {
	return append(hbAttrs(hbGender.required(), hbFabric, hbOrigin.required()), extra...)
}

// hbCategories is the tree, parents before children.
var hbCategories = []hbCategory{
	{ID: 60001000, Name: "Moda"},
	{ID: 60001100, Parent: 60001000, Name: "Kadın Giyim"},
	{ID: 60001101, Parent: 60001100, Name: "Elbise", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("boy", "Boy", "Mini", "Midi", "Maxi"))},
	{ID: 60001102, Parent: 60001100, Name: "Tişört", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("yaka_tipi", "Yaka Tipi", "Bisiklet Yaka", "V Yaka", "Polo Yaka"))},
	{ID: 60001103, Parent: 60001100, Name: "Jean Pantolon", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("kalip", "Kalıp", "Skinny", "Slim Fit", "Regular", "Mom", "Wide Leg"))},
	{ID: 60001104, Parent: 60001100, Name: "Bluz", Variants: hbClothesVariants, Attributes: hbClothes()},
	{ID: 60001200, Parent: 60001000, Name: "Erkek Giyim"},
	{ID: 60001201, Parent: 60001200, Name: "Tişört", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("yaka_tipi", "Yaka Tipi", "Bisiklet Yaka", "V Yaka", "Polo Yaka"))},
	{ID: 60001202, Parent: 60001200, Name: "Sweatshirt", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("kapusonlu", "Kapüşonlu", "Evet", "Hayır"))},
	{ID: 60001203, Parent: 60001200, Name: "Gömlek", Variants: hbClothesVariants, Attributes: hbClothes()},
	{ID: 60001204, Parent: 60001200, Name: "Jean Pantolon", Variants: hbClothesVariants,
		Attributes: hbClothes(hbEnum("kalip", "Kalıp", "Skinny", "Slim Fit", "Regular", "Loose"))},
	{ID: 60001300, Parent: 60001000, Name: "Kadın Ayakkabı"},
	{ID: 60001301, Parent: 60001300, Name: "Topuklu Ayakkabı", Variants: hbShoesVariants, Attributes: hbShoesAttributes},
	{ID: 60001302, Parent: 60001300, Name: "Bot", Variants: hbShoesVariants, Attributes: hbShoesAttributes},
	{ID: 60001303, Parent: 60001300, Name: "Spor Ayakkabı", Variants: hbShoesVariants, Attributes: hbShoesAttributes},
	{ID: 60001400, Parent: 60001000, Name: "Erkek Ayakkabı"},
	{ID: 60001401, Parent: 60001400, Name: "Spor Ayakkabı", Variants: hbShoesVariants, Attributes: hbShoesAttributes},
	{ID: 60001402, Parent: 60001400, Name: "Klasik Ayakkabı", Variants: hbShoesVariants, Attributes: hbShoesAttributes},
	{ID: 60001500, Parent: 60001000, Name: "Çanta"},
	{ID: 60001501, Parent: 60001500, Name: "Omuz Çantası", Variants: hbAttrs(hbColour.required()), Attributes: hbBagAttributes},
	{ID: 60001502, Parent: 60001500, Name: "Sırt Çantası", Variants: hbAttrs(hbColour.required()), Attributes: hbBagAttributes},
	{ID: 60001503, Parent: 60001500, Name: "Cüzdan", Variants: hbAttrs(hbColour.required()), Attributes: hbBagAttributes},
	{ID: 60001504, Parent: 60001500, Name: "El Çantası", Variants: hbAttrs(hbColour.required()), Attributes: hbBagAttributes},

	{ID: 60002000, Name: "Kozmetik ve Kişisel Bakım"},
	{ID: 60002100, Parent: 60002000, Name: "Cilt Bakımı"},
	{ID: 60002101, Parent: 60002100, Name: "Yüz Kremi", Attributes: hbAttrs(hbVolume, hbSkinType, hbOrigin.required())},
	{ID: 60002102, Parent: 60002100, Name: "Yüz Temizleme Jeli", Attributes: hbAttrs(hbVolume, hbSkinType, hbOrigin.required())},
	{ID: 60002200, Parent: 60002000, Name: "Saç Bakımı"},
	{ID: 60002201, Parent: 60002200, Name: "Şampuan", Attributes: hbAttrs(hbVolume, hbHairType, hbOrigin.required())},
	{ID: 60002202, Parent: 60002200, Name: "Saç Kremi", Attributes: hbAttrs(hbVolume, hbHairType, hbOrigin.required())},
	{ID: 60002300, Parent: 60002000, Name: "Makyaj"},
	{ID: 60002301, Parent: 60002300, Name: "Ruj", Variants: hbAttrs(hbColour.required()),
		Attributes: hbAttrs(hbEnum("bitis", "Bitiş", "Mat", "Parlak", "Saten", "Simli"), hbOrigin.required())},
	{ID: 60002302, Parent: 60002300, Name: "Maskara", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbOrigin.required())},
	{ID: 60002400, Parent: 60002000, Name: "Parfüm ve Deodorant"},
	{ID: 60002401, Parent: 60002400, Name: "Parfüm", Attributes: hbAttrs(hbVolume, hbGender.required(),
		hbEnum("parfum_tipi", "Parfüm Tipi", "EDP", "EDT", "Parfüm", "Body Mist"), hbOrigin.required())},
	{ID: 60002402, Parent: 60002400, Name: "Deodorant", Attributes: hbAttrs(hbVolume, hbGender.required(), hbOrigin.required())},

	{ID: 60003000, Name: "Elektronik"},
	{ID: 60003100, Parent: 60003000, Name: "Telefon Aksesuarları"},
	{ID: 60003101, Parent: 60003100, Name: "Telefon Kılıfı", Variants: hbAttrs(hbColour.required()),
		Attributes: hbAttrs(hbPhoneMake.required(), hbModel,
			hbEnum("materyal", "Materyal", "Silikon", "TPU", "Deri", "Suni Deri", "Plastik", "Metal", "Kumaş", "Cam"))},
	{ID: 60003102, Parent: 60003100, Name: "Şarj Cihazı", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("konnektor", "Konnektör", "USB Type-C", "Lightning", "Micro USB", "USB-A").required(),
			hbText("cikis_gucu", "Çıkış Gücü"), hbWarranty)},
	{ID: 60003103, Parent: 60003100, Name: "Ekran Koruyucu", Attributes: hbAttrs(hbPhoneMake.required(), hbModel,
		hbEnum("koruyucu_tipi", "Ekran Koruyucu Tipi", "Temperli Cam", "Nano Cam", "Hayalet Cam", "Hidrojel Film"))},
	{ID: 60003104, Parent: 60003100, Name: "Powerbank", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbCapacity.required(), hbWarranty)},
	{ID: 60003105, Parent: 60003100, Name: "Selfie Çubuğu", Passive: true, Variants: hbAttrs(hbColour)},
	{ID: 60003200, Parent: 60003000, Name: "Kulaklık"},
	{ID: 60003201, Parent: 60003200, Name: "Bluetooth Kulaklık", Variants: hbAttrs(hbColour), Attributes: hbHeadphones},
	{ID: 60003202, Parent: 60003200, Name: "Kablolu Kulaklık", Variants: hbAttrs(hbColour), Attributes: hbHeadphones},
	{ID: 60003300, Parent: 60003000, Name: "Giyilebilir Teknoloji"},
	{ID: 60003301, Parent: 60003300, Name: "Akıllı Saat", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("uyumlu_platform", "Uyumlu Platform", "Android", "iOS", "Android ve iOS").required(),
			hbEnum("baglanti", "Bağlantı", "Bluetooth", "Bluetooth ve Wi-Fi", "LTE"), hbWarranty)},
	{ID: 60003302, Parent: 60003300, Name: "Akıllı Bileklik", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("uyumlu_platform", "Uyumlu Platform", "Android", "iOS", "Android ve iOS").required(), hbWarranty)},

	{ID: 60004000, Name: "Ev, Yaşam, Kırtasiye, Ofis"},
	{ID: 60004100, Parent: 60004000, Name: "Mutfak Gereçleri"},
	// Kupa asks for nothing: listings sent without mapping (a configured category
	// and no category attributes) still go through.
	{ID: 18021982, Parent: 60004100, Name: "Kupa", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbKitchen, hbCapacity)},
	{ID: 60004101, Parent: 60004100, Name: "Tencere Seti", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("materyal", "Materyal", "Granit", "Paslanmaz Çelik", "Döküm", "Alüminyum", "Emaye", "Seramik"),
			hbPieces, hbEnum("ocak_uyumu", "Ocak Uyumu", "Gazlı", "Elektrikli", "Seramik", "İndüksiyon").multi())},
	{ID: 60004102, Parent: 60004100, Name: "Bardak", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbKitchen, hbCapacity)},
	{ID: 60004200, Parent: 60004000, Name: "Küçük Ev Aletleri"},
	{ID: 60004201, Parent: 60004200, Name: "Kahve Makinesi", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("kahve_makinesi_tipi", "Kahve Makinesi Tipi", "Filtre Kahve Makinesi", "Espresso Makinesi",
			"Kapsüllü Kahve Makinesi", "Türk Kahvesi Makinesi").required(), hbCapacity, hbWarranty)},
	{ID: 60004202, Parent: 60004200, Name: "Çay Makinesi", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbCapacity, hbWarranty)},
	{ID: 60004300, Parent: 60004000, Name: "Ev Tekstili"},
	{ID: 60004301, Parent: 60004300, Name: "Nevresim Takımı", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("materyal", "Materyal", "Pamuk", "Ranforce", "Saten", "Pamuk Saten", "Polyester", "Bambu", "Flanel"),
			hbEnum("ebat", "Ebat", "Tek Kişilik", "Çift Kişilik", "King Size", "Bebek").required())},
	{ID: 60004302, Parent: 60004300, Name: "Yorgan", Attributes: hbAttrs(hbEnum("ebat", "Ebat", "Tek Kişilik", "Çift Kişilik", "King Size", "Bebek").required())},

	{ID: 60005000, Name: "Anne, Bebek, Oyuncak"},
	{ID: 60005100, Parent: 60005000, Name: "Oyuncak"},
	{ID: 60005101, Parent: 60005100, Name: "Yapı Oyuncakları", Attributes: hbAttrs(hbToyAge.required(), hbPieces, hbOrigin.required())},
	{ID: 60005102, Parent: 60005100, Name: "Puzzle", Attributes: hbAttrs(hbToyAge.required(), hbPieces, hbOrigin.required())},
	{ID: 60005103, Parent: 60005100, Name: "Oyuncak Bebek", Attributes: hbAttrs(hbToyAge.required(), hbOrigin.required())},
	{ID: 60005104, Parent: 60005100, Name: "Kutu Oyunları", Attributes: hbAttrs(hbToyAge.required(), hbOrigin.required())},
	{ID: 60005200, Parent: 60005000, Name: "Bebek Bakım"},
	{ID: 60005201, Parent: 60005200, Name: "Bebek Bezi",
		Variants: hbAttrs(hbEnum("numara_variant_property", "Numara", "Yenidoğan", "1 Numara", "2 Numara", "3 Numara",
			"4 Numara", "5 Numara", "6 Numara", "7 Numara").required()),
		Attributes: hbAttrs(hbText("paket_adedi", "Paket Adedi"), hbOrigin)},
	{ID: 60005202, Parent: 60005200, Name: "Islak Mendil", Attributes: hbAttrs(hbText("paket_adedi", "Paket Adedi"), hbOrigin)},
	{ID: 60005300, Parent: 60005000, Name: "Emzirme ve Beslenme"},
	{ID: 60005301, Parent: 60005300, Name: "Biberon",
		Attributes: hbAttrs(hbEnum("yas_grubu", "Yaş Grubu", "0-6 Ay", "6-12 Ay", "12-18 Ay", "18 Ay+").required(), hbVolume,
			hbEnum("materyal", "Materyal", "Cam", "Plastik", "Silikon", "Tritan"))},
	{ID: 60005302, Parent: 60005300, Name: "Emzik",
		Attributes: hbAttrs(hbEnum("yas_grubu", "Yaş Grubu", "0-6 Ay", "6-12 Ay", "12-18 Ay", "18 Ay+").required())},
	{ID: 60005400, Parent: 60005000, Name: "Bebek Taşıma"},
	{ID: 60005401, Parent: 60005400, Name: "Bebek Arabası", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbEnum("bebek_arabasi_tipi", "Bebek Arabası Tipi", "Travel Sistem", "Tam Yatar Bebek Arabası",
			"Baston Bebek Arabası", "İkiz Bebek Arabası").required(), hbOrigin)},
	{ID: 60005402, Parent: 60005400, Name: "Oto Koltuğu", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbOrigin)},

	{ID: 60006000, Name: "Spor, Outdoor"},
	{ID: 60006100, Parent: 60006000, Name: "Fitness ve Kondisyon"},
	{ID: 60006101, Parent: 60006100, Name: "Yoga Matı", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbThickness, hbEnum("materyal", "Materyal", "TPE", "NBR", "PVC", "Kauçuk", "Mantar"))},
	{ID: 60006102, Parent: 60006100, Name: "Dambıl", Variants: hbAttrs(hbColour),
		Attributes: hbAttrs(hbWeight.required(), hbEnum("materyal", "Materyal", "Döküm", "Vinil Kaplı", "Neopren Kaplı", "Kromajlı", "Kauçuk Kaplı"))},
	{ID: 60006103, Parent: 60006100, Name: "Direnç Bandı", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbText("direnc_seviyesi", "Direnç Seviyesi"))},
	{ID: 60006200, Parent: 60006000, Name: "Outdoor ve Kamp"},
	{ID: 60006201, Parent: 60006200, Name: "Matara", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbVolume, hbBottleMat)},
	{ID: 60006202, Parent: 60006200, Name: "Uyku Tulumu", Variants: hbAttrs(hbColour), Attributes: hbAttrs(hbText("konfor_sicakligi", "Konfor Sıcaklığı"))},
	// Food supplements need an authorisation Hepsiburada grants per merchant.
	{ID: 60006300, Parent: 60006000, Name: "Sporcu Besinleri", Unavailable: true, Attributes: hbAttrs(hbOrigin.required())},
}

// hbBaseAttributes are the fixed import keys every category takes, in the attributes
// endpoint's baseAttributes; ValidateHepsiburadaItem checks them.
var hbBaseAttributes = func() []hbAttributeJSON {
	base := []hbAttributeJSON{
		{ID: "merchantSku", Name: "Satıcı Stok Kodu", Mandatory: true, Type: "string"},
		{ID: "VaryantGroupID", Name: "Varyant Grup ID", Type: "string"},
		{ID: "Barcode", Name: "Barkod", Mandatory: true, Type: "string"},
		{ID: "UrunAdi", Name: "Ürün Adı", Mandatory: true, Type: "string"},
		{ID: "UrunAciklamasi", Name: "Ürün Açıklaması", Mandatory: true, Type: "string"},
		{ID: "Marka", Name: "Marka", Mandatory: true, Type: "string"},
		{ID: "GarantiSuresi", Name: "Garanti Süresi (Ay)", Type: "string"},
		{ID: "kg", Name: "Desi", Mandatory: true, Type: "string"},
		{ID: "tax_vat_rate", Name: "KDV", Mandatory: true, Type: "enum"},
		{ID: "price", Name: "Fiyat", Mandatory: true, Type: "string"},
		{ID: "stock", Name: "Stok", Mandatory: true, Type: "string"},
	}
	for i := 1; i <= hbMaxImages; i++ {
		base = append(base, hbAttributeJSON{ID: "Image" + strconv.Itoa(i), Name: "Görsel" + strconv.Itoa(i), Mandatory: i == 1, Type: "string"})
	}
	return base
}()

// hbTaxonomy indexes hbCategories.
type hbTaxonomy struct {
	byID  map[int64]*hbCategory
	leaf  map[int64]bool
	paths map[int64][]string
	base  map[string]bool
}

var hbTree = newHBTaxonomy(hbCategories)

func newHBTaxonomy(cats []hbCategory) *hbTaxonomy {
	t := &hbTaxonomy{byID: map[int64]*hbCategory{}, leaf: map[int64]bool{}, paths: map[int64][]string{}, base: map[string]bool{}}
	for i := range cats {
		c := &cats[i]
		t.byID[c.ID] = c
		t.leaf[c.ID] = true
		t.paths[c.ID] = append(append([]string{}, t.paths[c.Parent]...), c.Name)
		if c.Parent != 0 {
			t.leaf[c.Parent] = false
		}
	}
	for _, a := range hbBaseAttributes {
		t.base[a.ID] = true
	}
	return t
}

// attributes is a leaf's category attributes and then its variant attributes.
func (c *hbCategory) attributes() []hbAttribute {
	return append(append([]hbAttribute{}, c.Attributes...), c.Variants...)
}

// attribute finds one of a category's attributes by ID.
func (c *hbCategory) attribute(id string) (hbAttribute, bool) {
	for _, a := range c.attributes() {
		if a.ID == id {
			return a, true
		}
	}
	return hbAttribute{}, false
}

// label is how messages name a category: "60001101 (Elbise)".
func (c *hbCategory) label() string { return fmt.Sprintf("%d (%s)", c.ID, c.Name) }

// hbCategoryJSON is one row of get-all-categories.
type hbCategoryJSON struct {
	CategoryID       int64    `json:"categoryId"`
	Name             string   `json:"name"`
	DisplayName      string   `json:"displayName"`
	ParentCategoryID *int64   `json:"parentCategoryId"`
	Paths            []string `json:"paths"`
	Leaf             bool     `json:"leaf"`
	Status           string   `json:"status"`
	Available        bool     `json:"available"`
	// Type is not explained in the documentation; the sandbox always writes "CATEGORY". [I]
	Type string `json:"type"`
}

// hbAttributeJSON is one attribute of the attributes endpoint.
type hbAttributeJSON struct {
	ID         string `json:"id"`
	Name       string `json:"name"`
	Mandatory  bool   `json:"mandatory"`
	Type       string `json:"type"`
	MultiValue bool   `json:"multiValue"`
}

// hbValueJSON is one value of the values endpoint. IDs are stable numbers derived from
// the attribute and the value; the import takes the value's text, not its ID.
type hbValueJSON struct {
	ID      int64  `json:"id"`
	Value   string `json:"value"`
	Default bool   `json:"default"`
}

func hbValueID(attributeID, value string) int64 {
	return int64(crc32.ChecksumIEEE([]byte(attributeID + "\x00" + value)))
}

const (
	// hbMaxCategoryPage is get-all-categories' documented size cap.
	hbMaxCategoryPage = 2000
	// hbMaxValuesPage caps the values endpoint's size; Hepsiburada documents none. [I]
	hbMaxValuesPage = 1000
	// hbDefaultPage is the size when none is asked for (Spring's default). [I]
	hbDefaultPage = 20
)

// hbPaging reads the catalog's page (from 0) and size (1 to max).
func hbPaging(r *http.Request, max int) (page, size int, err error) {
	q := r.URL.Query()
	page, size = 0, hbDefaultPage
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 {
			return 0, 0, fmt.Errorf("page must be a whole number from 0")
		}
	}
	if v := q.Get("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > max {
			return 0, 0, fmt.Errorf("size must be 1 to %d", max)
		}
	}
	return page, size, nil
}

// hbCatalogPage writes one page of all in the catalog's paged envelope.
func hbCatalogPage[T any](w http.ResponseWriter, all []T, page, size int) {
	pages := (len(all) + size - 1) / size
	from := len(all)
	if page < pages {
		from = page * size
	}
	to := min(from+size, len(all))
	writeJSON(w, http.StatusOK, map[string]any{
		"success": true, "code": 0, "version": 1, "message": nil,
		"totalElements": len(all), "totalPages": pages, "number": page, "numberOfElements": to - from,
		"first": page == 0, "last": page >= pages-1, "data": all[from:to],
	})
}

// optionalBool reads a true/false query parameter; "" leaves it unset.
func optionalBool(r *http.Request, name string) (*bool, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return nil, fmt.Errorf("%s must be true or false", name)
	}
	return &b, nil
}

// categories serves get-all-categories: the tree in order (parents first), filtered
// by leaf, status (ACTIVE or PASSIVE) and available when given, paged.
func (h *hepsiburada) categories(w http.ResponseWriter, r *http.Request, _ time.Time) {
	page, size, err := hbPaging(r, hbMaxCategoryPage)
	if err != nil {
		catalogError(w, http.StatusBadRequest, 1003, err.Error())
		return
	}
	leaf, errLeaf := optionalBool(r, "leaf")
	available, errAvailable := optionalBool(r, "available")
	if err := errors.Join(errLeaf, errAvailable); err != nil {
		catalogError(w, http.StatusBadRequest, 1003, err.Error())
		return
	}
	status := r.URL.Query().Get("status")
	if status != "" && status != "ACTIVE" && status != "PASSIVE" {
		catalogError(w, http.StatusBadRequest, 1003, "status must be ACTIVE or PASSIVE")
		return
	}
	hbCatalogPage(w, hbTree.rows(leaf, available, status), page, size)
}

// rows is the categories matching the filters, in tree order.
func (t *hbTaxonomy) rows(leaf, available *bool, status string) []hbCategoryJSON {
	rows := []hbCategoryJSON{}
	for _, c := range hbCategories {
		row := hbCategoryJSON{CategoryID: c.ID, Name: c.Name, DisplayName: c.Name, Paths: t.paths[c.ID],
			Leaf: t.leaf[c.ID], Status: "ACTIVE", Available: !c.Unavailable, Type: "CATEGORY"}
		if c.Parent != 0 {
			row.ParentCategoryID = &c.Parent
		}
		if c.Passive {
			row.Status = "PASSIVE"
		}
		if (leaf != nil && *leaf != row.Leaf) || (available != nil && *available != row.Available) || (status != "" && status != row.Status) {
			continue
		}
		rows = append(rows, row)
	}
	return rows
}

// category finds the category named by the request's {categoryId}, answering 404
// (400 for a malformed ID) when there is none.
func (h *hepsiburada) category(w http.ResponseWriter, r *http.Request) (*hbCategory, bool) {
	id, err := strconv.ParseInt(r.PathValue("categoryId"), 10, 64)
	if err != nil {
		catalogError(w, http.StatusBadRequest, 1003, "categoryId must be a number")
		return nil, false
	}
	c, ok := hbTree.byID[id]
	if !ok {
		catalogError(w, http.StatusNotFound, 1004, fmt.Sprintf("category %d not found", id))
		return nil, false
	}
	return c, true
}

// categoryAttributes serves a leaf category's base, category and variant attributes.
// A category that is not a leaf has none to give. [I]
func (h *hepsiburada) categoryAttributes(w http.ResponseWriter, r *http.Request, _ time.Time) {
	c, ok := h.category(w, r)
	if !ok {
		return
	}
	if !hbTree.leaf[c.ID] {
		catalogError(w, http.StatusBadRequest, 1005, fmt.Sprintf("category %s is not a leaf category; attributes belong to leaf categories", c.label()))
		return
	}
	list := func(as []hbAttribute) []hbAttributeJSON {
		out := []hbAttributeJSON{}
		for _, a := range as {
			out = append(out, hbAttributeJSON{ID: a.ID, Name: a.Name, Mandatory: a.Mandatory, Type: a.typ(), MultiValue: a.MultiValue})
		}
		return out
	}
	catalogOK(w, map[string]any{
		"baseAttributes":    hbBaseAttributes,
		"attributes":        list(c.Attributes),
		"variantAttributes": list(c.Variants),
	})
}

// attributeValues serves the allowed values of one of a category's attributes, paged;
// a free-text attribute has none.
func (h *hepsiburada) attributeValues(w http.ResponseWriter, r *http.Request, _ time.Time) {
	page, size, err := hbPaging(r, hbMaxValuesPage)
	if err != nil {
		catalogError(w, http.StatusBadRequest, 1003, err.Error())
		return
	}
	c, ok := h.category(w, r)
	if !ok {
		return
	}
	a, ok := c.attribute(r.PathValue("attributeId"))
	if !ok {
		catalogError(w, http.StatusNotFound, 1004, fmt.Sprintf("attribute %s not found in category %s", r.PathValue("attributeId"), c.label()))
		return
	}
	values := make([]hbValueJSON, 0, len(a.Values))
	for _, v := range a.Values {
		values = append(values, hbValueJSON{ID: hbValueID(a.ID, v), Value: v})
	}
	hbCatalogPage(w, values, page, size)
}

// validateTaxonomy checks an item's category and category attributes against the
// tree: the category must exist and be an active, available leaf; every mandatory
// attribute must be sent; an enum attribute must hold one of its values (several, as a
// JSON array, only where it is multi-value); and every other key must be a base
// attribute or one of the category's.
func validateTaxonomy(id int64, attrs map[string]any, fail func(attr, format string, args ...any)) {
	c, ok := hbTree.byID[id]
	switch {
	case !ok:
		fail("categoryId", "category %d does not exist", id)
		return
	case !hbTree.leaf[id]:
		fail("categoryId", "category %s is not a leaf category; products go in one of its subcategories", c.label())
		return
	case c.Passive:
		fail("categoryId", "category %s is not active", c.label())
		return
	case c.Unavailable:
		fail("categoryId", "category %s is not available to this merchant", c.label())
		return
	}
	for _, a := range c.attributes() {
		values, ok := hbAttrValues(attrs[a.ID])
		switch {
		case !ok:
			fail(a.ID, "%s (%s) must be text", a.Name, a.ID)
		case len(values) == 0:
			if a.Mandatory {
				fail(a.ID, "%s (%s) is required in category %s", a.Name, a.ID, c.label())
			}
		case len(values) > 1 && !a.MultiValue:
			fail(a.ID, "%s (%s) takes one value, got %d", a.Name, a.ID, len(values))
		case a.Values != nil:
			for _, v := range values {
				if !slices.Contains(a.Values, v) {
					fail(a.ID, "%q is not a value of %s (%s) in category %s; allowed: %s", v, a.Name, a.ID, c.label(), strings.Join(a.Values, ", "))
				}
			}
		}
	}
	var unknown []string
	for k := range attrs {
		if _, ok := c.attribute(k); !ok && !hbTree.base[k] && !hbImageKeyRe.MatchString(k) {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		fail(k, "%s is not an attribute of category %s", k, c.label())
	}
}

// hbAttrValues reads an attribute's value or values (a JSON array) as trimmed text,
// leaving out empty ones; ok is false for anything but text, numbers and booleans.
func hbAttrValues(v any) (values []string, ok bool) {
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	for _, e := range list {
		if e == nil {
			continue
		}
		s, ok := attrText(e)
		if !ok {
			return nil, false
		}
		if s = strings.TrimSpace(s); s != "" {
			values = append(values, s)
		}
	}
	return values, true
}
