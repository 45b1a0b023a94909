package console

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/stox-dev/stox/broker"
	"github.com/stox-dev/stox/messages"
	"github.com/stox-dev/stox/store"
)

// stockPage is the stock page's data.
type stockPage struct {
	SKU       string
	Known     bool
	Quantity  int
	Version   int64
	Markets   []marketStock
	History   []store.Change
	Oversells []store.Oversell
}

// marketStock is what one marketplace was told and acknowledged of a SKU.
type marketStock struct {
	Name            string
	Sent, Ack       bool
	SentQty, AckQty int
	SentVer, AckVer int64
}

// oversellRows and historyRows are how many oversells and ledger entries the stock
// page shows.
const (
	oversellRows = 50
	historyRows  = 20
)

// stock shows a SKU's stock in the ledger and on each marketplace, and the latest
// oversells (the SKU's, when one is asked for).
func (c *console) stock(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	p := stockPage{SKU: strings.TrimSpace(r.URL.Query().Get("sku"))}
	if p.SKU != "" {
		var err error
		p.Quantity, p.Version, err = c.cfg.Stock(ctx, p.SKU)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			c.fail(w, r, v, "read stock", err)
			return
		default:
			p.Known = true
			if p.Markets, err = c.marketStock(r, p.SKU); err != nil {
				c.fail(w, r, v, "read marketplace stock", err)
				return
			}
			if c.cfg.History != nil {
				if p.History, err = c.cfg.History(ctx, p.SKU, historyRows); err != nil {
					c.fail(w, r, v, "read stock history", err)
					return
				}
			}
		}
	}
	if c.cfg.Oversells != nil {
		all, err := c.cfg.Oversells(ctx, oversellRows)
		if err != nil {
			c.fail(w, r, v, "read oversells", err)
			return
		}
		for _, o := range all {
			if p.SKU == "" || o.SKU == p.SKU {
				p.Oversells = append(p.Oversells, o)
			}
		}
	}
	v.Data = p
	c.render(w, "stock", v)
}

// marketStock reads what each marketplace was sent and acknowledged of sku.
func (c *console) marketStock(r *http.Request, sku string) ([]marketStock, error) {
	var out []marketStock
	for _, m := range messages.Marketplaces {
		ms := marketStock{Name: m}
		if c.cfg.Sent != nil {
			q, ver, err := c.cfg.Sent(r.Context(), m, sku)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
			ms.Sent, ms.SentQty, ms.SentVer = err == nil, q, ver
		}
		if c.cfg.Acknowledged != nil {
			p, ok, err := c.cfg.Acknowledged(r.Context(), m, sku)
			if err != nil {
				return nil, err
			}
			ms.Ack, ms.AckQty, ms.AckVer = ok, p.Quantity, p.Version
		}
		out = append(out, ms)
	}
	return out, nil
}

// poisonPage is the poison page's data.
type poisonPage struct {
	Enabled  bool
	Queues   []broker.PoisonQueueStat
	Queue    string
	Messages []broker.PoisonMessage
}

// peekRows is how many messages of a queue the poison page shows.
const peekRows = 50

// poison lists the poison queues with their counts, and the messages of one.
func (c *console) poison(w http.ResponseWriter, r *http.Request, v *view) {
	p := poisonPage{Enabled: c.cfg.Poison.List != nil}
	if p.Enabled {
		var err error
		if p.Queues, err = c.cfg.Poison.List(r.Context()); err != nil {
			c.fail(w, r, v, "list poison queues", err)
			return
		}
		if q := r.URL.Query().Get("queue"); q != "" && c.knownQueue(p.Queues, q) {
			p.Queue = q
			if p.Messages, err = c.cfg.Poison.Peek(r.Context(), q, peekRows); err != nil {
				c.fail(w, r, v, "peek poison queue", err)
				return
			}
		}
	}
	v.Data = p
	c.render(w, "poison", v)
}

// knownQueue reports whether q is one of the poison queues listed.
func (c *console) knownQueue(qs []broker.PoisonQueueStat, q string) bool {
	for _, s := range qs {
		if s.Queue == q {
			return true
		}
	}
	return false
}

// requeueAll is the most messages one requeue sends back.
const requeueAll = 1000

// poisonOp requeues or purges a poison queue: the first POST shows a confirmation,
// the second (confirm=yes) does it.
func (c *console) poisonOp(w http.ResponseWriter, r *http.Request, v *view) {
	op, q := r.PathValue("op"), r.PostFormValue("queue")
	if (op != "requeue" && op != "purge") || c.cfg.Poison.List == nil {
		http.NotFound(w, r)
		return
	}
	queues, err := c.cfg.Poison.List(r.Context())
	if err != nil {
		c.fail(w, r, v, "list poison queues", err)
		return
	}
	if !c.knownQueue(queues, q) {
		http.NotFound(w, r)
		return
	}
	if r.PostFormValue("confirm") != "yes" {
		v.Data = map[string]string{"Op": op, "Queue": q, "Question": v.Tf("poison.confirm."+op, q)}
		c.render(w, "confirm", v)
		return
	}
	if op == "requeue" {
		_, err = c.cfg.Poison.Requeue(r.Context(), q, requeueAll)
	} else {
		_, err = c.cfg.Poison.Purge(r.Context(), q)
	}
	if err != nil {
		c.fail(w, r, v, op+" poison queue", err)
		return
	}
	http.Redirect(w, r, "/console/poison?done="+op+"&queue="+url.QueryEscape(q), http.StatusSeeOther)
}
