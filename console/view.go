package console

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/text/language"
)

// view is what every page template sees: the language, the form token and the page's
// own data.
type view struct {
	Lang   string
	CSRF   string
	Signed bool
	// CanImport shows the import page in the navigation.
	CanImport bool
	// Path is the page's path and query, for the language switch to come back to.
	Path   string
	Page   string
	Error  string
	Notice string
	Data   any
}

// T is the catalogue's string for key in the view's language.
func (v *view) T(key string) string { return text(v.Lang, key) }

// Tf is T with fmt.Sprintf arguments.
func (v *view) Tf(key string, args ...any) string { return fmt.Sprintf(text(v.Lang, key), args...) }

// State is a state's name in the view's language ("state.<name>"), the name itself
// when the catalogue has none.
func (v *view) State(name string) string {
	if s, ok := catalogue[v.Lang]["state."+name]; ok {
		return s
	}
	return name
}

// newView starts the view of a request for session ("" when not signed in).
func (c *console) newView(r *http.Request, session string) *view {
	v := &view{Lang: pickLang(r), Path: r.URL.RequestURI(), Signed: session != "" && len(c.keys) > 0,
		CanImport: c.cfg.Import != nil}
	if session != "" {
		v.CSRF = c.csrf(session)
	}
	v.Notice = noticeText(v, r.URL.Query().Get("done"))
	return v
}

// noticeText is the message a redirect after a POST asks the page to show.
func noticeText(v *view, done string) string {
	if done == "" {
		return ""
	}
	if _, ok := catalogue[v.Lang]["done."+done]; !ok {
		return ""
	}
	return v.T("done." + done)
}

var matcher = language.NewMatcher([]language.Tag{language.Turkish, language.English})

// pickLang is the seller's choice (cookie), else the best of Accept-Language.
func pickLang(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil {
		if _, ok := catalogue[ck.Value]; ok {
			return ck.Value
		}
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return "tr" // the sellers' marketplaces are Turkish
	}
	_, i, _ := matcher.Match(tags...)
	return []string{"tr", "en"}[i]
}

// pageNames are the templates, each rendered inside base.html.
var pageNames = []string{"signin", "error", "products", "product", "stock", "poison", "confirm", "import", "importprogress"}

func parsePages() (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"join": strings.Join,
		// choiceID is the ID of a category or brand candidate offered as "ID: name".
		"choiceID": func(s string) string { id, _, _ := strings.Cut(s, ": "); return id },
		"query":    url.QueryEscape,
		"pct":      func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"num":      func(f float64) string { return fmt.Sprintf("%.1f", f) },
	}
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("base.html").Funcs(funcs).ParseFS(templateFS, "templates/base.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// render writes a page; a template failure is a bug, shown as a bare 500.
func (c *console) render(w http.ResponseWriter, name string, v *view) {
	v.Page = name
	var buf bytes.Buffer
	if err := c.pages[name].Execute(&buf, v); err != nil {
		c.log.Error("console: render "+name, "error", err)
		http.Error(w, "render failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write(buf.Bytes())
}

// urlQueryEscape escapes s for a query value.
func urlQueryEscape(s string) string { return url.QueryEscape(s) }
