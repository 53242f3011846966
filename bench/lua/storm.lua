-- wrk script: the alert-storm worst case. 5,000 accounts repeating one merchant and one amount at
-- the same event time, so nearly every transaction is a duplicate_charge and a velocity burst.
-- Unique ids (RUN_ID prefix), so the monitor's dedupe does not skip them.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local run = os.getenv("RUN_ID") or tostring(os.time())
local n = 0
request = function()
  n = n + 1
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  return wrk.format(nil, nil, nil, string.format(
    '{"id":"%s-%d","account_id":"acc-%d","amount":"129.90","currency":"BRL","merchant_id":"m-881","merchant_category":"5411","country":"BR","channel":"card_present","timestamp":"%s"}',
    run, n, n % 5000, now))
end
