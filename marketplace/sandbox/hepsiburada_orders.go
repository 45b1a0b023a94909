package sandbox

import (
	"fmt"
	"math"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// HepsiburadaMoney is an amount as the order service writes money.
type HepsiburadaMoney struct {
	Currency string  `json:"currency"`
	Amount   float64 `json:"amount"`
}

// HepsiburadaLine is one order line as the order service lists it (one row per line).
type HepsiburadaLine struct {
	ID                   string           `json:"id"`
	SKU                  string           `json:"sku"`
	MerchantSKU          string           `json:"merchantSKU"`
	OrderID              string           `json:"orderId"`
	OrderNumber          string           `json:"orderNumber"`
	OrderDate            string           `json:"orderDate"`
	Quantity             int              `json:"quantity"`
	MerchantID           string           `json:"merchantId"`
	Status               string           `json:"status"`
	TotalPrice           HepsiburadaMoney `json:"totalPrice"`
	UnitPrice            HepsiburadaMoney `json:"unitPrice"`
	VAT                  float64          `json:"vat"`
	VATRate              int              `json:"vatRate"`
	CustomerName         string           `json:"customerName"`
	DueDate              string           `json:"dueDate"`
	LastStatusUpdateDate string           `json:"lastStatusUpdateDate"`
	DeliveryType         string           `json:"deliveryType"`

	placed  time.Time
	changed time.Time
}

// orders lists open (Open, Unpacked) or cancelled lines, one row per line, oldest
// first (open lines by orderDate, cancelled ones by lastStatusUpdateDate, the cancel
// time [I]), optionally from begindate to enddate ("yyyy-MM-dd HH:mm", Turkish time,
// inclusive).
func (h *hepsiburada) orders(cancelled bool) func(w http.ResponseWriter, r *http.Request, now time.Time) {
	return func(w http.ResponseWriter, r *http.Request, now time.Time) {
		offset, limit, ok := h.paging(w, r)
		if !ok {
			return
		}
		from, to := time.Time{}, time.Time{}
		for name, dst := range map[string]*time.Time{"begindate": &from, "enddate": &to} {
			if v := r.URL.Query().Get(name); v != "" {
				t, err := time.ParseInLocation(hbDateLayout, v, hbTurkey)
				if err != nil {
					h.omsError(w, http.StatusBadRequest, name+" must be yyyy-MM-dd HH:mm")
					return
				}
				*dst = t
			}
		}
		if !to.IsZero() {
			to = to.Add(time.Minute) // the whole end minute
		}
		at := func(l *HepsiburadaLine) time.Time {
			if cancelled {
				return l.changed
			}
			return l.placed
		}
		var match []*HepsiburadaLine
		for _, l := range h.lines {
			if (l.Status == "Cancelled") != cancelled {
				continue
			}
			if t := at(l); t.Before(from) || (!to.IsZero() && !t.Before(to)) {
				continue
			}
			match = append(match, l)
		}
		sort.SliceStable(match, func(i, j int) bool { return at(match[i]).Before(at(match[j])) })
		items := []*HepsiburadaLine{}
		if offset < len(match) {
			items = match[offset:min(offset+limit, len(match))]
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"totalCount": len(match), "limit": limit, "offset": offset,
			"pageCount": (len(match) + limit - 1) / limit, "items": items,
		})
	}
}

func hbTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z07:00") }

// placeOrder is a paid customer order of one line: it shows as an Open line and takes
// the stock. The order's ID is its orderNumber.
func (h *hepsiburada) placeOrder(merchantSKU string, quantity int) (string, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.srv.Now()
	h.settle(now)
	p := h.products[merchantSKU]
	if p == nil {
		return "", fmt.Errorf("hepsiburada: %w: %s", ErrNotListed, merchantSKU)
	}
	if p.Stock < quantity {
		return "", fmt.Errorf("hepsiburada: %w: %s has %d, order wants %d", ErrNoStock, merchantSKU, p.Stock, quantity)
	}
	p.Stock -= quantity
	total := math.Round(p.Price*float64(quantity)*100) / 100
	vat := math.Round(total*float64(p.VATRate)/float64(100+p.VATRate)*100) / 100
	l := &HepsiburadaLine{
		ID: h.newID("1"), SKU: p.HBSKU, MerchantSKU: p.MerchantSKU, OrderID: h.newID("0"),
		OrderNumber: strconv.FormatInt(4000000000+h.seq, 10), OrderDate: hbTime(now), Quantity: quantity,
		MerchantID: h.opts.MerchantID, Status: "Open",
		TotalPrice: HepsiburadaMoney{Currency: "TRY", Amount: total}, UnitPrice: HepsiburadaMoney{Currency: "TRY", Amount: p.Price},
		VAT: vat, VATRate: p.VATRate, CustomerName: "Sandbox Müşteri", DueDate: hbTime(now.Add(48 * time.Hour)),
		LastStatusUpdateDate: hbTime(now), DeliveryType: "Standard", placed: now, changed: now,
	}
	h.lines = append(h.lines, l)
	return l.OrderNumber, nil
}

// cancelOrder cancels every line of an order (by orderNumber), giving the stock back.
func (h *hepsiburada) cancelOrder(orderNumber string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.srv.Now()
	var found []*HepsiburadaLine
	for _, l := range h.lines {
		if l.OrderNumber == orderNumber {
			found = append(found, l)
		}
	}
	if len(found) == 0 {
		return fmt.Errorf("hepsiburada: %w: order %s", ErrNoOrder, orderNumber)
	}
	cancelled := 0
	for _, l := range found {
		if l.Status == "Cancelled" {
			cancelled++
			continue
		}
		l.Status, l.LastStatusUpdateDate, l.changed = "Cancelled", hbTime(now), now
		if p := h.products[l.MerchantSKU]; p != nil {
			p.Stock += l.Quantity
		}
	}
	if cancelled == len(found) {
		return fmt.Errorf("hepsiburada: %w: order %s", ErrAlreadyCancelled, orderNumber)
	}
	return nil
}
