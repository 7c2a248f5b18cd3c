#!/usr/bin/env bash
# Builds the fuzz targets in the sanitizer tree (preset `asan`: clang, ASan+UBSan, build/asan)
# and runs each, one after the other, for a share of a time budget: multipart_fuzzer (request
# body decoding), fields_fuzzer (the `fields` projection and its excerpt modifier), jwt_fuzzer
# (the Authorization token reader), index_sql_fuzzer (index statements, run as DDL) and
# graphql_fuzzer (GraphQL documents and variables) a seventh each, filter_fuzzer (filter and sort
# parser, the largest) the rest; every target gets at least 1 s.
#
#   tests/fuzz/run.sh [seconds]        default 20 in total
#
# Exits non-zero when libFuzzer reports a crash, sanitizer error, leak, timeout or
# out-of-memory in any target; the input is saved under build/fuzz/artifacts/ (see
# tests/fuzz/README.md to reproduce it). Every target runs even if an earlier one fails. New
# interesting inputs accumulate in build/fuzz/corpus/<target> across runs; the checked-in seeds
# in tests/fuzz/corpus/<target> are only read.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

budget="${1:-20}"
if ! [[ "$budget" =~ ^[0-9]+$ ]] || (( budget == 0 )); then
  echo "usage: $0 [seconds > 0]" >&2
  exit 2
fi

tree=build/asan
cmake --preset asan >/dev/null
if ! cmake --build "$tree" --target filter_fuzzer multipart_fuzzer fields_fuzzer jwt_fuzzer \
  index_sql_fuzzer graphql_fuzzer; then
  echo "run.sh: building the fuzz targets failed" >&2
  exit 1
fi

# Corpus and findings outside the build tree: they outlive a clean rebuild.
build=build/fuzz
artifacts="$build/artifacts"
mkdir -p "$artifacts"

# run <target> <seconds> <max_len> [extra libFuzzer flags]: one process (CI has 2 shared
# cores); -timeout flags any single input that takes over 5 s as a hang.
run() {
  local target="$1" seconds="$2" max_len="$3"
  shift 3
  local corpus="$build/corpus/${target%_fuzzer}"
  mkdir -p "$corpus"
  echo "run.sh: $target for ${seconds} s"
  "$tree/tests/fuzz/$target" "$corpus" "tests/fuzz/corpus/${target%_fuzzer}" \
    -max_total_time="$seconds" \
    -max_len="$max_len" \
    -timeout=5 \
    -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" \
    -print_final_stats=1 \
    "$@"
}

# A budget under 7 s still gives each target a second.
share=$(( budget / 7 > 0 ? budget / 7 : 1 ))
filter_seconds=$(( budget - 5 * share > 0 ? budget - 5 * share : 1 ))

status=0
# -max_len 4096 covers the 3500-byte filter limit and a bit more.
run filter_fuzzer "$filter_seconds" 4096 -dict=tests/fuzz/filter.dict || status=1
# Bodies well past the fuzzer's small part limits (multipart_fuzzer.cpp).
run multipart_fuzzer "$share" 8192 -dict=tests/fuzz/multipart.dict || status=1
# A 4 KiB spec (kMaxFieldsBytes) plus a document nested past the projector's 1000 levels.
run fields_fuzzer "$share" 8192 -dict=tests/fuzz/fields.dict || status=1
# Past kMaxJwtBytes (8 KiB), so the size check is crossed both ways.
run jwt_fuzzer "$share" 9000 -dict=tests/fuzz/jwt.dict || status=1
# Index statements are short; 2 KiB leaves room for long expressions and WHERE clauses.
run index_sql_fuzzer "$share" 2048 -dict=tests/fuzz/index_sql.dict || status=1
# Past the fuzzer's 8 KiB document limit, so the size check is crossed both ways.
run graphql_fuzzer "$share" 9000 -dict=tests/fuzz/graphql.dict || status=1
exit "$status"
