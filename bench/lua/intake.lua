-- Dossier intake at the counter: every request is POST /api/v1/dossiers by a one-stop officer
-- (a random one of the tokens in the file named by $BENCH_TOKENS, one per line: each officer works
-- at their own receiving agency), channel in_person, procedure 1.001193 (birth registration): the
-- child's name, birth date, sex (one of the options in the file $BENCH_SEX_OPTIONS) and birth
-- place; components TK and GCS scanned at the counter (the uploaded PDF $BENCH_FILE_SHA256) and NT
-- read from the registry; the applicant a citizen of the registry (a random ID of the file
-- $BENCH_IDS), so the server prefills the applicant's name from the registry and writes the reads
-- to the personal-data access log. Each request carries a unique Idempotency-Key (the run, the wrk
-- thread and a counter), so every one must create a dossier: 201.
--
-- Any other status is an error for the harness: wrk itself counts statuses >= 400; the others
-- (e.g. 200, a replayed key) are added to the same count in done(). The first few unexpected
-- answers of each thread are printed with their body.
local function need(name)
  local v = os.getenv(name)
  if v == nil or v == "" then
    error(name .. " is not set")
  end
  return v
end

local function lines(file)
  local out = {}
  for line in io.lines(file) do
    if line ~= "" then
      out[#out + 1] = line
    end
  end
  if #out == 0 then
    error("no lines in " .. file)
  end
  return out
end

local tokens = lines(need("BENCH_TOKENS"))
local ids = lines(need("BENCH_IDS"))
local sexes = lines(need("BENCH_SEX_OPTIONS"))
local sha = need("BENCH_FILE_SHA256")
local procedure = os.getenv("BENCH_PROCEDURE") or "1.001193"

local family = {"Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"}
local middle = {"Văn", "Thị", "Minh", "Ngọc", "Đức", "Thu", "Gia", "Bảo", "Hoài", "Quang", "Thanh", "Khánh"}
local given = {"An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hân", "Huy", "Khoa", "Lan", "Linh", "Long", "Mai",
               "Nam", "Ngân", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy"}
local places = {"Bệnh viện Phụ sản Hà Nội", "Bệnh viện Bạch Mai", "Bệnh viện Đa khoa Xanh Pôn",
                "Bệnh viện Phụ sản Trung ương", "Trạm y tế phường", "Bệnh viện Đa khoa Hà Đông"}

-- Run-wide part of the idempotency keys: unique per wrk process (the warm-up, each attempt). The
-- main state makes it; setup() hands it to each thread as the globals `run_key` and `tid` (globals:
-- thread:set and thread:get see only those).
local threads = {}
local main_run_key = nil
function setup(thread)
  if main_run_key == nil then
    math.randomseed(os.time())
    main_run_key = string.format("%d-%06d", os.time(), math.random(0, 999999))
  end
  thread:set("tid", #threads + 1)
  thread:set("run_key", main_run_key)
  threads[#threads + 1] = thread
end

local counter = 0
statuses = {}   -- status -> count, read by done() through thread:get
local shown = 0
local recent = {}   -- birth dates: the last 60 days, precomputed

function init(args)
  if run_key == nil or tid == nil then
    error("intake.lua: setup() did not run for this thread")
  end
  math.randomseed(os.time() + tid * 7919)
  local now = os.time()
  for d = 1, 60 do
    recent[d] = os.date("%Y-%m-%d", now - d * 86400)
  end
end

local function pick(t)
  return t[math.random(#t)]
end

function request()
  counter = counter + 1
  local name = pick(family) .. " " .. pick(middle) .. " " .. pick(given)
  local body = string.format(
    '{"procedure_code":"%s","channel":"in_person","applicant":{"kind":"citizen","id":"%s"},' ..
    '"form":{"child_full_name":"%s","child_birth_date":"%s","child_sex":"%s","child_birth_place":"%s"},' ..
    '"components":[{"code":"TK","source":"scan","sha256":"%s"},{"code":"GCS","source":"scan","sha256":"%s"},' ..
    '{"code":"NT","source":"registry"}]}',
    procedure, pick(ids), name, pick(recent), pick(sexes), pick(places), sha, sha)
  local headers = {
    ["Authorization"] = "Bearer " .. pick(tokens),
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%d-%d", run_key, tid, counter),
  }
  return wrk.format("POST", "/api/v1/dossiers", headers, body)
end

function response(status, headers, body)
  local k = tostring(status)
  statuses[k] = (statuses[k] or 0) + 1
  if status ~= 201 and shown < 3 then
    shown = shown + 1
    io.stderr:write(string.format("intake.lua: thread %d: status %d: %s\n", tid or 0, status, string.sub(body or "", 1, 300)))
  end
end

dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")
local report_done = done

function done(summary, latency, requests)
  local total, extra = {}, 0
  for _, t in ipairs(threads) do
    local s = t:get("statuses") or {}
    for k, n in pairs(s) do
      total[k] = (total[k] or 0) + n
    end
  end
  local parts = {}
  for k, n in pairs(total) do
    parts[#parts + 1] = string.format('"%s":%d', k, n)
    local code = tonumber(k)
    if code ~= 201 and code < 400 then
      extra = extra + n   -- wrk counted >= 400 already
    end
  end
  table.sort(parts)
  io.write("BENCH_STATUSES {" .. table.concat(parts, ",") .. "}\n")
  summary.errors.status = summary.errors.status + extra
  report_done(summary, latency, requests)
end
