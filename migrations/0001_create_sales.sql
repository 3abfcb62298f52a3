-- Sales and their items: the source of truth for stock, prices and windows.
-- Ids are ASCII (validated as [A-Za-z0-9._:-]{1,64}) and compared byte for byte.
-- Times are milliseconds since the Unix epoch (UTC), as in the domain.
CREATE TABLE IF NOT EXISTS schema_migrations (
  version INT NOT NULL PRIMARY KEY,
  name VARCHAR(255) NOT NULL,
  applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sales (
  sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  per_user_limit INT NOT NULL,
  starts_at_ms BIGINT NOT NULL,
  ends_at_ms BIGINT NOT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  CONSTRAINT ck_sales_limit CHECK (per_user_limit >= 1),
  CONSTRAINT ck_sales_window CHECK (ends_at_ms > starts_at_ms)
) ENGINE=InnoDB;

CREATE TABLE IF NOT EXISTS sale_items (
  sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  item_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  name VARCHAR(200) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL DEFAULT '',
  stock BIGINT NOT NULL,
  sold BIGINT NOT NULL DEFAULT 0,
  price_cents BIGINT NOT NULL,
  PRIMARY KEY (sale_id, item_id),
  CONSTRAINT fk_sale_items_sale FOREIGN KEY (sale_id) REFERENCES sales (sale_id),
  CONSTRAINT ck_sale_items_stock CHECK (stock >= 0),
  CONSTRAINT ck_sale_items_sold CHECK (sold >= 0 AND sold <= stock),
  CONSTRAINT ck_sale_items_price CHECK (price_cents >= 0)
) ENGINE=InnoDB;
