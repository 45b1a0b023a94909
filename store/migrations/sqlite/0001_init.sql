-- The catalog. Each service writes only its own tables; the HTTP API reads them all.
-- Rows of stages, images, texts and listings carry the product revision they belong to.
-- Times are UTC text in a fixed-width layout (2006-01-02T15:04:05.000000Z), so they
-- sort as text. JSON is stored as text.

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    sku        TEXT NOT NULL UNIQUE,
    revision   INTEGER NOT NULL,
    product    TEXT NOT NULL,
    photos     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE INDEX products_newest ON products (created_at DESC, id DESC);

CREATE TABLE stages (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    state      TEXT NOT NULL,
    reasons    TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (product_id, stage)
);

CREATE TABLE images (
    product_id TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    images     TEXT NOT NULL,
    analysis   TEXT NOT NULL
);

CREATE TABLE texts (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    marketplace TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (product_id, marketplace)
);

CREATE TABLE listings (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    marketplace TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    reasons     TEXT,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (product_id, marketplace)
);
