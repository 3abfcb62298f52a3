-- refuse.lua: the sold-out answer of a split sale (DESIGN.md section 12), found by the caller
-- after fs4_reserve answered 'short' and no other sub-stock had units: stored for replay in
-- the buyer's home sub-stock, like fs4_reserve stores its own. When an answer was stored for
-- the key meanwhile (the same request, concurrently), that one is replayed instead.
-- KEYS[1] fs:{S~h}:meta  KEYS[2] fs:{S~h}:idem:<u>/<r>
-- ARGV: 1 fingerprint, 2 remaining, 3 now_ms, 4 answer ttl_ms, 5 sale retention_ms
-- Returns fs4_reserve's reply: {outcome, order_id, remaining, replayed, failed, buyers_version}.
local replay = replay_answer(KEYS[2], ARGV[1])
if replay then
  return replay
end
local meta = redis.call('HMGET', KEYS[1], 'ends_at', 'buyers_version')
if not meta[1] then
  return {'unknown_item', '', 0, 0, 0, 0}
end
local now = tonumber(ARGV[3])
redis.call('SET', KEYS[2], ARGV[1] .. '|sold_out||' .. ARGV[2] .. '|0', 'PX',
           capped_ttl(tonumber(ARGV[4]), now, tonumber(meta[1]), tonumber(ARGV[5])))
return {'sold_out', '', tonumber(ARGV[2]), 0, 0, tonumber(meta[2])}
