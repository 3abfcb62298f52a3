-- retire.lua: once a sale has ended, has no active hold and no order waiting in its stream,
-- let every key of it (its rate buckets too) expire after the retention (stored answers and
-- hold records expire on their own TTLs). Returns 1 when retired now or before, 0 when not
-- retirable yet, -1 for an unknown sale.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:orders  KEYS[3] fs:{S}:holds  KEYS[4] fs:{S}:bought
-- KEYS[5] fs:{S}:ostatus  KEYS[6] fs:{S}:dead
-- ARGV: 1 now_ms, 2 retention_ms
local meta = redis.call('HMGET', KEYS[1], 'ends_at', 'items', 'retired_at')
if not meta[1] then
  return -1
end
if meta[3] then
  return 1
end
local prefix = sale_prefix(KEYS[1])
if tonumber(ARGV[1]) < tonumber(meta[1]) or redis.call('ZCARD', KEYS[3]) > 0 or
   redis.call('XLEN', KEYS[2]) > 0 or redis.call('HLEN', prefix .. 'xfer') > 0 then
  return 0  -- (xfer: units moving out of this sub-stock of a split sale, not credited yet)
end
-- The keys built here first: on Redis Cluster, while the sale's slot migrates, one of them may
-- be elsewhere already and Redis aborts the call there; then nothing says retired yet and the
-- next call does it all again.
for item in string.gmatch(meta[2] or '', '[^,]+') do
  redis.call('PEXPIRE', prefix .. 'stock:' .. item, ARGV[2])
end
redis.call('PEXPIRE', prefix .. 'rl', ARGV[2])  -- the rate buckets (fs4_reserve)
redis.call('PEXPIRE', prefix .. 'xin', ARGV[2])  -- transfers credited (a split sale)
redis.call('HSET', KEYS[1], 'retired_at', ARGV[1])
for i = 1, 6 do
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 1
