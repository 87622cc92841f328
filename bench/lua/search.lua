-- GET requests cycling through a list of paths, one per line in the file named by $BENCH_PATHS
-- (scripts/bench.sh writes it: the unit-search queries of tests/data/unit_search_cases.csv,
-- URL-encoded, e.g. /api/v1/units/search?q=Ph%C6%B0%E1%BB%9Dng%205&level=commune). Each wrk thread
-- starts at a different place in the list, so the connections do not ask the same query together.
local file = os.getenv("BENCH_PATHS")
if file == nil or file == "" then
  error("BENCH_PATHS is not set")
end
local paths = {}
for line in io.lines(file) do
  if line ~= "" then
    paths[#paths + 1] = line
  end
end
if #paths == 0 then
  error("no paths in " .. file)
end

local thread_no = 0
function setup(thread)
  thread:set("offset", thread_no * 37)
  thread_no = thread_no + 1
end

local i = 0
function init(args)
  i = (offset or 0) % #paths
end

function request()
  i = i + 1
  if i > #paths then
    i = 1
  end
  return wrk.format("GET", paths[i])
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
