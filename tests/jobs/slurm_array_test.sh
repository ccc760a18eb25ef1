#!/usr/bin/env bash
# jobs/slurm/shards.sbatch as a job array of 2 shards (`run --shard I/2`) at a 1-minute wall
# time that is too short for them: each shard is signalled, stops cleanly and continues in a
# job of its own; the first element's merge job (merge.sbatch, after the array) waits for those
# continuations, and the merged file equals a single-job run in every result.
# Usage: slurm_array_test.sh NTKSWEEP
set -euo pipefail
. "$(dirname "$0")/common.sh"
start_slurm

# Shards of ~25 s each on one rank (sized from a measured task), beside a two-rank reference:
# four processes on two cores, so each shard takes over a minute while the signal comes at
# most 30 s into each job (see slurm_walltime_test.sh).
t=$(task_seconds 1024 pow2:8:14)
reps=$(( $(replicates_for 25 "$t") * 2 ))
echo "one task: $t s; study: $reps tasks, $((reps / 2)) per shard"
export NTKSWEEP_ARGS=$(pin_grid 1024 pow2:8:14 "$reps")
aid=$(SBATCH_TIMELIMIT=1 SBATCH_SIGNAL=B:USR1@50 \
      sbatch --parsable --array=0-1 --ntasks=1 "$root/jobs/slurm/shards.sbatch" quickstart)
mpirun -n 2 ntksweep run "$root/jobs/configs/quickstart.ini" $NTKSWEEP_ARGS -o reference.h5 --no-progress
slurm_wait "${aid}_0" "${aid}_1" | tee states
mid=$(cat shards-*.log | sed -n 's/.*merge of .* submitted as job \([0-9]*\).*/\1/p')
[ -n "$mid" ] || { echo "no merge job submitted"; false; }
slurm_follow "$mid" | tee -a states
for i in 0 1; do
  c=$(sed -n 's/.*continues in job \([0-9]*\).*/\1/p' "shards-${aid}_$i.log")
  [ -n "$c" ] || { echo "shard $i was not interrupted"; false; }
  slurm_follow "$c" | tee -a states
done
if grep -v " COMPLETED 0:0$" states; then echo "a job failed"; false; fi
grep -h "shards still running\|continues in job\|finished shard\|wrote" ./*.log
for i in 0 1; do
  /usr/bin/python3 - "quickstart-$aid-shard$i.h5" "$i" "$reps" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert (f.attrs["shard_index"], f.attrs["shard_count"]) == (int(sys.argv[2]), 2), dict(f.attrs)
assert "finished" in f.attrs
done = int(np.sum(f["tasks"]["status"][()] != 0))
assert done == int(sys.argv[3]) // 2, f"shard {sys.argv[2]} holds {done} results, expected half of {sys.argv[3]}"
PY
done
compare "quickstart-$aid.h5" reference.h5
echo "shards.sbatch --array=0-1 at a 1-minute limit, continued and merged (job $mid): equal to a single-job run"
