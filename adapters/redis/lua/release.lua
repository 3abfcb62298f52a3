-- release.lua: give a permanently failed order's units back, exactly once per order.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:stock:<item>  KEYS[3] fs:{S}:bought
-- KEYS[4] fs:{S}:idem:<user>/<request>  KEYS[5] fs:{S}:ostatus  KEYS[6] fs:{S}:dead
-- ARGV: 1 order_id, 2 user, 3 quantity, 4 reason (outcome name), 5 sale, 6 item, 7 request,
--       8 price, 9 created_ms, 10 channel for "units returned", 11 now_ms
-- Returns 1 when released now, 0 when released before, -1 for an order never reserved
-- (recorded as a dead letter, nothing given back).
local status = redis.call('HGET', KEYS[5], ARGV[1])
local function dead(note)
  redis.call('XADD', KEYS[6], '*', 'o', ARGV[1], 's', ARGV[5], 'i', ARGV[6], 'u', ARGV[2],
             'r', ARGV[7], 'q', ARGV[3], 'p', ARGV[8], 't', ARGV[9], 'reason', ARGV[4],
             'note', note, 'at', ARGV[11])
end
if status == 'failed' then
  return 0
end
if not status then
  dead('never reserved here; nothing released')
  return -1
end
local qty = tonumber(ARGV[3])
redis.call('INCRBY', KEYS[2], qty)
if redis.call('HINCRBY', KEYS[3], ARGV[2], -qty) <= 0 then
  redis.call('HDEL', KEYS[3], ARGV[2])
end
redis.call('HINCRBY', KEYS[1], 'buyers_version', 1)
redis.call('HINCRBY', KEYS[1], 'released', 1)
redis.call('HSET', KEYS[5], ARGV[1], 'failed')
local stored = redis.call('GET', KEYS[4])
if stored then
  local fp, outcome, order_id, remaining =
    string.match(stored, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|')
  if order_id == ARGV[1] then
    redis.call('SET', KEYS[4], fp .. '|' .. ARGV[4] .. '|' .. order_id .. '|' .. remaining ..
               '|1', 'KEEPTTL')
  end
end
dead('released')
redis.call('PUBLISH', ARGV[10], ARGV[5] .. '/' .. ARGV[6])
return 1
