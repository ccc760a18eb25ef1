#!/usr/bin/env bash
# jobs/local.sh: installs what is missing, builds ntksweep, runs the quickstart study on every
# core of this machine, and prints its per-task summary and fitted rates.
# Results: build/runs/quickstart.h5 (override the folder with NTKSWEEP_OUT). Running it again
# resumes (or, if the finished file is complete, just prints) instead of recomputing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/cmake/install-deps.sh" build python
"$root/cmake/build.sh"
exe=${NTKSWEEP_BUILD_DIR:-$root/build}/src/cli/ntksweep
out=${NTKSWEEP_OUT:-$root/build/runs}
mkdir -p "$out"
file=$out/quickstart.h5
config=$root/jobs/configs/quickstart.ini

# Open MPI refuses root without these two; this is a single-machine job.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
"$exe" plan "$config" --ranks "$(nproc)"
mode=()
if [ -e "$file" ] || [ -e "$file.journal" ]; then mode=(--resume); fi
status=0
mpirun -n "$(nproc)" "$exe" run "$config" -o "$file" "${mode[@]}" || status=$?
if [ "$status" -eq 2 ] && [ ${#mode[@]} -gt 0 ]; then
  echo "jobs/local.sh: $file is of another configuration; starting it again" >&2
  mpirun -n "$(nproc)" "$exe" run "$config" -o "$file" --force
elif [ "$status" -ne 0 ]; then
  exit "$status"
fi
"$exe" info "$file"
"$exe" fit "$file"
/usr/bin/python3 "$root/jobs/plot.py" "$file" -o "$out/quickstart-plots" && echo "plots: $out/quickstart-plots/"
