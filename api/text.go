package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text the API takes from a request is stored as it came (PostgreSQL's text holds
// neither NUL nor invalid UTF-8) or used to look things up, so text that could not be
// stored is refused where it enters, with a 400 naming the parameter or field, rather
// than failing in the database or being silently replaced.

// wildcardPattern finds the wildcards of a ServeMux pattern: {name} or {name...}.
var wildcardPattern = regexp.MustCompile(`\{([^}.]+)(?:\.\.\.)?\}`)

// handle registers h for pattern behind a check of its path and query parameters.
func (a *api) handle(pattern string, h http.HandlerFunc) {
	var names []string
	for _, m := range wildcardPattern.FindAllStringSubmatch(pattern, -1) {
		names = append(names, m[1])
	}
	a.patterns = append(a.patterns, pattern)
	a.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var pr problems
		for _, name := range names {
			checkParam(&pr, name, r.PathValue(name))
		}
		checkQuery(&pr, r.URL.RawQuery)
		if !pr.ok() {
			writeProblem(w, pr.problem())
			return
		}
		h(w, r)
	})
}

// checkQuery records a 400 for a query string that does not parse and for every
// parameter name or value that is not text.
func checkQuery(pr *problems, raw string) {
	if raw == "" {
		return
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		pr.add(http.StatusBadRequest, "query", "malformed query string: %v", err)
		return
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if msg := paramProblem(k); msg != "" {
			pr.add(http.StatusBadRequest, "query", "a parameter name %s", msg)
			continue
		}
		for _, v := range q[k] {
			checkParam(pr, k, v)
		}
	}
}

// checkParam records a 400 for a path or query parameter that is not text.
func checkParam(pr *problems, name, value string) {
	if msg := paramProblem(value); msg != "" {
		pr.add(http.StatusBadRequest, name, "%s", msg)
	}
}

// paramProblem says what is wrong with a parameter's (unescaped) value, or "".
func paramProblem(s string) string {
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8: " + strconv.QuoteToASCII(s)
	case strings.ContainsFunc(s, unicode.IsControl):
		return "must not contain control characters: " + strconv.QuoteToASCII(s)
	}
	return ""
}

// checkJSONText records a 400 for every string of a syntactically valid JSON document,
// member names included, that encoding/json would change or the database cannot hold:
// bytes that are not valid UTF-8 or an unpaired surrogate escape (both silently become
// U+FFFD), or a NUL. Each is named by its field: "name", "attributes.color",
// "keywords[2]"; a member name by the object holding it; the document itself is root.
func checkJSONText(data []byte, root string, pr *problems) {
	type frame struct {
		object  bool
		key     string // the current member's name
		index   int    // the current element's index
		wantKey bool
	}
	var stack []*frame
	// pathOf names the value the frames lead to, or root for none.
	pathOf := func(frames []*frame) string {
		var b strings.Builder
		for _, f := range frames {
			switch {
			case f.object && b.Len() > 0:
				b.WriteString("." + f.key)
			case f.object:
				b.WriteString(f.key)
			default:
				fmt.Fprintf(&b, "[%d]", f.index)
			}
		}
		if b.Len() == 0 {
			return root
		}
		return b.String()
	}
	// next moves the innermost container past the value just read.
	next := func() {
		if len(stack) == 0 {
			return
		}
		if f := stack[len(stack)-1]; f.object {
			f.wantKey = true
		} else {
			f.index++
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	start := int64(0)
	for {
		tok, err := dec.Token()
		if err != nil {
			return // the end, or a syntax error the caller's decoding reports
		}
		end := dec.InputOffset()
		raw := data[start:end]
		start = end
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				stack = append(stack, &frame{object: t == '{', wantKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
				next()
			}
		case string:
			if top := len(stack) - 1; top >= 0 && stack[top].object && stack[top].wantKey {
				if msg := stringProblem(raw, t); msg != "" {
					pr.add(http.StatusBadRequest, pathOf(stack[:top]), "a member name %s", msg)
				}
				stack[top].key, stack[top].wantKey = t, false
				continue
			}
			if msg := stringProblem(raw, t); msg != "" {
				pr.add(http.StatusBadRequest, pathOf(stack), "%s", msg)
			}
			next()
		default:
			next()
		}
	}
}

// stringProblem says what is wrong with a JSON string token, or "": raw holds its
// source (perhaps after separators), s what encoding/json decoded.
func stringProblem(raw []byte, s string) string {
	q := bytes.IndexByte(raw, '"')
	if q < 0 || len(raw) < q+2 {
		return ""
	}
	src := raw[q+1 : len(raw)-1]
	switch {
	case !utf8.Valid(src):
		return "is not valid UTF-8"
	case unpairedSurrogate(src):
		return `holds an unpaired surrogate escape (\ud800-\udfff alone), which is not a character`
	case strings.ContainsRune(s, 0):
		return `must not contain NUL (\u0000)`
	}
	return ""
}

// unpairedSurrogate reports whether the source of a JSON string escapes half of a
// UTF-16 surrogate pair without the other half.
func unpairedSurrogate(src []byte) bool {
	// hexAt is the \uXXXX escape at i, or -1.
	hexAt := func(i int) int {
		if i+6 > len(src) || src[i] != '\\' || src[i+1] != 'u' {
			return -1
		}
		n, err := strconv.ParseUint(string(src[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return int(n)
	}
	for i := 0; i < len(src); i++ {
		if src[i] != '\\' {
			continue
		}
		r := hexAt(i)
		switch {
		case r < 0:
			i++ // a two-character escape such as \\ or \"
		case r >= 0xd800 && r < 0xdc00: // high half: a low half must follow
			low := hexAt(i + 6)
			if low < 0xdc00 || low > 0xdfff {
				return true
			}
			i += 11
		case r >= 0xdc00 && r <= 0xdfff:
			return true
		default:
			i += 5
		}
	}
	return false
}
