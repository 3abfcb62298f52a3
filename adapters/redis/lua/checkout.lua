-- checkout.lua: hold one unit for a user under a checkout code, atomically, and record the
-- attempt on the sale's stream whatever the answer (DESIGN.md section 8).
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:stock:<item>  KEYS[3] fs:{S}:bought
-- KEYS[4] fs:{S}:cidem:<user>/<request> (stored answer; unused without a request id)
-- KEYS[5] fs:{S}:orders  KEYS[6] fs:{S}:holds  KEYS[7] fs:{S}:hold:<code>
-- ARGV: 1 user, 2 item, 3 fingerprint, 4 code, 5 attempt_id, 6 now_ms, 7 expires_ms,
--       8 answer ttl_ms, 9 has_request (1/0), 10 sale, 11 sale retention_ms (a stored answer
--       never outlives the sale by more)
-- Returns {outcome, code, expires_ms, remaining, price_cents, item_name, replayed};
-- 'invalid_request' (nothing recorded) for a sale split into sub-stocks.
local function record(outcome, code, expires)
  redis.call('XADD', KEYS[5], '*', 'k', 'attempt', 'a', ARGV[5], 's', ARGV[10], 'i', ARGV[2],
             'u', ARGV[1], 'x', outcome, 'c', code, 'e', expires, 't', ARGV[6])
end

local meta = redis.call('HMGET', KEYS[1], 'starts_at', 'ends_at', 'per_user_limit',
                        'price:' .. ARGV[2], 'name:' .. ARGV[2], 'retired_at', 'shards')
if not meta[1] then
  return {'unknown_item', '', 0, 0, 0, '', 0}  -- no such sale here: nothing to record it in
end
if meta[7] then
  -- A sale split into sub-stocks sells one-step purchases only (DESIGN.md section 12).
  return {'invalid_request', '', 0, 0, 0, '', 0}
end
-- A retired sale's stream is no longer read: nothing more is recorded in it, but a replay
-- still gets the first answer while it is stored.
local retired = meta[6]
local name = meta[5] or ''
if ARGV[9] == '1' then
  local stored = redis.call('GET', KEYS[4])
  if stored then
    local fp, outcome, code, expires, remaining, price =
      string.match(stored, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
    if fp ~= ARGV[3] then
      if not retired then record('duplicate_request', '', '') end
      return {'duplicate_request', '', 0, 0, 0, '', 0}
    end
    if not retired then record(outcome, code, expires) end
    return {outcome, code, tonumber(expires) or 0, tonumber(remaining), tonumber(price), name, 1}
  end
end
if retired then
  return {'sale_not_active', '', 0, 0, 0, '', 0}
end

local now = tonumber(ARGV[6])
local retention = tonumber(ARGV[11])
local function answer(outcome, code, expires, remaining, price)
  if ARGV[9] == '1' and (outcome == 'accepted' or outcome == 'sold_out' or
                         outcome == 'user_limit_reached') then
    redis.call('SET', KEYS[4], ARGV[3] .. '|' .. outcome .. '|' .. code .. '|' .. expires ..
               '|' .. remaining .. '|' .. price, 'PX',
               capped_ttl(tonumber(ARGV[8]), now, tonumber(meta[2]), retention))
  end
  record(outcome, code, expires)
  return {outcome, code, tonumber(expires) or 0, remaining, price, name, 0}
end

if now < tonumber(meta[1]) or now >= tonumber(meta[2]) then
  return answer('sale_not_active', '', '', 0, 0)
end
local stock = redis.call('GET', KEYS[2])
if not stock or not meta[4] then
  return answer('unknown_item', '', '', 0, 0)
end
stock = tonumber(stock)
local price = tonumber(meta[4])
if stock < 1 then
  return answer('sold_out', '', '', stock, price)
end
local held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if held + 1 > tonumber(meta[3]) then
  return answer('user_limit_reached', '', '', stock, price)
end

local remaining = redis.call('DECR', KEYS[2])
redis.call('HINCRBY', KEYS[3], ARGV[1], 1)
redis.call('HINCRBY', KEYS[1], 'buyers_version', 1)
redis.call('HINCRBY', KEYS[1], 'held:' .. ARGV[2], 1)
redis.call('HSET', KEYS[7], 'st', 'held', 'i', ARGV[2], 'u', ARGV[1], 'q', 1, 'p', price,
           'e', ARGV[7])
redis.call('ZADD', KEYS[6], ARGV[7], ARGV[4])
return answer('accepted', ARGV[4], ARGV[7], remaining, price)
