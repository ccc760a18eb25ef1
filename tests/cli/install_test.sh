#!/usr/bin/env bash
# `cmake --install` puts ntksweep, ntksweep-bench and ntksweep-plot side by side in PREFIX/bin,
# and they run from there, away from the build tree: a tiny sweep, its plots, the bench's list.
# Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$(realpath "$1")
here=$(realpath "$2")/tests/cli
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
bin=$work/prefix/bin
for exe in ntksweep ntksweep-bench ntksweep-plot; do
  [ -x "$bin/$exe" ] || { echo "missing: $bin/$exe" >&2; exit 1; }
done
cd "$work"
"$bin/ntksweep" --version | grep -q '^ntksweep '
"$bin/ntksweep" run "$here/tiny.ini" --no-progress -o tiny.h5 >/dev/null
"$bin/ntksweep-plot" tiny.h5 -o figures >/dev/null
ls figures/*.png >/dev/null
"$bin/ntksweep-bench" --benchmark_list_tests=true | grep -q '^Step/d:2/M:1024/relu$'
echo "installed binaries run from $bin"
