# Shared helpers for the CI scripts; sourced by .ci/run and .ci/services.sh.
# shellcheck shell=bash

log() { printf '[ci] %s\n' "$*"; }

apt_install() {
  if [[ -z "${APT_UPDATED:-}" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    export APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

wait_for() {  # wait_for NAME COMMAND...
  local name=$1; shift
  for _ in $(seq 1 60); do
    if "$@" >/dev/null 2>&1; then log "$name answers"; return 0; fi
    sleep 1
  done
  log "$name does not answer after 60 s"; return 1
}
