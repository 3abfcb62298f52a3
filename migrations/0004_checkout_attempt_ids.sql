-- Checkout attempts arrive through the order stream and may be delivered twice (a worker
-- that dies between save and ack): each carries an attempt id, unique, so recording one twice
-- is a no-op. created_at_ms is the attempt's own time (milliseconds, as everywhere else).
ALTER TABLE checkout_attempts
  ADD COLUMN attempt_id VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NULL AFTER id,
  ADD COLUMN created_at_ms BIGINT NULL AFTER expires_at_ms,
  ADD UNIQUE KEY uq_checkout_attempts_attempt (attempt_id),
  MODIFY checkout_code VARCHAR(128) CHARACTER SET ascii COLLATE ascii_bin NULL;
