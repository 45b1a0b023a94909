package rabbitmq

import (
	"math/big"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/broker"
)

// uuidHeader carries the message UUID, under the same name as watermill-amqp's
// DefaultMarshaler, so messages stay readable by either.
const uuidHeader = amqp.DefaultMessageUUIDHeaderKey

// Headers RabbitMQ adds when it dead-letters or redelivers a message.
const (
	headerDeath         = "x-death"
	headerDeliveryCount = "x-delivery-count"
	headerFirstExchange = "x-first-death-exchange"
	headerFirstQueue    = "x-first-death-queue"
	headerFirstReason   = "x-first-death-reason"
)

// brokerHeaders are the headers the broker owns: they describe one delivery, so they
// are read into metadata but never published again (a requeued message must not look
// dead-lettered, and a stale delivery count would lie).
var brokerHeaders = map[string]bool{
	headerDeath:                 true,
	headerDeliveryCount:         true,
	headerFirstExchange:         true,
	headerFirstQueue:            true,
	headerFirstReason:           true,
	"x-last-death-exchange":     true,
	"x-last-death-queue":        true,
	"x-last-death-reason":       true,
	amqp.MetadataRedeliveredKey: true,
}

// marshaler turns Watermill messages into AMQP publishings and back (DESIGN.md §3).
// Unlike watermill-amqp's DefaultMarshaler it never fails on a header that is not a
// string: x-death (an array of tables) and x-delivery-count (an integer) would make
// the default one nack and requeue the same delivery forever.
type marshaler struct{}

// Marshal publishes metadata as string headers, the UUID as a header and as the
// MessageId property, as a persistent JSON message.
func (marshaler) Marshal(msg *message.Message) (amqp091.Publishing, error) {
	headers := make(amqp091.Table, len(msg.Metadata)+1)
	for k, v := range msg.Metadata {
		if brokerHeaders[k] {
			continue
		}
		headers[k] = v
	}
	headers[uuidHeader] = msg.UUID
	return amqp091.Publishing{
		Headers:      headers,
		ContentType:  "application/json",
		DeliveryMode: amqp091.Persistent,
		MessageId:    msg.UUID,
		Timestamp:    time.Now().UTC(),
		Body:         msg.Payload,
	}, nil
}

// Unmarshal never fails. String headers become metadata as they are, numbers, booleans,
// times and UTF-8 byte arrays are rendered as strings, and arrays, tables and anything
// else are skipped. broker.MetaExchange and broker.MetaRoutingKey always name this delivery's route.
// A message the broker dead-lettered also gets its origin, source queue and reason
// from x-death, unless the poison middleware already set them.
func (marshaler) Unmarshal(d amqp091.Delivery) (*message.Message, error) {
	uuid, _ := d.Headers[uuidHeader].(string)
	if uuid == "" {
		uuid = d.MessageId
	}
	msg := message.NewMessage(uuid, d.Body)
	msg.Metadata = make(message.Metadata, len(d.Headers)+2)
	for k, v := range d.Headers {
		// The subscriber sets the redelivered flag itself; one carried over from an
		// earlier delivery would be stale.
		if k == uuidHeader || k == amqp.MetadataRedeliveredKey {
			continue
		}
		if s, ok := renderHeader(v); ok {
			msg.Metadata[k] = s
		}
	}
	msg.Metadata[broker.MetaExchange] = d.Exchange
	msg.Metadata[broker.MetaRoutingKey] = d.RoutingKey
	if _, dead := d.Headers[headerDeath]; dead {
		if _, known := msg.Metadata[broker.MetaOriginExchange]; !known {
			o := deathOrigin(d.Headers)
			msg.Metadata[broker.MetaOriginExchange] = o.exchange
			msg.Metadata[broker.MetaOriginRoutingKey] = o.routingKey
			msg.Metadata[broker.MetaQueue] = o.queue
			msg.Metadata[broker.MetaReason] = o.reason
		}
	}
	return msg, nil
}

// renderHeader renders a header value as metadata, or reports that it has no useful
// string form.
func renderHeader(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case bool:
		return strconv.FormatBool(v), true
	case int8:
		return strconv.FormatInt(int64(v), 10), true
	case int16:
		return strconv.FormatInt(int64(v), 10), true
	case int32:
		return strconv.FormatInt(int64(v), 10), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case int:
		return strconv.Itoa(v), true
	case uint8:
		return strconv.FormatUint(uint64(v), 10), true
	case uint16:
		return strconv.FormatUint(uint64(v), 10), true
	case uint32:
		return strconv.FormatUint(uint64(v), 10), true
	case uint64:
		return strconv.FormatUint(v, 10), true
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32), true
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64), true
	case amqp091.Decimal:
		return renderDecimal(v), true
	case time.Time:
		return v.UTC().Format(time.RFC3339), true
	case []byte:
		if utf8.Valid(v) {
			return string(v), true
		}
	}
	return "", false
}

// renderDecimal renders an AMQP decimal (Value × 10^-Scale) exactly.
func renderDecimal(d amqp091.Decimal) string {
	r := new(big.Rat).SetFrac(big.NewInt(int64(d.Value)), new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d.Scale)), nil))
	return r.FloatString(int(d.Scale))
}

type deadLetter struct {
	exchange, routingKey, queue, reason string
}

// deathOrigin reads where a dead-lettered message came from. RabbitMQ prepends one
// x-death entry per dead-lettering, so the first entry names the queue the message
// has just left and the exchange and routing key it was published to. The
// x-first-death-* headers are the fallback when x-death cannot be read; they carry no
// routing key.
func deathOrigin(h amqp091.Table) deadLetter {
	var o deadLetter
	if deaths, ok := h[headerDeath].([]any); ok && len(deaths) > 0 {
		if d, ok := asTable(deaths[0]); ok {
			o.exchange, _ = d["exchange"].(string)
			o.queue, _ = d["queue"].(string)
			o.reason, _ = d["reason"].(string)
			if keys, ok := d["routing-keys"].([]any); ok && len(keys) > 0 {
				o.routingKey, _ = keys[0].(string)
			}
		}
	}
	if o.exchange == "" {
		o.exchange, _ = h[headerFirstExchange].(string)
	}
	if o.queue == "" {
		o.queue, _ = h[headerFirstQueue].(string)
	}
	if o.reason == "" {
		o.reason, _ = h[headerFirstReason].(string)
	}
	return o
}

func asTable(v any) (amqp091.Table, bool) {
	switch t := v.(type) {
	case amqp091.Table:
		return t, true
	case map[string]any:
		return t, true
	}
	return nil, false
}
