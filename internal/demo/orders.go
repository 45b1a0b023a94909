package demo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// order waits until every marketplace shows the ledger's stock, then places the
// orders: customers choose a product and a marketplace that lists it and buy one or
// two, never more than the ledger held (so what each SKU should end at is known).
func (r *run) order(ctx context.Context) error {
	if err := r.every(ctx, func() (bool, error) { return r.inStep(ctx, false) }); err != nil {
		return fmt.Errorf("waiting for every marketplace to show the ledger's stock: %w", err)
	}
	type pick struct {
		it *item
		m  string
	}
	var picks []pick
	for _, it := range r.items {
		for _, m := range messages.Marketplaces {
			if it.listing[m].State == store.ListingAccepted {
				picks = append(picks, pick{it, m})
			}
		}
	}
	rng := rand.New(rand.NewPCG(r.cfg.Seed, r.cfg.Seed^0x5eed))
	ord := r.stages[stageOrders]
	ord.start = time.Now()
	r.stages[stageInStep].start = ord.start
	for tries := 0; r.res.Orders < r.cfg.Orders && tries < 20*r.cfg.Orders && len(picks) > 0; tries++ {
		pk := picks[rng.IntN(len(picks))]
		q := 1 + rng.IntN(2)
		if pk.it.sold+q > pk.it.start {
			continue
		}
		_, err := r.c.order(ctx, pk.m, pk.it.sku, q)
		if errors.Is(err, errNoStock) {
			continue
		}
		if err != nil {
			return fmt.Errorf("order %d of %s on %s: %w", q, pk.it.sku, pk.m, err)
		}
		pk.it.sold += q
		pk.it.soldOn[pk.m] += q
		pk.it.ordersOn[pk.m]++
		pk.it.orders++
		r.res.Orders++
		r.res.Units += q
	}
	if r.res.Orders < r.cfg.Orders {
		r.p.note(time.Now(), "%d orders placed of %d: the products' stock would not cover more (earlier runs sold it; PUT /v1/products/{sku}/stock restocks)", r.res.Orders, r.cfg.Orders)
	}
	ord.total = r.res.Orders
	return nil
}

// settle waits until the ledger has applied every order and every marketplace shows
// what the ledger holds.
func (r *run) settle(ctx context.Context) error {
	start, told := time.Now(), map[string]bool{}
	return r.every(ctx, func() (bool, error) {
		done, err := r.inStep(ctx, true)
		if !done && err == nil && time.Since(start) > lagAfter {
			r.tellLagging(told)
		}
		return done, err
	})
}

// lagAfter is how long orders may take to reach the ledger before the demo says
// which marketplace's are late: the services read orders every few seconds.
const lagAfter = 15 * time.Second

// lateOn is the marketplace whose orders the ledger, holding q, has not applied yet
// for the item: it is short of what it should be by exactly the units bought there;
// "" when it is not short, or not so.
func (it *item) lateOn(q int) string {
	late := q - (it.start - it.sold)
	for _, m := range messages.Marketplaces {
		if late > 0 && late == it.soldOn[m] {
			return m
		}
	}
	return ""
}

// applied counts the item's orders the ledger, holding q, has applied: all when it
// holds what it should, all but one marketplace's when that one's are late, none
// when it cannot tell.
func (it *item) applied(q int) int {
	if q == it.start-it.sold {
		return it.orders
	}
	if m := it.lateOn(q); m != "" {
		return it.orders - it.ordersOn[m]
	}
	return 0
}

// tellLagging says, once per marketplace, whose orders the ledger has not applied
// yet: a product whose ledger is short of what it should be by exactly the units
// bought on one marketplace is waiting for that marketplace's orders to be read.
func (r *run) tellLagging(told map[string]bool) {
	for _, it := range r.items {
		m := it.lateOn(it.ledger)
		if m == "" || told[m] {
			continue
		}
		told[m] = true
		why := ""
		if m == messages.Amazon {
			why = "; Amazon's searchOrders plan allows one call every 3 minutes once its burst of 20 is spent " +
				"(STOX_AMAZON_ORDERS_RATE), so its orders can take that long to reach the ledger and the other marketplaces"
		}
		r.p.note(time.Now(), "waiting for Stox to read %s's orders (%s's among them)%s", m, it.sku, why)
	}
}

// inStep compares, for every product, the ledger with the stock the demo expects
// and every accepted listing's marketplace stock with the ledger, recording what is
// not in step in the result; count moves the orders and in-step stages.
func (r *run) inStep(ctx context.Context, count bool) (bool, error) {
	applied, steps := 0, 0
	r.res.OutOfStep = nil
	r.res.InStep = map[string]int{}
	for _, it := range r.items {
		q, err := r.c.ledger(ctx, it.sku)
		if err != nil {
			return false, err
		}
		it.ledger = q
		want := it.start - it.sold
		ok := q == want
		applied += it.applied(q)
		if !ok {
			r.res.OutOfStep = append(r.res.OutOfStep, fmt.Sprintf("%s: the ledger holds %d, want %d (%d at the start, %d sold)", it.sku, q, want, it.start, it.sold))
		}
		for _, m := range messages.Marketplaces {
			if it.listing[m].State != store.ListingAccepted {
				continue
			}
			shows, listed, err := r.c.shows(ctx, m, it.sku)
			if err != nil {
				return false, err
			}
			if listed && shows == q && ok {
				steps++
				r.res.InStep[m]++
				continue
			}
			r.res.OutOfStep = append(r.res.OutOfStep, fmt.Sprintf("%s on %s: shows %d (listed: %v), the ledger holds %d", it.sku, m, shows, listed, q))
		}
	}
	if count {
		now := time.Now()
		r.stages[stageOrders].set(min(applied, r.res.Orders), now)
		r.stages[stageInStep].set(steps, now)
	}
	return len(r.res.OutOfStep) == 0, nil
}
