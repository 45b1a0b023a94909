package seo

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stox-dev/stox/messages"
)

// TestTitleName checks the name words a title starts from: none left once the
// characters a title may not use are gone, or once the brand's words are, is a reason
// and not a title.
func TestTitleName(t *testing.T) {
	tests := []struct {
		name   string
		words  []string
		want   []string
		reason string
	}{
		{"brand left out", []string{"Stox", "Kupa"}, []string{"Kupa"}, ""},
		{"only the brand", []string{"Stox"}, nil, "title: the name only repeats the brand"},
		{"only pictographs", []string{"★★", "☆"}, nil, "title: the name has no words a title may use"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := generator{r: rulesOf(t, messages.Trendyol), lang: Turkish, brand: "Stox", tpl: templateFor("Mutfak")}
			got, reason := g.titleName(tt.words, map[string]bool{stem(Turkish, "Stox"): true})
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.reason, reason)
		})
	}
}
