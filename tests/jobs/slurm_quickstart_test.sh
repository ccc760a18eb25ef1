#!/usr/bin/env bash
# jobs/slurm/quickstart.sbatch, submitted as it is to a real single-node Slurm, runs to
# completion, and its file equals a local `mpirun` run in every result.
# Usage: slurm_quickstart_test.sh NTKSWEEP
set -euo pipefail
. "$(dirname "$0")/common.sh"
start_slurm

# The study at a few seconds' size (NTKSWEEP_ARGS: overrides the script passes to the run).
export NTKSWEEP_ARGS=$(pin_grid 256,1024 pow2:8:13 4)
jid=$(sbatch --parsable "$root/jobs/slurm/quickstart.sbatch")
mpirun -n 2 ntksweep run "$root/jobs/configs/quickstart.ini" $NTKSWEEP_ARGS -o reference.h5 --no-progress
slurm_wait "$jid" | tee states
[ "$(cat states)" = "$jid COMPLETED 0:0" ]
grep -q "finished quickstart-$jid.h5" "quickstart-$jid.log"
compare "quickstart-$jid.h5" reference.h5
echo "quickstart.sbatch (job $jid): finished, equal to a local mpirun run"
