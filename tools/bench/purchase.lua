-- wrk script: POST /api/purchase with a unique user and request id per request.
--   wrk -t2 -c64 -d8s -s tools/bench/purchase.lua http://127.0.0.1:8080 -- <sale_id> <item_id>
-- Prints how many answers were 200 / 410 / other at the end (wrk's "Non-2xx" line counts
-- 410s too).
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sale = args[1] or "demo"
  item = args[2] or "iphone-15"
  prefix = string.format("w%d-%d-%d", tid, os.time(), math.random(1000000000))
  n = 0
  ok, gone, other = 0, 0, 0
end

function request()
  n = n + 1
  local body = string.format(
    '{"request_id":"r%d","user_id":"%s-%d","item_id":"%s","quantity":1,"sale_id":"%s"}',
    n, prefix, n, item, sale)
  return wrk.format("POST", "/api/purchase", {["Content-Type"] = "application/json"}, body)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 elseif status == 410 then gone = gone + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local t_ok, t_gone, t_other = 0, 0, 0
  for _, thread in ipairs(threads) do
    t_ok = t_ok + thread:get("ok")
    t_gone = t_gone + thread:get("gone")
    t_other = t_other + thread:get("other")
  end
  io.write(string.format("answers: 200=%d 410=%d other=%d\n", t_ok, t_gone, t_other))
end
