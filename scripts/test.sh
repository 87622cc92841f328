#!/usr/bin/env bash
# Every test: C++ unit, storage and API tests (ASan+UBSan build) on SQLite and on a throwaway
# PostgreSQL 15 cluster, then the browser test against the real server. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-asan}

# --- throwaway PostgreSQL, as the postgres user, in a temporary folder, on a free port ---------
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGT=$(mktemp -d /tmp/lt-pg.XXXXXX)
chmod 755 "$PGT"
SRV_PID=""
cleanup() {
  [ -n "$SRV_PID" ] && kill "$SRV_PID" 2>/dev/null && wait "$SRV_PID" 2>/dev/null || true
  if [ -f "$PGT/data/postmaster.pid" ]; then
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGT/data" -m fast -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGT"
}
trap cleanup EXIT
PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
chown postgres:postgres "$PGT"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGT/data" -l "$PGT/log" -w \
  -o "-p $PGPORT -k $PGT -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=on" start >/dev/null
export LT_TEST_PG_URL="postgresql://postgres@127.0.0.1:$PGPORT/postgres"
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on port $PGPORT"

# --- C++ tests: unit, storage and API, on both backends ----------------------------------------
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1
(cd "$BUILD" && ctest --output-on-failure -j2 --timeout 900) || { echo "C++ tests failed"; exit 1; }

# --- browser test: the real server (SQLite, demo data) and Debian's Chromium ------------------
WEBT=$(mktemp -d /tmp/lt-web.XXXXXX)
# The demo accounts' own registry records (as `make run` loads them), for declare-once prefill.
for r in citizens households enterprises; do
  LIENTHONG_DATA_DIR="$WEBT" "$BUILD/lienthong" import "$r" --db "sqlite:$WEBT/web.db" --input "data/demo/$r.csv" \
    --rejects "$WEBT/$r.rejects.csv" >/dev/null
done
LIENTHONG_DATA_DIR="$WEBT" LIENTHONG_PASSWORD_HASH_COST=min "$BUILD/lienthong" serve --port 0 \
  --db "sqlite:$WEBT/web.db" --demo --ready-file "$WEBT/port" >"$WEBT/out.log" 2>"$WEBT/err.log" &
SRV_PID=$!
for _ in $(seq 1 300); do [ -f "$WEBT/port" ] && break; sleep 0.1; done
[ -f "$WEBT/port" ] || { echo "server did not start"; cat "$WEBT/err.log"; exit 1; }
mkdir -p build/screenshots
(cd web && BASE_URL="http://127.0.0.1:$(cat "$WEBT/port")" SCREENSHOT_DIR="$ROOT/build/screenshots" \
  LT_USER=sysadmin LT_PASSWORD='Demo@2025' npm run --silent test:browser)
kill -TERM "$SRV_PID"; wait "$SRV_PID"; SRV_PID=""
rm -rf "$WEBT"
echo "browser test passed; screenshots in build/screenshots/"
