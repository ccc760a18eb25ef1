#!/usr/bin/env bash
# SIGKILL of ONE worker rank in the middle of a sweep (issue 7): Open MPI aborts the job (in
# seconds, no hang); the file is left resumable with every finished result; `run --resume`
# completes it equal in every result to an uninterrupted run.
# Usage: kill_worker_test.sh NTKSWEEP
set -euo pipefail
exe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"

mpirun -n 2 "$exe" run "$here/fault.ini" -o reference.h5 --no-progress

# Its own session, so that nothing of it survives the test.
setsid mpirun -n 3 --oversubscribe "$exe" run "$here/fault.ini" -o killed.h5 --no-progress 2>log &
job=$!
# Wait until at least two results are journaled (the journal grows by one record per result).
size0=""
for _ in $(seq 1 300); do
  if [ -e killed.h5.journal ]; then
    s=$(stat -c %s killed.h5.journal)
    [ -z "$size0" ] && size0=$s
    [ "$s" -gt "$size0" ] && [ -n "${seen_once:-}" ] && break
    [ "$s" -gt "$size0" ] && { seen_once=1; size0=$s; }
  fi
  sleep 0.05
done
# Rank 1 is a worker: find it among mpirun's children by its Open MPI rank variable.
victim=""
for p in $(pgrep -P "$job"); do
  if tr '\0' '\n' <"/proc/$p/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1'; then victim=$p; fi
done
[ -n "$victim" ] || { echo "FAIL: no worker rank found (did the sweep end already?)"; exit 1; }
kill -9 "$victim"
echo "killed worker rank 1 (pid $victim) at $(stat -c %s killed.h5.journal 2>/dev/null || echo ?) journal bytes"
start=$(date +%s)
rc=0
timeout 60 tail --pid="$job" -f /dev/null || { echo "FAIL: the job did not end within 60 s of the kill"; kill -9 -- "-$job"; exit 1; }
wait "$job" || rc=$?
echo "mpirun exit code $rc after $(( $(date +%s) - start )) s"
[ "$rc" != 0 ] || { echo "FAIL: the job reported success although a rank was killed"; exit 1; }
for _ in $(seq 1 50); do pgrep -s "$job" >/dev/null || break; sleep 0.1; done

# Resume on 2 ranks: it reports the finished tasks it kept, then completes the sweep.
mpirun -n 2 "$exe" run "$here/fault.ini" -o killed.h5 --resume --no-progress 2>resume.log
cat resume.log
grep -q "resuming killed.h5: [1-9][0-9]* tasks done" resume.log || {
  echo "FAIL: the resume kept no finished task"; exit 1; }
/usr/bin/python3 "$here/../parallel/compare_results.py" killed.h5 reference.h5
echo "kill -9 of one worker rank: job aborted, resumed file equals the uninterrupted run"
