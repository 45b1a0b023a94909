package demo

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// tally counts the listings as the run last saw them: accepted, rejected (with the
// marketplace's reasons), or not decided when it ended.
func (r *run) tally() {
	for _, it := range r.items {
		for _, m := range messages.Marketplaces {
			l := it.listing[m]
			switch l.State {
			case store.ListingAccepted:
				r.res.Accepted[m]++
				continue
			case store.ListingRejected:
				r.res.Rejected = append(r.res.Rejected, fmt.Sprintf("%s rejected on %s: %s", it.sku, m, strings.Join(l.Reasons, "; ")))
				continue
			}
			line := fmt.Sprintf("%s on %s: still %s", it.sku, m, or(l.State, "not queued"))
			if len(l.Reasons) > 0 {
				line += ": " + strings.Join(l.Reasons, "; ")
			}
			r.res.Undecided = append(r.res.Undecided, line)
		}
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// summary ends the run's output: accepted and in step per marketplace, what went
// wrong, the time of every stage, a listing's titles as the marketplaces show them.
func (r *run) summary(err error) {
	w := r.cfg.Out
	revs := map[int]bool{}
	for _, v := range r.res.Revision {
		revs[v] = true
	}
	rv := make([]string, 0, len(revs))
	for v := range revs {
		rv = append(rv, fmt.Sprint(v))
	}
	slices.Sort(rv)
	once := "each SKU once in the catalog"
	if len(r.res.Duplicates) > 0 || r.res.Catalog == nil {
		once = "see below"
	}
	fmt.Fprintf(w, "\n%d products, revision %s (%s); %d orders for %d units\n", len(r.items), strings.Join(rv, ", "), once, r.res.Orders, r.res.Units)
	for _, m := range messages.Marketplaces {
		fmt.Fprintf(w, "  %-12s %2d/%d accepted, stock in step %2d/%d\n", m, r.res.Accepted[m], len(r.items), r.res.InStep[m], r.res.Accepted[m])
	}
	for _, a := range r.res.Answered {
		fmt.Fprintf(w, "  input supplied: %s\n", a)
	}
	for _, s := range r.res.Stages {
		fmt.Fprintf(w, "  %-21s %4d/%-4d %s\n", s.Name, s.Done, s.Total, s.Took.Round(100*time.Millisecond))
	}
	fmt.Fprintf(w, "  %-21s %s\n", "total", r.res.Total.Round(100*time.Millisecond))
	if len(r.items) > 0 {
		it := r.items[0]
		for _, m := range messages.Marketplaces {
			if t := it.titles[m]; t != "" {
				fmt.Fprintf(w, "  %s on %s: %q\n", it.sku, m, t)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(w, "stopped: %v\n", err)
	}
	if probs := r.res.Problems(); len(probs) > 0 {
		fmt.Fprintln(w, "not right:")
		for _, p := range probs {
			fmt.Fprintf(w, "  %s\n", p)
		}
	} else if err == nil {
		fmt.Fprintln(w, "every product accepted on every marketplace, stock in step")
	}
}
