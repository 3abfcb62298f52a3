-- Every checkout attempt (two-step buying, DESIGN.md section 8), for audit.
CREATE TABLE IF NOT EXISTS checkout_attempts (
  id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  sale_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  item_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  user_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  checkout_code VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL,
  outcome VARCHAR(32) CHARACTER SET ascii NOT NULL,
  expires_at_ms BIGINT NULL,
  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  KEY ix_checkout_attempts_sale_user (sale_id, user_id),
  KEY ix_checkout_attempts_code (checkout_code)
) ENGINE=InnoDB;
