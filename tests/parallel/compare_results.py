#!/usr/bin/python3
"""compare_results.py A.h5 B.h5: exit 0 when two ntksweep result files agree in every result.

Every /tasks column and every /curves dataset must be bit-identical (NaN equal to NaN), except
the columns that record who computed a task and how long it took (rank, wall_seconds), which
legitimately differ between runs. Prints the first difference and exits 1 otherwise.
"""
import sys

import h5py
import numpy as np

VARYING = {"rank", "wall_seconds"}


def same(a, b):
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype.kind == "f":
        return bool(np.array_equal(a.view(np.uint64 if a.dtype.itemsize == 8 else np.uint32),
                                   b.view(np.uint64 if b.dtype.itemsize == 8 else np.uint32)))
    return bool(np.array_equal(a, b))


def main(path_a, path_b):
    with h5py.File(path_a, "r") as fa, h5py.File(path_b, "r") as fb:
        for group in ("tasks", "curves"):
            names_a, names_b = set(fa[group]), set(fb[group])
            if names_a != names_b:
                print(f"/{group}: datasets differ: {sorted(names_a ^ names_b)}")
                return 1
            for name in sorted(names_a - VARYING):
                a, b = fa[group][name][()], fb[group][name][()]
                if not same(a, b):
                    print(f"/{group}/{name} differs")
                    if a.shape == b.shape:
                        diff = np.argwhere(~((a == b) | (np.isnan(a) & np.isnan(b))) if a.dtype.kind == "f" else a != b)
                        print(f"  first differing index {diff[0].tolist()}: {a[tuple(diff[0])]} vs {b[tuple(diff[0])]}")
                    return 1
        status = fa["tasks"]["status"][()]
        if np.any(status == 0):
            print(f"{path_a}: {int(np.sum(status == 0))} tasks pending")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
