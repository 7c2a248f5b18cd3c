#!/usr/bin/env bash
# The realtime benchmark (issue M1.8): CLIENTS server-sent-event streams on GET /api/realtime,
# each subscribed to `rt_events/*`, and RATE creates per second in that collection for DURATION
# seconds; every create reaches every client. Measures, on a fresh Basalt (Release build):
#   - the event latency from the create's send to its receipt by a client (p50/p90/p99/max),
#     from bench_realtime (bench/realtime/), which stamps each record with the wall clock; and
#     from the record's `created` date (stamped by the server before the commit, so an upper
#     bound of commit to receipt) to its receipt;
#   - the server's memory (RssAnon, RssFile from /proc/PID/status) before the clients, with
#     every client connected and subscribed but idle (-> KiB per idle client), and the peak
#     during the writes;
#   - the server's CPU time (utime + stime from /proc/PID/stat) to connect and subscribe the
#     clients, with them idle for IDLE_SECONDS, and over the writes.
# Targets: p99 < 100 ms at 10,000 clients and 100 writes/s; < 16 KiB of server memory per idle
# client. Prints a table; never fails on slowness. Part of `make bench`.
#
# Knobs (environment): CLIENTS (10000), RATE creates/s (100), DURATION seconds (30),
# IDLE_SECONDS (5; the window in which the idle clients' CPU is measured), ROUNDS (1; each round is a fresh server and a fresh set of clients, the table shows medians),
# RAMP streams opened per second (2000), GENERATOR_THREADS (2), BENCH_SERVER_THREADS (2),
# BENCH_BUILD_DIR (build/release).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
clients="${CLIENTS:-10000}"
rate="${RATE:-100}"
duration="${DURATION:-30}"
rounds="${ROUNDS:-1}"
idle_seconds="${IDLE_SECONDS:-5}"
ramp="${RAMP:-2000}"
generator_threads="${GENERATOR_THREADS:-2}"
server_threads="${BENCH_SERVER_THREADS:-2}"
build_dir="${BENCH_BUILD_DIR:-$root/build/release}"
perf_data="${BENCH_PERF_DATA:-}"
startup_timeout=15  # seconds for the server to announce its port
# Seconds for every client to subscribe: the ramp, plus time for a loaded machine.
ready_timeout=$((clients / ramp + 60))
settle_seconds=5    # after the last create is answered, for its events to reach every client
# Descriptors each process needs beyond one per client: listeners, POST and writer
# connections, database files, logs.
fd_margin=1024
collection=rt_events
email=bench-realtime@example.com
password='bench realtime password'

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
require_positive "$clients" "$rate" "$duration" "$rounds" "$ramp" "$generator_threads" \
  "$server_threads" "$idle_seconds"
basalt="$build_dir/basalt"
generator="$build_dir/bench/bench_realtime"
for f in "$basalt" "$generator"; do
  [ -x "$f" ] || { echo "bench: $f not found; run 'make build' first" >&2; exit 2; }
done
command -v curl >/dev/null || { echo "bench: curl not installed" >&2; exit 2; }
command -v python3 >/dev/null || { echo "bench: python3 not installed" >&2; exit 2; }

# One descriptor per stream on each side: both processes inherit this shell's limit.
needed_fds=$((clients + fd_margin))
hard_fds="$(ulimit -Hn)"
if [ "$hard_fds" != unlimited ] && ((hard_fds < needed_fds)); then
  echo "bench: CLIENTS=$clients needs $needed_fds open files per process, but the hard limit" \
    "(ulimit -Hn) is $hard_fds; raise it (limits.conf, systemd LimitNOFILE, or" \
    "'ulimit -Hn $needed_fds' as root) or lower CLIENTS" >&2
  exit 2
fi
ulimit -n "$needed_fds"

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-realtime-bench.XXXXXX")"
generator_pid=""
cleanup() {
  [ -z "$generator_pid" ] || kill -TERM "$generator_pid" 2>/dev/null || true
  stop_servers
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # run the EXIT trap on Ctrl-C too

# The server's limits sized to the run; the realtime ones exist once realtime does.
server_flags=(--threads "$server_threads" --max-connections $((clients + fd_margin)))
if "$basalt" config docs | grep -- --realtime-max-clients >/dev/null; then
  server_flags+=(--realtime-max-clients $((clients + fd_margin)))
fi

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# thread_ticks PID: "tid name ticks" per thread (utime + stime), to split the server's CPU by
# thread (workers, writer, read pool) between two snapshots (thread_cpu).
thread_ticks() {
  python3 - "$1" <<'EOF'
import os, sys
for tid in os.listdir(f"/proc/{sys.argv[1]}/task"):
    try:
        text = open(f"/proc/{sys.argv[1]}/task/{tid}/stat").read()
    except OSError:
        continue
    name = text[text.index("(") + 1:text.rindex(")")].replace(" ", "_")
    fields = text[text.rindex(")") + 2:].split()  # from field 3 (state) on
    print(tid, name, int(fields[11]) + int(fields[12]))
EOF
}
# thread_cpu BEFORE AFTER: "name seconds" summed by thread name, busiest first.
thread_cpu() {
  awk -v hz="$(getconf CLK_TCK)" 'NR == FNR { before[$1] = $3; next }
    { used[$2] += $3 - before[$1] }
    END { for (n in used) if (used[n] > 0) printf "%s %.2f\n", n, used[n] / hz }' "$1" "$2" |
    sort -k2 -gr | awk '{ printf "%s%s %s s", sep, $1, $2; sep = ", " } END { print "" }'
}
# tcp_mem_kib: kernel memory of every TCP socket on the machine (/proc/net/sockstat, pages):
# socket buffers are not in any process's RSS, but they are what an idle stream costs too.
tcp_mem_kib() {
  awk '$1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") print $(i + 1) * 4 }' \
    /proc/net/sockstat
}
cpu_seconds() { awk -v t="$1" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'; }

# The collection: anyone lists, views and creates (the writer is a guest), two number fields.
create_collection() {
  local url="$1" token
  token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
    -H 'Content-Type: application/json' \
    -d "{\"identity\":\"$email\",\"password\":\"$password\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
  curl -sf -X POST "$url/api/collections" -H "Authorization: $token" \
    -H 'Content-Type: application/json' -d "{
    \"name\": \"$collection\", \"type\": \"base\",
    \"listRule\": \"\", \"viewRule\": \"\", \"createRule\": \"\",
    \"fields\": [{\"name\": \"sent_us\", \"type\": \"number\"},
                 {\"name\": \"seq\", \"type\": \"number\"},
                 {\"name\": \"created\", \"type\": \"autodate\", \"onCreate\": true}]}" >/dev/null
}

# generator_line PATTERN SECONDS: reads the generator's stdout (logging every line) until a
# line starting with PATTERN; sets `line`. Fails if the generator ends or the time passes.
generator_line() {
  local deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    if ! IFS= read -r -t $((deadline - SECONDS + 1)) -u "$generator_out" line; then break; fi
    echo "$line" >>"$work/generator.log"
    [[ "$line" != "$1"* ]] || return 0
  done
  echo "bench: bench_realtime did not print '$1' within $2 s; it said:" >&2
  cat "$work/generator.log" >&2
  exit 1
}

# run_round N: one fresh server, one set of clients; appends a line to $work/rounds:
#   p50 p90 p99 max idle_anon_kib_per_client idle_total_kib_per_client anon0 file0 anon1 file1
#   anon_peak file_peak connect_cpu_s write_cpu_s events subscribed failures reconnects
#   events_min events_max target drops created not_created create_p99_ms generator_cpu_s
#   tcp_kib_per_client first_p50 first_p99 fan_out_p50 fan_out_p99 idle_cpu_percent
#   created_p50 created_p90 created_p99 created_max
run_round() {
  local round="$1" data="$work/data-$1" pid url
  "$basalt" superuser upsert "$email" "$password" --dir "$data" >/dev/null
  start_server "basalt-$round" "$basalt" serve --http 127.0.0.1:0 --dir "$data" "${server_flags[@]}"
  pid="${pids[-1]}"
  url="${urls[-1]}"
  create_collection "$url"

  local anon0 file0 anon1 file1 ticks0 ticks1 ticks2 ticks_writes tcp0 tcp1 idle_ticks
  anon0="$(rss_kib "$pid" RssAnon)" file0="$(rss_kib "$pid" RssFile)"
  ticks0="$(cpu_ticks "$pid")"
  tcp0="$(tcp_mem_kib)"

  rm -f "$work/generator.in" "$work/generator.out"
  mkfifo "$work/generator.in" "$work/generator.out"
  "$generator" --port "${url##*:}" --collection "$collection" --clients "$clients" \
    --threads "$generator_threads" --ramp "$ramp" --rate "$rate" --duration "$duration" \
    --ready-timeout "$ready_timeout" --settle "$settle_seconds" --wait-stdin \
    <"$work/generator.in" >"$work/generator.out" &
  generator_pid=$!
  # Read-write opens do not wait for the other end.
  exec {generator_in}<>"$work/generator.in" {generator_out}<"$work/generator.out"
  : >"$work/generator.log"

  generator_line READY $((ready_timeout + 30))
  if [[ "$line" == *" subscribed=0 "* ]]; then
    echo "bench: no client could subscribe; bench_realtime said:" >&2
    cat "$work/generator.log" >&2
    exit 1
  fi
  anon1="$(rss_kib "$pid" RssAnon)" file1="$(rss_kib "$pid" RssFile)"
  ticks1="$(cpu_ticks "$pid")"
  tcp1="$(tcp_mem_kib)"
  echo "bench: round $round: $line; server RssAnon $(mib "$anon0") -> $(mib "$anon1") MiB" >&2

  # A measurement window, not a wait for anything: what idle streams cost the server per second
  # (its sweeps over connections and clients).
  sleep "$idle_seconds"
  idle_ticks=$(($(cpu_ticks "$pid") - ticks1))
  ticks_writes="$(cpu_ticks "$pid")"

  watch_peak "$pid" "$work/anon-peak" RssAnon &
  local anon_watcher=$!
  watch_peak "$pid" "$work/file-peak" RssFile &
  local file_watcher=$!
  thread_ticks "$pid" >"$work/threads-before"
  local perf_pid=""
  if [ -n "$perf_data" ]; then
    perf record -q -e cpu-clock -g -p "$pid" -o "$perf_data.$round" 2>/dev/null &
    perf_pid=$!
  fi
  echo go >&"$generator_in"
  generator_line WRITES_DONE $((duration + 60))
  [ -z "$perf_pid" ] || { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
  ticks2="$(cpu_ticks "$pid")"
  thread_ticks "$pid" >"$work/threads-after"
  thread_cpu "$work/threads-before" "$work/threads-after" >"$work/threads-$round"
  generator_line RESULT $((settle_seconds + 60))
  kill "$anon_watcher" "$file_watcher"
  wait "$anon_watcher" "$file_watcher" 2>/dev/null || true
  wait "$generator_pid" || true
  generator_pid=""
  exec {generator_in}>&- {generator_out}<&-
  grep -v '^RESULT\|^READY\|^WRITING\|^WRITES_DONE' "$work/generator.log" | sed 's/^/bench:   /' >&2

  python3 - "${line#RESULT }" "$anon0" "$file0" "$anon1" "$file1" "$(cat "$work/anon-peak")" \
    "$(cat "$work/file-peak")" "$(cpu_seconds $((ticks1 - ticks0)))" \
    "$(cpu_seconds $((ticks2 - ticks_writes)))" $((tcp1 - tcp0)) \
    "$(awk -v t="$idle_ticks" -v s="$idle_seconds" -v hz="$(getconf CLK_TCK)" \
      'BEGIN { printf "%.1f", t / hz / s * 100 }')" >>"$work/rounds" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
anon0, file0, anon1, file1, anon_peak, file_peak = (int(v) for v in sys.argv[2:8])
connect_cpu, write_cpu = sys.argv[8:10]
tcp_kib = int(sys.argv[10])
idle_cpu_percent = sys.argv[11]
n = max(r["subscribed"], 1)
failures = sum(r[k] for k in ("connect_failures", "status_failures", "framing_failures",
                              "subscribe_failures"))
print(r["p50_ms"], r["p90_ms"], r["p99_ms"], r["max_ms"], f"{(anon1 - anon0) / n:.2f}",
      f"{(anon1 + file1 - anon0 - file0) / n:.2f}", anon0, file0, anon1, file1, anon_peak,
      file_peak, connect_cpu, write_cpu, r["events"], r["subscribed"], failures,
      r["reconnects"], r["events_min"], r["events_max"], r["event_target"], r["drops"],
      r["writes_created"], r["writes_skipped"] + r["writes_refused"] + r["writes_errors"],
      r["create_p99_ms"], r["generator_cpu_writing_s"], f"{tcp_kib / n:.2f}",
      r["first_p50_ms"], r["first_p99_ms"], r["fan_out_p50_ms"], r["fan_out_p99_ms"],
      idle_cpu_percent, r["created_p50_ms"], r["created_p90_ms"], r["created_p99_ms"],
      r["created_max_ms"])
EOF
  kill -TERM "$pid"
  wait "$pid" 2>/dev/null || true
}

echo "bench: $clients clients (ramp $ramp/s, $generator_threads generator threads), $rate creates/s" \
  "for ${duration}s, $rounds round(s); server with $server_threads threads; $(nproc) CPU(s)" >&2
for ((round = 1; round <= rounds; round++)); do
  load_note
  run_round "$round"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

f="$work/rounds"
printf '\nrealtime: %s clients subscribed to %s/*, %s creates/s for %s s; server %s threads;' \
  "$clients" "$collection" "$rate" "$duration" "$server_threads"
printf ' medians of %s round(s); load average after: %s\n' "$rounds" "$load_after"
printf '%-34s %12s %12s\n' "server memory (max over rounds)" RssAnon RssFile
max() { awk -v c="$1" '$c > m { m = $c } END { print m + 0 }' "$2"; }
printf '%-34s %8s MiB %8s MiB\n' "before clients" "$(mib "$(max 7 "$f")")" "$(mib "$(max 8 "$f")")"
printf '%-34s %8s MiB %8s MiB\n' "$clients idle clients subscribed" "$(mib "$(max 9 "$f")")" \
  "$(mib "$(max 10 "$f")")"
printf '%-34s %8s MiB %8s MiB\n' "peak while writing" "$(mib "$(max 11 "$f")")" \
  "$(mib "$(max 12 "$f")")"
printf '%-34s %8s KiB (RssAnon + RssFile: %s KiB; target < 16)\n' "per idle client, RssAnon" \
  "$(median 5 "$f")" "$(median 6 "$f")"
printf '%-34s %8s KiB (kernel TCP memory, both ends, /proc/net/sockstat)\n' \
  "per idle client, socket buffers" "$(median 27 "$f")"
printf '%-34s %8s s   (%s ms per client)\n' "server CPU, connect + subscribe" "$(median 13 "$f")" \
  "$(awk -v s="$(median 13 "$f")" -v n="$clients" 'BEGIN { printf "%.3f", s * 1000 / n }')"
printf '%-34s %8s %%   (of one core, over %s s)\n' "server CPU, clients idle" \
  "$(median 32 "$f")" "$idle_seconds"
printf '%-34s %8s s   (%s%% of one core; %s µs per event delivered)\n' \
  "server CPU, writing" "$(median 14 "$f")" \
  "$(awk -v s="$(median 14 "$f")" -v d="$duration" 'BEGIN { printf "%.0f", s * 100 / d }')" \
  "$(awk -v s="$(median 14 "$f")" -v e="$(median 15 "$f")" 'BEGIN { printf "%.2f", e ? s * 1e6 / e : 0 }')"
printf '%-34s %s\n' "server CPU by thread, writing" "$(cat "$work/threads-$rounds")"
printf '%-34s %8s s\n' "generator CPU, writing" "$(median 26 "$f")"
printf '%-34s %8s ms  p90 %s ms  p99 %s ms (target < 100)  max %s ms\n' \
  "event latency, send to receipt p50" "$(median 1 "$f")" "$(median 2 "$f")" "$(median 3 "$f")" \
  "$(median 4 "$f")"
printf '%-34s %8s ms  p90 %s ms  p99 %s ms (target < 100)  max %s ms\n' \
  "event latency, created to receipt" "$(median 33 "$f")" "$(median 34 "$f")" \
  "$(median 35 "$f")" "$(median 36 "$f")"
printf '%-34s %8s ms  p99 %s ms (the create, its commit, the first delivery)\n' \
  "per create, send to 1st receipt p50" "$(median 28 "$f")" "$(median 29 "$f")"
printf '%-34s %8s ms  p99 %s ms (one event to every client)\n' \
  "per create, 1st to last receipt p50" "$(median 30 "$f")" "$(median 31 "$f")"
printf '%-34s %8s of %s (events per client min %s max %s of %s creates)\n' \
  "clients subscribed" "$(median 16 "$f")" "$clients" "$(median 19 "$f")" "$(median 20 "$f")" \
  "$(median 21 "$f")"
printf '%-34s %8s (reconnects %s, drops %s; creates not made %s; create p99 %s ms)\n' \
  "client failures" "$(max 17 "$f")" "$(max 18 "$f")" "$(max 22 "$f")" "$(max 24 "$f")" \
  "$(median 25 "$f")"
