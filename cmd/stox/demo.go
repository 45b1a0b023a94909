package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/internal/demo"
)

// demoCommand is `stox demo`: sample products through a running Stox (stox run, or
// the compose stack) and orders through its sandbox, with a summary a seller reads.
func demoCommand() *cobra.Command {
	var (
		cfg                             demo.Config
		api, key, sandboxAt, sandboxKey string
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Send sample products with generated photos through a running Stox, order them in the sandbox, and check every marketplace's stock",
		Long: `demo uploads realistic sample products (fixed SKUs: a second run makes new
revisions of the same products) with photos drawn on the spot, follows them through
the images and seo stages until every marketplace has accepted or rejected them, sets
each one's stock, places orders as the sandbox's customers, and waits until the ledger
has applied them and every marketplace shows what the ledger holds. It exits non-zero
when a listing is not accepted or a marketplace's stock is not in step, saying which.

Against stox run, the defaults need nothing: the API on STOX_HTTP_ADDR with the first
of STOX_API_KEYS, the sandbox on STOX_SANDBOX_ADDR with STOX_SANDBOX_KEY.`,
		Args:         cobra.NoArgs,
		SilenceUsage: true, // a run that went wrong is no misuse
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := loadConfig()
			if err != nil {
				return err
			}
			cfg.API = or(api, "http://"+loopback(c.HTTPAddr))
			cfg.Sandbox = or(sandboxAt, c.sandboxURL())
			cfg.Key, cfg.SandboxKey = key, or(sandboxKey, c.SandboxKey)
			if key == "" && len(c.APIKeys) > 0 {
				cfg.Key = c.APIKeys[0]
			}
			cfg.Out = cmd.OutOrStdout()
			cfg.Terminal = isTerminal(os.Stdout) && cfg.Out == os.Stdout
			res, err := demo.Run(cmd.Context(), cfg)
			var errs []error
			if err != nil {
				errs = append(errs, fmt.Errorf("demo: %w", err))
			}
			if p := res.Problems(); len(p) > 0 {
				errs = append(errs, fmt.Errorf("demo: %d not right: %s", len(p), strings.Join(p, "; ")))
			}
			return errors.Join(errs...)
		},
	}
	f := cmd.Flags()
	f.StringVar(&api, "api", "", "base URL of Stox's API (default http://STOX_HTTP_ADDR)")
	f.StringVar(&key, "key", "", "bearer key of the API (default the first of STOX_API_KEYS)")
	f.StringVar(&sandboxAt, "sandbox", "", "base URL of the marketplace sandbox (default http://STOX_SANDBOX_ADDR)")
	f.StringVar(&sandboxKey, "sandbox-key", "", "bearer key of the sandbox's hooks (default STOX_SANDBOX_KEY)")
	f.IntVar(&cfg.Products, "products", 12, fmt.Sprintf("sample products to send, 1 to %d", len(demo.Samples)))
	f.IntVar(&cfg.Orders, "orders", 30, "orders the sandbox's customers place")
	f.DurationVar(&cfg.Timeout, "timeout", 5*time.Minute, "give up after this long")
	return cmd
}

// isTerminal reports whether f is a terminal, where progress bars are redrawn in
// place; elsewhere the demo writes plain lines.
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
