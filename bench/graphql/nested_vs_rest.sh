#!/usr/bin/env bash
# GraphQL nested query vs the REST list with the same `expand`, in the same run (docs/graphql.md,
# "How a query runs"; docs/performance.md, "GraphQL vs REST"). Called by `make bench`; prints a
# table, never fails on slowness.
#
# Data (bench/graphql/seed_nested.py): 20 posts, each with its author and 5 comments, each
# comment with its author; every rule "" (guests read everything, no token needed).
# Workloads, each a GET run by wrk against the same server, alternating within each round so
# drift in machine load hits all alike:
#   rest            GET /api/collections/posts/records?perPage=20&expand=author,comments_via_post.author
#                   (a list page, its total, one query per expand level)
#   rest-skiptotal  the same with skipTotal=1 (no COUNT)
#   graphql         GET /api/graphql?query={ posts(limit: 20) { id title author { id name }
#                   comments_via_post { id body author { id name } } } }
# REST answers carry more per record (collectionId, collectionName, relation ids): the table
# shows both body sizes.
#
# Statement counts: afterwards the same data directory is served again with
# --db-trace-statements true, each request is sent twice, and the "sql:" lines the second one
# logged are counted (a real count from SQLite's trace hook, not derived from the code).
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (8),
# BENCH_CONNECTIONS (32), BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (2),
# BENCH_BUILD_DIR (build/release).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-8}"
connections="${BENCH_CONNECTIONS:-32}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
startup_timeout=30
# shellcheck source=../lib.sh
source "$root/bench/lib.sh"
require_positive "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required (scripts/install-deps.sh)" >&2; exit 2; }
done
basalt="$build_dir/basalt"
[ -x "$basalt" ] || { echo "bench: $basalt not built" >&2; exit 2; }

work="$(mktemp -d)"
trap stop_servers EXIT
email="bench-superuser@example.com"
password="bench password 123"
"$basalt" superuser upsert "$email" "$password" --dir "$work/data" >/dev/null

serve_flags=(--dir "$work/data" --access-log false --threads "$server_threads")
start_server basalt "$basalt" serve --http 127.0.0.1:0 "${serve_flags[@]}"
url="${urls[0]}"
python3 "$root/bench/graphql/seed_nested.py" "$url" "$email" "$password"

rest_path='/api/collections/posts/records?perPage=20&expand=author,comments_via_post.author'
graphql_query='{ posts(limit: 20) { id title author { id name } comments_via_post { id body author { id name } } } }'
graphql_path="/api/graphql?query=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$graphql_query")"
declare -A paths=([rest]="$rest_path" [rest-skiptotal]="$rest_path&skipTotal=1" [graphql]="$graphql_path")
workloads=(rest rest-skiptotal graphql)

# The answers must be what the comparison claims: 20 posts, 100 comments, every author.
for workload in "${workloads[@]}"; do
  curl -sf "$url${paths[$workload]}" >"$work/$workload.json"
done
python3 - "$work" <<'EOF'
import json, sys
work = sys.argv[1]
rest = json.load(open(f"{work}/rest.json"))["items"]
graphql = json.load(open(f"{work}/graphql.json"))["data"]["posts"]
assert len(rest) == 20 and len(graphql) == 20, (len(rest), len(graphql))
for r, g in zip(rest, graphql):
    assert r["id"] == g["id"] and r["expand"]["author"]["name"] == g["author"]["name"]
    rc = r["expand"]["comments_via_post"]
    assert [c["id"] for c in rc] == [c["id"] for c in g["comments_via_post"]]
    assert [c["expand"]["author"]["name"] for c in rc] == [c["author"]["name"] for c in g["comments_via_post"]]
EOF

load_note
results="$work/results"
: >"$results"
for ((round = 1; round <= rounds; round++)); do
  for workload in "${workloads[@]}"; do
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency "$url${paths[$workload]}" >"$work/wrk.out"
    read -r rps p50 p99 errors < <(wrk_figures "$work/wrk.out")
    echo "$workload $rps $p50 $p99 $errors" >>"$results"
    echo "bench: round $round $workload: $rps req/s, p50 $p50 ms, p99 $p99 ms, errors $errors" >&2
  done
done
stop_servers_keep_data() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=() names=() urls=() idle_rss=()
}
stop_servers_keep_data

# Statement counts on a traced server over the same data.
rm -f "$work/basalt.stdout"
start_server traced "$basalt" serve --http 127.0.0.1:0 "${serve_flags[@]}" --db-trace-statements true
traced="${urls[0]}"
declare -A statements
for workload in "${workloads[@]}"; do
  curl -sf -o /dev/null "$traced${paths[$workload]}"  # warms caches (plans, schema, counts)
  before="$(grep -c 'sql: ' "$work/traced.stderr" || true)"
  curl -sf -o /dev/null "$traced${paths[$workload]}"
  after="$(grep -c 'sql: ' "$work/traced.stderr" || true)"
  statements[$workload]=$((after - before))
  # The statements themselves (their first 160 characters), for the reader of the log.
  grep 'sql: ' "$work/traced.stderr" | tail -n +"$((before + 1))" | head -n "${statements[$workload]}" |
    sed -E 's/.*sql: /  /' | cut -c1-160 | sed "s/^/bench: $workload statement: /" >&2
done

printf '%-15s %10s %9s %9s %7s %11s %11s\n' workload "req/s" "p50 ms" "p99 ms" errors "body bytes" statements
for workload in "${workloads[@]}"; do
  grep "^$workload " "$results" >"$work/one"
  printf '%-15s %10s %9s %9s %7s %11s %11s\n' "$workload" "$(median 2 "$work/one")" \
    "$(median 3 "$work/one")" "$(median 4 "$work/one")" "$(awk '{ n += $5 } END { print n + 0 }' "$work/one")" \
    "$(wc -c <"$work/$workload.json")" "${statements[$workload]}"
done
grep "^graphql " "$results" >"$work/g"
grep "^rest " "$results" >"$work/r"
echo "graphql / rest req/s (medians): $(ratio_of "$(median 2 "$work/g")" "$(median 2 "$work/r")")"
