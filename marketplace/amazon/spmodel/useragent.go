package spmodel

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxUserAgent is the longest User-Agent header, in characters, the SP-API takes: it
// refuses longer ones. [C S-AZ2]
const MaxUserAgent = 500

// ErrUserAgent is wrapped by ValidateUserAgent's errors.
var ErrUserAgent = errors.New("the User-Agent header must read AppName/AppVersion (Language=LanguageName[/Version]; Attribute=Value…)")

// ValidateUserAgent checks a User-Agent header against the form the SP-API asks every
// request to carry [C S-AZ2, "Include a User-Agent header in all requests"]: the
// application's name, a slash, its version, a space and, in parentheses, attributes
// Name=Value separated by semicolons, of which Language is required
// ("My Selling Tool/2.0 (Language=Java/1.8.0.221; Platform=Windows/10)"); at most
// MaxUserAgent characters. A backslash quotes the next character: a slash in the name,
// an opening parenthesis in the version, an equals sign in an attribute name, a closing
// parenthesis or semicolon in a value, and itself.
func ValidateUserAgent(ua string) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s", ErrUserAgent, fmt.Sprintf(format, args...))
	}
	switch n := utf8.RuneCountInString(ua); {
	case strings.TrimSpace(ua) == "":
		return bad("the request has none")
	case n > MaxUserAgent:
		return bad("it is %d characters long; at most %d are taken", n, MaxUserAgent)
	}
	name, rest, ok := cutUnquoted(ua, '/')
	if !ok {
		return bad("%q has no slash between the application's name and version", ua)
	}
	if strings.TrimSpace(name) == "" {
		return bad("%q does not start with the application's name", ua)
	}
	version, rest, ok := cutUnquoted(rest, '(')
	if !ok {
		return bad("%q has no (Language=…) part", ua)
	}
	version, spaced := strings.CutSuffix(version, " ")
	if !spaced {
		return bad("%q has no space between the version and the (Language=…) part", ua)
	}
	if strings.TrimSpace(version) == "" {
		return bad("%q has no application version", ua)
	}
	attrs, tail, ok := cutUnquoted(rest, ')')
	if !ok || tail != "" {
		return bad("%q does not end with the closing parenthesis of its attributes", ua)
	}
	language := false
	for attrs != "" {
		var attr string
		attr, attrs, _ = cutUnquoted(attrs, ';')
		attr = strings.TrimLeft(attr, " ")
		if strings.TrimSpace(attr) == "" {
			continue
		}
		k, v, ok := cutUnquoted(attr, '=')
		switch {
		case !ok || strings.TrimSpace(k) == "":
			return bad("attribute %q is not Name=Value", attr)
		case strings.TrimSpace(v) == "":
			return bad("attribute %s has no value", k)
		case k == "Language":
			language = true
		}
	}
	if !language {
		return bad("%q has no Language attribute", ua)
	}
	return nil
}

// cutUnquoted cuts s around the first sep no backslash quotes.
func cutUnquoted(s string, sep byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case sep:
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}
