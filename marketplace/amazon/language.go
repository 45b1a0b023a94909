package amazon

import "strings"

// marketplaceLanguages are the primary language tags of the stores whose marketplace IDs
// Amazon documents, by marketplace ID.
var marketplaceLanguages = map[string]string{
	"A33AVAJ2PDY3EV": "tr_TR", // Turkey
	"A1PA6795UKMFR9": "de_DE", // Germany
	"A1F83G8C2ARO7P": "en_GB", // United Kingdom
	"ATVPDKIKX0DER":  "en_US", // United States
	"A13V1IB3VIYZZH": "fr_FR", // France
	"APJ6JRA9NG5V4":  "it_IT", // Italy
	"A1RKKUPIHCS9HS": "es_ES", // Spain
	"A1805IZSGTT6HS": "nl_NL", // Netherlands
	"A1C3SOZRARQ6R3": "pl_PL", // Poland
	"A2NODRKZP88ZB9": "sv_SE", // Sweden
	"A1VC38T7YXB528": "ja_JP", // Japan
	"A2EUQ1WTGCTBG2": "en_CA", // Canada
	"A1AM78C64UM0Y8": "es_MX", // Mexico
	"A2Q3Y263D00KWC": "pt_BR", // Brazil
	"A39IBJ37TRP1C6": "en_AU", // Australia
	"A21TJRUUN4KGV":  "en_IN", // India
	"A19VAU5U5O7RUS": "en_SG", // Singapore
}

// languageTags are the tags a text in a language gets on a store of another language:
// the language's home country (English: the United Kingdom, as in Amazon's European
// stores).
var languageTags = map[string]string{
	"tr": "tr_TR", "de": "de_DE", "en": "en_GB", "fr": "fr_FR", "it": "it_IT", "es": "es_ES",
	"nl": "nl_NL", "pl": "pl_PL", "sv": "sv_SE", "ja": "ja_JP", "pt": "pt_BR",
}

// LanguageTag is the primary language tag (locale) of an Amazon store: tr_TR for
// Turkey (A33AVAJ2PDY3EV), de_DE for Germany, en_GB for the United Kingdom, en_US for
// the United States…; "" for a marketplace ID it does not know.
func LanguageTag(marketplaceID string) string { return marketplaceLanguages[marketplaceID] }

// languageTag tags a text written in lang ("tr", "de", "tr_TR", "tr-TR" or ""): the text's own
// language wins, in the store's regional form when the store speaks it ("en" on the
// US store is en_US), else in the language's home form; an empty or unknown language
// is the store's.
func (c *Client) languageTag(lang string) string {
	lang = strings.ReplaceAll(strings.TrimSpace(lang), "-", "_")
	switch {
	case lang == "":
		return c.cfg.LanguageTag
	case strings.Contains(lang, "_"):
		return lang
	}
	lang = strings.ToLower(lang)
	if store := c.cfg.LanguageTag; strings.HasPrefix(store, lang+"_") {
		return store
	}
	if tag, ok := languageTags[lang]; ok {
		return tag
	}
	return c.cfg.LanguageTag
}
