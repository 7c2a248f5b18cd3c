#!/usr/bin/env bash
# Expand amplification (docs/security.md, "Request limits"): six records that each link all six,
# listed by a guest with expand six levels deep. Prints the status, response bytes, time and the
# server's peak RSS growth (private RssAnon and VmHWM) for that one request.
#   bench/expand_amplification.sh [BINARY]     (default build/release/basalt)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="${1:-$here/../build/release/basalt}"
work="$(mktemp -d)"
startup_timeout=10
# shellcheck source=bench/lib.sh
source "$here/lib.sh"
trap stop_servers EXIT

"$binary" superuser upsert admin@bench.test 'bench password 1' --dir "$work/data" >/dev/null
start_server basalt "$binary" serve --http 127.0.0.1:0 --dir "$work/data" --access-log false
url="${urls[0]}" pid="${pids[0]}"
token=$(curl -sf -XPOST "$url/api/collections/_superusers/auth-with-password" \
  -H 'content-type: application/json' -d '{"identity":"admin@bench.test","password":"bench password 1"}' |
  sed -E 's/.*"token":"([^"]+)".*/\1/')
su() { curl -sf -X"$1" "$url$2" -H "Authorization: $token" -H 'content-type: application/json' ${3:+-d "$3"}; }
su POST /api/collections '{"id":"linksbench00001","name":"links","type":"base","listRule":"","viewRule":"","fields":[{"name":"title","type":"text"},{"name":"links","type":"relation","collectionId":"linksbench00001","maxSelect":10}]}' >/dev/null
ids=()
for i in 1 2 3 4 5 6; do
  ids+=("$(su POST /api/collections/links/records "{\"title\":\"link $i $(printf 'x%.0s' {1..200})\"}" | sed -E 's/.*"id":"([^"]+)".*/\1/')")
done
all=$(printf '"%s",' "${ids[@]}"); all="[${all%,}]"
for id in "${ids[@]}"; do su PATCH "/api/collections/links/records/$id" "{\"links\":$all}" >/dev/null; done

anon_before=$(rss_kib "$pid" RssAnon)
reset_peak_rss "$pid"
anon_file="$work/anon"; watch_anon_rss "$pid" "$anon_file" & watcher=$!
result=$(curl -s -o "$work/body" -w '%{http_code} %{size_download} %{time_total}' \
  "$url/api/collections/links/records?expand=links.links.links.links.links.links")
sleep 0.3; kill "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true
read -r status bytes seconds <<<"$result"
echo "| status | response bytes | time s | peak RssAnon growth MiB | peak VmHWM MiB |"
echo "|---|---|---|---|---|"
echo "| $status | $bytes | $seconds | $(mib $(($(cat "$anon_file") - anon_before))) | $(mib "$(rss_kib "$pid" VmHWM)") |"
