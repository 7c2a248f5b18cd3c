# The command line the throwaway test-server scripts share (redis-, nats-, rabbitmq-test-server.sh):
#
#   <script> start <dir> [port]   a new server with its data in <dir> (absent or empty); prints its URL
#   <script> stop  <dir>          SIGTERM, a bounded wait, SIGKILL if still there; removes <dir>
#   <script> kill  <dir>          SIGKILL (a crash), keeps <dir>
#   <script> restart <dir>        starts it again on the port and data of the last start
#   <script> pause|resume <dir>   SIGSTOP / SIGCONT: a server that stops answering, then goes on
#
# The sourcing script sets `server_name` (for messages), `pid_file` (its name under <dir>) and
# optionally `stop_tries` (0.1 s waits, default 100), defines `launch <port>` (starts the
# server, writes <dir>/port, waits until it answers, prints its URL, exits non-zero if it never
# does) and ends with `test_server_main <default port> "$@"`. `dir` is set (absolute) for launch.

test_server_usage() {
  echo "usage: $0 start|stop|kill|restart|pause|resume <dir> [port]" >&2
  exit 2
}

test_server_pid() { cat "$dir/$pid_file" 2>/dev/null || true; }

# Waits, bounded, until process $1 is gone.
test_server_wait_gone() {
  local pid="$1"
  for _ in $(seq 1 "${stop_tries:-100}"); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

test_server_main() {
  local default_port="$1"
  shift
  [ $# -ge 2 ] || test_server_usage
  local command="$1" port="${3:-$default_port}" pid
  dir="$2"
  case "$command" in
    start)
      if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
        echo "$server_name: $dir is not empty" >&2
        exit 1
      fi
      mkdir -p "$dir"
      dir="$(cd "$dir" && pwd)"
      launch "$port"
      ;;
    restart)
      dir="$(cd "$dir" && pwd)"
      launch "$(cat "$dir/port")"
      ;;
    kill)
      pid="$(test_server_pid)"
      if [ -n "$pid" ]; then
        kill -9 "$pid" 2>/dev/null || true
        test_server_wait_gone "$pid"
      fi
      rm -f "$dir/$pid_file"
      ;;
    pause | resume)
      pid="$(test_server_pid)"
      [ -n "$pid" ] || { echo "$server_name: not running" >&2; exit 1; }
      if [ "$command" = pause ]; then kill -STOP "$pid"; else kill -CONT "$pid"; fi
      ;;
    stop)
      pid="$(test_server_pid)"
      if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null || true
        test_server_wait_gone "$pid"
        kill -9 "$pid" 2>/dev/null || true  # one that ignored SIGTERM must not outlive <dir>
      fi
      rm -rf "$dir"
      ;;
    *) test_server_usage ;;
  esac
}
