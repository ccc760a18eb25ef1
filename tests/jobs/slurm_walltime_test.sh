#!/usr/bin/env bash
# A job whose wall time (1 minute, Slurm's least) is too short for its study is signalled
# (#SBATCH --signal=B:USR1@50), drains and stops cleanly (exit 3, file consistent), resubmits
# itself with --resume, and the chain's final file equals an uninterrupted run. Nothing is
# lost or computed twice: every stop is the USR1 drain (no task abandoned), and each job
# resumes exactly where the one before stopped.
# Usage: slurm_walltime_test.sh NTKSWEEP
set -euo pipefail
. "$(dirname "$0")/common.sh"
start_slurm

# A study of ~45 s on one rank (sized from a measured task; tasks are short, so a drain takes
# well under the 50 s the signal leaves), run on one rank beside a one-rank reference run, each
# on a core of its own. Slurm checks time limits every 30 s, and with 60 s left (< 50 s + 30 s)
# the signal comes at the first check, at most 30 s into each job: job 1 is always signalled.
t=$(task_seconds 1024 pow2:8:14)
reps=$(replicates_for 45 "$t")
echo "one task: $t s; study: $reps tasks"
export NTKSWEEP_ARGS=$(pin_grid 1024 pow2:8:14 "$reps")
jid=$(SBATCH_TIMELIMIT=1 SBATCH_SIGNAL=B:USR1@50 sbatch --parsable --ntasks=1 "$root/jobs/slurm/quickstart.sbatch")
mpirun -n 1 ntksweep run "$root/jobs/configs/quickstart.ini" $NTKSWEEP_ARGS -o reference.h5 --no-progress
slurm_follow "$jid" | tee states
n_jobs=$(wc -l <states)
[ "$n_jobs" -ge 2 ] || { echo "the study was not interrupted: $n_jobs job(s)"; false; }
if grep -v " COMPLETED 0:0$" states; then echo "a job of the chain failed"; false; fi
# Every job but the last was stopped by the USR1 drain (signal 10, not TERM), and the next
# one resumed with exactly the tasks it left.
logs=$(ls quickstart-*.log | sort -V)
stops=$(cat $logs | grep -c "stopped by signal 10;" || true)
[ "$stops" -eq $((n_jobs - 1)) ] || { echo "$stops USR1 stops for $n_jobs jobs"; false; }
if cat $logs | grep "stopped by signal 15"; then echo "a job was terminated, not drained"; false; fi
left=$(cat $logs | sed -n 's/.*stopped by signal 10; \([0-9]*\) tasks left.*/\1/p' | paste -sd' ')
togo=$(cat $logs | sed -n 's/.*resuming .*, \([0-9]*\) to go.*/\1/p' | paste -sd' ')
echo "tasks left at each stop: $left; to go at each resume: $togo"
[ "$left" = "$togo" ] || { echo "a resume did not continue where the stop left off"; false; }
[ ! -e "quickstart-$jid.h5.journal" ]
compare "quickstart-$jid.h5" reference.h5
echo "quickstart.sbatch at a 1-minute limit: $n_jobs jobs, final file equal to an uninterrupted run"
