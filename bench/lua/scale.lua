-- wrk script for bench/scale.sh: NDJSON batches of BATCH (default 100) realistic transactions over
-- ACCOUNTS accounts (default a million), ids unique per run (RUN_ID) and thread, event time = now;
-- counts the transactions the gateway accepted and the statuses, summed over wrk's threads and
-- printed as "accepted N" and "status 200=N 503=M ...".
local batch = tonumber(os.getenv("BATCH") or "100")
local accounts = tonumber(os.getenv("ACCOUNTS") or "1000000")
local run = os.getenv("RUN_ID") or tostring(os.time())
local threads = {}
local countries = {"BR", "BR", "BR", "AR", "US", "PT", "MX", "CL"}
local channels = {"card_present", "card_not_present", "pix", "transfer"}

setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

init = function(args)
  counts = {}
  accepted = 0
  n = 0
  math.randomseed(os.time() + id)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-ndjson"
end

local function transaction(now)
  n = n + 1
  local account = math.random(1, accounts)
  return string.format(
    '{"id":"%s-%d-%d","account_id":"acc-%d","amount":"%d.%02d","currency":"BRL","merchant_id":"m-%d","country":"%s","channel":"%s","timestamp":"%s"}',
    run, id, n, account, math.random(5, 499), math.random(0, 99), math.random(1, 5000),
    countries[account % #countries + 1], channels[math.random(#channels)], now)
end

request = function()
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local lines = {}
  for i = 1, batch do lines[i] = transaction(now) end
  return wrk.format(nil, nil, nil, table.concat(lines, "\n") .. "\n")
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if status == 200 then
    local _, found = string.gsub(body, '"status":"accepted"', "")
    accepted = accepted + found
  elseif status == 202 then
    accepted = accepted + 1
  end
end

done = function(summary, latency, requests)
  local total, sum = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + count end
    sum = sum + thread:get("accepted")
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, status .. "=" .. count) end
  table.sort(parts)
  io.write("accepted ", sum, "\n")
  io.write("status ", table.concat(parts, " "), "\n")
end
