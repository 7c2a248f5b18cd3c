#!/usr/bin/env bash
# Installs every Debian package and npm module that Basalt's build, tests and benchmarks need.
# Idempotent: when everything is present it only checks and exits 0 quickly.
# As root it installs; otherwise it prints the exact command to run and exits 1.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# One list, one place: add a package here when the build or a test starts needing it.
packages=(
  # toolchain
  g++ cmake ninja-build ccache pkg-config make git
  clang libclang-rt-14-dev clang-format
  # libraries (docs/architecture.md)
  libboost1.81-dev libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev zlib1g-dev
  libsqlite3-dev libsodium-dev libre2-dev libcrypt-dev
  libmagic-dev libvips-dev libcurl4-openssl-dev libssl-dev libzip-dev libpq-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev wrk curl
  # the PostgreSQL server the driver's tests start (scripts/postgres-test-server.sh); psql,
  # with which the e2e suite on PostgreSQL creates and drops a database per server
  postgresql-15 postgresql-client-15
  # the load balancer of the cluster test (tests/e2e/cluster.test.mjs, docs/scaling.md)
  haproxy
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js is often installed from elsewhere; only ask Debian for it when there is none at all.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

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

# npm modules for the e2e suite, pinned by tests/e2e/package-lock.json.
e2e="$here/tests/e2e"
if [ -f "$e2e/package-lock.json" ]; then
  stamp="$e2e/node_modules/.basalt-lock-stamp"
  if [ ! -f "$stamp" ] || ! cmp -s "$e2e/package-lock.json" "$stamp"; then
    echo "install-deps: npm ci in tests/e2e" >&2
    (cd "$e2e" && npm ci --no-audit --no-fund --loglevel=error)
    cp "$e2e/package-lock.json" "$stamp"
  fi
fi
