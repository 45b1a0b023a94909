-- The marketplace services keep their work here, so a crash or a restart loses
-- nothing: a listing waits (payload) until it is submitted, then (submission) until
-- the marketplace decides it; attempts counts failed submissions; accepted says the
-- marketplace has taken this SKU at some revision, so later ones are updates.
ALTER TABLE listings ADD COLUMN payload TEXT;
ALTER TABLE listings ADD COLUMN barcode TEXT;
ALTER TABLE listings ADD COLUMN submission TEXT;
ALTER TABLE listings ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE listings ADD COLUMN accepted INTEGER NOT NULL DEFAULT 0;

CREATE INDEX listings_work ON listings (marketplace, state, updated_at);

-- stock_sent's quantity and version are what a marketplace should show; the pushed
-- columns what it acknowledged; failures counts refused pushes of the current version.
ALTER TABLE stock_sent ADD COLUMN pushed_quantity INTEGER;
ALTER TABLE stock_sent ADD COLUMN pushed_version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stock_sent ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;

-- order_cursors is where each marketplace's order feed was read up to.
CREATE TABLE order_cursors (
    marketplace TEXT PRIMARY KEY,
    cursor      TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
