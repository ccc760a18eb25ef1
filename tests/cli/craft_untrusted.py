#!/usr/bin/python3
"""craft_untrusted.py GOOD.h5 OUTDIR: writes damaged copies of a valid result file.

Each copy differs from GOOD.h5 in one way a reader must not trust (a missing dataset, a wrong
shape or type, a dataset where a group belongs, huge dimensions, out-of-range values, missing
or mistyped attributes). Prints one line per file: NAME<TAB>the text the error must name.
"""
import shutil
import sys

import h5py
import numpy as np

good, out = sys.argv[1], sys.argv[2]
cases = []


def case(name, expect):
    def wrap(mutate):
        path = f"{out}/{name}.h5"
        shutil.copyfile(good, path)
        with h5py.File(path, "r+") as f:
            mutate(f)
        cases.append((name, expect))
        return mutate
    return wrap


def replace(f, where, data, **kw):
    del f[where]
    f.create_dataset(where, data=data, **kw)


n = None
with h5py.File(good, "r") as f:
    n = f["tasks/status"].shape[0]
    n_cp = f["curves/error"].shape[1]


@case("missing_status", "status")
def _(f): del f["tasks/status"]

@case("missing_error", "error")
def _(f): del f["tasks/error"]

@case("missing_curve_step", "step")
def _(f): del f["curves/step"]

@case("missing_curves_group", "curves")
def _(f): del f["curves"]

@case("missing_tasks_group", "tasks")
def _(f): del f["tasks"]

@case("status_float", "status")
def _(f): replace(f, "tasks/status", np.ones(n, dtype=np.float64))

@case("status_string", "status")
def _(f): replace(f, "tasks/status", np.array([b"done"] * n))

@case("status_out_of_range", "status")
def _(f): replace(f, "tasks/status", np.full(n, 7, dtype=f["tasks/status"].dtype))

@case("error_short", "error")
def _(f): replace(f, "tasks/error", np.zeros(n - 1))

@case("error_2d", "error")
def _(f): replace(f, "tasks/error", np.zeros((n, 2)))

@case("width_float", "width")
def _(f): replace(f, "tasks/width", np.full(n, 8.5))

@case("width_negative", "'/tasks/width' holds -8 in row 0")  # values are range-checked on read
def _(f): replace(f, "tasks/width", np.full(n, -8, dtype=f["tasks/width"].dtype))

@case("eta_zero", "'/tasks/eta' holds 0 in row 0")
def _(f): replace(f, "tasks/eta", np.zeros(n))

@case("theta_one", "'/tasks/theta' holds 1 in row 0")
def _(f): replace(f, "tasks/theta", np.ones(n))

@case("samples_zero", "'/tasks/samples' holds 0 in row 0")
def _(f): replace(f, "tasks/samples", np.zeros(n, dtype=f["tasks/samples"].dtype))

@case("curve_error_wrong_columns", "error")
def _(f): replace(f, "curves/error", np.zeros((n, n_cp + 3)))

@case("curve_step_1d", "step")
def _(f): replace(f, "curves/step", np.zeros(n, dtype=np.int64))

@case("curve_step_float", "step")
def _(f): replace(f, "curves/step", np.zeros((n, n_cp)))

@case("tasks_is_dataset", "tasks")
def _(f):
    del f["tasks"]
    f["tasks"] = np.zeros(3)

@case("status_is_group", "status")
def _(f):
    del f["tasks/status"]
    f.create_group("tasks/status")

@case("huge_error", "error")
def _(f):  # 2^40 rows, nothing written: allocation on read would need 8 TB
    del f["tasks/error"]
    f.create_dataset("tasks/error", shape=(1 << 40,), dtype="f8", chunks=(1024,))

@case("huge_curve", "error")
def _(f):
    del f["curves/error"]
    f.create_dataset("curves/error", shape=(1 << 31, 1 << 20), dtype="f8", chunks=(1, 1024))

@case("unlimited_zero_rows", "/tasks/")
def _(f):
    del f["tasks/status"]
    f.create_dataset("tasks/status", shape=(0,), maxshape=(None,), dtype="i4")

@case("no_config_attribute", "config")
def _(f): del f.attrs["config"]

@case("no_config_hash", "config_hash")
def _(f): del f.attrs["config_hash"]

@case("config_hash_int", "config_hash")
def _(f): f.attrs["config_hash"] = 12345

@case("config_array", "config")
def _(f): f.attrs["config"] = np.array([b"a", b"b"])

@case("format_wrong", "format")
def _(f): f.attrs["format"] = "something else"

@case("report_steps_missing", "report_steps")
def _(f):
    if "grid/report_steps" in f:
        del f["grid/report_steps"]
    else:
        del f["grid"]

for name, expect in cases:
    print(f"{name}\t{expect}")
