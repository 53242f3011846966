-- wrk script: single-transaction POSTs spread over 10,000 accounts (so over all partitions),
-- for comparison with transaction.lua, whose one account keeps every record on one partition.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
-- Ids unique per run, so that a monitor that is on does not skip a later run as duplicates.
local run = tostring(os.time())
request = function()
  n = n + 1
  local body = string.format('{"id":"tx-%s-%d","account_id":"acc-%d","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}', run, n, n % 10000)
  return wrk.format(nil, nil, nil, body)
end

done = function(summary, latency, requests)
  io.write("latency p50=", latency:percentile(50) / 1000, "ms p99=", latency:percentile(99) / 1000, "ms\n")
end
