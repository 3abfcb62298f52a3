-- buyers.lua: the users holding units in a sale, with the buyer-set version, atomically.
-- KEYS[1] fs:{S}:meta  KEYS[2] fs:{S}:bought
-- Returns {version, user, user, ...}; {} for an unknown sale.
local version = redis.call('HGET', KEYS[1], 'buyers_version')
if not version then
  return {}
end
local out = {tonumber(version)}
for _, user in ipairs(redis.call('HKEYS', KEYS[2])) do
  out[#out + 1] = user
end
return out
