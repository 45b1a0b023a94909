package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stox-dev/stox/marketplace"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/taxonomy"
)

// Mapping is what a publisher needs to put listings into its marketplace's
// vocabulary before it sends them: the marketplace's taxonomy, kept in the store and
// read again from the marketplace on a schedule, the seller's pins, and the mapper.
type Mapping struct {
	Mapper *taxonomy.Mapper
	// Store keeps the taxonomy, the pins and the seller's input.
	Store store.Taxonomy
	// Source reads the taxonomy from the marketplace (the marketplace's client).
	Source taxonomy.Source
	// SyncEvery is how old the stored taxonomy may grow before it is read again
	// (default 24h); it is read at start when it never was.
	SyncEvery time.Duration
}

// NewMapper is the mapper of one marketplace over the stored taxonomy, reading a
// category's definition from the marketplace (src) the first time a listing needs it
// and keeping it in the store.
func NewMapper(marketplace string, st store.Taxonomy, src taxonomy.Source, defaults map[string]string) *taxonomy.Mapper {
	put := func(ctx context.Context, d taxonomy.Definition) error { return st.PutDefinition(ctx, marketplace, d) }
	return &taxonomy.Mapper{Marketplace: marketplace, Reader: st, Defaults: defaults,
		Definition: taxonomy.ReadThrough(stored(st, marketplace), src, put)}
}

// stored reads a category's stored definition; ok is false when none is stored yet.
func stored(st store.Taxonomy, marketplace string) func(ctx context.Context, id string) (d taxonomy.Definition, ok bool, err error) {
	return func(ctx context.Context, id string) (taxonomy.Definition, bool, error) {
		d, err := st.Definition(ctx, marketplace, id)
		if errors.Is(err, store.ErrNotFound) {
			return d, false, nil
		}
		return d, err == nil, err
	}
}

// SchemaOf returns the stored JSON Schema of a category (an Amazon product type), or
// nil when none is stored yet, for amazon.Config.Schema.
func SchemaOf(st store.Taxonomy, marketplace string) func(ctx context.Context, id string) (json.RawMessage, error) {
	read := stored(st, marketplace)
	return func(ctx context.Context, id string) (json.RawMessage, error) {
		d, _, err := read(ctx, id)
		return d.Schema, err
	}
}

// syncTaxonomy reads the marketplace's taxonomy when the stored one is missing or
// older than SyncEvery; listings waiting for it are mapped right after.
func (p *Publisher) syncTaxonomy(ctx context.Context) (bool, error) {
	synced, err := p.Mapping.Store.TaxonomySynced(ctx, p.Client.Name())
	if err != nil {
		return false, err
	}
	if !synced.IsZero() && time.Since(synced) < p.Mapping.SyncEvery {
		return false, nil
	}
	start := time.Now()
	n, err := taxonomy.Sync(ctx, p.Client.Name(), p.Mapping.Source, p.Mapping.Store, time.Now)
	if err != nil {
		return false, err
	}
	p.Logger.Info("taxonomy synced", "categories", n.Categories, "definitions", n.Definitions, "brands", n.Brands,
		"took", time.Since(start).Round(time.Millisecond))
	p.WakeListings()
	wake(p.inputs)
	return false, nil
}

// pins are the seller's pins of this marketplace, keyed as the mapper reads them.
func (p *Publisher) pins(ctx context.Context) (taxonomy.Pins, error) {
	ps, err := p.Mapping.Store.Pins(ctx, p.Client.Name())
	if err != nil {
		return taxonomy.Pins{}, err
	}
	return PinsOf(ps), nil
}

// PinsOf keys a marketplace's pins as the mapper reads them.
func PinsOf(ps []store.Pin) taxonomy.Pins {
	out := taxonomy.Pins{Category: map[string]string{}, Brand: map[string]string{}, Value: map[string]map[string]string{}}
	for _, pin := range ps {
		key := taxonomy.Fold(pin.From)
		switch pin.Kind {
		case store.PinCategory:
			out.Category[key] = pin.To
		case store.PinBrand:
			out.Brand[key] = pin.To
		case store.PinValue:
			if out.Value[pin.Attribute] == nil {
				out.Value[pin.Attribute] = map[string]string{}
			}
			out.Value[pin.Attribute][key] = pin.To
		}
	}
	return out
}

// mapListing maps one stored listing. It returns the listing in the marketplace's
// vocabulary and the mapping to store; taxonomy.ErrNotSynced means not yet.
func (p *Publisher) mapListing(ctx context.Context, l marketplace.Listing, in store.ListingInput, pins taxonomy.Pins) (marketplace.Listing, taxonomy.Mapping, error) {
	name := l.Name
	if name == "" {
		name = l.Text.Title
	}
	m, err := p.Mapping.Mapper.Map(ctx,
		taxonomy.Product{Name: name, Brand: l.Brand, Category: l.Category, Attributes: l.Attributes},
		pins, taxonomy.Input{Category: in.Category, Brand: in.Brand, Attributes: in.Attributes})
	if err != nil {
		return l, m, err
	}
	if !m.Complete() {
		return l, m, nil
	}
	l.CategoryID, l.BrandID, l.Mapped = m.Category.ID, "", nil
	if m.Brand != nil {
		l.BrandID = m.Brand.ID
	}
	for _, a := range m.Attributes {
		l.Mapped = append(l.Mapped, marketplace.MappedAttribute{ID: a.ID, Name: a.Name, ValueIDs: a.ValueIDs, Value: a.Value})
	}
	return l, m, nil
}

// remap maps every listing waiting in needs_input again: the seller may have supplied
// what was missing or pinned a mapping, or the taxonomy may have changed. Listings now
// complete go back to the queue; the others keep waiting, with what is missing now.
func (p *Publisher) remap(ctx context.Context) (bool, error) {
	held, err := p.Outbox.NeedsInput(ctx, p.Client.Name(), 1000)
	if err != nil || len(held) == 0 {
		return false, err
	}
	pins, err := p.pins(ctx)
	if err != nil {
		return false, err
	}
	released := 0
	for _, h := range held {
		var l marketplace.Listing
		if err := json.Unmarshal(h.Payload, &l); err != nil {
			return false, fmt.Errorf("stored listing of %s is unreadable: %w", h.ProductID, err)
		}
		_, m, err := p.mapListing(ctx, l, h.Input, pins)
		if errors.Is(err, taxonomy.ErrNotSynced) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		key := fmt.Sprintf("%s/%d", h.ProductID, h.Revision)
		if m.Complete() {
			if err := p.Outbox.ReleaseListing(ctx, h.ProductID, h.Revision, p.Client.Name()); err != nil {
				return false, err
			}
			p.mu.Lock()
			delete(p.held, key)
			p.mu.Unlock()
			released++
			continue
		}
		mj, err := json.Marshal(m)
		if err != nil {
			return false, err
		}
		p.mu.Lock()
		same := p.held[key] == string(mj)
		p.mu.Unlock()
		if same {
			continue
		}
		if err := p.Outbox.HoldListing(ctx, h.ProductID, h.Revision, p.Client.Name(), mj, m.Reasons()); err != nil {
			return false, err
		}
		p.mu.Lock()
		p.held[key] = string(mj)
		p.mu.Unlock()
	}
	if released > 0 {
		p.Logger.Info("listings completed by the seller's input", "count", released)
		p.WakeListings()
	}
	return false, nil
}
