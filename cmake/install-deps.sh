#!/usr/bin/env bash
# Installs the Debian packages ntksweep needs, and only those that are missing.
# Usage: cmake/install-deps.sh [build] [python] [slurm] ...   (default: build python)
# Idempotent: when everything is present it runs no apt-get at all.
set -euo pipefail

groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(build python)

want=()
for g in "${groups[@]}"; do
  case "$g" in
    build)  want+=(g++ cmake make pkg-config git openmpi-bin libopenmpi-dev libeigen3-dev
                   libhdf5-dev libboost-program-options-dev libgtest-dev libbenchmark-dev) ;;
    python) want+=(python3 python3-h5py python3-numpy python3-matplotlib) ;;
    slurm)  want+=(slurm-wlm munge) ;;
    *) echo "install-deps.sh: unknown package group '$g' (allowed: build, python, slurm)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q >&2
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
