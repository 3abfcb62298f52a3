-- load.lua: make a sale live, once. Never overwrites a live sale.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:orders  KEYS[3..] fs:{S}:stock:<item> (same order as items)
-- ARGV: 1 starts_ms, 2 ends_ms, 3 per_user_limit, 4 item count, then per item: id, stock,
--       price, name; then, for one sub-stock of a sale split into several (Keys::Tag), the
--       number of sub-stocks and this one's index (meta 'shards', 'shard').
-- Returns 1 when loaded, 0 when the sale was already there.
if redis.call('EXISTS', KEYS[1]) == 1 then
  return 0
end
local n = tonumber(ARGV[4])
local items = {}
for i = 1, n do
  local id = ARGV[4 * i + 1]
  local stock = ARGV[4 * i + 2]
  local price = ARGV[4 * i + 3]
  local name = ARGV[4 * i + 4]
  items[#items + 1] = id
  redis.call('SET', KEYS[2 + i], stock)
  redis.call('HSET', KEYS[1], 'price:' .. id, price, 'stock:' .. id, stock, 'name:' .. id, name,
             'held:' .. id, 0)
end
redis.call('HSET', KEYS[1], 'starts_at', ARGV[1], 'ends_at', ARGV[2], 'per_user_limit', ARGV[3],
           'buyers_version', 1, 'released', 0, 'items', table.concat(items, ','))
if ARGV[4 * n + 5] then
  redis.call('HSET', KEYS[1], 'shards', ARGV[4 * n + 5], 'shard', ARGV[4 * n + 6])
end
local ok, err = pcall(redis.call, 'XGROUP', 'CREATE', KEYS[2], 'persist', '0', 'MKSTREAM')
if not ok and not string.find(tostring(err), 'BUSYGROUP') then
  return redis.error_reply(tostring(err))
end
return 1
