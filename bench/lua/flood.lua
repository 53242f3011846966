-- wrk script for bench/flood.sh: POST /transactions over 10,000 accounts, one transaction per
-- request (FLOOD_BATCH=1) or NDJSON batches of FLOOD_BATCH, and a count of every status answered,
-- summed over wrk's threads and printed as "status 202=N 503=M ...".
local batch = tonumber(os.getenv("FLOOD_BATCH") or "1")
local threads = {}
local n = 0

setup = function(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

init = function(args)
  counts = {}
  wrk.method = "POST"
  wrk.headers["Content-Type"] = batch > 1 and "application/x-ndjson" or "application/json"
end

local function transaction()
  n = n + 1
  return string.format('{"id":"fl-%d-%d","account_id":"acc-%d","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}', id, n, n % 10000)
end

request = function()
  local lines = {}
  for i = 1, batch do lines[i] = transaction() end
  return wrk.format(nil, nil, nil, table.concat(lines, "\n"))
end

response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

done = function(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(total) do table.insert(parts, status .. "=" .. count) end
  table.sort(parts)
  io.write("status ", table.concat(parts, " "), "\n")
  io.write(string.format("latency p50=%.1fms p99=%.1fms max=%.1fms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("errors connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status, summary.errors.timeout))
end
