#!/usr/bin/env bash
# A throwaway PostgreSQL 15 server for the tests (docs/postgres.md, "Tests").
#
#   scripts/postgres-test-server.sh start <dir> [port]   initdb + pg_ctl start, prints the URL
#   scripts/postgres-test-server.sh url   <dir> [port]   prints the URL of a started server
#   scripts/postgres-test-server.sh stop  <dir>          pg_ctl stop, then removes <dir>
#   scripts/postgres-test-server.sh restart <dir>        pg_ctl restart (fast: sessions end),
#                                                        for the cluster test (docs/scaling.md)
#
# <dir> holds everything: the cluster (data/), the Unix socket, the log (server.log). It is
# created by `start` and must not exist yet, or be empty. The server listens on 127.0.0.1 only,
# on `port` (default 55432), with trust authentication for loopback: it is for tests, never
# for data. fsync, synchronous_commit and full_page_writes are off: a crash of the machine may
# lose the cluster, which a test server can afford, and commits cost no disk flush.
#
# initdb refuses to run as root, so as root the server runs as the `postgres` system user the
# Debian package creates (through runuser), which then owns <dir>; otherwise as the current
# user. The database is `basalt_test`, owned by the role `basalt` (a superuser: the tests
# create schemas and end other sessions with pg_terminate_backend).
set -euo pipefail

usage() {
  echo "usage: $0 start|stop|restart|url <dir> [port]" >&2
  exit 2
}

[ $# -ge 2 ] || usage
command="$1"
dir="$2"
port="${3:-55432}"
bin="${POSTGRES_BIN:-/usr/lib/postgresql/15/bin}"
database=basalt_test
role=basalt

if [ ! -x "$bin/initdb" ]; then
  echo "postgres-test-server: $bin/initdb not found (Debian package postgresql-15;" \
    "scripts/install-deps.sh installs it)" >&2
  exit 1
fi

# Runs a command as the server's user.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  echo "postgresql://$role@127.0.0.1:$port/$database"
}

case "$command" in
  start)
    if [ -e "$dir" ] && [ -n "$(ls -A "$dir" 2>/dev/null)" ]; then
      echo "postgres-test-server: $dir is not empty" >&2
      exit 1
    fi
    mkdir -p "$dir"
    dir="$(cd "$dir" && pwd)"
    if [ "$(id -u)" -eq 0 ]; then chown postgres: "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U "$role" --auth=trust --encoding=UTF8 \
      --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # Loopback only, socket inside <dir>; no disk flushes (see above).
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir" \
      -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      -o "-c max_connections=200" \
      start >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    as_owner "$bin/createdb" -h "$dir" -p "$port" -U "$role" -O "$role" "$database"
    url
    ;;
  url)
    url
    ;;
  restart)
    dir="$(cd "$dir" && pwd)"
    # pg_ctl keeps the options the server was started with (postmaster.opts).
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m fast -w -t 60 \
      restart >/dev/null || {
      cat "$dir/server.log" >&2
      exit 1
    }
    ;;
  stop)
    dir="$(cd "$dir" 2>/dev/null && pwd)" || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$dir"
    ;;
  *)
    usage
    ;;
esac
