#!/usr/bin/env bash
# The "posts" workload: Basalt's records API on 100,000 posts written by 1,000 users, with wrk
# over loopback, and the same single-record read on the hand-written ceiling (bench/ceiling)
# in the same run. Called by `make bench`; prints a table, never fails on slowness.
#
# Workloads (bench/wrk/*.lua; the table keeps this order):
#   ceiling-get  ceiling  GET /posts/{random id}: SQLite read by primary key + record JSON
#   get-by-id    basalt   GET /api/collections/posts/records/{random id}, public viewRule
#   list         basalt   GET …/posts/records?perPage=20&sort=-created&filter=views > 8000 &&
#                         published = true (~10% of the posts match)
#   owner-get    basalt   GET …/private_posts/records/{id} as a signed-in user, viewRule
#                         `author = @request.auth.id`, ids of that user's posts
#   ceiling-create ceiling POST /posts: the same post row inserted by one writer thread with
#                         group commit (an author check and an INSERT per post)
#   create       basalt   POST …/posts/records, public createRule
#   batch        basalt   POST /api/batch of BENCH_BATCH_SIZE creates of that post, on
#                         BENCH_BATCH_CONNECTIONS connections (settings.batch raised first);
#                         its req/s column counts records, not requests
#   ceiling-list-count ceiling GET /posts?perPage=20: the two statements Basalt runs for
#                         list-count (page SELECT and COUNT over ~50,000 published posts), both
#                         on every request, on the ceiling's threads
#   list-count   basalt   GET …/posts/records?perPage=20&filter=published = true: the same
#                         dashboard list again and again, its total over ~50,000 posts
#   mixed        basalt   get-by-id, list and create in turn (each connection cycles them)
#   mixed-alone  basalt   mixed again, on a Basalt process of its own that runs nothing else: its
#                         RssAnon is the memory of that load alone (target <= 32 MiB)
#   get-metrics-on  basalt  get-by-id on a Basalt process of its own with metrics on (the
#                         default), and
#   get-metrics-off basalt  the same on one started with --metrics false: the cost of counting
#                         (docs/observability.md, "Overhead"; target: off / on <= 1.02)
# With BENCH_BASELINE=/path/to/an/older/basalt, that binary serves a copy of the same data too and
# create-base / batch-base run against it in the same rounds (before/after figures of one run);
# BENCH_BASELINE2 adds a second one the same way (create-base2 / batch-base2).
# With BENCH_CACHE_SIZES="4MiB 8MiB" (db-cache-size values), each size gets two Basalt processes
# of its own started with it, one running only get-by-id@SIZE, the other only mixed@SIZE.
# Each round runs every workload once in that order, so drift in machine load hits all alike;
# the table reports medians over the rounds, the peak RSS of each workload (VmHWM, reset before
# every run; it includes data.db pages mapped by SQLite), the peak RssAnon (private memory: heap
# and stacks) and the peak RssFile (data.db pages read through mmap), both sampled every 0.1 s,
# the server's CPU time per record written or read (utime + stime from /proc/PID/stat over the
# run, divided by the records) and get-by-id req/s as a ratio of ceiling-get req/s, create as a
# ratio of ceiling-create, list-count as a ratio of ceiling-list-count and batch as a ratio of
# create.
#
# BENCH_WORKLOADS="create batch" runs only the workloads named (in that order; the ratios need
# both of theirs, a missing one reads 0).
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8),
# BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (2),
# BENCH_BUILD_DIR (build/release), BENCH_POSTS_ANALYZE (0; 1 runs ANALYZE after seeding, giving
# SQLite's planner the statistics a periodic `PRAGMA optimize` would).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-8}"
connections="${BENCH_CONNECTIONS:-64}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
analyze="${BENCH_POSTS_ANALYZE:-0}"
batch_size="${BENCH_BATCH_SIZE:-1000}"
batch_connections="${BENCH_BATCH_CONNECTIONS:-4}"
baseline="${BENCH_BASELINE:-}"
baseline2="${BENCH_BASELINE2:-}"
read -r -a cache_sizes <<<"${BENCH_CACHE_SIZES:-}"
only="${BENCH_WORKLOADS:-}"
startup_timeout=15  # seconds for a server to announce its port
warmup_seconds=1    # per workload, before the rounds: fills the page cache, checks for errors
# Pause after each run: when wrk stops, the server still answers the requests already queued
# (64 slow list requests take ~0.2 s), which would otherwise land in the next workload's tail.
settle_seconds=1
# wrk's default 2 s timeout would drop the slowest list answers from the latency figures (and
# count them as errors) instead of measuring them.
wrk_timeout=10s

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_positive "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads" \
  "$batch_size" "$batch_connections"
basalt="$build_dir/basalt"
ceiling="$build_dir/bench/bench_ceiling"
for f in "$basalt" "$ceiling" ${baseline:+"$baseline"} ${baseline2:+"$baseline2"}; do
  [ -x "$f" ] || { echo "bench: $f not found; run 'make build' first" >&2; exit 2; }
done
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-posts-bench.XXXXXX")"
trap stop_servers EXIT
trap 'exit 130' INT TERM  # run the EXIT trap on Ctrl-C too

echo "bench: seeding 1,000 users and 100,000 posts (bench/posts/seed.py)" >&2
python3 "$root/bench/posts/seed.py" "$basalt" "$work/data" "$work"
if [ "$analyze" = 1 ]; then
  python3 -c 'import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("ANALYZE")' \
    "$work/data/data.db"
fi
# shellcheck source=/dev/null
source "$work/user.env"  # EMAIL, PASSWORD, USER_ID of the user who owns owner_ids.txt

# Every server writes to a database of its own, so their creates do not add up.
cp -r "$work/data" "$work/ceiling-data"
cp -r "$work/data" "$work/seed-data"  # copied for each further server before anything runs on it

# Servers: index 0 the ceiling, 1 Basalt, then the others in the order started (their indexes
# in `server_of`). Basalt runs with its default configuration (access log on, to a file), as in
# bench/run.sh's "basalt" row.
declare -A server_of
# start_basalt KEY BINARY [FLAGS...]: a Basalt-like server on a copy of the seeded data of its own.
start_basalt() {
  local key="$1" binary="$2"
  shift 2
  cp -r "$work/seed-data" "$work/$key-data"
  server_of[$key]=${#pids[@]}
  start_server "$key" "$binary" serve --http 127.0.0.1:0 --dir "$work/$key-data" \
    --threads "$server_threads" "$@"
}
start_server ceiling "$ceiling" 0 "$server_threads" "$work/ceiling-data/data.db"
start_server basalt "$basalt" serve --http 127.0.0.1:0 --dir "$work/data" \
  --threads "$server_threads"
start_basalt alone "$basalt"
start_basalt metrics-on "$basalt"
start_basalt metrics-off "$basalt" --metrics false
[ -z "$baseline" ] || start_basalt baseline "$baseline"
[ -z "$baseline2" ] || start_basalt baseline2 "$baseline2"
for size in "${cache_sizes[@]}"; do
  start_basalt "get@$size" "$basalt" --db-cache-size "$size"
  start_basalt "mixed@$size" "$basalt" --db-cache-size "$size"
done

# allow_batches URL: batches of batch_size requests, with time for the queue behind them.
allow_batches() {
  local superuser_token
  superuser_token="$(curl -sf -X POST "$1/api/collections/_superusers/auth-with-password" \
    -H 'Content-Type: application/json' \
    -d "{\"identity\":\"bench-superuser@example.com\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
  curl -sf -X PATCH "$1/api/settings" -H 'Content-Type: application/json' \
    -H "Authorization: $superuser_token" \
    -d "{\"batch\":{\"enabled\":true,\"maxRequests\":$batch_size,\"timeout\":120}}" >/dev/null
}
for ((i = 1; i < ${#urls[@]}; i++)); do allow_batches "${urls[$i]}"; done

token="$(curl -sf -X POST "${urls[1]}/api/collections/users/auth-with-password" \
  -H 'Content-Type: application/json' \
  -d "{\"identity\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"

workloads=(ceiling-get get-by-id list owner-get ceiling-create create batch ceiling-list-count
  list-count mixed mixed-alone get-metrics-on get-metrics-off)
[ -z "$baseline" ] || workloads+=(create-base batch-base)
[ -z "$baseline2" ] || workloads+=(create-base2 batch-base2)
for size in "${cache_sizes[@]}"; do workloads+=("get-by-id@$size" "mixed@$size"); done
if [ -n "$only" ]; then
  read -r -a workloads <<<"$only"
fi
# workload NAME: sets `server` (an index into urls/pids), `script` and `script_env` (the
# script's environment) for that workload.
workload() {
  local posts=/api/collections/posts/records/
  case "$1" in
    ceiling-get) server=0 script=posts_get_by_id.lua
      script_env=(PREFIX=/posts/ IDS="$work/post_ids.txt") ;;
    get-by-id) server=1 script=posts_get_by_id.lua
      script_env=(PREFIX="$posts" IDS="$work/post_ids.txt") ;;
    list) server=1 script=posts_list.lua script_env=() ;;
    owner-get) server=1 script=posts_get_by_id.lua
      script_env=(PREFIX=/api/collections/private_posts/records/ IDS="$work/owner_ids.txt"
                  TOKEN="$token") ;;
    ceiling-create) server=0 script=posts_create.lua
      script_env=(AUTHOR="$USER_ID" CREATE_PATH=/posts) ;;
    create) server=1 script=posts_create.lua script_env=(AUTHOR="$USER_ID") ;;
    batch) server=1 script=posts_batch.lua script_env=(AUTHOR="$USER_ID" COUNT="$batch_size") ;;
    create-base*) server=${server_of[baseline${1#create-base}]} script=posts_create.lua
      script_env=(AUTHOR="$USER_ID") ;;
    batch-base*) server=${server_of[baseline${1#batch-base}]} script=posts_batch.lua
      script_env=(AUTHOR="$USER_ID" COUNT="$batch_size") ;;
    get-by-id@*) server=${server_of[get@${1#get-by-id@}]} script=posts_get_by_id.lua
      script_env=(PREFIX="$posts" IDS="$work/post_ids.txt") ;;
    get-metrics-on|get-metrics-off) server=${server_of[${1#get-}]} script=posts_get_by_id.lua
      script_env=(PREFIX="$posts" IDS="$work/post_ids.txt") ;;
    mixed-alone|mixed@*) server=${server_of[${1/mixed-alone/alone}]} script=posts_mixed.lua
      script_env=(PREFIX="$posts" IDS="$work/post_ids.txt" AUTHOR="$USER_ID") ;;
    ceiling-list-count) server=0 script=posts_list_count.lua script_env=(LIST_PATH="/posts?perPage=20") ;;
    list-count) server=1 script=posts_list_count.lua script_env=() ;;
    mixed) server=1 script=posts_mixed.lua
      script_env=(PREFIX="$posts" IDS="$work/post_ids.txt" AUTHOR="$USER_ID") ;;
  esac
  records_per_request=1 wrk_connections="$connections"
  if [[ "$1" == batch* ]]; then records_per_request="$batch_size" wrk_connections="$batch_connections"; fi
}

# cpu_ticks PID: the process's utime + stime so far, in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# run_wrk NAME SECONDS OUT: one wrk run of workload NAME, its report in OUT.
run_wrk() {
  workload "$1"
  env "${script_env[@]}" timeout $(($2 + 30)) wrk -t"$wrk_threads" -c"$wrk_connections" -d"$2s" \
    --timeout "$wrk_timeout" --latency -s "$root/bench/wrk/$script" "${urls[$server]}" >"$3"
  sleep "$settle_seconds"
}

echo "bench: wrk -t$wrk_threads -c$connections -d${duration}s --latency, $rounds round(s)," \
  "servers with $server_threads thread(s), $(nproc) CPU(s)" >&2
load_note
for name in "${workloads[@]}"; do
  run_wrk "$name" "$warmup_seconds" "$work/wrk.out"
  read -r _ _ _ errors < <(wrk_figures "$work/wrk.out")
  if [ "$errors" != 0 ]; then
    echo "bench: $name answers errors ($errors in ${warmup_seconds}s of warm-up); wrk said:" >&2
    cat "$work/wrk.out" >&2
    exit 1
  fi
done

# One results file per workload; a line per round:
#   records/s p50_ms p99_ms errors peak_rss_kib peak_anon_kib peak_file_kib cpu_us_per_record
for ((round = 1; round <= rounds; round++)); do
  for name in "${workloads[@]}"; do
    workload "$name"
    reset_peak_rss "${pids[$server]}"
    watch_peak "${pids[$server]}" "$work/anon" RssAnon &
    watcher=$!
    watch_peak "${pids[$server]}" "$work/file" RssFile &
    file_watcher=$!
    ticks_before="$(cpu_ticks "${pids[$server]}")"
    run_wrk "$name" "$duration" "$work/wrk.out"
    ticks="$(($(cpu_ticks "${pids[$server]}") - ticks_before))"
    kill "$watcher" "$file_watcher"
    wait "$watcher" "$file_watcher" 2>/dev/null || true
    read -r rps p50 p99 errors < <(wrk_figures "$work/wrk.out")
    rps="$(awk -v r="$rps" -v n="$records_per_request" 'BEGIN { printf "%.2f", r * n }')"
    records="$(awk '/requests in/ { print $1 }' "$work/wrk.out")"
    cpu_us="$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$records" \
      -v k="$records_per_request" 'BEGIN { printf "%.1f", (n > 0) ? t / hz * 1e6 / (n * k) : 0 }')"
    peak="$(rss_kib "${pids[$server]}" VmHWM)"
    echo "$rps $p50 $p99 $errors $peak $(cat "$work/anon") $(cat "$work/file") $cpu_us" >>"$work/$name.results"
    printf 'bench: round %d/%d %-11s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s\n' \
      "$round" "$rounds" "$name" "$rps" "$p50" "$p99" "$errors" >&2
  done
done

# max COLUMN FILE: the largest value of that column.
max() { awk -v c="$1" '$c > m { m = $c } END { print m + 0 }' "$2"; }
printf '\n%-16s %-10s %10s %9s %9s %10s %10s %10s %11s %7s\n' \
  workload server "rec/s" "p50 ms" "p99 ms" "peak RSS" "peak anon" "peak file" "CPU µs/rec" errors
for name in "${workloads[@]}"; do
  workload "$name"
  f="$work/$name.results"
  printf '%-16s %-10s %10.0f %9s %9s %6s MiB %6s MiB %6s MiB %11s %7s\n' "$name" "${names[$server]}" \
    "$(median 1 "$f")" "$(median 2 "$f")" "$(median 3 "$f")" "$(mib "$(max 5 "$f")")" \
    "$(mib "$(max 6 "$f")")" "$(mib "$(max 7 "$f")")" "$(median 8 "$f")" \
    "$(awk '{ n += $4 } END { print n + 0 }' "$f")"
done
# Workloads left out by BENCH_WORKLOADS read as empty (ratios 0).
for name in ceiling-get get-by-id ceiling-create create batch ceiling-list-count list-count \
  create-base batch-base create-base2 \
  batch-base2 mixed-alone get-metrics-on get-metrics-off; do touch "$work/$name.results"; done
# ratio A B: median records/s of workload A over that of B.
ratio() { ratio_of "$(median 1 "$work/$1.results")" "$(median 1 "$work/$2.results")"; }
printf '\nget-by-id / ceiling-get: %s (target >= 0.7)\n' "$(ratio get-by-id ceiling-get)"
printf 'create / ceiling-create: %s (target >= 0.6)\n' "$(ratio create ceiling-create)"
printf 'batch / create (records/s): %s (target >= 5)\n' "$(ratio batch create)"
printf 'list-count / ceiling-list-count: %s (target >= 0.9)\n' "$(ratio list-count ceiling-list-count)"
if [ -n "$baseline" ]; then
  printf 'create / create-base: %s (target >= 3)\n' "$(ratio create create-base)"
  printf 'batch / batch-base: %s\n' "$(ratio batch batch-base)"
fi
if [ -n "$baseline2" ]; then
  printf 'create / create-base2: %s\n' "$(ratio create create-base2)"
  printf 'batch / batch-base2: %s\n' "$(ratio batch batch-base2)"
fi
printf 'get-metrics-off / get-metrics-on: %s (metrics cost; target <= 1.02)\n' \
  "$(ratio get-metrics-off get-metrics-on)"
printf 'mixed-alone peak RssAnon: %s MiB (target <= 32)\n' \
  "$(mib "$(max 6 "$work/mixed-alone.results")")"
for size in "${cache_sizes[@]}"; do
  printf 'db-cache-size %s: get-by-id / ceiling-get %s, mixed peak RssAnon %s MiB\n' "$size" \
    "$(ratio "get-by-id@$size" ceiling-get)" "$(mib "$(max 6 "$work/mixed@$size.results")")"
done
