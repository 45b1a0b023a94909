package taxonomy

import (
	"strings"
)

// Synonym groups, folded: every word or phrase of a group means the same to a seller.
// The first entry of a group is its canonical form. Categories, attribute names and
// attribute values each have their own groups, so "bot" the boot never meets "bot"
// anywhere else.
var (
	categoryGroups = groups(
		"tisort|t shirt|tshirt|tee|t short|tisort",
		"spor ayakkabi|sneaker|sneakers|kosu ayakkabisi|running shoes|spor ayakkabisi",
		"ayakkabi|shoes|shoe|footwear",
		"topuklu ayakkabi|topuklu|stiletto|heels|high heels|abiye ayakkabi",
		"bot|cizme|boots|boot|bootie|postal",
		"jean|kot|kot pantolon|denim|jeans|jean pantolon",
		"pantolon|pants|trousers",
		"sweatshirt|sweat|hoodie|kapusonlu|kapsonlu",
		"elbise|dress|abiye",
		"canta|bag|bags",
		"omuz cantasi|shoulder bag|el cantasi|handbag|kol cantasi",
		"sirt cantasi|backpack|rucksack|okul cantasi",
		"cuzdan|wallet|kartlik|purse",
		"yuz kremi|nemlendirici|face cream|moisturizer|moisturiser|cilt kremi|nemlendirici krem",
		"sampuan|shampoo",
		"ruj|lipstick|dudak boyasi|likit ruj",
		"parfum|perfume|edp|edt|eau de parfum|eau de toilette|fragrance",
		"telefon kilifi|kilif|phone case|telefon kapagi|cellular phone case",
		"sarj cihazi|sarj aleti|charger|adaptor|sarj adaptoru|hizli sarj",
		"ekran koruyucu|screen protector|cam ekran koruyucu|temperli cam|kirilmaz cam",
		"kulaklik|headphones|earbuds|earphones|headset|kulak ici kulaklik|kablosuz kulaklik|bluetooth kulaklik",
		"akilli saat|smartwatch|smart watch",
		"powerbank|power bank|tasinabilir sarj cihazi|tasinabilir sarj|harici batarya",
		"kahve makinesi|coffee machine|coffee maker|espresso makinesi|filtre kahve makinesi",
		"turk kahvesi makinesi|turk kahve makinesi",
		"tencere seti|tencere|cookware|cookware set|tencere takimi",
		"nevresim takimi|nevresim|duvet cover|nevresim seti|yatak takimi",
		"kupa|mug|bardak|fincan",
		"yapi oyuncaklari|lego|yapi seti|building set|building blocks|yapi blogu",
		"yapboz|puzzle|jigsaw|jigsaw puzzle",
		"oyuncak bebek|doll|bebek oyuncak|barbie",
		"oyuncak|toy|toys",
		"bebek bezi|diaper|diapers|cocuk bezi",
		"biberon|baby bottle|feeding bottle",
		"bebek arabasi|stroller|puset|baston puset",
		"yoga mati|yoga mat|pilates minderi|pilates mati|egzersiz mati|yoga minderi|exercise mat",
		"dambil|dumbbell|dumbell|agirlik seti|halter",
		"matara|water bottle|suluk|spor sisesi|termos",
		"giyim|clothing|apparel|kiyafet",
		"kozmetik|cosmetics|beauty|guzellik",
		"elektronik|electronics",
		"spor|sports|sport|fitness",
	)
	attributeGroups = groups(
		"renk|color|colour|renkler|web color",
		"beden|size|boyut|giysi bedeni|apparel size",
		"numara|ayakkabi numarasi|shoe size|footwear size|footwear_size",
		"cinsiyet|gender|department|bolum|hedef kitle",
		"materyal|malzeme|material|kumas|kumas tipi|fabric|materyal bileseni",
		"mensei|origin|country of origin|country_of_origin|uretim yeri|uretildigi ulke",
		"hacim|volume|ml|item volume|item_volume|icerik miktari",
		"kapasite|capacity",
		"yas grubu|age|yas|age range|age_range|age range description|age_range_description|yas araligi",
		"uyumlu marka|compatible brand|marka uyumu|uyumlu telefon markasi",
		"uyumlu model|compatible model|model|compatible phone models|compatible_phone_models|uyumlu telefon modeli",
		"baglanti|connectivity|baglanti tipi|connectivity technology|connectivity_technology|baglanti turu",
		"garanti suresi|warranty|garanti",
		"agirlik|weight|item weight|item_weight",
		"kalinlik|thickness",
		"parca sayisi|pieces|parca|number of pieces|number_of_pieces",
		"cilt tipi|skin type|skin_type",
		"sac tipi|hair type|hair_type",
	)
	valueGroups = groups(
		// colours
		"siyah|black|kara", "beyaz|white", "lacivert|navy|navy blue|lacivert mavi|dark blue",
		"kirmizi|red", "mavi|blue", "yesil|green", "sari|yellow", "turuncu|orange",
		"mor|purple|violet", "pembe|pink", "gri|grey|gray", "kahverengi|brown|kahve",
		"bej|beige", "ekru|ecru|off white|kirik beyaz", "haki|khaki", "bordo|burgundy|maroon|bordeaux",
		"altin|gold|golden", "gumus|silver", "cok renkli|multicolor|multicolour|multi color|renkli|multi",
		"seffaf|transparent|clear", "krem|cream", "lila|lilac", "antrasit|anthracite|charcoal",
		"fusya|fuchsia", "turkuaz|turquoise", "vizon|mink", "taba|tan", "indigo|indigo blue",
		// genders
		"kadin|women|woman|female|bayan|kadin giyim|womens", "erkek|men|man|male|bay|mens",
		"unisex|kadin erkek", "kiz cocuk|girls|girl|kiz", "erkek cocuk|boys|boy",
		"bebek|baby|infant",
		// sizes
		"xs|extra small|x small", "s|small|kucuk", "m|medium|orta", "l|large|buyuk", "xl|extra large|x large",
		"xxl|2xl|xx large", "xxxl|3xl|xxx large",
		// origins
		"tr|turkiye|turkey|turk|made in turkey|yerli", "cn|cin|china|prc|made in china",
		"de|almanya|germany", "it|italya|italy", "fr|fransa|france", "us|abd|usa|united states",
		"kr|guney kore|korea|south korea", "jp|japonya|japan", "vn|vietnam", "in|hindistan|india",
		"bd|banglades|bangladesh", "es|ispanya|spain", "pt|portekiz|portugal", "pl|polonya|poland",
		// materials
		"pamuk|cotton|%100 pamuk|100 pamuk|koton", "polyester|polyester kumas", "deri|leather|hakiki deri|genuine leather",
		"suni deri|faux leather|vegan deri|pu deri|pu", "silikon|silicone", "tpu|termoplastik poliuretan",
		"plastik|plastic", "metal", "paslanmaz celik|stainless steel|celik|steel", "cam|glass|temperli cam",
		"alüminyum|aluminum|aluminium|aluminyum", "seramik|ceramic|porselen|porcelain", "ahsap|wood|wooden|tahta",
		"kanvas|canvas", "yun|wool", "keten|linen", "saten|satin", "kadife|velvet", "naylon|nylon",
		"granit|granite", "dokum|cast iron|dokum demir", "tefal|teflon|yapismaz",
		// connectivity and connectors
		"bluetooth|kablosuz|wireless", "kablolu|wired|kablo",
		"usb type c|usb c|type c|usb tip c|usb c tipi", "lightning|apple lightning", "micro usb|mikro usb",
		// yes and no
		"evet|yes|var|true", "hayir|no|yok|false",
	)
)

type group struct {
	canon string
	words []string
}

// groups parses "a|b|c" lines; index maps each folded word to its group's canonical form.
func groups(lines ...string) map[string]string {
	index := map[string]string{}
	for _, l := range lines {
		words := strings.Split(l, "|")
		canon := Fold(words[0])
		for _, w := range words {
			if f := Fold(w); f != "" {
				if _, taken := index[f]; !taken {
					index[f] = canon
				}
			}
		}
	}
	return index
}

// canonical is the canonical form of a folded phrase within a set of groups (the
// phrase itself when no group has it).
func canonical(index map[string]string, folded string) string {
	if c, ok := index[folded]; ok {
		return c
	}
	return folded
}

// words splits a folded text into words, each reduced to a light stem.
func words(folded string) []string {
	if folded == "" {
		return nil
	}
	return strings.Fields(folded)
}

// sameWord reports whether two folded words are one word in different Turkish forms:
// equal, or one is the other plus a short suffix (kilif/kilifi, canta/cantasi,
// oyuncak/oyuncaklari) when the shorter has at least four letters.
func sameWord(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	return len(a) >= 4 && strings.HasPrefix(b, a) && len(b)-len(a) <= 4
}

// phrases are the canonical phrases of a folded text, read left to right taking the
// longest run of up to four words a group knows ("kot pantolon" is one phrase, jean,
// not kot and pantolon); a word no group knows stands for itself.
func phrases(index map[string]string, folded string) []string {
	ws := words(folded)
	var out []string
	for i := 0; i < len(ws); {
		n := min(4, len(ws)-i)
		for ; n > 1; n-- {
			if _, ok := index[strings.Join(ws[i:i+n], " ")]; ok {
				break
			}
		}
		out = append(out, canonical(index, strings.Join(ws[i:i+n], " ")))
		i += n
	}
	return out
}

// broader maps a category concept to the broader one it is a kind of: a sneaker is a
// shoe, so a marketplace with only "Ayakkabı" takes it there.
var broader = map[string]string{
	"spor ayakkabi": "ayakkabi", "topuklu ayakkabi": "ayakkabi", "bot": "ayakkabi",
	"jean": "pantolon", "omuz cantasi": "canta", "sirt cantasi": "canta",
	"tisort": "giyim", "elbise": "giyim", "sweatshirt": "giyim", "pantolon": "giyim",
	"yapi oyuncaklari": "oyuncak", "yapboz": "oyuncak", "oyuncak bebek": "oyuncak",
	"turk kahvesi makinesi": "kahve makinesi",
}

// units are words a product name ends with that are not what the product is: a
// number's unit or count ("350 ml", "76 Adet", "4 Numara").
var units = map[string]bool{
	"ml": true, "l": true, "lt": true, "litre": true, "kg": true, "g": true, "gr": true, "mm": true, "cm": true,
	"m": true, "gb": true, "tb": true, "mah": true, "w": true, "adet": true, "parca": true, "numara": true,
	"li": true, "lu": true, "x": true, "nesil": true, "pro": true, "plus": true, "max": true, "mini": true,
}

// head is the word a Turkish product name is about: its last word that is neither a
// number nor a unit ("Nemlendirici Mat Ruj 04" is a Ruj, "Porselen Kupa 350 ml" a Kupa).
func head(ws []string) string {
	for i := len(ws) - 1; i >= 0; i-- {
		if w := ws[i]; !units[w] && strings.Trim(w, "0123456789") != "" && strings.IndexAny(w, "0123456789") < 0 {
			return w
		}
	}
	return ""
}
