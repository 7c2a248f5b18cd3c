#!/usr/bin/env bash
# A throwaway NATS server with JetStream for the tests (docs/events.md, docs/scaling.md).
#
#   scripts/nats-test-server.sh start <dir> [port]   starts nats-server -js, prints nats://127.0.0.1:<port>
#   scripts/nats-test-server.sh stop  <dir>          stops it (SIGTERM, waits), removes <dir>
#   scripts/nats-test-server.sh kill  <dir>          SIGKILL (a broker crash), keeps <dir>
#   scripts/nats-test-server.sh restart <dir>        starts it again on the same port and store
#
# <dir> holds the JetStream store (jetstream/), the pid file and nats.log. Loopback only, no
# authentication: for tests, never for data. Readiness is the monitoring port's /healthz
# (port + 1000), which answers ok only once JetStream is up.
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|kill|restart <dir> [port]" >&2
  exit 2
}
[ $# -ge 2 ] || usage
command="$1"
dir="$2"
port="${3:-54222}"

command -v nats-server >/dev/null || {
  echo "nats-test-server: nats-server not found (scripts/install-deps.sh installs it)" >&2
  exit 1
}

launch() {
  local p="$1" monitor=$(($1 + 1000))
  nats-server -a 127.0.0.1 -p "$p" -m "$monitor" -js -sd "$dir/jetstream" \
    -P "$dir/nats.pid" -l "$dir/nats.log" >/dev/null 2>&1 &
  echo "$p" >"$dir/port"
  for _ in $(seq 1 100); do
    if curl -fsS "http://127.0.0.1:$monitor/healthz" 2>/dev/null | grep -q ok; then
      echo "nats://127.0.0.1:$p"
      return 0
    fi
    sleep 0.1
  done
  echo "nats-test-server: no answer on port $p (see $dir/nats.log)" >&2
  exit 1
}

pid_of() { cat "$dir/nats.pid" 2>/dev/null || true; }

wait_gone() {
  local pid="$1"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

case "$command" in
  start)
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
      echo "nats-test-server: $dir is not empty" >&2
      exit 1
    fi
    mkdir -p "$dir"
    launch "$port"
    ;;
  restart) launch "$(cat "$dir/port")" ;;
  kill)
    pid="$(pid_of)"
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && wait_gone "$pid"
    rm -f "$dir/nats.pid"
    ;;
  stop)
    pid="$(pid_of)"
    if [ -n "$pid" ]; then
      kill "$pid" 2>/dev/null || true
      wait_gone "$pid"
    fi
    rm -rf "$dir"
    ;;
  *) usage ;;
esac
