package amazon

import (
	"runtime"
	"strings"
)

// DefaultUserAgent names the application as Amazon asks every SP-API request to, with
// the language and its version: Stox/1.0 (Language=Go/1.26.8) for a binary built with
// Go 1.26.8 [C S-AZ2].
var DefaultUserAgent = UserAgent("Stox", "1.0")

// UserAgent is a User-Agent header in the form Amazon documents,
// AppName/AppVersion (Language=Go/GoVersion), for the Go the binary was built with. The
// characters the form reserves are quoted with a backslash, as Amazon asks: a slash in
// the name, an opening parenthesis in the version, a closing parenthesis or a
// semicolon in the language's version.
func UserAgent(app, version string) string {
	quote := func(s, reserved string) string {
		var b strings.Builder
		for _, r := range s {
			if r == '\\' || strings.ContainsRune(reserved, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	goVersion := strings.TrimPrefix(runtime.Version(), "go")
	return quote(app, "/") + "/" + quote(version, "(") + " (Language=Go/" + quote(goVersion, ");") + ")"
}
