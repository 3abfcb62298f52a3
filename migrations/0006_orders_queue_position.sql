-- Where each order sat in the sale's queue (the Redis stream entry id "ms-seq"), so that an
-- audit taken under load compares the store's snapshot with exactly the orders it had seen.
-- NULL for orders persisted before this column existed (counted as seen).
ALTER TABLE orders
  ADD COLUMN queue_ms BIGINT NULL AFTER created_at_ms,
  ADD COLUMN queue_seq BIGINT NULL AFTER queue_ms;
