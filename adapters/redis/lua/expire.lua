-- expire.lua: give back the units of up to ARGV[2] holds of a sale expired at ARGV[1].
-- Idempotent: a hold already used or expired is only dropped from the active set.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:holds  KEYS[3] fs:{S}:bought
-- ARGV: 1 now_ms, 2 max, 3 units-returned channel, 4 sale, 5 hold record ttl_ms (once
--       settled), 6 sale retention_ms
-- Returns the number of holds expired by this call.
local prefix = sale_prefix(KEYS[1])
local life = {now = tonumber(ARGV[1]), record_ttl = tonumber(ARGV[5]),
              retention = tonumber(ARGV[6])}
local codes = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
local expired = 0
for _, code in ipairs(codes) do
  local hold_key = prefix .. 'hold:' .. code
  local h = redis.call('HMGET', hold_key, 'st', 'i', 'u', 'q')
  if h[1] == 'held' then
    return_hold(KEYS[1], KEYS[2], KEYS[3], hold_key, code, {h[2], h[3], h[4]}, ARGV[3], ARGV[4],
                life)
    expired = expired + 1
  else
    redis.call('ZREM', KEYS[2], code)
  end
end
return expired
