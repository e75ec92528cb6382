# Shared shell for the throwaway test servers (samba-dc.sh, slapd.sh, ...): logging, package checks, the pid
# file, waiting until the server answers, stopping it, the env file and the command dispatch.
#
# A script sets these before it sources this file:
#   DAEMON_TAG            prefix of every log line, e.g. samba-dc
#   DAEMON_PROCESS        what /proc/PID/cmdline must contain for the pid file to count, e.g. samba
#   PID_FILE LOG_FILE ENV_FILE TIMINGS_FILE WORK_DIR START_TIMEOUT_SECONDS STOP_TIMEOUT_SECONDS
#   and optionally STOP_SIGNAL (default TERM)
# and defines:
#   daemon_answers        exit 0 when the server answers its clients
#   daemon_address        the address printed in status lines, e.g. ldaps://dc1.writeback.test:636
#   cmd_install cmd_provision cmd_start cmd_env (and optionally cmd_clean_extra)
# shellcheck shell=bash

log() { printf '[%s] %s\n' "$DAEMON_TAG" "$*"; }
die() { printf '[%s] ERROR: %s\n' "$DAEMON_TAG" "$*" >&2; exit 1; }

# Prints the packages of "$@" that dpkg does not have installed, one line.
missing_packages() {
  local missing=()
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  echo "${missing[*]}"
}

# apt-get installs "$@" (after an update) while a policy-rc.d forbids every service start (exit 101), so no
# packaged server starts on its usual port; the policy is removed afterwards unless one was there before.
apt_install_without_services() {
  local policy=/usr/sbin/policy-rc.d mark="# writeback test server ($DAEMON_TAG): keeps packaged services from starting"
  local own="" rc=0
  export DEBIAN_FRONTEND=noninteractive
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\n%s\nexit 101\n' "$mark" >"$policy"
    chmod 755 "$policy"
    own=1
  fi
  apt-get -o DPkg::Lock::Timeout=300 update -q || rc=$?
  if [[ $rc -eq 0 ]]; then
    apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@" || rc=$?
  fi
  if [[ -n $own ]] && grep -qF "$mark" "$policy"; then
    rm -f "$policy"
  fi
  [[ $rc -eq 0 ]] || die "apt-get failed (exit $rc)"
}

pid() { [[ -s $PID_FILE ]] && cat "$PID_FILE"; }

is_running() {
  local p
  p="$(pid)" || return 1
  [[ -n $p ]] && kill -0 "$p" 2>/dev/null && grep -q "$DAEMON_PROCESS" "/proc/$p/cmdline" 2>/dev/null
}

port_free() {
  ! (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

# The last lines of the server's log, on stderr beside the error they explain (CI shows both together).
log_tail() {
  [[ -s $LOG_FILE ]] || return 0
  printf '[%s] last lines of %s:\n' "$DAEMON_TAG" "$LOG_FILE" >&2
  tail -n 25 "$LOG_FILE" | sed "s/^/[$DAEMON_TAG]   /" >&2 || true
}

# Fails naming the process when something already listens on one of the TCP ports "$@" on 127.0.0.1.
require_free_ports() {
  local port holder busy=()
  for port in "$@"; do
    if ! port_free 127.0.0.1 "$port"; then
      holder="$(ss -Hltnp "sport = :$port" 2>/dev/null | sed -n 's/.*users:(("\([^"]*\)",pid=\([0-9]*\).*/\1 pid \2/p' | head -1)"
      busy+=("$port${holder:+ ($holder)}")
    fi
  done
  [[ ${#busy[@]} -eq 0 ]] || die "ports already in use on 127.0.0.1: ${busy[*]}; stop what holds them or run the suite elsewhere"
}

# Waits until daemon_answers, failing early (with the log's tail) when the process exits.
# With the argument "may-exit" it returns 1 instead when the process exits, so the caller can start it again.
wait_until_answering() {
  local deadline=$((SECONDS + START_TIMEOUT_SECONDS))
  until daemon_answers; do
    if ! is_running; then
      log_tail
      [[ ${1:-} == may-exit ]] && return 1
      die "$DAEMON_PROCESS exited during start (log: $LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      log_tail
      die "$(daemon_address) did not answer within ${START_TIMEOUT_SECONDS}s (log: $LOG_FILE)"
    fi
    sleep 0.5
  done
}

# Records how long the start took and logs it.
started_after() {
  local took=$((SECONDS - $1))
  printf 'start_seconds=%s\n' "$took" >>"$TIMINGS_FILE"
  log "$(daemon_address) answers after ${took}s (pid $(pid))"
}

cmd_stop() {
  # Without a running server the tests must skip, not fail: they look for the env file.
  rm -f "$ENV_FILE"
  if ! is_running; then
    log "not running"
    rm -f "$PID_FILE"
    return
  fi
  local p
  p="$(pid)"
  log "stopping $DAEMON_PROCESS (pid $p)"
  kill "-${STOP_SIGNAL:-TERM}" "$p"
  local deadline=$((SECONDS + STOP_TIMEOUT_SECONDS))
  while kill -0 "$p" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still running after ${STOP_TIMEOUT_SECONDS}s; sending SIGKILL to its process group"
      kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  if ! is_running; then
    log "not running"
    return 1
  fi
  if daemon_answers; then
    log "running (pid $(pid)), $(daemon_address) answers"
  else
    log "running (pid $(pid)), $(daemon_address) does not answer yet"
    return 1
  fi
}

cmd_clean() {
  cmd_stop
  if [[ -d $WORK_DIR ]]; then
    rm -rf "$WORK_DIR"
    log "removed $WORK_DIR"
  fi
  if declare -F cmd_clean_extra >/dev/null; then
    cmd_clean_extra
  fi
  return 0
}

# Writes the env file the tests read from what "$@" (a command) prints: owner-only, replaced atomically.
write_env_file() {
  local tmp="$ENV_FILE.tmp"
  "$@" >"$tmp"
  chmod 600 "$tmp"
  mv "$tmp" "$ENV_FILE"
  log "wrote $ENV_FILE"
}

# Prints the script's header comment (its lines 2 to $1) as usage, and exits 2.
usage_from_header() {
  sed -n "2,${1}p" "$0" | sed 's/^# \{0,1\}//'
  exit 2
}

# The commands every server script offers; "up" is what CI runs.
daemon_main() {
  [[ $# -eq 1 ]] || usage
  mkdir -p "$WORK_DIR"
  case $1 in
    install) cmd_install ;;
    provision) cmd_provision ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    clean) cmd_clean ;;
    env) cmd_env ;;
    up)
      cmd_install
      cmd_provision
      cmd_start
      [[ -f $TIMINGS_FILE ]] && log "timings: $(paste -sd' ' "$TIMINGS_FILE")"
      ;;
    *) usage ;;
  esac
}
