-- complete.lua: turn a checkout code into an order exactly once, in the same atomic step as
-- the hold is consumed (DESIGN.md section 8).
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:hold:<code>  KEYS[3] fs:{S}:holds  KEYS[4] fs:{S}:bought
-- KEYS[5] fs:{S}:orders  KEYS[6] fs:{S}:ostatus
-- ARGV: 1 code, 2 order_id, 3 now_ms, 4 caller's request id ('' for none), 5 sale,
--       6 the order's request id, 7 units-returned channel, 8 hold record ttl_ms (once
--       settled), 9 sale retention_ms
-- Returns {outcome, order_id, item, user, quantity, price, created_ms, user_units, replayed,
--          item_name}.
local life = {now = tonumber(ARGV[3]), record_ttl = tonumber(ARGV[8]),
              retention = tonumber(ARGV[9])}
local h = redis.call('HMGET', KEYS[2], 'st', 'i', 'u', 'q', 'p', 'e', 'o', 'rq', 'ot')
if not h[1] then
  return {'unknown_checkout', '', '', '', 0, 0, 0, 0, 0, ''}
end
local name = redis.call('HGET', KEYS[1], 'name:' .. h[2]) or ''
local function units()
  return tonumber(redis.call('HGET', KEYS[4], h[3]) or '0')
end
if h[1] == 'used' then
  local same = ARGV[4] ~= '' and h[8] == ARGV[4]
  return {same and 'accepted' or 'checkout_used', h[7], h[2], h[3], tonumber(h[4]),
          tonumber(h[5]), tonumber(h[9]), units(), same and 1 or 0, name}
end
if h[1] == 'held' and tonumber(ARGV[3]) >= tonumber(h[6]) then
  -- Found expired before the sweep: give the unit back now.
  return_hold(KEYS[1], KEYS[3], KEYS[4], KEYS[2], ARGV[1], {h[2], h[3], h[4]}, ARGV[7], ARGV[5],
              life)
  h[1] = 'expired'
end
if h[1] ~= 'held' then
  return {'checkout_expired', '', h[2], h[3], 0, 0, 0, 0, 0, name}
end
redis.call('HSET', KEYS[2], 'st', 'used', 'o', ARGV[2], 'rq', ARGV[4], 'ot', ARGV[3])
settle_hold(KEYS[1], KEYS[2], life)
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'held:' .. h[2], -tonumber(h[4]))
redis.call('XADD', KEYS[5], '*', 'o', ARGV[2], 's', ARGV[5], 'i', h[2], 'u', h[3], 'r', ARGV[6],
           'q', h[4], 'p', h[5], 't', ARGV[3])
redis.call('HSET', KEYS[6], ARGV[2], 'pending')
return {'accepted', ARGV[2], h[2], h[3], tonumber(h[4]), tonumber(h[5]), tonumber(ARGV[3]),
        units(), 0, name}
