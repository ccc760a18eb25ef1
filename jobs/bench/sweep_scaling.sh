#!/usr/bin/env bash
# Sweep overhead benchmark (issue 4): speed-up of equal tasks on 2 ranks over 1, and the
# per-task overhead of a sweep of 1,000 tiny tasks. A benchmark, not a test: it prints numbers.
# Usage: jobs/bench/sweep_scaling.sh [NTKSWEEP]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
exe=${1:-$root/build/src/cli/ntksweep}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

now() { date +%s.%N; }
wall() {  # wall seconds of one sweep: wall N CONFIG [overrides...]
  local n=$1 cfg=$2; shift 2
  rm -f "$work/out.h5"
  local t0; t0=$(now)
  mpirun -n "$n" --oversubscribe "$exe" run "$cfg" -o "$work/out.h5" --no-progress "$@" >/dev/null
  echo "$(now) - $t0" | bc -l
}

# 16 equal tasks: the step size changes no cost. Each runs 2^16 steps at M = 4096 (about a second),
# so that the fixed start-up of mpirun (~0.4 s) does not dominate the ratio.
cat > "$work/equal.ini" <<'INI'
[network]
activation = swish
[sgd]
eta = lin:0.1:0.8:16
[grid]
width = 4096
samples = 65536
replicates = 1
[eval]
quadrature = 1024
INI
t1=$(wall 1 "$work/equal.ini")
t2=$(wall 2 "$work/equal.ini")
printf 'equal tasks: 1 rank %.2f s, 2 ranks %.2f s, speed-up %.3f (goal >= 1.85)\n' "$t1" "$t2" "$(echo "$t1 / $t2" | bc -l)"

# 1,000 tiny tasks (M = 2, T = 1) against 1 such task: the difference is the per-task overhead
# of hand-out, message, result file (journal fsync included) and progress.
cat > "$work/tiny.ini" <<'INI'
[problem]
kmax = 1
[sgd]
eta = lin:0.001:1:1000
[grid]
width = 2
samples = 1
replicates = 1
[eval]
quadrature = 16
checkpoints = 1
INI
for n in 1 2; do
  one=$(wall "$n" "$work/tiny.ini" --sgd.eta=0.5)
  many=$(wall "$n" "$work/tiny.ini")
  printf 'tiny tasks on %d rank(s): 1 task %.3f s, 1000 tasks %.3f s, overhead %.3f ms per task (goal < 1 ms)\n' \
    "$n" "$one" "$many" "$(echo "($many - $one) / 999 * 1000" | bc -l)"
done
