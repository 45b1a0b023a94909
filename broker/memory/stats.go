package memory

// QueueStat is one queue as `stox status` shows it: the counts RabbitMQ's management
// API gives for its queues, kept by the in-memory broker of `stox run`.
type QueueStat struct {
	Name   string `json:"name"`
	Poison bool   `json:"poison,omitempty"`
	// Ready messages wait in the queue; Unacked ones are out with a consumer.
	Ready     int `json:"ready"`
	Unacked   int `json:"unacked"`
	Consumers int `json:"consumers"`
	// Published counts messages the queue took since the broker started (a requeue
	// after a nack is not one); Delivered counts deliveries, redeliveries included.
	Published uint64 `json:"published"`
	Delivered uint64 `json:"delivered"`
}

// Stats returns every queue of the topology, in its order, with its counts.
func (m *Broker) Stats() []QueueStat {
	out := make([]QueueStat, 0, len(m.topo.Queues))
	for _, tq := range m.topo.Queues {
		q := m.queues[tq.Name]
		out = append(out, QueueStat{
			Name: tq.Name, Poison: tq.Poison,
			Ready: len(q.ch), Unacked: int(q.unacked.Load()), Consumers: int(q.consumers.Load()),
			Published: q.published.Load(), Delivered: q.delivered.Load(),
		})
	}
	return out
}
