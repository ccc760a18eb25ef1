# jobs/slurm/lib.sh: what every ntksweep batch script shares; sourced right after the #SBATCH
# lines. It finds the repository and ntksweep, loads the site's settings (jobs/site.sh, if it
# exists: `module load …`), and provides
#
#   sweep LAUNCH...   runs `LAUNCH` (an srun/mpirun … ntksweep run … -o FILE line), adding
#                     --resume when FILE already exists. USR1/TERM sent to the batch shell
#                     (#SBATCH --signal=B:USR1@N) are passed on to it; when it stops early
#                     (exit 3: the file is consistent) this script is resubmitted to run after
#                     this job (--dependency=afterany) and continues the same FILE.
#   NTKSWEEP_ARGS     extra `--section.key=value` overrides for the run (e.g. a smaller grid for
#                     a smoke test); continuations inherit it
#   CHAIN             the job id of the first job of a resubmission chain (of the array, for
#                     shards): output names carry it, so every continuation writes the same file
#   SHARD, SHARD_INDEX  "I/N" and I of this job-array element (shards.sbatch)
#
# A chain stops after NTKSWEEP_MAX_JOBS jobs (default 20) in case no job makes progress.

# A signal before the launch (Slurm may send the wall-time warning right at the start) is kept
# and passed on once the sweep runs.
_pending=""
trap '_pending=USR1' USR1
trap '_pending=TERM' TERM INT

NTKSWEEP_JOBS=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
_script=$(scontrol show job -o "$SLURM_JOB_ID" | sed -n '1s/.* Command=\([^ ]*\).*/\1/p')
_script_args=("$@")  # sourced without arguments: the script's own
[ -f "$NTKSWEEP_JOBS/site.sh" ] && . "$NTKSWEEP_JOBS/site.sh"
command -v ntksweep >/dev/null || PATH=$NTKSWEEP_JOBS/../build/src/cli:$PATH
# Open MPI refuses root without these (containers, test clusters); harmless otherwise.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# Continuations are plain (non-array) jobs: NTKSWEEP_* (set by sbatch --export) say which chain
# and shard they belong to.
CHAIN=${NTKSWEEP_CHAIN:-${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}}
if [ -n "${NTKSWEEP_SHARD:-}" ]; then
  SHARD=$NTKSWEEP_SHARD
elif [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
  SHARD=$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT
fi
SHARD_INDEX=${SHARD%%/*}
_segment=${NTKSWEEP_SEGMENT:-1}

# sbatch of a script with this job's partition, account and time limit (and with `shape`
# first: its tasks, nodes and CPUs per task, however they were given), without the stale
# SLURM_* variables of this job (they would leak into the new job's srun). Prints the job id.
_submit() {
  local info opts=() v
  info=$(scontrol show job -o "$SLURM_JOB_ID" | head -n 1)  # an array job id lists every element
  _field() { sed -n "s|.* $1=\([^ ]*\).*|\1|p" <<<"$info"; }
  v=$(_field TimeLimit) && [ -n "$v" ] && [ "$v" != UNLIMITED ] && opts+=(--time="$v")
  v=$(_field Partition) && [ -n "$v" ] && opts+=(--partition="$v")
  v=$(_field Account) && [ -n "$v" ] && [ "$v" != "(null)" ] && opts+=(--account="$v")
  if [ "$1" = shape ]; then
    opts+=(--ntasks="$(_field NumTasks)" --nodes="$(_field NumNodes)" --cpus-per-task="$(_field CPUs/Task)")
  fi
  shift
  (
    for v in $(compgen -e | grep '^SLURM_' | grep -v '^SLURM_CONF$'); do unset "$v"; done
    sbatch --parsable "${opts[@]}" "$@"
  )
}

# Runs "$@" in the background and waits; USR1, TERM and INT to this shell go on to it, but
# not in its first 10 s (srun must have launched ntksweep, and ntksweep must catch them). Returns its exit code.
_forwarding() {
  local rc got="" asked="" start=$SECONDS
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
  while :; do
    wait "$child"
    rc=$?
    # A trapped signal interrupts `wait` (status > 128) while the step still runs: wait again.
    if [ -n "$got" ] && [ "$rc" -gt 128 ] && [ "$rc" -ne 255 ]; then got=""; continue; fi
    break
  done
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
  local launch=("$@") out="" i rc
  for ((i = 0; i < ${#launch[@]}; i++)); do
    case "${launch[i]}" in -o | --output) out=${launch[i + 1]} ;; --output=*) out=${launch[i]#--output=} ;; esac
  done
  [ -n "$out" ] || { echo "lib.sh: the launch line needs -o FILE" >&2; return 2; }
  # shellcheck disable=SC2206  # NTKSWEEP_ARGS is a list of words
  launch+=(${NTKSWEEP_ARGS:-})
  if [ -e "$out" ] || [ -e "$out.journal" ]; then launch+=(--resume); fi

  # The first element of a shard array submits the merge, to run once every shard has ended.
  if [ -n "${SHARD:-}" ] && [ -z "${NTKSWEEP_SEGMENT:-}" ] && [ "${SLURM_ARRAY_TASK_ID:-}" = "${SLURM_ARRAY_TASK_MIN:-}" ]; then
    local prefix=${out%-shard*}
    echo "lib.sh: merge of ${prefix}-shard*.h5 submitted as job" \
      "$(_submit any --dependency=afterany:"$SLURM_ARRAY_JOB_ID" --job-name="$(basename "$prefix")-merge" \
        "$NTKSWEEP_JOBS/slurm/merge.sbatch" "$prefix")"
  fi

  echo "lib.sh: job $SLURM_JOB_ID (chain $CHAIN, job $_segment): ${launch[*]}"
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
  local name=$SLURM_JOB_NAME log=()
  if [ -n "${SHARD:-}" ]; then  # a plain job now: named for merge.sbatch to find, its own log
    name="$(basename "${out%-shard*}")-shards"
    log=(--output="$(basename "${out%.h5}")-%j.log")
  fi
  local next
  next=$(_submit shape --dependency=afterany:"$SLURM_JOB_ID" --job-name="$name" "${log[@]}" \
    --export=ALL,NTKSWEEP_CHAIN="$CHAIN",NTKSWEEP_SEGMENT=$((_segment + 1)),NTKSWEEP_SHARD="${SHARD:-}" \
    "$_script" "${_script_args[@]}") || { echo "lib.sh: resubmission failed" >&2; return 3; }
  echo "lib.sh: stopped early; $out continues in job $next"
  return 0
}

# merge.sbatch: runs "$@" (the merge) once no shard continuation of PREFIX is queued or
# running; otherwise resubmits itself to run after them.
after_shards() {
  local prefix=$1 live
  shift
  live=$(squeue -h -n "$(basename "$prefix")-shards" -o %i | paste -sd:)
  if [ -n "$live" ]; then
    echo "lib.sh: shards still running (jobs ${live//:/ }); merge resubmitted as job" \
      "$(_submit any --dependency=afterany:"$live" --job-name="$SLURM_JOB_NAME" "$_script" "${_script_args[@]}")"
    return 0
  fi
  "$@"
}
