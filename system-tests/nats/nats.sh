#!/usr/bin/env bash
# A throwaway NATS server on loopback for the relay's cross-node tests, deployed as a user would: TLS with a
# certificate from its own test CA, and a user with a password.
#
#   nats.sh install     install Debian's nats-server and openssl (apt, only what is missing)
#   nats.sh provision   a fresh CA, server certificate, password and configuration under system-tests/target/nats
#   nats.sh start       start nats-server in the background, wait until it accepts connections, write the env file
#   nats.sh stop        stop it (SIGTERM, bounded wait) and remove the env file (tests then skip)
#   nats.sh status      print whether it runs and answers; exit 0 only if it does
#   nats.sh env         write system-tests/target/nats/env, the file the tests read
#   nats.sh clean       stop it and remove system-tests/target/nats
#   nats.sh up          install + provision + start (what CI runs)
#
# Nothing outside system-tests/target/nats is touched; it listens on 127.0.0.1 only, port NATS_TEST_PORT
# (default 14222), TLS required (tls://127.0.0.1:14222), user "writeback" with the password in secrets/.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYSTEM_TESTS_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
WORK_DIR="${NATS_TEST_WORK_DIR:-$SYSTEM_TESTS_DIR/target/nats}"

HOST=127.0.0.1
PORT="${NATS_TEST_PORT:-14222}"
USER_NAME=writeback
# Test-only password for a throwaway server.
PASSWORD='Nats!Relay-Test-3371'

START_TIMEOUT_SECONDS="${NATS_TEST_START_TIMEOUT:-30}"
STOP_TIMEOUT_SECONDS="${NATS_TEST_STOP_TIMEOUT:-20}"

CONF="$WORK_DIR/nats.conf"
TLS_DIR="$WORK_DIR/tls"
CA_PEM="$TLS_DIR/ca.pem"
SECRETS_DIR="$WORK_DIR/secrets"
PID_FILE="$WORK_DIR/nats.pid"
LOG_FILE="$WORK_DIR/nats.log"
ENV_FILE="$WORK_DIR/env"
TIMINGS_FILE="$WORK_DIR/timings"

PACKAGES=(nats-server openssl)

DAEMON_TAG=nats
DAEMON_PROCESS=nats-server
# shellcheck source=../lib/daemon.sh
source "$SYSTEM_TESTS_DIR/lib/daemon.sh"

usage() { usage_from_header 15; }

# NATS greets with an INFO line in clear text before the TLS upgrade: it answers when that line says TLS is required.
daemon_answers() {
  local line
  line="$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$PORT; head -n 1 <&3" 2>/dev/null || true)"
  [[ $line == INFO* && $line == *'"tls_required":true'* ]]
}

daemon_address() { echo "tls://$HOST:$PORT"; }

cmd_install() {
  local missing
  read -ra missing <<<"$(missing_packages "${PACKAGES[@]}")"
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "packages already installed: ${PACKAGES[*]} ($(dpkg-query -W -f='${Version}' nats-server))"
    return
  fi
  [[ $(id -u) -eq 0 ]] || die "install needs root (apt installs packages)"
  log "installing: ${missing[*]}"
  apt_install_without_services "${missing[@]}"
  log "installed: $(dpkg-query -W -f='${Version}' nats-server) nats-server"
}

cmd_provision() {
  command -v nats-server >/dev/null || die "nats-server not found; run: $0 install"
  if is_running; then
    log "a server from an earlier provision is running; stopping it first"
    cmd_stop
  fi
  local started=$SECONDS
  rm -rf "$TLS_DIR" "$SECRETS_DIR" "$CONF" "$ENV_FILE" "$LOG_FILE" "$PID_FILE" "$TIMINGS_FILE"
  mkdir -p "$TLS_DIR" "$SECRETS_DIR"
  chmod 700 "$TLS_DIR" "$SECRETS_DIR"
  log "test CA and a server certificate for $HOST and localhost"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=writeback NATS test CA" \
    -keyout "$TLS_DIR/ca.key" -out "$CA_PEM" >/dev/null 2>&1
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$HOST" \
    -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" >/dev/null 2>&1
  printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$HOST" >"$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$CA_PEM" -CAkey "$TLS_DIR/ca.key" -CAcreateserial -days 30 \
    -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem" >/dev/null 2>&1
  printf '%s\n' "$PASSWORD" >"$SECRETS_DIR/nats.pw"
  chmod 600 "$SECRETS_DIR/nats.pw" "$TLS_DIR"/*.key
  cat >"$CONF" <<EOF
# Throwaway NATS for the relay's cross-node tests (system-tests/nats/nats.sh).
host: $HOST
port: $PORT
http: 0
tls {
  cert_file: "$TLS_DIR/server.pem"
  key_file: "$TLS_DIR/server.key"
  ca_file: "$CA_PEM"
  timeout: 2
}
authorization {
  user: $USER_NAME
  password: "$PASSWORD"
}
max_payload: 1MB
EOF
  chmod 600 "$CONF"
  printf 'provision_seconds=%s\n' "$((SECONDS - started))" >"$TIMINGS_FILE"
  log "provisioned in $((SECONDS - started))s"
}

cmd_start() {
  [[ -f $CONF ]] || die "no configuration in $WORK_DIR; run: $0 provision"
  if is_running; then
    log "already running (pid $(pid))"
    wait_until_answering
    cmd_env
    return
  fi
  port_free "$HOST" "$PORT" || die "$HOST:$PORT is in use (set NATS_TEST_PORT to a free port)"
  local started=$SECONDS
  log "starting nats-server on $HOST:$PORT (log: $LOG_FILE)"
  nohup nats-server -c "$CONF" </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  wait_until_answering
  started_after "$started"
  cmd_env
}

cmd_env() {
  [[ -s $CA_PEM ]] || die "no CA in $TLS_DIR; run: $0 provision"
  write_env_file nats_env
}

nats_env() {
  echo "# Throwaway NATS; written by system-tests/nats/nats.sh env. Test-only password."
  echo "NATS_URL=tls://$HOST:$PORT"
  echo "NATS_USER=$USER_NAME"
  echo "NATS_PASSWORD_FILE=$SECRETS_DIR/nats.pw"
  echo "NATS_CA_FILE=$CA_PEM"
}

daemon_main "$@"
