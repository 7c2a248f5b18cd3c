#!/usr/bin/env bash
# The compiler launcher of the two precompiled-header targets in a clang tree (the asan preset;
# cmake/BasaltBuild.cmake sets it): runs the compile it is given, and after a precompiled header
# (an output ending in .pch) writes <pch>.sum, a checksum of what the header means — the
# compile's arguments with this clone's paths taken out, and the header's preprocessed text.
#
# Why: a clang .pch records the absolute paths of its own files (this clone's build directory),
# so two clones of the same commit make different .pch files, and ccache, which hashes the .pch
# into every compile that uses it, missed on the whole sanitizer tree in every fresh clone (CI).
# With ccache's pch_external_checksum (CCACHE_PCH_EXTSUM, set in the launcher) it hashes
# <pch>.sum instead, which is the same in every clone and changes with anything the header's
# contents depend on: a header (system or ours), a define, a flag, the compiler's version.
#
# Invariant: a .sum never describes another .pch than the one beside it. It is removed before
# the compile and written (atomically) only after it succeeded; if anything here fails there is
# no .sum, and ccache falls back to hashing the .pch itself (a miss, never a wrong hit).
#
# Usage: clang_pch_checksum.sh <source dir> <binary dir> <launcher and compiler command...>
set -euo pipefail

source_dir="$1"
binary_dir="$2"
shift 2
command=("$@")

output=""
for ((i = 0; i < ${#command[@]} - 1; i++)); do
  if [ "${command[i]}" = -o ]; then output="${command[i + 1]}"; fi
done
case "$output" in
  *.pch) ;;
  *) exec "${command[@]}" ;;
esac

sum="$output.sum"
rm -f "$sum"
"${command[@]}"

# The same compile asked to preprocess only: no output file, no dependency file, no precompiled
# header written; -P drops the line markers, the only place paths would appear.
preprocess=()
compiler=""
skip=0
for ((i = 0; i < ${#command[@]}; i++)); do
  arg="${command[i]}"
  if ((skip > 0)); then
    skip=$((skip - 1))
    continue
  fi
  case "$arg" in
    -o | -MT | -MF | -MQ) skip=1 ;;
    -MD | -MMD | -c) ;;
    -Xclang)
      if [ "${command[i + 1]:-}" = -emit-pch ]; then skip=1; else preprocess+=("$arg"); fi
      ;;
    *)
      if [ -z "$compiler" ] && [[ "$arg" == *clang* ]]; then compiler="$arg"; fi
      preprocess+=("$arg")
      ;;
  esac
done
[ -n "$compiler" ] || exit 0 # not a compile this script knows: leave no .sum

# Any failure below leaves no .sum (the header itself was made; its users then miss in ccache).
checksum() {
  "$compiler" --version
  printf '%s\n' "${command[@]}" | sed -e "s#$binary_dir#<binary>#g" -e "s#$source_dir#<source>#g"
  # -w: flags that only matter to a real compile (-fpch-instantiate-templates) would otherwise
  # be reported unused, and -Werror makes that an error.
  "${preprocess[@]}" -w -E -P -o -
}
if checksum | sha256sum | cut -d' ' -f1 >"$sum.tmp" && [ -s "$sum.tmp" ]; then
  mv "$sum.tmp" "$sum"
else
  rm -f "$sum.tmp"
fi
