#!/usr/bin/env bash
# File upload benchmark (issue M1.9): throughput of one 20 MiB multipart upload into local
# storage, and the server's peak memory while 16 such uploads run at once. Uploads stream to
# the spool directory as they arrive (docs/files.md), so the peak should grow by a few buffers
# per upload, not by the 320 MiB sent. Prints RssAnon (heap and stacks) and RssFile (mapped
# files, mostly data.db) separately. Never a CI gate.
#
# Knobs: BENCH_BUILD_DIR (build/release), BENCH_ROUNDS (3, single-upload runs, median),
# BENCH_UPLOADS (16 concurrent uploads), BENCH_FILE_MIB (20).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/bench/lib.sh"
basalt="${BENCH_BUILD_DIR:-$root/build/release}/basalt"
rounds="${BENCH_ROUNDS:-3}"
uploads="${BENCH_UPLOADS:-16}"
file_mib="${BENCH_FILE_MIB:-20}"
require_positive "$rounds" "$uploads" "$file_mib"
email=bench@example.com
password='bench password 123'
startup_timeout=15

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-files-bench.XXXXXX")"
watchers=()
cleanup() {
  for w in "${watchers[@]}"; do kill "$w" 2>/dev/null || true; done
  stop_servers
}
trap cleanup EXIT

"$basalt" superuser upsert "$email" "$password" --dir "$work/data" >/dev/null
start_server basalt "$basalt" serve --http 127.0.0.1:0 --dir "$work/data" --threads 2 \
  --access-log false
url="${urls[0]}"
pid="${pids[0]}"

token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
  -H 'Content-Type: application/json' \
  -d "{\"identity\":\"$email\",\"password\":\"$password\"}" | sed -E 's/.*"token":"([^"]+)".*/\1/')"
curl -sf -X POST "$url/api/collections" -H "Authorization: $token" \
  -H 'Content-Type: application/json' \
  -d "{\"name\":\"uploads\",\"type\":\"base\",\"createRule\":\"\",\"fields\":[{\"name\":\"file\",\"type\":\"file\",\"maxSelect\":1,\"maxSize\":$(((file_mib + 1) << 20))}]}" \
  >/dev/null

head -c "$((file_mib << 20))" /dev/urandom >"$work/upload.bin"
upload() { curl -sf -o /dev/null -w '%{time_total}\n' -X POST "$url/api/collections/uploads/records" \
  -F "file=@$work/upload.bin"; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
seconds=$(for _ in $(seq "$rounds"); do upload; done | median)

idle_anon=$(rss_kib "$pid" RssAnon)
idle_file=$(rss_kib "$pid" RssFile)
reset_peak_rss "$pid"
watch_peak "$pid" "$work/peak_anon" RssAnon & watchers+=($!)
watch_peak "$pid" "$work/peak_file" RssFile & watchers+=($!)
started=$(date +%s.%N)
upload_pids=()
for _ in $(seq "$uploads"); do
  upload >/dev/null &
  upload_pids+=($!)
done
wait_fail=0
for job in "${upload_pids[@]}"; do wait "$job" || wait_fail=1; done
finished=$(date +%s.%N)
sleep 0.2  # one more sample of each watcher after the last upload
for w in "${watchers[@]}"; do kill "$w" 2>/dev/null || true; done
watchers=()
peak_hwm=$(rss_kib "$pid" VmHWM)
stored=$(find "$work/data/storage" -type f | wc -l)

echo "load: $(uptime | sed 's/.*load average/load average/')"
awk -v s="$seconds" -v m="$file_mib" -v r="$rounds" \
  'BEGIN { printf "one %d MiB upload: %.3f s, %.0f MiB/s (median of %d)\n", m, s, m / s, r }'
awk -v a="$started" -v b="$finished" -v n="$uploads" -v m="$file_mib" \
  'BEGIN { printf "%d concurrent %d MiB uploads: %.2f s, %.0f MiB/s total\n", n, m, b - a, n * m / (b - a) }'
echo "RssAnon: idle $(mib "$idle_anon") MiB, peak $(mib "$(cat "$work/peak_anon")") MiB"
echo "RssFile: idle $(mib "$idle_file") MiB, peak $(mib "$(cat "$work/peak_file")") MiB"
echo "VmHWM during the concurrent uploads: $(mib "$peak_hwm") MiB (sent: $((uploads * file_mib)) MiB)"
echo "stored files: $stored (expected $((rounds + uploads)))"
[ "$wait_fail" = 0 ] || { echo "bench: an upload failed" >&2; exit 1; }
