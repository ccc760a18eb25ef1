#!/usr/bin/env bash
# `merge` refuses, with exit code 2, one line on stderr and every file byte for byte as it was:
# shards of different configurations, overlapping shards (the same shard twice, a task finished
# in two files), a missing shard (without --partial), an unfinished shard, and an existing
# output (without --force). Usage: merge_refusals_test.sh NTKSWEEP
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$work"
cfg=$root/tests/parallel/small.ini

for i in 0 1 2; do mpirun -n 1 ntksweep run "$cfg" --shard "$i/3" -o "s$i.h5" --no-progress; done
mpirun -n 1 ntksweep run "$cfg" --shard 1/3 --grid.seed=12 -o other1.h5 --no-progress   # another config
cp s1.h5 s1copy.h5                                                                     # shard 1 twice
mpirun -n 1 ntksweep run "$cfg" --shard 0/2 -o half0.h5 --no-progress                 # another split
# A task finished in two files: partial merges of shards 0+1 and of 1+2 overlap in shard 1's tasks.
ntksweep merge part01.h5 s0.h5 s1.h5 --partial 2>/dev/null
ntksweep merge part12.h5 s1.h5 s2.h5 --partial 2>/dev/null
echo "not a result file" > existing.h5

refuse() {  # refuse WHY ARGS...: merge exits 2, says why, and changes no file
  local why=$1 rc=0
  shift
  local before after
  before=$(sha256sum ./*.h5* | sort)
  ntksweep merge "$@" 2>err || rc=$?
  after=$(sha256sum ./*.h5* | sort)
  [ "$rc" -eq 2 ] || { echo "merge $*: exit $rc, expected 2"; cat err; return 1; }
  [ "$(wc -l <err)" -eq 1 ] || { echo "merge $*: expected one line on stderr"; cat err; return 1; }
  grep -q -- "$why" err || { echo "merge $*: message lacks '$why'"; cat err; return 1; }
  [ "$before" = "$after" ] || { echo "merge $*: files changed"; diff <(echo "$before") <(echo "$after"); return 1; }
  echo "refused ($why): $(cat err)"
}
refuse "different configuration" out.h5 s0.h5 other1.h5 s2.h5
refuse "overlapping shards" out.h5 s0.h5 s1.h5 s1copy.h5 s2.h5
refuse "overlapping shards" out.h5 s0.h5 s1.h5 s1.h5 s2.h5
refuse "shards of one split" out.h5 s0.h5 half0.h5
refuse "finished in both" out.h5 part01.h5 part12.h5 --partial
refuse "shard 2/3 is missing" out.h5 s0.h5 s1.h5
refuse "already exists" existing.h5 s0.h5 s1.h5 s2.h5
refuse "is also an input" s0.h5 s0.h5 s1.h5 s2.h5 --force
refuse "not a valid\|not an HDF5" out.h5 s0.h5 existing.h5 s2.h5
# An unfinished shard (stopped by SIGUSR1: closed cleanly, resumable) and an interrupted one
# (kill -9: its journal was not closed), with shards of tests/parallel/kill.ini.
kcfg=$root/tests/parallel/kill.ini
more="--grid.replicates=10"   # twice kill.ini's tasks: the stops land mid-run however fast the code gets
mpirun -n 1 ntksweep run "$kcfg" --shard 1/2 $more -o k1.h5 --no-progress
mpirun -n 1 ntksweep run "$kcfg" --shard 0/2 $more -o k0.h5 --no-progress &
pid=$!
for _ in $(seq 1 100); do [ -e k0.h5 ] && break; sleep 0.05; done
sleep 0.3; kill -USR1 "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 3 ] && [ -e k0.h5.journal ] || { echo "the stopped shard exited $rc"; false; }
refuse "is not finished" out.h5 k0.h5 k1.h5
setsid mpirun -n 1 ntksweep run "$kcfg" --shard 0/1 $more -o killed.h5 --no-progress 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do [ -e killed.h5 ] && break; sleep 0.05; done
sleep 0.5; kill -9 -- "-$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
for _ in $(seq 1 50); do pgrep -s "$pid" >/dev/null || break; sleep 0.1; done
[ -e killed.h5.journal ] || { echo "the killed run was not interrupted"; false; }
refuse "was interrupted" out.h5 killed.h5 --partial
# `run --shard`: a bad I/N is refused naming the option, the value and what is allowed.
for bad in 3/3 -1/3 1/0 x 1/ 2; do
  rc=0; ntksweep run "$cfg" --shard "$bad" -o never.h5 2>err || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--shard': value '$bad'.*allowed: I/N with 0 <= I < N" err \
    || { echo "--shard $bad: exit $rc"; cat err; false; }
done
[ ! -e never.h5 ]
# --force replaces an existing output.
ntksweep merge existing.h5 s0.h5 s1.h5 s2.h5 --force
echo "every refusal: exit 2, one line, inputs unchanged"
