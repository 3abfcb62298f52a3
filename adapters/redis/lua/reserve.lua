-- reserve.lua: one atomic purchase attempt (DESIGN.md section 5).
-- KEYS[1] fs:{S}:meta       hash: starts_at, ends_at, per_user_limit, price:<item>, buyers_version,
--                           shards (a sale split into sub-stocks: these are one sub-stock's keys)
-- KEYS[2] fs:{S}:stock:<i>  integer: units left
-- KEYS[3] fs:{S}:bought     hash: user -> units held
-- KEYS[4] fs:{S}:idem:<u>/<r> stored answer "fingerprint|outcome|order_id|remaining|failed"
-- KEYS[5] fs:{S}:orders     stream of accepted orders (consumer group "persist")
-- KEYS[6] fs:{S}:ostatus    hash: order_id -> pending|failed
-- KEYS[7]  fs:{S}:rl         optional: hash of the sale's rate buckets (draw_hash_tokens),
--                            drawn before anything but the sale's meta is read
-- ARGV: 1 user, 2 quantity, 3 fingerprint, 4 order_id, 5 now_ms, 6 answer ttl_ms,
--       7 sale_id, 8 item_id, 9 request_id, 10 sale retention_ms (a stored answer never
--       outlives its sale by more than this), 11 the sale's sub-stocks as the caller knows
--       them (1: not split); with rate buckets: 12 now_us (the instance's clock), then per
--       bucket (one or two) its field, interval_us and burst
-- Returns {outcome, order_id, remaining, replayed, failed, buyers_version}, followed with
-- rate buckets by draw_hash_tokens' verdict; refused by a bucket: outcome 'rate_limited' and
-- nothing else was read or written. An unknown sale draws no bucket (no hash is left behind
-- for a sale that does not exist). In a sub-stock of a split sale, a purchase within the
-- user's limit that this sub-stock cannot serve answers 'short' (remaining: the units here,
-- buyers_version: this sub-stock's) and stores nothing: the caller moves units here from
-- another sub-stock (fs4_take, fs4_credit) and calls again, or answers sold out. When the
-- sale's sub-stocks are not what the caller thought (ARGV[11]), nothing is read or written
-- and the answer is {'shards', '', the stored count, 0, 0, 0}: the caller calls the right one.
local META = {'starts_at', 'ends_at', 'per_user_limit', 'price:' .. ARGV[8], 'buyers_version',
              'shards'}

-- `meta`: the sale's META fields when the caller read them already.
local function reserve(meta)
  local replay = replay_answer(KEYS[4], ARGV[3])
  if replay then
    return replay
  end

  meta = meta or redis.call('HMGET', KEYS[1], unpack(META))
  if not meta[1] then
    return {'unknown_item', '', 0, 0, 0, 0}
  end
  if (meta[6] or '1') ~= ARGV[11] then
    return {'shards', '', tonumber(meta[6] or '1'), 0, 0, 0}
  end
  local now = tonumber(ARGV[5])
  if now < tonumber(meta[1]) or now >= tonumber(meta[2]) then
    return {'sale_not_active', '', 0, 0, 0, 0}
  end
  local stock = redis.call('GET', KEYS[2])
  if not stock or not meta[4] then
    return {'unknown_item', '', 0, 0, 0, 0}
  end
  stock = tonumber(stock)
  local qty = tonumber(ARGV[2])

  local answer_px = capped_ttl(tonumber(ARGV[6]), now, tonumber(meta[2]), tonumber(ARGV[10]))
  local function store(outcome, order_id, remaining)
    redis.call('SET', KEYS[4], ARGV[3] .. '|' .. outcome .. '|' .. order_id .. '|' ..
               remaining .. '|0', 'PX', answer_px)
  end

  local held = nil
  if qty > stock then
    if not meta[6] then
      store('sold_out', '', stock)
      return {'sold_out', '', stock, 0, 0, tonumber(meta[5])}
    end
    held = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
    if held + qty <= tonumber(meta[3]) then
      return {'short', '', stock, 0, 0, tonumber(meta[5])}
    end
  end
  held = held or tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
  if held + qty > tonumber(meta[3]) then
    store('user_limit_reached', '', stock)
    return {'user_limit_reached', '', stock, 0, 0, 0}
  end

  local remaining = redis.call('DECRBY', KEYS[2], qty)
  redis.call('HINCRBY', KEYS[3], ARGV[1], qty)
  redis.call('HINCRBY', KEYS[1], 'buyers_version', 1)
  redis.call('XADD', KEYS[5], '*', 'o', ARGV[4], 's', ARGV[7], 'i', ARGV[8], 'u', ARGV[1],
             'r', ARGV[9], 'q', qty, 'p', meta[4], 't', ARGV[5])
  redis.call('HSET', KEYS[6], ARGV[4], 'pending')
  store('accepted', ARGV[4], remaining)
  return {'accepted', ARGV[4], remaining, 0, 0, 0}
end

if #KEYS == 6 then
  return reserve(nil)
end
local meta = redis.call('HMGET', KEYS[1], unpack(META))
if not meta[1] then
  return {'unknown_item', '', 0, 0, 0, 0}
end
if (meta[6] or '1') ~= ARGV[11] then
  return {'shards', '', tonumber(meta[6] or '1'), 0, 0, 0}
end
local verdict = draw_hash_tokens(KEYS[7], ARGV, 11)
if verdict[1] == 0 then
  return {'rate_limited', '', 0, 0, 0, 0, 0, verdict[2], verdict[3], verdict[4], verdict[5]}
end
local reply = reserve(meta)
for i = 1, 5 do
  reply[6 + i] = verdict[i]
end
return reply
