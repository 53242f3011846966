-- wrk script: single-transaction POSTs with the issue's example body.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"id":"tx-0001","account_id":"acc-42","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"2026-11-25T16:20:00Z"}'

local counts = {}
response = function(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

done = function(summary, latency, requests)
  io.write("latency p50=", latency:percentile(50) / 1000, "ms p99=", latency:percentile(99) / 1000, "ms\n")
end
