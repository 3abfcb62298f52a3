-- take.lua: take units out of one sub-stock of a split sale, to move them to another
-- (DESIGN.md section 12, "Hot-item sub-stocks"). The transfer is recorded here, atomically
-- with the take, until the receiving sub-stock has been credited (fs4_credit) and the record
-- deleted; the hold sweep finishes a transfer whose mover died in between.
-- KEYS[1] fs:{S~d}:meta  KEYS[2] fs:{S~d}:stock:<item>  KEYS[3] fs:{S~d}:xfer
-- ARGV: 1 units wanted, 2 transfer id, 3 receiving sub-stock, 4 item, 5 now_ms
-- Returns {units taken (0: none left here, or an unknown sale), buyers_version}.
local version = redis.call('HGET', KEYS[1], 'buyers_version')
if not version then
  return {0, 0}
end
local stock = tonumber(redis.call('GET', KEYS[2]) or '0')
local n = math.min(tonumber(ARGV[1]), stock)
if n <= 0 then
  return {0, tonumber(version)}
end
redis.call('DECRBY', KEYS[2], n)
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3] .. '|' .. ARGV[4] .. '|' .. n .. '|' .. ARGV[5])
return {n, tonumber(version)}
