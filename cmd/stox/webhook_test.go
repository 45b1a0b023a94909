package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/messages"
)

// TestTrendyolWebhookCredentials is issue 11, item 9: the Trendyol webhook's
// credentials come from the configuration, so a delivery Trendyol signs with them is
// taken (before, none could be set and every delivery got 401).
func TestTrendyolWebhookCredentials(t *testing.T) {
	t.Setenv("STOX_TRENDYOL_WEBHOOK_USERNAME", "stox")
	t.Setenv("STOX_TRENDYOL_WEBHOOK_PASSWORD", "hook-pw")
	cfg, err := loadConfig()
	require.NoError(t, err)
	c, _, err := cfg.client(messages.Trendyol, nil)
	require.NoError(t, err)
	hook, ok := c.(marketplace.WebhookReceiver)
	require.True(t, ok)

	const delivery = `{"shipmentPackageId":3301,"orderNumber":"10001","orderDate":1764072000000,"status":"Created",
		"lastModifiedDate":1764072000000,"lines":[{"lineId":33011,"barcode":"BC1","stockCode":"SKU-1","quantity":2}]}`
	r := httptest.NewRequest("POST", hook.WebhookPath(), strings.NewReader(delivery))
	r.SetBasicAuth("stox", "hook-pw")
	orders, err := hook.Webhook(r)
	require.NoError(t, err)
	require.Len(t, orders, 1)
	assert.Equal(t, "3301", orders[0].OrderID)

	r = httptest.NewRequest("POST", hook.WebhookPath(), strings.NewReader(delivery))
	r.SetBasicAuth("stox", "wrong")
	_, err = hook.Webhook(r)
	assert.ErrorIs(t, err, marketplace.ErrUnauthorized)
}
