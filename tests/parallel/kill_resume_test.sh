#!/usr/bin/env bash
# kill -9 of the whole job at random moments, 10 times in a row, resuming each time; the
# finished file must equal an uninterrupted run in every result.
# Usage: kill_resume_test.sh NTKSWEEP [KILLS]
set -euo pipefail
exe=$1
kills=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

mpirun -n 2 "$exe" run "$here/kill.ini" -o "$work/reference.h5" --no-progress

RANDOM=12345  # seeded: the same kill moments every run
out="$work/killed.h5"
mode=""
for i in $(seq 1 "$kills"); do
  # Its own session, so that one kill reaches mpirun and every rank at once.
  setsid mpirun -n 2 "$exe" run "$here/kill.ini" -o "$out" $mode --no-progress 2>"$work/log$i" &
  pid=$!
  ms=$(( (RANDOM % 1100) + 100 )); delay=$(printf '%d.%03d' $((ms / 1000)) $((ms % 1000)))
  sleep "$delay"
  # mpirun puts its ranks in process groups of their own: kill the whole session it started.
  pkill -KILL -s "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Processes of the killed job are gone before the next start (the journal lock needs it).
  for _ in $(seq 1 50); do pgrep -s "$pid" >/dev/null || break; sleep 0.1; done
  mode="--resume"
  [ -e "$out" ] || [ -e "$out.journal" ] || mode=""   # killed before the file existed
  echo "kill $i after ${delay}s"
done
mpirun -n 2 "$exe" run "$here/kill.ini" -o "$out" $mode --no-progress
# The kills must have landed mid-sweep: several restarts found some tasks done and some to go.
midway=$(cat "$work"/log* | grep -cE 'resuming .*: [1-9][0-9]* tasks done, [1-9][0-9]* to go' || true)
echo "restarts that found a partly finished sweep: $midway"
[ "$midway" -ge 5 ] || { echo "FAIL: fewer than 5 kills landed mid-sweep" >&2; exit 1; }
/usr/bin/python3 "$here/compare_results.py" "$out" "$work/reference.h5"
echo "$kills kills: the resumed file equals the uninterrupted run"
