#!/usr/bin/env bash
# lienthong benchmarks (docs/PERFORMANCE.md). `make bench` builds the Release binary and runs this.
#
# In one run on this machine, all traffic on 127.0.0.1:
#   1. nginx serving a ~100-byte static JSON file: the baseline;
#   2. the server's GET /healthz;
#   3. an authenticated GET /api/v1/me (Bearer token of the demo user `sysadmin`);
#      each with `wrk -t2 -c64 -d10s --latency` (after a short warm-up);
#   4. the server's resident memory (VmRSS) with 10,000 idle keep-alive connections open;
#   5. unit search over HTTP: GET /api/v1/units/search cycling through the 178 queries of
#      tests/data/unit_search_cases.csv (bench/lua/search.lua), same wrk settings, and again with 8
#      connections (unit_search_c8, which comes with unit_search);
# and, before those, for issue 3 (address conversion), each pinned to one core (taskset):
#   6. the C++ micro-benchmarks of the address engine (build/bench/lt_bench_address, Google
#      Benchmark): text::fold vs an ICU transliterator, AddressIndex::convert (text, codes), search;
#   7. `lienthong convert-addresses` on 1,000,000 generated old addresses, by codes and by free text
#      (bench/make_addresses.py writes them once into build/bench/data/ and they are reused);
#   8. the pandas baseline (bench/pandas_convert.py, Debian's python3-pandas) on the same codes file,
#      and how often its result agrees with lienthong's;
# and, for issue 4 (base registries), on BENCH_CITIZENS generated citizens (`lienthong demo generate`,
# written once into build/bench/data/citizens/ and reused), after the conversions:
#   9. import_sqlite: `lienthong import citizens` (every rule on) into a fresh SQLite database, and
#      the baseline import_sqlite_baseline: `sqlite3`'s `.import` of the same CSV into a table with
#      the same number of indexes (primary key + 4), WAL, synchronous=FULL, the same 256 MiB cache;
#  10. import_postgres: the same into a throwaway PostgreSQL cluster (started in the scratch directory
#      as the `postgres` user on a free port, removed at the end), and the baseline
#      import_postgres_baseline: psql's `\copy` (COPY) of the same CSV into a table with 5 plain
#      indexes and no unique key (COPY stops at the first duplicate key; the file has some);
# and, after the load runs 1–5, on a server whose database holds the citizens imported in 9:
#  11. lookup: GET /api/v1/registries/citizens/lookup/{id_number}?purpose=dang-ky-khai-sinh as the
#      demo member system `hethong` (API key), each read written to the personal-data access log
#      before the answer, cycling through BENCH_LOOKUP_IDS imported IDs (bench/lua/lookup.lua),
#      against the same server's /healthz in the same run (lookup_healthz) as the baseline;
# and, for issue 5 (procedures and dossiers), each on its own server:
#  12. intake_sqlite: counter submissions (POST /api/v1/dossiers, birth registration 1.001193, channel
#      in_person, two scanned components and one read from the registry, a unique Idempotency-Key
#      each; bench/lua/intake.lua) by BENCH_INTAKE_AGENCIES one-stop officers, one per receiving
#      agency (service centres 000.81.NN.H26 in as many communes of Hà Nội, each with its People's
#      Committee 000.80.NN.H26, all made over the API by bench/dossier_bench.py intake-setup), for
#      applicants among BENCH_INTAKE_CITIZENS imported citizens (the first rows of the generated
#      file); every answer must be 201. Same wrk settings. Baseline intake_sqlite_baseline, run
#      first on the same database file: the sqlite3 CLI running BENCH_INSERT_ROWS autocommit
#      single-row INSERTs of BENCH_ROW_BYTES of text (WAL, synchronous=FULL: one fsync per row);
#  13. intake_postgres: the same with the server on a throwaway PostgreSQL cluster (as in 10);
#      baseline intake_postgres_baseline: pgbench -n -c 16 -j 2 -T WRK_DURATION with one single-row
#      INSERT of the same size per transaction (autocommit), into the same database;
#  14. inbox: GET /api/v1/dossiers?limit=50 (the first page of the inbox, by due time) as the demo
#      one-stop officer `motcua`, on a server whose database holds BENCH_INBOX_DOSSIERS dossiers
#      (`lienthong demo dossiers`, generated once into build/bench/data/dossiers/ and copied for
#      each run), against the same server's /healthz (inbox_healthz);
# and, for issue 6 (data exchange), with the load runs 1–5 (same nginx, same server):
#  15. gateway_upstream: wrk straight to the small upstream, for reference: a second nginx server
#      block on its own port answering every /api/ path with the same ~100-byte JSON
#      (`return 200`);
#  16. gateway_nginx, the baseline: nginx `proxy_pass` to that upstream through an `upstream` block
#      with `keepalive 64` (HTTP/1.1, Connection ""), GET /proxy/records/42 -> /api/records/42;
#  17. gateway: GET /r1/VN/GOV/000.01.00.H26/HOTICH-BENCH/birth-records/records/42 through the
#      server's data-exchange gateway to the same upstream, with `X-Road-Client:
#      VN/GOV/000.00.00.H26/MOTCUA-BENCH` and that client system's own API key (bench/lua/gateway.lua):
#      authentication, grant and rate check (the client's rate raised to 1,000,000/s), signature
#      towards the provider, hash-chained message log, all on. Member-system accounts, API key,
#      systems, service and grant are made over the API first as `sysadmin` (bench/exchange_bench.py
#      gateway-setup, which also checks three calls and the message log). Targets: >= 0.8 x
#      gateway_nginx's req/s and an added median latency (p50 minus gateway_nginx's p50) < 1 ms;
#      same wrk settings;
#  18. events_postgres: on a server on a throwaway PostgreSQL cluster (as in 10), a publisher and a
#      subscriber member system with a push subscription to a local subscriber (bench/exchange_bench.py
#      subscriber: asyncio HTTP/1.1, answers 200, counts events by X-Event-Id); BENCH_EVENTS events
#      published with wrk (bench/lua/publish.lua: POST /api/v1/pubsub/events/{type}, a ~100-byte
#      payload checked against the type's schema, X-Event-Key cycling through BENCH_EVENT_KEYS keys);
#      events/s = events / (last first arrival at the subscriber - start of publishing), target
#      5,000 events/s; duplicates (same X-Event-Id twice) should be 0; also the publish rate and the
#      delivery latency (arrival - published_at) per event.
# Prints a table and writes build/bench/results.json and build/bench/results.md (plus the raw wrk
# output and server logs in build/bench/).
#
# Server under test: `lienthong serve --port 0 --db sqlite:TMP/bench.db --demo`, listening on
# 127.0.0.1, access log off (LIENTHONG_ACCESS_LOG=false), SQLite WAL with synchronous=FULL (default).
#
# Adding a load run takes a few lines in main() below, e.g.
#   TITLE="Unit search" BASELINE=nginx_static TARGET_RATIO=0.5 CPU_PID=$SERVER_PID \
#     run_wrk unit_search "$SERVER_URL/api/v1/units?q=ba+dinh" "$LUA_DIR/bearer.lua"
# A scenario needing a request body or several URLs gets its own Lua script under bench/lua/ that
# ends with `dofile(os.getenv("BENCH_LUA_DIR") .. "/report.lua")`. Extra nginx locations (e.g. a
# proxy_pass baseline) go into "$NGINX_DIR/conf.d/NAME.conf" before start_nginx; whole server and
# upstream blocks (http level) into "$NGINX_DIR/http.d/NAME.conf" (as gateway_nginx_conf does).
#
# Environment (all optional): LIENTHONG_BIN (default build/lienthong), BENCH_OUT (build/bench),
# BENCH_MICRO_BIN (build/bench/lt_bench_address), BENCH_DATA (build/bench/data: the generated
# addresses and citizens), BENCH_ROWS (1000000), BENCH_CPU (1: the core the conversions are pinned to),
# PANDAS_PYTHON (/usr/bin/python3, Debian's, which has python3-pandas),
# BENCH_CITIZENS (1000000: citizens generated, imported and looked up), BENCH_CITIZEN_SEED (20250701),
# BENCH_LOOKUP_IDS (10000: the IDs the lookup run cycles through), PG_BIN (the newest
# /usr/lib/postgresql/*/bin), BENCH_INTAKE_AGENCIES (64: receiving agencies, one officer each),
# BENCH_INTAKE_CITIZENS (10000: citizens imported for the intake runs), BENCH_INSERT_ROWS (10000:
# rows of the SQLite intake baseline), BENCH_ROW_BYTES (1536: text per baseline row),
# BENCH_INBOX_DOSSIERS (1000000), BENCH_INBOX_SEED (20250701), BENCH_EVENTS (20000: events the
# events run publishes), BENCH_EVENT_KEYS (1000: their ordering keys),
# WRK_THREADS (2), WRK_CONNECTIONS (64), WRK_DURATION (10, seconds), WRK_WARMUP (2, seconds; 0: none),
# IDLE_CONNECTIONS (10000), NGINX_WORKERS (2), BENCH_ONLY (space-separated run names to run, of:
# micro convert_codes convert_text pandas_codes import_sqlite import_postgres nginx_static healthz me
# unit_search lookup idle_keepalive intake_sqlite intake_postgres inbox gateway_upstream gateway_nginx
# gateway events_postgres; the baselines
# import_sqlite_baseline, import_postgres_baseline, lookup_healthz, intake_sqlite_baseline,
# intake_postgres_baseline and inbox_healthz come with their runs),
# BENCH_QUIET_WAIT (60: before each run, wait up to this many seconds for the machine to be idle),
# BENCH_ATTEMPTS (3: repeat a run disturbed by other processes, keep the least disturbed attempt),
# BENCH_STRICT (1: exit with status 3 when a target is not met). Errors in a run (socket errors,
# responses >= 400, connections refused, a crash) always make the script exit non-zero.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIN=${LIENTHONG_BIN:-$ROOT/build/lienthong}
OUT=${BENCH_OUT:-$ROOT/build/bench}
LUA_DIR=$ROOT/bench/lua
UTIL=$ROOT/bench/bench_util.py
WRK_THREADS=${WRK_THREADS:-2}
WRK_CONNECTIONS=${WRK_CONNECTIONS:-64}
WRK_DURATION=${WRK_DURATION:-10}
WRK_WARMUP=${WRK_WARMUP:-2}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-10000}
NGINX_WORKERS=${NGINX_WORKERS:-2}
BENCH_QUIET_WAIT=${BENCH_QUIET_WAIT:-60}
BENCH_ATTEMPTS=${BENCH_ATTEMPTS:-3}
BENCH_ONLY=${BENCH_ONLY:-}
MICRO_BIN=${BENCH_MICRO_BIN:-$ROOT/build/bench/lt_bench_address}
DATA=${BENCH_DATA:-$OUT/data}
ROWS=${BENCH_ROWS:-1000000}
BENCH_CPU=${BENCH_CPU:-1}
PANDAS_PYTHON=${PANDAS_PYTHON:-/usr/bin/python3}
CITIZENS=${BENCH_CITIZENS:-1000000}
CITIZEN_SEED=${BENCH_CITIZEN_SEED:-20250701}
CITIZEN_DATA=$DATA/citizens
LOOKUP_IDS=${BENCH_LOOKUP_IDS:-10000}
DOSSIER_UTIL=$ROOT/bench/dossier_bench.py
INTAKE_AGENCIES=${BENCH_INTAKE_AGENCIES:-64}
INTAKE_CITIZENS=${BENCH_INTAKE_CITIZENS:-10000}
INSERT_ROWS=${BENCH_INSERT_ROWS:-10000}
ROW_BYTES=${BENCH_ROW_BYTES:-1536}
INBOX_DOSSIERS=${BENCH_INBOX_DOSSIERS:-1000000}
INBOX_SEED=${BENCH_INBOX_SEED:-20250701}
DOSSIER_DATA=$DATA/dossiers
EXCHANGE_UTIL=$ROOT/bench/exchange_bench.py
EVENTS=${BENCH_EVENTS:-20000}
EVENT_KEYS=${BENCH_EVENT_KEYS:-1000}
# The gateway runs' member systems and service (made by bench/exchange_bench.py gateway-setup).
GATEWAY_CLIENT=VN/GOV/000.00.00.H26/MOTCUA-BENCH
GATEWAY_PROVIDER=VN/GOV/000.01.00.H26/HOTICH-BENCH
GATEWAY_SERVICE=birth-records
GATEWAY_PATH=/records/42
INTAKE_PROCEDURE=1.001193
# The intake officers' password after their first sign-in (accounts start with a one-time one).
INTAKE_PASSWORD='Bench2025x'
# The demo one-stop officer whose inbox the inbox run reads (agency 000.21.04.H26).
INBOX_USER=motcua
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)}
DEMO_USER=sysadmin
DEMO_PASSWORD='Demo@2025'
# The demo member system `hethong` (README), granted the purpose the lookup run reads for.
MEMBER_API_KEY='ltk_demo0000_hethong-mot-cua-dien-tu-thu-nghiem'
LOOKUP_PURPOSE=dang-ky-khai-sinh
export BENCH_LUA_DIR=$LUA_DIR

log() { printf '\033[1m[bench]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bench] error:\033[0m %s\n' "$*" >&2; exit 1; }
wanted() { [[ -z $BENCH_ONLY || " $BENCH_ONLY " == *" $1 "* ]]; }
wanted_any() { local n; for n; do wanted "$n" && return 0; done; return 1; }
commas() { sed ':a; s/\B[0-9]\{3\}\>/,&/; ta' <<<"$1"; }   # 1000000 -> 1,000,000

# ---- set-up and clean-up ---------------------------------------------------------------------------

PIDS=()        # every background process we started; killed on exit
TMP=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p" || true; done
  stop_postgres || true
  if [[ -n $TMP && -d $TMP ]]; then
    cp -f "$TMP"/*.log "$OUT"/ 2>/dev/null || true
    [[ -n $PG_DIR && -f $PG_DIR/log ]] && cp -f "$PG_DIR/log" "$OUT/postgres.log"
    [[ -n $NGINX_DIR && -f $NGINX_DIR/error.log ]] && cp -f "$NGINX_DIR/error.log" "$OUT/nginx-error.log"
    rm -rf "$TMP"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Stops one process we started: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local pid=$1 i
  kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && { log "pid $pid ignored SIGTERM: killing it"; kill -KILL "$pid" 2>/dev/null || true; }
  wait "$pid" 2>/dev/null || true
}
forget_pid() {
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

preflight() {
  local c
  for c in wrk nginx python3 curl timeout taskset; do
    command -v "$c" >/dev/null || die "$c is not installed (run \`make deps-bench\`)"
  done
  [[ -x $BIN ]] || die "$BIN not found: build it first (\`make build\`)"
  if wanted micro; then
    [[ -x $MICRO_BIN ]] || die "$MICRO_BIN not found: configure build/ with -DLT_BENCH=ON and build it (\`make bench\` does)"
  fi
  if wanted pandas_codes; then
    "$PANDAS_PYTHON" -c 'import pandas' 2>/dev/null || die "$PANDAS_PYTHON cannot import pandas (run \`make deps-bench\`: python3-pandas)"
  fi
  if wanted_any import_sqlite lookup intake_sqlite inbox; then
    command -v sqlite3 >/dev/null || die "sqlite3 is not installed (run \`make deps-bench\`)"
  fi
  if wanted intake_postgres; then
    [[ -n $PG_BIN && -x $PG_BIN/pgbench ]] || die "pgbench is not in ${PG_BIN:-/usr/lib/postgresql/*/bin} (run \`make deps-bench\`: postgresql)"
  fi
  if wanted_any import_postgres intake_postgres events_postgres; then
    [[ -n $PG_BIN && -x $PG_BIN/initdb && -x $PG_BIN/pg_ctl && -x $PG_BIN/psql ]] ||
      die "no PostgreSQL server programs in ${PG_BIN:-/usr/lib/postgresql/*/bin} (run \`make deps-bench\`: postgresql)"
    if ((EUID == 0)); then
      id postgres >/dev/null 2>&1 || die "there is no postgres user to run the throwaway cluster as"
      command -v runuser >/dev/null || die "runuser is not installed"
    fi
  fi
  ((BENCH_CPU < $(nproc))) || die "BENCH_CPU=$BENCH_CPU, but this machine has $(nproc) cores"
  # 10,000 idle connections need as many descriptors in the server and in the client.
  local need=$((IDLE_CONNECTIONS + 512))
  ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
  local have; have=$(ulimit -n)
  if [[ $have != unlimited ]] && ((have < need)); then
    die "open-file limit is $have, below the $need needed for $IDLE_CONNECTIONS idle connections (raise the hard limit, or set IDLE_CONNECTIONS)"
  fi
  mkdir -p "$OUT"
  rm -f "$OUT"/*.wrk.txt "$OUT"/*.log "$OUT"/results.json "$OUT"/results.md "$OUT"/micro.json "$OUT"/*.sample.csv \
    "$OUT"/convert_*.txt "$OUT"/pandas_*.txt "$OUT"/import_*.txt "$OUT"/intake_*.txt "$OUT"/events_*.txt
  TMP=$(mktemp -d /tmp/lienthong-bench.XXXXXX)
  chmod 755 "$TMP"   # nginx workers run as nobody when started as root (and PostgreSQL as postgres)
  # The binary as server_cmd runs it, as a plain command for `bounded` and `timed`.
  LT=(env -C "$TMP" -u LIENTHONG_CONFIG LIENTHONG_DATA_DIR="$TMP/data" LIENTHONG_ACCESS_LOG=false "$BIN")
  RESULTS=$TMP/results.jsonl
  : >"$RESULTS"
  log "open-file limit $have; scratch directory $TMP"
}

# bounded SECONDS OUTFILE CMD...: runs CMD with a time limit, output to OUTFILE; returns its status.
# It runs in the background and we `wait` for it, so that a signal stops the benchmark at once.
bounded() {
  local secs=$1 out=$2 pid rc=0
  shift 2
  timeout -k 5 "$secs" "$@" >"$out" 2>&1 &
  pid=$!
  PIDS+=("$pid")
  wait "$pid" || rc=$?
  forget_pid "$pid"
  return "$rc"
}

# Waits until URL answers 200, at most $2 seconds (default 10).
wait_http() {
  local url=$1 secs=${2:-10} i
  for ((i = 0; i < secs * 10; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

# ---- nginx baseline -------------------------------------------------------------------------------

NGINX_DIR=""; NGINX_PID=""; NGINX_URL=""
prepare_nginx() {
  NGINX_DIR=$TMP/nginx
  mkdir -p "$NGINX_DIR/html" "$NGINX_DIR/conf.d" "$NGINX_DIR/http.d"
  cp "$ROOT/bench/nginx/static.json" "$NGINX_DIR/html/static.json"
  chmod 755 "$NGINX_DIR" "$NGINX_DIR/html" "$NGINX_DIR/conf.d" "$NGINX_DIR/http.d"
  chmod 644 "$NGINX_DIR/html/static.json"
}
start_nginx() {
  local attempt port
  for attempt in 1 2 3; do
    port=$(python3 "$UTIL" free-port)
    sed -e "s|@DIR@|$NGINX_DIR|g" -e "s|@PORT@|$port|g" -e "s|@WORKERS@|$NGINX_WORKERS|g" \
      "$ROOT/bench/nginx/nginx.conf.template" >"$NGINX_DIR/nginx.conf"
    nginx -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" -c "$NGINX_DIR/nginx.conf" -g 'daemon off;' \
      >>"$TMP/nginx.log" 2>&1 &
    NGINX_PID=$!
    PIDS+=("$NGINX_PID")
    NGINX_URL=http://127.0.0.1:$port
    if wait_http "$NGINX_URL/static.json" 10; then
      log "nginx $(nginx -v 2>&1 | sed 's|.*/||') on port $port ($NGINX_WORKERS workers, pid $NGINX_PID)"
      return 0
    fi
    stop_pid "$NGINX_PID"; forget_pid "$NGINX_PID"
    log "nginx did not start on port $port (attempt $attempt):"
    tail -n 5 "$NGINX_DIR/error.log" "$TMP/nginx.log" >&2 2>/dev/null || true
  done
  die "nginx would not start"
}

# ---- server under test ----------------------------------------------------------------------------

SERVER_PID=""; SERVER_PORT=""; SERVER_URL=""
# Runs the binary the way the benchmark does: from the scratch directory (no stray ./lienthong.toml),
# no configuration file, access log off, 127.0.0.1 only. Other LIENTHONG_* variables in the
# environment reach the server (e.g. LIENTHONG_WORKER_THREADS=2 to try a tuning); the effective
# configuration is recorded in results.json.
# It replaces the current process: call it in the background (`server_cmd … &`, so $! is the
# server itself) or in a subshell.
server_cmd() {
  cd "$TMP" || exit 1
  exec env -u LIENTHONG_CONFIG LIENTHONG_DATA_DIR="$TMP/data" LIENTHONG_ACCESS_LOG=false \
    LIENTHONG_ADDRESS=127.0.0.1 "$BIN" "$@"
}
# start_server NAME [DB]: starts the server on a free port with the SQLite database file DB (default:
# the bench database), or the PostgreSQL database DB (a postgresql:// URL); sets SERVER_*.
start_server() {
  local name=$1 db=${2:-$TMP/bench.db} ready=$TMP/$1.ready i
  rm -f "$ready"
  [[ $db == postgresql://* ]] || db=sqlite:$db
  server_cmd serve --port 0 --db "$db" --demo --ready-file "$ready" >>"$TMP/$name.log" 2>&1 &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  for ((i = 0; i < 600; i++)); do
    [[ -s $ready ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { tail -n 20 "$TMP/$name.log" >&2; die "the server exited during start-up"; }
    sleep 0.1
  done
  [[ -s $ready ]] || { tail -n 20 "$TMP/$name.log" >&2; die "the server was not ready after 60 s"; }
  SERVER_PORT=$(tr -d '[:space:]' <"$ready")
  SERVER_URL=http://127.0.0.1:$SERVER_PORT
  wait_http "$SERVER_URL/healthz" 10 || die "the server does not answer /healthz"
  log "server ($name) on port $SERVER_PORT, pid $SERVER_PID: $(grep -o 'durability: [^)]*' "$TMP/$name.log" | head -n1)"
}
stop_server() {
  stop_pid "$SERVER_PID"; forget_pid "$SERVER_PID"
  SERVER_PID=""
}

# login [USER PASSWORD]: logs in (default: the demo user sysadmin); exports BENCH_TOKEN for
# bench/lua/bearer.lua.
login() {
  local user=${1:-$DEMO_USER} password=${2:-$DEMO_PASSWORD} body
  body=$(curl -fsS --max-time 10 -H 'Content-Type: application/json' \
    -d "{\"username\":\"$user\",\"password\":\"$password\"}" "$SERVER_URL/api/v1/auth/login") ||
    die "login as $user failed"
  BENCH_TOKEN=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])' <<<"$body") ||
    die "no token in the login response: $body"
  export BENCH_TOKEN
  curl -fsS --max-time 5 -o /dev/null -H "Authorization: Bearer $BENCH_TOKEN" "$SERVER_URL/api/v1/me" ||
    die "GET /api/v1/me with the new token failed"
  log "logged in as $user"
}

# ---- measurements ---------------------------------------------------------------------------------

# machine_ticks VAR: busy CPU time of the whole machine in clock ticks (user + nice + system + steal,
# as `bench_util.py machine-ticks`), read by the shell itself: a helper process's start-up (a pyenv
# python3 shim takes about half a CPU-second) would otherwise count as load from other processes.
machine_ticks() {
  local _cpu _u _n _s _idle _io _irq _sirq _st _rest
  read -r _cpu _u _n _s _idle _io _irq _sirq _st _rest </proc/stat
  printf -v "$1" '%d' $((_u + _n + _s + _st))
}

# Appends one JSON result object (one line) to the results.
record() {
  python3 -c 'import json,sys; json.loads(sys.argv[1])' "$1" || die "record: not JSON: $1"
  printf '%s\n' "$1" >>"$RESULTS"
}

# least_disturbed REC OTHER SRC DST: inside an attempt loop (the caller's locals best, best_other),
# keeps attempt REC (other processes used OTHER cores; its raw output SRC is copied to DST) when it
# is the least disturbed so far; succeeds when the attempt was quiet enough to stop repeating.
least_disturbed() {
  if python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' "$2" "$best_other"; then
    best=$1 best_other=$2
    cp -f "$3" "$4"
  fi
  python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.2)' "$2"
}

# run_wrk NAME URL [LUA]: one load run (warm-up, then the measured run), recorded as NAME.
# Optional variables for the call: TITLE, BASELINE (run name the ratio is computed against),
# TARGET_RATIO, TARGET_P99_MS, TARGET_RPS (minimum req/s), TARGET_ADDED_P50_MS (maximum p50 minus the
# baseline's p50), CPU_PID (process whose CPU time, with
# its children, is measured), CPU_PID_REAPED (a database server's process, also measured, with the
# children it already waited for), CPU_LABEL, GROUP (the run name BENCH_ONLY selects it by; default
# NAME). When other processes took
# CPU during the run (a shared machine), the run is repeated, up to BENCH_ATTEMPTS times, and the
# attempt with the least interference is kept.
run_wrk() {
  local name=$1 url=$2 lua=${3:-$LUA_DIR/report.lua}
  wanted "${GROUP:-$name}" || return 0
  local attempt rec best="" best_other=99 other
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    wrk_attempt "$name" "$url" "$lua" "$TMP/$name.$attempt.wrk.txt" "$TMP/$name.$attempt.json"
    rec=$(cat "$TMP/$name.$attempt.json")
    other=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("cpu", {}).get("other_cores", 0))' "$rec")
    least_disturbed "$rec" "$other" "$TMP/$name.$attempt.wrk.txt" "$OUT/$name.wrk.txt" && break
    ((attempt < BENCH_ATTEMPTS)) && log "$name: other processes used $other cores during the run: again"
  done
  record "$best"
}

# wrk_attempt NAME URL LUA TXT JSON: one measured wrk run; raw output to TXT, the result to JSON.
# (It runs in the main shell, not in a $(…) subshell, so that every process it starts is known to
# the clean-up trap.)
wrk_attempt() {
  local name=$1 url=$2 lua=$3 txt=$4 json=$5 rc=0 t0 t1 m0 m1 c0="" c1="" cpu_args=()
  local limit=$((WRK_DURATION + 30)) busy
  # On a shared machine, wait (up to BENCH_QUIET_WAIT s) for other processes to calm down first.
  bounded $((BENCH_QUIET_WAIT + 10)) "$TMP/quiet" python3 "$UTIL" wait-quiet "$BENCH_QUIET_WAIT" 0.25 || true
  busy=$(cat "$TMP/quiet")
  python3 -c "import sys; sys.exit(float(sys.argv[1]) < 0.25)" "$busy" &&
    log "$name: the machine is busy (other processes use $busy cores): the figures may be low"
  if ((WRK_WARMUP > 0)); then
    bounded $((WRK_WARMUP + 30)) /dev/null \
      wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_WARMUP}s" -s "$lua" "$url" || log "$name: warm-up run failed"
  fi
  log "$name: wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${WRK_DURATION}s --latency $url"
  # CPU accounting: the serving process tree, wrk itself (through the shell's children times) and
  # the whole machine, so that load from other processes shows up in the results.
  [[ -n ${CPU_PID:-} ]] && c0=$(serving_ticks)
  machine_ticks m0
  t0=$(date +%s.%N)
  times >"$TMP/times.0"
  bounded "$limit" "$txt" \
    wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${WRK_DURATION}s" --latency -s "$lua" "$url" || rc=$?
  times >"$TMP/times.1"
  t1=$(date +%s.%N)
  machine_ticks m1
  [[ -n ${CPU_PID:-} ]] && c1=$(serving_ticks)
  cpu_args=(--wall-s "$(python3 -c "print($t1 - $t0)")" --machine-ticks $((m1 - m0))
    --times-before "$TMP/times.0" --times-after "$TMP/times.1")
  if [[ -n $c0 && -n $c1 ]]; then
    cpu_args+=(--cpu-ticks $((c1 - c0)) --cpu-label "${CPU_LABEL:-pid $CPU_PID}")
  fi
  ((rc == 0)) || log "$name: wrk exited with status $rc (see $txt)"
  grep -E 'Requests/sec|Non-2xx|Socket errors' "$txt" | sed 's/^/    /' >&2 || true
  python3 "$UTIL" wrk-record --name "$name" --title "${TITLE:-$name}" --url "$url" \
    --script "$(basename "$lua")" ${BASELINE:+--baseline "$BASELINE"} --threads "$WRK_THREADS" \
    --connections "$WRK_CONNECTIONS" --duration "$WRK_DURATION" --output "$txt" --exit-status "$rc" \
    ${TARGET_RATIO:+--target-ratio "$TARGET_RATIO"} ${TARGET_P99_MS:+--target-p99-ms "$TARGET_P99_MS"} \
    "${cpu_args[@]}" >"$json"
  if [[ -n ${TARGET_RPS:-} ]]; then
    python3 "$DOSSIER_UTIL" add-target "$json" --min-rps "$TARGET_RPS"
  fi
  if [[ -n ${TARGET_ADDED_P50_MS:-} ]]; then
    python3 "$EXCHANGE_UTIL" add-target "$json" --max-added-p50-ms "$TARGET_ADDED_P50_MS"
  fi
}
# CPU clock ticks of CPU_PID's process tree, plus CPU_PID_REAPED's (with its reaped children).
serving_ticks() {
  local t
  t=$(python3 "$UTIL" cpu-ticks "$CPU_PID")
  [[ -n ${CPU_PID_REAPED:-} ]] && t=$((t + $(python3 "$UTIL" cpu-ticks "$CPU_PID_REAPED" --reaped)))
  echo "$t"
}

# run_idle NAME COUNT: the server's VmRSS before and with COUNT idle keep-alive connections open.
run_idle() {
  local name=$1 count=$2
  wanted "$name" || return 0
  local ready=$TMP/$name.idle.ready release=$TMP/$name.idle.release client=$TMP/$name.idle.json
  local before after fds rc=0 i cpid
  curl -fsS -o /dev/null --max-time 5 "$SERVER_URL/healthz"
  sleep 1
  before=$(python3 "$UTIL" rss "$SERVER_PID")
  log "$name: opening $count idle keep-alive connections (RSS before: $before)"
  timeout -k 5 300 python3 "$ROOT/bench/idle_connections.py" --port "$SERVER_PORT" --count "$count" \
    --ready-file "$ready" --release-file "$release" --hold 120 >"$client" 2>"$TMP/$name.idle.log" &
  cpid=$!
  PIDS+=("$cpid")
  for ((i = 0; i < 1200; i++)); do
    [[ -s $ready ]] && break
    kill -0 "$cpid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -s $ready ]]; then
    sleep 2   # let the server settle (the last responses are written, buffers released)
    after=$(python3 "$UTIL" rss "$SERVER_PID")
    fds=$(find "/proc/$SERVER_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    log "$name: $(cat "$ready") — server RSS now $after, $fds descriptors"
  else
    log "$name: the client did not get its connections open"
    after=$before; fds=0
  fi
  touch "$release"
  wait "$cpid" || rc=$?
  forget_pid "$cpid"
  [[ -s $client ]] || cp "$ready" "$client" 2>/dev/null || echo '{"error":"the client failed"}' >"$client"
  ((rc == 0)) || { log "$name: client exit status $rc"; cat "$TMP/$name.idle.log" >&2 || true; }
  record "$(python3 "$UTIL" idle-record --name "$name" --title "${TITLE:-$name}" --count "$count" \
    --client-json "$client" --before "$before" --after "$after" --server-fds "$fds" \
    ${TARGET_MIB:+--target-mib "$TARGET_MIB"})"
}

# ---- address conversion and micro-benchmarks (issue 3) -------------------------------------------

# Generates the address files (ROWS rows of each kind) once; they are reused while the generator,
# the data it reads and ROWS are unchanged (recorded in $DATA/stamp).
prepare_addresses() {
  wanted micro || wanted convert_codes || wanted convert_text || wanted pandas_codes || return 0
  local stamp
  stamp="rows=$ROWS $(cat "$ROOT/bench/make_addresses.py" "$ROOT/data/admin-units/old_units_pre2025.csv" \
    "$ROOT/data/admin-units/communes_2025.csv" | sha256sum | cut -c1-16)"
  if [[ -s $DATA/addresses_codes.csv && -s $DATA/addresses_text.csv && -f $DATA/stamp &&
        $(cat "$DATA/stamp") == "$stamp" ]]; then
    log "addresses: reusing $DATA ($ROWS rows of each kind)"
    return 0
  fi
  log "addresses: generating $ROWS rows of each kind into $DATA (once; about 15 s per million)"
  mkdir -p "$DATA"
  rm -f "$DATA/stamp"
  bounded 1800 "$TMP/make_addresses.log" python3 "$ROOT/bench/make_addresses.py" --out "$DATA" --rows "$ROWS" ||
    { cat "$TMP/make_addresses.log" >&2; die "bench/make_addresses.py failed"; }
  printf '%s\n' "$stamp" >"$DATA/stamp"
}

# Waits (at most BENCH_QUIET_WAIT s) for the machine to calm down; logs when it did not.
quiet() {
  local busy
  bounded $((BENCH_QUIET_WAIT + 10)) "$TMP/quiet" python3 "$UTIL" wait-quiet "$BENCH_QUIET_WAIT" 0.25 || true
  busy=$(cat "$TMP/quiet")
  if python3 -c "import sys; sys.exit(float(sys.argv[1]) < 0.25)" "$busy"; then
    log "$1: the machine is busy (other processes use $busy cores): the figures may be low"
  fi
  return 0
}

# timed NAME OUTFILE CMD...: runs CMD (output to OUTFILE) and sets T_RC, T_WALL (s), T_CPU (CPU
# seconds of CMD and its children) and T_MACHINE (busy clock ticks of the whole machine meanwhile).
timed() {
  local name=$1 out=$2 t0 t1 m0 m1
  shift 2
  # (In this order, so that the CPU time counted for CMD holds no helper process but `date`.)
  machine_ticks m0
  times >"$TMP/times.0"
  t0=$(date +%s.%N)
  T_RC=0
  bounded 1800 "$out" "$@" || T_RC=$?
  t1=$(date +%s.%N)
  times >"$TMP/times.1"
  machine_ticks m1
  T_WALL=$(python3 -c "print($t1 - $t0)")
  T_CPU=$(cd "$ROOT/bench" && python3 -c 'import sys, bench_util as b; print(b.children_seconds(sys.argv[2]) - b.children_seconds(sys.argv[1]))' \
    "$TMP/times.0" "$TMP/times.1")
  T_MACHINE=$((m1 - m0))
  ((T_RC == 0)) || log "$name: exit status $T_RC (see $out)"
}

# The micro-benchmarks, pinned to core BENCH_CPU; raw Google Benchmark JSON in $OUT/micro.json.
# Repeated (at most BENCH_ATTEMPTS times) while other processes took CPU; the least disturbed run is kept.
run_micro() {
  wanted micro || return 0
  local args=(--benchmark_format=json --benchmark_min_time=0.2 --benchmark_repetitions=3
    --benchmark_report_aggregates_only=true "--addresses-dir=$DATA")
  local attempt rec best="" best_other=99 other
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    quiet micro
    log "micro: taskset -c $BENCH_CPU $(basename "$MICRO_BIN") ${args[*]}"
    # stdout (the JSON) and stderr apart.
    timed micro "$TMP/micro.$attempt.json" sh -c 'f=$1; shift; exec "$@" 2>"$f"' sh "$TMP/micro.$attempt.log" \
      taskset -c "$BENCH_CPU" "$MICRO_BIN" "${args[@]}"
    grep -v '^\*\*\*WARNING' "$TMP/micro.$attempt.log" | sed 's/^/    /' >&2 || true
    rec=$(python3 "$UTIL" micro-record "$TMP/micro.$attempt.json" --name micro --title "address engine micro-benchmarks" \
      --command "taskset -c $BENCH_CPU lt_bench_address ${args[*]}" --exit-status "$T_RC" --wall-s "$T_WALL" \
      --cpu-s "$T_CPU" --machine-ticks "$T_MACHINE")
    other=$(python3 -c 'import json, sys; print(json.loads(sys.argv[1]).get("cpu", {}).get("other_cores", 0))' "$rec")
    if python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < float(sys.argv[2]))' "$other" "$best_other"; then
      best=$rec best_other=$other
      cp -f "$TMP/micro.$attempt.json" "$OUT/micro.json"
    fi
    [[ $rec == *'"failed"'* ]] && break
    python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.2)' "$other" && break
    ((attempt < BENCH_ATTEMPTS)) && log "micro: other processes used $other cores during the run: again"
  done
  record "$best"
}

CONVERT_DB=""
# A database migrated once, so that the timed conversions only open it.
prepare_convert_db() {
  [[ -n $CONVERT_DB ]] && return 0
  CONVERT_DB=$TMP/convert.db
  (server_cmd migrate --db "sqlite:$CONVERT_DB") >"$TMP/convert-migrate.log" 2>&1 ||
    { cat "$TMP/convert-migrate.log" >&2; die "lienthong migrate (for the conversions) failed"; }
}

# run_convert NAME TITLE TOOL INPUT OUTPUT CMD...: one file conversion pinned to core BENCH_CPU,
# timed from outside (wall time, start-up included) and from inside (the `seconds:` line: reading,
# converting and writing). Repeated (at most BENCH_ATTEMPTS times) until two runs were undisturbed
# by other processes; the fastest undisturbed run is kept (else the fastest). Optional variables for
# the call: CMD_TEXT (the command as shown), BASELINE (run the ratio is computed against),
# TARGET_ROWS (minimum rows/s), TARGET_RATIO.
run_convert() {
  local name=$1 title=$2 tool=$3 input=$4 output=$5
  shift 5
  wanted "$name" || return 0
  local attempt rec best="" best_key="" key clean=0 other rate
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    rm -f "$output"
    quiet "$name"
    log "$name: ${CMD_TEXT:-$*}"
    timed "$name" "$TMP/$name.$attempt.out" taskset -c "$BENCH_CPU" "$@"
    rec=$(python3 "$UTIL" convert-record --name "$name" --title "$title" --tool "$tool" --input "$input" \
      --output "$TMP/$name.$attempt.out" --command "${CMD_TEXT:-$*}" --cpu-list "$BENCH_CPU" --exit-status "$T_RC" \
      --wall-s "$T_WALL" --cpu-s "$T_CPU" --machine-ticks "$T_MACHINE" --attempts "$attempt" \
      ${BASELINE:+--baseline "$BASELINE"} ${TARGET_ROWS:+--target-rows-per-s "$TARGET_ROWS"} \
      ${TARGET_RATIO:+--target-ratio "$TARGET_RATIO"})
    if [[ $rec == *'"failed"'* ]]; then
      tail -n 5 "$TMP/$name.$attempt.out" >&2 || true
      record "$rec"
      return 0
    fi
    read -r other rate < <(python3 -c 'import json, sys; r = json.loads(sys.argv[1])
print(r.get("cpu", {}).get("other_cores", 0), r["rows_per_s"])' "$rec")
    log "$name: $(grep -E '^rows:' "$TMP/$name.$attempt.out" | tr -d '\n'), $rate rows/s streaming, $(printf '%.2f' "$T_WALL") s wall; other processes: $other cores"
    # Sort key: undisturbed runs first, then the faster.
    if python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.2)' "$other"; then
      clean=$((clean + 1)); key=$(printf '1 %012d' "$rate")
    else
      key=$(printf '0 %012d' "$rate")
    fi
    if [[ -z $best_key || $key > $best_key ]]; then
      best=$rec best_key=$key
      cp -f "$TMP/$name.$attempt.out" "$OUT/$name.txt"
    fi
    ((clean >= 2)) && break
    ((attempt < BENCH_ATTEMPTS)) && ((clean == 0)) && log "$name: other processes used $other cores during the run: again"
  done
  record "$best"
  [[ -s $output ]] && head -n 1001 "$output" >"$OUT/$name.sample.csv"
  return 0
}

run_conversions() {
  wanted convert_codes || wanted convert_text || wanted pandas_codes || return 0
  prepare_convert_db
  local codes=$DATA/addresses_codes.csv text=$DATA/addresses_text.csv
  local conv=(env -C "$TMP" -u LIENTHONG_CONFIG LIENTHONG_DATA_DIR="$TMP/data" "$BIN" convert-addresses
    --db "sqlite:$CONVERT_DB")
  local code_cols=(--province-column province_code --district-column district_code --commune-column commune_code
    --street-column street)
  CMD_TEXT="taskset -c $BENCH_CPU lienthong convert-addresses --db sqlite:convert.db --input addresses_codes.csv --output out.csv ${code_cols[*]}" \
  BASELINE=pandas_codes TARGET_ROWS=500000 TARGET_RATIO=10 \
    run_convert convert_codes "lienthong, by codes" lienthong "$codes" "$TMP/convert_codes.csv" \
    "${conv[@]}" --input "$codes" --output "$TMP/convert_codes.csv" "${code_cols[@]}"
  CMD_TEXT="taskset -c $BENCH_CPU lienthong convert-addresses --db sqlite:convert.db --input addresses_text.csv --output out.csv --column address" \
  TARGET_ROWS=100000 \
    run_convert convert_text "lienthong, free text" lienthong "$text" "$TMP/convert_text.csv" \
    "${conv[@]}" --input "$text" --output "$TMP/convert_text.csv" --column address
  rm -f "$TMP/convert_text.csv"
  CMD_TEXT="taskset -c $BENCH_CPU $PANDAS_PYTHON bench/pandas_convert.py --input addresses_codes.csv --output out.csv" \
    run_convert pandas_codes "pandas baseline, by codes" pandas "$codes" "$TMP/pandas_codes.csv" \
    "$PANDAS_PYTHON" "$ROOT/bench/pandas_convert.py" --input "$codes" --output "$TMP/pandas_codes.csv"
  if [[ -s $TMP/convert_codes.csv && -s $TMP/pandas_codes.csv ]]; then
    log "comparing the results of lienthong and pandas row by row"
    record "$(python3 "$UTIL" compare-csv "$TMP/convert_codes.csv" "$TMP/pandas_codes.csv" --name agreement_codes \
      --title "lienthong vs pandas (by codes)")"
  fi
  rm -f "$TMP/convert_codes.csv" "$TMP/pandas_codes.csv"
}

# ---- base registries: citizen import and lookup (issue 4) ----------------------------------------

CITIZENS_CSV=""; CITIZEN_ROWS=0
# Generates the synthetic population (BENCH_CITIZENS citizens) once; reused while the binary (the
# generator is in it), the count, the seed and the date are unchanged (recorded in $CITIZEN_DATA/stamp).
prepare_citizens() {
  wanted_any import_sqlite import_postgres lookup intake_sqlite intake_postgres || return 0
  local today stamp
  today=$(TZ=Asia/Ho_Chi_Minh date +%F)   # the generator's default "today", made explicit
  stamp="citizens=$CITIZENS seed=$CITIZEN_SEED today=$today bin=$(sha256sum <"$BIN" | cut -c1-16)"
  CITIZENS_CSV=$CITIZEN_DATA/citizens.csv
  if [[ -s $CITIZENS_CSV && -f $CITIZEN_DATA/stamp && $(cat "$CITIZEN_DATA/stamp") == "$stamp" ]]; then
    log "citizens: reusing $CITIZEN_DATA ($CITIZENS citizens)"
  else
    log "citizens: generating $CITIZENS citizens into $CITIZEN_DATA (once; a few seconds per million)"
    mkdir -p "$CITIZEN_DATA"
    rm -f "$CITIZEN_DATA/stamp"
    bounded 1800 "$TMP/generate.log" "${LT[@]}" demo generate --db "sqlite:$TMP/generate.db" --citizens "$CITIZENS" \
      --seed "$CITIZEN_SEED" --today "$today" --out "$CITIZEN_DATA" ||
      { tail -n 20 "$TMP/generate.log" >&2; die "lienthong demo generate failed"; }
    printf '%s\n' "$stamp" >"$CITIZEN_DATA/stamp"
    rm -f "$TMP"/generate.db*
  fi
  CITIZEN_ROWS=$(python3 "$UTIL" csv-rows "$CITIZENS_CSV")
  log "citizens: $CITIZEN_ROWS rows, $(du -m "$CITIZENS_CSV" | cut -f1) MiB"
}

IMPORT_TEMPLATE=""
# A migrated, empty SQLite database, copied for every import attempt (the migration is not timed).
prepare_import_template() {
  [[ -n $IMPORT_TEMPLATE ]] && return 0
  IMPORT_TEMPLATE=$TMP/import-template.db
  bounded 300 "$TMP/import-migrate.log" "${LT[@]}" migrate --db "sqlite:$IMPORT_TEMPLATE" ||
    { cat "$TMP/import-migrate.log" >&2; die "lienthong migrate (for the imports) failed"; }
}
# rm_db FILE: an SQLite database with its WAL and shared-memory files.
rm_db() { rm -f "$1" "$1-wal" "$1-shm" "$1-journal"; }
db_mib() {
  local f files=()
  for f in "$1" "$1-wal"; do [[ -f $f ]] && files+=("$f"); done
  if ((${#files[@]})); then du -cm "${files[@]}" | tail -n 1 | cut -f1; else echo 0; fi
}

# run_import NAME TITLE TOOL CMD...: one timed bulk load of the generated citizens, not pinned to a
# core (lienthong checks rows on one thread while another writes the previous batch). Before every
# attempt PREPARE (a command, untimed) makes the empty target; after it, INSPECT (a command, given
# the output file; T_RC is set) may fill IMPORT_ARGS with more import-record options (--stored,
# --db-mib, --problem). Repeated (at most BENCH_ATTEMPTS times) until two runs were undisturbed by
# other processes; the fastest undisturbed run is kept (else the fastest). Optional variables for the
# call: CMD_TEXT (the command as shown), BASELINE, TARGET_ROWS (minimum rows/s), TARGET_RATIO,
# GROUP (the run name BENCH_ONLY selects it by; default NAME), SERVER_TREE (a database server's
# process: its CPU time and its children's, exited ones included, counts as the load's).
IMPORT_ARGS=()
run_import() {
  local name=$1 title=$2 tool=$3
  shift 3
  wanted "${GROUP:-$name}" || return 0
  local attempt rec best="" best_key="" key clean=0 other rate s0="" s1="" server=()
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    IMPORT_ARGS=()
    $PREPARE || die "$name: making the empty target failed"
    quiet "$name"
    log "$name: ${CMD_TEXT:-$*}"
    [[ -n ${SERVER_TREE:-} ]] && s0=$(python3 "$UTIL" cpu-ticks "$SERVER_TREE" --reaped)
    timed "$name" "$TMP/$name.$attempt.out" "$@"
    [[ -n ${SERVER_TREE:-} ]] && s1=$(python3 "$UTIL" cpu-ticks "$SERVER_TREE" --reaped)
    server=()
    [[ -n $s0 && -n $s1 ]] && server=(--server-cpu-ticks $((s1 - s0)))
    [[ -n ${INSPECT:-} ]] && $INSPECT "$TMP/$name.$attempt.out"
    rec=$(python3 "$UTIL" import-record --name "$name" --title "$title" --tool "$tool" --input "$CITIZENS_CSV" \
      --output "$TMP/$name.$attempt.out" --command "${CMD_TEXT:-$*}" --exit-status "$T_RC" --rows "$CITIZEN_ROWS" \
      --wall-s "$T_WALL" --cpu-s "$T_CPU" --machine-ticks "$T_MACHINE" --attempts "$attempt" "${server[@]}" \
      ${BASELINE:+--baseline "$BASELINE"} ${TARGET_ROWS:+--target-rows-per-s "$TARGET_ROWS"} \
      ${TARGET_RATIO:+--target-ratio "$TARGET_RATIO"} "${IMPORT_ARGS[@]}")
    if [[ $rec == *'"failed"'* ]]; then
      tail -n 5 "$TMP/$name.$attempt.out" >&2 || true
      cp -f "$TMP/$name.$attempt.out" "$OUT/$name.txt"
      record "$rec"
      return 0
    fi
    read -r other rate < <(python3 -c 'import json, sys; r = json.loads(sys.argv[1])
print(r.get("cpu", {}).get("other_cores", 0), r["rows_per_s"])' "$rec")
    log "$name: $rate rows/s, $(printf '%.2f' "$T_WALL") s wall; other processes: $other cores"
    if python3 -c 'import sys; sys.exit(not float(sys.argv[1]) < 0.2)' "$other"; then
      clean=$((clean + 1)); key=$(printf '1 %012d' "$rate")
    else
      key=$(printf '0 %012d' "$rate")
    fi
    if [[ -z $best_key || $key > $best_key ]]; then
      best=$rec best_key=$key
      cp -f "$TMP/$name.$attempt.out" "$OUT/$name.txt"
    fi
    ((clean >= 2)) && break
    ((attempt < BENCH_ATTEMPTS)) && ((clean == 0)) && log "$name: other processes used $other cores during the run: again"
  done
  record "$best"
}

# SQLite: lienthong into a copy of the migrated template; the baseline into the same kind of table.
sqlite_prepare_lienthong() {
  rm_db "$TMP/import_sqlite.db"
  rm -f "$TMP/import_sqlite.ok"
  cp "$IMPORT_TEMPLATE" "$TMP/import_sqlite.db"
}
sqlite_inspect_lienthong() {
  IMPORT_ARGS=(--db-mib "$(db_mib "$TMP/import_sqlite.db")")
  # The last successful attempt's database is what the lookup run serves.
  ((T_RC == 0)) && grep -q '^rows:' "$1" && touch "$TMP/import_sqlite.ok"
  return 0
}
sqlite_prepare_baseline() {
  rm_db "$TMP/import_sqlite_baseline.db"
  sqlite3 "$TMP/import_sqlite_baseline.db" >/dev/null <<'SQL'
PRAGMA journal_mode=WAL;
CREATE TABLE citizens (id_number TEXT PRIMARY KEY, full_name TEXT, birth_date TEXT, sex TEXT, ethnicity TEXT,
  nationality TEXT, permanent_address TEXT, current_address TEXT, household_id TEXT);
CREATE INDEX citizens_address ON citizens (permanent_address);
CREATE INDEX citizens_household ON citizens (household_id);
CREATE INDEX citizens_name ON citizens (full_name);
CREATE INDEX citizens_dup ON citizens (full_name, birth_date, permanent_address);
SQL
}
# sqlite3 prints one line on stderr per duplicate key it skipped; anything else is a failure, and
# the rows it stored plus the duplicates must make up the file.
sqlite_inspect_baseline() {
  local err=$TMP/import_sqlite_baseline.sqlite3.log stored dups other
  stored=$(sqlite3 "$TMP/import_sqlite_baseline.db" 'SELECT count(*) FROM citizens' 2>/dev/null || echo 0)
  dups=$(grep -c 'INSERT failed: UNIQUE constraint failed' "$err" || true)
  other=$(grep -v 'INSERT failed: UNIQUE constraint failed' "$err" | head -n 1 || true)
  IMPORT_ARGS=(--stored "$stored" --db-mib "$(db_mib "$TMP/import_sqlite_baseline.db")")
  if [[ -n $other ]]; then
    IMPORT_ARGS+=(--problem "sqlite3: $other")
  elif ((stored + dups != CITIZEN_ROWS)); then
    IMPORT_ARGS+=(--problem "sqlite3 stored $stored rows and skipped $dups duplicates, of $CITIZEN_ROWS")
  fi
  return 0
}

run_imports_sqlite() {
  wanted import_sqlite || return 0
  prepare_import_template
  printf '%s\n' 'PRAGMA synchronous=FULL;' 'PRAGMA cache_size=-262144;' '.mode csv' \
    ".import --skip 1 \"$CITIZENS_CSV\" citizens" >"$TMP/import_sqlite_baseline.sql"
  CMD_TEXT="sqlite3 base.db: PRAGMA synchronous=FULL; PRAGMA cache_size=-262144; .mode csv; .import --skip 1 citizens.csv citizens" \
  PREPARE=sqlite_prepare_baseline INSPECT=sqlite_inspect_baseline GROUP=import_sqlite \
    run_import import_sqlite_baseline "sqlite3 .import (baseline: primary key + 4 indexes)" sqlite3 \
    sh -c 'exec sqlite3 "$1" <"$2" 2>"$3"' sh "$TMP/import_sqlite_baseline.db" "$TMP/import_sqlite_baseline.sql" \
    "$TMP/import_sqlite_baseline.sqlite3.log"
  rm_db "$TMP/import_sqlite_baseline.db"
  CMD_TEXT="lienthong import citizens --db sqlite:import.db --input citizens.csv --rejects rejects.csv" \
  PREPARE=sqlite_prepare_lienthong INSPECT=sqlite_inspect_lienthong BASELINE=import_sqlite_baseline \
  TARGET_ROWS=200000 TARGET_RATIO=0.5 \
    run_import import_sqlite "lienthong import, SQLite (every rule)" lienthong \
    "${LT[@]}" import citizens --db "sqlite:$TMP/import_sqlite.db" --input "$CITIZENS_CSV" --rejects "$TMP/import_sqlite.rejects.csv"
}

# A throwaway PostgreSQL cluster: initdb in the scratch directory, as the postgres user (when root),
# on a free port, sockets in the same directory; stopped and removed on exit (cleanup).
PG_DIR=""; PG_PORT=""; PG_PID=""; PG_URL=""
pg_as() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }
psql_q() { PGOPTIONS="-c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -At "$@"; }
start_postgres() {
  local attempt
  PG_DIR=$TMP/pg
  mkdir -p "$PG_DIR"
  ((EUID == 0)) && chown postgres: "$PG_DIR"
  pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$TMP/pg-initdb.log" 2>&1 ||
    { tail -n 20 "$TMP/pg-initdb.log" >&2; die "initdb failed"; }
  for attempt in 1 2 3; do
    PG_PORT=$(python3 "$UTIL" free-port)
    if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/log" -w -t 60 \
        -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=on" start >>"$TMP/pg-ctl.log" 2>&1; then
      PG_PID=$(head -n 1 "$PG_DIR/data/postmaster.pid")
      PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT
      log "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PG_PORT (pid $PG_PID, $PG_DIR)"
      return 0
    fi
    log "PostgreSQL did not start on port $PG_PORT (attempt $attempt):"
    tail -n 5 "$PG_DIR/log" >&2 2>/dev/null || true
  done
  die "PostgreSQL would not start"
}
stop_postgres() {
  [[ -n $PG_DIR && -f $PG_DIR/data/postmaster.pid ]] || return 0
  local pid
  pid=$(head -n 1 "$PG_DIR/data/postmaster.pid")
  pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >>"$TMP/pg-ctl.log" 2>&1 || {
    log "PostgreSQL (pid $pid) did not stop: killing it"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  }
  PG_PID=""
}
# pg_recreate DB: drops and creates a database, then a checkpoint, so that the previous attempt's
# dirty pages are not written during the next one.
pg_recreate() {
  psql_q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1" -c "CHECKPOINT"
}
pg_db_mib() { psql_q "$PG_URL/postgres" -c "SELECT pg_database_size('$1') / 1048576" 2>/dev/null || echo 0; }
pg_prepare_lienthong() {
  pg_recreate lt_import || return 1
  bounded 300 "$TMP/import_postgres-migrate.log" "${LT[@]}" migrate --db "$PG_URL/lt_import" ||
    { cat "$TMP/import_postgres-migrate.log" >&2; return 1; }
  psql_q "$PG_URL/postgres" -c "CHECKPOINT"
}
pg_inspect_lienthong() {
  IMPORT_ARGS=(--db-mib "$(pg_db_mib lt_import)")
}
pg_prepare_baseline() {
  pg_recreate lt_copy || return 1
  psql_q "$PG_URL/lt_copy" <<'SQL'
CREATE TABLE citizens (id_number TEXT, full_name TEXT, birth_date TEXT, sex TEXT, ethnicity TEXT,
  nationality TEXT, permanent_address TEXT, current_address TEXT, household_id TEXT);
CREATE INDEX citizens_id ON citizens (id_number);
CREATE INDEX citizens_address ON citizens (permanent_address);
CREATE INDEX citizens_household ON citizens (household_id);
CREATE INDEX citizens_name ON citizens (full_name);
CREATE INDEX citizens_dup ON citizens (full_name, birth_date, permanent_address);
CHECKPOINT;
SQL
}
pg_inspect_baseline() {
  local stored
  stored=$(psql_q "$PG_URL/lt_copy" -c "SELECT count(*) FROM citizens" 2>/dev/null || echo 0)
  IMPORT_ARGS=(--stored "$stored" --db-mib "$(pg_db_mib lt_copy)")
  ((stored == CITIZEN_ROWS)) || IMPORT_ARGS+=(--problem "COPY stored $stored rows of $CITIZEN_ROWS")
  return 0
}

run_imports_postgres() {
  wanted import_postgres || return 0
  [[ $CITIZENS_CSV != *"'"* ]] || die "the citizens file's path has a quote in it: $CITIZENS_CSV"
  start_postgres
  CMD_TEXT="psql -c \"\\copy citizens FROM 'citizens.csv' WITH (FORMAT csv, HEADER true)\"" \
  PREPARE=pg_prepare_baseline INSPECT=pg_inspect_baseline GROUP=import_postgres SERVER_TREE=$PG_PID \
    run_import import_postgres_baseline "PostgreSQL COPY (baseline: 5 plain indexes, no unique key)" copy \
    "$PG_BIN/psql" -X -v ON_ERROR_STOP=1 "$PG_URL/lt_copy" \
    -c "\\copy citizens FROM '$CITIZENS_CSV' WITH (FORMAT csv, HEADER true)"
  psql_q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS lt_copy WITH (FORCE)"
  CMD_TEXT="lienthong import citizens --db postgresql://postgres@127.0.0.1:PORT/lt_import --input citizens.csv --rejects rejects.csv" \
  PREPARE=pg_prepare_lienthong INSPECT=pg_inspect_lienthong BASELINE=import_postgres_baseline TARGET_RATIO=0.5 \
  SERVER_TREE=$PG_PID \
    run_import import_postgres "lienthong import, PostgreSQL (every rule)" lienthong \
    "${LT[@]}" import citizens --db "$PG_URL/lt_import" --input "$CITIZENS_CSV" --rejects "$TMP/import_postgres.rejects.csv"
  stop_postgres
  rm -rf "$PG_DIR/data"
}

# The lookup run serves the database import_sqlite filled (else it imports the citizens first,
# untimed), as the demo member system, for BENCH_LOOKUP_IDS imported IDs in turn.
run_lookup() {
  wanted lookup || return 0
  local db=$TMP/citizens.db rejects=$TMP/citizens.rejects.csv n id code i logged0="" logged1="" sample=()
  if [[ -f $TMP/import_sqlite.ok ]]; then
    for i in "" -wal; do [[ -f $TMP/import_sqlite.db$i ]] && mv -f "$TMP/import_sqlite.db$i" "$db$i"; done
    rm -f "$TMP/import_sqlite.db-shm"
    cp -f "$TMP/import_sqlite.rejects.csv" "$rejects"
    log "lookup: serving the database import_sqlite filled"
  else
    prepare_import_template
    cp "$IMPORT_TEMPLATE" "$db"
    log "lookup: importing $CITIZENS citizens first (not timed)"
    bounded 3600 "$TMP/lookup-import.log" "${LT[@]}" import citizens --db "sqlite:$db" --input "$CITIZENS_CSV" --rejects "$rejects" ||
      { tail -n 20 "$TMP/lookup-import.log" >&2; die "lienthong import (for the lookup run) failed"; }
    log "lookup: $(grep -E '^(rows|inserted|rejected|seconds):' "$TMP/lookup-import.log" | tr '\n' ' ')"
  fi
  python3 "$UTIL" lookup-ids "$CITIZENS_CSV" "$rejects" --count "$LOOKUP_IDS" >"$TMP/lookup.ids"
  n=$(wc -l <"$TMP/lookup.ids")
  ((n > 0)) || die "lookup: no imported IDs to look up"
  start_server lookup "$db"
  # Every request must answer 200: a sample first (wrk itself only counts statuses >= 400).
  mapfile -t sample < <(head -n 50 "$TMP/lookup.ids")
  for id in "${sample[@]}"; do
    code=$(curl -sS --max-time 10 -o "$TMP/lookup.sample.json" -w '%{http_code}' -H "X-API-Key: $MEMBER_API_KEY" \
      "$SERVER_URL/api/v1/registries/citizens/lookup/$id?purpose=$LOOKUP_PURPOSE") || code=000
    [[ $code == 200 ]] || die "lookup: GET …/lookup/$id answered $code: $(head -c 300 "$TMP/lookup.sample.json" 2>/dev/null)"
  done
  logged0=$(sqlite3 "$db" 'SELECT count(*) FROM pd_access_log' 2>/dev/null || true)
  log "lookup: $n IDs; a sample of ${#sample[@]} answered 200 to the member system"
  GROUP=lookup TITLE="server /healthz, $(commas "$CITIZENS") citizens loaded (lookup baseline)" CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk lookup_healthz "$SERVER_URL/healthz"
  BENCH_IDS=$TMP/lookup.ids BENCH_API_KEY=$MEMBER_API_KEY BENCH_PURPOSE=$LOOKUP_PURPOSE GROUP=lookup \
  TITLE="citizen lookup by ID for a purpose ($(commas "$n") IDs, API key, access-logged)" BASELINE=lookup_healthz TARGET_RATIO=0.3 \
  TARGET_P99_MS=20 CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk lookup "$SERVER_URL/api/v1/registries/citizens/lookup/" "$LUA_DIR/lookup.lua"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/lookup.log" >&2
    die "the server died during the lookup runs"
  fi
  log "server after the lookup runs: $(python3 "$UTIL" rss "$SERVER_PID")"
  stop_server
  logged1=$(sqlite3 "$db" 'SELECT count(*) FROM pd_access_log' 2>/dev/null || true)
  [[ -n $logged0 && -n $logged1 ]] && log "lookup: $((logged1 - logged0)) reads written to the personal-data access log"
  rm_db "$db"
}

# ---- procedures and dossiers: intake and inbox (issue 5) -------------------------------------------

# The citizens the intake runs submit for: the first BENCH_INTAKE_CITIZENS rows of the generated file.
INTAKE_CSV=""
prepare_intake_citizens() {
  [[ -n $INTAKE_CSV ]] && return 0
  INTAKE_CSV=$TMP/intake-citizens.csv
  python3 - "$CITIZENS_CSV" "$INTAKE_CSV" "$INTAKE_CITIZENS" <<'PY'
import csv, sys
with open(sys.argv[1], encoding="utf-8", newline="") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as o:
    r, w = csv.reader(f), csv.writer(o, lineterminator="\n")
    w.writerow(next(r))
    for i, row in enumerate(r):
        if i >= int(sys.argv[3]):
            break
        w.writerow(row)
PY
}

# intake_registry NAME DB: migrates DB (sqlite:FILE or a postgresql:// URL) and imports the intake
# citizens into it (not timed); writes $TMP/NAME.ids, the IDs the import accepted.
intake_registry() {
  local name=$1 db=$2 n
  prepare_intake_citizens
  bounded 300 "$TMP/$name-migrate.log" "${LT[@]}" migrate --db "$db" ||
    { tail -n 20 "$TMP/$name-migrate.log" >&2; die "$name: lienthong migrate failed"; }
  bounded 900 "$TMP/$name-import.log" "${LT[@]}" import citizens --db "$db" --input "$INTAKE_CSV" \
    --rejects "$TMP/$name.rejects.csv" ||
    { tail -n 20 "$TMP/$name-import.log" >&2; die "$name: lienthong import citizens failed"; }
  python3 "$UTIL" lookup-ids "$INTAKE_CSV" "$TMP/$name.rejects.csv" --count "$INTAKE_CITIZENS" >"$TMP/$name.ids"
  n=$(wc -l <"$TMP/$name.ids")
  ((n > 0)) || die "$name: no imported citizens to submit for"
  log "$name: registry: $(grep -E '^(rows|inserted|rejected):' "$TMP/$name-import.log" | tr '\n' ' ')-> $n applicant IDs"
}

# intake_setup NAME: agencies, officers, the uploaded scan and a few checked submissions over the
# API of the running server (bench/dossier_bench.py intake-setup); exports what intake.lua reads.
intake_setup() {
  local name=$1 dir=$TMP/$1.setup
  bounded 600 "$TMP/$name-setup.log" python3 "$DOSSIER_UTIL" intake-setup --url "$SERVER_URL" \
    --admin-user "$DEMO_USER" --admin-password "$DEMO_PASSWORD" --password "$INTAKE_PASSWORD" \
    --procedure "$INTAKE_PROCEDURE" --agencies "$INTAKE_AGENCIES" --province 01 \
    --communes "$ROOT/data/admin-units/communes_2025.csv" --exclude-units 00004,00070 \
    --ids "$TMP/$name.ids" --out "$dir" ||
    { tail -n 20 "$TMP/$name-setup.log" >&2; die "$name: the set-up over the API failed"; }
  log "$name: $(tail -n 1 "$TMP/$name-setup.log")"
  export BENCH_TOKENS=$dir/tokens BENCH_IDS=$TMP/$name.ids BENCH_SEX_OPTIONS=$dir/sex_options \
    BENCH_PROCEDURE=$INTAKE_PROCEDURE
  BENCH_FILE_SHA256=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$dir/setup.json")
  export BENCH_FILE_SHA256
}

# intake_counts QUERY-COMMAND...: rows written by intake, as "dossiers events access_log audit outbox
# outbox_pending".
intake_counts() {
  "$@" <<'SQL' 2>/dev/null | tr '\n|' '  ' || true
SELECT (SELECT count(*) FROM dossiers), (SELECT count(*) FROM dossier_events), (SELECT count(*) FROM pd_access_log),
       (SELECT count(*) FROM audit_log), (SELECT count(*) FROM outbox), (SELECT count(*) FROM outbox WHERE status = 'pending');
SQL
}
# intake_report NAME BEFORE AFTER: what the intake runs (warm-ups and attempts) wrote, per dossier, and
# the outbox events (portal records, notifications) still waiting for delivery when the runs ended.
intake_report() {
  local name=$1 b a
  read -r -a b <<<"$2"
  read -r -a a <<<"$3"
  if ((${#b[@]} == 6 && ${#a[@]} == 6 && a[0] > b[0])); then
    local d=$((a[0] - b[0])) written
    written=$(python3 -c 'import json, sys
d, ev, al, au, ob, pend = (int(x) for x in sys.argv[1:])
print(json.dumps({"written": {"dossiers": d, "per_dossier": {"events": round(ev / d, 2), "access_log": round(al / d, 2),
      "audit": round(au / d, 2), "outbox": round(ob / d, 2)}, "outbox_events": ob, "outbox_pending": pend}}))' \
      "$d" $((a[1] - b[1])) $((a[2] - b[2])) $((a[3] - b[3])) $((a[4] - b[4])) "${a[5]}")
    # Into the run's result line (results.json), the pending events as a warning.
    python3 "$DOSSIER_UTIL" annotate "$RESULTS" "$name" "$written"
    log "$name: written during the runs (warm-ups and attempts): $written"
  else
    log "$name: could not count the rows written (before: ${2:-?}; after: ${3:-?})"
  fi
}

# run_baseline NAME TITLE TOOL CMD...: one timed baseline of single-row inserts (sqlite3 or pgbench),
# recorded in rows/s (bench/dossier_bench.py rate-record: a result line of the load table, so the
# intake run's ratio is computed against it). Before every attempt PREPARE (a command, untimed)
# empties the scratch table; after it, INSPECT (given the output file) may fill BASELINE_ARGS with
# more rate-record options (--rows, --stored, --log-dir). Repeated (at most BENCH_ATTEMPTS times)
# while other processes took CPU; the least disturbed attempt is kept. Optional variables for the
# call: CMD_TEXT, URL_TEXT (the table's URL column), GROUP, CPU_LABEL, SERVER_TREE (a database
# server's process: its CPU time and its reaped children's counts as the baseline's).
BASELINE_ARGS=()
run_baseline() {
  local name=$1 title=$2 tool=$3
  shift 3
  wanted "${GROUP:-$name}" || return 0
  local attempt rec best="" best_other=99 other rate s0="" s1="" server=()
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    BASELINE_ARGS=()
    $PREPARE || die "$name: preparing the scratch table failed"
    quiet "$name"
    log "$name: ${CMD_TEXT:-$*}"
    [[ -n ${SERVER_TREE:-} ]] && s0=$(python3 "$UTIL" cpu-ticks "$SERVER_TREE" --reaped)
    timed "$name" "$TMP/$name.$attempt.out" "$@"
    [[ -n ${SERVER_TREE:-} ]] && s1=$(python3 "$UTIL" cpu-ticks "$SERVER_TREE" --reaped)
    server=()
    [[ -n $s0 && -n $s1 ]] && server=(--server-cpu-ticks $((s1 - s0)))
    $INSPECT "$TMP/$name.$attempt.out"
    rec=$(python3 "$DOSSIER_UTIL" rate-record --name "$name" --title "$title" --tool "$tool" --url "${URL_TEXT:-}" \
      --command "${CMD_TEXT:-$*}" --output "$TMP/$name.$attempt.out" --exit-status "$T_RC" --wall-s "$T_WALL" \
      --cpu-s "$T_CPU" --machine-ticks "$T_MACHINE" --cpu-label "${CPU_LABEL:-$tool}" --attempts "$attempt" \
      "${server[@]}" "${BASELINE_ARGS[@]}")
    if [[ $rec == *'"failed"'* ]]; then
      tail -n 5 "$TMP/$name.$attempt.out" >&2 || true
      cp -f "$TMP/$name.$attempt.out" "$OUT/$name.txt"
      record "$rec"
      return 0
    fi
    read -r other rate < <(python3 -c 'import json, sys; r = json.loads(sys.argv[1])
print(r.get("cpu", {}).get("other_cores", 0), r["rps"])' "$rec")
    log "$name: $rate rows/s, $(printf '%.2f' "$T_WALL") s wall; other processes: $other cores"
    least_disturbed "$rec" "$other" "$TMP/$name.$attempt.out" "$OUT/$name.txt" && break
    ((attempt < BENCH_ATTEMPTS)) && log "$name: other processes used $other cores during the run: again"
  done
  record "$best"
}

# The SQLite baseline: sqlite3 runs BENCH_INSERT_ROWS autocommit INSERTs into a scratch table of the
# intake database file (no server running), then the table is dropped again.
sqlite_prepare_insert_baseline() {
  sqlite3 "$TMP/intake_sqlite.db" "DROP TABLE IF EXISTS bench_insert_baseline" >/dev/null
}
sqlite_inspect_insert_baseline() {
  local stored
  stored=$(sqlite3 "$TMP/intake_sqlite.db" 'SELECT count(*) FROM bench_insert_baseline' 2>/dev/null || echo 0)
  BASELINE_ARGS=(--rows "$INSERT_ROWS" --stored "$stored")
}

run_intake_sqlite() {
  wanted intake_sqlite || return 0
  local db=$TMP/intake_sqlite.db before after
  rm_db "$db"
  intake_registry intake_sqlite "sqlite:$db"
  python3 "$DOSSIER_UTIL" sqlite-baseline-sql --rows "$INSERT_ROWS" --bytes "$ROW_BYTES" --out "$TMP/intake_sqlite_baseline.sql"
  CMD_TEXT="sqlite3 intake.db < script: PRAGMA synchronous=FULL; $INSERT_ROWS × INSERT INTO bench_insert_baseline (k, body) VALUES (…, <$ROW_BYTES bytes>), each its own transaction" \
  URL_TEXT="sqlite3 CLI: $(commas "$INSERT_ROWS") autocommit single-row INSERTs, same file" \
  PREPARE=sqlite_prepare_insert_baseline INSPECT=sqlite_inspect_insert_baseline GROUP=intake_sqlite \
    run_baseline intake_sqlite_baseline "sqlite3 single-row INSERT + COMMIT, $ROW_BYTES B (intake baseline, rows/s)" sqlite3 \
    sh -c 'exec sqlite3 "$1" <"$2"' sh "$db" "$TMP/intake_sqlite_baseline.sql"
  sqlite_prepare_insert_baseline
  rm -f "$TMP/intake_sqlite_baseline.sql"

  start_server intake_sqlite "$db"
  intake_setup intake_sqlite
  before=$(intake_counts sqlite3 "$db")
  GROUP=intake_sqlite TITLE="dossier intake at the counter, SQLite ($INTAKE_AGENCIES agencies, dossiers/s)" \
  BASELINE=intake_sqlite_baseline TARGET_RATIO=0.5 TARGET_RPS=1000 CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk intake_sqlite "$SERVER_URL/api/v1/dossiers" "$LUA_DIR/intake.lua"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/intake_sqlite.log" >&2
    die "the server died during the intake runs"
  fi
  log "server after the intake runs: $(python3 "$UTIL" rss "$SERVER_PID")"
  sleep 1
  after=$(intake_counts sqlite3 "$db")
  stop_server
  intake_report intake_sqlite "$before" "$after"
  rm_db "$db"
}

# The PostgreSQL baseline: pgbench, 16 clients, one single-row INSERT per transaction (autocommit),
# into a scratch table of the intake database; latencies from its per-transaction log.
PGBENCH_DIR=""
pg_prepare_insert_baseline() {
  rm -rf "$PGBENCH_DIR"; mkdir -p "$PGBENCH_DIR"
  psql_q "$PG_URL/lt_intake" -c "DROP TABLE IF EXISTS bench_insert_baseline" \
    -c "CREATE TABLE bench_insert_baseline (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, k TEXT NOT NULL, body TEXT NOT NULL)" \
    -c "CHECKPOINT"
}
pg_inspect_insert_baseline() {
  BASELINE_ARGS=(--log-dir "$PGBENCH_DIR")
}

run_intake_postgres() {
  wanted intake_postgres || return 0
  local before after psql_intake
  [[ -n $PG_PID ]] || start_postgres
  pg_recreate lt_intake
  intake_registry intake_postgres "$PG_URL/lt_intake"
  PGBENCH_DIR=$TMP/pgbench
  python3 "$DOSSIER_UTIL" pgbench-script --bytes "$ROW_BYTES" --out "$TMP/intake_postgres_baseline.sql"
  CMD_TEXT="pgbench -n -c 16 -j 2 -T $WRK_DURATION -l -f insert.sql lt_intake (INSERT INTO bench_insert_baseline (k, body) VALUES (…, <$ROW_BYTES bytes>))" \
  URL_TEXT="pgbench: 16 clients, autocommit single-row INSERTs, same database" \
  PREPARE=pg_prepare_insert_baseline INSPECT=pg_inspect_insert_baseline GROUP=intake_postgres SERVER_TREE=$PG_PID \
  CPU_LABEL="pgbench + PostgreSQL" \
    run_baseline intake_postgres_baseline "pgbench single-row INSERT, autocommit, $ROW_BYTES B (intake baseline, rows/s)" pgbench \
    env -C "$PGBENCH_DIR" "$PG_BIN/pgbench" -n -c 16 -j 2 -T "$WRK_DURATION" -l -f "$TMP/intake_postgres_baseline.sql" \
    -h 127.0.0.1 -p "$PG_PORT" -U postgres lt_intake
  psql_q "$PG_URL/lt_intake" -c "DROP TABLE IF EXISTS bench_insert_baseline" -c "CHECKPOINT"
  rm -rf "$PGBENCH_DIR" "$TMP/intake_postgres_baseline.sql"

  start_server intake_postgres "$PG_URL/lt_intake"
  intake_setup intake_postgres
  psql_intake=(psql_q "$PG_URL/lt_intake" -F '|')
  before=$(intake_counts "${psql_intake[@]}")
  GROUP=intake_postgres TITLE="dossier intake at the counter, PostgreSQL ($INTAKE_AGENCIES agencies, dossiers/s)" \
  BASELINE=intake_postgres_baseline TARGET_RATIO=0.5 TARGET_RPS=1000 CPU_PID=$SERVER_PID CPU_PID_REAPED=$PG_PID \
  CPU_LABEL="lienthong + PostgreSQL" \
    run_wrk intake_postgres "$SERVER_URL/api/v1/dossiers" "$LUA_DIR/intake.lua"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/intake_postgres.log" >&2
    die "the server died during the intake runs"
  fi
  log "server after the intake runs: $(python3 "$UTIL" rss "$SERVER_PID")"
  sleep 1
  after=$(intake_counts "${psql_intake[@]}")
  stop_server
  intake_report intake_postgres "$before" "$after"
  psql_q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS lt_intake WITH (FORCE)"
  stop_postgres
  rm -rf "$PG_DIR/data"
}

# The inbox database: BENCH_INBOX_DOSSIERS dossiers made by `lienthong demo dossiers` (over 200
# synthetic agencies and the demo agencies), generated once into $DOSSIER_DATA and reused while the
# binary (the generator and the schema are in it), the count and the seed are unchanged. The
# database's signing keys are sealed with the master key of the generating run, kept beside it
# ($DOSSIER_DATA/data/master.key); the inbox server gets it as LIENTHONG_MASTER_KEY.
INBOX_DB=""
prepare_inbox_db() {
  local stamp
  stamp="dossiers=$INBOX_DOSSIERS seed=$INBOX_SEED bin=$(sha256sum <"$BIN" | cut -c1-16)"
  INBOX_DB=$DOSSIER_DATA/inbox.db
  if [[ -s $INBOX_DB && -s $DOSSIER_DATA/data/master.key && -f $DOSSIER_DATA/stamp &&
        $(cat "$DOSSIER_DATA/stamp") == "$stamp" ]]; then
    log "inbox: reusing $INBOX_DB ($INBOX_DOSSIERS dossiers, $(du -m "$INBOX_DB" | cut -f1) MiB)"
    return 0
  fi
  log "inbox: generating $INBOX_DOSSIERS dossiers into $INBOX_DB (once; about a minute per million)"
  mkdir -p "$DOSSIER_DATA"
  rm -f "$DOSSIER_DATA/stamp"
  rm -rf "$DOSSIER_DATA/data"
  rm_db "$INBOX_DB"
  bounded 3600 "$TMP/inbox-generate.log" env -C "$TMP" -u LIENTHONG_CONFIG -u LIENTHONG_MASTER_KEY \
    LIENTHONG_DATA_DIR="$DOSSIER_DATA/data" "$BIN" demo dossiers --count "$INBOX_DOSSIERS" --seed "$INBOX_SEED" \
    --db "sqlite:$INBOX_DB" || { tail -n 20 "$TMP/inbox-generate.log" >&2; die "lienthong demo dossiers failed"; }
  [[ -s $DOSSIER_DATA/data/master.key ]] || die "lienthong demo dossiers left no master key in $DOSSIER_DATA/data"
  # One file to copy: the WAL folded into the database.
  sqlite3 "$INBOX_DB" 'PRAGMA wal_checkpoint(TRUNCATE)' >/dev/null
  rm -f "$INBOX_DB-wal" "$INBOX_DB-shm"
  log "inbox: $(tr '\n' ' ' <"$TMP/inbox-generate.log")($(du -m "$INBOX_DB" | cut -f1) MiB)"
  printf '%s\n' "$stamp" >"$DOSSIER_DATA/stamp"
}

run_inbox() {
  wanted inbox || return 0
  local db=$TMP/inbox.db rows queue code agency
  prepare_inbox_db
  cp "$INBOX_DB" "$db"   # the server writes (sessions, demo accounts): a copy, the cache stays as generated
  LIENTHONG_MASTER_KEY=$(tr -d '[:space:]' <"$DOSSIER_DATA/data/master.key") start_server inbox "$db"
  login "$INBOX_USER" "$DEMO_PASSWORD"
  agency=$(curl -fsS --max-time 5 -H "Authorization: Bearer $BENCH_TOKEN" "$SERVER_URL/api/v1/me" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["agency_code"] or "")')
  rows=$(sqlite3 "$db" 'SELECT count(*) FROM dossiers')
  queue=$(sqlite3 "$db" "SELECT count(*) FROM dossiers WHERE queue_agency = '$agency' AND queue_role = 'one-stop-officer'")
  log "inbox: $(commas "$rows") dossiers in the database; $(commas "$queue") in the one-stop queue of $agency ($INBOX_USER)"
  log "inbox: plan: $(sqlite3 "$db" "EXPLAIN QUERY PLAN SELECT id FROM dossiers WHERE queue_agency = '$agency' AND queue_role = 'one-stop-officer' ORDER BY queue_due, id LIMIT 50" | tr '\n' ' ')"
  # Every request must answer 200 with a full page: a check first (wrk only counts statuses >= 400).
  code=$(curl -sS --max-time 10 -o "$TMP/inbox.sample.json" -w '%{http_code}' -H "Authorization: Bearer $BENCH_TOKEN" \
    "$SERVER_URL/api/v1/dossiers?limit=50") || code=000
  [[ $code == 200 ]] || die "inbox: GET /api/v1/dossiers?limit=50 answered $code: $(head -c 300 "$TMP/inbox.sample.json")"
  local n
  n=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$TMP/inbox.sample.json")
  ((n == 50 || n == queue)) || die "inbox: the first page holds $n dossiers (the queue has $queue)"
  log "inbox: the first page holds $n dossiers, $(wc -c <"$TMP/inbox.sample.json") bytes"
  GROUP=inbox TITLE="server /healthz, $(commas "$rows") dossiers loaded (inbox baseline)" CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk inbox_healthz "$SERVER_URL/healthz"
  GROUP=inbox TITLE="inbox of $INBOX_USER, first page of 50 by due time ($(commas "$rows") dossiers, $(commas "$queue") in the queue)" \
  BASELINE=inbox_healthz TARGET_P99_MS=20 CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk inbox "$SERVER_URL/api/v1/dossiers?limit=50" "$LUA_DIR/bearer.lua"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/inbox.log" >&2
    die "the server died during the inbox runs"
  fi
  log "server after the inbox runs: $(python3 "$UTIL" rss "$SERVER_PID")"
  stop_server
  rm_db "$db"
}

# ---- data exchange: the gateway and events (issue 6) -----------------------------------------------

# The gateway runs' small upstream: a second nginx server block on its own port answering every
# /api/ path with the ~100-byte JSON of bench/nginx/static.json (`return 200`, no file read), and the
# baseline's location /proxy/ passing to it through an upstream block with keep-alive connections.
GATEWAY_UP_PORT=""
gateway_nginx_conf() {
  local body
  body=$(<"$ROOT/bench/nginx/static.json")
  [[ $body != *"'"* && $body != *'\'* ]] || die "bench/nginx/static.json must not hold a quote or a backslash"
  GATEWAY_UP_PORT=$(python3 "$UTIL" free-port)
  cat >"$NGINX_DIR/http.d/gateway.conf" <<EOF
# The gateway runs' small upstream (a provider system's service) and nginx's keep-alive pool to it.
upstream bench_gateway_upstream {
  server 127.0.0.1:$GATEWAY_UP_PORT;
  keepalive 64;
  keepalive_requests 100000;
}
server {
  listen 127.0.0.1:$GATEWAY_UP_PORT backlog=4096;
  location /api/ {
    default_type application/json;
    return 200 '$body';
  }
}
EOF
  cat >"$NGINX_DIR/conf.d/gateway.conf" <<'EOF'
# The gateway baseline: nginx proxy_pass with upstream keep-alive, /proxy/PATH -> upstream /api/PATH.
location /proxy/ {
  proxy_pass http://bench_gateway_upstream/api/;
  proxy_http_version 1.1;
  proxy_set_header Connection "";
}
EOF
  chmod 644 "$NGINX_DIR/http.d/gateway.conf" "$NGINX_DIR/conf.d/gateway.conf"
}

# The gateway runs, on the load runs' nginx and server: the upstream directly (reference), nginx
# proxy_pass (baseline), the gateway (bench/exchange_bench.py gateway-setup makes its member systems,
# service and grant over the API first).
run_gateway() {
  wanted_any gateway_upstream gateway_nginx gateway || return 0
  local upstream=http://127.0.0.1:$GATEWAY_UP_PORT setup=$TMP/gateway.setup path code n0 n1
  local gw_path=/r1/$GATEWAY_PROVIDER/$GATEWAY_SERVICE$GATEWAY_PATH
  wait_http "$upstream/api$GATEWAY_PATH" 10 || die "gateway: the small upstream does not answer on port $GATEWAY_UP_PORT"
  code=$(curl -sS --max-time 5 -o "$TMP/gateway-proxy.sample.json" -w '%{http_code}' "$NGINX_URL/proxy$GATEWAY_PATH") || code=000
  [[ $code == 200 ]] && cmp -s "$TMP/gateway-proxy.sample.json" "$ROOT/bench/nginx/static.json" ||
    die "gateway: nginx proxy_pass answered $code: $(head -c 300 "$TMP/gateway-proxy.sample.json" 2>/dev/null)"
  bounded 300 "$TMP/gateway-setup.log" python3 "$EXCHANGE_UTIL" gateway-setup --url "$SERVER_URL" \
    --admin-user "$DEMO_USER" --admin-password "$DEMO_PASSWORD" --upstream "$upstream/api" \
    --expect-body "$ROOT/bench/nginx/static.json" --client "$GATEWAY_CLIENT" --provider "$GATEWAY_PROVIDER" \
    --service "$GATEWAY_SERVICE" --path "$GATEWAY_PATH" --out "$setup" ||
    { tail -n 20 "$TMP/gateway-setup.log" >&2; die "gateway: the set-up over the API failed"; }
  log "gateway: $(tail -n 1 "$TMP/gateway-setup.log")"
  n0=$(sqlite3 "$TMP/bench.db" 'SELECT count(*) FROM exchange_messages' 2>/dev/null || true)

  GROUP=gateway_upstream TITLE="small upstream, direct (nginx return 200, ~100-byte JSON; reference)" CPU_PID=$NGINX_PID \
  CPU_LABEL="nginx (master + workers)" \
    run_wrk gateway_upstream "$upstream/api$GATEWAY_PATH"
  GROUP=gateway_nginx TITLE="nginx proxy_pass to the small upstream, upstream keep-alive (gateway baseline)" CPU_PID=$NGINX_PID \
  CPU_LABEL="nginx (proxy + upstream)" \
    run_wrk gateway_nginx "$NGINX_URL/proxy$GATEWAY_PATH"
  BENCH_XROAD_CLIENT=$GATEWAY_CLIENT BENCH_API_KEY=$(tr -d '[:space:]' <"$setup/api_key") GROUP=gateway \
  TITLE="gateway /r1/… to the small upstream (API key, grant, signature, message log)" BASELINE=gateway_nginx \
  TARGET_RATIO=0.8 TARGET_ADDED_P50_MS=1 CPU_PID=$SERVER_PID CPU_PID_REAPED=$NGINX_PID CPU_LABEL="lienthong + nginx upstream" \
    run_wrk gateway "$SERVER_URL$gw_path" "$LUA_DIR/gateway.lua"
  if wanted gateway; then
    # The message log keeps up: every call of the warm-up and the attempts is written (group commits).
    sleep 1
    n1=$(sqlite3 "$TMP/bench.db" 'SELECT count(*) FROM exchange_messages' 2>/dev/null || true)
    [[ -n $n0 && -n $n1 ]] && log "gateway: $(commas $((n1 - n0))) messages written to the message log during the gateway runs"
    [[ -n $n0 && -n $n1 ]] && python3 "$DOSSIER_UTIL" annotate "$RESULTS" gateway "{\"message_log_rows\": $((n1 - n0))}"
  fi
}

# Event delivery on PostgreSQL: a server on a throwaway cluster, the local subscriber, the set-up over
# the API, then per attempt BENCH_EVENTS events published by wrk into a fresh event type and timed
# until the subscriber has them all. The least disturbed attempt is kept.
run_events_postgres() {
  wanted events_postgres || return 0
  local port_file=$TMP/subscriber.port setup=$TMP/events.setup sub_pid sub_url i key
  local attempt etype rec best="" best_other=99 other wpid wrc t0 t1 m0 m1 c0 c1 s0 s1 gave_up stats txt
  [[ -n $PG_PID ]] || start_postgres
  pg_recreate lt_events
  start_server events_postgres "$PG_URL/lt_events"
  python3 "$EXCHANGE_UTIL" subscriber --port-file "$port_file" --out "$TMP/subscriber.json" >"$TMP/subscriber.log" 2>&1 &
  sub_pid=$!
  PIDS+=("$sub_pid")
  for ((i = 0; i < 100; i++)); do [[ -s $port_file ]] && break; sleep 0.1; done
  [[ -s $port_file ]] || { cat "$TMP/subscriber.log" >&2; die "events: the subscriber did not start"; }
  sub_url=http://127.0.0.1:$(tr -d '[:space:]' <"$port_file")
  bounded 300 "$TMP/events-setup.log" python3 "$EXCHANGE_UTIL" events-setup --url "$SERVER_URL" \
    --admin-user "$DEMO_USER" --admin-password "$DEMO_PASSWORD" --subscriber-url "$sub_url" --hook "$sub_url/hook" \
    --publisher "$GATEWAY_PROVIDER" --subscriber-system "$GATEWAY_CLIENT" --attempts "$BENCH_ATTEMPTS" --out "$setup" ||
    { tail -n 20 "$TMP/events-setup.log" >&2; die "events: the set-up over the API failed"; }
  log "events_postgres: $(tail -n 1 "$TMP/events-setup.log")"
  key=$(tr -d '[:space:]' <"$setup/api_key")
  for ((attempt = 1; attempt <= BENCH_ATTEMPTS; attempt++)); do
    etype=bench.ho-tich.$attempt
    txt=$TMP/events_postgres.$attempt.wrk.txt
    quiet events_postgres
    log "events_postgres: $EVENTS events ($EVENT_KEYS keys) published with wrk -t$WRK_THREADS -c$WRK_CONNECTIONS to $etype, delivered to $sub_url/hook"
    c0=$(( $(python3 "$UTIL" cpu-ticks "$SERVER_PID") + $(python3 "$UTIL" cpu-ticks "$PG_PID" --reaped) ))
    s0=$(python3 "$UTIL" cpu-ticks "$sub_pid")
    times >"$TMP/times.0"
    machine_ticks m0
    t0=$(date +%s.%N)
    BENCH_EVENT_TYPE=$etype BENCH_EVENTS=$EVENTS BENCH_EVENT_KEYS=$EVENT_KEYS BENCH_PUBLISH_THREADS=$WRK_THREADS \
    BENCH_XROAD_CLIENT=$GATEWAY_PROVIDER BENCH_API_KEY=$key \
      timeout -k 5 900 wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d600s --latency -s "$LUA_DIR/publish.lua" \
      "$SERVER_URL/api/v1/pubsub/events/$etype" >"$txt" 2>&1 &
    wpid=$!
    PIDS+=("$wpid")
    python3 "$EXCHANGE_UTIL" wait-events --subscriber-url "$sub_url" --type "$etype" --count "$EVENTS" \
      --timeout $((EVENTS / 200 + 120)) --stall 30 >"$TMP/events_postgres.$attempt.wait.json" 2>&1 || true
    t1=$(date +%s.%N)
    machine_ticks m1
    # wrk's threads stopped themselves after their last event; wrk itself waits for SIGINT.
    kill -INT "$wpid" 2>/dev/null || true
    wrc=0; wait "$wpid" || wrc=$?
    forget_pid "$wpid"
    times >"$TMP/times.1"
    # (After `times`, so that these helpers do not count as the client's CPU time.)
    c1=$(( $(python3 "$UTIL" cpu-ticks "$SERVER_PID") + $(python3 "$UTIL" cpu-ticks "$PG_PID" --reaped) ))
    s1=$(python3 "$UTIL" cpu-ticks "$sub_pid")
    grep -E 'BENCH_STATUSES|Socket errors|Non-2xx' "$txt" | sed 's/^/    /' >&2 || true
    stats=$(cat "$TMP/events_postgres.$attempt.wait.json")
    gave_up=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("gave_up", ""))' "$stats" 2>/dev/null || echo "waiting failed: $stats")
    sleep 0.5   # a late duplicate would arrive now
    curl -fsS --max-time 30 -o "$TMP/events_postgres.$attempt.arrivals.json" "$sub_url/dump?type=$etype" ||
      die "events: the subscriber does not answer"
    psql_q "$PG_URL/lt_events" -F '|' -c "SELECT id, published_at FROM exchange_events WHERE topic = '$etype' ORDER BY id" \
      >"$TMP/events_postgres.$attempt.published"
    rec=$(python3 "$EXCHANGE_UTIL" events-record --name events_postgres \
      --title "event delivery, PostgreSQL: publish (wrk) -> push to a local subscriber ($(commas "$EVENTS") events, $EVENT_KEYS keys; events/s)" \
      --url "POST /api/v1/pubsub/events/{type} -> push $sub_url/hook" --type "$etype" --events "$EVENTS" \
      --threads "$WRK_THREADS" --connections "$WRK_CONNECTIONS" --t0 "$t0" --wrk-output "$txt" --wrk-exit "$wrc" \
      --subscriber-json "$TMP/events_postgres.$attempt.arrivals.json" --published "$TMP/events_postgres.$attempt.published" \
      --deliveries "$(psql_q "$PG_URL/lt_events" -c "SELECT json_build_object('delivered', count(*) FILTER (WHERE d.status = 'delivered'),
        'not_delivered', count(*) FILTER (WHERE d.status <> 'delivered'), 'attempts', coalesce(sum(d.attempts), 0),
        'retried', count(*) FILTER (WHERE d.attempts > 1)) FROM exchange_deliveries d
        JOIN exchange_subscriptions s ON s.id = d.subscription_id WHERE s.topic = '$etype'")" \
      ${gave_up:+--gave-up "$gave_up"} --wall-s "$(python3 -c "print($t1 - $t0)")" --server-ticks $((c1 - c0)) \
      --subscriber-ticks $((s1 - s0)) --machine-ticks $((m1 - m0)) --times-before "$TMP/times.0" --times-after "$TMP/times.1" \
      --cpu-label "lienthong + PostgreSQL" --attempts "$attempt" --target-events-per-s 5000)
    log "events_postgres: $(python3 -c 'import json,sys; r = json.loads(sys.argv[1])
print("%s of %s events delivered in %s s: %s events/s (published at %s/s; %s delivered while publishing, then %s/s); %s duplicates; delivery latency p50 %s ms, p99 %s ms%s"
      % (r.get("requests"), r.get("published"), r.get("measured_s"), r.get("rps"), r.get("publish_rps"),
         r.get("delivered_while_publishing"), r.get("drain_rps"), r.get("duplicates"),
         r.get("latency_ms", {}).get("p50"), r.get("latency_ms", {}).get("p99"), ("; FAILED: " + r["failed"]) if r.get("failed") else ""))' "$rec")"
    if [[ $rec == *'"failed"'* ]]; then
      cp -f "$txt" "$OUT/events_postgres.wrk.txt"
      best=$rec
      break
    fi
    other=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1]).get("cpu", {}).get("other_cores", 0))' "$rec")
    least_disturbed "$rec" "$other" "$txt" "$OUT/events_postgres.wrk.txt" && break
    ((attempt < BENCH_ATTEMPTS)) && log "events_postgres: other processes used $other cores during the run: again"
  done
  record "$best"
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/events_postgres.log" >&2
    die "the server died during the events run"
  fi
  log "server after the events run: $(python3 "$UTIL" rss "$SERVER_PID")"
  stop_server
  stop_pid "$sub_pid"; forget_pid "$sub_pid"
  psql_q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS lt_events WITH (FORCE)"
  stop_postgres
  rm -rf "$PG_DIR/data"
}

write_meta() {
  local commit dirty=""
  commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
  [[ -n $(git -C "$ROOT" status --porcelain --untracked-files=no 2>/dev/null) ]] && dirty="+dirty"
  (server_cmd config show --db "sqlite:$TMP/bench.db") >"$TMP/server-config.toml" 2>"$TMP/config-show.log" ||
    die "lienthong config show failed: $(cat "$TMP/config-show.log")"
  python3 - "$TMP/meta.json" "$TMP/server-config.toml" <<EOF
import json, os, platform, sys, datetime, tomllib
cfg = tomllib.load(open(sys.argv[2], "rb"))
keep = ("io_threads", "worker_threads", "db_pool", "sqlite_synchronous", "access_log", "idle_timeout_ms",
        "header_timeout_ms", "log_level", "password_hash_cost")
cfg = {k: cfg.get(k) for k in keep}
cpu = "unknown"
for line in open("/proc/cpuinfo"):
    if line.startswith("model name"):
        cpu = line.split(":", 1)[1].strip(); break
mem = 0
for line in open("/proc/meminfo"):
    if line.startswith("MemTotal:"):
        mem = int(line.split()[1]); break
meta = {
  "generated_at": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
  "commit": "$commit$dirty",
  "machine": {"cores": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem / 1048576, 1),
              "kernel": platform.release()},
  "settings": {
    "wrk_threads": $WRK_THREADS, "wrk_connections": $WRK_CONNECTIONS, "wrk_duration_s": $WRK_DURATION,
    "wrk_warmup_s": $WRK_WARMUP, "wrk_version": "$(wrk -v 2>&1 | head -n1 | awk '{print $2}')",
    "idle_connections": $IDLE_CONNECTIONS,
    "conversion": {"rows": $ROWS, "cpu": $BENCH_CPU, "data": "$DATA",
                   "pandas": "$("$PANDAS_PYTHON" -c 'import pandas, platform; print("pandas %s, Python %s" % (pandas.__version__, platform.python_version()))' 2>/dev/null || echo "not installed")"},
    "server": "lienthong serve --port 0 --db sqlite:TMP/bench.db --demo, on 127.0.0.1, access log %s "
              "(LIENTHONG_ACCESS_LOG=false), %d I/O threads + %d worker threads, %d database connections, "
              "Release build" % ("on" if cfg["access_log"] else "off", cfg["io_threads"], cfg["worker_threads"],
                                 cfg["db_pool"]),
    "server_config": cfg,
    "durability": "SQLite WAL, synchronous=%s%s" % (cfg["sqlite_synchronous"],
                                                   " (default)" if cfg["sqlite_synchronous"] == "FULL" else ""),
    "nginx": "nginx $(nginx -v 2>&1 | sed 's|.*/||'), $NGINX_WORKERS worker processes, static ~100-byte JSON file, "
             "access_log off, keepalive_requests 100000, sendfile on, open_file_cache",
    "citizens": {"count": $CITIZENS, "seed": $CITIZEN_SEED, "data": "$CITIZEN_DATA", "lookup_ids": $LOOKUP_IDS,
                 "baselines": "sqlite3 $(sqlite3 --version 2>/dev/null | awk '{print $1}') \`.import\` into a table with a "
                              "primary key and 4 indexes (WAL, synchronous=FULL, 256 MiB cache); psql \`\\\\copy\` (COPY) "
                              "into a table with 5 plain indexes and no unique key (COPY stops at the first duplicate key)",
                 "postgresql": "PostgreSQL: $("$PG_BIN/postgres" --version 2>/dev/null | awk '{print $3}' || echo "not installed"), "
                               "a throwaway cluster with the default settings (fsync on), over TCP on 127.0.0.1",
                 "lookup": "GET /api/v1/registries/citizens/lookup/{id}?purpose=$LOOKUP_PURPOSE as the demo member "
                           "system (X-API-Key), each read written to the personal-data access log before the answer, "
                           "cycling through %d imported IDs (bench/lua/lookup.lua), on a server whose database holds "
                           "the %s imported citizens; its baseline is the same server's /healthz in the same run."
                           % ($LOOKUP_IDS, format($CITIZENS, ","))},
    "dossiers": {
      "intake": "counter submissions POST /api/v1/dossiers (birth registration $INTAKE_PROCEDURE, channel in_person, "
                "the child's name, birth date, sex and birth place typed, the applicant's name prefilled from the "
                "registry, components TK and GCS scanned (one uploaded PDF), NT read from the registry: the reads "
                "written to the personal-data access log, one line per purpose), a unique Idempotency-Key each, by $INTAKE_AGENCIES one-stop "
                "officers picked at random, each at their own receiving agency (service centres in $INTAKE_AGENCIES "
                "communes of Hà Nội, each with its People's Committee, the competent agency), for %s citizens imported "
                "first (bench/lua/intake.lua; every answer must be 201). dossiers/s = wrk req/s. Same durability as the "
                "server: SQLite WAL with synchronous=FULL; PostgreSQL fsync on, synchronous_commit on. Baselines, same "
                "database, same run: the sqlite3 CLI running $INSERT_ROWS autocommit single-row INSERTs of $ROW_BYTES bytes "
                "of text into a scratch table of the same database file (one connection: every row its own commit and "
                "fsync), rows/s = rows / wall time; pgbench -n -c 16 -j 2 -T $WRK_DURATION, one single-row INSERT of "
                "$ROW_BYTES bytes per transaction into a scratch table of the same database, rows/s = its tps. "
                "Ratio = dossiers/s / rows/s (target >= 0.5), and >= 1,000 dossiers/s." % format($INTAKE_CITIZENS, ","),
      "inbox": "GET /api/v1/dossiers?limit=50 (the first page of the one-stop officer's inbox, sorted by due time) as "
               "the demo account $INBOX_USER (Bearer), on a server whose SQLite database holds the dossiers of "
               "\`lienthong demo dossiers --count $INBOX_DOSSIERS --seed $INBOX_SEED\` (200 synthetic agencies plus the "
               "demo agencies; the row count the title shows is counted in the database); its baseline is the same "
               "server's /healthz in the same run. Target p99 < 20 ms.",
    },
    "exchange": {
      "gateway": "GET /r1/$GATEWAY_PROVIDER/$GATEWAY_SERVICE$GATEWAY_PATH through the server's gateway with "
                 "X-Road-Client: $GATEWAY_CLIENT and that system's own API key (a member-system account made over the "
                 "API; its rate limit raised to 1,000,000/s), every call authenticated, checked against the grant, "
                 "signed (Ed25519) towards the provider and written to the hash-chained message log "
                 "(bench/lua/gateway.lua); the upstream is a second nginx server block on its own port answering "
                 "every /api/ path with the ~100-byte static JSON (return 200), the same nginx (2 workers) as the "
                 "baseline. Reference gateway_upstream: wrk straight to that upstream. Baseline gateway_nginx: nginx "
                 "proxy_pass to it through an upstream block with keepalive 64 (HTTP/1.1). Targets: >= 0.8 x "
                 "gateway_nginx's req/s and an added median latency (gateway p50 - gateway_nginx p50, shown as "
                 "(+x) in the p50 column) < 1 ms. CPU of the gateway run = lienthong + the nginx upstream.",
      "events": "on a server on a throwaway PostgreSQL cluster (fsync on): a publisher and a subscriber member "
                "system (accounts, API keys, systems, an event type with a JSON schema, a push subscription) made "
                "over the API; the subscriber is a local asyncio HTTP/1.1 server (bench/exchange_bench.py "
                "subscriber) that answers 200 at once and counts events by X-Event-Id. %s events (~100-byte "
                "payloads, X-Event-Key cycling through $EVENT_KEYS keys) are published with wrk -t$WRK_THREADS "
                "-c$WRK_CONNECTIONS (bench/lua/publish.lua, each one 201); events/s = events / (last first arrival at "
                "the subscriber - start of publishing). Also: publish rate (events / (last published_at - start)), "
                "delivery latency per event (first arrival - published_at; shown in the latency columns), "
                "duplicates (an X-Event-Id seen twice; the target is 0) and the deliveries' attempts. Target >= "
                "5,000 events/s. CPU = lienthong + PostgreSQL; wrk_cores includes the harness's poller."
                % format($EVENTS, ","),
    },
  },
}
json.dump(meta, open(sys.argv[1], "w"), indent=2)
EOF
}

# ---- the runs -------------------------------------------------------------------------------------

# The load runs 1–5 against nginx and the server with the bench database.
run_load() {
  wanted_any nginx_static healthz me unit_search gateway_upstream gateway_nginx gateway || return 0
  prepare_nginx
  wanted_any gateway_upstream gateway_nginx gateway && gateway_nginx_conf
  start_nginx

  start_server server
  login

  TITLE="nginx static JSON (baseline)" CPU_PID=$NGINX_PID CPU_LABEL="nginx (master + workers)" \
    run_wrk nginx_static "$NGINX_URL/static.json"
  TITLE="server /healthz" BASELINE=nginx_static TARGET_P99_MS=10 CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk healthz "$SERVER_URL/healthz"
  TITLE="server /api/v1/me (Bearer)" BASELINE=nginx_static TARGET_RATIO=0.6 TARGET_P99_MS=10 \
    CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk me "$SERVER_URL/api/v1/me" "$LUA_DIR/bearer.lua"
  # Unit search: the 178 queries of the search case file, in turn (issue 3: p99 < 5 ms).
  python3 "$UTIL" search-paths "$ROOT/tests/data/unit_search_cases.csv" >"$TMP/search.paths"
  BENCH_PATHS=$TMP/search.paths TITLE="server /api/v1/units/search ($(wc -l <"$TMP/search.paths") queries)" \
    BASELINE=nginx_static TARGET_P99_MS=5 CPU_PID=$SERVER_PID CPU_LABEL=lienthong \
    run_wrk unit_search "$SERVER_URL/api/v1/units/search" "$LUA_DIR/search.lua"
  # The same at a moderate load (8 connections): at 64 the p99 is mostly queueing behind the other
  # connections on two cores shared with wrk (even /healthz's p99 is 4-8 ms there).
  GROUP=unit_search WRK_CONNECTIONS=8 BENCH_PATHS=$TMP/search.paths \
    TITLE="server /api/v1/units/search, 8 connections" BASELINE=nginx_static TARGET_P99_MS=5 CPU_PID=$SERVER_PID \
    CPU_LABEL=lienthong run_wrk unit_search_c8 "$SERVER_URL/api/v1/units/search" "$LUA_DIR/search.lua"
  # Issue 6: the data-exchange gateway against nginx proxy_pass, to the same small upstream.
  run_gateway

  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    tail -n 30 "$TMP/server.log" >&2
    die "the server died during the load runs"
  fi
  log "server after the load runs: $(python3 "$UTIL" rss "$SERVER_PID")"
  stop_server
  stop_pid "$NGINX_PID"; forget_pid "$NGINX_PID"
}

main() {
  preflight
  write_meta

  # Issue 3 first (no server needed): micro-benchmarks, then the file conversions, one core each.
  prepare_addresses
  run_micro
  run_conversions

  # Issue 4: the citizen imports (no server), each against its baseline.
  prepare_citizens
  run_imports_sqlite
  run_imports_postgres

  run_load

  # Issue 4: citizen lookup on a server with the citizens loaded (the database import_sqlite filled).
  run_lookup

  # Issue 5: dossier intake at the counter (SQLite, PostgreSQL), each against single-row inserts
  # into the same database; the inbox with a million dossiers.
  run_intake_sqlite
  run_intake_postgres
  run_inbox

  # Issue 6: event delivery on PostgreSQL (the gateway runs are with the load runs above).
  run_events_postgres

  # Memory on a fresh server process (same database), so the load runs do not blur the figure.
  if wanted idle_keepalive; then
    start_server server-idle
    TITLE="server RSS, $IDLE_CONNECTIONS idle keep-alive connections" TARGET_MIB=150 \
      run_idle idle_keepalive "$IDLE_CONNECTIONS"
    stop_server
  fi

  # bench_util.py's report, with the minimum req/s targets of the intake runs (dossier_bench.py) and
  # the gateway's added median latency and the events/s target (exchange_bench.py).
  python3 "$EXCHANGE_UTIL" report "$RESULTS" "$TMP/meta.json" "$OUT"
}

main "$@"
