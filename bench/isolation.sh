#!/usr/bin/env bash
# The "isolation" workload: does one kind of slow query stall other clients? Basalt serves
# 300 `nodes` that each link to 10 others (bench/isolation/seed.py); SLOW guest lists with the
# most expensive filter the cost limit lets through stay in flight the whole time (each loop
# sends the next as soon as the last answered), and wrk measures GET /api/health and GET of a
# random node by id alongside, with and without that load. Prints a table; never fails on
# slowness.
#
#   slow filter: links.links.links.links.links.links.title ?= 't0' || … ?= 't7' (8 terms, six
#   hops of maxSelect 10 with any-of operators: an estimated 8 * 10^6 row visits per record,
#   under the 10^7 limit; every one runs until db-user-statement-timeout stops it)
#
# Knobs (environment): BENCH_DURATION seconds per run (8), BENCH_SLOW (8) slow lists in flight,
# BENCH_CONNECTIONS (4) wrk connections, BENCH_SERVER_THREADS (2), BENCH_BUILD_DIR
# (build/release), BENCH_BASALT (that dir's basalt: point it at another build to compare).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${BENCH_DURATION:-8}"
slow_count="${BENCH_SLOW:-8}"
connections="${BENCH_CONNECTIONS:-4}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
basalt="${BENCH_BASALT:-$build_dir/basalt}"
# shellcheck disable=SC2034  # read by start_server (bench/lib.sh)
startup_timeout=15

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_positive "$duration" "$slow_count" "$connections" "$server_threads"
[ -x "$basalt" ] || { echo "bench: $basalt not found; run 'make build' first" >&2; exit 2; }
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-isolation-bench.XXXXXX")"
slow_pids=()
stop_all() {
  local pid
  for pid in "${slow_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${slow_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  stop_servers
}
trap stop_all EXIT
trap 'exit 130' INT TERM

"$basalt" superuser upsert bench@example.com 'bench password 1' --dir "$work/data" >/dev/null
start_server basalt "$basalt" serve --http 127.0.0.1:0 --dir "$work/data" \
  --threads "$server_threads" --access-log false
url="${urls[0]}"
token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
  -H 'Content-Type: application/json' \
  -d '{"identity":"bench@example.com","password":"bench password 1"}' |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
echo "bench: seeding 300 nodes with 10 links each" >&2
python3 "$root/bench/isolation/seed.py" "$url" "$token" 300 10 >"$work/ids.txt"

path="links.links.links.links.links.links.title"
filter="$path ?= 't0'"
for i in 1 2 3 4 5 6 7; do filter+=" || $path ?= 't$i'"; done
slow_url="$url/api/collections/nodes/records?filter=$(python3 -c \
  'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$filter")"
echo "bench: one slow list answers: $(curl -s -o /dev/null -w '%{http_code} in %{time_total}s' "$slow_url")" >&2

# run_wrk NAME: wrk against health and get-by-id; appends "NAME target req/s p50 p99 errors".
run_wrk() {
  local out="$work/wrk.txt"
  wrk -t1 -c"$connections" -d"${duration}s" --timeout 30s --latency "$url/api/health" >"$out"
  echo "$1 health $(wrk_figures "$out")" >>"$work/table.txt"
  PREFIX=/api/collections/nodes/records/ IDS="$work/ids.txt" wrk -t1 -c"$connections" \
    -d"${duration}s" --timeout 30s --latency -s "$root/bench/wrk/posts_get_by_id.lua" "$url" >"$out"
  echo "$1 get-by-id $(wrk_figures "$out")" >>"$work/table.txt"
}

load_note
run_wrk idle
for ((i = 0; i < slow_count; i++)); do
  (while true; do curl -s -o /dev/null "$slow_url" || true; done) &
  slow_pids+=("$!")
done
run_wrk "${slow_count}-slow"
for pid in "${slow_pids[@]}"; do kill "$pid" 2>/dev/null || true; done

printf '%-8s %-10s %10s %9s %9s %7s\n' load target req/s p50_ms p99_ms errors
while read -r load target rps p50 p99 errors; do
  printf '%-8s %-10s %10s %9s %9s %7s\n' "$load" "$target" "$rps" "$p50" "$p99" "$errors"
done <"$work/table.txt"
