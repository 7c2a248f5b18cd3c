#!/usr/bin/env bash
# A throwaway RabbitMQ node for the tests (docs/brokers.md, "Test servers").
#
#   scripts/rabbitmq-test-server.sh start <dir> [port]   starts rabbitmq-server, prints amqp://guest:guest@127.0.0.1:<port>/
#   scripts/rabbitmq-test-server.sh stop  <dir>          stops it (SIGTERM, waits), removes <dir>
#   scripts/rabbitmq-test-server.sh kill  <dir>          SIGKILL (a broker crash), keeps <dir>
#   scripts/rabbitmq-test-server.sh restart <dir>        starts it again on the same port and data
#   scripts/rabbitmq-test-server.sh ctl <dir> <args…>    rabbitmqctl <args…> against that node
#
# No systemd, no /var/lib/rabbitmq: the node (basalt-test-<port>@localhost) keeps its Mnesia
# database, logs, config, Erlang cookie (HOME) and pid file in <dir>, so several nodes run side
# by side and as root. The distribution port is <port> + 20000 (AMQP port 5672 → 25672, as
# RabbitMQ's own default). epmd is started by Erlang on first use and shared by all nodes on the
# machine (its default port 4369); it outlives the node and holds no data. Loopback only, the
# built-in guest user (RabbitMQ lets it in from loopback only): for tests, never for data.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/test_server.sh"
server_name=rabbitmq-test-server
pid_file=rabbitmq.pid
stop_tries=300

rabbit_bin=/usr/lib/rabbitmq/bin
[ -x "$rabbit_bin/rabbitmq-server" ] || {
  echo "rabbitmq-test-server: rabbitmq-server not found (scripts/install-deps.sh installs it)" >&2
  exit 1
}

# The environment both the node and rabbitmqctl need to find each other: same node name, same
# cookie (HOME/.erlang.cookie).
node_env() {
  local p="$1"
  export HOME="$dir"
  export RABBITMQ_NODENAME="basalt-test-$p@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
  export RABBITMQ_NODE_PORT="$p"
  export RABBITMQ_DIST_PORT=$((p + 20000))
  export RABBITMQ_MNESIA_BASE="$dir/mnesia"
  export RABBITMQ_LOG_BASE="$dir/log"
  export RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf"
  export RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config"
  export RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins"
  export RABBITMQ_PID_FILE="$dir/rabbitmq.pid"
}

launch() {
  local p="$1"
  if [ "$p" -gt 45535 ]; then
    echo "rabbitmq-test-server: port $p is above 45535 (the distribution port is port + 20000)" >&2
    exit 2
  fi
  node_env "$p"
  mkdir -p "$dir/mnesia" "$dir/log"
  : >"$RABBITMQ_CONF_ENV_FILE"
  [ -f "$dir/enabled_plugins" ] || echo "[]." >"$dir/enabled_plugins"
  # Small disk and memory watermarks would block publishers on a busy test machine.
  cat >"$RABBITMQ_CONFIG_FILE" <<CONF
disk_free_limit.absolute = 1MB
vm_memory_high_watermark.relative = 0.9
log.console = false
log.file.level = warning
CONF
  # SO_REUSEADDR on the AMQP listener: after a kill, the closed connections linger in TIME-WAIT
  # on the port and a restart on the same port would fail with eaddrinuse. (The default
  # listener options, plus reuseaddr.)
  cat >"$RABBITMQ_ADVANCED_CONFIG_FILE" <<CONF
[{rabbit, [{tcp_listen_options, [{backlog, 128}, {nodelay, true}, {linger, {true, 0}},
                                 {exit_on_close, false}, {reuseaddr, true}]}]}].
CONF
  echo "$p" >"$dir/port"
  # A node that dies while booting is started again, twice at most: after a kill (a `restart`)
  # the port can still be held for a moment by the sockets of the node that was killed.
  for _ in 1 2 3; do
    boot "$p" && return 0
    [ "$boot_outcome" = died ] || break
    sleep 1
  done
  echo "rabbitmq-test-server: no answer on port $p (the node $boot_outcome; see $dir/log)" >&2
  # The test deletes <dir> afterwards: the reason goes to stderr now.
  tail -n 20 "$dir/log/startup.log" "$dir"/log/*.log 2>/dev/null | sed 's/^/  | /' >&2 || true
  # A node still booting past the bound must not outlive the failed start (nobody would stop
  # it): end it and the wrapper that launched it.
  local node_pid
  node_pid="$(cat "$RABBITMQ_PID_FILE" 2>/dev/null || true)"
  [ -n "$node_pid" ] && kill -9 "$node_pid" 2>/dev/null
  kill -9 "$boot_pid" 2>/dev/null
  exit 1
}

# Starts the node once and waits until it answers: prints its URL and returns 0, or returns 1
# with boot_outcome "died" (the node exited) or "did not answer" (past the bounds), and its
# wrapper's pid in boot_pid.
boot() {
  local p="$1"
  # setsid: the node leaves the caller's process group, so a test runner's Ctrl-C does not
  # reach it before `stop`. Its output goes to the log directory.
  setsid "$rabbit_bin/rabbitmq-server" >>"$dir/log/startup.log" 2>&1 </dev/null &
  boot_pid=$!
  boot_outcome="did not answer"
  # Ready when the AMQP port accepts (the listener is the last boot step) and then
  # `rabbitmqctl await_startup` confirms the app is up. Both bounded: 1200 x 0.1 s for the port
  # (Erlang boots in 10-18 s at load 14 on 2 cores, up to 64 s at load 19), 30 s for rabbitmqctl.
  for _ in $(seq 1 1200); do
    if ! kill -0 "$boot_pid" 2>/dev/null; then
      boot_outcome=died
      return 1
    fi
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      if timeout 30 "$rabbit_bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" --timeout 25 \
        await_startup >/dev/null 2>&1; then
        echo "amqp://guest:guest@127.0.0.1:$p/"
        return 0
      fi
      return 1
    fi
    sleep 0.1
  done
  return 1
}

if [ "${1:-}" = ctl ] && [ $# -ge 3 ]; then
  dir="$(cd "$2" && pwd)"
  shift 2
  node_env "$(cat "$dir/port")"
  exec timeout 30 "$rabbit_bin/rabbitmqctl" -n "$RABBITMQ_NODENAME" --timeout 25 "$@"
fi
test_server_main 45672 "$@"
