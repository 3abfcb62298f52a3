-- Orders persisted from the Redis stream. A duplicate order_id is a no-op for the writer;
-- one order per (sale, user, request). Failed orders (refused by the stock guard or for an
-- unknown item) are kept with their reason; their units went back to Redis.
CREATE TABLE IF NOT EXISTS orders (
  order_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  item_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  request_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  quantity INT NOT NULL,
  unit_price_cents BIGINT NOT NULL,
  status ENUM('confirmed', 'failed') NOT NULL,
  failure_reason VARCHAR(32) CHARACTER SET ascii NULL,
  created_at_ms BIGINT NOT NULL,
  persisted_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  UNIQUE KEY uq_orders_request (sale_id, user_id, request_id),
  KEY ix_orders_sale_item (sale_id, item_id, status),
  CONSTRAINT ck_orders_quantity CHECK (quantity >= 1)
) ENGINE=InnoDB;
