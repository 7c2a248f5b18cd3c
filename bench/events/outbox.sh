#!/usr/bin/env bash
# What the transactional outbox costs at full create speed (docs/events.md, "Cost"), with wrk
# as the client (bench/events/outbox.mjs uses node's fetch, which takes most of the CPU it
# measures on). Three servers of the same binary, each on a data directory of its own:
#
#   plain    no destination
#   rows     a webhook to a closed port: every create writes its outbox row, the dispatcher
#            waits out the endpoint's backoff (the rows alone)
#   webhook  a webhook to bench_webhook_sink (Beast on loopback): rows + delivery
#   rabbitmq, nats, redis (BENCH_BROKERS="rabbitmq nats redis", or some of them): one broker
#            destination each, the brokers started by scripts/*-test-server.sh; delivered
#            events are counted from the server's basalt_outbox_deliveries counter
#
# Each round runs wrk (-t2 -c64, BENCH_DURATION seconds of creates) against each server, the
# order alternating between rounds, and after the webhook server's run waits until the sink
# received every create of it (a backlog left delivering would take CPU from the next run), and
# after every run until the server is idle again (its WAL checkpoint, likewise).
# Per server: creates/s, the server's CPU per create during the run (utime + stime from
# /proc), and for the webhook server its CPU per create including the drain, the delivered
# events/s (first to last receipt of the round), the commit-to-receipt lag p50/p99 and the
# sink's CPU per delivery. Prints the medians and the outbox's cost against `plain`.
#
#   bench/events/outbox.sh   (BASALT=build/release/basalt, SINK=build/release/bench/
#                             bench_webhook_sink, BENCH_ROUNDS=5, BENCH_DURATION=4,
#                             BENCH_PORT_BASE=41900: servers on base..base+5, sink on base+9,
#                             brokers on base+20..base+22; BENCH_BASELINE=another basalt
#                             binary adds its servers to the same rounds, labelled base-*, on
#                             base+10..base+15; BENCH_BROKERS as above)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

basalt="${BASALT:-$root/build/release/basalt}"
sink="${SINK:-$root/build/release/bench/bench_webhook_sink}"
rounds="${BENCH_ROUNDS:-5}"
duration="${BENCH_DURATION:-4}"
port_base="${BENCH_PORT_BASE:-41900}"
baseline="${BENCH_BASELINE:-}"
read -r -a broker_kinds <<<"${BENCH_BROKERS:-}"
for kind in "${broker_kinds[@]}"; do
  case "$kind" in rabbitmq | nats | redis) ;; *) echo "bench: unknown broker $kind" >&2; exit 2 ;; esac
done
require_positive "$rounds" "$duration" "$port_base"
for tool in wrk curl python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is needed" >&2; exit 2; }
done
[ -x "$basalt" ] && [ -x "$sink" ] ||
  { echo "bench: build basalt and bench_webhook_sink first (make bench builds both)" >&2; exit 2; }

work="$(mktemp -d)"
startup_timeout=30
broker_dirs=()
stop_all() {
  local dir kind
  for i in "${!broker_dirs[@]}"; do
    dir="${broker_dirs[$i]}" kind="${broker_kinds[$i]}"
    "$root/scripts/$kind-test-server.sh" stop "$dir" >/dev/null 2>&1 || true
  done
  stop_servers
}
trap stop_all EXIT
load_note

# The brokers, as the connector tests run them (docs/brokers.md, "Test servers").
declare -A broker_urls
for i in "${!broker_kinds[@]}"; do
  kind="${broker_kinds[$i]}"
  broker_dirs+=("$work/broker-$kind")
  broker_urls[$kind]="$("$root/scripts/$kind-test-server.sh" start "$work/broker-$kind" \
    "$((port_base + 20 + i))")"
done

start_server sink "$sink" "$((port_base + 9))"
sink_url="${urls[0]}"
sink_pid="${pids[0]}"

email=bench@example.com password='bench password 123'
# add_servers PREFIX BINARY OFFSET: the servers of one binary, set up and labelled.
labels=() servers=() tokens=()
add_servers() {
  local prefix="$1" binary="$2" offset="$3" mode i=0 url token
  for mode in plain rows webhook "${broker_kinds[@]}"; do
    local dir="$work/$prefix-$mode"
    mkdir -p "$dir"
    "$binary" superuser upsert "$email" "$password" --dir "$dir" >/dev/null
    start_server "$prefix-$mode" "$binary" serve --dir "$dir" \
      --http "127.0.0.1:$((port_base + offset + i))" --threads 2 --access-log false \
      --webhooks-allow-private true --brokers-allow-private true
    url="${urls[-1]}"
    token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
      -H 'Content-Type: application/json' \
      -d "{\"identity\":\"$email\",\"password\":\"$password\"}" |
      python3 -c 'import json, sys; print(json.load(sys.stdin)["token"])')"
    curl -sf -X POST "$url/api/collections" -H "Authorization: $token" \
      -H 'Content-Type: application/json' \
      -d '{"name":"posts","type":"base","createRule":"","fields":[{"name":"title","type":"text"},{"name":"views","type":"number"}]}' >/dev/null
    local target=""
    [ "$mode" = rows ] && target="http://127.0.0.1:9/"
    [ "$mode" = webhook ] && target="$sink_url/hook"
    if [ -n "$target" ]; then
      curl -sf -X POST "$url/api/webhooks" -H "Authorization: $token" \
        -H 'Content-Type: application/json' \
        -d "{\"url\":\"$target\",\"collections\":[\"posts\"],\"maxAttempts\":50}" >/dev/null
    fi
    if [ -n "${broker_urls[$mode]:-}" ]; then
      curl -sf -X POST "$url/api/brokers/$mode" -H "Authorization: $token" \
        -H 'Content-Type: application/json' \
        -d "{\"config\":{\"url\":\"${broker_urls[$mode]}\"},\"collections\":[\"posts\"],\"maxAttempts\":50}" \
        >/dev/null
    fi
    labels+=("$prefix-$mode")
    servers+=("$((${#pids[@]} - 1))")
    tokens+=("$token")
    i=$((i + 1))
  done
}
add_servers new "$basalt" 0
[ -z "$baseline" ] || add_servers base "$baseline" 10

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# settle PID: waits (at most 30 s) until the server is idle — at most one clock tick of CPU in
# half a second — so that the tail of its run (the WAL checkpoint above all) does not take CPU
# from the next server's run.
settle() {
  local last now deadline=$((SECONDS + 30))
  last="$(cpu_ticks "$1")"
  while ((SECONDS < deadline)); do
    sleep 0.5
    now="$(cpu_ticks "$1")"
    ((now - last <= 1)) && return 0
    last="$now"
  done
}
tick_ns=$((1000000000 / $(getconf CLK_TCK)))
sink_stat() { curl -sf "$sink_url/stats" | python3 -c "import json, sys; print(json.load(sys.stdin)['$1'])"; }
# delivered URL TOKEN: the server's count of delivered outbox events (its /metrics).
delivered() {
  curl -sf -H "Authorization: $2" "$1/metrics" |
    awk '/^basalt_outbox_deliveries/ && /outcome="delivered"/ { printf "%.0f", $NF }'
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }

cat >"$work/create.lua" <<'LUA'
wrk.method = "POST"
wrk.path = "/api/collections/posts/records"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"title":"A new post with a title","views":3}'
LUA

results="$work/results.txt"
for ((round = 1; round <= rounds; round++)); do
  order=("${!labels[@]}")
  if ((round % 2 == 0)); then
    mapfile -t order < <(printf '%s\n' "${!labels[@]}" | sort -rn)
  fi
  for i in "${order[@]}"; do
    label="${labels[$i]}" index="${servers[$i]}"
    pid="${pids[$index]}" url="${urls[$index]}"
    [[ "$label" == *-webhook ]] && curl -sf -X POST "$sink_url/reset" >/dev/null
    broker="${label#*-}"
    [ -n "${broker_urls[$broker]:-}" ] || broker=""
    [ -z "$broker" ] || { delivered_before="$(delivered "$url" "${tokens[$i]}")" started_ms="$(now_ms)"; }
    before="$(cpu_ticks "$pid")" sink_before="$(cpu_ticks "$sink_pid")"
    wrk -t2 -c64 -d"${duration}s" -s "$work/create.lua" "$url" >"$work/wrk.txt"
    after="$(cpu_ticks "$pid")"
    read -r rate _ _ errors < <(wrk_figures "$work/wrk.txt")
    creates="$(awk '/requests in/ { print $1 }' "$work/wrk.txt")"
    [ "$errors" = 0 ] || { echo "bench: $label answered $errors errors" >&2; exit 1; }
    line="$round $label $rate $(((after - before) * tick_ns / creates))"
    if [[ "$label" == *-webhook ]]; then
      # Bounded: at the slowest delivery rate seen (≈ 1k/s) a round's creates take a minute.
      deadline=$((SECONDS + 300))
      while [ "$(sink_stat count)" -lt "$creates" ]; do
        ((SECONDS < deadline)) || { echo "bench: $label did not deliver within 300 s" >&2; exit 1; }
        sleep 0.2
      done
      drained="$(cpu_ticks "$pid")" sink_after="$(cpu_ticks "$sink_pid")"
      first="$(sink_stat firstMs)" last="$(sink_stat lastMs)"
      line+=" $(((drained - before) * tick_ns / creates))"
      line+=" $(awk -v n="$creates" -v f="$first" -v l="$last" 'BEGIN { printf "%.0f", n / ((l - f) / 1000 + 0.001) }')"
      line+=" $(sink_stat lagP50) $(sink_stat lagP99) $(((sink_after - sink_before) * tick_ns / creates))"
    elif [ -n "$broker" ]; then
      # Until the server counts every create delivered; delivered/s from the run's start.
      deadline=$((SECONDS + 300))
      while [ "$(($(delivered "$url" "${tokens[$i]}") - delivered_before))" -lt "$creates" ]; do
        ((SECONDS < deadline)) || { echo "bench: $label did not deliver within 300 s" >&2; exit 1; }
        sleep 0.2
      done
      done_ms="$(now_ms)" drained="$(cpu_ticks "$pid")"
      line+=" $(((drained - before) * tick_ns / creates))"
      line+=" $(awk -v n="$creates" -v ms="$((done_ms - started_ms))" 'BEGIN { printf "%.0f", n / (ms / 1000) }')"
    fi
    echo "$line" | tee -a "$results" >&2
    settle "$pid"
  done
done
echo "bench: load average after the run: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
by_round = collections.defaultdict(dict)  # round -> label -> creates/s
for line in open(sys.argv[1]):
    round_number, label, *values = line.split()
    runs[label].append([float(v) for v in values])
    by_round[round_number][label] = float(values[0])
med = lambda label, column: statistics.median(r[column] for r in runs[label])
print(f"{'server':14s} {'creates/s':>10s} {'cpu µs/create':>14s}   rounds (creates/s)")
for label in runs:
    rates = " ".join(f"{r[0]:.0f}" for r in runs[label])
    print(f"{label:14s} {med(label, 0):10.0f} {med(label, 1) / 1000:14.1f}   {rates}")
    if label.endswith("-webhook"):
        print(f"{'':14s} with the drain {med(label, 2) / 1000:.1f} µs/create; delivered "
              f"{med(label, 3):.0f}/s; lag p50/p99 {med(label, 4):.0f}/{med(label, 5):.0f} ms; "
              f"sink {med(label, 6) / 1000:.1f} µs/delivery")
    elif label.split("-")[1] in ("rabbitmq", "nats", "redis"):
        print(f"{'':14s} with the drain {med(label, 2) / 1000:.1f} µs/create; every create "
              f"delivered at {med(label, 3):.0f}/s from the run's start")
for prefix in sorted({label.split("-")[0] for label in runs}):
    plain_rate, plain_cpu = med(prefix + "-plain", 0), med(prefix + "-plain", 1)
    for mode in ("rows", "webhook", "rabbitmq", "nats", "redis"):
        label = f"{prefix}-{mode}"
        if label not in runs:
            continue
        # Paired: each round's cost against the same round's plain run, so that a round the
        # machine was slower in moves both sides; the median of those is the steadier figure.
        paired = [100 * (1 - r[label] / r[prefix + "-plain"]) for r in by_round.values()]
        print(f"{label}: the outbox costs {100 * (1 - med(label, 0) / plain_rate):.1f} % of "
              f"create throughput (paired per round: median {statistics.median(paired):.1f} %, "
              f"rounds {' '.join(f'{c:.1f}' for c in paired)}); server CPU per create "
              f"+{100 * (med(label, 1) / plain_cpu - 1):.1f} %")
PY
