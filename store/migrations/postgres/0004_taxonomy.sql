-- Issue 9: each marketplace's taxonomy as the taxonomy sync last read it, the seller's
-- pins, and what the seller supplied to complete a listing the mapping could not.

-- listings.mapping is the listing in the marketplace's vocabulary as the mapping step
-- chose it (a taxonomy.Mapping); for a needs_input listing it says what is missing.
ALTER TABLE listings ADD COLUMN mapping JSONB;

-- taxonomy_categories is each marketplace's category tree; seq keeps the order the
-- marketplace gave it in (parents before children). path is a JSON array of names.
CREATE TABLE taxonomy_categories (
    marketplace TEXT NOT NULL,
    id          TEXT NOT NULL,
    parent_id   TEXT,
    name        TEXT NOT NULL,
    path        JSONB NOT NULL,
    leaf        BOOLEAN NOT NULL,
    seq         INTEGER NOT NULL,
    PRIMARY KEY (marketplace, id)
);

CREATE INDEX taxonomy_categories_order ON taxonomy_categories (marketplace, seq);

-- taxonomy_definitions is what a leaf category asks of its listings: its attributes
-- (JSON) and, where the marketplace publishes one, the JSON Schema as it was read
-- (text, so it comes back byte for byte).
CREATE TABLE taxonomy_definitions (
    marketplace TEXT NOT NULL,
    category_id TEXT NOT NULL,
    attributes  JSONB NOT NULL,
    json_schema TEXT,
    PRIMARY KEY (marketplace, category_id)
);

-- taxonomy_syncs is when each marketplace's taxonomy was last replaced.
CREATE TABLE taxonomy_syncs (
    marketplace TEXT PRIMARY KEY,
    synced_at   TIMESTAMPTZ NOT NULL
);

-- taxonomy_brands is each marketplace's brand registry; name_key is the folded name
-- (taxonomy.Fold) brands are looked up by.
CREATE TABLE taxonomy_brands (
    marketplace TEXT NOT NULL,
    id          TEXT NOT NULL,
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL,
    PRIMARY KEY (marketplace, id)
);

CREATE INDEX taxonomy_brands_name ON taxonomy_brands (marketplace, name_key);

-- taxonomy_pins are mappings the seller fixed: kind is category, brand or value;
-- attribute is the marketplace attribute of a value pin ('' otherwise); from_key is
-- the folded seller word, from_word as the seller wrote it; to_id the marketplace ID.
CREATE TABLE taxonomy_pins (
    marketplace TEXT NOT NULL,
    kind        TEXT NOT NULL,
    attribute   TEXT NOT NULL,
    from_key    TEXT NOT NULL,
    from_word   TEXT NOT NULL,
    to_id       TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (marketplace, kind, attribute, from_key)
);

-- listing_inputs is what the seller supplied for a product's listing on a marketplace
-- (category, brand, attributes as JSON). It outlives revisions.
CREATE TABLE listing_inputs (
    product_id  TEXT NOT NULL REFERENCES products (id) ON DELETE CASCADE,
    marketplace TEXT NOT NULL,
    input       JSONB NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (product_id, marketplace)
);
