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

for n in "$rounds" "$duration" "$connections" "$wrk_threads" "$server_threads"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench: knobs must be positive integers, got '$n'" >&2; exit 2; }
done
basalt="$build_dir/basalt"
ceiling="$build_dir/bench/bench_ceiling"
for f in "$basalt" "$ceiling"; do
  [ -x "$f" ] || { echo "bench: $f not found; run 'make build' first" >&2; exit 2; }
done
command -v wrk >/dev/null || { echo "bench: wrk not installed (scripts/install-deps.sh)" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-bench.XXXXXX")"
names=() pids=() urls=() idle_rss=()

stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -rf "$work"
}
trap stop_servers EXIT
trap 'exit 130' INT TERM  # run the EXIT trap on Ctrl-C too

rss_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# start_server NAME CMD...: runs CMD, waits (bounded) for its "Server started at URL" line.
# stdout goes through a FIFO so the wait is a blocking read with a timeout, not a poll.
start_server() {
  local name="$1"; shift
  local fifo="$work/$name.stdout" line fd
  mkfifo "$fifo"
  "$@" >"$fifo" 2>"$work/$name.stderr" &
  local pid=$!
  pids+=("$pid")
  # Kept open for the server's lifetime so a later write to stdout cannot raise SIGPIPE.
  exec {fd}<"$fifo"
  if ! IFS= read -r -t "$startup_timeout" -u "$fd" line || [[ "$line" != "Server started at "* ]]; then
    echo "bench: $name exited or did not announce its address within ${startup_timeout}s; stderr:" >&2
    cat "$work/$name.stderr" >&2
    exit 1
  fi
  names+=("$name")
  urls+=("${line#Server started at }")
  idle_rss+=("$(rss_kib "$pid" VmRSS)")
}

mkdir "$work/data-log" "$work/data-nolog"
start_server ceiling "$ceiling" 0 "$server_threads"
start_server basalt "$basalt" serve --http 127.0.0.1:0 --dir "$work/data-log" \
  --threads "$server_threads"
start_server basalt-nolog "$basalt" serve --http 127.0.0.1:0 --dir "$work/data-nolog" \
  --threads "$server_threads" --access-log false

# to_ms VALUE: wrk prints latencies as 301.00us, 1.74ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.3f", v / 1000; else if (v ~ /ms$/) printf "%.3f", v + 0;
    else if (v ~ /s$/) printf "%.3f", v * 1000; else printf "nan" }'
}

# One results file per server; a line per round: req/s p50_ms p99_ms errors.
echo "bench: wrk -t$wrk_threads -c$connections -d${duration}s --latency <url>$path," \
  "$rounds round(s), servers with $server_threads thread(s), $(nproc) CPU(s)" >&2
# Other work on the machine (a build) skews every figure; the load average makes that visible.
echo "bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for ((round = 1; round <= rounds; round++)); do
  for i in "${!names[@]}"; do
    out="$work/wrk.out"
    timeout $((duration + 30)) wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" --latency \
      "${urls[$i]}$path" >"$out"
    rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")"
    p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")"
    p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")"
    # A fast server that answers errors is not fast: count them so the table shows it.
    errors="$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
      /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")"
    echo "$rps $p50 $p99 $errors" >>"$work/${names[$i]}.results"
    printf 'bench: round %d/%d %-13s %10s req/s  p50 %8s ms  p99 %8s ms  errors %s\n' \
      "$round" "$rounds" "${names[$i]}" "$rps" "$p50" "$p99" "$errors" >&2
  done
done

# median COLUMN FILE: middle value (mean of the two middle ones for an even count).
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ceiling_rps="$(median 1 "$work/ceiling.results")"
printf '\n%-13s %12s %10s %10s %11s %10s %10s %7s\n' \
  server "req/s" "p50 ms" "p99 ms" "vs ceiling" "idle RSS" "peak RSS" errors
for i in "${!names[@]}"; do
  f="$work/${names[$i]}.results"
  rps="$(median 1 "$f")"
  ratio="$(awk -v a="$rps" -v b="$ceiling_rps" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')"
  errors="$(awk '{ n += $4 } END { print n + 0 }' "$f")"
  printf '%-13s %12.0f %10s %10s %11s %7s MiB %6s MiB %7s\n' "${names[$i]}" "$rps" \
    "$(median 2 "$f")" "$(median 3 "$f")" "$ratio" \
    "$(awk -v k="${idle_rss[$i]}" 'BEGIN { printf "%.1f", k / 1024 }')" \
    "$(awk -v k="$(rss_kib "${pids[$i]}" VmHWM)" 'BEGIN { printf "%.1f", k / 1024 }')" "$errors"
done
