package main

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/stox-dev/stox/api"
	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/console"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
	"github.com/stox-dev/stox/topology"
)

// withConsole serves the web console under /console/ beside the API, on the same
// listener and with the same keys; everything else goes to the API.
func (a *app) withConsole(apiHandler http.Handler, log *slog.Logger, relist api.RelistFunc) (http.Handler, error) {
	cfg := console.Config{
		APIKeys:  a.cfg.APIKeys,
		Search:   a.store.Search,
		Product:  a.store.Product,
		Input:    a.store.ListingInput,
		SetInput: a.store.SetListingInput,
		EditText: func(ctx context.Context, id, m string, t messages.ListingText) ([]string, error) {
			return api.EditText(ctx, a.store, id, m, t)
		},
		Resubmit: func(ctx context.Context, id, m string) error {
			return api.Resubmit(ctx, a.store, a.store.RequeueListing, relist, id, m)
		},
		Stock:        a.store.Stock,
		Sent:         a.store.Sent,
		Acknowledged: a.acknowledged,
		History:      a.store.History,
		Oversells:    a.store.Oversells,
		Logger:       log.With("component", "console"),
	}
	// The console imports through the API's own import, so both check and queue alike.
	if imp, ok := apiHandler.(api.Importing); ok {
		cfg.ImportProgress = a.store.ImportProgress
		cfg.Import = func(ctx context.Context, name string, data []byte, photos *zip.Reader) (string, error) {
			acc, err := imp.Import(ctx, name, data, photos)
			if bad := (*api.CatalogueError)(nil); errors.As(err, &bad) {
				return "", console.Refused(bad.Reason)
			}
			return acc.ID, err
		}
	}
	// Only RabbitMQ keeps poison queues; the console sees its four operations.
	if p, ok := a.broker.(broker.PoisonInspector); ok {
		cfg.Poison = console.Poison{List: p.PoisonList, Peek: p.PoisonPeek, Requeue: p.PoisonRequeue, Purge: p.PoisonPurge}
	}
	c, err := console.New(cfg)
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, c)
	mux.Handle("/", apiHandler)
	return mux, nil
}

// acknowledged is what marketplace acknowledged of sku, if anything.
func (a *app) acknowledged(ctx context.Context, marketplace, sku string) (store.Push, bool, error) {
	ps, err := a.store.Acknowledged(ctx, marketplace, "", 1, sku)
	if err != nil || len(ps) == 0 {
		return store.Push{}, false, err
	}
	return ps[0], true, nil
}

// relister sends a product's listing on one marketplace to that marketplace's
// service again as a ListingV1 of its current revision, with only that marketplace's
// text and images (the other services ignore a listing without their text), their
// URLs made as the seo stage makes them.
func (a *app) relister() (api.RelistFunc, error) {
	pub, err := a.broker.Publisher(a.broker.Topology().Name(topology.ExchangeMarketplaces))
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, p store.Product, m string) error {
		var images []messages.ListingImage
		for _, im := range p.Images {
			if im.Variant != m {
				continue
			}
			u := strings.TrimRight(a.cfg.PublicBaseURL, "/") + "/images/" + im.Key
			if a.imageURL != nil {
				if u, err = a.imageURL(ctx, im.Key); err != nil {
					return fmt.Errorf("image URL of %s: %w", im.Key, err)
				}
			}
			images = append(images, messages.ListingImage{Key: im.Key, URL: u, Width: im.Width, Height: im.Height})
		}
		if len(images) == 0 {
			return fmt.Errorf("relist %s on %s: no images for it: %w", p.ID, m, store.ErrNotQueued)
		}
		l := messages.ListingV1{ProductID: p.ID, Revision: p.Revision, Product: p.Product,
			Texts:  map[string]messages.ListingText{m: p.Texts[m]},
			Images: map[string][]messages.ListingImage{m: images}}
		return publishCorrelated(ctx, pub, "", p.ID+"/"+fmt.Sprint(p.Revision), l)
	}, nil
}
