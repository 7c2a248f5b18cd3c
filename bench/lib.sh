# shellcheck shell=bash disable=SC2154  # work and startup_timeout are the caller's
# Shared by the wrk runners (bench/run.sh, bench/posts.sh); sourced, not run.
#
# The caller sets `work` (a scratch directory it removes) and `startup_timeout` before calling
# start_server, and stops the processes in `pids` on exit (stop_servers does both).

names=() pids=() urls=() idle_rss=()

# require_positive VALUE...: every knob must be a positive integer.
require_positive() {
  local n
  for n in "$@"; do
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "bench: knobs must be positive integers, got '$n'" >&2; exit 2; }
  done
}

stop_servers() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -rf "$work"
}

# rss_kib PID KEY: a /proc/PID/status figure in KiB (VmRSS now, VmHWM the peak).
rss_kib() { awk -v key="$2:" '$1 == key { print $2 }' "/proc/$1/status"; }

# reset_peak_rss PID: sets VmHWM back to the current RSS, so the next reading is the peak of
# what ran in between (Linux clear_refs, value 5).
reset_peak_rss() { echo 5 >"/proc/$1/clear_refs"; }

# watch_peak PID FILE KEY: until killed, keeps in FILE the largest /proc/PID/status KEY (KiB)
# seen, sampled every 0.1 s. RssAnon is private memory (heap and stacks); RssFile the pages of
# files mapped and touched — for Basalt mostly data.db read through SQLite's mmap, page cache
# shared with the kernel and dropped by it under pressure. VmHWM is their sum.
watch_peak() {
  local max=0 key value _
  echo 0 >"$2"
  while [ -r "/proc/$1/status" ]; do
    while read -r key value _; do
      if [ "$key" = "$3:" ] && ((value > max)); then
        max=$value
        # Replaced whole: the watcher is killed at any moment, never mid-write.
        echo "$max" >"$2.tmp" && mv "$2.tmp" "$2"
      fi
    done <"/proc/$1/status"
    sleep 0.1
  done
}

# watch_anon_rss PID FILE: watch_peak of RssAnon.
watch_anon_rss() { watch_peak "$1" "$2" RssAnon; }

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

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

# to_ms VALUE: wrk prints latencies as 301.00us, 1.74ms or 1.02s.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) printf "%.3f", v / 1000; else if (v ~ /ms$/) printf "%.3f", v + 0;
    else if (v ~ /s$/) printf "%.3f", v * 1000; else printf "nan" }'
}

# wrk_figures FILE: "req/s p50_ms p99_ms errors" from the output of `wrk --latency`. Errors are
# non-2xx/3xx answers plus socket errors: a fast server that answers errors is not fast.
wrk_figures() {
  local rps p50 p99 errors
  rps="$(awk '/^Requests\/sec:/ { print $2 }' "$1")"
  p50="$(to_ms "$(awk '$1 == "50%" { print $2 }' "$1")")"
  p99="$(to_ms "$(awk '$1 == "99%" { print $2 }' "$1")")"
  errors="$(awk '/Non-2xx or 3xx responses:/ { n += $NF }
    /Socket errors:/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$1")"
  echo "$rps $p50 $p99 $errors"
}

# median COLUMN FILE: middle value (mean of the two middle ones for an even count).
median() {
  awk -v c="$1" '{ print $c }' "$2" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ratio_of A B: A / B with two decimals (0 when B is 0).
ratio_of() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }

# load_note: other work on the machine (a build) skews every figure; this makes it visible.
load_note() { echo "bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2; }
