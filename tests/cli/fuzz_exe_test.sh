#!/usr/bin/env bash
# The configuration fuzzed through the real executable (issue 7; the in-process fuzzer,
# config_file_fuzz_test.cpp, does the 100,000s): a few hundred seeded mutations of a valid
# config and command line through `ntksweep plan --ranks 1`. Each must exit 0, or exit 2 with
# exactly one line on stderr; never a crash, a hang or another code.
# Usage: fuzz_exe_test.sh NTKSWEEP [N]
set -euo pipefail
exe=$(realpath "$1")
count=${2:-300}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
/usr/bin/python3 - "$exe" "$count" "$here/tiny.ini" "$work" <<'PY'
import random, subprocess, sys
exe, count, base, work = sys.argv[1], int(sys.argv[2]), open(sys.argv[3]).read(), sys.argv[4]
rng = random.Random(20261129)
keys = ["problem.dim", "problem.source", "problem.kmax", "problem.noise", "problem.noise-level",
        "network.activation", "network.swish-s", "network.model", "network.train", "sgd.eta", "sgd.theta",
        "sgd.lambda", "sgd.lambda-power", "sgd.iterate", "grid.width", "grid.samples", "grid.replicates",
        "grid.seed", "grid.max-tasks", "eval.checkpoints", "eval.quadrature", "output.file"]
values = ["0", "1", "2", "-1", "0.5", "1e308", "1e309", "nan", "inf", "", "1,2", "2,2", "pow2:3:5", "pow2:5",
          "geom:1:0:3", "geom:0.1:1:3", "lin:a:b:c", "lin:0:0.9:4", "auto", "auto,auto", "relu,swish", "tanh",
          "both", "é", "\u00a0", "1\u200b", "9" * 400, ":", ",", "lin:2:64:32", "16", "4096", "pow2:1:60"]
def value():
    v = rng.choice(values)
    if rng.random() < 0.3:
        v = v + rng.choice([",", ":", ""]) + rng.choice(values)
    if rng.random() < 0.1 and v:
        i = rng.randrange(len(v)); v = v[:i] + chr(rng.randrange(32, 0x3000)) + v[i + 1:]
    return v
counts = {0: 0, 2: 0}
for i in range(count):
    lines = base.splitlines()
    for _ in range(rng.randrange(3)):
        op = rng.randrange(4)
        if op == 0 and lines: del lines[rng.randrange(len(lines))]
        elif op == 1: lines.insert(rng.randrange(len(lines) + 1), rng.choice(["[grid]", "[]", "[x", "width", "= 3", "#"]))
        else:
            k = rng.choice(keys); lines.append(f"[{k.split('.')[0]}]"); lines.append(f"{k.split('.')[1]} = {value()}")
    path = f"{work}/c{i}.ini"
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines) + "\n")
    args = [exe, "plan", path, "--ranks", "1"] + [f"--{rng.choice(keys)}={value()}" for _ in range(rng.randrange(3))]
    try:
        p = subprocess.run(args, capture_output=True, timeout=30)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAIL: hang: {args}")
    err = p.stderr.decode("utf-8", "replace")
    if p.returncode not in (0, 2):
        sys.exit(f"FAIL: exit {p.returncode}: {args}\n{err}")
    if p.returncode == 2 and err.count("\n") != 1:
        sys.exit(f"FAIL: {err.count(chr(10))} lines on stderr: {args}\n{err}")
    counts[p.returncode] += 1
print(f"{count} command lines through the executable: {counts[0]} accepted, {counts[2]} rejected (exit 2, one line)")
PY
