#!/usr/bin/env bash
# `ntksweep fit` and `ntksweep info` on a small real result file (made here with the ntksweep
# executable under mpirun -n 1): exit 0 and the expected tables; a refit replaces /fits; on a
# non-ntksweep HDF5 file, a non-HDF5 file and a missing file both exit 2 with one line.
# usage: fit_cli_test.sh NTKSWEEP SMALL.ini OUT.h5
set -euo pipefail
exe=$1 config=$2 out=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

rm -f "$out" "$out.journal"
mpiexec -n 1 "$exe" run "$config" -o "$out" --no-progress || fail "run exited $?"

"$exe" fit "$out" > "$tmp/fit.txt" || fail "fit exited $?"
grep -q "^## rates" "$tmp/fit.txt" || fail "fit printed no rates table"
grep -q "^## widths at fixed T" "$tmp/fit.txt" || fail "fit printed no width table"
grep -q "12 tasks: 6 done, 6 diverged" "$tmp/fit.txt" || fail "fit did not count the diverged tasks"
"$exe" fit "$out" --format csv --table rates --no-write > "$tmp/rates.csv" || fail "fit --format csv exited $?"
head -1 "$tmp/rates.csv" | grep -q "^group,source,activation,eta,theta" || fail "csv header: $(head -1 "$tmp/rates.csv")"
[ "$(wc -l < "$tmp/rates.csv")" -eq 5 ] || fail "csv should have 4 groups + header"
"$exe" fit "$out" --format markdown --resamples 200 > "$tmp/fit.md" || fail "fit --format markdown exited $?"
grep -q "^| *group |" "$tmp/fit.md" || fail "markdown table missing"
# The refit (200 resamples) replaced the first one: the attribute says so.
/usr/bin/python3 - "$out" <<'PY' || fail "/fits as h5py sees it"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    fits = f["fits"]
    assert fits.attrs["resamples"] == 200, fits.attrs["resamples"]
    assert len(fits["slope"]) == 4 and len(fits["group"]) == 4
    assert list(fits["n_diverged"][()]) == [0, 0, 15, 15], list(fits["n_diverged"][()])  # 5 T x 3 replicates
    for t in ("local", "widths", "mstar", "width_exponent"):
        assert t in fits, t
    assert f["tasks"]["status"].shape == (12,)
PY

"$exe" info "$out" > "$tmp/info.txt" || fail "info exited $?"
for s in "## provenance" "## configuration as run" "## tasks" "## fits (/fits)" "12 tasks: 6 done, 6 diverged"; do
  grep -qF "$s" "$tmp/info.txt" || fail "info: no '$s'"
done
[ "$(grep -cE '^ *[0-9]+ +(16|64) +1024 ' "$tmp/info.txt")" -eq 12 ] || fail "info: expected 12 task rows"

# Bad input: exit 2 and one line on stderr naming the file.
/usr/bin/python3 -c "import h5py; h5py.File('$tmp/other.h5', 'w')['x'] = [1, 2]"
echo "not hdf5" > "$tmp/text.h5"
for f in "$tmp/other.h5" "$tmp/text.h5" "$tmp/missing.h5"; do
  for cmd in fit info; do
    set +e
    "$exe" $cmd "$f" > /dev/null 2> "$tmp/err.txt"
    rc=$?
    set -e
    [ $rc -eq 2 ] || fail "$cmd $f exited $rc, expected 2"
    [ "$(wc -l < "$tmp/err.txt")" -eq 1 ] || fail "$cmd $f: expected one line on stderr, got: $(cat "$tmp/err.txt")"
    grep -qF "$f" "$tmp/err.txt" || fail "$cmd $f: the message does not name the file"
  done
done
echo "fit_cli_test: ok"
