#!/usr/bin/env bash
# SIGTERM around the end of a sweep, where the last results are written and the file is
# finished (issue 7). At seeded random moments in the last part of a short run every rank
# gets SIGTERM; whatever it hit, the job ends in seconds with 0 (done) or 3 (stopped), the file
# is a valid result file (`ntksweep info` reads it), and it is — or `--resume` makes it — equal
# in every result to an uninterrupted run.
# Usage: sigterm_flush_test.sh NTKSWEEP [ROUNDS]
set -uo pipefail
exe=$(realpath "$1")
rounds=${2:-6}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"

# 200 tasks of well under a millisecond: the run is mostly writing results and finishing the file.
many=(--grid.replicates=25 --sgd.eta=lin:0.25:1:4)
mpirun -n 2 "$exe" run "$here/tiny.ini" "${many[@]}" -o reference.h5 --no-progress || exit 1
ms() { echo $(( $(date +%s%N) / 1000000 )); }

RANDOM=4242   # seeded: the same moments on every run of the test
failed=0 stopped=0
for i in $(seq 1 "$rounds"); do
  rm -f out.h5 out.h5.journal
  setsid mpirun -n 2 "$exe" run "$here/tiny.ini" "${many[@]}" -o out.h5 --no-progress 2>log &
  job=$!
  # The sweep proper begins when the file exists; writing 200 results (each fsync'd) and
  # finishing the file take about 0.1-0.3 s. Signal at a moment 0-300 ms after that.
  for _ in $(seq 1 400); do [ -e out.h5 ] && break; sleep 0.01; done
  delay=$(( RANDOM % 300 ))
  sleep "$(printf '0.%03d' $delay)"
  # To the ranks, as a batch system's SIGTERM reaches them (SIGTERM to mpirun alone makes
  # Open MPI kill the job itself: that is the kill -9 case of kill_worker_test.sh).
  ranks=$(pgrep -P $job)
  [ -n "$ranks" ] && kill -TERM $ranks 2>/dev/null
  if ! timeout 30 tail --pid=$job -f /dev/null; then
    echo "FAIL round $i: the job did not end within 30 s of SIGTERM"; kill -9 -- "-$job"; failed=$((failed + 1)); continue
  fi
  wait $job; rc=$?
  for _ in $(seq 1 50); do pgrep -s $job >/dev/null || break; sleep 0.1; done
  echo "round $i: SIGTERM $delay ms after the file appeared: exit $rc"
  if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
    # mpirun itself may die of the signal before the ranks answer it; the file must still be
    # resumable (checked below), but say so.
    echo "  (exit $rc: mpirun ended by the signal) $(head -c 300 log)"
  fi
  [ "$rc" = 3 ] && stopped=$((stopped + 1))
  if [ ! -e out.h5 ] && [ ! -e out.h5.journal ]; then echo "  no file yet"; continue; fi
  if [ "$rc" = 0 ] || [ "$rc" = 3 ]; then
    "$exe" info out.h5 >/dev/null 2>info.err || { echo "FAIL round $i: info cannot read the file: $(cat info.err)"; failed=$((failed + 1)); continue; }
  fi
  if [ "$rc" != 0 ]; then
    mpirun -n 2 "$exe" run "$here/tiny.ini" "${many[@]}" -o out.h5 --resume --no-progress 2>resume.log ||
      { echo "FAIL round $i: resume failed: $(cat resume.log)"; failed=$((failed + 1)); continue; }
  fi
  /usr/bin/python3 "$here/../parallel/compare_results.py" out.h5 reference.h5 ||
    { echo "FAIL round $i: the file differs from the uninterrupted run"; failed=$((failed + 1)); }
done
echo "$rounds rounds, $stopped stopped with exit 3, $failed failed"
[ "$failed" = 0 ]
