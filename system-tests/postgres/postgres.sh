#!/usr/bin/env bash
# A throwaway PostgreSQL server on loopback for the relay's PostgreSQL store tests.
#
#   postgres.sh install     install Debian's postgresql (apt, only what is missing; the packaged cluster is kept
#                           from starting)
#   postgres.sh provision   a fresh cluster under system-tests/target/postgres (stops a running one): a superuser
#                           for the tests to create databases with, and a role and database for the relay
#   postgres.sh start       start it in the background, wait until it accepts connections, write the env file
#   postgres.sh stop        stop it (SIGINT: a fast shutdown that ends open sessions, bounded wait) and remove the
#                           env file (tests then skip)
#   postgres.sh status      print whether it runs and answers; exit 0 only if it does
#   postgres.sh env         write system-tests/target/postgres/env, the file the tests read
#   postgres.sh clean       stop it and remove system-tests/target/postgres
#   postgres.sh up          install + provision + start (what CI runs)
#
# The cluster, its socket directory, log, pid file and env file live in system-tests/target/postgres; it listens
# on 127.0.0.1 only, port PG_TEST_PORT (default 15433), with scram-sha-256 passwords. PostgreSQL refuses to run
# as root, so the cluster belongs to the system user "postgres" the package creates; when that user cannot reach
# the checkout (a parent directory closed to others), the cluster's own files go to /var/tmp/writeback-postgres-*.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYSTEM_TESTS_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
WORK_DIR="${PG_TEST_WORK_DIR:-$SYSTEM_TESTS_DIR/target/postgres}"

HOST=127.0.0.1
PORT="${PG_TEST_PORT:-15433}"
OS_USER=postgres
ADMIN_USER=writeback_admin
RELAY_USER=writeback
RELAY_DB=writeback
# Test-only passwords for a throwaway server.
ADMIN_PASSWORD='Admin!Pg-Test-4417'
RELAY_PASSWORD='Relay!Pg-Test-2093'

START_TIMEOUT_SECONDS="${PG_TEST_START_TIMEOUT:-60}"
STOP_TIMEOUT_SECONDS="${PG_TEST_STOP_TIMEOUT:-30}"

# Where the cluster's files go: beside the rest unless the postgres user cannot get there.
cluster_dir() {
  if setpriv --reuid=postgres --regid=postgres --init-groups -- test -x "$WORK_DIR" 2>/dev/null; then
    echo "$WORK_DIR"
  else
    echo "/var/tmp/writeback-postgres-$(printf '%s' "$WORK_DIR" | sha256sum | cut -c1-12)"
  fi
}
mkdir -p "$WORK_DIR"
CLUSTER_DIR="$(cluster_dir)"
DATA_DIR="$CLUSTER_DIR/data"
RUN_DIR="$CLUSTER_DIR/run"
SECRETS_DIR="$WORK_DIR/secrets"
PID_FILE="$WORK_DIR/postgres.pid"
LOG_FILE="$WORK_DIR/postgres.log"
ENV_FILE="$WORK_DIR/env"
TIMINGS_FILE="$WORK_DIR/timings"

PACKAGES=(postgresql)

DAEMON_TAG=postgres
DAEMON_PROCESS=postgres
# SIGTERM is PostgreSQL's "smart" shutdown, which waits for every client (a relay's pool) to disconnect.
STOP_SIGNAL=INT
# shellcheck source=../lib/daemon.sh
source "$SYSTEM_TESTS_DIR/lib/daemon.sh"

usage() { usage_from_header 19; }

# The newest installed server's binaries (Debian keeps them out of PATH, under /usr/lib/postgresql/VERSION/bin).
pg_bin() {
  local dir
  dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
  [[ -n $dir && -x $dir/postgres ]] || die "no PostgreSQL server under /usr/lib/postgresql; run: $0 install"
  echo "$dir"
}

daemon_answers() { "$(pg_bin)/pg_isready" -q -h "$HOST" -p "$PORT" -t 2; }
daemon_address() { echo "postgresql://$HOST:$PORT"; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (apt installs packages; the cluster runs as the user $OS_USER)"
}

as_postgres() { setpriv --reuid="$OS_USER" --regid="$OS_USER" --init-groups -- "$@"; }

# ---------------------------------------------------------------------------------------------- install

cmd_install() {
  local missing
  read -ra missing <<<"$(missing_packages "${PACKAGES[@]}")"
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "packages already installed: ${PACKAGES[*]} ($(dpkg-query -W -f='${Version}' postgresql))"
    return
  fi
  require_root install
  log "installing: ${missing[*]}"
  apt_install_without_services "${missing[@]}"   # the packaged cluster on 5432 stays down
  log "installed: $(dpkg-query -W -f='${Version}' postgresql) postgresql"
}

# ---------------------------------------------------------------------------------------------- provision

cmd_provision() {
  require_root provision
  id "$OS_USER" >/dev/null 2>&1 || die "no system user $OS_USER (the postgresql package creates it); run: $0 install"
  if is_running; then
    log "a cluster from an earlier provision is running; stopping it first"
    cmd_stop
  fi
  local started=$SECONDS bin
  bin="$(pg_bin)"
  rm -rf "$DATA_DIR" "$RUN_DIR" "$SECRETS_DIR" "$ENV_FILE" "$LOG_FILE" "$PID_FILE" "$TIMINGS_FILE"
  [[ $CLUSTER_DIR == "$WORK_DIR" ]] || log "the user $OS_USER cannot reach $WORK_DIR: the cluster lives in $CLUSTER_DIR"
  mkdir -p "$DATA_DIR" "$RUN_DIR" "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR"
  printf '%s\n' "$ADMIN_PASSWORD" >"$SECRETS_DIR/admin.pw"
  printf '%s\n' "$RELAY_PASSWORD" >"$SECRETS_DIR/relay.pw"
  chmod 600 "$SECRETS_DIR"/*.pw
  chown "$OS_USER:" "$DATA_DIR" "$RUN_DIR"
  chmod 700 "$DATA_DIR"
  # initdb reads the superuser's password from a file the cluster's owner can read: a copy that lives a moment.
  local pwfile="$RUN_DIR/initdb.pw"
  cp "$SECRETS_DIR/admin.pw" "$pwfile"
  chown "$OS_USER:" "$pwfile"
  log "initdb in $DATA_DIR (superuser $ADMIN_USER, scram-sha-256)"
  as_postgres "$bin/initdb" -D "$DATA_DIR" -U "$ADMIN_USER" --pwfile="$pwfile" -A scram-sha-256 -E UTF8 \
    --no-locale >"$WORK_DIR/initdb.log" 2>&1 || { rm -f "$pwfile"; tail -20 "$WORK_DIR/initdb.log" >&2; die "initdb failed"; }
  rm -f "$pwfile"
  # Loopback TCP only, password logins only.
  printf 'host all all 127.0.0.1/32 scram-sha-256\n' >"$DATA_DIR/pg_hba.conf"
  chown "$OS_USER:" "$DATA_DIR/pg_hba.conf"
  launch
  log "creating role $RELAY_USER and database $RELAY_DB"
  admin_sql postgres "CREATE ROLE $RELAY_USER LOGIN PASSWORD '$RELAY_PASSWORD'"
  admin_sql postgres "CREATE DATABASE $RELAY_DB OWNER $RELAY_USER"
  printf 'provision_seconds=%s\n' "$((SECONDS - started))" >"$TIMINGS_FILE"
  log "provisioned in $((SECONDS - started))s"
}

admin_sql() {
  PGPASSWORD="$ADMIN_PASSWORD" "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PORT" -U "$ADMIN_USER" \
    -d "$1" -c "$2" >/dev/null
}

# ---------------------------------------------------------------------------------------------- start/stop

# Starts the server if it is not running and waits until it accepts connections.
launch() {
  if is_running; then
    wait_until_answering
    return
  fi
  port_free "$HOST" "$PORT" || die "$HOST:$PORT is in use (set PG_TEST_PORT to a free port)"
  # setpriv execs postgres itself, so the pid written is the postmaster's (SIGINT to it: a fast shutdown).
  nohup setpriv --reuid="$OS_USER" --regid="$OS_USER" --init-groups -- "$(pg_bin)/postgres" -D "$DATA_DIR" \
    -c listen_addresses="$HOST" -c port="$PORT" -c unix_socket_directories="$RUN_DIR" \
    -c max_connections=200 -c fsync=on -c synchronous_commit=on </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  wait_until_answering
}

cmd_start() {
  require_root start
  [[ -f $DATA_DIR/PG_VERSION ]] || die "no cluster in $DATA_DIR; run: $0 provision"
  local started=$SECONDS
  log "starting postgres on $HOST:$PORT (log: $LOG_FILE)"
  launch
  started_after "$started"
  cmd_env
}

cmd_env() {
  [[ -f $DATA_DIR/PG_VERSION ]] || die "no cluster in $DATA_DIR; run: $0 provision"
  write_env_file postgres_env
}

postgres_env() {
  echo "# Throwaway PostgreSQL; written by system-tests/postgres/postgres.sh env. Test-only passwords."
  echo "PG_HOST=$HOST"
  echo "PG_PORT=$PORT"
  echo "PG_URL=jdbc:postgresql://$HOST:$PORT/$RELAY_DB"
  echo "PG_USER=$RELAY_USER"
  echo "PG_PASSWORD_FILE=$SECRETS_DIR/relay.pw"
  echo "PG_ADMIN_USER=$ADMIN_USER"
  echo "PG_ADMIN_PASSWORD_FILE=$SECRETS_DIR/admin.pw"
  echo "PG_BIN=$(pg_bin)"
  echo "PG_DATA=$DATA_DIR"
  echo "PG_PID_FILE=$PID_FILE"
}

cmd_clean_extra() {
  if [[ $CLUSTER_DIR != "$WORK_DIR" && -d $CLUSTER_DIR ]]; then
    rm -rf "$CLUSTER_DIR"
    log "removed $CLUSTER_DIR"
  fi
}

daemon_main "$@"
