#!/usr/bin/env bash
# `make test`: every test tier, stopping at the first failing one.
#   1. Release build (GCC); unit + integration tests (ctest), with a throwaway PostgreSQL server
#      for the PostgreSQL tests (scripts/postgres-test-server.sh, port 55432 or
#      BASALT_TEST_POSTGRES_PORT), which stays up for tier 4 and is stopped at exit
#   2. e2e: the official `pocketbase` npm SDK against the Release binary (node:test, several
#      files at once), then the dashboard in chromium (tests/ui), on SQLite and then the files
#      listed below on PostgreSQL (the server of tier 1, one fresh database per e2e server), then a smoke run of PocketBase's benchmark scenarios with tiny counts
#      (bench/scenarios) on SQLite and on PostgreSQL, the REST/GraphQL parity runner over
#      tests/scenarios/records, the offline check of deploy/'s manifests, then the container test
#      when its base image is cached (tests/container/run.sh --if-cached; `make container-test`
#      makes the cache)
#   3. libFuzzer over the filter, multipart, fields, JWT, index SQL and GraphQL parsers: a short
#      smoke run that replays the seeds and fuzzes a few seconds (tests/fuzz/run.sh); long
#      fuzzing is part of `make bench`
#   4. unit + integration tests again under ASan+UBSan (last, so CI's closing line is ctest's)
# Tiers 3 and 4 share one build tree (preset `asan`: clang, ASan+UBSan, the libraries also
# instrumented for libFuzzer). It is built in the background, at the lowest CPU priority, from
# the end of the Release build on: tiers 1-2 leave much of the machine idle (the e2e suite mostly
# waits on loopback round trips), and the build soaks that up without slowing them
# (docs/architecture.md, "Build"). Its output goes to build/asan-build.log and is shown when it
# fails; once tier 2 is done it runs at normal priority.
# BASALT_TEST_SERIAL=1 builds it in the foreground after tier 2 instead.
# Parallelism follows the machine (2 cores in CI); ccache makes rebuilds cheap.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

jobs="$(nproc)"
# ccache keys on paths relative to the clone, so a fresh clone (CI) reuses the objects of earlier
# builds (docs/architecture.md, "Build", says what else that needs).
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
step() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }

asan_log=build/asan-build.log
asan_pid=
build_asan='cmake --preset asan >/dev/null && cmake --build --preset asan -j "$0"'
# A failing tier must not leave the background build running.
stop_asan() {
  if [ -n "$asan_pid" ]; then
    kill -- "-$asan_pid" 2>/dev/null || true
    wait "$asan_pid" 2>/dev/null || true
  fi
}
# The driver tests' PostgreSQL server (docs/postgres.md, "Tests"), started before the first
# ctest and stopped at exit whatever happens; tests that need it read BASALT_TEST_POSTGRES_URL.
postgres_dir=
start_postgres() {
  postgres_dir="$(mktemp -d -u "${TMPDIR:-/tmp}/basalt-postgres.XXXXXX")"
  BASALT_TEST_POSTGRES_URL="$(scripts/postgres-test-server.sh start "$postgres_dir" \
    "${BASALT_TEST_POSTGRES_PORT:-55432}")"
  export BASALT_TEST_POSTGRES_URL
}
stop_postgres() {
  if [ -n "$postgres_dir" ]; then scripts/postgres-test-server.sh stop "$postgres_dir" || true; fi
}
on_exit() {
  stop_asan
  stop_postgres
}
trap on_exit EXIT

step "release build"
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs"

if [ "${BASALT_TEST_SERIAL:-0}" != 1 ]; then
  step "asan+ubsan build started in the background (nice 19, log: $asan_log)"
  # set -m: its own process group, so stop_asan ends the compilers too.
  set -m
  nice -n 19 bash -c "$build_asan" "$jobs" </dev/null >"$asan_log" 2>&1 &
  asan_pid=$!
  set +m
fi

step "postgresql test server (scripts/postgres-test-server.sh)"
start_postgres
echo "$BASALT_TEST_POSTGRES_URL"

# ctest of one preset. Every test takes one of $jobs `cpus` slots while it runs (the resource
# spec below), except those labelled `waits` (basalt_test_uses_a_core in CMakeLists.txt): they
# spend their time waiting on servers they start and on timeouts, so they run beside the
# others rather than idling on a core's turn; -j leaves room for all of them at once.
# The tests against s3rver (the S3 emulator, `*_s3_test`) run apart and up to three times:
# s3rver has, under a loaded machine, answered a HEAD right after a PUT with 404 and a GET with
# 0 bytes (two runs in hundreds, never reproduced alone; our code's side of it is covered by the
# same contract on the local backend and by the e2e suite on S3). Every other test runs once.
run_ctest() {
  local spec="$PWD/build/$1/ctest-resources.json" waiting
  printf '{"version":{"major":1,"minor":0},"local":[{"cpus":[{"id":"0","slots":%d}]}]}\n' \
    "$jobs" >"$spec"
  waiting="$(ctest --preset "$1" -N -L '^waits$' | sed -n 's/^Total Tests: //p')"
  ctest --preset "$1" -j "$((jobs + waiting))" --resource-spec-file "$spec" -E '_s3_test$'
  ctest --preset "$1" -R '_s3_test$' --repeat until-pass:3
}

step "unit + integration tests (release)"
run_ctest release

# Test files run E2E_CONCURRENCY at a time (each starts its own server on its own port and data
# directory, tests/e2e/README.md). 4 on 2 cores: fewer leave the CPU idle while files wait on
# round trips, more only add contention (73 s at 4 against 78 s at 6, docs/architecture.md).
step "e2e tests (pocketbase SDK)"
(cd tests/e2e && E2E_BASALT_BINARY="$PWD/../../build/release/basalt" \
  npm test -- --test-concurrency="${E2E_CONCURRENCY:-4}")

# The dashboard in a real browser (tests/ui, docs/dashboard.md): playwright-core driving
# Debian's chromium against the Release binary and the dashboard `make test` built in build/ui;
# screenshots in build/ui-test.
step "dashboard in chromium (tests/ui, playwright-core)"
make --no-print-directory ui  # a no-op when build/ui is up to date (make test built it)
(cd tests/ui && E2E_BASALT_BINARY="$PWD/../../build/release/basalt" npm test)

# Every e2e file runs on PostgreSQL too: each server gets a fresh database of its own on the
# test server (tests/e2e/postgres_databases.mjs), dropped after it. Files whose subject does not
# exist on PostgreSQL assert the documented answer instead (backups: 400) or skip with a
# printed reason (docs/postgres.md, "The e2e suite on PostgreSQL").
mapfile -t postgres_e2e_files < <(cd tests/e2e && ls -1 *.test.mjs)
step "e2e tests on PostgreSQL (E2E_DB=postgres, ${#postgres_e2e_files[@]} files)"
(cd tests/e2e && E2E_DB=postgres E2E_POSTGRES_URL="$BASALT_TEST_POSTGRES_URL" \
  E2E_BASALT_BINARY="$PWD/../../build/release/basalt" \
  node --test --test-concurrency="${E2E_CONCURRENCY:-4}" "${postgres_e2e_files[@]}")

# The scenario smoke run: every answer checked, tiny counts; once on SQLite, once with the data
# in a fresh database on the test PostgreSQL server. Its per-scenario progress goes to a log,
# shown only when the run fails.
for engine in sqlite postgres; do
  step "scenario smoke run on $engine (bench/scenarios --smoke: every answer checked, tiny counts)"
  engine_args=()
  if [ "$engine" = postgres ]; then engine_args=(--postgres "$BASALT_TEST_POSTGRES_URL"); fi
  smoke_log="$(mktemp)"
  if ! node bench/scenarios/main.mjs --smoke --binary "$PWD/build/release/basalt" \
    "${engine_args[@]}" >/dev/null 2>"$smoke_log"; then
    cat "$smoke_log"
    rm -f "$smoke_log"
    exit 1
  fi
  tail -n 1 "$smoke_log"
  rm -f "$smoke_log"
done

step "REST/GraphQL parity over the records scenarios (tests/scenarios/records_graphql_parity.mjs)"
# Every record read of tests/scenarios/records asked through REST and GraphQL as the same
# caller; the ones GraphQL cannot express are listed with their reasons (in the log). About
# 15 s: a fresh server per file. The bound only matters when something hangs.
parity_log="$(mktemp)"
if ! E2E_BASALT_BINARY="$PWD/build/release/basalt" timeout 180 \
  node tests/scenarios/records_graphql_parity.mjs >"$parity_log" 2>&1; then
  cat "$parity_log"
  rm -f "$parity_log"
  exit 1
fi
tail -n 1 "$parity_log"
rm -f "$parity_log"

# The cold path (debootstrap, 1.5 to 4 minutes here) is `make container-test`'s: with no cached
# base image this step only says so.
step "deploy/ manifests (tests/container/check_manifests.py) and the container image (tests/container/run.sh --if-cached)"
python3 tests/container/check_manifests.py build/release/basalt
tests/container/run.sh --if-cached

step "asan+ubsan build (clang; the fuzz targets too)"
# Nothing else of ours runs now, so the build gets normal priority back: at nice 19 it would
# crawl beside any other work on the machine. Raising a priority needs root; otherwise the
# background build is stopped (ninja keeps every object it finished; the one or two compiles in
# flight start again) and finished in the foreground.
if [ -n "$asan_pid" ] && renice -n 0 -g "$asan_pid" >/dev/null 2>&1; then
  status=0
  wait "$asan_pid" || status=$?
  asan_pid=
  if [ "$status" -ne 0 ]; then
    cat "$asan_log"
    echo "test.sh: the asan+ubsan build failed (log above, also in $asan_log)" >&2
    exit "$status"
  fi
  tail -n 1 "$asan_log"
else
  stop_asan
  asan_pid=
  bash -c "$build_asan" "$jobs"
fi

step "fuzz smoke: filter, multipart, fields, jwt, index_sql and graphql parsers (${FUZZ_SECONDS:-10} s in all)"
# The targets were built with the tree above; run.sh only checks that they are up to date.
tests/fuzz/run.sh "${FUZZ_SECONDS:-10}"

step "unit + integration tests (asan+ubsan)"
run_ctest asan
