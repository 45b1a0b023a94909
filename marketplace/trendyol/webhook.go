package trendyol

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/stox-dev/stox/marketplace"
)

// WebhookStatuses are the statuses RegisterWebhook subscribes to when given none: the
// ones Orders and Webhook turn into orders.
var WebhookStatuses = []string{"CREATED", "CANCELLED", "UNSUPPLIED", "RETURNED"}

// maxWebhookBody caps a delivery's body; one package is a few kilobytes.
const maxWebhookBody = 8 << 20

// WebhookPath implements marketplace.WebhookReceiver.
func (c *Client) WebhookPath() string { return c.cfg.WebhookPath }

// Webhook implements marketplace.WebhookReceiver. It checks the delivery's x-api-key
// or Basic credentials against Config (an error wrapping marketplace.ErrUnauthorized
// when they are wrong, missing or not configured) and maps the package it carries
// exactly as Orders does: Created, Cancelled, UnSupplied and Returned become orders,
// other statuses give no orders and no error. Trendyol posts one getShipmentPackages
// package per delivery; a JSON list of packages, or a page with content[] (as one
// open-source client reads it), is taken too. Deliveries are at least once: callers
// dedupe on OrderID and Status.
func (c *Client) Webhook(r *http.Request) ([]marketplace.Order, error) {
	if err := c.webhookAuth(r); err != nil {
		return nil, err
	}
	if r.Method != http.MethodPost {
		return nil, fmt.Errorf("trendyol webhook: method %s, want POST", r.Method)
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
	if err != nil {
		return nil, fmt.Errorf("trendyol webhook: read body: %w", err)
	}
	if len(raw) > maxWebhookBody {
		return nil, fmt.Errorf("trendyol webhook: body over %d bytes", maxWebhookBody)
	}
	pkgs, err := parseWebhook(raw)
	if err != nil {
		return nil, fmt.Errorf("trendyol webhook: %w", err)
	}
	var orders []marketplace.Order
	for i, p := range pkgs {
		if p.id() == "" {
			return nil, fmt.Errorf("trendyol webhook: package %d has no shipmentPackageId", i+1)
		}
		if o, ok := p.order(); ok {
			orders = append(orders, o)
		}
	}
	return orders, nil
}

// webhookAuth accepts the configured x-api-key or the configured Basic credentials.
func (c *Client) webhookAuth(r *http.Request) error {
	eq := func(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }
	key, user, pass := c.cfg.WebhookAPIKey, c.cfg.WebhookUsername, c.cfg.WebhookPassword
	if key == "" && (user == "" || pass == "") {
		return fmt.Errorf("trendyol webhook: %w: no webhook credentials configured", marketplace.ErrUnauthorized)
	}
	if key != "" && eq(r.Header.Get("x-api-key"), key) {
		return nil
	}
	if u, p, ok := r.BasicAuth(); ok && user != "" && pass != "" && eq(u, user) && eq(p, pass) {
		return nil
	}
	return fmt.Errorf("trendyol webhook: %w: wrong or missing x-api-key or Basic credentials", marketplace.ErrUnauthorized)
}

func parseWebhook(raw []byte) ([]pkg, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil, errors.New("empty body")
	}
	switch raw[0] {
	case '[':
		var ps []pkg
		if err := json.Unmarshal(raw, &ps); err != nil {
			return nil, fmt.Errorf("body is not a list of packages: %w", err)
		}
		return ps, nil
	case '{':
		var page struct {
			Content *[]pkg `json:"content"`
		}
		if err := json.Unmarshal(raw, &page); err == nil && page.Content != nil {
			return *page.Content, nil
		}
		var p pkg
		if err := json.Unmarshal(raw, &p); err != nil {
			return nil, fmt.Errorf("body is not a shipment package: %w", err)
		}
		return []pkg{p}, nil
	}
	return nil, errors.New("body is not a JSON package, list or page")
}

// RegisterWebhook subscribes hookURL to Trendyol's order webhooks for statuses
// (WebhookStatuses when empty), with Config's x-api-key (API_KEY) if set, else its
// Basic credentials (BASIC_AUTHENTICATION). When a webhook with this URL already
// exists it does nothing, so it can run on every start; Trendyol allows 15 webhooks
// per seller. It does not change an existing webhook's credentials or statuses.
func (c *Client) RegisterWebhook(ctx context.Context, hookURL string, statuses []string) error {
	body := map[string]any{"url": hookURL}
	switch {
	case c.cfg.WebhookAPIKey != "":
		body["authenticationType"], body["apiKey"] = "API_KEY", c.cfg.WebhookAPIKey
	case c.cfg.WebhookUsername != "" && c.cfg.WebhookPassword != "":
		body["authenticationType"] = "BASIC_AUTHENTICATION"
		body["username"], body["password"] = c.cfg.WebhookUsername, c.cfg.WebhookPassword
	default:
		return errors.New("register webhook: configure WebhookAPIKey, or WebhookUsername and WebhookPassword")
	}
	if len(statuses) == 0 {
		statuses = WebhookStatuses
	}
	body["subscribedStatuses"] = statuses
	existing, err := c.webhookURLs(ctx)
	if err != nil {
		return fmt.Errorf("register webhook: list webhooks: %w", err)
	}
	if existing[hookURL] {
		return nil
	}
	if err := c.do(ctx, http.MethodPost, c.webhooksPath(), body, nil); err != nil {
		return fmt.Errorf("register webhook %s: %w", hookURL, err)
	}
	return nil
}

func (c *Client) webhooksPath() string {
	return "/integration/webhook/sellers/" + url.PathEscape(c.cfg.SellerID) + "/webhooks"
}

// webhookURLs lists the seller's webhooks' urls; the answer is read as a list, or an
// object holding it under webhooks or content.
func (c *Client) webhookURLs(ctx context.Context) (map[string]bool, error) {
	var raw json.RawMessage
	if err := c.do(ctx, http.MethodGet, c.webhooksPath(), nil, &raw); err != nil {
		return nil, err
	}
	type hook struct {
		URL string `json:"url"`
	}
	var list []hook
	if err := json.Unmarshal(raw, &list); err != nil {
		var wrapped struct {
			Webhooks []hook `json:"webhooks"`
			Content  []hook `json:"content"`
		}
		if err := json.Unmarshal(raw, &wrapped); err != nil {
			return nil, fmt.Errorf("decode webhooks: %w", err)
		}
		list = append(wrapped.Webhooks, wrapped.Content...)
	}
	out := map[string]bool{}
	for _, h := range list {
		out[h.URL] = true
	}
	return out, nil
}
