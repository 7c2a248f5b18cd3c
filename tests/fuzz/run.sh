#!/usr/bin/env bash
# Builds the filter fuzzer with clang in build/fuzz and runs it for a time budget.
#
#   tests/fuzz/run.sh [seconds]        default 20
#
# Exits non-zero when libFuzzer reports a crash, sanitizer error, leak, timeout or
# out-of-memory; the input is saved under build/fuzz/artifacts/ (see tests/fuzz/README.md to
# reproduce it). New interesting inputs accumulate in build/fuzz/corpus/filter across runs;
# the checked-in seeds in tests/fuzz/corpus/filter are only read.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

budget="${1:-20}"
if ! [[ "$budget" =~ ^[0-9]+$ ]] || (( budget == 0 )); then
  echo "usage: $0 [seconds > 0]" >&2
  exit 2
fi

build=build/fuzz
cxx="${FUZZ_CXX:-clang++}"
cmake -S . -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DBASALT_BUILD_FUZZ=ON -DBASALT_BUILD_TESTS=OFF >/dev/null
if ! cmake --build "$build" --target filter_fuzzer; then
  echo "run.sh: building filter_fuzzer failed (is tests/fuzz added to the root CMakeLists.txt?)" >&2
  exit 1
fi

corpus="$build/corpus/filter"
artifacts="$build/artifacts"
mkdir -p "$corpus" "$artifacts"

# One process (CI has 2 shared cores). -max_len covers the 3500-byte filter limit and a bit
# more; -timeout flags any single input that takes over 5 s as a hang.
exec "$build/tests/fuzz/filter_fuzzer" "$corpus" tests/fuzz/corpus/filter \
  -dict=tests/fuzz/filter.dict \
  -max_total_time="$budget" \
  -max_len=4096 \
  -timeout=5 \
  -rss_limit_mb=2048 \
  -artifact_prefix="$artifacts/" \
  -print_final_stats=1
