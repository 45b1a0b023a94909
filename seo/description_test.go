package seo

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stox-dev/stox/messages"
)

// TestDescriptionFits checks how a description too long for the marketplace gives
// way: attributes from the end first, then the care lines, then the name's words
// from the end, each step noted.
func TestDescriptionFits(t *testing.T) {
	const (
		intro = "Stox Keten Gömlek."
		full  = intro + " The product's details are listed below.<br><br>Material: Linen<br>Color: Navy" +
			"<br><br>Care and use:<br>Follow the washing instructions on the label."
		oneAttribute = intro + " The product's details are listed below.<br><br>Material: Linen" +
			"<br><br>Care and use:<br>Follow the washing instructions on the label."
	)
	items := []item{{"Material", "Linen"}, {"Color", "Navy"}}
	tests := []struct {
		name  string
		max   int
		want  string
		notes []string
	}{
		{"fits", runeLen(full), full, nil},
		{"last attribute left out", runeLen(full) - 1, oneAttribute,
			[]string{"description: left out 1 attributes to fit 165 characters"}},
		{"care lines left out", runeLen(intro), intro, []string{
			"description: left out 2 attributes to fit 18 characters",
			"description: left out the care lines to fit 18 characters",
		}},
		{"name shortened", runeLen("Stox Keten."), "Stox Keten.", []string{
			"description: left out 2 attributes to fit 11 characters",
			"description: left out the care lines to fit 11 characters",
			"description: shortened the name to fit 11 characters",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := rulesOf(t, messages.Amazon)
			r.DescriptionMax = tt.max
			g := generator{r: r, lang: English, brand: "Stox", tpl: templateFor("Giyim > Erkek > Gömlek")}
			assert.Equal(t, tt.want, g.description([]string{"Keten", "Gömlek"}, items))
			assert.Equal(t, tt.notes, g.notes)
		})
	}
}
