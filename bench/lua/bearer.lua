-- GET with `Authorization: Bearer $BENCH_TOKEN` (scripts/bench.sh logs in first and exports the
-- token). Used for the authenticated runs, e.g. GET /api/v1/me.
local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
  error("BENCH_TOKEN is not set")
end
wrk.headers["Authorization"] = "Bearer " .. token
dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
