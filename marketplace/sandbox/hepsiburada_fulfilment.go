package sandbox

import (
	"encoding/json"
	"net/http"
)

// SetHepsiburadaFulfilledByHB marks a listed merchantSku as fulfilled by Hepsiburada
// (isFulfilledByHB in the listing service's read), or as the merchant's own again.
// Hepsiburada ships such a listing from its own warehouse, whose count is the
// listing's stock from then on; a merchant's stock upload for it is still taken and
// overwrites that count [C-oss S-OSS3], which is why adapters leave these listings out
// of their stock pushes. The same hook over HTTP:
//
//	PUT /sandbox/hepsiburada/listings/{merchantSku}/fulfilled-by-hb   {"isFulfilledByHB": true}
func (s *Server) SetHepsiburadaFulfilledByHB(merchantSKU string, fulfilled bool) error {
	return s.hb().setFulfilledByHB(merchantSKU, fulfilled)
}

func (h *hepsiburada) setFulfilledByHB(merchantSKU string, fulfilled bool) error {
	return h.change(merchantSKU, func(p *hbProduct) { p.FulfilledByHB = fulfilled })
}

// fulfilledByHBHook is SetHepsiburadaFulfilledByHB's test hook.
func (h *hepsiburada) fulfilledByHBHook(w http.ResponseWriter, r *http.Request) {
	var in struct {
		FulfilledByHB *bool `json:"isFulfilledByHB"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&in); err != nil || in.FulfilledByHB == nil {
		hookError(w, http.StatusBadRequest, `body must be {"isFulfilledByHB": true|false}`)
		return
	}
	sku := r.PathValue("merchantSku")
	if err := h.setFulfilledByHB(sku, *in.FulfilledByHB); err != nil {
		hookError(w, hookStatus(err), err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"merchantSku": sku, "isFulfilledByHB": *in.FulfilledByHB})
}
