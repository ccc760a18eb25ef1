#!/usr/bin/env bash
# jobs/plot.py on the small real file of fit_cli_test.sh (after `ntksweep fit`): exit 0 and
# non-empty PNGs for rates, widths and network-vs-kernel; a non-ntksweep file exits 2.
# usage: plot_test.sh PLOT.py FILE.h5
set -euo pipefail
plot=$1 file=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
/usr/bin/python3 "$plot" "$file" -o "$tmp/png" > "$tmp/list.txt" || fail "plot.py exited $?"
for png in rates widths kernel; do
  f="$tmp/png/$png.png"
  [ -s "$f" ] || fail "$png.png missing or empty"
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$png.png is not a PNG"
  [ "$(stat -c %s "$f")" -gt 10000 ] || fail "$png.png is suspiciously small"
done
/usr/bin/python3 -c "import h5py; h5py.File('$tmp/other.h5', 'w')['x'] = [1]"
set +e
/usr/bin/python3 "$plot" "$tmp/other.h5" -o "$tmp/png2" 2> /dev/null
rc=$?
set -e
[ $rc -eq 2 ] || fail "plot.py on a non-ntksweep file exited $rc, expected 2"
echo "plot_test: ok"
