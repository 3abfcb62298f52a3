-- credit.lua: add the units of a transfer (fs4_take) to the receiving sub-stock, once per
-- transfer id, whoever calls (the buyer's instance, or the sweep after it died).
-- KEYS[1] fs:{S~h}:stock:<item>  KEYS[2] fs:{S~h}:xin (set of transfer ids credited)
-- ARGV: 1 transfer id, 2 units, 3 channel for "units returned" (empty: do not publish),
--       4 "sale/item" (the message)
-- Returns 1 when credited now, 0 when credited before.
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then
  return 0
end
redis.call('INCRBY', KEYS[1], ARGV[2])
if ARGV[3] ~= '' then
  redis.call('PUBLISH', ARGV[3], ARGV[4])
end
return 1
