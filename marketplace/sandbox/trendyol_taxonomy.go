package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Trendyol's taxonomy as the imitation serves it (getCategoryTree, getCategoryAttributes,
// getCategoryAttributeValues, getBrands) and enforces it on products.
//
// IDs: Trendyol publishes no catalogue of its IDs, only samples in its documentation.
// Those are kept: category 411 "Casual Ayakkabı" with attribute 14 "Materyal" (values
// 82 Deri … 715 Nubuk) and 207 "Malzeme Tipi" (2214 Hakiki, 2215 Suni); 47 "Renk"
// (free text allowed); 296 "Cinsiyet" (1234 Unisex, 1235 Erkek, 1236 Kadın) and 294
// "Yaş Grubu" (2876 Bebek … 2879 Yetişkin) from the attribute samples;
// 59810 "Menşei" (2178083 Abd, 2178005 Almanya); 17620 "Materyal Bileşeni"; brand 1791
// and, from createProducts' sample, attribute 338 with value 6980 (here "Beden" M).
// Every other ID is the sandbox's own and stable: add entries, never renumber.

// tyValue is one allowed value of an attribute.
type tyValue struct {
	ID   int64
	Name string
}

// tyAttribute is one of Trendyol's attributes; categories use it with their own flags
// and values.
type tyAttribute struct {
	ID   int64
	Name string
}

// tyCategoryAttribute is an attribute as one category asks for it.
type tyCategoryAttribute struct {
	Attribute                                          tyAttribute
	Required, AllowCustom, Multiple, Varianter, Slicer bool
	Values                                             []tyValue
}

// tyCategory is a node of the tree; leaves (no Sub) carry their attributes.
type tyCategory struct {
	ID         int64
	Name       string
	Attributes []tyCategoryAttribute
	Sub        []tyCategory
}

// tyReq is a required attribute; tyOpt an optional one.
func tyReq(a tyAttribute, vs ...tyValue) tyCategoryAttribute {
	return tyCategoryAttribute{Attribute: a, Required: true, Values: vs}
}

func tyOpt(a tyAttribute, vs ...tyValue) tyCategoryAttribute {
	return tyCategoryAttribute{Attribute: a, Values: vs}
}

func (a tyCategoryAttribute) custom() tyCategoryAttribute   { a.AllowCustom = true; return a }
func (a tyCategoryAttribute) multiple() tyCategoryAttribute { a.Multiple = true; return a }
func (a tyCategoryAttribute) variant() tyCategoryAttribute  { a.Varianter = true; return a }
func (a tyCategoryAttribute) slicer() tyCategoryAttribute   { a.Slicer = true; return a }

// tySeq numbers names from first on.
func tySeq(first int64, names ...string) []tyValue {
	vs := make([]tyValue, len(names))
	for i, n := range names {
		vs[i] = tyValue{first + int64(i), n}
	}
	return vs
}

// Trendyol's attributes.
var (
	tyRenk             = tyAttribute{47, "Renk"}
	tyBeden            = tyAttribute{338, "Beden"}
	tyCinsiyet         = tyAttribute{296, "Cinsiyet"}
	tyYasGrubu         = tyAttribute{294, "Yaş Grubu"}
	tyMateryal         = tyAttribute{14, "Materyal"}
	tyMalzemeTipi      = tyAttribute{207, "Malzeme Tipi"}
	tyMateryalBileseni = tyAttribute{17620, "Materyal Bileşeni"}
	tyMensei           = tyAttribute{59810, "Menşei"}
	tyNumara           = tyAttribute{1193, "Numara"}
	tyHacim            = tyAttribute{1197, "Hacim"}
	tyCiltTipi         = tyAttribute{1201, "Cilt Tipi"}
	tySacTipi          = tyAttribute{1203, "Saç Tipi"}
	tyParfumTipi       = tyAttribute{1205, "Parfüm Tipi"}
	tyBitis            = tyAttribute{1207, "Bitiş"}
	tyUyumluMarka      = tyAttribute{1211, "Uyumlu Marka"}
	tyUyumluModel      = tyAttribute{1213, "Uyumlu Model"}
	tyBaglanti         = tyAttribute{1217, "Bağlantı"}
	tyGaranti          = tyAttribute{1219, "Garanti Süresi"}
	tyKapasite         = tyAttribute{1223, "Kapasite"}
	tyParcaSayisi      = tyAttribute{1227, "Parça Sayısı"}
	tyAgirlik          = tyAttribute{1229, "Ağırlık"}
	tyKalinlik         = tyAttribute{1231, "Kalınlık"}
	tyEbat             = tyAttribute{1233, "Ebat"}
	tyGuc              = tyAttribute{1241, "Güç"}
	tyAdet             = tyAttribute{1243, "Adet"}
)

// Value lists, shared by the categories that use them.
var (
	tyColours = tySeq(601, "Siyah", "Beyaz", "Lacivert", "Kırmızı", "Mavi", "Yeşil", "Sarı", "Turuncu", "Mor", "Pembe",
		"Gri", "Kahverengi", "Bej", "Ekru", "Haki", "Bordo", "Altın", "Gümüş", "Çok Renkli", "Şeffaf")
	tySizes      = tySeq(6978, "XS", "S", "M", "L", "XL", "XXL", "3XL")
	tyGenders    = []tyValue{{1236, "Kadın"}, {1235, "Erkek"}, {1234, "Unisex"}}
	tyShoeSizes  = tySeq(7035, "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46")
	tyNappySizes = tySeq(7101, "1 Numara (Yenidoğan)", "2 Numara (Mini)", "3 Numara (Midi)", "4 Numara (Maxi)",
		"4+ Numara (Maxi Plus)", "5 Numara (Junior)", "6 Numara (Extra Large)")
	tyToyAges  = append(tySeq(2890, "0-18 Ay", "18 Ay - 3 Yaş", "3-5 Yaş", "6-8 Yaş", "9-12 Yaş", "12 Yaş +"), tyValue{2879, "Yetişkin"})
	tyBabyAges = tySeq(2896, "0-6 Ay", "6-12 Ay", "12 Ay +")
	tyFibres   = append([]tyValue{{228690, "Akrilik"}, {261348, "Air Mesh"}},
		tySeq(228701, "Pamuk", "Polyester", "Elastan", "Viskon", "Keten", "Yün", "Modal")...)

	tyShoeMaterials   = []tyValue{{82, "Deri"}, {85, "Hakiki Deri"}, {105, "Suni Deri"}, {107, "Süet"}, {109, "Tekstil"}, {685, "Rugan"}, {715, "Nubuk"}}
	tyBagMaterials    = append([]tyValue{{82, "Deri"}, {85, "Hakiki Deri"}, {105, "Suni Deri"}, {107, "Süet"}, {109, "Tekstil"}}, tySeq(8101, "Kanvas", "Hasır", "Naylon")...)
	tyCaseMaterials   = []tyValue{{8111, "Silikon"}, {8112, "TPU"}, {82, "Deri"}, {105, "Suni Deri"}, {8113, "Plastik"}}
	tyTableMaterials  = tySeq(8121, "Seramik", "Porselen", "Cam", "Paslanmaz Çelik", "Emaye")
	tyCookMaterials   = []tyValue{{8124, "Paslanmaz Çelik"}, {8126, "Granit"}, {8127, "Döküm"}, {8128, "Alüminyum"}, {8125, "Emaye"}}
	tyFabrics         = tySeq(8131, "Pamuk", "Saten", "Ranforce", "Poplin", "Bambu")
	tyMatMaterials    = tySeq(8141, "TPE", "NBR", "PVC", "Kauçuk", "Mantar")
	tyWeightMaterials = []tyValue{{8127, "Döküm"}, {8152, "Vinil Kaplı"}, {8153, "Kromlu"}}
	tyFlaskMaterials  = []tyValue{{8124, "Paslanmaz Çelik"}, {8128, "Alüminyum"}, {8161, "Tritan"}, {8113, "Plastik"}, {8123, "Cam"}}
	tyBottleMaterials = []tyValue{{8123, "Cam"}, {8113, "Plastik"}, {8111, "Silikon"}}

	tyVolumes     = tySeq(8201, "15 ml", "30 ml", "50 ml", "75 ml", "100 ml", "150 ml", "200 ml", "250 ml", "400 ml", "500 ml")
	tySkinTypes   = tySeq(8221, "Kuru", "Yağlı", "Karma", "Normal", "Hassas", "Tüm Cilt Tipleri")
	tyHairTypes   = tySeq(8231, "Kuru", "Yağlı", "Normal", "Boyalı", "Kepekli", "Tüm Saç Tipleri")
	tyScentTypes  = tySeq(8241, "EDP", "EDT", "EDC", "Parfüm", "Body Mist")
	tyFinishes    = tySeq(8251, "Mat", "Parlak", "Saten")
	tyPhoneBrands = tySeq(8301, "Apple", "Samsung", "Xiaomi", "Huawei", "Oppo", "Realme", "Honor", "Vivo", "OnePlus", "Google",
		"Tecno", "Infinix", "Reeder", "General Mobile", "Casper", "Nokia")
	tyConnections  = tySeq(8321, "Bluetooth", "Kablolu", "Bluetooth + Kablolu")
	tyWarranties   = tySeq(8331, "6 Ay", "1 Yıl", "2 Yıl", "3 Yıl")
	tyBatteries    = tySeq(8341, "5000 mAh", "10000 mAh", "20000 mAh", "30000 mAh")
	tyFlaskVolumes = tySeq(8351, "350 ml", "500 ml", "750 ml", "1 L")
	tyBedSizes     = tySeq(8361, "Tek Kişilik", "Çift Kişilik", "King Size", "Bebek")
	tyThicknesses  = tySeq(8371, "4 mm", "6 mm", "8 mm", "10 mm", "15 mm")

	// tyCountries is Menşei's list, longer than the attribute list carries inline.
	tyCountries = []tyValue{
		{2178083, "Abd"}, {2178005, "Almanya"}, {2178100, "Arjantin"}, {2178101, "Arnavutluk"}, {2178102, "Avustralya"},
		{2178103, "Avusturya"}, {2178104, "Azerbaycan"}, {2178105, "Bangladeş"}, {2178106, "Belarus"}, {2178107, "Belçika"},
		{2178108, "Birleşik Arap Emirlikleri"}, {2178109, "Bosna Hersek"}, {2178110, "Brezilya"}, {2178111, "Bulgaristan"}, {2178112, "Çekya"},
		{2178113, "Çin"}, {2178114, "Danimarka"}, {2178115, "Endonezya"}, {2178116, "Estonya"}, {2178117, "Fas"},
		{2178118, "Filipinler"}, {2178119, "Finlandiya"}, {2178120, "Fransa"}, {2178121, "Güney Afrika"}, {2178122, "Güney Kore"},
		{2178123, "Gürcistan"}, {2178124, "Hindistan"}, {2178125, "Hırvatistan"}, {2178126, "Hollanda"}, {2178127, "Hong Kong"},
		{2178128, "İngiltere"}, {2178129, "İran"}, {2178130, "İrlanda"}, {2178131, "İspanya"}, {2178132, "İsrail"},
		{2178133, "İsveç"}, {2178134, "İsviçre"}, {2178135, "İtalya"}, {2178136, "Japonya"}, {2178137, "Kamboçya"},
		{2178138, "Kanada"}, {2178139, "Kazakistan"}, {2178140, "Kolombiya"}, {2178141, "Kuzey Makedonya"}, {2178142, "Letonya"},
		{2178143, "Litvanya"}, {2178144, "Lüksemburg"}, {2178145, "Macaristan"}, {2178146, "Malezya"}, {2178147, "Meksika"},
		{2178148, "Mısır"}, {2178149, "Moldova"}, {2178150, "Myanmar"}, {2178151, "Norveç"}, {2178152, "Özbekistan"},
		{2178153, "Pakistan"}, {2178154, "Polonya"}, {2178155, "Portekiz"}, {2178156, "Romanya"}, {2178157, "Rusya"},
		{2178158, "Singapur"}, {2178159, "Sırbistan"}, {2178160, "Slovakya"}, {2178161, "Slovenya"}, {2178162, "Sri Lanka"},
		{2178163, "Suudi Arabistan"}, {2178164, "Tayland"}, {2178165, "Tayvan"}, {2178166, "Tunus"}, {2178167, "Türkiye"},
		{2178168, "Ukrayna"}, {2178169, "Vietnam"}, {2178170, "Yeni Zelanda"}, {2178171, "Yunanistan"},
	}
)

// Attribute sets, one per kind of product.
var (
	tyColour         = tyReq(tyRenk, tyColours...).custom().slicer()
	tyColourOptional = tyOpt(tyRenk, tyColours...).custom().slicer()
	tyOrigin         = tyReq(tyMensei, tyCountries...)
	tyWarranty       = tyReq(tyGaranti, tyWarranties...)

	tyClothing = []tyCategoryAttribute{tyColour, tyReq(tyBeden, tySizes...).variant(), tyReq(tyCinsiyet, tyGenders...),
		tyOpt(tyMateryalBileseni, tyFibres...).custom().multiple(), tyOrigin}
	tyShoes = []tyCategoryAttribute{tyColour, tyReq(tyNumara, tyShoeSizes...).variant(), tyReq(tyCinsiyet, tyGenders...),
		tyOpt(tyMateryal, tyShoeMaterials...), tyOrigin}
	tyCasualShoes = append(slices.Clone(tyShoes), tyOpt(tyMalzemeTipi, tyValue{2214, "Hakiki"}, tyValue{2215, "Suni"}))
	tyBags        = []tyCategoryAttribute{tyColour, tyOpt(tyMateryal, tyBagMaterials...), tyOrigin}
	tyWatches     = []tyCategoryAttribute{tyColour, tyReq(tyCinsiyet, tyGenders...), tyWarranty, tyOpt(tyMensei, tyCountries...)}
	tySkinCare    = []tyCategoryAttribute{tyOpt(tyHacim, tyVolumes...).custom(), tyOpt(tyCiltTipi, tySkinTypes...).multiple(), tyOrigin}
	tyHairCare    = []tyCategoryAttribute{tyOpt(tyHacim, tyVolumes...).custom(), tyOpt(tySacTipi, tyHairTypes...).multiple(), tyOrigin}
	tyLips        = []tyCategoryAttribute{tyColour, tyOpt(tyBitis, tyFinishes...), tyOrigin}
	tyEyes        = []tyCategoryAttribute{tyColourOptional, tyOrigin}
	tyPerfume     = []tyCategoryAttribute{tyReq(tyHacim, tyVolumes...).custom(), tyReq(tyCinsiyet, tyGenders...), tyOpt(tyParfumTipi, tyScentTypes...), tyOrigin}
	tyDeodorant   = []tyCategoryAttribute{tyOpt(tyHacim, tyVolumes...).custom(), tyOpt(tyCinsiyet, tyGenders...), tyOrigin}
	tyPhoneCase   = []tyCategoryAttribute{tyReq(tyUyumluMarka, tyPhoneBrands...), tyOpt(tyUyumluModel).custom(), tyColourOptional,
		tyOpt(tyMateryal, tyCaseMaterials...)}
	tyScreenGuard = []tyCategoryAttribute{tyReq(tyUyumluMarka, tyPhoneBrands...), tyOpt(tyUyumluModel).custom()}
	tyCharger     = []tyCategoryAttribute{tyColourOptional, tyOpt(tyGuc).custom(), tyWarranty}
	tyPowerbank   = []tyCategoryAttribute{tyColourOptional, tyReq(tyKapasite, tyBatteries...).custom(), tyWarranty}
	tyPhone       = []tyCategoryAttribute{tyColour, tyWarranty}
	tyHeadphones  = []tyCategoryAttribute{tyColourOptional, tyReq(tyBaglanti, tyConnections...), tyWarranty}
	tyWearables   = []tyCategoryAttribute{tyColourOptional, tyWarranty, tyOpt(tyUyumluMarka, tyPhoneBrands...).multiple()}
	tyAppliances  = []tyCategoryAttribute{tyColourOptional, tyOpt(tyKapasite).custom(), tyWarranty}
	tyCookware    = []tyCategoryAttribute{tyColourOptional, tyOpt(tyMateryal, tyCookMaterials...), tyOpt(tyParcaSayisi).custom()}
	tyTableware   = []tyCategoryAttribute{tyColourOptional, tyOpt(tyMateryal, tyTableMaterials...), tyOpt(tyKapasite).custom()}
	tyBedding     = []tyCategoryAttribute{tyColourOptional, tyOpt(tyMateryal, tyFabrics...), tyReq(tyEbat, tyBedSizes...)}
	tyTextiles    = []tyCategoryAttribute{tyColourOptional, tyOpt(tyMateryal, tyFabrics...)}
	tyToys        = []tyCategoryAttribute{tyReq(tyYasGrubu, tyToyAges...), tyOpt(tyParcaSayisi).custom(), tyOrigin}
	tyDolls       = []tyCategoryAttribute{tyReq(tyYasGrubu, tyToyAges...), tyColourOptional, tyOrigin}
	tyNappies     = []tyCategoryAttribute{tyReq(tyNumara, tyNappySizes...).variant(), tyOpt(tyAdet).custom()}
	tyWipes       = []tyCategoryAttribute{tyOpt(tyAdet).custom()}
	tyFeeding     = []tyCategoryAttribute{tyReq(tyYasGrubu, tyBabyAges...), tyOpt(tyMateryal, tyBottleMaterials...), tyOpt(tyHacim, tyVolumes...).custom()}
	tyStrollers   = []tyCategoryAttribute{tyColour, tyOpt(tyGaranti, tyWarranties...)}
	tyMats        = []tyCategoryAttribute{tyColourOptional, tyOpt(tyKalinlik, tyThicknesses...).custom(), tyOpt(tyMateryal, tyMatMaterials...)}
	tyWeights     = []tyCategoryAttribute{tyReq(tyAgirlik).custom(), tyOpt(tyMateryal, tyWeightMaterials...)}
	tyFitness     = []tyCategoryAttribute{tyColourOptional}
	tyFlasks      = []tyCategoryAttribute{tyColourOptional, tyOpt(tyKapasite, tyFlaskVolumes...).custom(), tyOpt(tyMateryal, tyFlaskMaterials...)}
)

// tyTree is the category tree. Trendyol's tree has no gender level: a women's and a
// men's T-shirt are both Tişört, told apart by the required Cinsiyet attribute.
var tyTree = []tyCategory{
	{ID: 522, Name: "Giyim", Sub: []tyCategory{
		{ID: 56, Name: "Elbise", Attributes: tyClothing},
		{ID: 1030, Name: "Üst Giyim", Sub: []tyCategory{
			{ID: 1174, Name: "Tişört", Attributes: tyClothing},
			{ID: 1179, Name: "Sweatshirt", Attributes: tyClothing},
			{ID: 1176, Name: "Gömlek", Attributes: tyClothing},
			{ID: 1177, Name: "Bluz", Attributes: tyClothing},
		}},
		{ID: 1031, Name: "Alt Giyim", Sub: []tyCategory{
			{ID: 1183, Name: "Jean", Attributes: tyClothing},
			{ID: 1182, Name: "Pantolon", Attributes: tyClothing},
			{ID: 1185, Name: "Şort", Attributes: tyClothing},
		}},
		{ID: 1032, Name: "Dış Giyim", Sub: []tyCategory{
			{ID: 1187, Name: "Mont", Attributes: tyClothing},
			{ID: 1188, Name: "Ceket", Attributes: tyClothing},
		}},
	}},
	{ID: 403, Name: "Ayakkabı", Sub: []tyCategory{
		{ID: 1080, Name: "Spor Ayakkabı", Attributes: tyShoes},
		{ID: 1081, Name: "Sneaker", Attributes: tyShoes},
		{ID: 411, Name: "Casual Ayakkabı", Attributes: tyCasualShoes},
		{ID: 1085, Name: "Topuklu Ayakkabı", Attributes: tyShoes},
		{ID: 1086, Name: "Bot & Çizme", Sub: []tyCategory{
			{ID: 1087, Name: "Bot", Attributes: tyShoes},
			{ID: 1088, Name: "Çizme", Attributes: tyShoes},
		}},
		{ID: 1089, Name: "Sandalet", Attributes: tyShoes},
		{ID: 1090, Name: "Terlik", Attributes: tyShoes},
	}},
	{ID: 368, Name: "Aksesuar", Sub: []tyCategory{
		{ID: 382, Name: "Çanta", Sub: []tyCategory{
			{ID: 1056, Name: "Omuz Çantası", Attributes: tyBags},
			{ID: 1057, Name: "Sırt Çantası", Attributes: tyBags},
			{ID: 1058, Name: "El Çantası", Attributes: tyBags},
			{ID: 1053, Name: "Bel Çantası", Attributes: tyBags},
		}},
		{ID: 1060, Name: "Cüzdan & Kartlık", Sub: []tyCategory{
			{ID: 1061, Name: "Cüzdan", Attributes: tyBags},
			{ID: 1062, Name: "Kartlık", Attributes: tyBags},
		}},
		{ID: 1063, Name: "Saat", Sub: []tyCategory{
			{ID: 1064, Name: "Kol Saati", Attributes: tyWatches},
		}},
	}},
	{ID: 89, Name: "Kozmetik", Sub: []tyCategory{
		{ID: 1300, Name: "Cilt Bakımı", Sub: []tyCategory{
			{ID: 1301, Name: "Yüz Kremi", Attributes: tySkinCare},
			{ID: 1302, Name: "Yüz Temizleyici", Attributes: tySkinCare},
			{ID: 1303, Name: "Güneş Kremi", Attributes: tySkinCare},
		}},
		{ID: 1310, Name: "Saç Bakımı", Sub: []tyCategory{
			{ID: 1311, Name: "Şampuan", Attributes: tyHairCare},
			{ID: 1312, Name: "Saç Kremi", Attributes: tyHairCare},
		}},
		{ID: 1320, Name: "Makyaj", Sub: []tyCategory{
			{ID: 1321, Name: "Dudak Makyajı", Sub: []tyCategory{
				{ID: 1322, Name: "Ruj", Attributes: tyLips},
				{ID: 1323, Name: "Dudak Parlatıcısı", Attributes: tyLips},
			}},
			{ID: 1325, Name: "Göz Makyajı", Sub: []tyCategory{
				{ID: 1326, Name: "Maskara", Attributes: tyEyes},
			}},
		}},
		{ID: 1330, Name: "Parfüm & Deodorant", Sub: []tyCategory{
			{ID: 1331, Name: "Parfüm", Attributes: tyPerfume},
			{ID: 1332, Name: "Deodorant", Attributes: tyDeodorant},
		}},
	}},
	{ID: 1071, Name: "Elektronik", Sub: []tyCategory{
		{ID: 1100, Name: "Telefon", Sub: []tyCategory{
			{ID: 1101, Name: "Cep Telefonu", Attributes: tyPhone},
			{ID: 1102, Name: "Telefon Aksesuarları", Sub: []tyCategory{
				{ID: 1103, Name: "Telefon Kılıfı", Attributes: tyPhoneCase},
				{ID: 1104, Name: "Şarj Cihazı", Attributes: tyCharger},
				{ID: 1105, Name: "Ekran Koruyucu", Attributes: tyScreenGuard},
				{ID: 1106, Name: "Powerbank", Attributes: tyPowerbank},
				{ID: 1107, Name: "Şarj Kablosu", Attributes: tyCharger},
			}},
		}},
		{ID: 1110, Name: "Kulaklık", Sub: []tyCategory{
			{ID: 1111, Name: "Bluetooth Kulaklık", Attributes: tyHeadphones},
			{ID: 1112, Name: "Kablolu Kulaklık", Attributes: tyHeadphones},
		}},
		{ID: 1120, Name: "Giyilebilir Teknoloji", Sub: []tyCategory{
			{ID: 1121, Name: "Akıllı Saat", Attributes: tyWearables},
			{ID: 1122, Name: "Akıllı Bileklik", Attributes: tyWearables},
		}},
		{ID: 1130, Name: "Küçük Ev Aletleri", Sub: []tyCategory{
			{ID: 1131, Name: "Kahve Makinesi", Attributes: tyAppliances},
			{ID: 1132, Name: "Türk Kahvesi Makinesi", Attributes: tyAppliances},
			{ID: 1133, Name: "Çay Makinesi", Attributes: tyAppliances},
			{ID: 1134, Name: "Su Isıtıcı", Attributes: tyAppliances},
		}},
	}},
	{ID: 1354, Name: "Ev & Mobilya", Sub: []tyCategory{
		{ID: 1360, Name: "Mutfak", Sub: []tyCategory{
			{ID: 1361, Name: "Pişirme Gereçleri", Sub: []tyCategory{
				{ID: 1362, Name: "Tencere Seti", Attributes: tyCookware},
				{ID: 1363, Name: "Tava", Attributes: tyCookware},
				{ID: 1364, Name: "Düdüklü Tencere", Attributes: tyCookware},
			}},
			{ID: 1370, Name: "Sofra & Servis", Sub: []tyCategory{
				{ID: 1371, Name: "Kupa", Attributes: tyTableware},
				{ID: 1372, Name: "Bardak", Attributes: tyTableware},
				{ID: 1373, Name: "Yemek Takımı", Attributes: tyTableware},
			}},
		}},
		{ID: 1380, Name: "Ev Tekstili", Sub: []tyCategory{
			{ID: 1381, Name: "Nevresim Takımı", Attributes: tyBedding},
			{ID: 1382, Name: "Pike", Attributes: tyTextiles},
			{ID: 1383, Name: "Havlu", Attributes: tyTextiles},
		}},
	}},
	{ID: 1500, Name: "Oyuncak", Sub: []tyCategory{
		{ID: 1510, Name: "Eğitici Oyuncaklar", Sub: []tyCategory{
			{ID: 1511, Name: "Yapı Oyuncakları", Attributes: tyToys},
			{ID: 1512, Name: "Puzzle", Attributes: tyToys},
		}},
		{ID: 1520, Name: "Oyuncak Bebek & Peluş", Sub: []tyCategory{
			{ID: 1521, Name: "Oyuncak Bebek", Attributes: tyDolls},
			{ID: 1522, Name: "Peluş Oyuncak", Attributes: tyDolls},
		}},
		{ID: 1531, Name: "Oyuncak Araba", Attributes: tyDolls},
	}},
	{ID: 1450, Name: "Anne & Bebek", Sub: []tyCategory{
		{ID: 1460, Name: "Bebek Bakım", Sub: []tyCategory{
			{ID: 1461, Name: "Bebek Bezi", Attributes: tyNappies},
			{ID: 1462, Name: "Islak Mendil", Attributes: tyWipes},
		}},
		{ID: 1470, Name: "Beslenme", Sub: []tyCategory{
			{ID: 1471, Name: "Biberon", Attributes: tyFeeding},
			{ID: 1472, Name: "Emzik", Attributes: tyFeeding},
		}},
		{ID: 1480, Name: "Bebek Arabası & Puset", Sub: []tyCategory{
			{ID: 1481, Name: "Bebek Arabası", Attributes: tyStrollers},
			{ID: 1482, Name: "Puset", Attributes: tyStrollers},
		}},
	}},
	{ID: 1600, Name: "Spor & Outdoor", Sub: []tyCategory{
		{ID: 1610, Name: "Fitness & Kondisyon", Sub: []tyCategory{
			{ID: 1611, Name: "Yoga Matı", Attributes: tyMats},
			{ID: 1612, Name: "Dambıl", Attributes: tyWeights},
			{ID: 1613, Name: "Pilates Topu", Attributes: tyFitness},
			{ID: 1614, Name: "Direnç Bandı", Attributes: tyFitness},
		}},
		{ID: 1620, Name: "Kamp & Outdoor", Sub: []tyCategory{
			{ID: 1621, Name: "Matara", Attributes: tyFlasks},
			{ID: 1622, Name: "Termos", Attributes: tyFlasks},
		}},
	}},
}

// tyBrand is one entry of the brand registry.
type tyBrand struct {
	ID   int64
	Name string
}

// tyBrands is the brand registry in ID order: brands a Turkish seller meets every day.
// Trendyol's brand IDs are not public; these are the sandbox's own (1791, from
// Trendyol's createProducts sample, is given to TRENDYOLMILLA).
var tyBrands = []tyBrand{
	{422, "Blendax"}, {1791, "TRENDYOLMILLA"}, {2131, "Umbro"}, {2863, "Reebok"},
	{3473, "Kiğılı"}, {4426, "Dr. Martens"}, {6325, "Ugreen"}, {6923, "Kenwood"},
	{7856, "Bose"}, {9256, "Nine West"}, {9729, "Pantene"}, {12411, "Asics"},
	{13412, "Rexona"}, {15185, "Yataş"}, {15411, "Prima"}, {15500, "MSI"},
	{17983, "Wilson"}, {18050, "Nivea"}, {18973, "Joie"}, {21541, "Beymen Club"},
	{21700, "Guess"}, {22660, "Chanel"}, {22746, "Puma"}, {24694, "Prego"},
	{25506, "Fakir"}, {25699, "Spigen"}, {26578, "Casper"}, {27013, "D'S Damat"},
	{27860, "Wee Baby"}, {28502, "Michael Kors"}, {28825, "Columbia"}, {29021, "Oriflame"},
	{31791, "Dr. Brown's"}, {32034, "Ringke"}, {33301, "Tergan"}, {33821, "Hot Wheels"},
	{34482, "LEGO"}, {34491, "Swatch"}, {34849, "Deep Fresh"}, {35008, "Taç"},
	{36181, "Massimo Dutti"}, {36257, "Voit"}, {42429, "Lifefit"}, {42470, "Ramsey"},
	{43718, "Güral Porselen"}, {43879, "Geox"}, {44282, "Krups"}, {44356, "Arena"},
	{44471, "Maxi-Cosi"}, {44578, "Zara"}, {45497, "Canon"}, {45576, "Jo Malone London"},
	{46086, "Lescon"}, {46665, "Essence"}, {49077, "Levi's"}, {50313, "Xiaomi"},
	{52123, "Dyson"}, {52328, "Nerf"}, {53404, "Matraş"}, {54138, "The Body Shop"},
	{54211, "Art Puzzle"}, {57753, "La Roche-Posay"}, {58268, "Avva"}, {58666, "Procsin"},
	{58844, "Jordan"}, {61929, "Daniel Klein"}, {63152, "Infinix"}, {63660, "Slazenger"},
	{63714, "L'Oréal Paris"}, {67389, "Kiwi"}, {69529, "Jakamen"}, {69926, "Ecco"},
	{72084, "HyperX"}, {72164, "Educa"}, {72734, "Koton"}, {73047, "Google"},
	{73050, "Vans"}, {73838, "Beats"}, {74821, "Haylou"}, {76309, "GAP"},
	{77862, "Baseus"}, {78378, "Decathlon"}, {82495, "Machka"}, {84898, "Estée Lauder"},
	{85152, "Moulinex"}, {86195, "Tecno"}, {88404, "Hatemoğlu"}, {88746, "Arçelik"},
	{88921, "Lumberjack"}, {89784, "HP"}, {90568, "Tommy Hilfiger"}, {90673, "Reeder"},
	{90827, "Keramika"}, {90974, "Nespresso"}, {92296, "Korkmaz"}, {95160, "Speedo"},
	{97693, "Mavi"}, {99237, "Dunlop"}, {100849, "Only"}, {103736, "Merrell"},
	{104001, "Pull & Bear"}, {104313, "Dove"}, {104686, "New Balance"}, {106474, "Karaca"},
	{106558, "Timberland"}, {107558, "Mudo"}, {109467, "Everest"}, {110142, "U.S. Polo Assn."},
	{110216, "Avène"}, {111997, "Flormar"}, {116337, "Golden Rose"}, {116705, "Russell Hobbs"},
	{117693, "Ravensburger"}, {117698, "Sarar"}, {121186, "Samsung"}, {121265, "Evy Baby"},
	{124216, "Fila"}, {124244, "MAC"}, {124886, "Süvari"}, {127557, "Kraft"},
	{127838, "Molfix"}, {130260, "Eyüp Sabri Tuncer"}, {135844, "Acer"}, {137693, "English Home"},
	{137967, "General Mobile"}, {139945, "Hummel"}, {140155, "LC Waikiki"}, {140772, "Quechua"},
	{141467, "Farmasi"}, {141654, "United Colors of Benetton"}, {143836, "Profilo"}, {145249, "Arzum"},
	{145708, "SteelSeries"}, {147521, "Nike"}, {149462, "Yves Rocher"}, {149527, "Marshall"},
	{152299, "Asus"}, {152761, "Bambi"}, {154365, "JBL"}, {155294, "Casio"},
	{157553, "Barbie"}, {161136, "Catrice"}, {161979, "Stanley"}, {170341, "Note Cosmetique"},
	{172439, "Gliss"}, {173228, "Crocs"}, {175224, "Altınyıldız Classics"}, {177480, "Derimod"},
	{179228, "adidas"}, {181544, "Sensodyne"}, {182131, "The Ordinary"}, {183008, "Braun"},
	{185976, "Sennheiser"}, {191763, "CeraVe"}, {191961, "Yves Saint Laurent"}, {193751, "OnePlus"},
	{194731, "Baby Turco"}, {195643, "Honor"}, {195734, "Huggies"}, {195822, "Trendyol Kids"},
	{198708, "The North Face"}, {198775, "Schwarzkopf"}, {198815, "Kinetix"}, {200053, "Axe"},
	{200902, "TCL"}, {201250, "İnci"}, {203672, "Kütahya Porselen"}, {203984, "Rampage"},
	{208002, "Pierre Cardin"}, {208837, "Jack & Jones"}, {210289, "Oppo"}, {210953, "Neutrogena"},
	{211056, "Maybelline New York"}, {213315, "Avessa"}, {214933, "Delta"}, {215680, "Under Armour"},
	{220262, "Garmin"}, {220357, "Stradivarius"}, {221221, "Tudors"}, {221657, "Twist"},
	{222778, "Kappa"}, {222926, "Komili"}, {224829, "Oral-B"}, {227416, "Clear"},
	{228558, "Chakra"}, {232891, "Pastel"}, {236259, "Ttec"}, {236711, "Bioderma"},
	{236763, "Amazfit"}, {237089, "Polaris"}, {237881, "Philips Avent"}, {239541, "Schafer"},
	{240560, "Sleepy"}, {242849, "Trendyol Collection"}, {243223, "Colin's"}, {248421, "Emsan"},
	{252238, "Logitech"}, {252839, "Jumbo"}, {257114, "MAM"}, {257875, "Chicco"},
	{257898, "Converse"}, {259326, "Tefal"}, {260105, "Sebamed"}, {260535, "Mango"},
	{260844, "Colgate"}, {262665, "Deichmann"}, {263702, "Penti"}, {264818, "Lancôme"},
	{265530, "Kip"}, {267422, "Realme"}, {271421, "Avon"}, {273809, "Hugo Boss"},
	{274562, "Thermos"}, {276395, "Contigo"}, {277363, "Sinbo"}, {280819, "Madame Coco"},
	{281707, "Tupperware"}, {281950, "Bershka"}, {283094, "Clarks"}, {284343, "Mattel"},
	{285498, "Altınbaşak"}, {286102, "Porland"}, {287734, "Bernardo"}, {290697, "Network"},
	{291111, "Diesel"}, {291583, "GoPro"}, {293305, "Lav"}, {293929, "Gillette"},
	{293944, "Vivo"}, {294710, "LG"}, {294714, "Razer"}, {296444, "Carolina Herrera"},
	{296860, "Rebul"}, {300505, "H&M"}, {300608, "Johnson's Baby"}, {300975, "Hasbro"},
	{301269, "Elidor"}, {301713, "Kipsta"}, {303505, "Salomon"}, {304082, "Lee"},
	{304720, "Linens"}, {306357, "Vichy"}, {306947, "Bella Maison"}, {308472, "Vestel"},
	{308673, "Liveup"}, {309565, "Versace"}, {309654, "Greyder"}, {310228, "Paşabahçe"},
	{310966, "Aryıldız"}, {313019, "Champion"}, {313078, "Bugaboo"}, {313251, "Bosch"},
	{316202, "Pampers"}, {317136, "Loft"}, {318018, "Superga"}, {318110, "Anker"},
	{318734, "Syoss"}, {318927, "Head"}, {319118, "Siemens"}, {319332, "Calvin Klein"},
	{320506, "Clinique"}, {320727, "Sony"}, {321601, "Trendyol Man"}, {321632, "Kinderkraft"},
	{323402, "İpekyol"}, {326442, "Cybex"}, {327772, "Mustela"}, {330144, "NYX Professional Makeup"},
	{330235, "De'Longhi"}, {333946, "NUK"}, {334971, "Vero Moda"}, {336491, "Lock&Lock"},
	{337117, "Playmobil"}, {339761, "Apple"}, {341444, "Özdilek"}, {347801, "Beko"},
	{350065, "Lenovo"}, {353535, "Giorgio Armani"}, {353593, "Oxxo"}, {354856, "Defacto"},
	{355596, "Mamajoo"}, {355982, "Bebedor"}, {358306, "Dockers"}, {360660, "Paco Rabanne"},
	{361041, "Marjin"}, {363245, "Dell"}, {364998, "Fossil"}, {366850, "Play-Doh"},
	{367153, "Vakko"}, {367546, "Wrangler"}, {368926, "Hotiç"}, {369116, "Philips"},
	{369968, "Garnier"}, {371715, "Skechers"}, {372055, "Bioxcin"}, {375210, "Grundig"},
	{377396, "Lacoste"}, {377941, "Clementoni"}, {380170, "Fisher-Price"}, {380243, "Elle"},
	{380579, "Adl"}, {381519, "Tommee Tippee"}, {381882, "Flo"}, {382615, "Uni Baby"},
	{385973, "Dior"}, {386098, "Lotto"}, {386438, "Kalenji"}, {386823, "Arko"},
	{390773, "Domyos"}, {391061, "Head & Shoulders"}, {391268, "Desa"}, {392004, "Nikon"},
	{394706, "Yonex"}, {398946, "Huawei"},
}

// trendyolInlineValues is the longest value list the attribute list carries; longer
// ones (Menşei) are read page by page from the values endpoint. Trendyol's V2
// attribute list carries no values at all; V1's carried all of them. [I]
const trendyolInlineValues = 50

// tyNode is a category with its place in the tree.
type tyNode struct {
	*tyCategory
	parent int64 // 0 for a root
}

var (
	tyIndex   = map[int64]tyNode{}
	tyBrandID = map[int64]tyBrand{}
)

func init() {
	var walk func(cs []tyCategory, parent int64)
	walk = func(cs []tyCategory, parent int64) {
		for i := range cs {
			tyIndex[cs[i].ID] = tyNode{&cs[i], parent}
			walk(cs[i].Sub, cs[i].ID)
		}
	}
	walk(tyTree, 0)
	for _, b := range tyBrands {
		tyBrandID[b.ID] = b
	}
}

func (n tyNode) leaf() bool { return len(n.Sub) == 0 }

// attribute is the category's use of attribute id.
func (n tyNode) attribute(id int64) (tyCategoryAttribute, bool) {
	for _, a := range n.Attributes {
		if a.Attribute.ID == id {
			return a, true
		}
	}
	return tyCategoryAttribute{}, false
}

// tyBrandKey is how brand names are compared by brands/by-name: the whole name,
// ignoring case (Turkish dotted and dotless i alike).
func tyBrandKey(s string) string {
	return strings.NewReplacer("ı", "i", "i̇", "i").Replace(strings.ToLowerSpecial(unicode.TurkishCase, s))
}

type tyCategoryJSON struct {
	ID            int64            `json:"id"`
	Name          string           `json:"name"`
	ParentID      *int64           `json:"parentId"`
	SubCategories []tyCategoryJSON `json:"subCategories"`
}

func tyTreeJSON(cs []tyCategory, parent *int64) []tyCategoryJSON {
	out := make([]tyCategoryJSON, 0, len(cs))
	for _, c := range cs {
		out = append(out, tyCategoryJSON{ID: c.ID, Name: c.Name, ParentID: parent, SubCategories: tyTreeJSON(c.Sub, &c.ID)})
	}
	return out
}

// categories is getCategoryTree: the whole tree, nested.
func (t *trendyol) categories(w http.ResponseWriter, _ *http.Request, _ time.Time) {
	writeJSON(w, http.StatusOK, map[string]any{"categories": tyTreeJSON(tyTree, nil)})
}

// tyLeafCategory reads the categoryId path value and answers the error itself when it
// is not a leaf category: 404 for an unknown one, 400 for one with subcategories.
func tyLeafCategory(w http.ResponseWriter, r *http.Request) (tyNode, bool) {
	id, err := strconv.ParseInt(r.PathValue("categoryId"), 10, 64)
	n, ok := tyIndex[id]
	switch {
	case err != nil || !ok:
		tyErrors(w, http.StatusNotFound, "category.not.found", "Kategori bulunamadı (no category "+r.PathValue("categoryId")+")")
		return tyNode{}, false
	case !n.leaf():
		tyErrors(w, http.StatusBadRequest, "category.not.leaf", fmt.Sprintf(
			"categoryId %d (%s) is not a leaf category: alt kategorisi olan bir kategoriye ürün aktarılamaz", n.ID, n.Name))
		return tyNode{}, false
	}
	return n, true
}

// categoryAttributes is getCategoryAttributes for a leaf category. Value lists longer
// than trendyolInlineValues come empty: read them from the values endpoint.
func (t *trendyol) categoryAttributes(w http.ResponseWriter, r *http.Request, _ time.Time) {
	n, ok := tyLeafCategory(w, r)
	if !ok {
		return
	}
	type value struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	attrs := make([]map[string]any, 0, len(n.Attributes))
	for _, a := range n.Attributes {
		values := []value{}
		if len(a.Values) <= trendyolInlineValues {
			for _, v := range a.Values {
				values = append(values, value(v))
			}
		}
		attrs = append(attrs, map[string]any{
			"categoryId":                   n.ID,
			"attribute":                    map[string]any{"id": a.Attribute.ID, "name": a.Attribute.Name},
			"required":                     a.Required,
			"allowCustom":                  a.AllowCustom,
			"allowMultipleAttributeValues": a.Multiple,
			"varianter":                    a.Varianter,
			"slicer":                       a.Slicer,
			"attributeValues":              values,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": n.ID, "name": n.Name, "displayName": n.Name, "categoryAttributes": attrs})
}

// tyPageParams reads page (from 0, at most 1000) and size (1 to 1000, default 1000),
// answering the error itself.
func tyPageParams(w http.ResponseWriter, r *http.Request) (page, size int, ok bool) {
	q := r.URL.Query()
	page, size = 0, trendyolMaxItems
	var err error
	if v := q.Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 0 || page > 1000 {
			tyErrors(w, http.StatusBadRequest, "invalid.page", "page must be between 0 and 1000")
			return 0, 0, false
		}
	}
	if v := q.Get("size"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > trendyolMaxItems {
			tyErrors(w, http.StatusBadRequest, "invalid.size", fmt.Sprintf("size must be between 1 and %d", trendyolMaxItems))
			return 0, 0, false
		}
	}
	return page, size, true
}

// tyPageOf is where the page'th page of size items out of n starts and ends.
func tyPageOf(n, page, size int) (from, to int) {
	from = min(page*size, n)
	return from, min(from+size, n)
}

// attributeValues is getCategoryAttributeValues: one attribute's values in a leaf
// category, paged, in Trendyol's V2 envelope.
func (t *trendyol) attributeValues(w http.ResponseWriter, r *http.Request, _ time.Time) {
	n, ok := tyLeafCategory(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("attributeId"), 10, 64)
	a, found := n.attribute(id)
	if err != nil || !found {
		tyErrors(w, http.StatusNotFound, "category.attribute.not.found",
			fmt.Sprintf("attributeId %s is not an attribute of category %s (%d)", r.PathValue("attributeId"), n.Name, n.ID))
		return
	}
	page, size, ok := tyPageParams(w, r)
	if !ok {
		return
	}
	from, to := tyPageOf(len(a.Values), page, size)
	content := make([]map[string]any, 0, to-from)
	for _, v := range a.Values[from:to] {
		content = append(content, map[string]any{"attributeValueId": v.ID, "attributeValue": v.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalElements": len(a.Values),
		"totalPages":    (len(a.Values) + size - 1) / size,
		"page":          page,
		"size":          size,
		"content":       content,
	})
}

// brands is getBrands: the registry in ID order, paged.
func (t *trendyol) brands(w http.ResponseWriter, r *http.Request, _ time.Time) {
	page, size, ok := tyPageParams(w, r)
	if !ok {
		return
	}
	from, to := tyPageOf(len(tyBrands), page, size)
	out := make([]map[string]any, 0, to-from)
	for _, b := range tyBrands[from:to] {
		out = append(out, map[string]any{"id": b.ID, "name": b.Name})
	}
	writeJSON(w, http.StatusOK, map[string]any{"brands": out})
}

// brandsByName is getBrandsByName: the brands whose whole name is the one asked for,
// ignoring case.
func (t *trendyol) brandsByName(w http.ResponseWriter, r *http.Request, _ time.Time) {
	name := strings.TrimSpace(r.URL.Query().Get("name"))
	if name == "" {
		tyErrors(w, http.StatusBadRequest, "invalid.name", "name is required")
		return
	}
	out := []map[string]any{}
	for _, b := range tyBrands {
		if tyBrandKey(b.Name) == tyBrandKey(name) {
			out = append(out, map[string]any{"id": b.ID, "name": b.Name})
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// tyCheckTaxonomy returns why a product in categoryID of brandID with attrs breaks the
// taxonomy, in Trendyol's free-text style: an unknown brand or category, a category
// with subcategories, attributes the category does not have, values it does not
// list, free text where it takes none, several values where it takes one, and
// missing required attributes. A zero brandID is not checked.
func tyCheckTaxonomy(categoryID, brandID int64, attrs []TrendyolAttribute) []string {
	var reasons []string
	fail := func(format string, args ...any) { reasons = append(reasons, fmt.Sprintf(format, args...)) }
	if _, ok := tyBrandID[brandID]; brandID != 0 && !ok {
		fail("Marka bulunamadı: brandId %d is not in the brand list", brandID)
	}
	n, ok := tyIndex[categoryID]
	switch {
	case !ok:
		fail("Kategori bulunamadı: categoryId %d is not in the category tree", categoryID)
		return reasons
	case !n.leaf():
		fail("categoryId %d (%s) is not a leaf category: alt kategorisi olan bir kategoriye ürün aktarılamaz", n.ID, n.Name)
		return reasons
	}
	sent := map[int64]bool{}
	for _, a := range attrs {
		sent[a.AttributeID] = true
		ca, ok := n.attribute(a.AttributeID)
		if !ok {
			fail("attributeId %d is not an attribute of category %s (%d): bu kategoride böyle bir özellik yok", a.AttributeID, n.Name, n.ID)
			continue
		}
		name := fmt.Sprintf("%s (attributeId %d)", ca.Attribute.Name, ca.Attribute.ID)
		if a.Value != "" && !ca.AllowCustom {
			fail("%s özelliğine serbest metin girilemez: %q is not allowed, send one of its attributeValueIds", name, a.Value)
		}
		if len(a.ValueIDs) > 1 && !ca.Multiple {
			fail("%s tek değer alır: %d values sent", name, len(a.ValueIDs))
		}
		for _, id := range a.ValueIDs {
			if !slices.ContainsFunc(ca.Values, func(v tyValue) bool { return v.ID == id }) {
				fail("Geçersiz özellik değeri: attributeValueId %d is not a value of %s in category %s", id, name, n.Name)
			}
		}
	}
	for _, ca := range n.Attributes {
		if ca.Required && !sent[ca.Attribute.ID] {
			fail("Zorunlu özellik eksik: %s (attributeId %d) is required in category %s (%d)", ca.Attribute.Name, ca.Attribute.ID, n.Name, n.ID)
		}
	}
	return reasons
}
