package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// openTaxonomy opens the store (STOX_DATABASE_URL or SQLite under STOX_DATA_DIR) for
// the taxonomy commands.
func openTaxonomy(ctx context.Context) (Config, store.Stores, error) {
	cfg, err := loadConfig()
	if err != nil {
		return cfg, nil, err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return cfg, nil, fmt.Errorf("open store: %w", err)
	}
	return cfg, st, nil
}

// marketplaceArgs are the marketplaces named, or every one when none is.
func marketplaceArgs(args []string) ([]string, error) {
	if len(args) == 0 {
		return messages.Marketplaces, nil
	}
	for _, a := range args {
		if !messages.IsMarketplace(a) {
			return nil, fmt.Errorf("no marketplace %q: one of %s", a, strings.Join(messages.Marketplaces, ", "))
		}
	}
	return args, nil
}

func taxonomyCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "taxonomy",
		Short: "Read the marketplaces' categories, attributes and brands, and search them",
	}
	cmd.AddCommand(
		&cobra.Command{
			Use:   "sync [MARKETPLACE...]",
			Short: "Read each marketplace's taxonomy now (the marketplace services also do, every STOX_TAXONOMY_REFRESH)",
			RunE: func(cmd *cobra.Command, args []string) error {
				names, err := marketplaceArgs(args)
				if err != nil {
					return err
				}
				cfg, t, err := openTaxonomy(cmd.Context())
				if err != nil {
					return err
				}
				defer t.Close()
				for _, name := range names {
					client, _, err := cfg.client(name, nil)
					if err != nil {
						return err
					}
					src, ok := client.(taxonomy.Source)
					if !ok {
						return fmt.Errorf("%s: the client reads no taxonomy", name)
					}
					start := time.Now()
					n, err := taxonomy.Sync(cmd.Context(), name, src, t, time.Now)
					if err != nil {
						return err
					}
					fmt.Fprintf(cmd.OutOrStdout(), "%s: %d categories, %d definitions of categories in use, %d brands in %s\n",
						name, n.Categories, n.Definitions, n.Brands, time.Since(start).Round(time.Millisecond))
				}
				return nil
			},
		},
		&cobra.Command{
			Use:   "search MARKETPLACE WORDS...",
			Short: "List the stored leaf categories whose path holds every word (Turkish letters optional)",
			Args:  cobra.MinimumNArgs(2),
			RunE: func(cmd *cobra.Command, args []string) error {
				if _, err := marketplaceArgs(args[:1]); err != nil {
					return err
				}
				_, t, err := openTaxonomy(cmd.Context())
				if err != nil {
					return err
				}
				defer t.Close()
				cats, err := t.Categories(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if len(cats) == 0 {
					return fmt.Errorf("no %s taxonomy stored yet: run stox taxonomy sync %s", args[0], args[0])
				}
				w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
				for _, c := range taxonomy.Search(cats, strings.Join(args[1:], " "), 0) {
					fmt.Fprintf(w, "%s\t%s\n", c.ID, strings.Join(c.Path, " > "))
				}
				return w.Flush()
			},
		},
	)
	return cmd
}

func mappingCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mapping",
		Short: "Pin how your words map to a marketplace's: a category word, a brand, an attribute value",
	}
	var attribute string
	pin := &cobra.Command{
		Use:   "pin MARKETPLACE KIND FROM TO",
		Short: "Pin FROM (your category word, brand or value) to TO (the marketplace's ID); KIND is category, brand or value (value needs --attribute)",
		Example: `  stox mapping pin trendyol category "Telefon Kılıfı" 2201
  stox mapping pin trendyol value Lacivert 47001 --attribute 47`,
		Args: cobra.ExactArgs(4),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, t, err := openTaxonomy(cmd.Context())
			if err != nil {
				return err
			}
			defer t.Close()
			p := store.Pin{Marketplace: args[0], Kind: args[1], Attribute: attribute, From: args[2], To: args[3]}
			if err := t.Pin(cmd.Context(), p); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "pinned %s %s %q → %s\n", p.Marketplace, p.Kind, p.From, p.To)
			return nil
		},
	}
	pin.Flags().StringVar(&attribute, "attribute", "", "the marketplace attribute ID a value pin applies to")
	var unpinAttribute string
	unpin := &cobra.Command{
		Use:   "unpin MARKETPLACE KIND FROM",
		Short: "Remove a pin",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, t, err := openTaxonomy(cmd.Context())
			if err != nil {
				return err
			}
			defer t.Close()
			return t.Unpin(cmd.Context(), store.Pin{Marketplace: args[0], Kind: args[1], Attribute: unpinAttribute, From: args[2]})
		},
	}
	unpin.Flags().StringVar(&unpinAttribute, "attribute", "", "the marketplace attribute ID of a value pin")
	cmd.AddCommand(pin, unpin, &cobra.Command{
		Use:   "list [MARKETPLACE]",
		Short: "List the pins",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			_, t, err := openTaxonomy(cmd.Context())
			if err != nil {
				return err
			}
			defer t.Close()
			m := ""
			if len(args) == 1 {
				m = args[0]
			}
			ps, err := t.Pins(cmd.Context(), m)
			if err != nil {
				return err
			}
			return printPins(cmd.OutOrStdout(), ps)
		},
	})
	return cmd
}

func printPins(out io.Writer, ps []store.Pin) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "MARKETPLACE\tKIND\tATTRIBUTE\tFROM\tTO")
	for _, p := range ps {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", p.Marketplace, p.Kind, p.Attribute, p.From, p.To)
	}
	return w.Flush()
}
