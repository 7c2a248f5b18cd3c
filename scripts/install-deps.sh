#!/usr/bin/env bash
# Installs every Debian package and npm module that Basalt's build, tests and benchmarks need.
# Idempotent: when everything is present it only checks and exits 0 quickly.
# As root it installs; otherwise it prints the exact command to run and exits 1.
# `--build`: only what compiling the `basalt` binary needs (the Dockerfile's build stage,
# deploy/Dockerfile): no test tools, no Node.js, no npm modules.
set -euo pipefail

build_only=0
case "${1:-}" in
  --build) build_only=1 ;;
  "") ;;
  *) echo "usage: $0 [--build]" >&2; exit 2 ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# One list, one place: add a package here when the build or a test starts needing it.
build_packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config make lld
  # libraries (docs/architecture.md)
  libboost1.81-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev
  libsqlite3-dev libsodium-dev libre2-dev libcrypt-dev
  libmagic-dev libvips-dev libcurl4-openssl-dev libssl-dev libzip-dev libpq-dev
  # event destinations and cluster buses (docs/events.md, docs/scaling.md); LuaJIT (OpenResty's luajit2) for hooks
  librabbitmq-dev libnats-dev libhiredis-dev libluajit2-5.1-dev
)
packages=(
  "${build_packages[@]}"
  git clang libclang-rt-14-dev clang-format
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev wrk curl
  # the PostgreSQL server the driver's tests start (scripts/postgres-test-server.sh); psql,
  # with which the e2e suite on PostgreSQL creates and drops a database per server
  postgresql-15 postgresql-client-15
  # the Prometheus server and promtool the metrics e2e test starts and runs
  # (tests/e2e/metrics_prometheus.test.mjs, docs/observability.md)
  prometheus
  # the container test (tests/container/run.sh, docs/scaling.md): a Debian base image made with
  # debootstrap, imported into podman and run with runc (crun, podman's default, refuses the
  # hybrid cgroup v1/v2 layout some VMs have); uidmap, slirp4netns and fuse-overlayfs for
  # rootless podman; python3-yaml and haproxy check deploy/'s manifests and haproxy.cfg;
  # haproxy is also the load balancer of the cluster test (tests/e2e/cluster.test.mjs)
  podman runc crun debootstrap uidmap slirp4netns fuse-overlayfs python3-yaml haproxy
  # the brokers the event tests start on loopback and read back from (docs/events.md), and
  # the Redis/NATS cluster buses' tests (docs/scaling.md)
  rabbitmq-server nats-server redis-server
  # the browser the dashboard's Playwright test drives (tests/ui, docs/dashboard.md); Debian's,
  # so no browser is downloaded
  chromium
)
if [ "$build_only" = 1 ]; then packages=("${build_packages[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js is often installed from elsewhere; only ask Debian for it when there is none at all.
if [ "$build_only" = 0 ]; then
  command -v node >/dev/null 2>&1 || missing+=(nodejs)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  cmd="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: ${missing[*]}" >&2
    echo "install-deps: run as root:  $cmd" >&2
    exit 1
  fi
  echo "install-deps: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm modules, each directory pinned by its package-lock.json: the e2e suite, the dashboard's
# build (ui/, docs/dashboard.md) and its browser test (tests/ui).
if [ "$build_only" = 0 ]; then
  for npm_dir in "$here/tests/e2e" "$here/ui" "$here/tests/ui"; do
    [ -f "$npm_dir/package-lock.json" ] || continue
    stamp="$npm_dir/node_modules/.basalt-lock-stamp"
    if [ ! -f "$stamp" ] || ! cmp -s "$npm_dir/package-lock.json" "$stamp"; then
      echo "install-deps: npm ci in ${npm_dir#"$here"/}" >&2
      (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error)
      cp "$npm_dir/package-lock.json" "$stamp"
    fi
  done
fi
