#!/usr/bin/env bash
# One instance against three, behind haproxy on loopback, on one PostgreSQL (docs/scaling.md,
# "Running three instances"): the "posts" data of bench/posts.sh (1,000 users, 100,000 posts)
# in a throwaway PostgreSQL 15 (scripts/postgres-test-server.sh), then the same wrk workloads
# through haproxy in front of 1 and then 3 basalt instances (each with BENCH_SERVER_THREADS
# threads), in the same run. On a 2-core machine the three instances, haproxy, PostgreSQL and
# wrk share the same two cores: the figures show the cost of the balancer and the bus, not
# scaling. Prints a table; never fails on slowness.
#
# Workloads: get-by-id (GET /api/collections/posts/records/{random id}), list (filter + sort +
# count, as in bench/postgres.sh), create (POST, a record per request, the cluster bus carries
# each event to the other instances).
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8), BENCH_CONNECTIONS
# (64), BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (1), BENCH_PG_POOL (4), BENCH_PG_PORT
# (55463), BENCH_BUILD_DIR (build/release).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-8}"
connections="${BENCH_CONNECTIONS:-64}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-1}"
pool_size="${BENCH_PG_POOL:-4}"
pg_port="${BENCH_PG_PORT:-55463}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
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
haproxy="$(command -v haproxy || echo /usr/sbin/haproxy)"
[ -x "$haproxy" ] || { echo "bench: haproxy not installed" >&2; exit 2; }
for tool in wrk curl python3 psql; do
  command -v "$tool" >/dev/null || { echo "bench: $tool not installed" >&2; exit 2; }
done

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-cluster-bench.XXXXXX")"
pg_dir="$(mktemp -d -u "${TMPDIR:-/tmp}/basalt-cluster-bench-server.XXXXXX")"
haproxy_pid=""
stop_instances() {
  local pid
  [ -z "$haproxy_pid" ] || { kill -TERM "$haproxy_pid" 2>/dev/null || true; wait "$haproxy_pid" 2>/dev/null || true; }
  haproxy_pid=""
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=() urls=() names=()
}
cleanup() {
  stop_instances
  "$root/scripts/postgres-test-server.sh" stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "bench: starting PostgreSQL on port $pg_port (scripts/postgres-test-server.sh)" >&2
server_url="$("$root/scripts/postgres-test-server.sh" start "$pg_dir" "$pg_port")"
psql -X -q -v ON_ERROR_STOP=1 -d "$server_url" -c 'CREATE DATABASE bench_posts'
posts_url="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/bench_posts")))' "$server_url")"

echo "bench: seeding 1,000 users and 100,000 posts (bench/posts/seed.py), copying them to PostgreSQL" >&2
python3 "$root/bench/posts/seed.py" "$basalt" "$work/sqlite-data" "$work"
# shellcheck source=/dev/null
source "$work/user.env"  # USER_ID: the author of created posts
"$basalt" collections import "$root/bench/posts/collections.json" --dir "$work/cli" \
  --db "$posts_url" >/dev/null
python3 "$root/bench/postgres/copy_rows.py" "$work/sqlite-data/data.db" "$posts_url"

# start_cluster N: N instances and haproxy in front of them; sets balancer.
start_cluster() {
  local i port cfg="$work/haproxy-$1.cfg"
  for ((i = 0; i < $1; i++)); do
    start_server "n$1-i$i" "$basalt" serve --http 127.0.0.1:0 --dir "$work/n$1-i$i" \
      --db "$posts_url" --threads "$server_threads" --db-pool-size "$pool_size"
  done
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  {
    printf 'global\n  maxconn 4096\ndefaults\n  mode http\n  timeout connect 2s\n'
    printf '  timeout client 60s\n  timeout server 60s\n  option http-keep-alive\n'
    printf 'frontend basalt\n  bind 127.0.0.1:%s\n  default_backend instances\n' "$port"
    printf 'backend instances\n  balance roundrobin\n'
    for ((i = 0; i < $1; i++)); do printf '  server i%d %s\n' "$i" "${urls[$i]#http://}"; done
  } >"$cfg"
  "$haproxy" -f "$cfg" -db 2>"$work/haproxy-$1.log" &
  haproxy_pid=$!
  balancer="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do
    curl -sf "$balancer/api/health" >/dev/null && return 0
    sleep 0.1  # haproxy's start; bounded
  done
  echo "bench: haproxy did not answer" >&2
  exit 1
}

# run WORKLOAD SECONDS OUT: one wrk run against the balancer; OUT gets "req/s p50 p99 errors".
run() {
  local posts=/api/collections/posts/records/ script script_env=()
  case "$1" in
    get-by-id) script=posts_get_by_id.lua script_env=(PREFIX="$posts" IDS="$work/post_ids.txt") ;;
    list) script=posts_list.lua ;;
    create) script=posts_create.lua script_env=(AUTHOR="$USER_ID") ;;
  esac
  env "${script_env[@]}" timeout $(($2 + 30)) wrk -t"$wrk_threads" -c"$connections" -d"$2s" \
    --timeout "$wrk_timeout" --latency -s "$root/bench/wrk/$script" "$balancer" >"$3.raw"
  wrk_figures "$3.raw" >"$3"
  sleep "$settle_seconds"
}

workloads=(get-by-id list create)
echo "bench: wrk -t$wrk_threads -c$connections -d${duration}s, $rounds round(s), instances with" \
  "$server_threads thread(s) and db-pool-size $pool_size, $(nproc) CPU(s)" >&2
load_note
for n in 1 3; do
  start_cluster "$n"
  for name in "${workloads[@]}"; do run "$name" "$warmup_seconds" "$work/out"; done
  for ((round = 1; round <= rounds; round++)); do
    for name in "${workloads[@]}"; do
      run "$name" "$duration" "$work/out"
      cat "$work/out" >>"$work/$n-$name.results"
      read -r rps p50 p99 errors <"$work/out"
      printf 'bench: %d instance(s) round %d/%d %-10s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s\n' \
        "$n" "$round" "$rounds" "$name" "$rps" "$p50" "$p99" "$errors" >&2
    done
  done
  stop_instances
done

printf '\n%-10s %12s %12s %8s %10s %10s\n' workload "1 inst req/s" "3 inst req/s" "3 / 1" "p50 ms 1" "p50 ms 3"
for name in "${workloads[@]}"; do
  one="$(median 1 "$work/1-$name.results")"
  three="$(median 1 "$work/3-$name.results")"
  printf '%-10s %12.0f %12.0f %8s %10s %10s\n' "$name" "$one" "$three" "$(ratio_of "$three" "$one")" \
    "$(median 2 "$work/1-$name.results")" "$(median 2 "$work/3-$name.results")"
done
