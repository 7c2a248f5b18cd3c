#!/usr/bin/env bash
# Basalt on PostgreSQL, measured (docs/postgres.md, "Speed"): the "posts" data of bench/posts.sh
# (1,000 users, 100,000 posts) served once from SQLite and once from a throwaway PostgreSQL 15
# server (scripts/postgres-test-server.sh), with the same wrk workloads against both in the same
# rounds, and PostgreSQL's own `pgbench -S` (a primary-key SELECT per transaction) in those
# rounds too: the ceiling a GET by id over PostgreSQL can approach. Prints a table; never fails
# on slowness.
#
# Workloads (bench/wrk/*.lua; each round runs them in this order):
#   pgbench-S        pgbench -S -c CONNECTIONS -j 2 -M prepared on a pgbench database (scale 10)
#   pgbench-S-pool   the same with as many clients as Basalt's pool holds (threads x pool size)
#   get-by-id@pg     GET /api/collections/posts/records/{random id}, public viewRule
#   get-by-id@sqlite the same on SQLite
#   list@pg, list@sqlite          GET …/posts/records?perPage=20&sort=-created&filter=views >
#                                 8000 && published = true
#   owner-get@pg, owner-get@sqlite GET …/private_posts/records/{id} as the signed-in owner
#   create@pg, create@sqlite      POST …/posts/records
# Medians over the rounds. Ratios: get-by-id@pg / pgbench-S (target >= 0.6), and each
# PostgreSQL workload over its SQLite twin.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8), BENCH_CONNECTIONS
# (64), BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (2), BENCH_PG_POOL (db-pool-size, 4),
# BENCH_PG_PORT (55462), BENCH_BUILD_DIR (build/release), BENCH_WORKLOADS (a subset, in order).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-8}"
connections="${BENCH_CONNECTIONS:-64}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
pool_size="${BENCH_PG_POOL:-4}"
pg_port="${BENCH_PG_PORT:-55462}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
only="${BENCH_WORKLOADS:-}"
startup_timeout=30
warmup_seconds=1
settle_seconds=1
wrk_timeout=10s

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_positive "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads" \
  "$pool_size" "$pg_port"
basalt="$build_dir/basalt"
[ -x "$basalt" ] || { echo "bench: $basalt not found; run 'make build' first" >&2; exit 2; }
for tool in wrk curl python3 psql pgbench; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-pg-bench.XXXXXX")"
# The cluster's directory is outside $work: as root, the server runs as the postgres user,
# which must reach it (scripts/postgres-test-server.sh creates it).
pg_dir="$(mktemp -d -u "${TMPDIR:-/tmp}/basalt-pg-bench-server.XXXXXX")"
cleanup() {
  stop_servers_keep_work
  "$root/scripts/postgres-test-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
# stop_servers (bench/lib.sh) without removing $work yet: the servers stop before the cluster.
stop_servers_keep_work() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: starting PostgreSQL on port $pg_port (scripts/postgres-test-server.sh)" >&2
server_url="$("$root/scripts/postgres-test-server.sh" start "$pg_dir" "$pg_port")"
database_url() {
  python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' \
    "$server_url" "$1"
}
psql -X -q -v ON_ERROR_STOP=1 -d "$server_url" -c 'CREATE DATABASE bench_posts' \
  -c 'CREATE DATABASE bench_pgbench'
posts_url="$(database_url bench_posts)"
pgbench_url="$(database_url bench_pgbench)"

echo "bench: seeding 1,000 users and 100,000 posts (bench/posts/seed.py), copying them to PostgreSQL" >&2
python3 "$root/bench/posts/seed.py" "$basalt" "$work/sqlite-data" "$work"
# shellcheck source=/dev/null
source "$work/user.env"  # EMAIL, PASSWORD, USER_ID of the user who owns owner_ids.txt
"$basalt" collections import "$root/bench/posts/collections.json" --dir "$work/pg-data" \
  --db "$posts_url" >/dev/null
"$basalt" superuser upsert bench-superuser@example.com "$PASSWORD" --dir "$work/pg-data" \
  --db "$posts_url" >/dev/null
python3 "$root/bench/postgres/copy_rows.py" "$work/sqlite-data/data.db" "$posts_url"
pgbench -q -i -s 10 "$pgbench_url" >/dev/null 2>&1

start_server sqlite "$basalt" serve --http 127.0.0.1:0 --dir "$work/sqlite-data" \
  --threads "$server_threads"
start_server pg "$basalt" serve --http 127.0.0.1:0 --dir "$work/pg-data" --db "$posts_url" \
  --threads "$server_threads" --db-pool-size "$pool_size"
declare -A server_index=([sqlite]=0 [pg]=1)

sign_in() {
  curl -sf -X POST "$1/api/collections/users/auth-with-password" \
    -H 'Content-Type: application/json' \
    -d "{\"identity\":\"$EMAIL\",\"password\":\"$PASSWORD\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])'
}
declare -A token=([sqlite]="$(sign_in "${urls[0]}")" [pg]="$(sign_in "${urls[1]}")")

pool_clients=$((server_threads * pool_size))
workloads=(pgbench-S pgbench-S-pool get-by-id@pg get-by-id@sqlite list@pg list@sqlite
  owner-get@pg owner-get@sqlite create@pg create@sqlite)
if [ -n "$only" ]; then read -r -a workloads <<<"$only"; fi

# workload NAME: sets `engine`, `script` and `script_env` for a wrk workload.
workload() {
  local posts=/api/collections/posts/records/
  engine="${1#*@}"
  case "${1%@*}" in
    get-by-id) script=posts_get_by_id.lua script_env=(PREFIX="$posts" IDS="$work/post_ids.txt") ;;
    list) script=posts_list.lua script_env=() ;;
    owner-get) script=posts_get_by_id.lua
      script_env=(PREFIX=/api/collections/private_posts/records/ IDS="$work/owner_ids.txt"
                  TOKEN="${token[$engine]}") ;;
    create) script=posts_create.lua script_env=(AUTHOR="$USER_ID") ;;
  esac
}

# run NAME SECONDS OUT: one run; OUT gets "req/s p50_ms p99_ms errors".
run() {
  case "$1" in
    pgbench-S*)
      local clients="$connections"
      [ "$1" = pgbench-S ] || clients="$pool_clients"
      pgbench -S -M prepared -c "$clients" -j 2 -T "$2" "$pgbench_url" >"$3.raw" 2>&1 || true
      # pgbench reports a mean latency, no percentiles: p50 is that mean, p99 unknown.
      awk '/^tps =/ { tps = $3 } /^latency average =/ { lat = $4 }
        /failed transactions:/ { failed = $3 } END { printf "%s %s nan %d\n", tps, lat, failed + 0 }' \
        "$3.raw" >"$3"
      ;;
    *)
      workload "$1"
      env "${script_env[@]}" timeout $(($2 + 30)) wrk -t"$wrk_threads" -c"$connections" -d"$2s" \
        --timeout "$wrk_timeout" --latency -s "$root/bench/wrk/$script" \
        "${urls[${server_index[$engine]}]}" >"$3.raw"
      wrk_figures "$3.raw" >"$3"
      ;;
  esac
  sleep "$settle_seconds"
}

echo "bench: wrk -t$wrk_threads -c$connections -d${duration}s, pgbench -S -c $connections and" \
  "-c $pool_clients, $rounds round(s), servers with $server_threads thread(s)" \
  "(PostgreSQL: db-pool-size $pool_size), $(nproc) CPU(s)" >&2
load_note
for name in "${workloads[@]}"; do
  run "$name" "$warmup_seconds" "$work/out"
  read -r _ _ _ errors <"$work/out"
  if [ "$errors" != 0 ]; then
    echo "bench: $name answers errors ($errors in ${warmup_seconds}s of warm-up):" >&2
    cat "$work/out.raw" >&2
    exit 1
  fi
done
for ((round = 1; round <= rounds; round++)); do
  for name in "${workloads[@]}"; do
    run "$name" "$duration" "$work/out"
    cat "$work/out" >>"$work/$name.results"
    read -r rps p50 p99 errors <"$work/out"
    printf 'bench: round %d/%d %-17s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s\n' \
      "$round" "$rounds" "$name" "$rps" "$p50" "$p99" "$errors" >&2
  done
done

printf '\n%-17s %10s %9s %9s %7s\n' workload "req/s" "p50 ms" "p99 ms" errors
for name in "${workloads[@]}"; do
  f="$work/$name.results"
  printf '%-17s %10.0f %9s %9s %7s\n' "$name" "$(median 1 "$f")" "$(median 2 "$f")" \
    "$(median 3 "$f")" "$(awk '{ n += $4 } END { print n + 0 }' "$f")"
done
for name in pgbench-S pgbench-S-pool get-by-id@pg get-by-id@sqlite list@pg list@sqlite \
  owner-get@pg owner-get@sqlite create@pg create@sqlite; do touch "$work/$name.results"; done
ratio() { ratio_of "$(median 1 "$work/$1.results")" "$(median 1 "$work/$2.results")"; }
printf '\nget-by-id@pg / pgbench-S (%d clients): %s (target >= 0.6)\n' "$connections" \
  "$(ratio get-by-id@pg pgbench-S)"
printf 'get-by-id@pg / pgbench-S-pool (%d clients): %s\n' "$pool_clients" \
  "$(ratio get-by-id@pg pgbench-S-pool)"
for w in get-by-id list owner-get create; do
  printf '%s: PostgreSQL / SQLite %s\n' "$w" "$(ratio "$w@pg" "$w@sqlite")"
done
