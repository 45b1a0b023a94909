package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// client speaks to Stox's API and the sandbox's customer hooks.
type client struct {
	api, sandbox string
	// key is the API's bearer key, sandboxKey the sandbox hooks' ("" when open).
	key, sandboxKey string
	http            *http.Client
}

// errNoStock is the sandbox refusing an order its marketplace's stock cannot cover.
var errNoStock = errors.New("not enough stock on the marketplace")

// accepted is the API's answer to an upload.
type accepted struct {
	ID       string `json:"id"`
	Revision int    `json:"revision"`
}

// upload sends sample i with photos generated photos.
func (c *client) upload(ctx context.Context, i, photos int) (accepted, error) {
	s := Samples[i]
	attrs := map[string]string{"barcode": barcode(i), "vat_rate": "20"}
	for k, v := range s.Attributes {
		attrs[k] = v
	}
	prod, err := json.Marshal(messages.Product{
		SKU: s.SKU, Name: s.Name, Brand: s.Brand, Category: s.Category, Price: s.Price, ListPrice: s.ListPrice,
		Currency: "TRY", Stock: s.Stock, Attributes: attrs, Keywords: s.Keywords, Marketplaces: messages.Marketplaces,
	})
	if err != nil {
		return accepted{}, err
	}
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="product"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(hdr)
	if err != nil {
		return accepted{}, err
	}
	_, _ = pw.Write(prod)
	for k := range photos {
		jpg, err := photoJPEG(i, k)
		if err != nil {
			return accepted{}, fmt.Errorf("draw photo %d of %s: %w", k+1, s.SKU, err)
		}
		fw, err := w.CreateFormFile("photos", fmt.Sprintf("%s-%d.jpg", strings.ToLower(s.SKU), k+1))
		if err != nil {
			return accepted{}, err
		}
		_, _ = fw.Write(jpg)
	}
	if err := w.Close(); err != nil {
		return accepted{}, err
	}
	var out accepted
	err = c.do(ctx, http.MethodPost, c.api+"/v1/products", w.FormDataContentType(), &body, http.StatusAccepted, &out)
	return out, err
}

// product reads a product with its stages and listings.
func (c *client) product(ctx context.Context, id string) (store.Product, error) {
	var p store.Product
	err := c.do(ctx, http.MethodGet, c.api+"/v1/products/"+url.PathEscape(id), "", nil, http.StatusOK, &p)
	return p, err
}

// products counts the catalog's products whose SKU is one of skus.
func (c *client) products(ctx context.Context, skus map[string]bool) (map[string]int, error) {
	n := map[string]int{}
	after := ""
	for range 10000 {
		var page struct {
			Items []store.Summary `json:"items"`
			Next  string          `json:"next"`
		}
		q := url.Values{"limit": {"100"}}
		if after != "" {
			q.Set("after", after)
		}
		if err := c.do(ctx, http.MethodGet, c.api+"/v1/products?"+q.Encode(), "", nil, http.StatusOK, &page); err != nil {
			return nil, err
		}
		for _, it := range page.Items {
			if skus[it.SKU] {
				n[it.SKU]++
			}
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	return n, nil
}

// setStock sets a SKU's stock in the ledger, as a seller restocking does.
func (c *client) setStock(ctx context.Context, sku string, quantity int) (messages.StockV1, error) {
	var st messages.StockV1
	body, _ := json.Marshal(map[string]int{"quantity": quantity})
	err := c.do(ctx, http.MethodPut, c.api+"/v1/products/"+url.PathEscape(sku)+"/stock", "application/json", bytes.NewReader(body), http.StatusOK, &st)
	return st, err
}

// ledger reads a SKU's stock in the ledger.
func (c *client) ledger(ctx context.Context, sku string) (int, error) {
	var st messages.StockV1
	err := c.do(ctx, http.MethodGet, c.api+"/v1/products/"+url.PathEscape(sku)+"/stock", "", nil, http.StatusOK, &st)
	return st.Quantity, err
}

// input supplies what a listing in needs_input lacks.
func (c *client) input(ctx context.Context, id, marketplace string, in map[string]any) error {
	body, _ := json.Marshal(in)
	return c.do(ctx, http.MethodPut, c.api+"/v1/products/"+url.PathEscape(id)+"/listings/"+marketplace+"/input",
		"application/json", bytes.NewReader(body), http.StatusOK, nil)
}

// order places an order on a marketplace as a sandbox customer; errNoStock when its
// stock cannot cover it.
func (c *client) order(ctx context.Context, marketplace, sku string, quantity int) (string, error) {
	body, _ := json.Marshal(map[string]any{"stockCode": sku, "quantity": quantity})
	var out struct {
		OrderID string `json:"orderId"`
	}
	err := c.do(ctx, http.MethodPost, c.sandbox+"/sandbox/"+marketplace+"/orders", "application/json", bytes.NewReader(body), http.StatusCreated, &out)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusConflict {
		return "", errNoStock
	}
	return out.OrderID, err
}

// shows is the stock a marketplace shows for a SKU, and false when it does not list it.
func (c *client) shows(ctx context.Context, marketplace, sku string) (int, bool, error) {
	var out struct {
		Quantity int `json:"quantity"`
	}
	err := c.do(ctx, http.MethodGet, c.sandbox+"/sandbox/"+marketplace+"/stock/"+url.PathEscape(sku), "", nil, http.StatusOK, &out)
	var se *statusError
	if errors.As(err, &se) && se.status == http.StatusNotFound {
		return 0, false, nil
	}
	return out.Quantity, err == nil, err
}

// statusError is an answer with a status other than the one expected.
type statusError struct {
	method, url string
	status      int
	body        string
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: %d %s: %s", e.method, e.url, e.status, http.StatusText(e.status), e.body)
}

// do sends a request and decodes a JSON answer with status want into out (when not
// nil). 429 and 503 are waited out (Retry-After) and sent again while ctx lasts.
func (c *client) do(ctx context.Context, method, u, contentType string, body io.Reader, want int, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = io.ReadAll(body); err != nil {
			return err
		}
	}
	for {
		req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(raw))
		if err != nil {
			return err
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		switch {
		case c.key != "" && strings.HasPrefix(u, c.api+"/"):
			req.Header.Set("Authorization", "Bearer "+c.key)
		case c.sandboxKey != "" && strings.HasPrefix(u, c.sandbox+"/"):
			req.Header.Set("Authorization", "Bearer "+c.sandboxKey)
		}
		res, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, u, err)
		}
		data, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
		_ = res.Body.Close()
		if err != nil {
			return fmt.Errorf("%s %s: read answer: %w", method, u, err)
		}
		if res.StatusCode == http.StatusTooManyRequests || res.StatusCode == http.StatusServiceUnavailable {
			wait, _ := strconv.Atoi(res.Header.Get("Retry-After"))
			select {
			case <-ctx.Done():
				return fmt.Errorf("%s %s: %d, and no time left to retry: %w", method, u, res.StatusCode, ctx.Err())
			case <-time.After(time.Duration(max(1, wait)) * time.Second):
				continue
			}
		}
		if res.StatusCode != want {
			return &statusError{method, u, res.StatusCode, strings.TrimSpace(string(data))}
		}
		if out == nil {
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decode answer: %w", method, u, err)
		}
		return nil
	}
}
