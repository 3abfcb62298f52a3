-- limit.lua: token buckets, all or nothing (ports::RateLimiter; draw_tokens in _shared.lua).
-- KEYS: the buckets, one or two (fs:{~rl}:<key>)   ARGV: per bucket, its interval (us per token)
-- and burst
-- Returns {allowed 1/0, binding bucket (0-based), remaining, retry_after_us, reset_us}
return draw_tokens(KEYS, 1, ARGV, 0)
