-- The inventory ledger. The sync service writes stock, order_lines, stock_ledger and
-- oversells (the API sets stock by hand through the same code); each marketplace
-- service writes its own rows of stock_sent.

-- stock is the one stock truth per SKU. version grows with every change.
CREATE TABLE stock (
    sku        TEXT PRIMARY KEY,
    quantity   INTEGER NOT NULL CHECK (quantity >= 0),
    version    BIGINT NOT NULL CHECK (version >= 0),
    updated_at TIMESTAMPTZ NOT NULL
);

-- order_lines holds one row per order line. A status column is set when that status
-- of the line was applied, which makes (marketplace, order_id, line_id, status) the
-- idempotency key. covered is what the created line took from stock, restocked what
-- cancellations and returns gave back (never more than covered).
CREATE TABLE order_lines (
    marketplace TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    sku         TEXT NOT NULL,
    ordered     INTEGER,
    covered     INTEGER,
    cancelled   INTEGER,
    returned    INTEGER,
    restocked   INTEGER NOT NULL DEFAULT 0,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (marketplace, order_id, line_id)
);

-- stock_ledger records every change of stock: a hand set (reason "set", no order)
-- or an order line (reason is its status). quantity and version are the SKU's after
-- the change.
CREATE TABLE stock_ledger (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         TEXT NOT NULL,
    delta       INTEGER NOT NULL,
    quantity    INTEGER NOT NULL,
    version     BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    marketplace TEXT,
    order_id    TEXT,
    line_id     TEXT,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE INDEX stock_ledger_sku ON stock_ledger (sku, id);

-- oversells records created lines the stock could not cover (unknown_sku: the SKU
-- had no stock at all).
CREATE TABLE oversells (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku         TEXT NOT NULL,
    marketplace TEXT NOT NULL,
    order_id    TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    wanted      INTEGER NOT NULL,
    covered     INTEGER NOT NULL,
    unknown_sku BOOLEAN NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    UNIQUE (marketplace, order_id, line_id)
);

-- stock_sent is what each marketplace was last told to show.
CREATE TABLE stock_sent (
    marketplace TEXT NOT NULL,
    sku         TEXT NOT NULL,
    quantity    INTEGER,
    version     BIGINT NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (marketplace, sku)
);
