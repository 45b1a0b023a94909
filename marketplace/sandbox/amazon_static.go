package sandbox

import (
	"net/http"
	"time"

	"github.com/stox-dev/stox/marketplace/amazon/spmodel"
)

// amazonStaticRate is the usage plan of Amazon's sandbox endpoints: five requests per
// second, burst 15 [C S-AZ4]; the imitation keeps one bucket per operation.
var amazonStaticRate = AmazonRate{Rate: 5, Burst: 15}

// staticRoutes serves every operation of the official models as Amazon's static
// sandbox does (AmazonOptions.Static).
func (a *amazon) staticRoutes(mux *http.ServeMux) {
	models, err := spmodel.Default()
	if err != nil {
		// The models are embedded and spmodel's tests load them: this is a broken build.
		mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
			azErrors(w, http.StatusInternalServerError, "InternalFailure", "The SP-API models do not load.", err.Error())
		})
		return
	}
	for _, op := range models.Operations() {
		mux.Handle(op.Method+" "+op.Path, a.static(models, op.ID))
	}
}

// static answers one operation's requests with its model's static examples: the
// access token (403), the sandbox's token bucket (429) and the User-Agent (400) are
// checked first, the seller in the path is not (Amazon's examples use sellers of their
// own). The example is chosen before the request is checked against the model, as
// Amazon's is: searchOrders' example for createdAfter=TEST_CASE_400, no date, answers
// its 400 [C S-AZ11 model]. A request no example answers gets Amazon's 400
// "Could not match input arguments" with empty details [C issues
// jlevers/selling-partner-api#551, #592; amzn/selling-partner-api-docs#2013].
func (a *amazon) static(models *spmodel.Models, op string) http.Handler {
	return a.checked("static "+op, amazonStaticRate, false, func(w http.ResponseWriter, r *http.Request, body []byte, _ time.Time) {
		ex, ok, err := models.Match(r, body)
		if err != nil || !ok {
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []any{
				map[string]any{"code": "InvalidInput", "message": "Could not match input arguments", "details": ""}}})
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(ex.Status)
		_, _ = w.Write(ex.Response)
	})
}
