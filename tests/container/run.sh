#!/usr/bin/env bash
# The container test (docs/scaling.md, "Containers and Kubernetes"): builds deploy/Dockerfile's
# `runtime-prebuilt` image around build/release/basalt with podman and checks it from outside.
#
# No image registry is reachable, so the base image is made here: debootstrap (Debian 12,
# minbase, plus deploy/runtime-packages.txt) from the apt mirror this machine uses, imported
# with `podman import`. The root file system is cached as a tarball in
# $BASALT_CONTAINER_CACHE (default /var/cache/basalt-test), keyed by month and by a digest of
# the package list, suite and mirror: a warm run only imports it (once per podman store) and
# builds the thin layers on top. A cold run (about 80 s here) also downloads the packages.
#
# Checks: the image's HEALTHCHECK is set and passes; a malformed server.key stops the server;
# with a read-only root file system and a shared server.key mounted read-only (as deploy/'s
# compose file and Kubernetes manifests run it), GET /api/health answers 200 from the host
# through a published port; the server's process runs as uid 10001 (not root), and every
# shared library resolves in the image; a superuser, a collection and a record written through
# the REST API survive a `podman stop` (which must end the server cleanly, exit code 0) and a
# start, on the same named volume, whose files belong to uid 10001.
#
# Usage: tests/container/run.sh [--if-cached]
#   --if-cached  skip (exit 0, with a message) when the base image is not cached yet, instead
#                of running debootstrap; for callers that must stay fast.
# Skips (exit 0, "container test skipped: <reason>") only when the machine cannot build or run
# containers at all: not root (debootstrap and this test's podman setup need it), podman or
# debootstrap missing, or a trivial container failing to start (podman's error is printed).
# Every other failure exits 1.
#
# Environment: BASALT_CONTAINER_CACHE (cache directory), BASALT_DEBIAN_MIRROR (default: the
# first http(s) mirror of bookworm in /etc/apt/sources.list*), BASALT_CONTAINER_RUNTIME (OCI
# runtime; default runc when installed, see below).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

if_cached=0
case "${1:-}" in
  --if-cached) if_cached=1 ;;
  "") ;;
  *) echo "usage: $0 [--if-cached]" >&2; exit 2 ;;
esac

skip() {
  echo "container test skipped: $*"
  exit 0
}
fail() {
  echo "container test FAILED: $*" >&2
  exit 1
}
log() { printf '[container-test %s] %s\n' "$(date +%T)" "$*"; }

binary=build/release/basalt
[ -x "$binary" ] || fail "$binary is missing: build it first (cmake --build build/release --target basalt)"
[ "$(id -u)" -eq 0 ] || skip "not running as root (debootstrap needs root; rootless podman is not set up by this test)"
command -v podman >/dev/null || skip "podman is not installed (scripts/install-deps.sh installs it)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (scripts/install-deps.sh installs it)"

suite=bookworm
packages_file=deploy/runtime-packages.txt
packages="$(sed -e 's/#.*//' "$packages_file" | tr -s ' \n' '\n' | sed '/^$/d' | sort | paste -sd, -)"

debian_mirror() {
  if [ -n "${BASALT_DEBIAN_MIRROR:-}" ]; then
    echo "$BASALT_DEBIAN_MIRROR"
    return
  fi
  # deb822 files (URIs:/Suites:) and one-line sources (deb URI SUITE ...).
  local file uri
  for file in /etc/apt/sources.list.d/*.sources; do
    [ -f "$file" ] || continue
    uri="$(awk -v suite="$suite" '
      /^URIs:/ { uris = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == suite) found = 1 }
      /^$/ { if (found && uris != "") { print uris; exit } found = 0; uris = "" }
      END { if (found && uris != "") print uris }' "$file")"
    if [ -n "$uri" ]; then echo "$uri" | head -n 1; return; fi
  done
  for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$file" ] || continue
    uri="$(awk -v suite="$suite" '$1 == "deb" && $0 !~ /\[/ && $3 == suite { print $2; exit }' "$file")"
    if [ -n "$uri" ]; then echo "$uri"; return; fi
  done
  echo "http://deb.debian.org/debian"
}
mirror="$(debian_mirror)"

# runc, when installed: crun (podman's default on Debian 12) refuses to start any container on
# a host whose cgroup v2 hierarchy has controllers while v1 is in use ("cgroups in hybrid mode
# not supported"), which is how some VMs come. Both are OCI runtimes; the image is the same.
runtime="${BASALT_CONTAINER_RUNTIME:-}"
if [ -z "$runtime" ] && command -v runc >/dev/null; then runtime=runc; fi
podman=(podman)
if [ -n "$runtime" ]; then podman+=(--runtime "$runtime"); fi
# podman asks for RLIMIT_NOFILE 1048576 by default, which fails where the caller's hard limit
# is lower and CAP_SYS_RESOURCE is missing (a sandbox): ask for what this shell has.
nofile="$(ulimit -Hn)"
nproc="$(ulimit -Hu)"
if [ "$nofile" = unlimited ] || [ "$nofile" -gt 1048576 ]; then nofile=1048576; fi
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 32768 ]; then nproc=32768; fi
limits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")

# --- the base image -----------------------------------------------------------------------
cache="${BASALT_CONTAINER_CACHE:-/var/cache/basalt-test}"
key="$(printf '%s\n%s\n%s\nminbase\n' "$suite" "$mirror" "$packages" | sha256sum | cut -c1-12)"
month="$(date -u +%Y%m)"
family="debootstrap-$suite"
tarball="$cache/$family-$month-$key.tar"
base_image="localhost/basalt-test-base:$suite-$month-$key"

make_base_tarball() {
  mkdir -p "$cache"
  # One debootstrap at a time per cache: a second run waits, then finds the tarball.
  exec 9>"$cache/.lock"
  flock 9
  if [ -f "$tarball" ]; then
    exec 9>&-
    return
  fi
  local root
  root="$(mktemp -d "$cache/rootfs.XXXXXX")"
  log "debootstrap $suite (minbase + $packages_file) from $mirror into $root"
  if ! debootstrap --variant=minbase --include="$packages" "$suite" "$root" "$mirror" \
    >"$root.log" 2>&1; then
    tail -n 20 "$root.log" >&2
    rm -rf "$root" "$root.log"
    fail "debootstrap failed (mirror $mirror; set BASALT_DEBIAN_MIRROR to another)"
  fi
  # What a slim image leaves out: downloaded packages, apt lists, documentation, locales.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* \
    "$root"/usr/share/doc "$root"/usr/share/man "$root"/usr/share/locale "$root"/var/log/*
  tar -C "$root" --numeric-owner -cf "$tarball.partial" .
  mv "$tarball.partial" "$tarball"
  rm -rf "$root" "$root.log"
  # Older months and package lists of the same family are no longer used.
  find "$cache" -maxdepth 1 -name "$family-*.tar" ! -name "$(basename "$tarball")" -delete
  exec 9>&-
}

if [ ! -f "$tarball" ]; then
  [ "$if_cached" = 1 ] &&
    skip "no cached base image ($tarball); run \`make container-test\` once to make it (about 80 s)"
  make_base_tarball
fi
if ! "${podman[@]}" image exists "$base_image"; then
  log "podman import $tarball as $base_image"
  "${podman[@]}" import --quiet --change 'CMD ["/bin/sh"]' "$tarball" "$base_image" >/dev/null
fi

# Can this machine run a container at all? Anything failing after this is the test's finding.
if ! probe_error="$("${podman[@]}" run --rm "${limits[@]}" --network none "$base_image" true 2>&1)"; then
  skip "podman cannot run a container here (runtime ${runtime:-podman default}): $probe_error"
fi

# --- the image ----------------------------------------------------------------------------
run_id="$$-$RANDOM"
image="localhost/basalt-test:run-$run_id"
container="basalt-test-$run_id"
volume="basalt-test-$run_id-data"
work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-container-test.XXXXXX")"
cleanup() {
  "${podman[@]}" rm --force --ignore "$container" >/dev/null 2>&1 || true
  "${podman[@]}" volume rm --force "$volume" >/dev/null 2>&1 || true
  "${podman[@]}" rmi "$image" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

log "podman build --target runtime-prebuilt (base $base_image)"
# --format docker: OCI image configs have no HEALTHCHECK; podman keeps it only in this format.
if ! "${podman[@]}" build "${limits[@]}" --format docker --network none \
  -f deploy/Dockerfile --target runtime-prebuilt \
  --build-arg RUNTIME_BASE="$base_image" --build-arg BASALT_BINARY="$binary" \
  -t "$image" . >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  fail "podman build failed"
fi

healthcheck="$("${podman[@]}" image inspect --format '{{json .Config.Healthcheck}}' "$image")"
case "$healthcheck" in
  *basalt-healthcheck*) ;;
  *) fail "the image has no HEALTHCHECK (got: $healthcheck)" ;;
esac
user="$("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")"
[ "$user" = "10001:10001" ] || fail "the image's USER is '$user', expected 10001:10001"

# --- run, check, restart, check -----------------------------------------------------------
# Waits until the server logged its "serving on" line (after the listener is open) for the
# `nth` time: the container's log is followed, not polled. The follower is stopped as soon as
# grep has its line (a quiet server would otherwise keep it, and this shell, waiting).
wait_serving() {
  local nth="$1" found logs follower
  exec {logs}< <(exec timeout 60 "${podman[@]}" logs --follow "$container" 2>&1)
  follower=$!
  # Counted through a pipe: GNU grep writing to /dev/null reads on past its -m matches.
  found="$(grep -m "$nth" 'serving on' <&"$logs" | wc -l)"
  kill "$follower" 2>/dev/null || true
  exec {logs}<&-
  if [ "$found" -lt "$nth" ]; then
    "${podman[@]}" logs "$container" >&2 || true
    fail "the server in $container did not start (log above)"
  fi
}
host_port() { "${podman[@]}" port "$container" 8090/tcp | head -n 1 | sed 's/.*://'; }
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
# curl_json METHOD PATH [BODY]: the body on stdout; fails on a non-2xx status.
curl_json() {
  local args=(--silent --show-error --fail-with-body --max-time 10 -X "$1"
    -H 'Content-Type: application/json' "http://127.0.0.1:$port$2")
  if [ -n "${token:-}" ]; then args+=(-H "Authorization: $token"); fi
  if [ $# -ge 3 ]; then args+=(--data "$3"); fi
  curl "${args[@]}" || fail "$1 $2 failed"
}

# The server key every instance shares, mounted read-only over /data/server.key as compose's
# secret and the Kubernetes Secret do (deploy/): owned by root, readable by the group 10001.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/server.key"
chgrp 10001 "$work/server.key"
chmod 0440 "$work/server.key"
# A key that is not 64 hex characters must stop the server (deploy/k8s/secret.yaml's
# placeholder relies on it), before it serves anything.
echo "REPLACE-ME" >"$work/bad.key"
chgrp 10001 "$work/bad.key"
chmod 0440 "$work/bad.key"
bad_status=0
"${podman[@]}" run --rm "${limits[@]}" --network none --read-only --tmpfs /tmp \
  --volume "$work/bad.key:/data/server.key:ro" "$image" >"$work/bad.log" 2>&1 || bad_status=$?
if [ "$bad_status" = 0 ] || ! grep -q 'server key' "$work/bad.log"; then
  cat "$work/bad.log" >&2
  fail "a server.key that is not 64 hex characters did not stop the server (exit $bad_status)"
fi
log "a malformed server.key stops the server (exit $bad_status)"

"${podman[@]}" volume create "$volume" >/dev/null
log "podman run $image (read-only root file system, as in deploy/k8s)"
# The healthcheck's systemd timer cannot be set up without systemd (podman logs an error and
# goes on); `podman healthcheck run` below runs the same check directly.
"${podman[@]}" run --detach "${limits[@]}" --name "$container" --read-only --tmpfs /tmp \
  --publish 127.0.0.1::8090 --volume "$volume:/data" \
  --volume "$work/server.key:/data/server.key:ro" "$image" >/dev/null 2>"$work/run.log" ||
  { cat "$work/run.log" >&2; fail "podman run failed"; }
wait_serving 1
port="$(host_port)"

health="$(curl --silent --show-error --max-time 10 --write-out ' %{http_code}' \
  "http://127.0.0.1:$port/api/health")" || fail "GET /api/health from the host failed"
case "$health" in
  *'"code":200'*' 200') log "GET /api/health from the host: 200" ;;
  *) fail "GET /api/health from the host answered: $health" ;;
esac
dashboard="$(curl --silent --show-error --max-time 10 --write-out ' %{http_code}' \
  "http://127.0.0.1:$port/_/")" || fail "GET /_/ from the host failed"
case "$dashboard" in
  *'<html'*' 200') log "GET /_/ (the dashboard) from the host: 200" ;;
  *) fail "GET /_/ from the host answered: ${dashboard: -200}" ;;
esac
"${podman[@]}" healthcheck run "$container" >/dev/null 2>&1 ||
  fail "the image's HEALTHCHECK fails in the running container"

pid="$("${podman[@]}" inspect --format '{{.State.Pid}}' "$container")"
uid="$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")"
[ "$uid" = 10001 ] || fail "the server process runs as uid $uid, expected 10001"
log "the server's process (host pid $pid) runs as uid $uid"
missing_libs="$("${podman[@]}" exec "$container" sh -c 'ldd /usr/local/bin/basalt | grep "not found" || true')"
[ -z "$missing_libs" ] || fail "shared libraries missing in the image: $missing_libs"

email="container-test@example.com"
password="$(head -c 18 /dev/urandom | base64 | tr -d '/+=')"
# Through the admin socket in /data: the server holds the data directory.
"${podman[@]}" exec "$container" basalt superuser upsert "$email" "$password" --dir /data \
  >/dev/null || fail "basalt superuser upsert in the container failed"
sign_in() {
  token=
  token="$(curl_json POST /api/collections/_superusers/auth-with-password \
    "{\"identity\":\"$email\",\"password\":\"$password\"}" | json_field token)"
}
sign_in
curl_json POST /api/collections \
  '{"name":"notes","type":"base","fields":[{"name":"title","type":"text"}]}' >/dev/null
record_id="$(curl_json POST /api/collections/notes/records '{"title":"kept across restarts"}' |
  json_field id)"
log "wrote superuser, collection notes and record $record_id"

log "podman stop (SIGTERM), then start on the same volume"
"${podman[@]}" stop --time 30 "$container" >/dev/null 2>>"$work/run.log"
exit_code="$("${podman[@]}" inspect --format '{{.State.ExitCode}}' "$container")"
[ "$exit_code" = 0 ] || fail "the server exited with code $exit_code on SIGTERM, expected 0"
"${podman[@]}" start "$container" >/dev/null 2>>"$work/run.log"
wait_serving 2
port="$(host_port)"

sign_in
title="$(curl_json GET "/api/collections/notes/records/$record_id" | json_field title)"
[ "$title" = "kept across restarts" ] || fail "the record read back after the restart has title '$title'"
owner="$("${podman[@]}" exec "$container" stat -c %u /data/data.db)"
[ "$owner" = 10001 ] || fail "/data/data.db belongs to uid $owner, expected 10001"
log "after the restart: the superuser signs in, record $record_id is there, /data/data.db is uid $owner"

log "passed"
