#!/usr/bin/env bash
# Configures (once) and builds ntksweep in Release into build/ (or $NTKSWEEP_BUILD_DIR).
# Shared by jobs/local.sh and tests/run.sh; quick when nothing changed.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NTKSWEEP_BUILD_DIR:-$root/build}
extra=()
[ "${CI:-}" = "true" ] && extra+=(-DNTKSWEEP_WERROR=ON)
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release "${extra[@]}" >&2
fi
cmake --build "$build" -j "$(nproc)" >&2
