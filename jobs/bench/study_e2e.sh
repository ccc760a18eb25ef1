#!/usr/bin/env bash
# End-to-end study benchmark (issue 8): a study of unequal tasks on 2 ranks against its ideal time,
# the sum of its tasks' ideal step times divided by the ranks. A benchmark, not a test: it prints
# numbers (and exits 1 only if the two runs' results are not bit-identical).
# Usage: jobs/bench/study_e2e.sh [NTKSWEEP]
#
# The "ideal step time" of a task is its measured compute time when it runs alone on an idle
# core: its wall_seconds in a 1-rank run, with no scheduling, messaging, I/O or start-up in it.
# So ideal_2 = sum(wall_seconds of the 1-rank run) / 2, and the ratio wall(2 ranks) / ideal_2
# charges the sweep with everything else: mpirun's start-up, hand-out, result writing, the final
# flush, the load imbalance at the end, and the slow-down of each task when both cores work. (A
# bound-based ideal would also fold in the step's own efficiency, which ntksweep-bench reports.)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
exe=${1:-$root/build/src/cli/ntksweep}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

now() { date +%s.%N; }
cpu() { awk -v hz="$(getconf CLK_TCK)" '/^cpu /{print ($2+$3+$4+$7+$8)/hz, $9/hz}' /proc/stat; }  # busy, steal s
wall() {  # one run of the study: wall N OUT.h5 -> "wall_s our_cpu_s machine_busy_s steal_s"
  local t0 c0 ours; t0=$(now); c0=$(cpu)
  # `times` in the same subshell: CPU of mpirun and its ranks (user, system), as "1m2.5s 0m0.1s"
  ours=$( { mpirun -n "$1" --oversubscribe "$exe" run "$work/study.ini" -o "$2" --no-progress >/dev/null; times; } |
          tail -1 | awk '{for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); s += 60 * a[1] + a[2] } print s}')
  local t1 c1; t1=$(now); c1=$(cpu)
  echo "$t1 $t0 $ours $c1 $c0" | awk '{print $1 - $2, $3, $4 - $6, $5 - $7}'
}

# A plausible small study with tasks of very unequal length: 5 widths x 5 horizons T (a task
# costs about M*T: 8 ms to 0.5 s here), 3 step sizes, 10 replicates = 750 tasks, about
# 75 s of compute on one core; the longest task is under 1% of the total, so 2 ranks can end
# within a few per cent of half of it. lambda = T^(-1/(2r+1)) depends on T, so the T axis does
# not collapse into one run per point (with lambda = 0 it would: see `ntksweep plan`).
# Few checkpoints and quadrature points, so that evaluation is not what is measured.
cat > "$work/study.ini" <<'INI'
[network]
activation = swish
[sgd]
eta = 0.25,0.5,1
lambda = 1
lambda-power = auto
[grid]
width = 256,512,1024,2048,4096
samples = pow2:12:16
replicates = 10
[eval]
checkpoints = 2
quadrature = 256
INI
"$exe" plan "$work/study.ini" --ranks 2 | grep -E '^(tasks|T axis)'  # (plan's times are the cost model's)

# The machine may be shared: for each run, print our CPU and the CPU the rest of the machine used
# (and the hypervisor's steal), which slows every task down when both cores are busy.
r1=$(wall 1 "$work/one.h5")
r2=$(wall 2 "$work/two.h5")
printf '1 %s\n2 %s\n' "$r1" "$r2" |
  awk '{printf "%d rank(s): wall %.2f s; CPU: ours %.1f s, other processes %.1f s, steal %.1f s\n", $1, $2, $3, $4 - $3, $5}'
w1=${r1%% *} w2=${r2%% *}

# The root attributes started/finished are whole seconds (%Y-%m-%dT%H:%M:%SZ), too coarse for an
# inside wall time; the per-rank busy sums below say how much of the outside wall was compute.
/usr/bin/python3 - "$work/one.h5" "$work/two.h5" "$w1" "$w2" <<'PY'
import sys, heapq
import h5py, numpy as np
def table(path):
    with h5py.File(path, "r") as f:
        return {k: f["tasks"][k][()] for k in ("wall_seconds", "rank", "cost", "status")}

one, two = table(sys.argv[1]), table(sys.argv[2])
w1, w2 = float(sys.argv[3]), float(sys.argv[4])
for name, t in (("1 rank", one), ("2 ranks", two)):
    if np.any(t["status"] != 1):
        print(f"{name}: status counts {np.bincount(t['status'])} (0 pending, 1 done, 2 diverged, 3 failed)")
x = one["wall_seconds"].sum()              # serial compute: sum of the ideal task times
ideal = x / 2
longest = one["wall_seconds"].max()
n = len(one["wall_seconds"])
print(f"1 rank: {x:.2f} s of compute in {w1:.2f} s of wall (overhead {w1 - x:.2f} s)")

def makespan(times, order):  # dynamic list scheduling on 2 ranks, in the given hand-out order
    free = [0.0, 0.0]
    for i in order:
        heapq.heappush(free, heapq.heappop(free) + times[i])
    return max(free)

ids = np.arange(n)
by_cost = sorted(ids, key=lambda i: (-one["cost"][i], i))  # ntksweep's order: cost model, longest first
by_time = sorted(ids, key=lambda i: -one["wall_seconds"][i])
t = one["wall_seconds"]
print(f"makespan lower bound max(X/2, longest task) = max({ideal:.2f}, {longest:.3f}) = {max(ideal, longest):.2f} s; "
      f"simulated with the 1-rank times: cost-model order {makespan(t, by_cost):.2f} s, "
      f"measured-time order {makespan(t, by_time):.2f} s, task-id order {makespan(t, ids):.2f} s")

s2 = two["wall_seconds"].sum()
on = [two["rank"] == r for r in (0, 1)]
busy = [two["wall_seconds"][m].sum() for m in on]
print(f"2 ranks: sum of task times {s2:.2f} s = {s2 / x:.3f} x the 1-rank sum (contention); wall - busiest rank "
      f"{w2 - max(busy):.2f} s (start-up, hand-out, writing, flush)")
for r in (0, 1):  # slow-down: the rank's busy time over the 1-rank time of the same tasks
    print(f"  rank {r}: busy {busy[r]:.2f} s, {int(on[r].sum())} tasks of {t[on[r]].sum():.2f} s on 1 rank "
          f"(slow-down {busy[r] / t[on[r]].sum():.3f})")
print(f"study of {n} tasks: serial compute {x:.2f} s, ideal on 2 ranks {ideal:.2f} s, wall {w2:.2f} s, "
      f"ratio {w2:.2f}/{ideal:.2f} = {w2 / ideal:.3f} (goal <= 1.15)")
# The same wall against the tasks' own times in the 2-rank run: what the sweep adds (start-up,
# hand-out, writing, imbalance) without the machine's slow-down of each task when both cores work.
print(f"  against the 2-rank run's own task times ({s2:.2f} s / 2 = {s2 / 2:.2f} s): ratio {w2 / (s2 / 2):.3f}")
PY

# Same results on 1 and 2 ranks, bit for bit (compare_results.py checks every other column too).
/usr/bin/python3 - "$work/one.h5" "$work/two.h5" <<'PY'
import sys
import h5py, numpy as np
with h5py.File(sys.argv[1], "r") as a, h5py.File(sys.argv[2], "r") as b:
    for name in ("tasks/error", "curves/error"):
        same = np.array_equal(a[name][()].view(np.uint64), b[name][()].view(np.uint64))
        print(f"/{name} 1 rank vs 2 ranks: {'OK' if same else 'DIFFER'}")
PY
if /usr/bin/python3 "$root/tests/parallel/compare_results.py" "$work/one.h5" "$work/two.h5"; then
  echo "all results 1 rank vs 2 ranks: OK"
else
  echo "all results 1 rank vs 2 ranks: DIFFER"
  exit 1
fi
