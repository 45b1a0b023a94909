-- Claims let several replicas of a marketplace service share its outbox: a replica
-- claims the rows it is about to send (claimed_by, until claimed_until) and no other
-- replica takes them before the claim ends or is released, so one listing or one
-- stock change is never sent twice. A replica that dies leaves its claims to expire.
ALTER TABLE listings ADD COLUMN claimed_by TEXT;
-- sending is set right before a listing's request goes out and cleared when its
-- outcome is known; resent says a request of it may have reached the marketplace with
-- no outcome recorded (sending still set when it was claimed again, at any revision),
-- so it is sent as an existing listing, which the adapter looks up before creating it.
ALTER TABLE listings ADD COLUMN sending BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE listings ADD COLUMN resent BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE listings ADD COLUMN claimed_until TIMESTAMPTZ;
ALTER TABLE stock_sent ADD COLUMN claimed_by TEXT;
ALTER TABLE stock_sent ADD COLUMN claimed_until TIMESTAMPTZ;

-- leases are held by one replica at a time for work only one should do (following a
-- marketplace's submissions, reading its orders, syncing its taxonomy).
CREATE TABLE leases (
    name   TEXT PRIMARY KEY,
    owner  TEXT NOT NULL,
    until  TIMESTAMPTZ NOT NULL
);
