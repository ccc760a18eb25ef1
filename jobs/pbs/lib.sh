# jobs/pbs/lib.sh: what every ntksweep PBS script shares (PBS Pro and Torque); sourced right
# after the #PBS lines as `. "$PBS_O_WORKDIR/jobs/pbs/lib.sh" SCRIPT.pbs` (submit from the
# repository root, or set NTKSWEEP_ROOT). It changes to the submission directory, loads the
# site's settings (jobs/site.sh, if it exists: `module load …`), finds ntksweep, and provides
#
#   sweep LAUNCH...   runs `LAUNCH` (mpirun … ntksweep run … -o FILE), adding --resume when FILE
#                     exists. PBS sends no warning before the wall time, so a timer sends USR1
#                     NTKSWEEP_STOP_BEFORE seconds (default 300) before it: the sweep drains and
#                     stops (exit 3), and the script resubmits itself (qsub -W
#                     depend=afterany:THIS_JOB) to continue the same FILE.
#   NP                the number of MPI ranks: the lines of $PBS_NODEFILE
#   CHAIN             the numeric job id of the first job of the chain (names the output)
#   SHARD, SHARD_INDEX  "I/N" and I of a job-array element (shards.pbs; N from -v NSHARDS=N)
#   NTKSWEEP_ARGS     extra `--section.key=value` overrides; continuations inherit them
#
# A chain stops after NTKSWEEP_MAX_JOBS jobs (default 20) in case no job makes progress.

NTKSWEEP_JOBS=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
_script=$NTKSWEEP_JOBS/pbs/$1
cd "$PBS_O_WORKDIR" || exit 1
[ -f "$NTKSWEEP_JOBS/site.sh" ] && . "$NTKSWEEP_JOBS/site.sh"
command -v ntksweep >/dev/null || PATH=$NTKSWEEP_JOBS/../build/src/cli:$PATH
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

NP=$(wc -l <"$PBS_NODEFILE")
CHAIN=${NTKSWEEP_CHAIN:-${PBS_JOBID%%[.[]*}}
_index=${PBS_ARRAY_INDEX:-${PBS_ARRAYID:-}}   # PBS Pro | Torque
if [ -n "${NTKSWEEP_SHARD:-}" ]; then
  SHARD=$NTKSWEEP_SHARD
elif [ -n "$_index" ]; then
  SHARD=$_index/${NSHARDS:?"give the number of shards: qsub -J 0-7 -v STUDY=…,NSHARDS=8"}
fi
SHARD_INDEX=${SHARD%%/*}
_segment=${NTKSWEEP_SEGMENT:-1}

_pending=""
trap '_pending=USR1' USR1
trap '_pending=TERM' TERM INT

# Seconds of wall time this job has left (from qstat; empty if unknown).
_walltime_left() {
  local w used
  w=$(qstat -f "$PBS_JOBID" 2>/dev/null | sed -n 's/^ *Resource_List.walltime = //p' | head -n 1)
  used=$(qstat -f "$PBS_JOBID" 2>/dev/null | sed -n 's/^ *resources_used.walltime = //p' | head -n 1)
  [ -n "$w" ] || return 0
  local IFS=:
  set -- $w
  local total=$(( 10#${1:-0} * 3600 + 10#${2:-0} * 60 + 10#${3:-0} ))
  set -- ${used:-0:0:0}
  echo $(( total - (10#${1:-0} * 3600 + 10#${2:-0} * 60 + 10#${3:-0}) ))
}

_forwarding() {
  local rc got="" asked="" start=$SECONDS timer="" left
  "$@" &
  local child=$!
  _pass() {
    got=1
    asked=$1
    [ $((SECONDS - start)) -ge 10 ] || sleep $((10 - (SECONDS - start)))
    kill -"$1" "$child" 2>/dev/null
  }
  trap '_pass USR1' USR1
  trap '_pass TERM' TERM INT
  [ -z "$_pending" ] || _pass "$_pending"
  left=$(_walltime_left)
  if [ -n "$left" ]; then
    (sleep $(( left > ${NTKSWEEP_STOP_BEFORE:-300} ? left - ${NTKSWEEP_STOP_BEFORE:-300} : 0 )) && kill -USR1 $$) &
    timer=$!
  fi
  while :; do
    wait "$child"
    rc=$?
    if [ -n "$got" ] && [ "$rc" -gt 128 ] && [ "$rc" -ne 255 ]; then got=""; continue; fi
    break
  done
  [ -z "$timer" ] || kill "$timer" 2>/dev/null
  # Asked to stop, the run may also end otherwise (srun aborts a step still being launched; the
  # wall time hits): the journal keeps the file resumable, so it counts as stopped early.
  if [ -n "$asked" ] && [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
    echo "lib.sh: the run ended with status $rc after SIG$asked; continuing it like a clean stop" >&2
    rc=3
  fi
  trap '' USR1  # a late warning must not kill the shell while it resubmits
  trap - TERM INT
  return "$rc"
}

sweep() {
  local launch=("$@") out="" i rc next
  for ((i = 0; i < ${#launch[@]}; i++)); do
    case "${launch[i]}" in -o | --output) out=${launch[i + 1]} ;; --output=*) out=${launch[i]#--output=} ;; esac
  done
  [ -n "$out" ] || { echo "lib.sh: the launch line needs -o FILE" >&2; return 2; }
  # shellcheck disable=SC2206  # NTKSWEEP_ARGS is a list of words
  launch+=(${NTKSWEEP_ARGS:-})
  if [ -e "$out" ] || [ -e "$out.journal" ]; then launch+=(--resume); fi
  echo "lib.sh: job $PBS_JOBID (chain $CHAIN, job $_segment): ${launch[*]}"
  _forwarding "${launch[@]}"
  rc=$?
  # Done means a finished file (its journal removed); anything else (say, a step that failed
  # to launch yet reported 0) is continued like a stop.
  if [ "$rc" -eq 0 ] && { [ ! -e "$out" ] || [ -e "$out.journal" ]; }; then
    echo "lib.sh: the run returned 0 but $out is not finished; continuing it" >&2
    rc=3
  fi
  [ "$rc" -eq 3 ] || return "$rc"
  if [ "$_segment" -ge "${NTKSWEEP_MAX_JOBS:-20}" ]; then
    echo "lib.sh: stopped early after $_segment jobs; not resubmitting (NTKSWEEP_MAX_JOBS)" >&2
    return 3
  fi
  # -V: the continuation gets this job's environment (STUDY, NTKSWEEP_ARGS, PATH, modules).
  next=$(qsub -V -W depend=afterany:"$PBS_JOBID" \
    -v "NTKSWEEP_CHAIN=$CHAIN,NTKSWEEP_SEGMENT=$((_segment + 1)),NTKSWEEP_SHARD=${SHARD:-}" "$_script") || { echo "lib.sh: resubmission failed" >&2; return 3; }
  echo "lib.sh: stopped early; $out continues in job $next"
  return 0
}
