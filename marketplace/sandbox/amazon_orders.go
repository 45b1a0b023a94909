package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

type azOrder struct {
	id      string
	created time.Time
	updated time.Time
	status  string
	items   []azOrderItem
}

type azOrderItem struct {
	id, sku, asin, title string
	quantity             int
	price                float64
}

// amazonPage is what a searchOrders pagination token stands for.
type amazonPage struct {
	After   time.Time `json:"a"`
	Before  time.Time `json:"b"`
	Created bool      `json:"c"`
	Offset  int       `json:"o"`
	Issued  time.Time `json:"i"`
}

func (a *amazon) searchOrders(w http.ResponseWriter, r *http.Request, _ []byte, now time.Time) {
	q := r.URL.Query()
	page, size, problem := searchPage(q, now)
	if problem != "" {
		azErrors(w, http.StatusBadRequest, "InvalidInput", "Invalid Input", problem)
		return
	}
	if ids := q.Get("marketplaceIds"); ids != "" && !strings.Contains(","+ids+",", ","+a.opts.MarketplaceID+",") {
		writeJSON(w, http.StatusOK, map[string]any{"orders": []any{}})
		return
	}
	match := a.matchOrders(page, q.Get("fulfillmentStatuses"))
	included := map[string]bool{}
	for _, d := range strings.Split(q.Get("includedData"), ",") {
		included[d] = true
	}
	end := min(page.Offset+size, len(match))
	orders := make([]any, 0, size)
	for _, o := range match[min(page.Offset, len(match)):end] {
		orders = append(orders, a.orderJSON(o, included))
	}
	out := map[string]any{"orders": orders}
	if page.Created {
		out["createdBefore"] = page.Before.UTC().Format(time.RFC3339Nano)
	} else {
		out["lastUpdatedBefore"] = page.Before.UTC().Format(time.RFC3339Nano)
	}
	if end < len(match) {
		next := page
		next.Offset = end
		raw, _ := json.Marshal(next)
		out["pagination"] = map[string]any{"nextToken": base64.RawURLEncoding.EncodeToString(raw)}
	}
	writeJSON(w, http.StatusOK, out)
}

// searchPage reads searchOrders' page size and the page it asks for: the one its
// paginationToken stands for, else the first of the window its dates give. problem
// says what is wrong with the query, if anything.
func searchPage(q url.Values, now time.Time) (page amazonPage, size int, problem string) {
	size = 100
	if s := q.Get("maxResultsPerPage"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 100 {
			return amazonPage{}, 0, "maxResultsPerPage must be between 1 and 100"
		}
		size = n
	}
	if tok := q.Get("paginationToken"); tok != "" {
		page, problem = pageOfToken(tok, now)
	} else {
		page, problem = firstPage(q, now)
	}
	return page, size, problem
}

// pageOfToken is the page a paginationToken stands for, if it is valid and has not
// expired.
func pageOfToken(tok string, now time.Time) (amazonPage, string) {
	var page amazonPage
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || json.Unmarshal(raw, &page) != nil {
		return amazonPage{}, "paginationToken is not valid"
	}
	if now.Sub(page.Issued) > amazonPageTokenTTL {
		return amazonPage{}, "paginationToken has expired"
	}
	return page, ""
}

// firstPage is the first page of the window the query's dates give: created or last
// updated (exactly one, not mixed) from its after date to its before date, which must
// be at least two minutes old (default: now).
func firstPage(q url.Values, now time.Time) (amazonPage, string) {
	created, updated := q.Get("createdAfter"), q.Get("lastUpdatedAfter")
	if (created == "") == (updated == "") {
		return amazonPage{}, "exactly one of createdAfter and lastUpdatedAfter is required"
	}
	if updated != "" && (q.Get("createdBefore") != "") || created != "" && q.Get("lastUpdatedBefore") != "" {
		return amazonPage{}, "createdAfter/createdBefore and lastUpdatedAfter/lastUpdatedBefore cannot be mixed"
	}
	after, before := updated, q.Get("lastUpdatedBefore")
	if created != "" {
		after, before = created, q.Get("createdBefore")
	}
	t, err := time.Parse(time.RFC3339, after)
	if err != nil {
		return amazonPage{}, "the after date must be ISO 8601"
	}
	page := amazonPage{After: t, Before: now, Created: created != "", Issued: now}
	if before != "" {
		b, err := time.Parse(time.RFC3339, before)
		if err != nil || b.Before(t) || now.Sub(b) < 2*time.Minute {
			return amazonPage{}, "the before date must be at or after the after date and at least two minutes before the time of the request"
		}
		page.Before = b
	}
	return page, ""
}

// matchOrders is the orders in the page's window whose status is one of statuses
// (comma-separated; none: any), oldest first by the time the window is of.
func (a *amazon) matchOrders(page amazonPage, statuses string) []*azOrder {
	want := map[string]bool{}
	for _, s := range strings.Split(statuses, ",") {
		if s != "" {
			want[s] = true
		}
	}
	when := func(o *azOrder) time.Time {
		if page.Created {
			return o.created
		}
		return o.updated
	}
	var match []*azOrder
	for _, o := range a.orders {
		if t := when(o); !t.Before(page.After) && !t.After(page.Before) && (len(want) == 0 || want[o.status]) {
			match = append(match, o)
		}
	}
	sort.SliceStable(match, func(i, j int) bool {
		if ti, tj := when(match[i]), when(match[j]); !ti.Equal(tj) {
			return ti.Before(tj)
		}
		return match[i].id < match[j].id
	})
	return match
}

func (a *amazon) getOrder(w http.ResponseWriter, r *http.Request, _ []byte, _ time.Time) {
	for _, o := range a.orders {
		if o.id == r.PathValue("orderId") {
			included := map[string]bool{}
			for _, d := range strings.Split(r.URL.Query().Get("includedData"), ",") {
				included[d] = true
			}
			writeJSON(w, http.StatusOK, map[string]any{"order": a.orderJSON(o, included)})
			return
		}
	}
	azErrors(w, http.StatusNotFound, "NotFound", "The requested order was not found.", "")
}

// orderJSON is an order in the Orders 2026-01-01 shape, with the FULFILLMENT and
// CANCELLATION datasets when asked for.
func (a *amazon) orderJSON(o *azOrder, included map[string]bool) map[string]any {
	items := make([]any, 0, len(o.items))
	for _, it := range o.items {
		m := map[string]any{
			"orderItemId":     it.id,
			"quantityOrdered": it.quantity,
			"product": map[string]any{"asin": it.asin, "title": it.title, "sellerSku": it.sku,
				"condition": map[string]any{"conditionType": "New"},
				"price":     map[string]any{"unitPrice": map[string]any{"amount": strconv.FormatFloat(it.price, 'f', 2, 64), "currencyCode": "TRY"}}},
		}
		if included["FULFILLMENT"] {
			unfulfilled := it.quantity
			if o.status == "CANCELLED" {
				unfulfilled = 0
			}
			m["fulfillment"] = map[string]any{"quantityFulfilled": 0, "quantityUnfulfilled": unfulfilled}
		}
		if included["CANCELLATION"] && o.status == "CANCELLED" {
			m["cancellation"] = map[string]any{"cancellationExecution": map[string]any{"cancelledBy": "BUYER", "cancelReason": "BUYER_CANCELLED"}}
		}
		items = append(items, m)
	}
	out := map[string]any{
		"orderId":         o.id,
		"createdTime":     o.created.UTC().Format(time.RFC3339Nano),
		"lastUpdatedTime": o.updated.UTC().Format(time.RFC3339Nano),
		"salesChannel":    map[string]any{"channelName": "AMAZON", "marketplaceId": a.opts.MarketplaceID, "marketplaceName": "Amazon.com.tr"},
		"orderItems":      items,
	}
	if included["FULFILLMENT"] {
		out["fulfillment"] = map[string]any{"fulfillmentStatus": o.status, "fulfilledBy": "MERCHANT", "fulfillmentServiceLevel": "STANDARD"}
	}
	return out
}

// placeOrder is a buyer's order against a live listing's quantity: an UNSHIPPED
// merchant-fulfilled order with one item.
func (a *amazon) placeOrder(sku string, quantity int) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.srv.Now()
	a.settle(now)
	l := a.items[sku]
	if l == nil || l.live == nil {
		return "", fmt.Errorf("amazon: %w: %s", ErrNotListed, sku)
	}
	if l.quantity < quantity {
		return "", fmt.Errorf("amazon: %w: %s has %d, order wants %d", ErrNoStock, sku, l.quantity, quantity)
	}
	l.quantity -= quantity
	a.nextID++
	price := 0.0
	for _, v := range values(l.live.attributes, "purchasable_offer") {
		price, _ = ourPrice(v)
	}
	o := &azOrder{
		id:      fmt.Sprintf("407-%07d-%07d", a.nextID%10000000, (a.nextID*7919)%10000000),
		created: now, updated: now, status: "UNSHIPPED",
		items: []azOrderItem{{id: fmt.Sprintf("%014d", a.nextID*100+1), sku: sku, asin: l.asin,
			title: firstString(l.live.attributes, "item_name", "value"), quantity: quantity, price: price}},
	}
	a.orders = append(a.orders, o)
	return o.id, nil
}

// cancelOrder cancels an order as the buyer, giving its quantity back.
func (a *amazon) cancelOrder(id string) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, o := range a.orders {
		if o.id != id {
			continue
		}
		if o.status == "CANCELLED" {
			return fmt.Errorf("amazon: %w: %s", ErrAlreadyCancelled, id)
		}
		o.status, o.updated = "CANCELLED", a.srv.Now()
		for _, it := range o.items {
			if l := a.items[it.sku]; l != nil {
				l.quantity += it.quantity
			}
		}
		return nil
	}
	return fmt.Errorf("amazon: %w: %s", ErrNoOrder, id)
}
