#!/usr/bin/env bash
# Auth benchmark (issue M1.4): auth-refresh req/s (a token check plus one record read) and
# password sign-ins/s (argon2id on the blocking pool), with wrk over loopback. Prints medians
# of BENCH_ROUNDS runs. Never a CI gate.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
basalt="${BENCH_BUILD_DIR:-$root/build/release}/basalt"
rounds="${BENCH_ROUNDS:-3}"
duration="${BENCH_DURATION:-5}"
connections="${BENCH_CONNECTIONS:-64}"
email=bench@example.com
password='bench password 123'

work="$(mktemp -d "${TMPDIR:-/tmp}/basalt-auth-bench.XXXXXX")"
pid=""
cleanup() {
  [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$basalt" superuser upsert "$email" "$password" --dir "$work/data" >/dev/null
mkfifo "$work/out"
# Sign-in limits off: the benchmark signs in thousands of times from one IP.
"$basalt" serve --http 127.0.0.1:0 --dir "$work/data" --threads 2 --access-log false \
  --auth-ip-failures 0 --auth-identity-failures 0 >"$work/out" 2>"$work/err" &
pid=$!
read -r -t 15 line <"$work/out"
url="${line#Server started at }"

login_body="{\"identity\":\"$email\",\"password\":\"$password\"}"
token="$(curl -sf -X POST "$url/api/collections/_superusers/auth-with-password" \
  -H 'Content-Type: application/json' -d "$login_body" | sed -E 's/.*"token":"([^"]+)".*/\1/')"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
run() {  # run PATH BODY TOKEN -> one req/s figure per round
  for _ in $(seq "$rounds"); do
    BODY="$2" TOKEN="$3" wrk -t2 -c"$connections" -d"${duration}s" \
      -s "$root/bench/wrk/post_json.lua" "$url$1" |
      awk '/Requests\/sec/ {print $2} /Non-2xx/ {print "non-2xx: " $0 > "/dev/stderr"}'
  done | median
}

refresh=$(run /api/collections/_superusers/auth-refresh "" "$token")
logins=$(run /api/collections/_superusers/auth-with-password "$login_body" "")
echo "argon2id: t=3, m=32 MiB, p=1; blocking-threads 2; server threads 2; wrk -t2 -c$connections"
printf 'auth-refresh       %10.0f req/s (median of %s x %ss)\n' "$refresh" "$rounds" "$duration"
printf 'auth-with-password %10.0f req/s (median of %s x %ss)\n' "$logins" "$rounds" "$duration"
