package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stox-dev/stox/store"
)

// Problem types (RFC 9457 "type" members) of the errors this API answers with. Errors
// that need nothing beyond their status code (401, 404, 405) use "about:blank".
const (
	// ProblemMalformed (400): the request cannot be read as this API's request: broken
	// multipart, a missing or duplicate product part, an unknown part, malformed JSON, a
	// JSON value of the wrong type, an unknown JSON field, text that is not valid UTF-8
	// or holds a NUL, a bad path or query parameter.
	ProblemMalformed = "urn:stox:problem:malformed-request"
	// ProblemInvalid (422): the request is well-formed but breaks a rule: a missing or
	// out-of-range field, an unknown or duplicate marketplace, the wrong number of
	// photos, a photo that is corrupt or has too many pixels.
	ProblemInvalid = "urn:stox:problem:invalid-product"
	// ProblemTooLarge (413): a photo or the whole request is larger than allowed.
	ProblemTooLarge = "urn:stox:problem:too-large"
	// ProblemUnsupportedMedia (415): the request is not multipart/form-data, or a photo
	// is not a JPEG, PNG, GIF or WebP image (judged by its bytes alone), and nothing
	// else is wrong with it.
	ProblemUnsupportedMedia = "urn:stox:problem:unsupported-media-type"
	// ProblemTimeout (408): the request body arrived too slowly.
	ProblemTimeout = "urn:stox:problem:request-timeout"
	// ProblemUnavailable (503): the pipeline or the stock ledger did not take the
	// product or the stock change; retry after the Retry-After delay.
	ProblemUnavailable = "urn:stox:problem:pipeline-unavailable"
	// ProblemDatabaseUnavailable (503): the database cannot be reached or cannot serve
	// now; retry after the Retry-After delay.
	ProblemDatabaseUnavailable = "urn:stox:problem:database-unavailable"
	// ProblemBusy (503): the server is holding as many uploads in memory as it may;
	// retry after the Retry-After delay.
	ProblemBusy = "urn:stox:problem:busy"
	// ProblemInternal (500): the server failed; the request may be retried.
	ProblemInternal = "urn:stox:problem:internal"
)

// problemContentType is the media type of RFC 9457 problem details in JSON.
const problemContentType = "application/problem+json"

// Problem is an RFC 9457 problem details body, the answer to every failed request.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Errors lists every problem found in the request, one per field.
	Errors []FieldError `json:"errors,omitempty"`
}

// FieldError is one problem with one part of a request. Field names a JSON field of the
// product ("sku", "marketplaces[1]", "attributes.color"), a photo ("photos[2]", indexed
// from 0 in upload order), a multipart part, a query parameter or "request".
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// titles are the problem titles by status.
var titles = map[int]string{
	http.StatusBadRequest:            "Malformed request",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusNotFound:              "Not found",
	http.StatusMethodNotAllowed:      "Method not allowed",
	http.StatusRequestTimeout:        "Request timeout",
	http.StatusRequestEntityTooLarge: "Request too large",
	http.StatusUnsupportedMediaType:  "Unsupported media type",
	http.StatusUnprocessableEntity:   "Invalid product",
	http.StatusInternalServerError:   "Internal server error",
	http.StatusServiceUnavailable:    "Pipeline unavailable",
}

// types are the problem types by status.
var types = map[int]string{
	http.StatusBadRequest:            ProblemMalformed,
	http.StatusRequestTimeout:        ProblemTimeout,
	http.StatusRequestEntityTooLarge: ProblemTooLarge,
	http.StatusUnsupportedMediaType:  ProblemUnsupportedMedia,
	http.StatusUnprocessableEntity:   ProblemInvalid,
	http.StatusInternalServerError:   ProblemInternal,
	http.StatusServiceUnavailable:    ProblemUnavailable,
}

// newProblem builds the problem for status with detail and field errors.
func newProblem(status int, detail string, errs ...FieldError) Problem {
	p := Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Errors: errs}
	if t, ok := types[status]; ok {
		p.Type = t
	}
	if t, ok := titles[status]; ok {
		p.Title = t
	}
	return p
}

// writeProblem answers with p as problem+json.
func writeProblem(w http.ResponseWriter, p Problem) {
	h := w.Header()
	h.Del("Content-Length")
	h.Set("Content-Type", problemContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	if p.Status == http.StatusRequestTimeout { // the rest of the body is not worth waiting for
		h.Set("Connection", "close")
	}
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// problems collects what is wrong with a request, so one answer lists every problem.
// Its status is that of the gravest class found, in the order 408, 413, 400, 422: a
// client has to fix the transport (speed, size, syntax) before the rules matter. 415
// is the status only when every problem is an unsupported media type; beside other
// problems, those set it (a photo in a format we do not take beside invalid fields is
// a 422 listing them all), so a bad photo does not pass for the request's only fault.
type problems struct {
	status int
	errs   []FieldError
}

// rank orders the statuses a request's problems may have; higher wins.
var rank = map[int]int{
	http.StatusUnsupportedMediaType:  1,
	http.StatusUnprocessableEntity:   2,
	http.StatusBadRequest:            3,
	http.StatusRequestEntityTooLarge: 4,
	http.StatusRequestTimeout:        5,
}

// add records a problem of class status with field.
func (p *problems) add(status int, field, format string, args ...any) {
	if rank[status] > rank[p.status] {
		p.status = status
	}
	p.errs = append(p.errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// ok reports whether no problem was found.
func (p *problems) ok() bool { return len(p.errs) == 0 }

// problem turns the collected problems into a Problem; detail lists them all.
func (p *problems) problem() Problem {
	lines := make([]string, len(p.errs))
	for i, e := range p.errs {
		lines[i] = e.Field + ": " + e.Message
	}
	detail := strings.Join(lines, "; ")
	if len(p.errs) > 1 {
		detail = fmt.Sprintf("%d problems: %s", len(p.errs), detail)
	}
	return newProblem(p.status, detail, p.errs...)
}

// fail answers a request whose store or blob store call (msg says which) failed with
// err. It is the one mapping of such errors to a status: 503 with Retry-After while
// the database is unavailable (store.Unavailable) or the request's deadline passed
// (timed), else 500. err is logged once and never shown.
func (a *api) fail(w http.ResponseWriter, r *http.Request, msg string, err error) {
	attrs := []any{slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("error", err)}
	if timedOut(r) {
		a.log.WarnContext(r.Context(), msg+": request timeout", attrs...)
		writeServerTimeout(w, a.requestTimeout)
		return
	}
	if store.Unavailable(err) {
		a.log.WarnContext(r.Context(), msg+": database unavailable", attrs...)
		writeUnavailable(w, ProblemDatabaseUnavailable, "Database unavailable",
			"the database is unavailable, so the request could not be completed; send it again after "+retryAfter+" seconds")
		return
	}
	a.log.ErrorContext(r.Context(), msg, attrs...)
	writeProblem(w, newProblem(http.StatusInternalServerError, "the server could not complete the request; it is safe to retry"))
}

// writeUnavailable answers 503 with Retry-After, a problem of type typ and title.
func writeUnavailable(w http.ResponseWriter, typ, title, detail string) {
	p := newProblem(http.StatusServiceUnavailable, detail)
	p.Type, p.Title = typ, title
	w.Header().Set("Retry-After", retryAfter)
	writeProblem(w, p)
}
