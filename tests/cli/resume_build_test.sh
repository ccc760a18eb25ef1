#!/usr/bin/env bash
# Resuming a study that another build began: the finished tasks keep that build's numbers, and
# `run --resume` says so in one note naming both builds; the same build resumes without it.
# The study is stopped by SIGTERM after its first results (a clean stop, exit 3), its journal is
# removed (resume then reads the HDF5 file alone), and the file's provenance `git` is set to
# another build's, as a file begun by an older ntksweep would carry.
# Usage: resume_build_test.sh NTKSWEEP
set -euo pipefail
exe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"

stop_after_first_results() {  # out.h5: some tasks finished, some pending, cleanly closed
  "$exe" run "$here/fault.ini" -o "$1" --no-progress 2>/dev/null &
  local job=$! size0="" grown=0
  # The journal grows by one record per result (after the tables of theory): two growths.
  for _ in $(seq 1 400); do
    if [ -e "$1.journal" ]; then
      local s; s=$(stat -c %s "$1.journal")
      [ -z "$size0" ] && size0=$s
      if [ "$s" -gt "$size0" ]; then grown=$((grown + 1)); size0=$s; fi
      [ "$grown" -ge 2 ] && break
    fi
    sleep 0.02
  done
  kill -TERM "$job"
  local rc=0; wait "$job" || rc=$?
  [ "$rc" = 3 ] || { echo "FAIL: a SIGTERM'd run exited $rc, expected 3 (stopped)"; exit 1; }
}

stop_after_first_results same.h5
"$exe" run "$here/fault.ini" -o same.h5 --resume --no-progress 2>same.log
grep -q "resuming same.h5: [1-9][0-9]* tasks done" same.log || { cat same.log; echo "FAIL: nothing finished before the stop"; exit 1; }
if grep -q "note:" same.log; then cat same.log; echo "FAIL: the same build resumed with a note"; exit 1; fi

stop_after_first_results other.h5
rm -f other.h5.journal
/usr/bin/python3 - other.h5 <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    f.attrs["git"] = "0123456789ab-older"
PY
"$exe" run "$here/fault.ini" -o other.h5 --resume --no-progress 2>other.log
cat other.log
grep -q "note: other.h5 was begun by build 0123456789ab-older, this is .*: its [1-9][0-9]* finished tasks keep that build's numbers" other.log || {
  echo "FAIL: no note naming the other build"; exit 1; }
"$exe" info other.h5 >/dev/null
echo "resume across builds: noted; same build: silent"
