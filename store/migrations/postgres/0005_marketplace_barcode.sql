-- marketplace_barcode is the barcode a marketplace holds a listing under when it is
-- not the one the listing was queued with (Trendyol joins a barcode's inner spaces and
-- echoes the joined form): stock is pushed under it. It outlives new revisions queued
-- with the same barcode, and goes when the barcode changes.
ALTER TABLE listings ADD COLUMN marketplace_barcode TEXT;
