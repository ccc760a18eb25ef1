#!/usr/bin/env bash
# tests/run.sh: installs what is missing, builds ntksweep in Release and runs every test.
# Idempotent; a second run only rebuilds what changed. Prints ctest's summary last.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)

"$root/cmake/install-deps.sh" build python slurm   # slurm: the tests/jobs Slurm tests
"$root/cmake/build.sh"

# Open MPI refuses to run as root without these; tests oversubscribe the 2 cores on purpose.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
build=${NTKSWEEP_BUILD_DIR:-$root/build}
status=0
(cd "$build" && ctest --output-on-failure -j "$(nproc)" --timeout 600) || status=$?
echo "tests/run.sh: $(( $(date +%s) - start )) s in all" >&2
exit $status
