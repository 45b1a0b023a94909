package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/broker/memory"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/metrics"
	"github.com/stox-dev/stox/status"
	"github.com/stox-dev/stox/topology"
)

// started is when this process started, for /status's uptime.
var started = time.Now()

// statusHandler serves GET /status: what this process runs, whether it is ready (as
// /readyz says), the catalog's counts and, on the in-memory broker, its queues.
func (a *app) statusHandler(routers []*message.Router) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		p := status.Process{Services: append([]string{}, a.names...), Version: a.version(),
			StartedAt: started.UTC(), Uptime: time.Since(started).Seconds()}
		if err := a.ready(ctx, routers); err != nil {
			p.NotReady = err.Error()
		} else {
			p.Ready = true
		}
		if c, err := a.store.Counts(ctx); err != nil {
			p.ProductsError = err.Error()
		} else {
			p.Products = &c
		}
		if m, ok := a.broker.(*memory.Broker); ok {
			p.Queues = m.Stats()
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(p)
	})
}

// version is the build's version as stox_build_info tells it, so /status and
// /metrics never disagree.
func (a *app) version() string {
	families, _ := a.metrics.Gather()
	for _, f := range families {
		if f.GetName() != metrics.BuildInfo || len(f.GetMetric()) == 0 {
			continue
		}
		for _, l := range f.GetMetric()[0].GetLabel() {
			if l.GetName() == "version" {
				return l.GetValue()
			}
		}
	}
	return ""
}

// statusFlags are the flags status and monitor share; unset, they come from the
// configuration.
type statusFlags struct {
	targets     []string
	rabbitmqAPI string
}

func (f *statusFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&f.targets, "targets", nil, "admin addresses to ask, comma-separated (default STOX_STATUS_TARGETS)")
	cmd.Flags().StringVar(&f.rabbitmqAPI, "rabbitmq-api", "", `RabbitMQ management API URL (default STOX_RABBITMQ_API_URL, or derived from STOX_AMQP_URL; "off": none)`)
}

func (f *statusFlags) options() (status.Options, error) {
	cfg, err := loadConfig()
	if err != nil {
		return status.Options{}, err
	}
	return f.optionsOf(cfg), nil
}

// optionsOf is where status and monitor look under cfg and the flags.
func (f *statusFlags) optionsOf(cfg Config) status.Options {
	o := status.Options{Targets: cfg.StatusTargets, RabbitMQAPI: cfg.RabbitMQAPIURL, AdminKey: cfg.AdminKey,
		VHost: status.VHost(cfg.AMQPURL), Topology: topology.New(cfg.Prefix, cfg.AMQPQuorum, messages.Marketplaces)}
	if o.RabbitMQAPI == "" {
		o.RabbitMQAPI = status.ManagementURL(cfg.AMQPURL)
	}
	if len(f.targets) > 0 {
		o.Targets = f.targets
	}
	switch f.rabbitmqAPI {
	case "":
	case "off":
		o.RabbitMQAPI = ""
	default:
		o.RabbitMQAPI = f.rabbitmqAPI
	}
	return o
}

// printStatus gathers once and prints the report as text or JSON.
func printStatus(ctx context.Context, o status.Options, asJSON bool, w io.Writer) error {
	r := status.Gather(ctx, o, nil)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	return status.WriteAll(w, r)
}

func statusCommand() *cobra.Command {
	var (
		f      statusFlags
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Print every service's health, the queues, the pipeline's metrics and the products' stages once (STOX_STATUS_TARGETS)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			return printStatus(cmd.Context(), o, asJSON, cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return cmd
}

func monitorCommand() *cobra.Command {
	var (
		f     statusFlags
		every time.Duration
	)
	cmd := &cobra.Command{
		Use:   "monitor",
		Short: "A live dashboard of what stox status prints: keys 1-4 or tab switch views, q quits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			return status.Monitor(cmd.Context(), o, every, cmd.InOrStdin(), cmd.OutOrStdout())
		},
	}
	f.register(cmd)
	cmd.Flags().DurationVar(&every, "every", 2*time.Second, "time between refreshes")
	return cmd
}
