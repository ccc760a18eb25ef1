#!/usr/bin/env bash
# The HDF5 reader treats every file as untrusted (issue 7): damaged copies of a valid result
# file (craft_untrusted.py: missing datasets and groups, wrong shapes and types, a dataset where
# a group belongs, huge dimensions, out-of-range values, missing or mistyped attributes) make
# `info`, `fit` and `run --resume` exit 2 with one line naming the dataset or attribute —
# never a crash (exit >= 128), never a hang — and `run --resume` leaves the file as it was.
# Usage: untrusted_h5_test.sh NTKSWEEP
set -uo pipefail
exe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"
"$exe" run "$here/tiny.ini" -o good.h5 --no-progress || exit 1
mkdir bad
/usr/bin/python3 "$here/craft_untrusted.py" good.h5 bad >cases.txt || exit 1

n=0 failed=0
check() {  # check NAME EXPECT [WANT_RC] -- COMMAND...
  local name=$1 expect=$2 want=$3; shift 4
  n=$((n + 1))
  timeout 30 "$@" >/dev/null 2>err
  local rc=$?
  if [ "$rc" -ge 124 ]; then echo "FAIL $name: exit $rc (crash or hang): $*"; head -n 3 err; failed=$((failed + 1)); return; fi
  if [ "$rc" != "$want" ]; then echo "FAIL $name: exit $rc, want $want: $*: $(head -n 2 err)"; failed=$((failed + 1)); return; fi
  if [ "$want" = 2 ]; then
    if [ "$(wc -l <err)" != 1 ] || ! grep -qF -- "$expect" err; then
      echo "FAIL $name: want one line naming '$expect': $*: $(cat err)"; failed=$((failed + 1)); return
    fi
  fi
}
while IFS=$'\t' read -r name expect; do
  check "$name" "$expect" 2 -- "$exe" info "bad/$name.h5"
  check "$name" "$expect" 2 -- "$exe" fit "bad/$name.h5"
  before=$(md5sum <"bad/$name.h5")
  check "$name" "$expect" 2 -- "$exe" run "$here/tiny.ini" -o "bad/$name.h5" --resume --no-progress
  [ "$(md5sum <"bad/$name.h5")" = "$before" ] || { echo "FAIL $name: run --resume changed the file"; failed=$((failed + 1)); }
  [ -e "bad/$name.h5.journal" ] && { echo "FAIL $name: run --resume left a journal"; failed=$((failed + 1)); }
  echo "ok  $name: $(cut -c1-150 err)"
done <cases.txt
echo "$n checks on $(wc -l <cases.txt) damaged files, $failed failed"
[ "$failed" = 0 ]
