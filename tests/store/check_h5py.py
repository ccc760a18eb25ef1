#!/usr/bin/python3
"""Checks that result files open with h5py and that the task table is pandas-ready:
pandas.DataFrame({k: f["tasks"][k][()] for k in f["tasks"]}) needs every /tasks member to be a
1-D dataset of the same length. Usage: check_h5py.py WRITE_SAMPLE_BINARY"""
import math
import subprocess
import sys
import tempfile

import h5py
import numpy as np

ROOT_ATTRS = ["config", "config_hash", "command", "version", "git", "compiler", "ranks", "hosts", "started"]
COLUMNS = ("width samples eta theta lambda source activation replicate seed status error diverged_step "
           "weight_change pattern_change wall_seconds rank").split()


def check(path, finished):
    with h5py.File(path, "r") as f:
        for a in ROOT_ATTRS + (["finished"] if finished else []):
            assert a in f.attrs, f"{path}: root attribute {a} missing"
        assert f.attrs["format"] == "ntksweep results"
        table = {k: f["tasks"][k][()] for k in f["tasks"]}
        for k in COLUMNS:
            assert k in table, f"{path}: /tasks/{k} missing"
        lengths = {k: v.shape for k, v in table.items()}
        assert all(isinstance(v, np.ndarray) and v.ndim == 1 for v in table.values()), lengths
        assert len({v.shape[0] for v in table.values()}) == 1, lengths
        n = table["status"].shape[0]
        try:
            import pandas  # optional here
            df = pandas.DataFrame(table)
            assert df.shape[0] == n
        except ImportError:
            pass
        step = f["curves"]["step"][()]
        error = f["curves"]["error"][()]
        assert step.shape == error.shape and step.shape[0] == n and step.ndim == 2
        assert step.dtype == np.int64 and error.dtype == np.float64
        pending = table["status"] == 0
        assert np.all(step[pending] == -1) and np.all(np.isnan(error[pending])), "pending rows are padded"
        assert np.all(np.isnan(table["error"][pending]))
        done = ~pending
        if finished:
            assert not pending.any()
        # Padding after the last checkpoint: −1 steps go with NaN errors.
        assert np.all(np.isnan(error[step == -1]))
        assert set(np.unique(table["status"])) <= {0, 1, 2, 3}
        acts = {a.decode() if isinstance(a, bytes) else a for a in table["activation"]}
        assert acts <= {"relu", "swish"}, acts
        assert table["seed"].dtype == np.uint64 and int(table["seed"][0]) == 0xFFFFFFFFFFFFFF00
        if finished:
            th = f["theory"]
            assert th["eigenvalue"].shape == th["k"].shape
            assert math.isclose(th.attrs["predicted_exponent"], 0.5)
            assert f["fits"]["slope"].shape == (2,)
        return int(done.sum()), n


def main():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run([sys.argv[1], d], check=True)
        done, n = check(f"{d}/finished.h5", True)
        assert done == n == 12, (done, n)
        done, n = check(f"{d}/partial.h5", False)
        assert (done, n) == (2, 12), (done, n)
    print("h5py: result files open; /tasks is a pandas-ready table")


if __name__ == "__main__":
    main()
