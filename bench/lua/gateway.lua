-- A member system's call through the data-exchange gateway: GET /r1/{instance}/{memberClass}/
-- {memberCode}/{subsystem}/{serviceCode}/{path} with `X-Road-Client: $BENCH_XROAD_CLIENT` and the
-- client system's API key `X-API-Key: $BENCH_API_KEY` (scripts/bench.sh makes both over the API
-- first: bench/exchange_bench.py gateway-setup). Every call is authenticated, checked against the
-- client's grant and rate, signed towards the provider, forwarded to the small upstream and written
-- to the message log. Faults are statuses >= 400 (X-Road-Error), which wrk counts as errors.
local client = os.getenv("BENCH_XROAD_CLIENT")
local key = os.getenv("BENCH_API_KEY")
if client == nil or client == "" then
  error("BENCH_XROAD_CLIENT is not set")
end
if key == nil or key == "" then
  error("BENCH_API_KEY is not set")
end
wrk.headers["X-Road-Client"] = client
wrk.headers["X-API-Key"] = key
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
