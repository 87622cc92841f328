-- Event publication for the events run: POST /api/v1/pubsub/events/$BENCH_EVENT_TYPE as the
-- publishing member system (`X-Road-Client: $BENCH_XROAD_CLIENT`, `X-API-Key: $BENCH_API_KEY`), a
-- ~100-byte JSON payload {"so": n, "ho_so": "...", ...} and `X-Event-Key` cycling through
-- $BENCH_EVENT_KEYS ordering keys (delivery keeps order per key). Exactly $BENCH_EVENTS events in
-- all: each of the $BENCH_PUBLISH_THREADS wrk threads publishes its share, then sends only
-- GET /healthz (not an event; one a second per connection) and stops itself once all its events
-- are answered (wrk.thread:stop()); scripts/bench.sh ends wrk with SIGINT when the subscriber has received
-- every event. Any status other than 201 for an event (or 200 for /healthz) is an error for the
-- harness (added to wrk's count in done()).
local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then
    error(name .. " is not set")
  end
  return v
end

local etype = need("BENCH_EVENT_TYPE")
local total = tonumber(need("BENCH_EVENTS"))
local nkeys = tonumber(os.getenv("BENCH_EVENT_KEYS") or "1000")
local nthreads = tonumber(need("BENCH_PUBLISH_THREADS"))   -- wrk -t
local client = need("BENCH_XROAD_CLIENT")
local key = need("BENCH_API_KEY")

local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local path = "/api/v1/pubsub/events/" .. etype
local idle = nil
local quota, first, sent, answered = 0, 0, 0, 0
statuses = {}   -- status -> count, read by done() through thread:get
local shown = 0

function init(args)
  if tid == nil then
    error("publish.lua: setup() did not run for this thread")
  end
  -- This thread's share: events [first, first + quota).
  local base = math.floor(total / nthreads)
  quota = base + ((tid < total % nthreads) and 1 or 0)
  first = tid * base + math.min(tid, total % nthreads)
  idle = wrk.format("GET", "/healthz")
end

local verified = false
function request()
  -- wrk calls request() once on thread 1's state before the run to check the request, and drops it.
  if tid == 0 and not verified then
    verified = true
    return idle
  end
  if sent < quota then
    local n = first + sent
    sent = sent + 1
    local body = string.format('{"so":%d,"ho_so":"HS-%08d","loai":"khai-sinh","don_vi":"000.21.04.H26","trang_thai":"da-tiep-nhan"}', n, n)
    -- (wrk.format uses these headers instead of wrk.headers, so the credentials go in each time.)
    return wrk.format("POST", path, {["X-Road-Client"] = client, ["X-API-Key"] = key, ["Content-Type"] = "application/json",
                                     ["X-Event-Key"] = "k" .. (n % nkeys)}, body)
  end
  return idle
end

-- Once this thread's events are all sent, its connections wait (1 s between /healthz requests)
-- instead of loading the server while the last answers come in.
function delay()
  if sent < quota then
    return 0
  end
  return 1000
end

function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
  -- /healthz answers 200; an event 201, or an error status (counted, shown).
  if status ~= 200 then
    answered = answered + 1
    if status ~= 201 and shown < 3 then
      shown = shown + 1
      io.stderr:write(string.format("publish.lua: thread %d: status %d: %s\n", tid or 0, status, string.sub(body or "", 1, 300)))
    end
    if answered >= quota then
      wrk.thread:stop()
    end
  end
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local report_done = done

function done(summary, latency, requests)
  local total_st, extra = {}, 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses") or {}
    for k, n in pairs(s) do
      total_st[k] = (total_st[k] or 0) + n
    end
  end
  local parts = {}
  for k, n in pairs(total_st) do
    parts[#parts + 1] = string.format('"%s":%d', k, n)
    local code = tonumber(k)
    if code ~= 201 and code ~= 200 and code < 400 then
      extra = extra + n   -- wrk counted >= 400 already
    end
  end
  table.sort(parts)
  io.write("BENCH_STATUSES {" .. table.concat(parts, ",") .. "}\n")
  summary.errors.status = summary.errors.status + extra
  report_done(summary, latency, requests)
end
