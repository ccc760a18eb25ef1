#!/usr/bin/env bash
# jobs/local.sh: installs what is missing, builds ntksweep, and runs a small study on this
# machine: one SGD trajectory on the circle, printed as its error table.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/cmake/install-deps.sh" build python
"$root/cmake/build.sh"
build=${NTKSWEEP_BUILD_DIR:-$root/build}
exec "$build/src/cli/ntksweep" train "$root/jobs/configs/quickstart.ini" "$@"
