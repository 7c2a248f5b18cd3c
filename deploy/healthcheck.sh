#!/bin/sh
# The image's HEALTHCHECK: GET /api/health on the port of BASALT_HTTP (the image's default,
# 0.0.0.0:8090), over loopback. The route touches neither the database nor a token, so this
# says "the process serves HTTP"; a listener bound to one non-loopback address, or an address
# set only in a TOML file, needs a HEALTHCHECK of its own.
set -eu
port="${BASALT_HTTP##*:}"
exec curl --fail --silent --show-error --output /dev/null --max-time 3 \
  "http://127.0.0.1:${port:-8090}/api/health"
