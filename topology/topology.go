// Package topology is the one description of Stox's exchanges, queues, bindings and
// queue arguments (DESIGN.md §3). What services declare, the in-memory broker's
// routing, `stox topology` (RabbitMQ definitions JSON) and the README table all come
// from it. Names take an optional prefix so tests run isolated side by side.
package topology

import (
	"fmt"
	"sort"
	"strings"
)

// Exchange types used by the topology.
const (
	Topic  = "topic"
	Fanout = "fanout"
	Direct = "direct"
)

// Logical names: exchanges, routing keys and work queues. Handlers never spell these;
// the service constructors in package router take them from here, and Topology.Name
// adds the prefix.
const (
	ExchangeImages       = "stox.images"
	ExchangeMarketplaces = "stox.marketplaces"
	ExchangeOrders       = "stox.orders"
	ExchangeInventory    = "stox.inventory"
	ExchangePoison       = "stox.poison"

	KeyImageUpload   = "image.upload"
	KeyImageProcess  = "image.process"
	KeyImageEnhanced = "image.enhanced"

	QueueImageUploads  = "image_uploads"
	QueueAIProcessing  = "ai_processing"
	QueueSEOGeneration = "seo_generation"

	// PoisonSuffix turns a work queue's name into its poison queue's name.
	PoisonSuffix = ".poison"
)

// OrderKey is the routing key of a marketplace's orders on stox.orders.
func OrderKey(marketplace string) string { return "order." + marketplace }

// ListingsQueue is a marketplace's queue on the stox.marketplaces fanout.
func ListingsQueue(marketplace string) string { return marketplace + "_listings" }

// OrdersQueue is the sync service's queue for a marketplace's orders.
func OrdersQueue(marketplace string) string { return marketplace + "_orders" }

// StockQueue is a marketplace's queue on the stox.inventory fanout.
func StockQueue(marketplace string) string { return marketplace + "_stock" }

// Queue arguments of DESIGN.md §3.
const (
	MessageTTL = 86400000 // ms: one day
	MaxLength  = 10000
)

// Exchange is one exchange of the topology.
type Exchange struct {
	Name string
	Type string
}

// Binding routes messages published to Exchange with Key into a queue. Key is empty
// for fanout exchanges.
type Binding struct {
	Exchange string
	Key      string
}

// Queue is one queue of the topology. A work queue has a poison queue beside it.
type Queue struct {
	Name     string
	Bindings []Binding
	// Poison is true for the <queue>.poison queues: no TTL, no length limit.
	Poison bool
	// SingleActiveConsumer keeps delivery order where per-SKU ordering matters.
	SingleActiveConsumer bool
	// Slow is true for a queue whose handlers take seconds (the image stage): a
	// subscriber prefetches one message, so a backlog waits in the queue for whichever
	// worker of whichever replica is free rather than behind a busy one.
	Slow bool
	// MaxLength is how many ready messages the queue holds before it refuses publishes
	// (x-max-length with x-overflow reject-publish): MaxLength for every work queue of
	// New, smaller in tests that fill a queue; 0 means no limit, as for poison queues.
	MaxLength int
}

// Topology is the one description of every exchange, queue and binding. It drives
// what services declare, the in-memory routing, `stox topology` and the definitions
// file. Every name it returns already carries its Prefix.
type Topology struct {
	// Prefix is empty or ends with its separator, the dot.
	Prefix    string
	Quorum    bool
	Exchanges []Exchange
	Queues    []Queue
}

// New builds the Stox topology for the given marketplaces. prefix (may be empty) is put
// before every exchange and queue name, joined with a dot ("nc" and "nc." both make
// nc.stox.images and nc.ai_processing), so tests run isolated side by side; quorum
// selects quorum queues for a cluster instead of classic ones for a single node.
func New(prefix string, quorum bool, marketplaces []string) *Topology {
	if prefix != "" && !strings.HasSuffix(prefix, ".") {
		prefix += "."
	}
	t := &Topology{Prefix: prefix, Quorum: quorum}
	n := t.Name
	t.Exchanges = []Exchange{
		{n(ExchangeImages), Topic},
		{n(ExchangeMarketplaces), Fanout},
		{n(ExchangeOrders), Direct},
		{n(ExchangeInventory), Fanout},
		{n(ExchangePoison), Direct},
	}
	t.work(QueueImageUploads, false, Binding{n(ExchangeImages), KeyImageUpload})
	t.work(QueueAIProcessing, false, Binding{n(ExchangeImages), KeyImageProcess})
	t.work(QueueSEOGeneration, false, Binding{n(ExchangeImages), KeyImageEnhanced})
	for _, m := range marketplaces {
		t.work(ListingsQueue(m), false, Binding{Exchange: n(ExchangeMarketplaces)})
	}
	for _, m := range marketplaces {
		t.work(OrdersQueue(m), false, Binding{n(ExchangeOrders), OrderKey(m)})
	}
	for _, m := range marketplaces {
		t.work(StockQueue(m), true, Binding{Exchange: n(ExchangeInventory)})
	}
	for i := range t.Queues {
		t.Queues[i].Slow = t.Queues[i].Name == n(QueueAIProcessing)
	}
	return t
}

func (t *Topology) work(name string, single bool, b Binding) {
	q := t.Name(name)
	t.Queues = append(t.Queues,
		Queue{Name: q, Bindings: []Binding{b}, SingleActiveConsumer: single, MaxLength: MaxLength},
		Queue{Name: q + PoisonSuffix, Bindings: []Binding{{t.Name(ExchangePoison), q}}, Poison: true},
	)
}

// Name returns a logical exchange or queue name with the topology's prefix.
func (t *Topology) Name(logical string) string { return t.Prefix + logical }

// Queue returns the queue with the given full name.
func (t *Topology) Queue(name string) (Queue, bool) {
	for _, q := range t.Queues {
		if q.Name == name {
			return q, true
		}
	}
	return Queue{}, false
}

// Exchange returns the exchange with the given full name.
func (t *Topology) Exchange(name string) (Exchange, bool) {
	for _, e := range t.Exchanges {
		if e.Name == name {
			return e, true
		}
	}
	return Exchange{}, false
}

// Route returns the queues a message published to exchange with routing key reaches,
// by the exchange's type: fanout ignores the key, direct matches it exactly, topic
// matches it against binding patterns.
func (t *Topology) Route(exchange, key string) ([]string, error) {
	ex, ok := t.Exchange(exchange)
	if !ok {
		return nil, fmt.Errorf("route: unknown exchange %q", exchange)
	}
	var out []string
	for _, q := range t.Queues {
		for _, b := range q.Bindings {
			if b.Exchange != exchange {
				continue
			}
			if ex.Type == Fanout || (ex.Type == Direct && b.Key == key) || (ex.Type == Topic && topicMatch(b.Key, key)) {
				out = append(out, q.Name)
				break
			}
		}
	}
	return out, nil
}

// PoisonQueues lists the poison queues, sorted.
func (t *Topology) PoisonQueues() []string {
	var out []string
	for _, q := range t.Queues {
		if q.Poison {
			out = append(out, q.Name)
		}
	}
	sort.Strings(out)
	return out
}

// Arguments returns the declare arguments of a queue (DESIGN.md §3).
func (t *Topology) Arguments(q Queue) map[string]any {
	args := map[string]any{"x-queue-type": "classic"}
	if t.Quorum {
		args["x-queue-type"] = "quorum"
	}
	if q.Poison {
		return args
	}
	args["x-message-ttl"] = MessageTTL
	if q.MaxLength > 0 {
		args["x-max-length"] = q.MaxLength
	}
	args["x-overflow"] = "reject-publish"
	args["x-dead-letter-exchange"] = t.Name(ExchangePoison)
	args["x-dead-letter-routing-key"] = q.Name
	if q.SingleActiveConsumer {
		args["x-single-active-consumer"] = true
	}
	return args
}

// topicMatch matches a routing key against an AMQP topic binding pattern, where "*"
// is exactly one word and "#" is zero or more words.
func topicMatch(pattern, key string) bool {
	return matchWords(splitWords(pattern), splitWords(key))
}

func splitWords(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func matchWords(p, k []string) bool {
	if len(p) == 0 {
		return len(k) == 0
	}
	if p[0] == "#" {
		for i := 0; i <= len(k); i++ {
			if matchWords(p[1:], k[i:]) {
				return true
			}
		}
		return false
	}
	if len(k) == 0 {
		return false
	}
	return (p[0] == "*" || p[0] == k[0]) && matchWords(p[1:], k[1:])
}
