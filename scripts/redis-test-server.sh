#!/usr/bin/env bash
# A throwaway Redis server for the tests (docs/events.md, docs/scaling.md).
#
#   scripts/redis-test-server.sh start <dir> [port]   starts redis-server, prints redis://127.0.0.1:<port>
#   scripts/redis-test-server.sh stop  <dir>          stops it (SIGTERM, waits), removes <dir>
#   scripts/redis-test-server.sh kill  <dir>          SIGKILL (a broker crash), keeps <dir>
#   scripts/redis-test-server.sh restart <dir>        starts it again on the same port and data
#
# <dir> holds the data (appendonly, so a kill loses no acknowledged write), the pid file and
# redis.log. Loopback only, no password: for tests, never for data.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/test_server.sh"
server_name=redis-test-server
pid_file=redis.pid

command -v redis-server >/dev/null || {
  echo "redis-test-server: redis-server not found (scripts/install-deps.sh installs it)" >&2
  exit 1
}

launch() {
  local p="$1"
  redis-server --bind 127.0.0.1 --port "$p" --dir "$dir" --daemonize yes \
    --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --appendonly yes \
    --appendfsync always --save "" --protected-mode yes >/dev/null
  echo "$p" >"$dir/port"
  # Ready when it answers PING (bounded: 100 tries).
  for _ in $(seq 1 100); do
    if redis-cli -h 127.0.0.1 -p "$p" ping 2>/dev/null | grep -q PONG; then
      echo "redis://127.0.0.1:$p"
      return 0
    fi
    sleep 0.1
  done
  echo "redis-test-server: no answer on port $p (see $dir/redis.log)" >&2
  exit 1
}

test_server_main 56379 "$@"
