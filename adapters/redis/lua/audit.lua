-- audit.lua: one atomic read of a sale for an exact-N audit under load.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:orders  KEYS[3] fs:{S}:ostatus  KEYS[4] fs:{S}:bought
-- KEYS[5] fs:{S}:dead
-- Returns {} for an unknown sale, else {released, dead_letters, max_user_units, last_entry_id,
-- n_items, (item, remaining, held) x n_items, (order_id, item, user, quantity) x queued orders}
-- where the queued orders are the stream's order entries not released (ostatus 'failed').
local meta = redis.call('HMGET', KEYS[1], 'items', 'released')
if not meta[1] then
  return {}
end
local prefix = sale_prefix(KEYS[1])
local max_user = 0
for _, units in ipairs(redis.call('HVALS', KEYS[4])) do
  max_user = math.max(max_user, tonumber(units))
end
local last = ''
if redis.call('EXISTS', KEYS[2]) == 1 then
  local info = redis.call('XINFO', 'STREAM', KEYS[2])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      last = info[i + 1]
    end
  end
end
local out = {tonumber(meta[2] or '0'), redis.call('XLEN', KEYS[5]), max_user, last, 0}
local n = 0
for item in string.gmatch(meta[1], '[^,]+') do
  n = n + 1
  out[#out + 1] = item
  out[#out + 1] = tonumber(redis.call('GET', prefix .. 'stock:' .. item) or '0')
  out[#out + 1] = tonumber(redis.call('HGET', KEYS[1], 'held:' .. item) or '0')
end
out[5] = n
for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+')) do
  local f = {}
  local fields = entry[2]
  for i = 1, #fields, 2 do
    f[fields[i]] = fields[i + 1]
  end
  if f['k'] ~= 'attempt' and f['o'] and redis.call('HGET', KEYS[3], f['o']) ~= 'failed' then
    out[#out + 1] = f['o']
    out[#out + 1] = f['i'] or ''
    out[#out + 1] = f['u'] or ''
    out[#out + 1] = tonumber(f['q'] or '0')
  end
end
return out
