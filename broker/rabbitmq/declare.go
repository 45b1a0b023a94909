package rabbitmq

import (
	"fmt"
	"math"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill-amqp/v3/pkg/amqp"
	amqp091 "github.com/rabbitmq/amqp091-go"

	"github.com/stox-dev/stox/topology"
)

// table converts queue arguments to AMQP field values. Go ints go on the wire as
// 32 bits in amqp091, so wider values become int64 rather than wrapping.
func table(args map[string]any) (amqp091.Table, error) {
	t := make(amqp091.Table, len(args))
	for k, v := range args {
		switch v := v.(type) {
		case int:
			if v >= math.MinInt32 && v <= math.MaxInt32 {
				t[k] = int32(v)
			} else {
				t[k] = int64(v)
			}
		case string, bool, int32, int64:
			t[k] = v
		default:
			return nil, fmt.Errorf("queue argument %s: unsupported type %T", k, v)
		}
	}
	return t, nil
}

// declarer declares topology entities with exactly the topology's flags and
// arguments, so every declarer of a queue agrees and RabbitMQ never answers 406.
type declarer struct {
	topo *topology.Topology
	args func(topology.Queue) (amqp091.Table, error)
}

func (d declarer) exchange(ch *amqp091.Channel, name string) error {
	ex, ok := d.topo.Exchange(name)
	if !ok {
		return fmt.Errorf("exchange %q is not in the topology", name)
	}
	if err := ch.ExchangeDeclare(ex.Name, ex.Type, true, false, false, false, nil); err != nil {
		return fmt.Errorf("declare exchange %s: %w", ex.Name, err)
	}
	return nil
}

// queue declares a queue, the exchanges it is bound to and its bindings.
func (d declarer) queue(ch *amqp091.Channel, q topology.Queue) error {
	args, err := d.args(q)
	if err != nil {
		return fmt.Errorf("declare queue %s: %w", q.Name, err)
	}
	if _, err := ch.QueueDeclare(q.Name, true, false, false, false, args); err != nil {
		return fmt.Errorf("declare queue %s: %w", q.Name, err)
	}
	for _, bd := range q.Bindings {
		if err := d.exchange(ch, bd.Exchange); err != nil {
			return err
		}
		if err := ch.QueueBind(q.Name, bd.Key, bd.Exchange, false, nil); err != nil {
			return fmt.Errorf("bind queue %s to %s with %q: %w", q.Name, bd.Exchange, bd.Key, err)
		}
	}
	return nil
}

// topologyBuilder is the watermill-amqp TopologyBuilder of our subscribers and
// publishers. A subscription declares its queue with the topology's arguments (never
// the config's), its bindings and, for a work queue, the poison queue its dead letters
// go to: after a broker restart that lost them, a reconnect restores the whole path.
type topologyBuilder struct {
	declarer
	lookup func(amqp.BuildTopologyParams) (topology.Queue, bool)
}

// BuildTopology declares the subscribed queue and what it depends on.
func (t *topologyBuilder) BuildTopology(ch *amqp091.Channel, p amqp.BuildTopologyParams, _ amqp.Config, _ watermill.LoggerAdapter) error {
	q, ok := t.lookup(p)
	if !ok {
		return fmt.Errorf("queue %q is not in the topology", p.QueueName)
	}
	if err := t.queue(ch, q); err != nil {
		return err
	}
	if !q.Poison {
		if pq, ok := t.topo.Queue(q.Name + topology.PoisonSuffix); ok {
			return t.queue(ch, pq)
		}
	}
	return nil
}

// ExchangeDeclare declares a publisher's exchange as the topology describes it.
func (t *topologyBuilder) ExchangeDeclare(ch *amqp091.Channel, name string, _ amqp.Config) error {
	return t.exchange(ch, name)
}
