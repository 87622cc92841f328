# lienthong — two commands do everything on a fresh Debian 12 machine (as root):
#   make run    install what is missing, build, load the demo data and serve on http://localhost:8080
#   make test   the same set-up, then every test (unit, API on SQLite and PostgreSQL, browser)
SHELL := /bin/bash
.DEFAULT_GOAL := help
JOBS ?= $(shell nproc)
PORT ?= 8080

APT_PACKAGES := build-essential cmake ninja-build ccache pkg-config git \
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
  libsqlite3-dev sqlite3 libpq-dev postgresql libsodium-dev libssl-dev libicu-dev \
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev libgtest-dev libgmock-dev libbenchmark-dev \
  libcairo2-dev libfreetype-dev libqrencode-dev fonts-dejavu-core \
  chromium poppler-utils zbar-tools python3 curl
BENCH_PACKAGES := wrk nginx python3-pandas

.PHONY: help deps deps-bench web build build-asan run test test-cxx test-browser bench clean

help:
	@echo "make run    - install, build, seed the demo and serve on http://localhost:$(PORT)"
	@echo "make test   - install, build (ASan+UBSan) and run every test"
	@echo "make build  - build build/lienthong (Release)"
	@echo "make bench  - run the benchmarks (docs/PERFORMANCE.md)"

# Installs only what is missing; a no-op (about a second) on a prepared machine.
deps:
	@scripts/install-deps.sh $(APT_PACKAGES)
	@command -v node >/dev/null && command -v npm >/dev/null || scripts/install-deps.sh nodejs npm

deps-bench: deps
	@scripts/install-deps.sh $(BENCH_PACKAGES)

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

web/dist/index.html: web/node_modules/.package-lock.json $(shell find web/src web/index.html web/vite.config.ts -type f 2>/dev/null)
	cd web && npm run --silent build

web: deps web/dist/index.html

build/build.ninja:
	cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DLT_TESTS=OFF -DLT_BENCH=ON

build: deps build/build.ninja
	cmake --build build -j $(JOBS) --target lienthong

build-asan/build.ninja:
	cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DLT_SANITIZE=ON -DLT_TESTS=ON

build-asan: deps build-asan/build.ninja
	cmake --build build-asan -j $(JOBS)

run: build web
	mkdir -p var
	./build/lienthong units import-event --db sqlite:var/demo.db data/events/*.json
	@# Demo registries: 20,000 generated people on the real map (once), then the demo accounts' own records.
	@test -f var/demo-data/parcels.rejects.csv || ./build/lienthong demo generate --db sqlite:var/demo.db --citizens 20000 --out var/demo-data --import >/dev/null
	@for r in citizens households enterprises; do ./build/lienthong import $$r --db sqlite:var/demo.db --input data/demo/$$r.csv --rejects var/demo-data/demo-$$r.rejects.csv >/dev/null; done
	./build/lienthong serve --port $(PORT) --db sqlite:var/demo.db --demo

# Every test: C++ unit and API tests (ASan+UBSan build) on SQLite and on a throwaway PostgreSQL,
# then the browser test against the real server.
test: build-asan web
	scripts/test.sh

# Benchmarks (docs/PERFORMANCE.md): the Release build/ with -DLT_BENCH=ON (re-applied in case build/
# was configured before the option existed), then nginx vs the server under wrk, idle-connection
# memory, the address micro-benchmarks, 1,000,000-address conversions and the pandas baseline,
# 1,000,000 generated citizens imported into SQLite and a throwaway PostgreSQL against sqlite3's
# .import and COPY (sqlite3 and postgresql come with `deps`), and citizen lookups over HTTP.
bench: deps-bench build
	@cmake -S . -B build -DLT_BENCH=ON >/dev/null
	cmake --build build -j $(JOBS) --target lienthong lt_bench_address
	scripts/bench.sh

clean:
	rm -rf build build-asan web/dist var
