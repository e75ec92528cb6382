#!/usr/bin/env bash
# A throwaway OpenLDAP slapd with the ppolicy overlay on loopback for the OpenLDAP system tests.
#
#   slapd.sh install     install Debian's slapd and ldap-utils (apt, only what is missing; the packaged
#                        service is kept from starting)
#   slapd.sh provision   create a fresh dc=writeback,dc=test under system-tests/target/openldap (stops a running one)
#   slapd.sh start       start slapd in the background, wait until LDAPS answers, write the env file
#   slapd.sh stop        stop slapd (SIGTERM, bounded wait) and remove the env file (tests then skip)
#   slapd.sh status      print whether slapd runs and answers; exit 0 only if it does
#   slapd.sh env         write system-tests/target/openldap/env, the file the tests read
#   slapd.sh clean       stop slapd and remove system-tests/target/openldap
#   slapd.sh up          install + provision + start (what CI runs)
#
# Nothing outside system-tests/target/openldap is touched: the configuration is a slapd.conf there, the
# database, certificates, pid file, socket and log live there too. The ports are loopback only:
# SLAPD_LDAP_PORT (default 1389, LDAP + StartTLS) and SLAPD_LDAPS_PORT (default 1636).
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYSTEM_TESTS_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
WORK_DIR="${SLAPD_WORK_DIR:-$SYSTEM_TESTS_DIR/target/openldap}"

LDAP_PORT="${SLAPD_LDAP_PORT:-1389}"
LDAPS_PORT="${SLAPD_LDAPS_PORT:-1636}"
HOST=127.0.0.1
BASE_DN="dc=writeback,dc=test"
ROOT_DN="cn=admin,$BASE_DN"
SERVICE_DN="cn=svc-writeback,ou=services,$BASE_DN"
PEOPLE_OU="ou=people,$BASE_DN"
CONTRACTORS_OU="ou=contractors,$BASE_DN"
PARTNERS_OU="ou=partners,$BASE_DN"
POLICIES_OU="ou=policies,$BASE_DN"
DEFAULT_POLICY_DN="cn=default,$POLICIES_OU"
MINAGE_POLICY_DN="cn=min-age,$POLICIES_OU"
SAFE_POLICY_DN="cn=safe-modify,$POLICIES_OU"
ADMINS_GROUP_DN="cn=admins,ou=groups,$BASE_DN"

START_TIMEOUT_SECONDS="${SLAPD_START_TIMEOUT:-30}"
STOP_TIMEOUT_SECONDS="${SLAPD_STOP_TIMEOUT:-20}"

CONF="$WORK_DIR/slapd.conf"
DB_DIR="$WORK_DIR/db"
TLS_DIR="$WORK_DIR/tls"
CA_PEM="$TLS_DIR/ca.pem"
SECRETS_DIR="$WORK_DIR/secrets"          # one password per file, mode 0600
PID_FILE="$WORK_DIR/slapd.pid"
ARGS_FILE="$WORK_DIR/slapd.args"
SOCKET="$WORK_DIR/ldapi"
LOG_FILE="$WORK_DIR/slapd.log"
ENV_FILE="$WORK_DIR/env"
TIMINGS_FILE="$WORK_DIR/timings"

PACKAGES=(slapd ldap-utils openssl)

# Test-only passwords for a throwaway directory. Each is at least 8 characters (pwdMinLength).
ROOT_PASSWORD='Root!Wb-Ldap-2031'
declare -A PASSWORDS=(
  [svc-writeback]='Svc!Ldap-Relay-77'
  [alice]='Blue-Harbor-71'
  [bob]='Green-Meadow-52'
  [carol]='Red-Canyon-33'
  [padmin]='Grey-Tower-94'
  [lena]='Iron-Gate-18'
  [erin]='White-Cliff-26'
  [mina]='Slow-River-64'
  [sara]='Safe-Harbor-85'
  [outsider]='Amber-Field-37'
)
MIN_LENGTH=8
HISTORY_LENGTH=5
MAX_FAILURE=3
MIN_AGE_SECONDS=3600

DAEMON_TAG=slapd
DAEMON_PROCESS=slapd
# shellcheck source=../lib/daemon.sh
source "$SYSTEM_TESTS_DIR/lib/daemon.sh"
daemon_answers() { ldaps_answers; }
daemon_address() { echo "ldaps://$HOST:$LDAPS_PORT"; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (apt installs packages; slapd runs as root on loopback ports)"
}

# ---------------------------------------------------------------------------------------------- install

cmd_install() {
  local missing
  read -ra missing <<<"$(missing_packages "${PACKAGES[@]}")"
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "packages already installed: ${PACKAGES[*]} ($(dpkg-query -W -f='${Version}' slapd))"
  else
    require_root install
    log "installing: ${missing[*]}"
    # Without this debconf answer the postinst creates a default dc=nodomain database in /etc/ldap/slapd.d;
    # this suite never uses it (it runs its own slapd.conf), so none is made. The packaged slapd must not start
    # on 389 either (Samba owns it).
    printf 'slapd slapd/no_configuration boolean true\n' | debconf-set-selections
    apt_install_without_services "${missing[@]}"
    log "installed: $(dpkg-query -W -f='${Version}' slapd) slapd"
  fi
  stop_system_slapd
}

# The packaged service, if anything started it, would hold /var/run/slapd and maybe port 389; this suite
# never uses it.
stop_system_slapd() {
  local pids
  pids="$(pgrep -x slapd || true)"
  for p in $pids; do
    if [[ $(cat "$PID_FILE" 2>/dev/null) == "$p" ]]; then
      continue
    fi
    if tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q -- "$CONF\| -n writeback-slapd "; then
      continue   # this suite's slapd (this work dir or another checkout's), not the packaged service
    fi
    if [[ $(id -u) -ne 0 ]]; then
      log "a system slapd runs (pid $p); not root, leaving it"
      continue
    fi
    log "stopping the system slapd (pid $p) and disabling its service"
    if command -v systemctl >/dev/null && systemctl is-system-running >/dev/null 2>&1; then
      systemctl stop slapd || true
      systemctl disable slapd >/dev/null 2>&1 || true
    else
      service slapd stop >/dev/null 2>&1 || kill -TERM "$p" 2>/dev/null || true
      update-rc.d slapd disable >/dev/null 2>&1 || true
    fi
  done
}

# ---------------------------------------------------------------------------------------------- provision

cmd_provision() {
  require_root provision
  command -v slapd >/dev/null || [[ -x /usr/sbin/slapd ]] || die "slapd not found; run: $0 install"
  if is_running; then
    log "a slapd from an earlier provision is running; stopping it first"
    cmd_stop
  fi
  local started=$SECONDS
  rm -rf "$DB_DIR" "$TLS_DIR" "$SECRETS_DIR" "$ENV_FILE" "$LOG_FILE" "$PID_FILE" "$CONF"
  mkdir -p "$DB_DIR" "$TLS_DIR" "$SECRETS_DIR"
  chmod 700 "$SECRETS_DIR" "$DB_DIR" "$TLS_DIR"
  write_secrets
  make_certificates
  write_config
  /usr/sbin/slaptest -u -f "$CONF" >"$WORK_DIR/slaptest.log" 2>&1 \
    || { cat "$WORK_DIR/slaptest.log" >&2; die "slaptest rejected $CONF"; }
  # Entries go in through a running slapd (not slapadd), so the memberof and ppolicy overlays see them:
  # memberOf is maintained, passwords are hashed, pwdChangedTime is set.
  start_slapd
  ldap_root ldapadd <<<"$(directory_tree)" >/dev/null
  lock_and_flag_accounts
  cmd_stop >/dev/null
  local took=$((SECONDS - started))
  printf 'provision_seconds=%s\n' "$took" >"$TIMINGS_FILE"
  log "provisioned $BASE_DN in ${took}s"
}

write_secrets() {
  printf '%s' "$ROOT_PASSWORD" >"$SECRETS_DIR/admin.password"
  for name in "${!PASSWORDS[@]}"; do
    printf '%s' "${PASSWORDS[$name]}" >"$SECRETS_DIR/$name.password"
  done
  chmod 600 "$SECRETS_DIR"/*.password
}

make_certificates() {
  log "generating a test CA and a server certificate for localhost / 127.0.0.1 in $TLS_DIR"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/O=Writeback test/CN=Writeback test OpenLDAP CA" \
    -keyout "$TLS_DIR/ca.key" -out "$CA_PEM" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=Writeback test/CN=localhost" -keyout "$TLS_DIR/server.key" -out "$TLS_DIR/server.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nkeyUsage=digitalSignature\n' \
    >"$TLS_DIR/server.ext"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$CA_PEM" -CAkey "$TLS_DIR/ca.key" -CAcreateserial \
    -days 825 -extfile "$TLS_DIR/server.ext" -out "$TLS_DIR/server.pem" 2>/dev/null
  chmod 600 "$TLS_DIR"/*.key
}

write_config() {
  local svc="dn.exact=\"$SERVICE_DN\""
  cat >"$CONF" <<EOF
# Written by system-tests/openldap/slapd.sh provision; a throwaway test directory.
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema

pidfile  $PID_FILE
argsfile $ARGS_FILE
loglevel stats

modulepath /usr/lib/ldap
moduleload back_mdb
moduleload ppolicy
moduleload memberof

TLSCACertificateFile $CA_PEM
TLSCertificateFile $TLS_DIR/server.pem
TLSCertificateKeyFile $TLS_DIR/server.key
TLSProtocolMin 3.3
# Simple binds and password operations only over TLS (ssf 128); the ldapi socket is local (ssf 71).
security simple_bind=71 update_ssf=71

database mdb
maxsize 104857600
suffix "$BASE_DN"
rootdn "$ROOT_DN"
rootpw $(/usr/sbin/slappasswd -h '{SSHA}' -T "$SECRETS_DIR/admin.password")
directory $DB_DIR
index objectClass eq
index uid,mail,cn eq
index entryUUID eq

overlay memberof
memberof-group-oc groupOfNames
memberof-member-ad member
memberof-memberof-ad memberOf
memberof-refint TRUE

overlay ppolicy
ppolicy_default "$DEFAULT_POLICY_DN"
ppolicy_use_lockout
ppolicy_hash_cleartext

# The service account, inside people and contractors only: write userPassword plus auth (=wx: auth lets
# slapd check an old password given by a change), manage the ppolicy state (pwdAccountLockedTime is
# NO-USER-MODIFICATION, so deleting it needs manage) and read what lookups need. Never manage on
# userPassword: ppolicy treats manage there as a password administrator and skips every quality,
# length and history check for it.
access to dn.subtree="$PEOPLE_OU" attrs=userPassword
  by $svc =wx
  by self =wx
  by anonymous auth
  by * none
access to dn.subtree="$CONTRACTORS_OU" attrs=userPassword
  by $svc =wx
  by self =wx
  by anonymous auth
  by * none
access to attrs=userPassword
  by self =wx
  by anonymous auth
  by * none
access to dn.subtree="$PEOPLE_OU" attrs=pwdAccountLockedTime,pwdReset
  by $svc manage
  by self read
  by * none
access to dn.subtree="$CONTRACTORS_OU" attrs=pwdAccountLockedTime,pwdReset
  by $svc manage
  by self read
  by * none
access to attrs=pwdHistory,pwdFailureTime
  by * none
access to dn.subtree="$POLICIES_OU"
  by $svc read
  by * none
access to dn.subtree="$BASE_DN"
  by $svc read
  by self read
  by * none
access to dn.base=""
  by * read
access to dn.base="cn=Subschema"
  by * read
EOF
}

directory_tree() {
  cat <<EOF
dn: $BASE_DN
objectClass: dcObject
objectClass: organization
dc: writeback
o: Writeback test

EOF
  for ou in services people contractors partners groups policies; do
    printf 'dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n' "$ou" "$BASE_DN" "$ou"
  done
  cat <<EOF
dn: $DEFAULT_POLICY_DN
objectClass: organizationalRole
objectClass: pwdPolicy
cn: default
pwdAttribute: userPassword
pwdMinLength: $MIN_LENGTH
pwdCheckQuality: 2
pwdInHistory: $HISTORY_LENGTH
pwdLockout: TRUE
pwdMaxFailure: $MAX_FAILURE
pwdLockoutDuration: 0
pwdFailureCountInterval: 0
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
pwdSafeModify: FALSE
pwdMinAge: 0
pwdMaxAge: 0

dn: $MINAGE_POLICY_DN
objectClass: organizationalRole
objectClass: pwdPolicy
cn: min-age
pwdAttribute: userPassword
pwdMinLength: $MIN_LENGTH
pwdCheckQuality: 2
pwdInHistory: $HISTORY_LENGTH
pwdLockout: TRUE
pwdMaxFailure: $MAX_FAILURE
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
pwdSafeModify: FALSE
pwdMinAge: $MIN_AGE_SECONDS

dn: $SAFE_POLICY_DN
objectClass: organizationalRole
objectClass: pwdPolicy
cn: safe-modify
pwdAttribute: userPassword
pwdMinLength: $MIN_LENGTH
pwdCheckQuality: 2
pwdInHistory: $HISTORY_LENGTH
pwdLockout: TRUE
pwdMaxFailure: $MAX_FAILURE
pwdMustChange: TRUE
pwdAllowUserChange: TRUE
pwdSafeModify: TRUE

EOF
  printf 'dn: %s\nobjectClass: inetOrgPerson\ncn: svc-writeback\nsn: Service\ndescription: Writeback agent service account\nuserPassword: %s\n\n' \
    "$SERVICE_DN" "${PASSWORDS[svc-writeback]}"
  user alice "$PEOPLE_OU" Alice Archer
  user bob "$PEOPLE_OU" Bob Baker
  user padmin "$PEOPLE_OU" Paula Admin
  user lena "$PEOPLE_OU" Lena Locked
  user erin "$PEOPLE_OU" Erin Expired
  user mina "$PEOPLE_OU" Mina Minage "pwdPolicySubentry: $MINAGE_POLICY_DN"
  user sara "$PEOPLE_OU" Sara Safe "pwdPolicySubentry: $SAFE_POLICY_DN"
  user carol "$CONTRACTORS_OU" Carol Cooper
  user outsider "$PARTNERS_OU" Oscar Outside
  cat <<EOF
dn: $ADMINS_GROUP_DN
objectClass: groupOfNames
cn: admins
member: $(user_dn padmin)

EOF
}

# user NAME OU GIVEN SURNAME [extra LDIF line]
user() {
  local name=$1 ou=$2 given=$3 sn=$4 extra=${5:-}
  printf 'dn: uid=%s,%s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s %s\ngivenName: %s\nsn: %s\nmail: %s@writeback.test\nuserPassword: %s\n' \
    "$name" "$ou" "$name" "$given" "$sn" "$given" "$sn" "$name" "${PASSWORDS[$name]}"
  [[ -n $extra ]] && printf '%s\n' "$extra"
  printf '\n'
}

user_dn() {
  case $1 in
    carol) echo "uid=$1,$CONTRACTORS_OU" ;;
    outsider) echo "uid=$1,$PARTNERS_OU" ;;
    *) echo "uid=$1,$PEOPLE_OU" ;;
  esac
}

# lena is locked (as after too many failures), erin must change her password (as after an admin reset).
lock_and_flag_accounts() {
  ldap_root ldapmodify >/dev/null <<EOF
dn: $(user_dn lena)
changetype: modify
add: pwdAccountLockedTime
pwdAccountLockedTime: 20260101000000Z

dn: $(user_dn erin)
changetype: modify
replace: pwdReset
pwdReset: TRUE
EOF
}

# ldap_root TOOL [args...]: runs an ldap-utils tool as the rootdn over the ldapi socket.
ldap_root() {
  local tool=$1
  shift
  "$tool" -x -H "ldapi://$(urlencode "$SOCKET")" -D "$ROOT_DN" -y "$SECRETS_DIR/admin.password" "$@"
}

urlencode() { sed 's|/|%2F|g' <<<"$1"; }

# ---------------------------------------------------------------------------------------------- start/stop

ldaps_answers() {
  [[ -s $CA_PEM ]] || return 1
  LDAPTLS_CACERT="$CA_PEM" LDAPTLS_REQCERT=demand timeout 5 \
    ldapsearch -x -LLL -H "ldaps://$HOST:$LDAPS_PORT" -s base -b "" namingContexts >/dev/null 2>&1
}

start_slapd() {
  for port in "$LDAP_PORT" "$LDAPS_PORT"; do
    port_free "$HOST" "$port" || die "$HOST:$port is in use (set SLAPD_LDAP_PORT / SLAPD_LDAPS_PORT to free ports)"
  done
  log "starting slapd on ldap://$HOST:$LDAP_PORT (StartTLS) and ldaps://$HOST:$LDAPS_PORT (log: $LOG_FILE)"
  # -d 0 keeps slapd in the foreground of its own background job, logging to stderr.
  nohup /usr/sbin/slapd -f "$CONF" -n writeback-slapd -d 0 -s stats \
    -h "ldap://$HOST:$LDAP_PORT/ ldaps://$HOST:$LDAPS_PORT/ ldapi://$(urlencode "$SOCKET")/" \
    </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  wait_until_answering
}

cmd_start() {
  require_root start
  [[ -f $CONF ]] || die "no directory in $WORK_DIR; run: $0 provision"
  if is_running; then
    log "already running (pid $(pid))"
    wait_until_answering
    cmd_env
    return
  fi
  local started=$SECONDS
  start_slapd
  started_after "$started"
  cmd_env
}

# ---------------------------------------------------------------------------------------------- env

cmd_env() {
  [[ -f $CONF ]] || die "no directory in $WORK_DIR; run: $0 provision"
  write_env_file slapd_env
}

slapd_env() {
  {
    echo "# OpenLDAP test directory; written by system-tests/openldap/slapd.sh env. Test-only passwords."
    echo "LDAPS_URL=ldaps://$HOST:$LDAPS_PORT"
    echo "LDAPS_HOST_URL=ldaps://localhost:$LDAPS_PORT"
    echo "STARTTLS_URL=ldap://$HOST:$LDAP_PORT"
    echo "LDAPI_URL=ldapi://$(urlencode "$SOCKET")"
    echo "CA_PEM=$CA_PEM"
    echo "BASE_DN=$BASE_DN"
    echo "PEOPLE_OU=$PEOPLE_OU"
    echo "CONTRACTORS_OU=$CONTRACTORS_OU"
    echo "PARTNERS_OU=$PARTNERS_OU"
    echo "ADMINS_GROUP_DN=$ADMINS_GROUP_DN"
    echo "DEFAULT_POLICY_DN=$DEFAULT_POLICY_DN"
    echo "MINAGE_POLICY_DN=$MINAGE_POLICY_DN"
    echo "SAFE_POLICY_DN=$SAFE_POLICY_DN"
    echo "ROOT_DN=$ROOT_DN"
    echo "ROOT_PASSWORD_FILE=$SECRETS_DIR/admin.password"
    echo "SERVICE_DN=$SERVICE_DN"
    echo "SERVICE_PASSWORD_FILE=$SECRETS_DIR/svc-writeback.password"
    echo "MIN_PASSWORD_LENGTH=$MIN_LENGTH"
    echo "HISTORY_LENGTH=$HISTORY_LENGTH"
    echo "MAX_FAILURE=$MAX_FAILURE"
    echo "MIN_AGE_SECONDS=$MIN_AGE_SECONDS"
    for name in alice bob padmin lena erin mina sara carol outsider; do
      local key=${name^^}
      echo "${key}_DN=$(user_dn "$name")"
      echo "${key}_UID=$name"
      echo "${key}_MAIL=$name@writeback.test"
      echo "${key}_PASSWORD=${PASSWORDS[$name]}"
    done
  }
}

# ---------------------------------------------------------------------------------------------- main

usage() { usage_from_header 17; }

daemon_main "$@"
