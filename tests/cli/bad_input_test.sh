#!/usr/bin/env bash
# Bad input (issue 7), one case per line: every command exits 2 within seconds, with exactly one
# line on stderr that holds the expected fragments (option, value, what is allowed), and leaves
# every file of the working directory as it was. The `run` cases run again under
# `mpirun -n 4`: the same one line (mpirun -q; without -q mpirun adds its own exit notice, but
# no rank prints twice and nothing aborts), exit 2, within seconds.
# Usage: bad_input_test.sh NTKSWEEP
set -uo pipefail
exe=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
logs=$(mktemp -d)   # stdout/stderr of the cases live outside the checked directory
chmod 755 "$work"   # user nobody must read the config
cleanup() {
  mountpoint -q "$work/ro" 2>/dev/null && umount "$work/ro"
  rm -rf "$work" "$logs"
}
trap cleanup EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
cd "$work"

# ---- fixtures ---------------------------------------------------------------------------------
cp "$here/tiny.ini" tiny.ini
"$exe" run tiny.ini -o done.h5 --no-progress                       # a finished result file
"$exe" run tiny.ini -o other.h5 --no-progress --grid.seed=4        # the same grid, another config
head -c 20000 done.h5 > truncated.h5                              # a truncated HDF5 file
echo "these are not the bytes of an HDF5 file" > text.h5
/usr/bin/python3 -c "
import h5py
with h5py.File('plain.h5', 'w') as f:   # HDF5, but not ntksweep
    f['tasks/width'] = [8, 16]
    f.attrs['config'] = 'x'
"
printf '[problem]\ndim = 2\n[bogus]\nx = 1\n' > bad_section.ini
printf '[grid]\nwidht = 8\n' > bad_key.ini
printf '[grid]\nwidth = 8\nwidth = 16\n' > twice.ini
printf '[grid]\nwidth 8\n' > no_equals.ini
printf '[grid\nwidth = 8\n' > open_section.ini
printf 'dim = 2\n' > no_section.ini
cp tiny.ini unreadable.ini && chmod 000 unreadable.ini
mkdir -p dir.ini ro readonly_for_nobody
chmod 555 readonly_for_nobody
# A read-only bind mount: as root, permission bits do not stop a write, a read-only mount does.
ro_ok=0
if mount --bind ro ro 2>/dev/null && mount -o remount,ro,bind ro 2>/dev/null; then ro_ok=1; fi
as_nobody=()
if command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups "$exe" --version >/dev/null 2>&1; then
  as_nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi

snapshot() {  # names, sizes, modes, mtimes and contents of every file
  find . -path ./ro -prune -o -printf '%p %s %m %T@\n' | sort
  find . -path ./ro -prune -o -type f -perm -u=r -exec md5sum {} + | sort
}

n=0 failed=0
fail() { echo "FAIL [$n] $*"; failed=$((failed + 1)); }

# check WHO EXPECTED-LINES FRAGMENTS -- COMMAND...: run it, compare exit code, stderr, files.
check() {
  local lines=$1 frags=$2; shift 3
  n=$((n + 1))
  local before after rc start secs msg err=$logs/err cmd="$*"
  before=$(snapshot)
  start=$(date +%s%N)
  timeout 30 "$@" >"$logs/out" 2>"$err"
  rc=$?
  secs=$(( ($(date +%s%N) - start) / 1000000 ))
  after=$(snapshot)
  msg=$(cat "$err")
  set -- "$cmd"
  if [ "$rc" != 2 ]; then fail "exit $rc (want 2): $* :: $msg"; return; fi
  if [ "$secs" -gt 10000 ]; then fail "took $secs ms (a hang?): $*"; return; fi
  if [ "$lines" = 1 ] && [ "$(wc -l <"$err")" != 1 ]; then fail "$(wc -l <"$err") lines on stderr: $* :: $msg"; return; fi
  if [ "$lines" = mpi ]; then
    [ "$(grep -c '^ntksweep' "$err")" = 1 ] || { fail "want one ntksweep line: $* :: $msg"; return; }
    ! grep -q 'MPI_ABORT\|MPI_Abort\|signal' "$err" || { fail "an MPI abort: $* :: $msg"; return; }
  fi
  local IFS='&'
  for f in $frags; do
    [ -z "$f" ] && continue
    grep -qF -- "$f" "$err" || { fail "stderr lacks '$f': $* :: $msg"; return; }
  done
  [ "$before" = "$after" ] || { fail "files changed: $* :: $(diff <(echo "$before") <(echo "$after") | head -5)"; return; }
  printf 'ok  [%2d] %5d ms  %s\n      %s\n' "$n" "$secs" "$*" "$msg"
}
bad() { local f=$1; shift; check 1 "$f" -- "$exe" "$@"; }                       # one process
bad_run() {                                                                      # 1 and 4 ranks
  local f=$1; shift
  check 1 "$f" -- "$exe" run "$@"
  check 1 "$f" -- mpirun -q -n 4 --oversubscribe "$exe" run "$@"
}
bad_run_loud() {                                                                 # without -q too
  bad_run "$@"
  local f=$1; shift
  check mpi "$f" -- mpirun -n 4 --oversubscribe "$exe" run "$@"
}

# ---- the cases: expected fragments of the one line (separated by &), then the arguments ------
# commands and command lines
bad "unknown command 'trian'&allowed: train"               trian tiny.ini
bad "unknown command 'Run'"                                Run tiny.ini
bad "CONFIG&expected exactly one configuration file"        train
bad "CONFIG&expected exactly one"                          theory tiny.ini tiny.ini
bad "--ranks&'0'&allowed"                                  plan tiny.ini --ranks 0
bad "--ranks&'many'&allowed"                               plan tiny.ini --ranks many
bad "--format&'xml'&allowed"                               theory tiny.ini --format xml
bad "unrecognised option '--frobnicate'"                   plan tiny.ini --frobnicate
bad "sgd.eta&use --section.key=value"                      plan tiny.ini --sgd.eta
# the configuration file
bad "CONFIG&'missing.ini'&readable INI file"               plan missing.ini
bad "CONFIG&'dir.ini'&not a directory"                     plan dir.ini
bad "bogus.x&allowed sections: problem"                    theory bad_section.ini
bad "grid.widht&allowed keys in [grid]: width"             plan bad_key.ini
bad "grid.width&'16'&given twice"                          plan twice.ini
bad "invalid line 'width 8'"                               plan no_equals.ini
bad "no_section.ini"                                       plan no_section.ini
bad "open_section.ini"                                     plan open_section.ini
bad "grid.wdth&allowed keys in [grid]: width"              plan tiny.ini --grid.wdth=8
bad "problme.dim&allowed sections"                         plan tiny.ini --problme.dim=2
# values
bad "grid.width&'7'&even widths"                           train tiny.ini --grid.width=7
bad "grid.width&'0'&even widths"                           theory tiny.ini --grid.width=0
bad "grid.width&'8,8.5'&whole numbers"                       plan tiny.ini --grid.width=8,8.5
bad "grid.samples&'0'&1 <= T"                              plan tiny.ini --grid.samples=0
bad "sgd.eta&'0'&eta > 0"                                  plan tiny.ini --sgd.eta=0
bad "sgd.eta&'-1'&eta > 0"                                 plan tiny.ini --sgd.eta=0.5,-1
bad "sgd.eta&'nan'&finite number"                          plan tiny.ini --sgd.eta=nan
bad "sgd.eta&'abc'&finite number"                          train tiny.ini --sgd.eta=abc
bad "sgd.theta&'1'&0 <= theta < 1"                         plan tiny.ini --sgd.theta=1
bad "sgd.theta&'-0.1'&0 <= theta < 1"                      plan tiny.ini --sgd.theta=-0.1
bad "sgd.lambda&'-1'&lambda >= 0"                          plan tiny.ini --sgd.lambda=-1
bad "sgd.lambda-power&'-1'&0 <= p"                         plan tiny.ini --sgd.lambda-power=-1
bad "problem.source&'0'&0 < r"                             theory tiny.ini --problem.source=0
bad "problem.dim&'1'&2 <= d"                               plan tiny.ini --problem.dim=1
bad "problem.kmax&'0'&1 <= kmax"                           theory tiny.ini --problem.kmax=0
bad "problem.noise-level&'-0.1'&0 <= noise-level"          plan tiny.ini --problem.noise-level=-0.1
bad "problem.noise&'laplace'&uniform | gaussian"           plan tiny.ini --problem.noise=laplace
bad "network.activation&'tanh'&relu | swish"               plan tiny.ini --network.activation=tanh
bad "network.train&'hidden'&all | output | input"          plan tiny.ini --network.train=hidden
bad "grid.replicates&'0'&1 <= replicates"                  plan tiny.ini --grid.replicates=0
bad "grid.seed&'-1'&>= 0"                                  plan tiny.ini --grid.seed=-1
bad "eval.checkpoints&'0'&1 <= checkpoints"                plan tiny.ini --eval.checkpoints=0
bad "eval.quadrature&'8'&16 <= points"                     plan tiny.ini --eval.quadrature=8
# lists and ranges
bad "grid.samples&'pow2:5'&pow2:lo:hi"                     plan tiny.ini --grid.samples=pow2:5
bad "grid.samples&'pow2:9:3'&lo <= hi"                     plan tiny.ini --grid.samples=pow2:9:3
bad "sgd.eta&'geom:1:0:3'&start > 0"                       plan tiny.ini --sgd.eta=geom:1:0:3
bad "sgd.eta&'lin:a:b:c'&'a' is not a finite number"       plan tiny.ini --sgd.eta=lin:a:b:c
bad "sgd.eta&'lin:0.1:1:0'&count"                          plan tiny.ini --sgd.eta=lin:0.1:1:0
bad "sgd.eta&''&the list is empty"                         plan tiny.ini --sgd.eta=
bad "sgd.eta&'0.5,,1'&empty item"                          plan tiny.ini --sgd.eta=0.5,,1
bad "grid.width&'8,8'&duplicate values"                    plan tiny.ini --grid.width=8,8
bad "sgd.theta&'auto,auto'&duplicate values"               plan tiny.ini --sgd.theta=auto,auto
bad "grid.width&'geom:8:9:5'&duplicate"                    plan tiny.ini --grid.width=geom:8:9:5
bad "sgd.eta&'pow2:1:2,8'&cannot be mixed"                 plan tiny.ini --sgd.eta=pow2:1:2,8
bad "sgd.eta&'fib:1:2'&unknown range 'fib'"                plan tiny.ini --sgd.eta=fib:1:2
bad "grid.max-tasks&more than grid.max-tasks = 4"          plan tiny.ini --grid.max-tasks=4
bad "grid.max-tasks&2000000000000000000 tasks"                      plan tiny.ini --problem.source=lin:0.1:10:1000000 --sgd.eta=lin:0.1:10:1000000 --grid.width=lin:2:2000000:1000000
bad "sgd.eta&'1\\x0a2'"                                   plan tiny.ini "--sgd.eta=$(printf '1\n2')"
# result files: fit / info / merge
bad "'missing.h5'&does not exist"                          info missing.h5
bad "'text.h5'&not an HDF5 file"                           info text.h5
bad "'plain.h5'&not an ntksweep result file"               info plain.h5
bad "'plain.h5'&not an ntksweep result file"               fit plain.h5
bad "'truncated.h5'&damaged or truncated"                  fit truncated.h5
bad "--format&'xml'&allowed"                               fit done.h5 --format xml
bad "'plain.h5'&not an ntksweep result file"               merge merged.h5 plain.h5
bad "'text.h5'&not an HDF5 file"                           merge merged.h5 text.h5
# run: every case on 1 rank and under mpirun -n 4
bad_run_loud "grid.width&'7'&even widths"                        tiny.ini -o new.h5 --grid.width=7
bad_run "bogus.x&allowed sections"                          bad_section.ini -o new.h5
bad_run "CONFIG&'missing.ini'&readable INI file"            missing.ini -o new.h5
bad_run "grid.max-tasks&more than grid.max-tasks = 4"       tiny.ini -o new.h5 --grid.max-tasks=4
bad_run_loud "--output&'/nonexistent/x.h5'&does not exist"       tiny.ini -o /nonexistent/x.h5
bad_run "--output&'text.h5/x.h5'&does not exist"            tiny.ini -o text.h5/x.h5
bad_run "--output&'dir.ini'&not a directory"                tiny.ini -o dir.ini
bad_run "'done.h5' already exists&--resume&--force"         tiny.ini -o done.h5
bad_run "--resume/--force&at most one"                      tiny.ini -o done.h5 --resume --force
bad_run "--resume&'new.h5'&does not exist"                  tiny.ini -o new.h5 --resume
bad_run_loud "'other.h5'&different configuration"               tiny.ini -o other.h5 --resume
bad_run "'text.h5'&not an HDF5 file"                        tiny.ini -o text.h5 --resume
bad_run "'truncated.h5'&damaged or truncated"               tiny.ini -o truncated.h5 --resume
bad_run "'plain.h5'&not an ntksweep result file"            tiny.ini -o plain.h5 --resume
if [ "$ro_ok" = 1 ]; then
  bad_run "--output&'ro/x.h5'&not writable"                 tiny.ini -o ro/x.h5
else
  echo "skip: no read-only bind mount (not root?)"
fi
if [ ${#as_nobody[@]} -gt 0 ]; then
  check 1 "CONFIG&'unreadable.ini'&readable INI file" -- "${as_nobody[@]}" "$exe" plan unreadable.ini
  check 1 "--output&not writable" -- "${as_nobody[@]}" "$exe" run tiny.ini -o readonly_for_nobody/x.h5
else
  echo "skip: cannot run as user nobody"
fi

echo "$n bad-input checks, $failed failed"
[ "$failed" = 0 ]
