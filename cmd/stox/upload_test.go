package main

import (
	"bytes"
	"context"
	"encoding/json"
	"image/jpeg"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/router"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/store/storetest"
	"github.com/stox-dev/stox/topology"
)

// TestUploadQueueRefused fills a queue of the in-memory broker to its limit, so the
// broker refuses what the upload publishes there, and counts what was stored, on
// SQLite and PostgreSQL:
//
//   - the inventory fanout refuses the initial stock's broadcast: the upload is
//     accepted whole (202, the product stored once, its stock in the ledger once, the
//     pipeline has it), since every listing starts from the ledger's quantity;
//   - the image exchange refuses the upload: 503 saying what is true (the product was
//     stored and its stock recorded, the upload not accepted), and sending it again
//     once the queue has room is accepted as the next revision, the stock unchanged.
func TestUploadQueueRefused(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			cfg := baseConfig(t)
			if db == "postgres" {
				cfg.DatabaseURL = storetest.PostgresSchemaURL(t)
			}
			ctx := context.Background()
			a, err := openApp(ctx, cfg, slog.New(slog.DiscardHandler))
			require.NoError(t, err)
			t.Cleanup(a.close)
			topo := a.broker.Topology()
			h, err := a.apiHandler()
			require.NoError(t, err)

			require.Positive(t, fill(t, a.broker, topology.ExchangeInventory, ""))
			rec := postProduct(t, h, "SKU-1", 7)
			require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
			var acc api.Accepted
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &acc))
			assert.Equal(t, 1, acc.Revision)
			p, err := a.store.Product(ctx, acc.ID)
			require.NoError(t, err)
			assert.Equal(t, store.StatePending, p.Stages[store.StageImages].State, "%v", p.Stages[store.StageImages].Reasons)
			assertStock(t, a.store, "SKU-1", 7, 1)
			var up messages.ImageUploadV1
			require.NoError(t, json.Unmarshal(take(t, a.broker, topo.Name(topology.QueueImageUploads), 1)[0].Payload, &up))
			assert.Equal(t, acc.ID, up.ProductID, "the pipeline has the product")
			assertProducts(t, a.store, 1)

			filled := fill(t, a.broker, topology.ExchangeImages, topology.KeyImageUpload)
			rec = postProduct(t, h, "SKU-2", 3)
			require.Equal(t, http.StatusServiceUnavailable, rec.Code, "body: %s", rec.Body)
			assert.NotEmpty(t, rec.Header().Get("Retry-After"))
			var prob api.Problem
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &prob))
			assert.Contains(t, prob.Detail, "revision 1 was stored")
			assert.Contains(t, prob.Detail, "the pipeline did not take the product (its initial stock is recorded")
			assert.Contains(t, prob.Detail, "send it again")
			assertProducts(t, a.store, 2)
			assertStock(t, a.store, "SKU-2", 3, 1)

			take(t, a.broker, topo.Name(topology.QueueImageUploads), filled)
			rec = postProduct(t, h, "SKU-2", 3)
			require.Equal(t, http.StatusAccepted, rec.Code, "body: %s", rec.Body)
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &acc))
			assert.Equal(t, 2, acc.Revision)
			assertProducts(t, a.store, 2)
			assertStock(t, a.store, "SKU-2", 3, 1)
		})
	}
}

// fill publishes to exchange with key until the broker refuses a message, and
// returns how many it took.
func fill(t *testing.T, b broker.Broker, exchange, key string) int {
	t.Helper()
	pub, err := b.Publisher(b.Topology().Name(exchange))
	require.NoError(t, err)
	for n := range topology.MaxLength + 1 {
		msg, err := router.Encode(messages.StockV1{SKU: "FILL", Quantity: 1, Version: 1})
		require.NoError(t, err)
		if err := pub.Publish(key, msg); err != nil {
			require.ErrorIs(t, err, broker.ErrQueueFull)
			return n
		}
	}
	t.Fatalf("%s never refused a message", exchange)
	return 0
}

// take consumes n messages of queue.
func take(t *testing.T, b broker.Broker, queue string, n int) []*message.Message {
	t.Helper()
	sub, err := b.Subscriber()
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer func() {
		cancel()
		_ = sub.Close()
	}()
	ch, err := sub.Subscribe(ctx, queue)
	require.NoError(t, err)
	out := make([]*message.Message, 0, n)
	for len(out) < n {
		select {
		case msg := <-ch:
			msg.Ack()
			out = append(out, msg)
		case <-ctx.Done():
			t.Fatalf("%s: %d of %d messages", queue, len(out), n)
		}
	}
	return out
}

func assertStock(t *testing.T, inv store.Inventory, sku string, quantity int, version int64) {
	t.Helper()
	q, v, err := inv.Stock(context.Background(), sku)
	require.NoError(t, err)
	assert.Equal(t, quantity, q, "stock of %s", sku)
	assert.Equal(t, version, v, "stock version of %s: recorded once", sku)
}

func assertProducts(t *testing.T, s store.Store, n int) {
	t.Helper()
	list, err := s.Products(context.Background(), 100, "")
	require.NoError(t, err)
	assert.Len(t, list, n, "products stored")
}

// postProduct posts a product with one photo to h.
func postProduct(t *testing.T, h http.Handler, sku string, stock int) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	prod, err := json.Marshal(messages.Product{SKU: sku, Name: "Kupa", Price: 10, Stock: stock, Marketplaces: messages.Marketplaces})
	require.NoError(t, err)
	hdr := textproto.MIMEHeader{}
	hdr.Set("Content-Disposition", `form-data; name="product"`)
	hdr.Set("Content-Type", "application/json")
	pw, err := w.CreatePart(hdr)
	require.NoError(t, err)
	_, _ = pw.Write(prod)
	fw, err := w.CreateFormFile("photos", "a.jpg")
	require.NoError(t, err)
	require.NoError(t, jpeg.Encode(fw, photo(1), nil))
	require.NoError(t, w.Close())
	req := httptest.NewRequest(http.MethodPost, "/v1/products", io.NopCloser(&body))
	req.Header.Set("Content-Type", w.FormDataContentType())
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
