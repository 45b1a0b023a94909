package sandbox

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"
)

// TrendyolPackage is a shipment package as Trendyol's v2 orders endpoint returns it
// (field names after the April 2026 rename).
type TrendyolPackage struct {
	ShipmentPackageID     int64            `json:"shipmentPackageId"`
	OrderNumber           string           `json:"orderNumber"`
	OrderDate             int64            `json:"orderDate"`
	Status                string           `json:"status"`
	ShipmentPackageStatus string           `json:"shipmentPackageStatus"`
	LastModifiedDate      int64            `json:"lastModifiedDate"`
	CurrencyCode          string           `json:"currencyCode"`
	PackageTotalPrice     float64          `json:"packageTotalPrice"`
	CreatedBy             string           `json:"createdBy"`
	PackageHistories      []TrendyolStatus `json:"packageHistories"`
	Lines                 []TrendyolLine   `json:"lines"`
}

// TrendyolStatus is one entry of a package's history.
type TrendyolStatus struct {
	CreatedDate int64  `json:"createdDate"`
	Status      string `json:"status"`
}

// TrendyolLine is one line of a shipment package.
type TrendyolLine struct {
	LineID                  int64   `json:"lineId"`
	Barcode                 string  `json:"barcode"`
	StockCode               string  `json:"stockCode"`
	Quantity                int     `json:"quantity"`
	LineUnitPrice           float64 `json:"lineUnitPrice"`
	VATRate                 int     `json:"vatRate"`
	OrderLineItemStatusName string  `json:"orderLineItemStatusName"`
	ProductName             string  `json:"productName"`
}

func (t *trendyol) orders(w http.ResponseWriter, r *http.Request, now time.Time) {
	q := r.URL.Query()
	num := func(name string, def int64) (int64, bool) {
		v := q.Get(name)
		if v == "" {
			return def, true
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			tyErrors(w, http.StatusBadRequest, "invalid."+name, name+" must be a non-negative integer")
			return 0, false
		}
		return n, true
	}
	page, ok1 := num("page", 0)
	size, ok2 := num("size", 50)
	end, ok3 := num("endDate", now.UnixMilli())
	start, ok4 := num("startDate", end-trendyolOrderWindow.Milliseconds())
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return
	}
	// Trendyol takes a window of at most two weeks and about a month of history
	// [C S-TY7]; without dates the imitation reads the last two weeks [I]. The keys
	// and wording of these refusals are the imitation's [I].
	switch {
	case end < start:
		tyErrors(w, http.StatusBadRequest, "invalid.date.range", "endDate, startDate'ten önce olamaz (endDate must not be before startDate)")
		return
	case end-start > trendyolOrderWindow.Milliseconds():
		tyErrors(w, http.StatusBadRequest, "invalid.date.range",
			"startDate ile endDate arasında en fazla 2 hafta olabilir (the window between startDate and endDate may be at most 2 weeks)")
		return
	case start < now.Add(-trendyolOrderHistory).UnixMilli():
		tyErrors(w, http.StatusBadRequest, "invalid.start.date",
			"siparişler en fazla 1 ay geriye sorgulanabilir (orders can be read at most a month back: startDate is too old)")
		return
	}
	if size == 0 || size > 200 || page*size > 10000 {
		tyErrors(w, http.StatusBadRequest, "invalid.page.size", "size must be 1 to 200 and page×size at most 10000")
		return
	}
	field := q.Get("orderByField")
	if field == "" {
		field = "CreatedDate"
	}
	if field != "CreatedDate" && field != "PackageLastModifiedDate" {
		tyErrors(w, http.StatusBadRequest, "invalid.orderByField", "orderByField must be PackageLastModifiedDate or CreatedDate")
		return
	}
	date := func(p *TrendyolPackage) int64 {
		if field == "PackageLastModifiedDate" {
			return p.LastModifiedDate
		}
		return p.OrderDate
	}
	var match []*TrendyolPackage
	for _, p := range t.packages {
		if d := date(p); d >= start && d <= end && (q.Get("status") == "" || q.Get("status") == p.Status) {
			match = append(match, p)
		}
	}
	desc := q.Get("orderByDirection") != "ASC"
	sort.SliceStable(match, func(i, j int) bool {
		a, b := match[i], match[j]
		if date(a) != date(b) {
			return (date(a) < date(b)) != desc
		}
		return (a.ShipmentPackageID < b.ShipmentPackageID) != desc
	})
	content := []*TrendyolPackage{}
	if from := page * size; from < int64(len(match)) {
		content = match[from:min(from+size, int64(len(match)))]
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"totalElements": len(match),
		"totalPages":    (int64(len(match)) + size - 1) / size,
		"page":          page,
		"size":          size,
		"content":       content,
	})
}

// placeOrder is a customer's order against listed stock: a new shipment package.
func (t *trendyol) placeOrder(stockCode string, quantity int) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.srv.Now()
	t.settle(now)
	p := t.byStockCode(stockCode)
	if p == nil {
		return "", fmt.Errorf("trendyol: %w: %s", ErrNotListed, stockCode)
	}
	if p.Quantity < quantity {
		return "", fmt.Errorf("trendyol: %w: %s has %d, order wants %d", ErrNoStock, stockCode, p.Quantity, quantity)
	}
	p.Quantity -= quantity
	t.nextID++
	ms := now.UnixMilli()
	pkg := &TrendyolPackage{
		ShipmentPackageID:     t.nextID,
		OrderNumber:           strconv.FormatInt(10000000000+t.nextID, 10),
		OrderDate:             ms,
		Status:                "Created",
		ShipmentPackageStatus: "Created",
		LastModifiedDate:      ms,
		CurrencyCode:          "TRY",
		PackageTotalPrice:     p.SalePrice * float64(quantity),
		CreatedBy:             "order-creation",
		PackageHistories:      []TrendyolStatus{{CreatedDate: ms, Status: "Created"}},
		Lines: []TrendyolLine{{LineID: t.nextID*10 + 1, Barcode: p.Barcode, StockCode: p.StockCode, Quantity: quantity,
			LineUnitPrice: p.SalePrice, VATRate: p.VATRate, OrderLineItemStatusName: "Created", ProductName: p.Title}},
	}
	t.packages = append(t.packages, pkg)
	t.notify(pkg)
	return strconv.FormatInt(pkg.ShipmentPackageID, 10), nil
}

// cancelOrder cancels a package, giving its stock back.
func (t *trendyol) cancelOrder(id string) error {
	n, err := strconv.ParseInt(id, 10, 64)
	t.mu.Lock()
	defer t.mu.Unlock()
	var pkg *TrendyolPackage
	for _, p := range t.packages {
		if err == nil && p.ShipmentPackageID == n {
			pkg = p
		}
	}
	if pkg == nil {
		return fmt.Errorf("trendyol: %w: shipment package %s", ErrNoOrder, id)
	}
	if pkg.Status == "Cancelled" {
		return fmt.Errorf("trendyol: %w: shipment package %s", ErrAlreadyCancelled, id)
	}
	ms := t.srv.Now().UnixMilli()
	pkg.Status, pkg.ShipmentPackageStatus, pkg.LastModifiedDate = "Cancelled", "Cancelled", ms
	pkg.PackageHistories = append(pkg.PackageHistories, TrendyolStatus{CreatedDate: ms, Status: "Cancelled"})
	for i := range pkg.Lines {
		pkg.Lines[i].OrderLineItemStatusName = "Cancelled"
		if p := t.products[pkg.Lines[i].Barcode]; p != nil {
			p.Quantity += pkg.Lines[i].Quantity
		}
	}
	t.notify(pkg)
	return nil
}
