package router

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/permanent"
)

// Handle turns a typed handler that produces one message into a Watermill handler:
// decode, call, encode, in one place. A payload that does not decode, or carries
// another schema, is a permanent error.
func Handle[In, Out messages.Message](fn func(context.Context, In) (Out, error)) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		in, err := Decode[In](msg)
		if err != nil {
			return nil, err
		}
		out, err := fn(msg.Context(), in)
		if err != nil {
			return nil, err
		}
		m, err := Encode(out)
		if err != nil {
			return nil, err
		}
		return []*message.Message{m}, nil
	}
}

// HandleMany is Handle for a handler that produces any number of messages.
func HandleMany[In, Out messages.Message](fn func(context.Context, In) ([]Out, error)) message.HandlerFunc {
	return func(msg *message.Message) ([]*message.Message, error) {
		in, err := Decode[In](msg)
		if err != nil {
			return nil, err
		}
		outs, err := fn(msg.Context(), in)
		if err != nil {
			return nil, err
		}
		res := make([]*message.Message, 0, len(outs))
		for _, o := range outs {
			m, err := Encode(o)
			if err != nil {
				return nil, err
			}
			res = append(res, m)
		}
		return res, nil
	}
}

// Consume turns a typed handler that produces nothing into a Watermill handler.
func Consume[In messages.Message](fn func(context.Context, In) error) message.NoPublishHandlerFunc {
	return func(msg *message.Message) error {
		in, err := Decode[In](msg)
		if err != nil {
			return err
		}
		return fn(msg.Context(), in)
	}
}

// Decode reads a message's JSON payload as In, checking its schema metadata. Every
// failure is permanent: the same bytes will never decode.
func Decode[In messages.Message](msg *message.Message) (In, error) {
	var in In
	if got := msg.Metadata.Get(messages.SchemaKey); got != in.Schema() {
		return in, permanent.Errorf("decode %s: schema is %q, want %q", msg.UUID, got, in.Schema())
	}
	if len(msg.Payload) == 0 {
		return in, permanent.Errorf("decode %s: empty payload", msg.UUID)
	}
	if err := json.Unmarshal(msg.Payload, &in); err != nil {
		return in, permanent.Errorf("decode %s as %s: %w", msg.UUID, in.Schema(), err)
	}
	return in, nil
}

// Encode makes a message of m: JSON payload, a new UUID, and the schema in metadata.
func Encode(m messages.Message) (*message.Message, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Schema(), err)
	}
	msg := message.NewMessage(watermill.NewUUID(), b)
	msg.Metadata.Set(messages.SchemaKey, m.Schema())
	return msg, nil
}
