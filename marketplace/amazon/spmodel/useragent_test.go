package spmodel_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

func TestValidateUserAgent(t *testing.T) {
	for _, tc := range []struct {
		name, ua string
		problem  string // "" when valid
	}{
		{"amazon's example", "My Selling Tool/2.0 (Language=Java/1.8.0.221; Platform=Windows/10)", ""},
		{"amazon's host example", "MyCompanyName/build1611 (Language=Perl; Host=jane.desktop.example.com)", ""},
		{"language without version", "Stox/1.0 (Language=Go)", ""},
		{"language with version", "Stox/1.0 (Language=Go/1.26.8)", ""},
		{"quoted reserved characters", `My\/Tool/1.0\(beta (Language=Go/1.26; Note=a\)b\;c; We\=ird=yes)`, ""},
		{"trailing semicolon", "Stox/1.0 (Language=Go;)", ""},
		{"exactly 500 characters", "Stox/1.0 (Language=Go; Pad=" + strings.Repeat("x", 500-len("Stox/1.0 (Language=Go; Pad=)")) + ")", ""},
		{"missing", "", "has none"},
		{"blank", "   ", "has none"},
		{"501 characters", "Stox/1.0 (Language=Go; Pad=" + strings.Repeat("x", 501-len("Stox/1.0 (Language=Go; Pad=)")) + ")", "501 characters"},
		{"go's default", "Go-http-client/1.1", "no (Language=…) part"},
		{"name only", "Stox", "no slash"},
		{"no name", "/1.0 (Language=Go)", "application's name"},
		{"no version", "Stox/ (Language=Go)", "no application version"},
		{"no space before the attributes", "Stox/1.0(Language=Go)", "no space"},
		{"no closing parenthesis", "Stox/1.0 (Language=Go", "closing parenthesis"},
		{"text after the attributes", "Stox/1.0 (Language=Go) extra", "closing parenthesis"},
		{"no language", "Stox/1.0 (Platform=Linux)", "no Language attribute"},
		{"lowercase language", "Stox/1.0 (language=Go)", "no Language attribute"},
		{"empty language", "Stox/1.0 (Language=)", "has no value"},
		{"attribute without value", "Stox/1.0 (Language=Go; Platform)", "not Name=Value"},
		{"quoted closing parenthesis left open", `Stox/1.0 (Language=Go\)`, "closing parenthesis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := spmodel.ValidateUserAgent(tc.ua)
			if tc.problem == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, spmodel.ErrUserAgent)
			assert.ErrorContains(t, err, tc.problem)
		})
	}
}
