package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/broker/rabbitmq"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/middleware"
	"github.com/stox-dev/stox/topology"
)

func poisonCommand() *cobra.Command {
	var n int
	cmd := &cobra.Command{
		Use:   "poison",
		Short: "Inspect, requeue and purge the poison queues on RabbitMQ (STOX_AMQP_URL)",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "Every poison queue with its message count",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withPoison(cmd, func(p *rabbitmq.Broker, _ *topology.Topology) error {
				stats, err := p.PoisonList(cmd.Context())
				if err != nil {
					return err
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				fmt.Fprintln(w, "QUEUE\tMESSAGES")
				for _, s := range stats {
					fmt.Fprintf(w, "%s\t%d\n", s.Queue, s.Messages)
				}
				return w.Flush()
			})
		},
	}
	show := &cobra.Command{
		Use:   "show QUEUE",
		Short: "Print up to -n messages of a poison queue as JSON lines, leaving them there",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withPoison(cmd, func(p *rabbitmq.Broker, t *topology.Topology) error {
				msgs, err := p.PoisonPeek(cmd.Context(), poisonQueue(t, args[0]), n)
				if err != nil {
					return err
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				for _, m := range msgs {
					if err := enc.Encode(map[string]any{
						"uuid": m.UUID, "queue": m.Queue, "reason": m.Reason, "handler": m.Handler,
						"origin_exchange": m.OriginExchange, "origin_routing_key": m.OriginRoutingKey,
						"schema": m.Metadata[messages.SchemaKey], "correlation_id": m.Metadata[middleware.MetaCorrelationID],
						"payload": json.RawMessage(validJSON(m.Payload)),
					}); err != nil {
						return err
					}
				}
				return nil
			})
		},
	}
	requeue := &cobra.Command{
		Use:   "requeue QUEUE",
		Short: "Send up to -n of the messages a poison queue holds back to where they were first published, each once",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withPoison(cmd, func(p *rabbitmq.Broker, t *topology.Topology) error {
				k, err := p.PoisonRequeue(cmd.Context(), poisonQueue(t, args[0]), n)
				fmt.Fprintf(cmd.OutOrStdout(), "requeued %d\n", k)
				return err
			})
		},
	}
	purge := &cobra.Command{
		Use:   "purge QUEUE",
		Short: "Delete every message of a poison queue",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return withPoison(cmd, func(p *rabbitmq.Broker, t *topology.Topology) error {
				k, err := p.PoisonPurge(cmd.Context(), poisonQueue(t, args[0]))
				fmt.Fprintf(cmd.OutOrStdout(), "purged %d\n", k)
				return err
			})
		},
	}
	for _, c := range []*cobra.Command{show, requeue} {
		c.Flags().IntVarP(&n, "n", "n", 100, "most messages")
	}
	cmd.AddCommand(list, show, requeue, purge)
	return cmd
}

// poisonQueue accepts a work queue or poison queue name, with or without the prefix.
func poisonQueue(t *topology.Topology, name string) string {
	if !strings.HasPrefix(name, t.Prefix) {
		name = t.Name(name)
	}
	if !strings.HasSuffix(name, topology.PoisonSuffix) {
		name += topology.PoisonSuffix
	}
	return name
}

func validJSON(b []byte) []byte {
	if json.Valid(b) {
		return b
	}
	q, _ := json.Marshal(string(b))
	return q
}

func withPoison(cmd *cobra.Command, fn func(*rabbitmq.Broker, *topology.Topology) error) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.AMQPURL == "" {
		return errors.New("stox poison works on RabbitMQ: set STOX_AMQP_URL (the in-memory transport of stox run logs poisoned messages instead)")
	}
	topo := topology.New(cfg.Prefix, cfg.AMQPQuorum, messages.Marketplaces)
	b, err := rabbitmq.New(cmd.Context(), rabbitmq.Config{URL: cfg.AMQPURL, ChannelPoolSize: 1, Prefetch: 1}, topo, middleware.Logger(newLogger(cfg)))
	if err != nil {
		return err
	}
	defer b.Close()
	return fn(b, topo)
}
