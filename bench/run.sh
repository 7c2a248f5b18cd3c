#!/usr/bin/env bash
# HTTP benchmark: Basalt against the hand-written Beast server in bench/ceiling, on loopback.
# Called by `make bench` after the Release build; prints a table, never fails on slowness.
#
# Servers (all with BENCH_SERVER_THREADS threads, on port 0, announced port read from stdout):
#   ceiling        build/release/bench/bench_ceiling
#   basalt         build/release/basalt serve ...  (default config: access log on, to a file)
#   basalt-nolog   build/release/basalt serve ... --access-log false
# Each round runs wrk once against every server in turn, so drift in machine load hits all of
# them alike; the table reports per-server medians over the rounds.
#
# Knobs (environment): BENCH_ROUNDS (3), BENCH_DURATION seconds per run (10),
# BENCH_CONNECTIONS (64), BENCH_WRK_THREADS (2), BENCH_SERVER_THREADS (2),
# BENCH_BUILD_DIR (build/release). Names avoid the BASALT_ prefix, which the server rejects.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-10}"
connections="${BENCH_CONNECTIONS:-64}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
startup_timeout=15  # seconds for a server to announce its port
path=/api/health

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_positive "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads"
basalt="$build_dir/basalt"
ceiling="$build_dir/bench/bench_ceiling"
for f in "$basalt" "$ceiling"; do
  [ -x "$f" ] || { echo "bench: $f not found; run 'make build' first" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench: wrk not installed (scripts/install-deps.sh)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
trap stop_servers EXIT
trap 'exit 130' INT TERM  # run the EXIT trap on Ctrl-C too

mkdir "$work/data-log" "$work/data-nolog"
start_server ceiling "$ceiling" 0 "$server_threads"
start_server basalt "$basalt" serve --http 127.0.0.1:0 --dir "$work/data-log" \
  --threads "$server_threads"
start_server basalt-nolog "$basalt" serve --http 127.0.0.1:0 --dir "$work/data-nolog" \
  --threads "$server_threads" --access-log false

# One results file per server; a line per round: req/s p50_ms p99_ms errors.
echo "bench: wrk -t$wrk_threads -c$connections -d${duration}s --latency <url>$path," \
  "$rounds round(s), servers with $server_threads thread(s), $(nproc) CPU(s)" >&2
load_note
for ((round = 1; round <= rounds; round++)); do
  for i in "${!names[@]}"; do
    out="$work/wrk.out"
    timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency \
      "${urls[$i]}$path" >"$out"
    read -r rps p50 p99 errors < <(wrk_figures "$out")
    echo "$rps $p50 $p99 $errors" >>"$work/${names[$i]}.results"
    printf 'bench: round %d/%d %-13s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s\n' \
      "$round" "$rounds" "${names[$i]}" "$rps" "$p50" "$p99" "$errors" >&2
  done
done

ceiling_rps="$(median 1 "$work/ceiling.results")"
printf '\n%-13s %12s %10s %10s %11s %10s %10s %7s\n' \
  server "req/s" "p50 ms" "p99 ms" "vs ceiling" "idle RSS" "peak RSS" errors
for i in "${!names[@]}"; do
  f="$work/${names[$i]}.results"
  rps="$(median 1 "$f")"
  ratio="$(ratio_of "$rps" "$ceiling_rps")"
  errors="$(awk '{ n += $4 } END { print n + 0 }' "$f")"
  printf '%-13s %12.0f %10s %10s %11s %7s MiB %6s MiB %7s\n' "${names[$i]}" "$rps" \
    "$(median 2 "$f")" "$(median 3 "$f")" "$ratio" \
    "$(mib "${idle_rss[$i]}")" "$(mib "$(rss_kib "${pids[$i]}" VmHWM)")" "$errors"
done
