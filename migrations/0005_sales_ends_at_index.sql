-- The sale catalog reads the sales that end after a given time, every second. (Its own
-- migration: one DDL statement per file, as DDL commits implicitly and a half-applied file
-- could not be run again.)
CREATE INDEX ix_sales_ends_at ON sales (ends_at_ms);
