package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/stox-dev/stox/messages"
)

// ErrNotQueued is returned by RequeueListing for a listing the marketplace service
// never queued (no payload to send again).
var ErrNotQueued = errors.New("listing was never queued")

// RequeueListing queues a product's listing of its current revision on marketplace
// again, whatever its state, with its stored payload as edit rewrites it (the seller's
// edited text): without a new revision, so the other stages and marketplaces stay as
// they are. Like QueueListing it starts attempts again, clears the reasons, the
// submission and the mapping (the listing is mapped again before it is sent) and ends
// claims; a request of it that may be on its way marks it Resent. ErrNotFound for an
// unknown product, ErrNotQueued when the listing has no payload.
func (s *sqlStore) RequeueListing(ctx context.Context, id, marketplace string, edit func(json.RawMessage) (json.RawMessage, error)) error {
	if !messages.IsMarketplace(marketplace) {
		return fmt.Errorf("requeue listing of %s: unknown marketplace %q", id, marketplace)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var revision int
		err := tx.QueryRowContext(ctx, "SELECT revision FROM products WHERE id = $1"+s.d.lockProduct, id).Scan(&revision)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		var payload sql.NullString
		err = tx.QueryRowContext(ctx, "SELECT payload FROM listings WHERE product_id = $1 AND marketplace = $2 AND revision = $3",
			id, marketplace, revision).Scan(&payload)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && !payload.Valid) {
			return ErrNotQueued
		}
		if err != nil {
			return err
		}
		edited, err := edit(json.RawMessage(payload.String))
		if err != nil {
			return err
		}
		if !json.Valid(edited) {
			return errors.New("edited payload is not JSON")
		}
		_, err = tx.ExecContext(ctx, `
			UPDATE listings SET state = $4, reasons = NULL, payload = $5, submission = NULL, attempts = 0,
				mapping = NULL, resent = (resent OR sending), sending = FALSE, claimed_by = NULL,
				claimed_until = NULL, updated_at = $6
			WHERE product_id = $1 AND marketplace = $2 AND revision = $3`,
			id, marketplace, revision, ListingQueued, string(edited), s.d.time(s.stamp(time.Time{})))
		return err
	})
	if err != nil {
		return fmt.Errorf("requeue listing of %s on %s: %w", id, marketplace, err)
	}
	return nil
}
