-- wrk script: a realistic stream of single-transaction POSTs. Unique ids (RUN_ID prefix), ACCOUNTS
-- accounts (default a million) each with a home country, 5,000 merchants, amounts from 5.00 to 500.00,
-- event time = now. Few of these trigger a rule. Environment: RUN_ID, ACCOUNTS, PREFER (a Prefer header
-- value, e.g. respond-async), BATCH (>1: NDJSON bodies of that many transactions).
wrk.method = "POST"
local batch = tonumber(os.getenv("BATCH") or "1")
wrk.headers["Content-Type"] = batch > 1 and "application/x-ndjson" or "application/json"
if os.getenv("PREFER") and os.getenv("PREFER") ~= "" then wrk.headers["Prefer"] = os.getenv("PREFER") end
local run = os.getenv("RUN_ID") or tostring(os.time())
local accounts = tonumber(os.getenv("ACCOUNTS") or "1000000")
local countries = {"BR", "BR", "BR", "AR", "US", "PT", "MX", "CL"}
local channels = {"card_present", "card_not_present", "pix", "transfer"}
local categories = {"5411", "5812", "5999", "4111", "5541", "5732"}
local n = 0
math.randomseed(os.time())

local function transaction(now)
  n = n + 1
  local account = math.random(1, accounts)
  return string.format(
    '{"id":"%s-%d","account_id":"acc-%d","amount":"%d.%02d","currency":"BRL","merchant_id":"m-%d","merchant_category":"%s","country":"%s","channel":"%s","timestamp":"%s"}',
    run, n, account, math.random(5, 499), math.random(0, 99), math.random(1, 5000),
    categories[math.random(#categories)], countries[account % #countries + 1], channels[math.random(#channels)], now)
end

request = function()
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  if batch <= 1 then return wrk.format(nil, nil, nil, transaction(now)) end
  local lines = {}
  for i = 1, batch do lines[i] = transaction(now) end
  return wrk.format(nil, nil, nil, table.concat(lines, "\n") .. "\n")
end
