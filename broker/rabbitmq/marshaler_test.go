package rabbitmq

import (
	"math"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/stox-dev/stox/broker"
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
				Headers: amqp091.Table{uuidHeader: "u1", "schema": "image.upload.v1", "correlation_id": "c1"},
			},
			wantUUID: "u1",
			want: map[string]string{
				"schema": "image.upload.v1", "correlation_id": "c1",
				broker.MetaExchange: "p.stox.images", broker.MetaRoutingKey: "image.upload",
			},
			absent: []string{uuidHeader, broker.MetaOriginExchange},
		},
		{
			name: "quorum redelivery count",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.orders", RoutingKey: "order.amazon", Redelivered: true,
				Headers: amqp091.Table{uuidHeader: "u2", headerDeliveryCount: int64(3)},
			},
			wantUUID: "u2",
			want:     map[string]string{headerDeliveryCount: "3"},
		},
		{
			name: "dead-lettered by ttl",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.image_uploads",
				Headers: amqp091.Table{
					uuidHeader:                  "u3",
					headerDeath:                 xDeath("p.stox.images", "p.image_uploads", "expired", "image.upload"),
					headerFirstExchange:         "p.stox.images",
					headerFirstQueue:            "p.image_uploads",
					headerFirstReason:           "expired",
					"correlation_id":            "c3",
					broker.MetaExchange:         "stale",
					amqp.MetadataRedeliveredKey: "true",
				},
			},
			wantUUID: "u3",
			want: map[string]string{
				broker.MetaExchange: "p.stox.poison", broker.MetaRoutingKey: "p.image_uploads",
				broker.MetaOriginExchange: "p.stox.images", broker.MetaOriginRoutingKey: "image.upload",
				broker.MetaQueue: "p.image_uploads", broker.MetaReason: "expired", "correlation_id": "c3",
				headerFirstReason: "expired",
			},
			absent: []string{headerDeath, amqp.MetadataRedeliveredKey},
		},
		{
			name: "dead-lettered twice: latest entry first",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.amazon_listings",
				Headers: amqp091.Table{
					uuidHeader: "u4",
					headerDeath: append(
						xDeath("p.stox.marketplaces", "p.amazon_listings", "maxlen", ""),
						xDeath("p.stox.images", "p.image_uploads", "expired", "image.upload")...),
				},
			},
			wantUUID: "u4",
			want: map[string]string{
				broker.MetaOriginExchange: "p.stox.marketplaces", broker.MetaOriginRoutingKey: "",
				broker.MetaQueue: "p.amazon_listings", broker.MetaReason: "maxlen",
			},
		},
		{
			name: "poisoned by the middleware keeps its origin",
			delivery: amqp091.Delivery{
				Exchange: "p.stox.poison", RoutingKey: "p.seo_generation",
				Headers: amqp091.Table{
					uuidHeader:                  "u5",
					headerDeath:                 xDeath("p.stox.poison", "p.seo_generation.poison", "rejected", "p.seo_generation"),
					broker.MetaOriginExchange:   "p.stox.images",
					broker.MetaOriginRoutingKey: "image.enhanced",
					broker.MetaQueue:            "p.seo_generation",
					broker.MetaReason:           "boom",
					broker.MetaHandler:          "seo.generate",
				},
			},
			wantUUID: "u5",
			want: map[string]string{
				broker.MetaOriginExchange: "p.stox.images", broker.MetaOriginRoutingKey: "image.enhanced",
				broker.MetaQueue: "p.seo_generation", broker.MetaReason: "boom", broker.MetaHandler: "seo.generate",
			},
		},
		{
			name: "unreadable x-death falls back to x-first-death",
			delivery: amqp091.Delivery{
				Headers: amqp091.Table{
					uuidHeader:          "u6",
					headerDeath:         "garbage",
					headerFirstExchange: "p.stox.orders",
					headerFirstQueue:    "p.amazon_orders",
					headerFirstReason:   "rejected",
				},
			},
			wantUUID: "u6",
			want: map[string]string{
				broker.MetaOriginExchange: "p.stox.orders", broker.MetaOriginRoutingKey: "",
				broker.MetaQueue: "p.amazon_orders", broker.MetaReason: "rejected",
			},
		},
		{
			name: "uuid from message id",
			delivery: amqp091.Delivery{
				MessageId: "u7",
				Headers:   amqp091.Table{uuidHeader: int32(7)},
			},
			wantUUID: "u7",
		},
		{
			name: "other header types",
			delivery: amqp091.Delivery{
				Headers: amqp091.Table{
					uuidHeader: "u8",
					"bool":     true,
					"byte":     byte(7),
					"i8":       int8(-8),
					"i16":      int16(-16),
					"i32":      int32(-32),
					"i64":      int64(math.MaxInt64),
					"f32":      float32(1.5),
					"f64":      float64(0.25),
					"decimal":  amqp091.Decimal{Scale: 2, Value: -12345},
					"time":     when,
					"bytes":    []byte("text"),
					"binary":   []byte{0xff, 0xfe},
					"nil":      nil,
					"table":    amqp091.Table{"a": "b"},
					"array":    []any{"a", int32(1)},
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
			msg, err := marshaler{}.Unmarshal(tt.delivery)
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
	msg.Metadata.Set(broker.MetaReason, "boom")
	msg.Metadata.Set(headerDeliveryCount, "2")
	msg.Metadata.Set(headerFirstReason, "expired")
	msg.Metadata.Set(amqp.MetadataRedeliveredKey, "true")

	pub, err := marshaler{}.Marshal(msg)
	require.NoError(t, err)
	assert.Equal(t, "u1", pub.MessageId)
	assert.Equal(t, "application/json", pub.ContentType)
	assert.Equal(t, amqp091.Persistent, pub.DeliveryMode)
	assert.Equal(t, []byte(`{"sku":"A"}`), pub.Body)
	assert.Equal(t, amqp091.Table{
		uuidHeader:        "u1",
		"correlation_id":  "c1",
		broker.MetaReason: "boom",
	}, pub.Headers)
	require.NoError(t, pub.Headers.Validate())

	back, err := marshaler{}.Unmarshal(amqp091.Delivery{
		Exchange: "x", RoutingKey: "k", Headers: pub.Headers, Body: pub.Body, MessageId: pub.MessageId,
	})
	require.NoError(t, err)
	assert.Equal(t, msg.UUID, back.UUID)
	assert.Equal(t, message.Metadata{
		"correlation_id": "c1", broker.MetaReason: "boom", broker.MetaExchange: "x", broker.MetaRoutingKey: "k",
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
	f.Add(uuidHeader, byte(2), "u", int64(3), 0.0, []byte(nil), "e", "k")
	f.Add(broker.MetaOriginExchange, byte(0), "o", int64(0), 0.0, []byte(nil), "e", "k")
	f.Add("decimal", byte(10), "", int64(0x1234502), 0.0, []byte(nil), "e", "k")
	f.Fuzz(func(t *testing.T, key string, kind byte, s string, i int64, fl float64, b []byte, exchange, routingKey string) {
		headers := amqp091.Table{
			key:            fuzzHeaderValue(kind, s, i, fl, b),
			"plain":        s,
			"x-death":      fuzzHeaderValue(kind+13, s, i, fl, b),
			"x-first-seen": fuzzHeaderValue(kind+1, s, i, fl, b),
		}
		d := amqp091.Delivery{Exchange: exchange, RoutingKey: routingKey, Headers: headers, Body: b}
		msg, err := marshaler{}.Unmarshal(d)
		require.NoError(t, err)
		require.NotNil(t, msg)
		assert.Equal(t, exchange, msg.Metadata[broker.MetaExchange])
		assert.Equal(t, routingKey, msg.Metadata[broker.MetaRoutingKey])
		if key != "plain" && key != "x-death" {
			assert.Equal(t, s, msg.Metadata["plain"])
		}
		if v, ok := headers[key].(string); ok && key != uuidHeader && key != broker.MetaExchange && key != broker.MetaRoutingKey && key != amqp.MetadataRedeliveredKey {
			assert.Equal(t, v, msg.Metadata[key])
		}
		assert.Contains(t, msg.Metadata, broker.MetaOriginExchange, "x-death is present")

		pub, err := marshaler{}.Marshal(msg)
		require.NoError(t, err)
		require.NoError(t, pub.Headers.Validate())
		for k, v := range pub.Headers {
			assert.IsType(t, "", v, "header %q", k)
			assert.False(t, brokerHeaders[k], "broker header %q published", k)
		}
	})
}
