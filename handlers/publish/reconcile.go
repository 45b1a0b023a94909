package publish

import (
	"context"
	"fmt"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/store"
)

// drift is a difference between what a marketplace shows and what it acknowledged,
// seen once: corrected if it is still there DriftConfirm later, when no order that
// the marketplace counted before us can explain it any more.
type drift struct {
	shown, want int
	version     int64
	seen        time.Time
}

// reconcile reads back, a batch per round, the stock the marketplace shows for every
// SKU it acknowledged, and compares it with what it acknowledged (the ledger's
// quantity minus the buffer). A difference seen twice, DriftConfirm apart, with the
// ledger unchanged, is corrected by pushing the ledger's quantity again, and counted
// (a log line per SKU, stox_marketplace_stock_drift_total). A pass over every SKU
// starts every ReconcileEvery.
func (p *Publisher) reconcile(ctx context.Context) (bool, error) {
	reader := p.Client.(marketplace.StockReader)
	if err := p.confirmDrift(ctx, reader); err != nil {
		return false, err
	}
	p.mu.Lock()
	after, start := p.reconcileAfter, p.passStarted
	p.mu.Unlock()
	if after == "" && time.Since(start) < p.ReconcileEvery {
		return false, nil // this pass is done; the next starts on time
	}
	if after == "" {
		start = time.Now()
	}
	batch := min(p.Client.MaxBatch(), 100)
	items, err := p.Outbox.Acknowledged(ctx, p.Client.Name(), after, batch)
	if err != nil {
		return false, err
	}
	if len(items) > 0 {
		if err := p.compare(ctx, reader, items); err != nil {
			return false, err
		}
		after = items[len(items)-1].SKU
	}
	if len(items) < batch {
		after = "" // the pass is over
	}
	p.mu.Lock()
	p.reconcileAfter, p.passStarted = after, start
	p.mu.Unlock()
	return after != "", nil
}

// compare reads items back and notes or corrects their differences.
func (p *Publisher) compare(ctx context.Context, reader marketplace.StockReader, items []store.Push) error {
	ask := make([]marketplace.Stock, len(items))
	for i, it := range items {
		ask[i] = marketplace.Stock{SKU: it.SKU, Barcode: it.Barcode}
	}
	shown, err := reader.ReadStock(ctx, ask)
	if err != nil {
		return fmt.Errorf("read stock back: %w", err)
	}
	for _, it := range items {
		got, ok := shown[it.SKU]
		if !ok {
			continue // not (or no longer) on sale there: nothing to compare
		}
		want := max(0, it.Quantity-p.Buffer)
		p.mu.Lock()
		prev, seen := p.drift[it.SKU]
		if got == want {
			delete(p.drift, it.SKU)
			p.mu.Unlock()
			continue
		}
		if !seen || prev.shown != got || prev.want != want || prev.version != it.Version {
			p.drift[it.SKU] = drift{shown: got, want: want, version: it.Version, seen: time.Now()}
			p.mu.Unlock()
			continue
		}
		if time.Since(prev.seen) < p.DriftConfirm {
			p.mu.Unlock()
			continue
		}
		delete(p.drift, it.SKU)
		p.drifted++
		p.mu.Unlock()
		p.Logger.Warn("stock drift: the marketplace shows other than the ledger; pushing the ledger's quantity again",
			"sku", it.SKU, "shown", got, "ledger", want)
		if err := p.Outbox.Repush(ctx, p.Client.Name(), it.SKU, it.Version); err != nil {
			return err
		}
		p.WakeStock()
	}
	return nil
}

// confirmDrift reads again the differences seen at least DriftConfirm ago.
func (p *Publisher) confirmDrift(ctx context.Context, reader marketplace.StockReader) error {
	acked, err := p.dueDrift(ctx)
	if err != nil || len(acked) == 0 {
		return err
	}
	return p.compare(ctx, reader, acked)
}

// dueDrift returns the acknowledged stock of SKUs whose difference is due to be
// confirmed; differences whose SKU is no longer acknowledged (a change is on its way)
// are dropped.
func (p *Publisher) dueDrift(ctx context.Context) ([]store.Push, error) {
	p.mu.Lock()
	due := map[string]bool{}
	for sku, d := range p.drift {
		if time.Since(d.seen) >= p.DriftConfirm {
			due[sku] = true
		}
	}
	p.mu.Unlock()
	if len(due) == 0 {
		return nil, nil
	}
	skus := make([]string, 0, len(due))
	for sku := range due {
		skus = append(skus, sku)
	}
	out, err := p.Outbox.Acknowledged(ctx, p.Client.Name(), "", len(skus), skus...)
	if err != nil {
		return nil, err
	}
	for _, it := range out {
		delete(due, it.SKU)
	}
	p.mu.Lock()
	for sku := range due { // no longer acknowledged: a change is on its way
		delete(p.drift, sku)
	}
	p.mu.Unlock()
	return out, nil
}
