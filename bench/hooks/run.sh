#!/usr/bin/env bash
# Lua hooks' cost (docs/hooks.md), wrk over loopback, every workload in each round so machine
# load hits all alike; medians of the rounds. Three servers on copies of the same empty schema:
#   none        no scripts
#   noop        a no-op beforeCreate hook on posts, and a custom route returning small JSON
#   validation  a realistic validation hook (length checks, a pattern, a computed field)
# Workloads:
#   create-none / create-noop / create-validation  POST …/posts/records on each server
#   get-by-id   GET …/posts/records/{id} on `noop` (no view hook)
#   route       GET /api/bench/{name} on `noop`: a custom route answering {"hello": name}
# Targets: create-noop >= 0.95 x create-none; route >= 0.5 x get-by-id.
# Knobs: BENCH_ROUNDS (3), BENCH_DURATION s (5), BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2),
# BENCH_SERVER_THREADS (2), BENCH_BUILD_DIR (build/release).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-5}"
connections="${BENCH_CONNECTIONS:-32}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
startup_timeout=15
here="$root/bench/hooks"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
basalt="$build_dir/basalt"
work="$(mktemp -d)"
pids=() names=() urls=() idle_rss=()
trap 'stop_servers; rm -rf "$work"' EXIT
load_note

email=bench@example.com
password=bench-password-1
setup_dir() {  # setup_dir NAME: a data directory with its hooks
  local dir="$work/$1"
  mkdir -p "$dir/hooks"
  "$basalt" superuser upsert "$email" "$password" --dir "$dir" >/dev/null 2>&1
  case "$1" in
    noop)
      cat >"$dir/hooks/bench.lua" <<'LUA'
basalt.on("beforeCreate", "posts", function(e) end)
basalt.route("GET", "/api/bench/{name}", function(req) return { hello = req.params.name } end)
LUA
      ;;
    validation)
      cp "$here/validation.lua" "$dir/hooks/bench.lua"
      ;;
  esac
}

for name in none noop validation; do
  setup_dir "$name"
  start_server "$name" "$basalt" serve --http 127.0.0.1:0 --dir "$work/$name" \
    --threads "$server_threads" --access-log false
  url="${urls[-1]}"
  token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
    -H 'Content-Type: application/json' \
    -d "{\"identity\":\"$email\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
  curl -sf -X POST "$url/api/collections" -H "Authorization: $token" \
    -H 'Content-Type: application/json' -o /dev/null \
    -d '{"name":"posts","type":"base","listRule":"","viewRule":"","createRule":"",
         "fields":[{"name":"title","type":"text"},{"name":"body","type":"text"},
                   {"name":"views","type":"number"}]}'
done
noop_url="${urls[1]}"
post_id="$(curl -sf -X POST "$noop_url/api/collections/posts/records" \
  -H 'Content-Type: application/json' -d '{"title":"seed post","views":1}' |
  sed -E 's/.*"id":"([^"]+)".*/\1/')"

run() {  # run WORKLOAD URL SCRIPT PATH_
  PATH_="$4" wrk --latency -t "$wrk_threads" -c "$connections" -d "${duration}s" -s "$here/$3" \
    "$2" >"$work/wrk.out"
  echo "$(wrk_figures "$work/wrk.out")" >>"$work/$1.rows"
}

workloads=(create-none create-noop create-validation get-by-id route)
for ((round = 1; round <= rounds; round++)); do
  run create-none "${urls[0]}" create.lua /api/collections/posts/records
  run create-noop "${urls[1]}" create.lua /api/collections/posts/records
  run create-validation "${urls[2]}" create.lua /api/collections/posts/records
  run get-by-id "$noop_url" get.lua "/api/collections/posts/records/$post_id"
  run route "$noop_url" get.lua /api/bench/ann
done

printf '%-18s %10s %9s %9s %7s\n' workload 'req/s' 'p50 ms' 'p99 ms' errors
for w in "${workloads[@]}"; do
  printf '%-18s %10s %9s %9s %7s\n' "$w" "$(median 1 "$work/$w.rows")" \
    "$(median 2 "$work/$w.rows")" "$(median 3 "$work/$w.rows")" "$(median 4 "$work/$w.rows")"
done
none="$(median 1 "$work/create-none.rows")"
echo "create-noop / create-none: $(ratio_of "$(median 1 "$work/create-noop.rows")" "$none") (target >= 0.95)"
echo "create-validation / create-none: $(ratio_of "$(median 1 "$work/create-validation.rows")" "$none")"
echo "route / get-by-id: $(ratio_of "$(median 1 "$work/route.rows")" "$(median 1 "$work/get-by-id.rows")") (target >= 0.5)"
