#!/bin/sh
# Installs the packages of deploy/runtime-packages.txt that the image does not have yet, then
# drops apt's lists and downloads. Run by the Dockerfile's runtime stage as root.
#
# A base image that already holds every package (the test's debootstrap base, built with
# `--include` of the same list: tests/container/run.sh) needs no network here; a stock
# debian:bookworm-slim fetches them from its mirror.
set -eu

list="${1:?usage: install-runtime-packages.sh PACKAGE_LIST}"
missing=""
for package in $(sed -e 's/#.*//' "$list"); do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $package"
  fi
done

if [ -n "$missing" ]; then
  echo "install-runtime-packages:$missing" >&2
  apt-get update
  # shellcheck disable=SC2086  # one word per package
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
fi
rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb
