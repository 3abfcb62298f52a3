-- reserve_many.lua: group commit of reservations. Runs fs_reserve (reserve.lua, exactly its
-- semantics) once per reservation, in order, in one atomic call: KEYS holds 6 keys and ARGV
-- 10 arguments per reservation, in reserve.lua's layout. Returns one reply per reservation,
-- each what fs2_reserve would have answered; a reservation whose call failed gets an error
-- reply of its own (its writes before the failure stay, as with fs2_reserve alone), and the
-- others are unaffected.
local out = {}
local keys, args = {}, {}
for i = 0, #KEYS / 6 - 1 do
  for j = 1, 6 do keys[j] = KEYS[i * 6 + j] end
  for j = 1, 10 do args[j] = ARGV[i * 10 + j] end
  local ok, reply = pcall(fs_reserve, keys, args)
  if ok then
    out[i + 1] = reply
  else
    local message = type(reply) == 'table' and reply.err or tostring(reply)
    out[i + 1] = redis.error_reply(message)
  end
end
return out
