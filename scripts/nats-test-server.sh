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

. "$(dirname "${BASH_SOURCE[0]}")/lib/test_server.sh"
server_name=nats-test-server
pid_file=nats.pid

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

test_server_main 54222 "$@"
