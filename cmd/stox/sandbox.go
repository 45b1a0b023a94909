package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/marketplace/sandbox"
)

// sandboxCommand is `stox sandbox`: the imitation of every marketplace's API, with
// simulated customers and injected faults, on STOX_SANDBOX_ADDR.
func sandboxCommand() *cobra.Command {
	var opts sandbox.Options
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve the marketplace sandbox (Amazon, Trendyol, Hepsiburada imitations) on STOX_SANDBOX_ADDR",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := loadConfig()
			if err != nil {
				return err
			}
			if cfg.SandboxAddr == "" {
				return errors.New("stox sandbox needs STOX_SANDBOX_ADDR")
			}
			log := newLogger(cfg).With("service", "sandbox")
			ln, err := net.Listen("tcp", cfg.SandboxAddr)
			if err != nil {
				return fmt.Errorf("sandbox: listen on %s: %w", cfg.SandboxAddr, err)
			}
			opts.HookKey = cfg.SandboxKey
			return runSandbox(cmd.Context(), ln, opts, log)
		},
	}
	f := cmd.Flags()
	f.Float64Var(&opts.Customers.OrdersPerSecond, "orders-per-second", 0, "simulated customers' orders per second over all marketplaces")
	f.Float64Var(&opts.Customers.CancelShare, "cancel-share", 0.05, "share of simulated orders cancelled later")
	f.Float64Var(&opts.Faults.ErrorRate, "error-rate", 0, "share of marketplace requests answered 500")
	f.DurationVar(&opts.Faults.Latency, "latency", 0, "latency added to every marketplace request")
	f.DurationVar(&opts.Faults.StormEvery, "storm-every", 0, "a 429 storm starts this often (0: none)")
	f.DurationVar(&opts.Faults.StormLength, "storm-length", 0, "how long each 429 storm lasts")
	f.DurationVar(&opts.Faults.SlowBatches, "slow-batches", 0, "added to every asynchronous batch's processing time")
	f.BoolVar(&opts.Amazon.Static, "amazon-static", false, "serve Amazon as its static sandbox: the official models' x-amzn-api-sandbox examples instead of a store")
	f.Uint64Var(&opts.Faults.Seed, "seed", 1, "seed of the injected faults and the customers' choices")
	return cmd
}

// runSandbox serves a sandbox on ln until ctx ends.
func runSandbox(ctx context.Context, ln net.Listener, opts sandbox.Options, log *slog.Logger) error {
	opts.Customers.Seed = opts.Faults.Seed
	sb := sandbox.New(opts)
	srv := &http.Server{Handler: sb, ReadHeaderTimeout: 10 * time.Second, MaxHeaderBytes: maxHeaderBytes}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	go func() { _ = sb.Run(ctx) }()
	log.Info("sandbox listening", "url", "http://"+ln.Addr().String(), "marketplaces", sb.Marketplaces())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
