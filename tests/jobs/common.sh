# Shared by the tests/jobs scripts: NTKSWEEP (the executable) first on PATH, Open MPI allowed
# to run as root and to oversubscribe, a work directory removed at exit, and the Slurm tests'
# preconditions (root, slurm-wlm and munge installed: cmake/install-deps.sh slurm).
exe=$(readlink -f "$1")
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
export PATH=$(dirname "$exe"):$PATH
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
work=$(mktemp -d /tmp/ntksweep-jobs.XXXXXX)
# The quickstart study pinned to a size the tests control (the config may grow): task count and
# cost depend only on these axes.
pin_grid() {  # pin_grid WIDTHS SAMPLES REPLICATES
  echo "--grid.width=$1 --grid.samples=$2 --grid.replicates=$3 --sgd.eta=0.5 --sgd.theta=auto --sgd.lambda=0 --problem.source=0.5 --network.activation=swish"
}
# Seconds one quickstart task pinned to WIDTH and SAMPLES takes on one rank of this machine now
# (the code gets faster, the machine may be loaded): the difference of a 10- and a 2-replicate
# run, so that start-up costs cancel. The Slurm tests size their studies with it.
task_seconds() {  # task_seconds WIDTH SAMPLES
  local t0 t1 t2
  t0=$(date +%s.%N)
  ntksweep run "$root/jobs/configs/quickstart.ini" $(pin_grid "$1" "$2" 2) -o "$work/cal2.h5" --no-progress
  t1=$(date +%s.%N)
  ntksweep run "$root/jobs/configs/quickstart.ini" $(pin_grid "$1" "$2" 10) -o "$work/cal10.h5" --no-progress
  t2=$(date +%s.%N)
  rm -f "$work"/cal*.h5
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { t = ((c - b) - (b - a)) / 8; printf "%.4f\n", (t > 0.01 ? t : 0.01) }'
}
# Replicates that make a study of SECONDS on one rank, at TASK seconds a task (at least 8).
replicates_for() { awk -v s="$1" -v t="$2" 'BEGIN { r = int(s / t + 0.5); print (r < 8 ? 8 : r) }'; }
compare() { /usr/bin/python3 "$root/tests/parallel/compare_results.py" "$@"; }

# For the Slurm tests: a private cluster under $work/slurm, stopped (by PID) and removed at exit.
# Exit 77 (ctest: skipped) when the machine cannot host one.
start_slurm() {
  if [ "$(id -u)" -ne 0 ] || ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    echo "SKIP: needs root and slurm-wlm + munge (cmake/install-deps.sh slurm)" >&2
    exit 77
  fi
  . "$here/slurm_cluster.sh"
  trap 'cleanup; slurm_stop; rm -rf "$work"' EXIT
  slurm_start "$work/slurm"
  cd "$work"
  # On failure: every job log, then the daemons' logs.
  trap 'tail -n +1 "$work"/*.log >&2; tail -n 60 "$work"/slurm/log/slurmctld.log "$work"/slurm/log/slurmd.log >&2' ERR
}
# Background runs (a reference computed beside the jobs) end with the test.
cleanup() {
  local pids
  pids=$(jobs -p)
  [ -z "$pids" ] || kill $pids 2>/dev/null || true
}
trap 'cleanup; rm -rf "$work"' EXIT
