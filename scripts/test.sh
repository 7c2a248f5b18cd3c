#!/usr/bin/env bash
# `make test`: every test tier, stopping at the first failing one.
#   1. Release build; unit + integration tests (ctest)
#   2. e2e: the official `pocketbase` npm SDK against the Release binary (node:test), then a
#      smoke run of PocketBase's benchmark scenarios with tiny counts (bench/scenarios)
#   3. libFuzzer (clang) over the filter, multipart, fields, JWT and index SQL parsers for a
#      short fixed budget (tests/fuzz/run.sh)
#   4. ASan+UBSan build; unit + integration tests again (last, so CI's closing line is ctest's)
# Parallelism follows the machine (2 cores in CI); ccache makes rebuilds cheap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="$(nproc)"
# ccache keys on relative paths, so a fresh clone (CI) reuses the objects of earlier builds.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
step() { printf '\n== %s\n' "$*"; }

step "release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

step "unit + integration tests (release)"
ctest --preset release -j "$jobs"

step "e2e tests (pocketbase SDK)"
(cd tests/e2e && E2E_BASALT_BINARY="$PWD/../../build/release/basalt" npm test)

step "scenario smoke run (bench/scenarios --smoke: every answer checked, tiny counts)"
# Its per-scenario progress goes to a log, shown only when the run fails.
smoke_log="$(mktemp)"
if ! node bench/scenarios/main.mjs --smoke --binary "$PWD/build/release/basalt" >/dev/null 2>"$smoke_log"; then
  cat "$smoke_log"
  rm -f "$smoke_log"
  exit 1
fi
tail -n 1 "$smoke_log"
rm -f "$smoke_log"

step "fuzz: filter, multipart, fields, jwt and index_sql parsers (${FUZZ_SECONDS:-20} s)"
tests/fuzz/run.sh "${FUZZ_SECONDS:-20}"

step "asan+ubsan build"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

step "unit + integration tests (asan+ubsan)"
ctest --preset asan -j "$jobs"
