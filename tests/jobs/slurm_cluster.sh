#!/usr/bin/env bash
# A real single-node Slurm on loopback for the batch-job tests, started without systemd and
# stopped by PID. Source it, then:
#
#   slurm_start DIR     # munged + slurmctld + slurmd as root, everything (config, keys, state,
#                       # spool, logs, sockets) under DIR; exports SLURM_CONF; waits until the
#                       # node is idle and `srun --mpi=list` shows pmix
#   slurm_stop          # kills exactly the PIDs slurm_start recorded (call it from trap EXIT)
#   slurm_wait JOBID... # waits until the jobs have ended; prints "JOBID STATE EXITCODE" lines
#
# Ports are chosen free on 127.0.0.1 at start, so a leftover of an earlier run cannot clash.
# Needs: root, Debian's slurm-wlm and munge (cmake/install-deps.sh slurm).

_slurm_pids=()

_free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

_slurm_fail() {
  echo "slurm_cluster.sh: $*" >&2
  local f
  for f in "$SLURM_TEST_DIR"/log/*.log; do [ -e "$f" ] && { echo "--- $f" >&2; tail -n 30 "$f" >&2; }; done
  return 1
}

slurm_start() {
  local dir=$1
  [ "$(id -u)" -eq 0 ] || { echo "slurm_cluster.sh: must run as root (SlurmUser=root)" >&2; return 1; }
  for exe in munged slurmctld slurmd sbatch; do
    command -v "$exe" >/dev/null || { echo "slurm_cluster.sh: $exe missing: cmake/install-deps.sh slurm" >&2; return 1; }
  done
  export SLURM_TEST_DIR=$dir
  mkdir -p "$dir/munge" "$dir/state" "$dir/spool" "$dir/log" "$dir/tmp"
  chmod 700 "$dir" "$dir/munge"

  # munge: a fresh key, the socket in DIR (munged refuses world-writable socket directories).
  dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 status=none
  chmod 400 "$dir/munge/munge.key"
  munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.sock" \
         --pid-file="$dir/munge/munged.pid" --log-file="$dir/log/munged.log" \
         --seed-file="$dir/munge/munged.seed" 2>>"$dir/log/munged.log" || _slurm_fail "munged did not start" || return 1
  _slurm_pids+=("$(cat "$dir/munge/munged.pid")")

  local cpus mem ctld_port d_port
  cpus=$(nproc)
  mem=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
  ctld_port=$(_free_port)
  d_port=$(_free_port)
  cat > "$dir/slurm.conf" <<CONF
ClusterName=ntksweeptest
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
# Job-private scratch, e.g. the PMIx plugin's spmix_appdir_UID_JOB.STEP (default /tmp, where
# a leftover of an earlier cluster, whose job ids also start at 1, would break a step launch).
TmpFS=$dir/tmp
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/builtin
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
MinJobAge=600
KillWait=10
InactiveLimit=0
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$dir/slurm.conf

  slurmctld -i -f "$SLURM_CONF" || _slurm_fail "slurmctld did not start" || return 1
  _slurm_wait_pidfile "$dir/slurmctld.pid" || _slurm_fail "slurmctld wrote no pid file" || return 1
  slurmd -N localhost -f "$SLURM_CONF" || _slurm_fail "slurmd did not start" || return 1
  _slurm_wait_pidfile "$dir/slurmd.pid" || _slurm_fail "slurmd wrote no pid file" || return 1

  local i state=""
  for i in $(seq 1 60); do
    state=$(sinfo -h -N -o %t 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.5
  done
  [ "$state" = idle ] || _slurm_fail "node not idle after 30 s (state '$state')" || return 1
  srun --mpi=list 2>&1 | grep -q pmix || _slurm_fail "srun --mpi=list shows no pmix" || return 1
}

_slurm_wait_pidfile() {
  local i
  for i in $(seq 1 50); do
    if [ -s "$1" ]; then
      _slurm_pids+=("$(cat "$1")")
      return 0
    fi
    sleep 0.1
  done
  return 1
}

slurm_stop() {
  local pid i ids
  # Jobs first (their slurmstepd and tasks are not children of the daemons), then the daemons.
  if [ ${#_slurm_pids[@]} -gt 0 ]; then
    ids=$(squeue -h -o %i 2>/dev/null || true)
    if [ -n "$ids" ]; then
      scancel $ids 2>/dev/null || true
      for i in $(seq 1 30); do [ -z "$(squeue -h -o %i 2>/dev/null)" ] && break; sleep 0.5; done
    fi
  fi
  # Daemons in reverse order of start; exactly the PIDs recorded, never by name.
  for ((i = ${#_slurm_pids[@]} - 1; i >= 0; i--)); do
    pid=${_slurm_pids[i]}
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${_slurm_pids[@]}"; do
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  _slurm_pids=()
}

# Prints "JOBID STATE EXITCODE" for each job once every job has ended (scontrol keeps ended
# jobs for MinJobAge seconds). Fails after NTKSWEEP_SLURM_WAIT seconds (default 240).
slurm_wait() {
  local deadline=$(( $(date +%s) + ${NTKSWEEP_SLURM_WAIT:-240} )) id line state
  for id in "$@"; do
    while :; do
      line=$(scontrol show job "$id" -o 2>/dev/null || true)
      state=$(sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' <<<"$line")
      case "$state" in
        PENDING|RUNNING|CONFIGURING|COMPLETING|SUSPENDED|REQUEUED|"") ;;
        *) echo "$id $state $(sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' <<<"$line")"; break ;;
      esac
      [ "$(date +%s)" -lt "$deadline" ] || { _slurm_fail "job $id still '$state' at the deadline"; return 1; }
      sleep 1
    done
  done
}

# Follows a resubmission chain from JOBID: waits for each job, and when its log says that it
# continues in (or was resubmitted as) another job, waits for that one too. Prints one
# "JOBID STATE EXITCODE" line per job of the chain.
slurm_follow() {
  local id=$1 log next
  while [ -n "$id" ]; do
    log=$(scontrol show job -o "$id" | sed -n 's/.* StdOut=\([^ ]*\).*/\1/p')
    slurm_wait "$id" || return 1
    next=$(sed -n 's/.*\(continues in job\|resubmitted as job\) \([0-9][0-9]*\).*/\2/p' "$log" 2>/dev/null | tail -n 1)
    id=$next
  done
}
