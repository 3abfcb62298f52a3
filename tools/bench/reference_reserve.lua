#!lua name=fsref
-- The fixed C1 reference of tools/bench.sh: the minimum a reservation has to do in Redis
-- (idempotency check, stock check, decrement, per-user count, durable stream entry, stored
-- answer), kept here unchanged so that R1 (REST purchases / C1) no longer moves when the
-- project's own library (adapters/redis/lua, fs2_reserve) gets heavier or lighter.
-- KEYS: 1 stored answer, 2 stock, 3 per-user counts (hash), 4 order stream
-- ARGV: 1 user, 2 quantity, 3 order id, 4 answer ttl (ms)
redis.register_function('ref_reserve', function(keys, args)
  local stored = redis.call('GET', keys[1])
  if stored then
    return stored
  end
  local stock = tonumber(redis.call('GET', keys[2]) or '0')
  local qty = tonumber(args[2])
  if qty > stock then
    return 'sold_out'
  end
  local remaining = redis.call('DECRBY', keys[2], qty)
  redis.call('HINCRBY', keys[3], args[1], qty)
  redis.call('XADD', keys[4], '*', 'o', args[3], 'u', args[1], 'q', qty)
  redis.call('SET', keys[1], 'accepted|' .. args[3] .. '|' .. remaining, 'PX', args[4])
  return remaining
end)
