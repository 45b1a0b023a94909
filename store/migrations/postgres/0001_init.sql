-- The catalog. Each service writes only its own tables; the HTTP API reads them all.
-- Rows of stages, images, texts and listings carry the product revision they belong to.

CREATE TABLE products (
    id         TEXT PRIMARY KEY,
    sku        TEXT NOT NULL UNIQUE,
    revision   INTEGER NOT NULL,
    product    JSONB NOT NULL,
    photos     JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX products_newest ON products (created_at DESC, id DESC);

CREATE TABLE stages (
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    stage      TEXT NOT NULL,
    revision   INTEGER NOT NULL,
    state      TEXT NOT NULL,
    reasons    JSONB,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, stage)
);

CREATE TABLE images (
    product_id TEXT PRIMARY KEY REFERENCES products (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    images     JSONB NOT NULL,
    analysis   JSONB NOT NULL
);

CREATE TABLE texts (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    marketplace TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    text        JSONB NOT NULL,
    PRIMARY KEY (product_id, marketplace)
);

CREATE TABLE listings (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    marketplace TEXT NOT NULL,
    revision    INTEGER NOT NULL,
    state       TEXT NOT NULL,
    reasons     JSONB,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, marketplace)
);
