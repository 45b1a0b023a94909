package router

import (
	"math"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// xDeath is an x-death header as amqp091 decodes it from the wire.
func xDeath(exchange, queue, reason string, keys ...any) []any {
	return []any{amqp091.Table{
		"count":        int64(1),
		"exchange":     exchange,
		"queue":        queue,
		"reason":       reason,
		"routing-keys": keys,
		"time":         time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
	}}
}

func TestMarshalerUnmarshal(t *testing.T) {
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		delivery amqp091.Delivery
		wantUUID string
		// want lists metadata that must be present with these values.
		want map[string]string
		// absent lists metadata keys that must not be present.
		absent []string
	}{
		{
			name: "string headers",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.images", RoutingKey: "image.upload",
				Headers: amqp091.Table{amqpUUIDHeader: "u1", "schema": "image.upload.v1", "correlation_id": "c1"},
			},
			wantUUID: "u1",
			want: map[string]string{
				"schema": "image.upload.v1", "correlation_id": "c1",
				MetaExchange: "p.stox.images", MetaRoutingKey: "image.upload",
			},
			absent: []string{amqpUUIDHeader, MetaOriginExchange},
		},
		{
			name: "quorum redelivery count",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.orders", RoutingKey: "order.amazon", Redelivered: true,
				Headers: amqp091.Table{amqpUUIDHeader: "u2", amqpHeaderDeliveryCount: int64(3)},
			},
			wantUUID: "u2",
			want:     map[string]string{amqpHeaderDeliveryCount: "3"},
		},
		{
			name: "dead-lettered by ttl",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.image_uploads",
				Headers: amqp091.Table{
					amqpUUIDHeader:              "u3",
					amqpHeaderDeath:             xDeath("p.stox.images", "p.image_uploads", "expired", "image.upload"),
					amqpHeaderFirstExchange:     "p.stox.images",
					amqpHeaderFirstQueue:        "p.image_uploads",
					amqpHeaderFirstReason:       "expired",
					"correlation_id":            "c3",
					MetaExchange:                "stale",
					amqp.MetadataRedeliveredKey: "true",
				},
			},
			wantUUID: "u3",
			want: map[string]string{
				MetaExchange: "p.stox.poison", MetaRoutingKey: "p.image_uploads",
				MetaOriginExchange: "p.stox.images", MetaOriginRoutingKey: "image.upload",
				MetaQueue: "p.image_uploads", MetaReason: "expired", "correlation_id": "c3",
				amqpHeaderFirstReason: "expired",
			},
			absent: []string{amqpHeaderDeath, amqp.MetadataRedeliveredKey},
		},
		{
			name: "dead-lettered twice: latest entry first",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.amazon_listings",
				Headers: amqp091.Table{
					amqpUUIDHeader: "u4",
					amqpHeaderDeath: append(
						xDeath("p.stox.marketplaces", "p.amazon_listings", "maxlen", ""),
						xDeath("p.stox.images", "p.image_uploads", "expired", "image.upload")...),
				},
			},
			wantUUID: "u4",
			want: map[string]string{
				MetaOriginExchange: "p.stox.marketplaces", MetaOriginRoutingKey: "",
				MetaQueue: "p.amazon_listings", MetaReason: "maxlen",
			},
		},
		{
			name: "poisoned by the middleware keeps its origin",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.seo_generation",
				Headers: amqp091.Table{
					amqpUUIDHeader:       "u5",
					amqpHeaderDeath:      xDeath("p.stox.poison", "p.seo_generation.poison", "rejected", "p.seo_generation"),
					MetaOriginExchange:   "p.stox.images",
					MetaOriginRoutingKey: "image.enhanced",
					MetaQueue:            "p.seo_generation",
					MetaReason:           "boom",
					MetaHandler:          "seo.generate",
				},
			},
			wantUUID: "u5",
			want: map[string]string{
				MetaOriginExchange: "p.stox.images", MetaOriginRoutingKey: "image.enhanced",
				MetaQueue: "p.seo_generation", MetaReason: "boom", MetaHandler: "seo.generate",
			},
		},
		{
			name: "unreadable x-death falls back to x-first-death",
			delivery: amqp091.Delivery{
				Headers: amqp091.Table{
					amqpUUIDHeader:          "u6",
					amqpHeaderDeath:         "garbage",
					amqpHeaderFirstExchange: "p.stox.orders",
					amqpHeaderFirstQueue:    "p.amazon_orders",
					amqpHeaderFirstReason:   "rejected",
				},
			},
			wantUUID: "u6",
			want: map[string]string{
				MetaOriginExchange: "p.stox.orders", MetaOriginRoutingKey: "",
				MetaQueue: "p.amazon_orders", MetaReason: "rejected",
			},
		},
		{
			name: "uuid from message id",
			delivery: amqp091.Delivery{
				MessageId: "u7",
				Headers:   amqp091.Table{amqpUUIDHeader: int32(7)},
			},
			wantUUID: "u7",
		},
		{
			name: "other header types",
			delivery: amqp091.Delivery{
				Headers: amqp091.Table{
					amqpUUIDHeader: "u8",
					"bool":         true,
					"byte":         byte(7),
					"i8":           int8(-8),
					"i16":          int16(-16),
					"i32":          int32(-32),
					"i64":          int64(math.MaxInt64),
					"f32":          float32(1.5),
					"f64":          float64(0.25),
					"decimal":      amqp091.Decimal{Scale: 2, Value: -12345},
					"time":         when,
					"bytes":        []byte("text"),
					"binary":       []byte{0xff, 0xfe},
					"nil":          nil,
					"table":        amqp091.Table{"a": "b"},
					"array":        []any{"a", int32(1)},
				},
			},
			wantUUID: "u8",
			want: map[string]string{
				"bool": "true", "byte": "7", "i8": "-8", "i16": "-16", "i32": "-32",
				"i64": "9223372036854775807", "f32": "1.5", "f64": "0.25", "decimal": "-123.45",
				"time": "2026-01-02T03:04:05Z", "bytes": "text",
			},
			absent: []string{"binary", "nil", "table", "array"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msg, err := amqpMarshaler{}.Unmarshal(tt.delivery)
			require.NoError(t, err)
			assert.Equal(t, tt.wantUUID, msg.UUID)
			assert.Equal(t, tt.delivery.Body, []byte(msg.Payload))
			for k, v := range tt.want {
				got, ok := msg.Metadata[k]
				if assert.True(t, ok, "metadata %q missing", k) {
					assert.Equal(t, v, got, "metadata %q", k)
				}
			}
			for _, k := range tt.absent {
				assert.NotContains(t, msg.Metadata, k)
			}
		})
	}
}

func TestMarshalerMarshal(t *testing.T) {
	msg := message.NewMessage("u1", []byte(`{"sku":"A"}`))
	msg.Metadata.Set("correlation_id", "c1")
	msg.Metadata.Set(MetaReason, "boom")
	msg.Metadata.Set(amqpHeaderDeliveryCount, "2")
	msg.Metadata.Set(amqpHeaderFirstReason, "expired")
	msg.Metadata.Set(amqp.MetadataRedeliveredKey, "true")

	pub, err := amqpMarshaler{}.Marshal(msg)
	require.NoError(t, err)
	assert.Equal(t, "u1", pub.MessageId)
	assert.Equal(t, "application/json", pub.ContentType)
	assert.Equal(t, amqp091.Persistent, pub.DeliveryMode)
	assert.Equal(t, []byte(`{"sku":"A"}`), pub.Body)
	assert.Equal(t, amqp091.Table{
		amqpUUIDHeader:   "u1",
		"correlation_id": "c1",
		MetaReason:       "boom",
	}, pub.Headers)
	require.NoError(t, pub.Headers.Validate())

	back, err := amqpMarshaler{}.Unmarshal(amqp091.Delivery{
		Exchange: "x", RoutingKey: "k", Headers: pub.Headers, Body: pub.Body, MessageId: pub.MessageId,
	})
	require.NoError(t, err)
	assert.Equal(t, msg.UUID, back.UUID)
	assert.Equal(t, message.Metadata{
		"correlation_id": "c1", MetaReason: "boom", MetaExchange: "x", MetaRoutingKey: "k",
	}, back.Metadata)
}

// fuzzHeaderValue turns fuzz input into one AMQP field value of any type amqp091 can
// decode, nested arrays and tables included.
func fuzzHeaderValue(kind byte, s string, i int64, f float64, b []byte) any {
	switch kind % 16 {
	case 0:
		return s
	case 1:
		return i
	case 2:
		return int32(i)
	case 3:
		return int16(i)
	case 4:
		return int8(i)
	case 5:
		return byte(i)
	case 6:
		return f
	case 7:
		return float32(f)
	case 8:
		return i%2 == 0
	case 9:
		return b
	case 10:
		return amqp091.Decimal{Scale: uint8(i), Value: int32(i >> 8)}
	case 11:
		return time.Unix(i%(1<<40), 0)
	case 12:
		return nil
	case 13:
		return []any{s, i, amqp091.Table{s: b}}
	case 14:
		return amqp091.Table{"exchange": s, "queue": i, "reason": b, "routing-keys": []any{i, s}}
	default:
		return []any{amqp091.Table{"exchange": b, "queue": s, "routing-keys": s}}
	}
}

func FuzzMarshalerUnmarshal(f *testing.F) {
	f.Add("x-death", byte(15), "p.stox.images", int64(1), 1.5, []byte("image.upload"), "p.stox.poison", "p.q")
	f.Add("x-delivery-count", byte(1), "", int64(4), 0.0, []byte{}, "p.stox.orders", "order.amazon")
	f.Add("x-death", byte(14), "q", int64(-1), 0.0, []byte{0xff}, "", "")
	f.Add(amqpUUIDHeader, byte(2), "u", int64(3), 0.0, []byte(nil), "e", "k")
	f.Add(MetaOriginExchange, byte(0), "o", int64(0), 0.0, []byte(nil), "e", "k")
	f.Add("decimal", byte(10), "", int64(0x1234502), 0.0, []byte(nil), "e", "k")
	f.Fuzz(func(t *testing.T, key string, kind byte, s string, i int64, fl float64, b []byte, exchange, routingKey string) {
		headers := amqp091.Table{
			key:            fuzzHeaderValue(kind, s, i, fl, b),
			"plain":        s,
			"x-death":      fuzzHeaderValue(kind+13, s, i, fl, b),
			"x-first-seen": fuzzHeaderValue(kind+1, s, i, fl, b),
		}
		d := amqp091.Delivery{Exchange: exchange, RoutingKey: routingKey, Headers: headers, Body: b}
		msg, err := amqpMarshaler{}.Unmarshal(d)
		require.NoError(t, err)
		require.NotNil(t, msg)
		assert.Equal(t, exchange, msg.Metadata[MetaExchange])
		assert.Equal(t, routingKey, msg.Metadata[MetaRoutingKey])
		if key != "plain" && key != "x-death" {
			assert.Equal(t, s, msg.Metadata["plain"])
		}
		if v, ok := headers[key].(string); ok && key != amqpUUIDHeader && key != MetaExchange && key != MetaRoutingKey && key != amqp.MetadataRedeliveredKey {
			assert.Equal(t, v, msg.Metadata[key])
		}
		assert.Contains(t, msg.Metadata, MetaOriginExchange, "x-death is present")

		pub, err := amqpMarshaler{}.Marshal(msg)
		require.NoError(t, err)
		require.NoError(t, pub.Headers.Validate())
		for k, v := range pub.Headers {
			assert.IsType(t, "", v, "header %q", k)
			assert.False(t, amqpBrokerHeaders[k], "broker header %q published", k)
		}
	})
}
