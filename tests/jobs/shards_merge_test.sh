#!/usr/bin/env bash
# Shards without a scheduler: `run --shard I/3` under plain mpirun, in any order, one of them
# stopped early (SIGUSR1) and resumed per shard, then `merge` gives a file equal in every result
# to a single-job run. Also: --partial merges what there is, and `run --resume` of the partial
# merge computes the rest. Usage: shards_merge_test.sh NTKSWEEP
set -euo pipefail
. "$(dirname "$0")/common.sh"
cd "$work"
cfg=$root/tests/parallel/small.ini   # 12 tasks

mpirun -n 2 ntksweep run "$cfg" -o reference.h5 --no-progress
for i in 2 0 1; do
  mpirun -n 2 ntksweep run "$cfg" --shard "$i/3" -o "shard$i.h5" --no-progress
done
# A shard stopped by SIGUSR1 as soon as its file exists, then resumed (per shard) to its end.
rm shard1.h5
mpirun -n 2 ntksweep run "$cfg" --shard 1/3 -o shard1.h5 >/dev/null 2>&1 &
pid=$!
# Once the file exists every process has its handlers (mpirun forwards USR1 to the ranks).
for _ in $(seq 1 200); do [ -e shard1.h5 ] && break; sleep 0.05; done
kill -USR1 "$pid"
rc=0; wait "$pid" || rc=$?
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || { echo "stopped shard exited $rc"; false; }
mpirun -n 2 ntksweep run "$cfg" --shard 1/3 -o shard1.h5 --resume --no-progress
# Shard files: the whole task table, their own share done, shard attributes, `finished`.
/usr/bin/python3 - shard0.h5 shard1.h5 shard2.h5 <<'PY'
import sys, h5py, numpy as np
done = np.zeros(12, int)
for i, path in enumerate(sys.argv[1:]):
    with h5py.File(path, "r") as f:
        assert (f.attrs["shard_index"], f.attrs["shard_count"]) == (i, 3), path
        assert "finished" in f.attrs, path
        status = f["tasks"]["status"][()]
        assert status.shape == (12,), path
        done += status != 0
assert (done == 1).all(), f"every task done in exactly one shard: {done}"
PY
ntksweep merge merged.h5 shard0.h5 shard1.h5 shard2.h5
compare merged.h5 reference.h5
/usr/bin/python3 -c "import h5py,sys; a=h5py.File('merged.h5','r').attrs; assert 'finished' in a and 'shard_count' not in a" 
[ ! -e merged.h5.journal ]

# --partial: two shards of three; the rest is computed by resuming the merged file.
ntksweep merge partial.h5 shard0.h5 shard2.h5 --partial
[ -e partial.h5.journal ]
mpirun -n 2 ntksweep run "$cfg" -o partial.h5 --resume --no-progress
compare partial.h5 reference.h5
echo "3 shards under mpirun (one stopped and resumed) + merge: equal to a single-job run; --partial + resume too"
