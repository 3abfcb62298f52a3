-- limit.lua: token buckets (GCRA), all or nothing: when every bucket has a token one is taken
-- from each, otherwise none (ports::RateLimiter). A bucket is one key holding its theoretical
-- arrival time in microseconds, expiring when the bucket is full again. The time is the Redis
-- server's, one clock for every instance sharing the buckets.
-- KEYS: the buckets (fs:rl:<key>)   ARGV: per bucket, its interval (us per token) and burst
-- Returns {allowed 1/0, binding bucket (0-based), remaining, retry_after_us, reset_us}
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tats = {}
local binding, retry, reset = 0, 0, 0
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local tat = math.max(tonumber(redis.call('GET', KEYS[i]) or '0'), now)
  tats[i] = tat
  local wait = tat - now - (burst - 1) * interval
  if wait > retry then
    binding, retry, reset = i - 1, wait, tat - now
  end
end
if retry > 0 then
  return {0, binding, 0, math.ceil(retry), math.ceil(reset)}
end
local fewest = -1
for i = 1, #KEYS do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local next_tat = tats[i] + interval
  redis.call('SET', KEYS[i], string.format('%.0f', next_tat), 'PX',
             math.max(1, math.ceil((next_tat - now) / 1000)))
  local left = math.floor((burst * interval - (next_tat - now)) / interval + 1e-9)
  if fewest < 0 or left < fewest then
    fewest, binding, reset = left, i - 1, next_tat - now
  end
end
return {1, binding, fewest, 0, math.ceil(reset)}
