-- Bulk imports: one row per catalogue file imported and one per product it queued, so
-- any API replica answers an import's progress, after a restart too, from the
-- pipeline's own stages and listings at the revision the import queued.
CREATE TABLE imports (
    id         TEXT PRIMARY KEY,
    file       TEXT NOT NULL,
    rows_read  INTEGER NOT NULL,
    queued     INTEGER NOT NULL,
    skipped    INTEGER NOT NULL,
    bad        JSONB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE import_items (
    import_id  TEXT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    revision   INTEGER NOT NULL,
    PRIMARY KEY (import_id, product_id)
);
