-- ack.lua: acknowledge delivered orders and delete them from the stream, atomically, so the
-- stream holds only unacknowledged orders and memory does not grow with the sale.
-- KEYS[1] fs:{S}:orders   ARGV: 1 group, 2.. entry ids
-- Returns the number of entries acknowledged.
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
return acked
