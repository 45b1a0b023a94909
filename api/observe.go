package api

import (
	"net/http"
	"slices"
	"strings"
	"time"
)

// Observe hears of every answered request: route is the path of the mux pattern
// that served it ("/v1/products/{id}"), "other" when none matched; code is the
// status sent. Metrics count and time requests with it.
type Observe func(route, method string, code int, took time.Duration)

// Route is one of the API's routes: its method, its pattern's path and the status
// of its success.
type Route struct {
	Method, Path string
	Code         int
}

// routes are the routes New registers; TestRoutesListed checks the two agree.
var routes = []Route{
	{http.MethodPost, "/v1/products", http.StatusAccepted},
	{http.MethodGet, "/v1/products/{id}", http.StatusOK},
	{http.MethodGet, "/v1/products", http.StatusOK},
	{http.MethodGet, "/v1/products/{sku}/stock", http.StatusOK},
	{http.MethodPut, "/v1/products/{sku}/stock", http.StatusOK},
	{http.MethodPut, "/v1/products/{id}/listings/{marketplace}/input", http.StatusOK},
	{http.MethodPut, "/v1/products/{id}/texts/{marketplace}", http.StatusOK},
	{http.MethodPost, "/v1/products/{id}/listings/{marketplace}/resubmit", http.StatusAccepted},
	{http.MethodGet, "/v1/mappings", http.StatusOK},
	{http.MethodPut, "/v1/mappings", http.StatusOK},
	{http.MethodDelete, "/v1/mappings", http.StatusNoContent},
	{http.MethodGet, "/v1/taxonomy/{marketplace}/categories", http.StatusOK},
	{http.MethodGet, "/v1/taxonomy/{marketplace}/categories/{id}", http.StatusOK},
	{http.MethodGet, "/images/{key}", http.StatusOK},
	{http.MethodGet, "/healthz", http.StatusOK},
	{http.MethodPost, "/v1/imports", http.StatusAccepted},
	{http.MethodGet, "/v1/imports/{id}", http.StatusOK},
	{http.MethodGet, "/v1/imports/template.csv", http.StatusOK},
	{http.MethodGet, "/v1/imports/template.xlsx", http.StatusOK},
	{http.MethodGet, "/openapi.json", http.StatusOK},
}

// Routes lists the API's routes, so their metrics can exist before the first request.
func Routes() []Route { return slices.Clone(routes) }

// observed is a, telling observe (when set) of every answer.
func (a *api) observed(observe Observe) http.Handler {
	if observe == nil {
		return a
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		route := "other"
		if _, pattern := a.mux.Handler(r); pattern != "" {
			route = pattern[strings.IndexByte(pattern, ' ')+1:]
		}
		sw := &statusWriter{ResponseWriter: w}
		a.ServeHTTP(sw, r)
		observe(route, r.Method, sw.code(), time.Since(start))
	})
}

// statusWriter remembers the status a handler sent.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (body pacing sets read
// deadlines through it).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes a flush on, so a wrapped writer stays a Flusher.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// code is the status sent: 200 when the handler wrote nothing at all.
func (w *statusWriter) code() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}
