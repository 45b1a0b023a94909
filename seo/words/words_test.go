package words

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSpell(t *testing.T) {
	d := Turkish()
	require.Greater(t, d.Len(), 10000, "the shipped list is loaded")
	tests := []struct {
		key     string // as a shouting seller or an ASCII keyboard writes it, lowercased
		want    string
		turkish bool
	}{
		// issue 10: the dotless ı of shouted Turkish
		{"kulaklik", "kulaklık", true},
		{"kulakliklari", "kulaklıkları", true},
		{"kirmizi", "kırmızı", true},
		{"kadin", "kadın", true},
		{"kilif", "kılıf", true},
		{"kilifi", "kılıfı", true},
		{"ayakkabisi", "ayakkabısı", true},
		{"çantasi", "çantası", true},
		{"bardaklari", "bardakları", true},  // a listed stem and two suffixes
		{"portakalli", "portakallı", true},  // a stem with no i at all still takes ı
		{"siyahi", "siyahı", true},          // i in the stem, ı after it
		{"dolabi", "dolabı", true},          // p softened to b before the suffix
		{"ayaği", "ayağı", true},            // k softened to ğ
		{"saati", "saati", true},            // a loanword against vowel harmony, as listed
		{"işik", "ışık", true},              // typed on a Turkish keyboard in capitals: IŞIK
		{"akilli", "akıllı", true},          // ambiguous pair: akıl, the likelier
		{"pil", "pil", false},               // ambiguous pair: pil (pıl is rarer), spelled as typed
		{"ipek", "ipek", true},              // Turkish: its capital is İ
		{"istanbul", "istanbul", true},      // proper nouns too
		{"bisiklet", "bisiklet", false},     // spelled right with no list: dotted i and front vowels
		{"şarjli", "şarjlı", true},          // a Turkish letter: vowel harmony alone
		{"elvive", "elvive", false},         // issue 10: not Turkish, so no ı
		{"noise", "noise", false},           // English
		{"cancelling", "cancelling", false}, // "can" is Turkish, "celling" no suffix chain
		{"intel", "intel", false},           // "in" + "de" + "l" is no Turkish word
		{"iphone", "iphone", false},         // a name
		{"airpods", "airpods", false},       // a name with a back vowel before the i
		{"audio", "audio", false},           // likewise
		{"wireless", "wireless", false},
	}
	for _, tt := range tests {
		t.Run(tt.key, func(t *testing.T) {
			got, ok := d.Spell(tt.key)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.turkish, ok)
		})
	}
}

func TestKey(t *testing.T) {
	assert.Equal(t, "kulaklik", Key("kulaklık"))
	assert.Equal(t, "işik", Key("ışık"))
	assert.Equal(t, "elvive", Key("elvive"))
}

// TestReduce: the words Reduce leaves out are spelled from the ones it keeps, and the
// first of two spellings with one key wins.
func TestReduce(t *testing.T) {
	in := []string{"kulak", "kulaklık", "kulaklıklar", "kulaklıkları", "pil", "pıl", "dolap", "dolabı",
		"bisiklet", "ipek", "ipekli", "Büyük", "a"}
	out := Reduce(in)
	assert.NotContains(t, out, "kulaklıkları", "a listed stem and suffixes spell it")
	assert.NotContains(t, out, "kulaklıklar")
	assert.NotContains(t, out, "dolabı", "dolap, softened, spells it")
	assert.NotContains(t, out, "bisiklet", "spelled right without the list")
	assert.NotContains(t, out, "pıl", "pil came first")
	assert.NotContains(t, out, "Büyük", "not lower case")
	assert.NotContains(t, out, "a", "too short to be a stem")
	assert.Contains(t, out, "ipek", "its capital is İ: it must be known Turkish")
	assert.Less(t, len(out), len(in))

	d := New(out)
	for _, w := range []string{"kulak", "kulaklık", "kulaklıklar", "kulaklıkları", "pil", "dolap", "dolabı", "bisiklet", "ipek", "ipekli"} {
		got, _ := d.Spell(Key(w))
		assert.Equal(t, w, got, "spelled from the reduced list")
	}
	_, ok := d.Spell("ipek")
	assert.True(t, ok)
}

// TestList: the shipped list is lower-case Turkish words, sorted, one a line.
func TestList(t *testing.T) {
	lines := strings.Split(strings.TrimRight(turkishList, "\n"), "\n")
	require.Greater(t, len(lines), 10000)
	for i, w := range lines {
		require.True(t, isWord(w), "line %d: %q", i+1, w)
		if i > 0 {
			require.Less(t, lines[i-1], w, "line %d: sorted, no repeats", i+1)
		}
	}
}

func TestMorphs(t *testing.T) {
	for _, m := range morphs {
		assert.NotEmpty(t, m.pat)
		assert.True(t, m.afterVowel || m.afterConsonant, "%q follows something", m.pat)
		assert.NotContains(t, m.pat, "(", "%q is written out", m.pat)
	}
	// "(s)I": sı after a vowel, ı after a consonant
	assert.Contains(t, morphs, morph{pat: "sI", slot: slotPossessive, afterVowel: true})
	assert.Contains(t, morphs, morph{pat: "I", slot: slotPossessive, afterConsonant: true})
	rest, ok := suffixes("çanta", "si")
	assert.True(t, ok)
	assert.Equal(t, "sı", rest)
	_, ok = suffixes("kalem", "si") // a vowel-less buffer after a consonant
	assert.False(t, ok)
}
