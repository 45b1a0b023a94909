package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/stox-dev/stox/messages"
)

// Outbox is a marketplace service's durable work: listings waiting to be submitted
// or decided, stock waiting to be pushed, and how far each order feed was read. Open
// returns it with the catalog, as Stores.
type Outbox interface {
	// QueueListing stores what to publish for a product revision on a marketplace and
	// marks it queued (attempts start again at zero). The same revision queued again
	// (a redelivered message) changes nothing: a listing already submitted, accepted or
	// waiting for input stays as it is, and is never sent twice.
	QueueListing(ctx context.Context, id string, revision int, marketplace string, q QueuedListing) error
	// Queued lists a marketplace's queued listings of current revisions, oldest first.
	Queued(ctx context.Context, marketplace string, limit int) ([]PendingListing, error)
	// ClaimQueued is Queued for one of several replicas: it claims the listings it
	// returns for c.Owner until c.For from now, and skips listings another owner holds
	// a live claim on. ListingFailed, HoldListing and a new revision end a claim; a
	// submitted listing is no longer queued; a replica that dies leaves its claims to
	// expire. PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite has one writer.
	ClaimQueued(ctx context.Context, marketplace string, c Claim, limit int) ([]PendingListing, error)
	// Sending records that requests for these listings (product IDs) are about to go
	// out: until their outcome is recorded (submitted, failed, unclaimed), their next
	// claim marks them Resent.
	Sending(ctx context.Context, marketplace string, ids []string) error
	// Unclaim ends owner's claims on these queued listings (product IDs): the
	// marketplace answered that it did not take them, so they were not sent, and
	// their next claim does not mark them Resent.
	Unclaim(ctx context.Context, marketplace, owner string, ids []string) error
	// Submitted lists a marketplace's listings of current revisions waiting for their
	// submission's outcome.
	Submitted(ctx context.Context, marketplace string) ([]PendingListing, error)
	// ListingFailed records a failed submission attempt with its reason. Once attempts
	// reaches max the listing is rejected with that reason; before that it stays queued.
	ListingFailed(ctx context.Context, id string, revision int, marketplace, reason string, max int) (rejected bool, err error)
	// Unpushed lists stock a marketplace should show but has not acknowledged, for
	// SKUs it has accepted a listing of, with fewer than maxFailures refused pushes,
	// each under the barcode the marketplace holds the listing under (Listing.Barcode,
	// else the one it was queued with).
	Unpushed(ctx context.Context, marketplace string, limit, maxFailures int) ([]Push, error)
	// ClaimUnpushed is Unpushed for one of several replicas, claiming what it returns
	// like ClaimQueued; Pushed and PushFailed end the claim.
	ClaimUnpushed(ctx context.Context, marketplace string, c Claim, limit, maxFailures int) ([]Push, error)
	// Pushed records that the marketplace acknowledged these quantities.
	Pushed(ctx context.Context, marketplace string, p []Push) error
	// PushFailed records that the marketplace refused a push, also one Pushed already
	// recorded (a batch acknowledged, then an item failed): it is tried again until it
	// has failed maxFailures times (a newer version starts the count again).
	PushFailed(ctx context.Context, marketplace string, p Push) error
	// HoldListing moves a queued listing of a current revision to needs_input, keeping
	// its payload (it is mapped again when the seller supplies what is missing), with
	// the mapping that says what is missing (nil keeps the stored one) and the reasons
	// to show. A listing already in needs_input is updated; one of another revision or
	// in another state (submitted, decided) is left alone.
	HoldListing(ctx context.Context, id string, revision int, marketplace string, mapping json.RawMessage, reasons []string) error
	// NeedsInput lists a marketplace's needs_input listings of current revisions,
	// oldest first.
	NeedsInput(ctx context.Context, marketplace string, limit int) ([]PendingListing, error)
	// ReleaseListing moves a needs_input listing of a current revision back to queued:
	// attempts start again, reasons are cleared, the mapping is kept until the listing
	// is mapped again. A listing in another state is left alone.
	ReleaseListing(ctx context.Context, id string, revision int, marketplace string) error
	// Cursor returns where a marketplace's order feed was read to ("" at first).
	Cursor(ctx context.Context, marketplace string) (string, error)
	// SetCursor records where a marketplace's order feed was read to.
	SetCursor(ctx context.Context, marketplace, cursor string) error
	// Acknowledged lists, by SKU after the SKU after, stock a marketplace has
	// acknowledged as current (its quantity is the one pushed, under the barcode
	// pushed), for SKUs it accepted a listing of: what the reconciler reads back.
	// With skus, it lists those SKUs only (after and limit apply too).
	Acknowledged(ctx context.Context, marketplace, after string, limit int, skus ...string) ([]Push, error)
	// Repush records that the marketplace shows other than it acknowledged for a SKU:
	// unless a newer version came since (version), its stock is pushed again.
	Repush(ctx context.Context, marketplace, sku string, version int64) error
	// Renew extends every claim owner holds on a marketplace's listings and stock to
	// d from now: a replica renews its claims while it sends what it claimed.
	Renew(ctx context.Context, marketplace, owner string, d time.Duration) error
	// Release gives up everything owner holds on a marketplace, as a replica does
	// when it stops: its leases end at once (another replica or the restarted
	// process takes them without waiting them out) and so do its claims; a queued
	// listing it was sending is marked Resent (it may have been on its way).
	Release(ctx context.Context, marketplace, owner string) error
	// Backlog counts a marketplace's outbox: listings of current revisions by state
	// and stock it should show but has not acknowledged.
	Backlog(ctx context.Context, marketplace string, maxFailures int) (Backlog, error)
	// Lease takes the lease called name for owner until ttl from now, or renews it
	// when owner holds it; it reports false while another owner holds a live one.
	Lease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
	// RequeueListing queues a listing of the current revision again with its payload
	// rewritten by edit (see store/requeue.go).
	RequeueListing(ctx context.Context, id, marketplace string, edit func(json.RawMessage) (json.RawMessage, error)) error
}

// Backlog is the size of a marketplace's outbox.
type Backlog struct {
	// Listings counts listings of current revisions by state (queued, submitted,
	// needs_input, accepted, rejected).
	Listings map[string]int
	// Unpushed counts SKUs whose stock the marketplace has not acknowledged.
	Unpushed int
}

// Claim is who claims outbox rows, and for how long.
type Claim struct {
	Owner string
	For   time.Duration
}

func (c Claim) check() error {
	if c.Owner == "" || c.For <= 0 {
		return fmt.Errorf("claim needs an owner and a duration, got %q for %s", c.Owner, c.For)
	}
	return nil
}

// QueuedListing is what a marketplace service stores to publish later.
type QueuedListing struct {
	// Payload is the marketplace listing, as the service encodes it.
	Payload json.RawMessage
	// Barcode is the listing's barcode, which the marketplace keys stock by unless it
	// holds the listing under another form (Listing.Barcode); empty: the SKU.
	Barcode string
}

// PendingListing is a listing waiting for its turn or its outcome.
type PendingListing struct {
	ProductID  string
	Revision   int
	SKU        string
	Payload    json.RawMessage
	Submission string
	Attempts   int
	// Existing is true when the marketplace accepted this SKU before.
	Existing bool
	// Resent is true when a request of the listing (at this or an earlier revision)
	// went out (Sending) and its outcome was never recorded (an outage between sending
	// and recording it, a replica that died, a submission never decided), so the
	// marketplace may hold the listing already.
	Resent bool
	// Input is what the seller supplied for this product on this marketplace
	// (Queued and NeedsInput fill it).
	Input ListingInput
}

// Push is one SKU's stock to push to a marketplace.
type Push struct {
	SKU      string
	Barcode  string
	Quantity int
	Version  int64
}

func (s *sqlStore) QueueListing(ctx context.Context, id string, revision int, marketplace string, q QueuedListing) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("queue listing of %s: unknown marketplace %q", id, marketplace)
	}
	if !json.Valid(q.Payload) {
		return fmt.Errorf("queue listing of %s on %s: payload is not JSON", id, marketplace)
	}
	err := s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			INSERT INTO listings (product_id, marketplace, revision, state, reasons, payload, barcode, submission, attempts, updated_at)
			VALUES ($1, $2, $3, $4, NULL, $5, $6, NULL, 0, $7)
			ON CONFLICT (product_id, marketplace) DO UPDATE SET
				revision = excluded.revision,
				state = excluded.state,
				reasons = NULL,
				payload = excluded.payload,
				barcode = excluded.barcode,
				submission = NULL,
				attempts = 0,
				mapping = NULL,
				resent = (listings.resent OR listings.sending),
				sending = FALSE,
				claimed_by = NULL,
				claimed_until = NULL,
				marketplace_barcode = CASE WHEN COALESCE(listings.barcode, '') = COALESCE(excluded.barcode, '')
					THEN listings.marketplace_barcode END,
				updated_at = excluded.updated_at
			WHERE listings.revision <> excluded.revision OR listings.payload IS NULL`,
			id, marketplace, revision, ListingQueued, string(q.Payload), nullString(q.Barcode), s.d.time(s.stamp(time.Time{})))
		return err
	})
	if err != nil {
		return fmt.Errorf("queue listing of %s on %s: %w", id, marketplace, err)
	}
	return nil
}

func (s *sqlStore) pending(ctx context.Context, marketplace, state string, limit int) ([]PendingListing, error) {
	var out []PendingListing
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.pendingIn(ctx, tx, marketplace, state, "", limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("%s listings on %s: %w", state, marketplace, err)
	}
	return out, nil
}

// pendingIn lists listings in state, only those claimed by owner unless owner is "".
func (s *sqlStore) pendingIn(ctx context.Context, tx *sql.Tx, marketplace, state, owner string, limit int) ([]PendingListing, error) {
	var out []PendingListing
	err := query(ctx, tx, `
			SELECT l.product_id, l.revision, p.sku, l.payload, COALESCE(l.submission, ''), l.attempts, l.accepted, l.resent,
				i.input, i.updated_at
			FROM listings l JOIN products p ON p.id = l.product_id AND p.revision = l.revision
			LEFT JOIN listing_inputs i ON i.product_id = l.product_id AND i.marketplace = l.marketplace
			WHERE l.marketplace = $1 AND l.state = $2 AND l.payload IS NOT NULL AND ($4 = '' OR l.claimed_by = $4)
			ORDER BY l.updated_at, l.product_id LIMIT $3`,
		[]any{marketplace, state, limit, owner}, func(rows *sql.Rows) error {
			var (
				p       PendingListing
				payload []byte
			)
			if err := rows.Scan(&p.ProductID, &p.Revision, &p.SKU, &payload, &p.Submission, &p.Attempts, &p.Existing, &p.Resent,
				inputCol{&p.Input}, nullTimeCol{&p.Input.UpdatedAt}); err != nil {
				return err
			}
			p.Payload = payload
			out = append(out, p)
			return nil
		})
	return out, err
}

func (s *sqlStore) ClaimQueued(ctx context.Context, marketplace string, c Claim, limit int) ([]PendingListing, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	now := s.stamp(time.Time{})
	var out []PendingListing
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE listings SET claimed_by = $3, claimed_until = $4, resent = (resent OR sending), sending = FALSE
			WHERE (product_id, marketplace) IN (
				SELECT l.product_id, l.marketplace
				FROM listings l JOIN products p ON p.id = l.product_id AND p.revision = l.revision
				WHERE l.marketplace = $1 AND l.state = $2 AND l.payload IS NOT NULL
					AND (l.claimed_until IS NULL OR l.claimed_until < $5 OR l.claimed_by = $3)
				ORDER BY l.updated_at, l.product_id LIMIT $6`+s.d.skipLocked("l")+`)`,
			marketplace, ListingQueued, c.Owner, s.d.time(now.Add(c.For)), s.d.time(now), limit)
		if err != nil {
			return err
		}
		out, err = s.pendingIn(ctx, tx, marketplace, ListingQueued, c.Owner, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim queued listings on %s: %w", marketplace, err)
	}
	return out, nil
}

func (s *sqlStore) Queued(ctx context.Context, marketplace string, limit int) ([]PendingListing, error) {
	return s.pending(ctx, marketplace, ListingQueued, limit)
}

func (s *sqlStore) Submitted(ctx context.Context, marketplace string) ([]PendingListing, error) {
	return s.pending(ctx, marketplace, ListingSubmitted, 100000)
}

func (s *sqlStore) ListingFailed(ctx context.Context, id string, revision int, marketplace, reason string, max int) (bool, error) {
	var rejected bool
	reasons, err := reasonsJSON([]string{reason})
	if err != nil {
		return false, err
	}
	err = s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		var attempts int
		err := tx.QueryRowContext(ctx, `
			UPDATE listings SET attempts = attempts + 1, reasons = $3, updated_at = $4,
				claimed_by = NULL, claimed_until = NULL, sending = FALSE
			WHERE product_id = $1 AND marketplace = $2 RETURNING attempts`,
			id, marketplace, reasons, s.d.time(s.stamp(time.Time{}))).Scan(&attempts)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil || attempts < max {
			return err
		}
		rejected = true
		_, err = tx.ExecContext(ctx, "UPDATE listings SET state = $3, submission = NULL WHERE product_id = $1 AND marketplace = $2",
			id, marketplace, ListingRejected)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("listing of %s on %s failed: %w", id, marketplace, err)
	}
	return rejected, nil
}

func (s *sqlStore) Sending(ctx context.Context, marketplace string, ids []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, "UPDATE listings SET sending = TRUE WHERE product_id = $1 AND marketplace = $2",
				id, marketplace); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record listings sending to %s: %w", marketplace, err)
	}
	return nil
}

func (s *sqlStore) Unclaim(ctx context.Context, marketplace, owner string, ids []string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, id := range ids {
			if _, err := tx.ExecContext(ctx, `
				UPDATE listings SET claimed_by = NULL, claimed_until = NULL, sending = FALSE
				WHERE product_id = $1 AND marketplace = $2 AND claimed_by = $3 AND state = $4`,
				id, marketplace, owner, ListingQueued); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unclaim listings on %s: %w", marketplace, err)
	}
	return nil
}

func (s *sqlStore) HoldListing(ctx context.Context, id string, revision int, marketplace string, mapping json.RawMessage, reasons []string) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("hold listing of %s: unknown marketplace %q", id, marketplace)
	}
	m, err := mappingJSON(mapping)
	if err != nil {
		return fmt.Errorf("hold listing of %s on %s: %w", id, marketplace, err)
	}
	rs, err := reasonsJSON(reasons)
	if err != nil {
		return fmt.Errorf("hold listing of %s on %s: %w", id, marketplace, err)
	}
	err = s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE listings SET state = $4, mapping = COALESCE($5, mapping), reasons = $6, updated_at = $7,
				claimed_by = NULL, claimed_until = NULL
			WHERE product_id = $1 AND marketplace = $2 AND revision = $3 AND state IN ($8, $4)`,
			id, marketplace, revision, ListingNeedsInput, m, rs, s.d.time(s.stamp(time.Time{})), ListingQueued)
		return err
	})
	if err != nil {
		return fmt.Errorf("hold listing of %s on %s: %w", id, marketplace, err)
	}
	return nil
}

func (s *sqlStore) NeedsInput(ctx context.Context, marketplace string, limit int) ([]PendingListing, error) {
	return s.pending(ctx, marketplace, ListingNeedsInput, limit)
}

func (s *sqlStore) ReleaseListing(ctx context.Context, id string, revision int, marketplace string) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("release listing of %s: unknown marketplace %q", id, marketplace)
	}
	err := s.writeRevision(ctx, id, revision, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE listings SET state = $4, attempts = 0, reasons = NULL, updated_at = $5
			WHERE product_id = $1 AND marketplace = $2 AND revision = $3 AND state = $6`,
			id, marketplace, revision, ListingQueued, s.d.time(s.stamp(time.Time{})), ListingNeedsInput)
		return err
	})
	if err != nil {
		return fmt.Errorf("release listing of %s on %s: %w", id, marketplace, err)
	}
	return nil
}

func (s *sqlStore) Unpushed(ctx context.Context, marketplace string, limit, maxFailures int) ([]Push, error) {
	var out []Push
	err := s.read(ctx, func(tx *sql.Tx) error {
		var err error
		out, err = s.unpushedIn(ctx, tx, marketplace, "", limit, maxFailures)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("unpushed stock for %s: %w", marketplace, err)
	}
	return out, nil
}

// unpushedWhere selects stock a marketplace should show but has not acknowledged
// ($1 the marketplace, failures the placeholder of the most failures); s, p and l
// are stock_sent, products and listings.
func unpushedWhere(failures string) string {
	return `
	FROM stock_sent s
	JOIN products p ON p.sku = s.sku
	JOIN listings l ON l.product_id = p.id AND l.marketplace = s.marketplace AND l.accepted
	WHERE s.marketplace = $1 AND s.quantity IS NOT NULL AND s.version > s.pushed_version
		AND (s.pushed_quantity IS NULL OR s.pushed_quantity <> s.quantity) AND s.failures < ` + failures
}

// unpushedIn lists unpushed stock, only that claimed by owner unless owner is "".
func (s *sqlStore) unpushedIn(ctx context.Context, tx *sql.Tx, marketplace, owner string, limit, maxFailures int) ([]Push, error) {
	var out []Push
	err := query(ctx, tx, `
		SELECT s.sku, COALESCE(l.marketplace_barcode, l.barcode, ''), s.quantity, s.version`+unpushedWhere("$3")+`
			AND ($4 = '' OR s.claimed_by = $4)
		ORDER BY s.updated_at, s.sku LIMIT $2`,
		[]any{marketplace, limit, maxFailures, owner}, func(rows *sql.Rows) error {
			var p Push
			if err := rows.Scan(&p.SKU, &p.Barcode, &p.Quantity, &p.Version); err != nil {
				return err
			}
			out = append(out, p)
			return nil
		})
	return out, err
}

func (s *sqlStore) ClaimUnpushed(ctx context.Context, marketplace string, c Claim, limit, maxFailures int) ([]Push, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	now := s.stamp(time.Time{})
	var out []Push
	err := s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `
			UPDATE stock_sent SET claimed_by = $4, claimed_until = $5
			WHERE (marketplace, sku) IN (
				SELECT s.marketplace, s.sku`+unpushedWhere("$3")+`
					AND (s.claimed_until IS NULL OR s.claimed_until < $6 OR s.claimed_by = $4)
				ORDER BY s.updated_at, s.sku LIMIT $2`+s.d.skipLocked("s")+`)`,
			marketplace, limit, maxFailures, c.Owner, s.d.time(now.Add(c.For)), s.d.time(now))
		if err != nil {
			return err
		}
		out, err = s.unpushedIn(ctx, tx, marketplace, c.Owner, limit, maxFailures)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim unpushed stock for %s: %w", marketplace, err)
	}
	return out, nil
}

func (s *sqlStore) Pushed(ctx context.Context, marketplace string, ps []Push) error {
	now := s.d.time(s.stamp(time.Time{}))
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, p := range ps {
			if _, err := tx.ExecContext(ctx, `
				UPDATE stock_sent SET pushed_quantity = $3, pushed_version = $4, failures = 0, updated_at = $5
				WHERE marketplace = $1 AND sku = $2 AND pushed_version < $4`,
				marketplace, p.SKU, p.Quantity, p.Version, now); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `
				UPDATE stock_sent SET claimed_by = NULL, claimed_until = NULL WHERE marketplace = $1 AND sku = $2`,
				marketplace, p.SKU); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("record stock pushed to %s: %w", marketplace, err)
	}
	return nil
}

func (s *sqlStore) PushFailed(ctx context.Context, marketplace string, p Push) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `
			UPDATE stock_sent SET failures = failures + 1,
				pushed_quantity = CASE WHEN pushed_version = $3 THEN NULL ELSE pushed_quantity END,
				pushed_version = CASE WHEN pushed_version = $3 THEN 0 ELSE pushed_version END
			WHERE marketplace = $1 AND sku = $2 AND version = $3`, marketplace, p.SKU, p.Version); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE stock_sent SET claimed_by = NULL, claimed_until = NULL WHERE marketplace = $1 AND sku = $2`,
			marketplace, p.SKU)
		return err
	})
	if err != nil {
		return fmt.Errorf("record failed stock push of %s to %s: %w", p.SKU, marketplace, err)
	}
	return nil
}

func (s *sqlStore) Cursor(ctx context.Context, marketplace string) (string, error) {
	var c string
	err := s.r.QueryRowContext(ctx, "SELECT cursor FROM order_cursors WHERE marketplace = $1", marketplace).Scan(&c)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("order cursor of %s: %w", marketplace, err)
	}
	return c, nil
}

func (s *sqlStore) SetCursor(ctx context.Context, marketplace, cursor string) error {
	_, err := s.w.ExecContext(ctx, `
		INSERT INTO order_cursors (marketplace, cursor, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (marketplace) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at`,
		marketplace, cursor, s.d.time(s.stamp(time.Time{})))
	if err != nil {
		return fmt.Errorf("set order cursor of %s: %w", marketplace, err)
	}
	return nil
}

func (s *sqlStore) Lease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	if name == "" || owner == "" || ttl <= 0 {
		return false, fmt.Errorf("lease needs a name, an owner and a duration, got %q, %q, %s", name, owner, ttl)
	}
	now := s.stamp(time.Time{})
	var held string
	err := s.w.QueryRowContext(ctx, `
		INSERT INTO leases (name, owner, until) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
		WHERE leases.owner = excluded.owner OR leases.until < $4
		RETURNING owner`, name, owner, s.d.time(now.Add(ttl)), s.d.time(now)).Scan(&held)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("lease %s for %s: %w", name, owner, err)
	}
	return held == owner, nil
}

func (s *sqlStore) Backlog(ctx context.Context, marketplace string, maxFailures int) (Backlog, error) {
	b := Backlog{Listings: map[string]int{}}
	err := s.read(ctx, func(tx *sql.Tx) error {
		err := query(ctx, tx, `
			SELECT l.state, COUNT(*) FROM listings l JOIN products p ON p.id = l.product_id AND p.revision = l.revision
			WHERE l.marketplace = $1 AND l.payload IS NOT NULL GROUP BY l.state`,
			[]any{marketplace}, func(rows *sql.Rows) error {
				var (
					state string
					n     int
				)
				if err := rows.Scan(&state, &n); err != nil {
					return err
				}
				b.Listings[state] = n
				return nil
			})
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT COUNT(*)`+unpushedWhere("$2"), marketplace, maxFailures).Scan(&b.Unpushed)
	})
	if err != nil {
		return Backlog{}, fmt.Errorf("outbox backlog of %s: %w", marketplace, err)
	}
	return b, nil
}

func (s *sqlStore) Acknowledged(ctx context.Context, marketplace, after string, limit int, skus ...string) ([]Push, error) {
	args := []any{marketplace, after, limit}
	only := ""
	if len(skus) > 0 {
		ph := make([]string, len(skus))
		for i, sku := range skus {
			args = append(args, sku)
			ph[i] = fmt.Sprintf("$%d", len(args))
		}
		only = " AND s.sku IN (" + strings.Join(ph, ", ") + ")"
	}
	var out []Push
	err := s.read(ctx, func(tx *sql.Tx) error {
		return query(ctx, tx, `
			SELECT s.sku, COALESCE(l.marketplace_barcode, l.barcode, ''), s.pushed_quantity, s.version
			FROM stock_sent s
			JOIN products p ON p.sku = s.sku
			JOIN listings l ON l.product_id = p.id AND l.marketplace = s.marketplace AND l.accepted
			WHERE s.marketplace = $1 AND s.sku > $2 AND s.pushed_quantity IS NOT NULL
				AND (s.pushed_version = s.version OR s.pushed_quantity = s.quantity)`+only+`
			ORDER BY s.sku LIMIT $3`,
			args, func(rows *sql.Rows) error {
				var p Push
				if err := rows.Scan(&p.SKU, &p.Barcode, &p.Quantity, &p.Version); err != nil {
					return err
				}
				out = append(out, p)
				return nil
			})
	})
	if err != nil {
		return nil, fmt.Errorf("acknowledged stock on %s: %w", marketplace, err)
	}
	return out, nil
}

func (s *sqlStore) Repush(ctx context.Context, marketplace, sku string, version int64) error {
	_, err := s.w.ExecContext(ctx, `
		UPDATE stock_sent SET pushed_quantity = NULL, pushed_version = 0, failures = 0, updated_at = $4
		WHERE marketplace = $1 AND sku = $2 AND version = $3`,
		marketplace, sku, version, s.d.time(s.stamp(time.Time{})))
	if err != nil {
		return fmt.Errorf("push stock of %s to %s again: %w", sku, marketplace, err)
	}
	return nil
}

func (s *sqlStore) Release(ctx context.Context, marketplace, owner string) error {
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM leases WHERE owner = $1 AND name LIKE $2",
			owner, "%/"+marketplace); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `
			UPDATE listings SET claimed_by = NULL, claimed_until = NULL,
				resent = (resent OR (sending AND state = $3)), sending = FALSE
			WHERE marketplace = $1 AND claimed_by = $2`, marketplace, owner, ListingQueued); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
			UPDATE stock_sent SET claimed_by = NULL, claimed_until = NULL WHERE marketplace = $1 AND claimed_by = $2`,
			marketplace, owner)
		return err
	})
	if err != nil {
		return fmt.Errorf("release what %s holds on %s: %w", owner, marketplace, err)
	}
	return nil
}

func (s *sqlStore) Renew(ctx context.Context, marketplace, owner string, d time.Duration) error {
	until := s.d.time(s.stamp(time.Time{}).Add(d))
	err := s.write(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"listings", "stock_sent"} {
			if _, err := tx.ExecContext(ctx, "UPDATE "+table+" SET claimed_until = $3 WHERE marketplace = $1 AND claimed_by = $2",
				marketplace, owner, until); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("renew the claims of %s on %s: %w", owner, marketplace, err)
	}
	return nil
}
