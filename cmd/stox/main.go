// Command stox holds every Stox service and tool: `stox serve <service>` runs one
// service, `stox run` runs them all in one process on the embedded defaults, and
// `stox status`, `stox monitor`, `stox topology`, `stox poison`, `stox blobs`, `stox env`
// and `stox healthcheck` help operate them; `stox import` sends a catalogue and `stox
// demo` sample products; `stox taxonomy` and `stox mapping` read the marketplaces'
// taxonomies and pin how a seller's words map onto them; `stox sandbox` imitates the
// marketplaces' APIs.
package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/marketplace/sandbox"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/topology"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := newRoot().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "stox:", err)
		os.Exit(1)
	}
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "stox",
		Short:         "Stox turns a product sent once into listings on Amazon, Trendyol and Hepsiburada, and keeps their stock in step.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		&cobra.Command{
			Use:       "serve SERVICE",
			Short:     "Run one service on RabbitMQ (STOX_AMQP_URL): " + fmt.Sprint(services),
			Args:      cobra.ExactArgs(1),
			ValidArgs: services,
			RunE:      func(cmd *cobra.Command, args []string) error { return serve(cmd.Context(), args[0]) },
		},
		&cobra.Command{
			Use:   "run",
			Short: "Run every service in one process: in-memory transport, SQLite and blobs under STOX_DATA_DIR, the API on STOX_HTTP_ADDR",
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return runAll(cmd.Context()) },
		},
		&cobra.Command{
			Use:   "topology",
			Short: "Print the RabbitMQ definitions JSON of the topology (STOX_PREFIX, STOX_AMQP_QUORUM)",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				cfg, err := loadConfig()
				if err != nil {
					return err
				}
				b, err := topology.New(cfg.Prefix, cfg.AMQPQuorum, messages.Marketplaces).Definitions()
				if err != nil {
					return err
				}
				_, err = cmd.OutOrStdout().Write(b)
				return err
			},
		},
		&cobra.Command{
			Use:   "env",
			Short: "List every configuration variable with its default",
			Args:  cobra.NoArgs,
			RunE:  func(*cobra.Command, []string) error { return printEnv() },
		},
		&cobra.Command{
			Use:   "healthcheck",
			Short: "Exit 0 when this container's service answers on STOX_ADMIN_ADDR /healthz",
			Args:  cobra.NoArgs,
			RunE:  func(cmd *cobra.Command, _ []string) error { return healthcheck(cmd.Context()) },
		},
		poisonCommand(),
		statusCommand(),
		monitorCommand(),
		sandboxCommand(),
		taxonomyCommand(),
		mappingCommand(),
		demoCommand(),
		importCommand(),
		blobsCommand(),
	)
	return root
}

// serve runs one service against RabbitMQ.
func serve(ctx context.Context, name string) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	if cfg.AMQPURL == "" {
		return errors.New("serve needs STOX_AMQP_URL: the in-memory transport only joins services of one process (use stox run)")
	}
	if name == "image" && len(cfg.APIKeys) == 0 {
		return errors.New("serve image refuses to start without STOX_API_KEYS")
	}
	log := newLogger(cfg).With("service", name)
	log.Info("starting", cfg.redacted()...)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	r, err := a.router(name)
	if err != nil {
		return err
	}
	routers := []*message.Router{r}
	servers := []*http.Server{a.adminServer(routers)}
	if name == "image" {
		h, err := a.apiHandler()
		if err != nil {
			return err
		}
		servers = append(servers, a.apiServer(h))
	}
	return a.serve(ctx, routers, servers)
}

// runAll runs every service in one process.
func runAll(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := newLogger(cfg)
	log.Info("starting every service in one process", cfg.redacted()...)
	a, err := openApp(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.close()
	var routers []*message.Router
	for _, name := range services {
		r, err := a.router(name)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		routers = append(routers, r)
	}
	h, err := a.apiHandler()
	if err != nil {
		return err
	}
	if cfg.SandboxAddr != "" {
		// listening before the services start, so their first requests find it
		ln, err := net.Listen("tcp", cfg.SandboxAddr)
		if err != nil {
			return fmt.Errorf("sandbox: listen on %s: %w", cfg.SandboxAddr, err)
		}
		go func() {
			if err := runSandbox(ctx, ln, sandbox.Options{HookKey: cfg.SandboxKey}, log.With("service", "sandbox")); err != nil {
				log.Error("sandbox stopped", "error", err)
			}
		}()
	}
	log.Info("API listening", "url", "http://"+cfg.HTTPAddr+"/v1/products", "auth", len(cfg.APIKeys) > 0)
	return a.serve(ctx, routers, []*http.Server{a.apiServer(h), a.adminServer(routers)})
}

func healthcheck(ctx context.Context) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	addr := loopback(cfg.AdminAddr)
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz answered %s", res.Status)
	}
	return nil
}
