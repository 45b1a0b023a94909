package seo

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
)

// sellerProducts are products written the way Turkish sellers write them (shouting,
// lower case, stuffed names, claims, a photo's colour where none belongs), with the
// title a seller would sign off on each marketplace, as the marketplaces are
// configured by default: Trendyol, Hepsiburada and amazon.com.tr, all in Turkish. Every
// case issue 10 quotes is here. want holds the title by marketplace, "" for the others.
var sellerProducts = []struct {
	name    string
	product messages.Product
	colors  []messages.Color // the subject's colours, as the image stage separated it
	want    map[string]string
}{
	{name: "iphone case written in lower case", product: messages.Product{Name: "iphone 15 pro kılıf şeffaf silikon", Brand: "Spigen",
		Category: "Telefon Aksesuarları > Kılıf", Attributes: map[string]string{"Uyumlu Model": "iPhone 15 Pro", "Materyal": "TPU"},
		Keywords: []string{"iphone 15 pro kılıf", "darbe emici kılıf"}},
		want: map[string]string{"": "Spigen iPhone 15 Pro Kılıf Şeffaf Silikon TPU"}},
	{name: "airpods shouted", product: messages.Product{Name: "APPLE AIRPODS PRO 2. NESİL KABLOSUZ KULAKLIK USB-C ŞARJ KUTULU", Brand: "Apple",
		Category: "Elektronik > Kulaklık", Attributes: map[string]string{"Renk": "Beyaz"}},
		want: map[string]string{"": "Apple AirPods Pro 2. Nesil Kablosuz Kulaklık USB-C Şarj Kutulu Beyaz"}},
	{name: "airpods case", product: messages.Product{Name: "airpods pro 2 uyumlu silikon kılıf anahtarlıklı", Brand: "Wiwu",
		Category: "Elektronik > Kulaklık Aksesuarları", Attributes: map[string]string{"renk": "Lila"}},
		want: map[string]string{"": "Wiwu AirPods Pro 2 Uyumlu Silikon Kılıf Anahtarlıklı Lila"}},
	{name: "usb-c cable", product: messages.Product{Name: "usb-c to usb-c hızlı şarj kablosu 1 metre 60w", Brand: "Anker",
		Category: "Elektronik > Telefon Aksesuarları > Kablo", Attributes: map[string]string{"renk": "Siyah"}},
		want: map[string]string{"": "Anker USB-C to USB-C Hızlı Şarj Kablosu 1 Metre 60W Siyah"}},
	{name: "elvive shampoo", product: messages.Product{Name: "ELVIVE TÜM SAÇ TİPLERİ İÇİN ŞAMPUAN 400 ML", Brand: "L'Oréal Paris",
		Category: "Kozmetik > Saç Bakımı > Şampuan", Attributes: map[string]string{"Hacim": "400 ML"},
		Keywords: []string{"Tüm Saç Tipleri", "günlük şampuan"}},
		colors: []messages.Color{{Hex: "#f4f4f4", EN: "White", TR: "Beyaz", Share: 0.7}},
		want:   map[string]string{"": "L'Oréal Paris Elvive Tüm Saç Tipleri için Şampuan 400 ml"}},
	{name: "shouted ascii headphones", product: messages.Product{Name: "BLUETOOTH KULAKLIK KABLOSUZ MIKROFONLU", Brand: "Xiaomi",
		Category: "Elektronik > Kulaklık", Attributes: map[string]string{"Renk": "Siyah"}},
		want: map[string]string{"": "Xiaomi Bluetooth Kulaklık Kablosuz Mikrofonlu Siyah"}},
	{name: "face cream with a white photo", product: messages.Product{Name: "Nemlendirici Yüz Kremi 50 ml", Brand: "Nivea",
		Category: "Kozmetik > Cilt Bakımı > Yüz Kremi", Keywords: []string{"yüz kremi", "kuru ciltler için"}},
		colors: []messages.Color{{Hex: "#ffffff", EN: "White", TR: "Beyaz", Share: 0.8}},
		want:   map[string]string{"": "Nivea Nemlendirici Yüz Kremi 50 ml"}},
	{name: "lego with a white photo", product: messages.Product{Name: "LEGO Classic Yaratıcı Şeffaf Yapım Parçaları 11013", Brand: "LEGO",
		Category: "Oyuncak > Yapı Oyuncakları", Attributes: map[string]string{"Yaş": "4+", "Parça Sayısı": "500"}},
		colors: []messages.Color{{Hex: "#fafafa", EN: "White", TR: "Beyaz", Share: 0.6}},
		want:   map[string]string{"": "LEGO Classic Yaratıcı Şeffaf Yapım Parçaları 11013 Oyuncak"}},
	{name: "fisher-price stuffing", product: messages.Product{Name: "Bebek Arabası Oyuncak Pembe Kız Çocuk Oyuncak Bebek Arabası", Brand: "Fisher-Price",
		Category: "Oyuncak > Bebek ve Aksesuarları"},
		want: map[string]string{"": "Fisher-Price Bebek Arabası Oyuncak Pembe Kız Çocuk"}},
	{name: "coffee machine cut", product: messages.Product{Name: "Okka Minio Pro Türk Kahvesi Makinesi Köpük Göstergeli Büyük Su Hazneli Kahve Keyfi için Sessiz Çalışan Motor", Brand: "Arzum",
		Category: "Ev > Mutfak > Kahve Makinesi", Attributes: map[string]string{"Renk": "Krom"}},
		want: map[string]string{"": "Arzum Okka Minio Pro Türk Kahvesi Makinesi Köpük Göstergeli Büyük Su Hazneli Krom"}},
	{name: "kettle cut", product: messages.Product{Name: "Su Isıtıcı Kettle 1.7 Litre Paslanmaz Çelik Gövde Su Seviye Göstergeli Büyük Kapasiteli Hızlı Kaynatma", Brand: "Philips",
		Category: "Ev > Mutfak > Su Isıtıcı", Attributes: map[string]string{"Renk": "Gümüş", "Kapasite": "1.7 lt"}},
		want: map[string]string{
			messages.Trendyol: "Philips Su Isıtıcı Kettle 1.7 Litre Paslanmaz Çelik Gövde Su Seviye Göstergeli Gümüş",
			"":                "Philips Su Isıtıcı Kettle 1.7 Litre Paslanmaz Çelik Gövde Su Seviye Göstergeli Büyük Kapasiteli Hızlı Kaynatma Gümüş",
		}},
	{name: "english earbuds", product: messages.Product{Name: "True Wireless Earbuds with Charging Case Bluetooth 5.3", Brand: "Soundcore",
		Category: "Elektronik > Kulaklık", Attributes: map[string]string{"Renk": "Siyah"}},
		want: map[string]string{"": "Soundcore True Wireless Earbuds with Charging Case Bluetooth 5.3 Siyah"}},
	{name: "mom jean", product: messages.Product{Name: "Kadın Yüksek Bel Mom Jean", Brand: "Koton",
		Category: "Giyim > Kadın > Pantolon", Attributes: map[string]string{"Renk": "Mavi", "Beden": "36", "Cinsiyet": "Kadın"}},
		want: map[string]string{"": "Koton Kadın Yüksek Bel Mom Jean Mavi 36"}},
	{name: "shouted oversize t-shirt", product: messages.Product{Name: "ERKEK OVERSIZE BASKILI T-SHIRT", Brand: "DeFacto",
		Category: "Giyim > Erkek > Tişört", Attributes: map[string]string{"Renk": "Beyaz", "Beden": "L", "Materyal": "%100 Pamuk"}},
		want: map[string]string{"": "DeFacto Erkek Oversize Baskılı T-Shirt %100 Pamuk Beyaz L"}},
	{name: "sweatshirt", product: messages.Product{Name: "Unisex Kapüşonlu Sweatshirt Polar İçi Yumuşak Kışlık", Brand: "Mavi",
		Category: "Giyim > Sweatshirt", Attributes: map[string]string{"Renk": "Antrasit", "Beden": "M"}},
		want: map[string]string{"": "Mavi Unisex Kapüşonlu Sweatshirt Polar İçi Yumuşak Kışlık Antrasit M"}},
	{name: "bag with claims", product: messages.Product{Name: "Kadın Deri Omuz Çantası %50 İNDİRİM - Kargo Bedava", Brand: "Derimod",
		Category: "Aksesuar > Çanta", Attributes: map[string]string{"Materyal": "Hakiki Deri", "Renk": "Taba"}},
		want: map[string]string{"": "Derimod Kadın Deri Omuz Çantası Taba"}},
	{name: "wallet", product: messages.Product{Name: "Erkek Hakiki Deri Cüzdan Kartlıklı", Brand: "Pierre Cardin",
		Category: "Aksesuar > Cüzdan", Attributes: map[string]string{"Renk": "Kahverengi"}},
		want: map[string]string{"": "Pierre Cardin Erkek Hakiki Deri Cüzdan Kartlıklı Kahverengi"}},
	{name: "thermos", product: messages.Product{Name: "Paslanmaz Çelik Termos 500 ml Sıcak Soğuk Tutma", Brand: "Stanley",
		Category: "Spor > Outdoor > Termos", Attributes: map[string]string{"Hacim": "500 ml", "Renk": "Yeşil"}},
		want: map[string]string{"": "Stanley Paslanmaz Çelik Termos 500 ml Sıcak Soğuk Tutma Yeşil"}},
	{name: "pot set", product: messages.Product{Name: "Granit Tencere Seti 7 Parça İndüksiyon Tabanlı", Brand: "Karaca",
		Category: "Ev & Yaşam > Mutfak > Tencere", Attributes: map[string]string{"Renk": "Gri", "Materyal": "Alüminyum"}},
		want: map[string]string{"": "Karaca Granit Tencere Seti 7 Parça İndüksiyon Tabanlı Alüminyum Gri"}},
	{name: "dinner set", product: messages.Product{Name: "Porselen Yemek Takımı 24 Parça 6 Kişilik", Brand: "Kütahya Porselen",
		Category: "Ev > Sofra > Yemek Takımı", Attributes: map[string]string{"Renk": "Beyaz"}},
		want: map[string]string{"": "Kütahya Porselen Yemek Takımı 24 Parça 6 Kişilik Beyaz"}},
	{name: "glass mugs", product: messages.Product{Name: "Cam Kupa 2'li Set 350 ml", Brand: "Paşabahçe",
		Category: "Ev > Mutfak > Kupa", Attributes: map[string]string{"Hacim": "350 ml"}},
		colors: []messages.Color{{Hex: "#e0e8e8", EN: "Transparent", TR: "Şeffaf", Share: 0.5}},
		want:   map[string]string{"": "Paşabahçe Cam Kupa 2'li Set 350 ml Şeffaf"}},
	{name: "vacuum", product: messages.Product{Name: "Dyson V15 Detect Kablosuz Dikey Süpürge", Brand: "Dyson",
		Category: "Elektronik > Elektrikli Ev Aletleri > Süpürge"},
		want: map[string]string{"": "Dyson V15 Detect Kablosuz Dikey Süpürge"}},
	{name: "robot vacuum wi-fi", product: messages.Product{Name: "Robot Süpürge Akıllı Haritalama wifi Bağlantılı", Brand: "Xiaomi",
		Category: "Elektronik > Süpürge", Attributes: map[string]string{"Renk": "Beyaz"}},
		want: map[string]string{"": "Xiaomi Robot Süpürge Akıllı Haritalama WiFi Bağlantılı Beyaz"}},
	{name: "shouted tv", product: messages.Product{Name: "65 İNÇ 4K ULTRA HD SMART LED TV", Brand: "Samsung",
		Category: "Elektronik > Televizyon", Attributes: map[string]string{"Model": "UE65CU7000"}},
		want: map[string]string{"": "Samsung 65 inç 4K Ultra HD Smart LED TV UE65CU7000"}},
	{name: "power bank", product: messages.Product{Name: "Powerbank 10000 MAH Hızlı Şarj usb-c Girişli", Brand: "Anker",
		Category: "Elektronik > Telefon Aksesuarları > Powerbank", Attributes: map[string]string{"Renk": "Siyah"}},
		want: map[string]string{"": "Anker Powerbank 10000 mAh Hızlı Şarj USB-C Girişli Siyah"}},
	{name: "macbook", product: messages.Product{Name: "Macbook Air M2 13.6 inç 8gb 256gb SSD", Brand: "Apple",
		Category: "Elektronik > Bilgisayar > Laptop", Attributes: map[string]string{"Renk": "Gece Yarısı"}},
		want: map[string]string{"": "Apple MacBook Air M2 13.6 inç 8GB 256GB SSD Gece Yarısı"}},
	{name: "shouted phone", product: messages.Product{Name: "SAMSUNG GALAXY A54 128 GB 8 GB RAM CEP TELEFONU", Brand: "Samsung",
		Category: "Elektronik > Telefon > Cep Telefonu", Attributes: map[string]string{"Renk": "Siyah", "Hafıza": "128 GB"}},
		want: map[string]string{"": "Samsung Galaxy A54 128 GB 8 GB RAM Cep Telefonu Siyah"}},
	{name: "diapers", product: messages.Product{Name: "Bebek Bezi 4 Numara 120 Adet Maxi", Brand: "Prima",
		Category: "Anne & Bebek > Bebek Bezi"},
		want: map[string]string{"": "Prima Bebek Bezi 4 Numara 120 Adet Maxi"}},
	{name: "toothpaste", product: messages.Product{Name: "Beyazlatıcı Diş Macunu 75 ml", Brand: "Colgate",
		Category: "Kişisel Bakım > Ağız Bakımı"},
		colors: []messages.Color{{Hex: "#ff0000", EN: "Red", TR: "Kırmızı", Share: 0.5}},
		want:   map[string]string{"": "Colgate Beyazlatıcı Diş Macunu 75 ml"}},
	{name: "cat food", product: messages.Product{Name: "Yetişkin Kedi Maması Tavuklu 1,5 kg", Brand: "Pro Plan",
		Category: "Pet Shop > Kedi > Kedi Maması"},
		want: map[string]string{"": "Pro Plan Yetişkin Kedi Maması Tavuklu 1,5 kg"}},
	{name: "yoga mat", product: messages.Product{Name: "Yoga Matı 6 mm Kaymaz Taşıma Askılı", Brand: "Decathlon",
		Category: "Spor > Fitness", Attributes: map[string]string{"Renk": "Mor", "Ebat": "183x61 cm"}},
		want: map[string]string{"": "Decathlon Yoga Matı 6 mm Kaymaz Taşıma Askılı 183x61 cm Mor"}},
	{name: "tent", product: messages.Product{Name: "4 Kişilik Kamp Çadırı Su Geçirmez", Brand: "Quechua",
		Category: "Outdoor > Kamp", Attributes: map[string]string{"Renk": "Yeşil"}},
		want: map[string]string{"": "Quechua 4 Kişilik Kamp Çadırı Su Geçirmez Yeşil"}},
	{name: "kids bike", product: messages.Product{Name: "Çocuk Bisikleti 16 Jant Yardımcı Tekerlekli", Brand: "Bisan",
		Category: "Spor > Bisiklet", Attributes: map[string]string{"Renk": "Kırmızı"}},
		want: map[string]string{"": "Bisan Çocuk Bisikleti 16 Jant Yardımcı Tekerlekli Kırmızı"}},
	{name: "novel", product: messages.Product{Name: "Suç ve Ceza - Fyodor Dostoyevski", Brand: "İş Bankası Kültür Yayınları",
		Category: "Kitap > Roman"},
		colors: []messages.Color{{Hex: "#1a237e", EN: "Navy", TR: "Lacivert", Share: 0.4}},
		want:   map[string]string{"": "İş Bankası Kültür Yayınları Suç ve Ceza - Fyodor Dostoyevski"}},
	{name: "wafers", product: messages.Product{Name: "Çikolatalı Gofret 36'lı Paket", Brand: "Ülker",
		Category: "Gıda > Atıştırmalık"},
		colors: []messages.Color{{Hex: "#6d4c41", EN: "Brown", TR: "Kahverengi", Share: 0.5}},
		want:   map[string]string{"": "Ülker Çikolatalı Gofret 36'lı Paket"}},
	{name: "shouted shawl", product: messages.Product{Name: "ŞAL DESENLİ PAMUKLU", Brand: "Aker",
		Category: "Aksesuar > Şal", Attributes: map[string]string{"Renk": "Lacivert"}},
		want: map[string]string{"": "Aker Şal Desenli Pamuklu Lacivert"}},
	{name: "sneaker with colour twice", product: messages.Product{Name: "Kadın Spor Ayakkabı Beyaz Sneaker Hafif Taban", Brand: "Skechers",
		Category: "Ayakkabı > Spor Ayakkabı", Attributes: map[string]string{"Renk": "Beyaz", "Numara": "38"}},
		want: map[string]string{"": "Skechers Kadın Spor Ayakkabı Beyaz Sneaker Hafif Taban 38"}},
	{name: "watch", product: messages.Product{Name: "Erkek Kol Saati Çelik Kordon Su Geçirmez", Brand: "Casio",
		Category: "Aksesuar > Saat", Attributes: map[string]string{"Model": "MTP-1302D", "Renk": "Gümüş"}},
		want: map[string]string{"": "Casio Erkek Kol Saati Çelik Kordon Su Geçirmez MTP-1302D Gümüş"}},
	{name: "smart watch", product: messages.Product{Name: "Akıllı Saat Nabız Ölçer Bluetooth Arama", Brand: "Huawei",
		Category: "Elektronik > Giyilebilir Teknoloji > Akıllı Saat", Attributes: map[string]string{"Model": "Watch GT 4", "Renk": "Siyah"}},
		want: map[string]string{"": "Huawei Akıllı Saat Nabız Ölçer Bluetooth Arama Watch GT 4 Siyah"}},
	{name: "food processor", product: messages.Product{Name: "Mutfak Robotu 1000W Doğrayıcı Blender Seti", Brand: "Arzum",
		Category: "Ev > Mutfak > Mutfak Robotu", Attributes: map[string]string{"Renk": "Beyaz"}},
		want: map[string]string{"": "Arzum Mutfak Robotu 1000W Doğrayıcı Blender Seti Beyaz"}},
	{name: "hair dryer", product: messages.Product{Name: "Saç Kurutma Makinesi 2200 W İyonik", Brand: "Philips",
		Category: "Elektronik > Kişisel Bakım Aletleri > Saç Kurutma Makinesi", Attributes: map[string]string{"Renk": "Siyah"}},
		want: map[string]string{"": "Philips Saç Kurutma Makinesi 2200 W İyonik Siyah"}},
	{name: "light bulbs", product: messages.Product{Name: "LED Ampul 9W E27 Duy 10'lu Paket", Brand: "Osram",
		Category: "Ev > Aydınlatma > Ampul", Attributes: map[string]string{"Işık Rengi": "Gün Işığı"}},
		want: map[string]string{"": "Osram LED Ampul 9W E27 Duy 10'lu Paket"}},
	{name: "wet wipes lower case", product: messages.Product{Name: "ıslak mendil 72 yaprak 12'li paket", Brand: "Sleepy",
		Category: "Anne & Bebek > Islak Mendil"},
		want: map[string]string{"": "Sleepy Islak Mendil 72 Yaprak 12'li Paket"}},
	{name: "ipad case", product: messages.Product{Name: "ipad air 5. nesil uyumlu kılıf standlı", Brand: "Fuchsia",
		Category: "Elektronik > Tablet Aksesuarları > Kılıf", Attributes: map[string]string{"Renk": "Lacivert"}},
		want: map[string]string{"": "Fuchsia iPad Air 5. Nesil Uyumlu Kılıf Standlı Lacivert"}},
	{name: "rug", product: messages.Product{Name: "Halı Yıkanabilir Kaymaz Taban 120x180", Brand: "Bahariye",
		Category: "Ev > Ev Tekstili > Halı", Attributes: map[string]string{"Renk": "Krem"}},
		want: map[string]string{"": "Bahariye Halı Yıkanabilir Kaymaz Taban 120x180 Krem"}},
	{name: "duvet cover", product: messages.Product{Name: "Nevresim Takımı Çift Kişilik %100 Pamuk Ranforce", Brand: "English Home",
		Category: "Ev > Ev Tekstili > Nevresim", Attributes: map[string]string{"Renk": "Gri"}},
		want: map[string]string{"": "English Home Nevresim Takımı Çift Kişilik %100 Pamuk Ranforce Gri"}},
	{name: "seller entities", product: messages.Product{Name: "Revitalift Yaşlanma Karşıtı Gece Kremi 50 ml", Brand: "L&#39;Oréal Paris",
		Category: "Kozmetik > Cilt Bakımı", Keywords: []string{"gece kremi", "kırışıklık karşıtı"}},
		want: map[string]string{"": "L'Oréal Paris Revitalift Yaşlanma Karşıtı Gece Kremi 50 ml"}},
	{name: "case with the model only in its attributes", product: messages.Product{Name: "Şeffaf Silikon Kılıf Kamera Korumalı", Brand: "Spigen",
		Category: "Elektronik > Telefon Aksesuarları > Kılıf", Attributes: map[string]string{"Uyumlu Model": "iPhone 15 Pro", "Materyal": "TPU", "Renk": "Şeffaf"}},
		want: map[string]string{"": "Spigen Şeffaf Silikon Kılıf Kamera Korumalı iPhone 15 Pro Uyumlu TPU"}},
	{name: "long t-shirt name", product: messages.Product{Name: "Kadın Kısa Kollu Bisiklet Yaka Basic Pamuklu Tişört Yazlık Rahat Kesim Günlük Kullanım İçin İdeal Şık Tasarım", Brand: "Trendyol Collection",
		Category: "Giyim > Kadın > Tişört", Attributes: map[string]string{"Renk": "Siyah", "Beden": "S", "Materyal": "%100 Pamuk"}},
		want: map[string]string{
			messages.Trendyol: "Trendyol Collection Kadın Kısa Kollu Bisiklet Yaka Basic Pamuklu Tişört Yazlık %100 Pamuk Siyah",
			"":                "Trendyol Collection Kadın Kısa Kollu Bisiklet Yaka Basic Pamuklu Tişört Yazlık Rahat Kesim Günlük Kullanım için İdeal Şık Tasarım %100 Pamuk Siyah S",
		}},
	{name: "plush toy with the seller's colour", product: messages.Product{Name: "Peluş Ayıcık 40 cm", Brand: "Neco Toys",
		Category: "Oyuncak > Peluş Oyuncak", Attributes: map[string]string{"Renk": "Krem"}},
		colors: []messages.Color{{Hex: "#ffffff", EN: "White", TR: "Beyaz", Share: 0.6}},
		want:   map[string]string{"": "Neco Toys Peluş Ayıcık 40 cm Oyuncak Krem"}},
	{name: "puzzle with a photo colour only", product: messages.Product{Name: "Ahşap Yapboz 24 Parça", Brand: "Hamaha",
		Category: "Oyuncak > Eğitici Oyuncak"},
		colors: []messages.Color{{Hex: "#c62828", EN: "Red", TR: "Kırmızı", Share: 0.5}},
		want:   map[string]string{"": "Hamaha Ahşap Yapboz 24 Parça Oyuncak"}},
	{name: "mug with a photo colour", product: messages.Product{Name: "Seramik Kupa 350 ml", Brand: "Paşabahçe",
		Category: "Ev > Mutfak"},
		colors: []messages.Color{{Hex: "#b22222", EN: "Red", TR: "Kırmızı", Share: 0.6}},
		want:   map[string]string{"": "Paşabahçe Seramik Kupa 350 ml Kırmızı"}},
	{name: "long laptop name", product: messages.Product{Name: "VivoBook 15 X1502ZA Intel Core i5 1235U 16GB RAM 512GB SSD 15.6 inç FHD Windows 11 Home Dizüstü Bilgisayar Ofis ve Öğrenci İçin İdeal", Brand: "ASUS",
		Category: "Elektronik > Bilgisayar > Laptop", Attributes: map[string]string{"Renk": "Gümüş"}},
		want: map[string]string{
			messages.Trendyol: "ASUS VivoBook 15 X1502ZA Intel Core i5 1235U 16GB RAM 512GB SSD 15.6 inç FHD Dizüstü Bilgisayar",
			"":                "ASUS VivoBook 15 X1502ZA Intel Core i5 1235U 16GB RAM 512GB SSD 15.6 inç FHD Windows 11 Home Dizüstü Bilgisayar Ofis ve Öğrenci için İdeal Gümüş",
		}},
}

// sellerListings are the listings of the default configuration.
var sellerListings = []string{messages.Trendyol, messages.Hepsiburada, amazonTR}

// quotedDefects are what issue 10 found in titles; none may appear in any text.
var quotedDefects = []string{
	"İphone", "İpad", "Airpods", "Aırpods", "Usb-C", "Usb-c", "400 Ml", "Kulaklik", "Elvıve", "&#39;", "&amp;#",
	"Yüz Kremi 50 ml Beyaz", "11013 Oyuncak Beyaz", "Çocuk Oyuncak Bebek Arabası", "Earbuds with Charging Case Bluetooth 5.3 Kulaklık",
}

// TestSellerTitles writes every seller product for every marketplace and checks the
// title written by hand, every marketplace rule, and that no quoted defect is back.
func TestSellerTitles(t *testing.T) {
	require.GreaterOrEqual(t, len(sellerProducts), 40)
	all := listings(t)
	checked := 0
	for _, tt := range sellerProducts {
		for _, m := range sellerListings {
			t.Run(tt.name+"/"+m, func(t *testing.T) {
				r := all[m]
				require.Equal(t, Turkish, r.Language)
				want, ok := tt.want[m]
				if !ok {
					want = tt.want[""]
				}
				require.NotEmpty(t, want, "a title is written for %s", m)
				text, rep := Generate(tt.product, tt.colors, r)
				require.NotEqual(t, StatusFail, rep.Status, rep.Notes)
				assert.Equal(t, want, text.Title)
				assertRules(t, r, tt.product, text)
				assert.Empty(t, CheckBrand(text, r, tt.product.Brand), "the checker agrees")
				for _, field := range append([]string{text.Title, text.Description}, append(text.Bullets, text.Keywords...)...) {
					for _, d := range quotedDefects {
						assert.NotContains(t, field, d)
					}
				}
				checked++
			})
		}
	}
	assert.Equal(t, len(sellerProducts)*len(sellerListings), checked, "every product on every marketplace")
}

// TestSellerColours: a colour reaches a title only from the seller's colour attribute
// or from a separated photo, and never where the category's colour means nothing.
func TestSellerColours(t *testing.T) {
	r := listings(t)[messages.Trendyol]
	white := []messages.Color{{Hex: "#ffffff", EN: "White", TR: "Beyaz", Share: 0.8}}
	tests := []struct {
		name     string
		category string
		attrs    map[string]string
		colors   []messages.Color
		colour   string // in the title, "" for none
	}{
		{"kitchen, photo", "Ev > Mutfak", nil, white, "Beyaz"},
		{"kitchen, seller over photo", "Ev > Mutfak", map[string]string{"Renk": "Lacivert"}, white, "Lacivert"},
		{"kitchen, no photo colour", "Ev > Mutfak", nil, nil, ""},
		{"toys take the seller's colour", "Oyuncak", map[string]string{"Renk": "Krem"}, white, "Krem"},
		{"toys take no photo colour", "Oyuncak", nil, white, ""},
		{"face cream: no photo colour", "Kozmetik > Cilt Bakımı > Yüz Kremi", nil, white, ""},
		{"face cream: no seller colour either", "Kozmetik > Cilt Bakımı > Yüz Kremi", map[string]string{"Renk": "Beyaz"}, nil, ""},
		{"books", "Kitap > Roman", nil, white, ""},
		{"food", "Gıda > Atıştırmalık", nil, white, ""},
		{"lipstick: colour is the shade", "Kozmetik > Makyaj > Ruj", map[string]string{"Renk": "Kırmızı"}, white, "Kırmızı"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := messages.Product{Name: "Ürün Adı", Brand: "Marka", Category: tt.category, Attributes: tt.attrs}
			text, rep := Generate(p, tt.colors, r)
			require.NotEqual(t, StatusFail, rep.Status, rep.Notes)
			found := ""
			for _, c := range colours {
				if strings.Contains(text.Title, c.tr) {
					found = c.tr
				}
			}
			assert.Equal(t, tt.colour, found, "title %q", text.Title)
			// the seller's colour is a fact the description still states
			if c := tt.attrs["Renk"]; c != "" {
				assert.Contains(t, text.Description, "Renk:</strong> "+c)
			}
		})
	}
}

// TestSellerFields: the quoted keyword fragments and entities are gone, whole phrases
// from the product in their place.
func TestSellerFields(t *testing.T) {
	byName := map[string]messages.Product{}
	for _, p := range sellerProducts {
		byName[p.name] = p.product
	}
	amazon := listings(t)[amazonTR]
	tests := []struct {
		product  string
		keywords []string
		desc     string // in Amazon's description
	}{
		// not "tüm tipleri" once "Saç" is in the title: the phrase is in the title whole
		{"elvive shampoo", []string{"günlük şampuan", "kozmetik", "saç bakımı"}, "L'Oréal Paris Elvive Tüm Saç Tipleri için Şampuan 400 ml."},
		// not "15 pro", not "tpu"
		{"iphone case written in lower case", []string{"darbe emici kılıf", "telefon aksesuarları"}, "Uyumlu Model: iPhone 15 Pro"},
		// not "yüz"
		{"face cream with a white photo", []string{"kuru ciltler", "kozmetik", "cilt bakımı"}, "Nivea Nemlendirici Yüz Kremi 50 ml."},
		// the seller's "L&#39;Oréal" is decoded once, not escaped again
		{"seller entities", []string{"kırışıklık karşıtı", "kozmetik", "cilt bakımı"}, "L'Oréal Paris Revitalift"},
	}
	for _, tt := range tests {
		t.Run(tt.product, func(t *testing.T) {
			p, ok := byName[tt.product]
			require.True(t, ok)
			text, _ := Generate(p, nil, amazon)
			assert.Equal(t, tt.keywords, text.Keywords)
			assert.Contains(t, text.Description, tt.desc)
			assert.NotContains(t, text.Description, "&#")
			assert.NotContains(t, text.Description, "&amp;")
			// on Trendyol, whose description is HTML, only & < > are escaped
			ty, _ := Generate(p, nil, listings(t)[messages.Trendyol])
			assert.NotContains(t, ty.Description, "&#39;")
		})
	}
}
