package topology

import (
	"encoding/json"
	"sort"
)

// Definitions renders the topology as RabbitMQ definitions JSON (the format of
// `rabbitmqctl import_definitions` and the management API): exchanges, queues with
// their arguments, and bindings, all in vhost "/". docker/rabbitmq/definitions.json is
// generated from it; services still declare the same topology at start.
func (t *Topology) Definitions() ([]byte, error) {
	type exchange struct {
		Name       string         `json:"name"`
		Vhost      string         `json:"vhost"`
		Type       string         `json:"type"`
		Durable    bool           `json:"durable"`
		AutoDelete bool           `json:"auto_delete"`
		Internal   bool           `json:"internal"`
		Arguments  map[string]any `json:"arguments"`
	}
	type queue struct {
		Name       string         `json:"name"`
		Vhost      string         `json:"vhost"`
		Durable    bool           `json:"durable"`
		AutoDelete bool           `json:"auto_delete"`
		Arguments  map[string]any `json:"arguments"`
	}
	type binding struct {
		Source          string         `json:"source"`
		Vhost           string         `json:"vhost"`
		Destination     string         `json:"destination"`
		DestinationType string         `json:"destination_type"`
		RoutingKey      string         `json:"routing_key"`
		Arguments       map[string]any `json:"arguments"`
	}
	var d struct {
		Vhosts    []map[string]string `json:"vhosts"`
		Exchanges []exchange          `json:"exchanges"`
		Queues    []queue             `json:"queues"`
		Bindings  []binding           `json:"bindings"`
	}
	d.Vhosts = []map[string]string{{"name": "/"}}
	for _, e := range t.Exchanges {
		d.Exchanges = append(d.Exchanges, exchange{Name: e.Name, Vhost: "/", Type: e.Type, Durable: true, Arguments: map[string]any{}})
	}
	for _, q := range t.Queues {
		d.Queues = append(d.Queues, queue{Name: q.Name, Vhost: "/", Durable: true, Arguments: t.Arguments(q)})
		for _, b := range q.Bindings {
			d.Bindings = append(d.Bindings, binding{Source: b.Exchange, Vhost: "/", Destination: q.Name,
				DestinationType: "queue", RoutingKey: b.Key, Arguments: map[string]any{}})
		}
	}
	sort.Slice(d.Exchanges, func(i, j int) bool { return d.Exchanges[i].Name < d.Exchanges[j].Name })
	sort.Slice(d.Queues, func(i, j int) bool { return d.Queues[i].Name < d.Queues[j].Name })
	sort.Slice(d.Bindings, func(i, j int) bool {
		a, b := d.Bindings[i], d.Bindings[j]
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Destination != b.Destination {
			return a.Destination < b.Destination
		}
		return a.RoutingKey < b.RoutingKey
	})
	out, err := json.MarshalIndent(d, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}
