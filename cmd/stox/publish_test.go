package main

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

// recorder is a publisher that keeps what it is given, or refuses it with err.
type recorder struct {
	keys []string
	msgs []*message.Message
	err  error
}

func (r *recorder) Publish(key string, msgs ...*message.Message) error {
	if r.err != nil {
		return r.err
	}
	for _, m := range msgs {
		r.keys = append(r.keys, key)
		r.msgs = append(r.msgs, m)
	}
	return nil
}

func (r *recorder) Close() error { return nil }

// TestPublishCorrelated: the one way cmd/stox publishes (uploads, stock broadcasts,
// orders) sends the message encoded with its schema, under the routing key, with the
// correlation ID and the caller's context (whose deadline bounds the confirm).
func TestPublishCorrelated(t *testing.T) {
	type ctxKey struct{}
	ctx := context.WithValue(context.Background(), ctxKey{}, "request")
	order := messages.OrderV1{Marketplace: messages.Trendyol, OrderID: "o-1", Status: messages.OrderCreated,
		Lines: []messages.OrderLine{{LineID: "l-1", SKU: "SKU-1", Quantity: 2}}}
	pub := &recorder{}
	require.NoError(t, publishCorrelated(ctx, pub, topology.OrderKey(messages.Trendyol), "trendyol/o-1", order))

	require.Len(t, pub.msgs, 1)
	msg := pub.msgs[0]
	assert.Equal(t, topology.OrderKey(messages.Trendyol), pub.keys[0])
	assert.Equal(t, "trendyol/o-1", msg.Metadata.Get(middleware.MetaCorrelationID))
	assert.Equal(t, order.Schema(), msg.Metadata.Get(messages.SchemaKey))
	assert.Equal(t, "request", msg.Context().Value(ctxKey{}))
	var got messages.OrderV1
	require.NoError(t, json.Unmarshal(msg.Payload, &got))
	assert.Equal(t, order, got)

	refused := errors.New("queue full")
	err := publishCorrelated(ctx, &recorder{err: refused}, "", "stock/SKU-1", messages.StockV1{SKU: "SKU-1", Quantity: 1, Version: 1})
	assert.ErrorIs(t, err, refused, "a refused publish is the caller's error")
}
