#!/usr/bin/env bash
# The compiler launcher of the two precompiled-header targets (cmake/BasaltBuild.cmake sets it):
# runs the compile it is given, and after a precompiled header (an output ending in .pch or
# .gch) writes <pch>.sum, a checksum of what the header means — the compiler's version, the
# compile's arguments with this clone's paths taken out, and the header's preprocessed text.
#
# Why: ccache hashes a precompiled header into every compile that uses it, and two builds of the
# same header are not the same file: a clang .pch records the absolute paths of its own files
# (this clone's build directory), and GCC's .gch differs from one compile to the next. So a
# fresh clone (CI) missed on every compile that uses one unless the header's own compile had hit
# ccache. With ccache's pch_external_checksum (CCACHE_PCH_EXTSUM, set in the launcher) it hashes
# <pch>.sum instead, which is the same in every clone and changes with anything the header's
# contents depend on: a header (system or ours), a define, a flag, the compiler.
#
# Invariant: a .sum never describes another .pch than the one beside it. It is removed before
# the compile and written (atomically) only after it succeeded; if anything here fails there is
# no .sum, and ccache falls back to hashing the .pch itself (a miss, never a wrong hit).
#
# Usage: pch_checksum.sh <source dir> <binary dir> <compiler> <launcher and compiler command...>
set -euo pipefail

source_dir="$1"
binary_dir="$2"
compiler="$3"
shift 3
command=("$@")

output=""
for ((i = 0; i < ${#command[@]} - 1; i++)); do
  if [ "${command[i]}" = -o ]; then output="${command[i + 1]}"; fi
done
case "$output" in
  *.pch | *.gch) ;;
  *) exec "${command[@]}" ;;
esac

sum="$output.sum"
rm -f "$sum"
"${command[@]}"

# The same compile asked to preprocess only: no output file, no dependency file, no precompiled
# header written; -P drops the line markers, the only place paths would appear.
preprocess=()
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
    *) preprocess+=("$arg") ;;
  esac
done

# Any failure below leaves no .sum (the header itself was made; its users then miss in ccache):
# a checksum of only part of its input could match a header it does not describe.
# -w: flags that only matter to a real compile (-fpch-instantiate-templates) would otherwise be
# reported unused, and -Werror makes that an error.
checksum() {
  "$compiler" --version &&
    printf '%s\n' "${command[@]}" |
    sed -e "s#$binary_dir#<binary>#g" -e "s#$source_dir#<source>#g" &&
    "${preprocess[@]}" -w -E -P -o -
}
if checksum | sha256sum | cut -d' ' -f1 >"$sum.tmp" && [ -s "$sum.tmp" ]; then
  mv "$sum.tmp" "$sum"
else
  rm -f "$sum.tmp"
fi
