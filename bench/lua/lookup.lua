-- Citizen lookup for a purpose: GET /api/v1/registries/citizens/lookup/{id_number}?purpose=P as a
-- member system (header X-API-Key), cycling through the identity numbers in the file named by
-- $BENCH_IDS, one per line (scripts/bench.sh writes it: citizens the import accepted, shuffled).
-- $BENCH_API_KEY is the key, $BENCH_PURPOSE the purpose code. Each wrk thread starts at a different
-- place in the list. A response other than 200 is an error for the harness: wrk counts statuses
-- >= 400 (403 refused, 404 unknown ID, 5xx), and scripts/bench.sh checks a sample for exactly 200
-- before the run.
local file = os.getenv("BENCH_IDS")
local key = os.getenv("BENCH_API_KEY")
local purpose = os.getenv("BENCH_PURPOSE")
if file == nil or file == "" then
  error("BENCH_IDS is not set")
end
if key == nil or key == "" then
  error("BENCH_API_KEY is not set")
end
if purpose == nil or purpose == "" then
  error("BENCH_PURPOSE is not set")
end
wrk.headers["X-API-Key"] = key

local ids = {}
for line in io.lines(file) do
  if line ~= "" then
    ids[#ids + 1] = line
  end
end
if #ids == 0 then
  error("no identity numbers in " .. file)
end

local thread_no = 0
function setup(thread)
  thread:set("offset", thread_no * 997)
  thread_no = thread_no + 1
end

-- The requests are formatted once per thread, so that the client spends its time on the wire.
local requests = {}
local i = 0
function init(args)
  for n, id in ipairs(ids) do
    requests[n] = wrk.format("GET", "/api/v1/registries/citizens/lookup/" .. id .. "?purpose=" .. purpose)
  end
  i = (offset or 0) % #requests
end

function request()
  i = i + 1
  if i > #requests then
    i = 1
  end
  return requests[i]
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
