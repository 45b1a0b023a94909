package status

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/stox-dev/stox/store"
)

// Views are the report's views, in the order status prints them and monitor tabs
// them.
var Views = []string{"services", "queues", "metrics", "products"}

// listingStates are the listing states in their order through the pipeline.
var listingStates = []string{store.ListingQueued, store.ListingNeedsInput, store.ListingSubmitted, store.ListingAccepted, store.ListingRejected}

// WriteAll writes every view of r, each under its title.
func WriteAll(w io.Writer, r Report) error {
	for i, v := range Views {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, strings.ToUpper(v))
		if err := Write(w, r, v); err != nil {
			return err
		}
	}
	return nil
}

// Write writes one view of r as aligned text.
func Write(w io.Writer, r Report, view string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch view {
	case "services":
		writeServices(tw, r.Instances)
	case "queues":
		writeQueues(tw, r.Queues)
	case "metrics":
		writeMetrics(tw, r.Metrics)
	case "products":
		writeProducts(tw, r.Products)
	default:
		return fmt.Errorf("no view %q (one of %s)", view, strings.Join(Views, ", "))
	}
	return tw.Flush()
}

func writeServices(w io.Writer, ins []Instance) {
	fmt.Fprintln(w, "SERVICE\tADDRESS\tREPLICAS\tREADY\tVERSION\tUPTIME")
	var why []string
	for _, in := range ins {
		ready, uptime := "yes", (time.Duration(in.Uptime) * time.Second).String()
		switch {
		case in.Error != "":
			ready, uptime = "ERROR", ""
			why = append(why, in.Addr+": "+in.Error)
		case !in.Ready:
			ready = "NO"
			why = append(why, in.Addr+": "+in.NotReady)
		}
		name := strings.Join(in.Services, ",")
		if name == "" {
			name = in.Target
		}
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%s\t%s\n", name, in.Addr, in.Replicas, ready, in.Version, uptime)
	}
	for _, s := range why {
		fmt.Fprintln(w, s)
	}
}

func writeQueues(w io.Writer, q Queues) {
	switch {
	case q.Source == "":
		fmt.Fprintln(w, "no queues: no process runs the in-memory broker and no RabbitMQ management API is set (STOX_RABBITMQ_API_URL)")
	case q.Error != "":
		fmt.Fprintf(w, "%s: %s\n", q.Source, q.Error)
	}
	if len(q.Queues) == 0 {
		return
	}
	fmt.Fprintf(w, "QUEUE (%s)\tREADY\tUNACKED\tCONSUMERS\tPUBLISH/S\tDELIVER/S\tPOISON\n", q.Source)
	for _, x := range q.Queues {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\t%s\t%d\n", x.Name, x.Ready, x.Unacked, x.Consumers,
			perSecond(x.PublishRate), perSecond(x.DeliverRate), x.Poison)
	}
}

func writeMetrics(w io.Writer, m Metrics) {
	for _, e := range m.Errors {
		fmt.Fprintln(w, "scrape failed:", e)
	}
	fmt.Fprintln(w, "STAGE\tOK\tERRORS\tPOISONED\tMSG/S\tP50\tP95\tP99")
	for _, s := range m.Stages {
		fmt.Fprintf(w, "%s %s\t%d\t%d\t%d\t%s\t%s\t%s\t%s\n", s.Service, s.Handler, s.OK, s.Errors, s.Poisoned,
			perSecond(s.Rate), seconds(s.P50), seconds(s.P95), seconds(s.P99))
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "MARKETPLACE\tREQUESTS\t429s\tPAUSES\tPAUSED\tSTOCK CHANGES\tLAG P50\tLAG P99")
	for _, x := range m.Marketplaces {
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%s\t%d\t%s\t%s\n", x.Name, x.Requests, x.Throttled, x.Pauses,
			seconds(&x.PausedSeconds), x.StockChanges, seconds(x.StockLagP50), seconds(x.StockLagP99))
	}
	fmt.Fprintln(w)
	writeListings(w, m.Listings)
}

func writeListings(w io.Writer, byMarketplace map[string]map[string]int) {
	fmt.Fprintln(w, "LISTINGS\t"+strings.ToUpper(strings.Join(listingStates, "\t")))
	for _, mp := range slices.Sorted(maps.Keys(byMarketplace)) {
		fmt.Fprint(w, mp)
		for _, s := range listingStates {
			fmt.Fprintf(w, "\t%d", byMarketplace[mp][s])
		}
		fmt.Fprintln(w)
	}
}

func writeProducts(w io.Writer, c *store.Counts) {
	if c == nil {
		fmt.Fprintln(w, "no counts: no process answered with its catalog")
		return
	}
	fmt.Fprintf(w, "products: %d\n\n", c.Products)
	states := []string{store.StatePending, store.StateDone, store.StateFailed}
	fmt.Fprintln(w, "STAGE\t"+strings.ToUpper(strings.Join(states, "\t")))
	for _, st := range []string{store.StageImages, store.StageSEO} {
		fmt.Fprint(w, st)
		for _, s := range states {
			fmt.Fprintf(w, "\t%d", c.Stages[st][s])
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w)
	writeListings(w, c.Listings)
}

func perSecond(r *float64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("%.1f", *r)
}

func seconds(s *float64) string {
	switch {
	case s == nil:
		return "-"
	case *s < 1:
		return fmt.Sprintf("%.0fms", *s*1000)
	}
	return fmt.Sprintf("%.2fs", *s)
}
