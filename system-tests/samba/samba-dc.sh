#!/usr/bin/env bash
# A throwaway Samba AD domain controller on loopback for the Samba system tests.
#
#   samba-dc.sh install     install the Debian packages (apt, only what is missing)
#   samba-dc.sh provision   create a fresh domain under system-tests/target/samba (stops a running DC)
#   samba-dc.sh start       start the DC in the background, wait until LDAPS answers, write the env file
#   samba-dc.sh stop        stop the DC (SIGTERM, bounded wait) and remove the env file (tests then skip)
#   samba-dc.sh status      print whether the DC runs and answers; exit 0 only if it does
#   samba-dc.sh env         write system-tests/target/samba/env, the file the tests read
#   samba-dc.sh clean       stop the DC, remove system-tests/target/samba and the /etc/hosts line
#   samba-dc.sh up          install + provision + start (what CI runs)
#
# Nothing outside system-tests/target/samba is touched except one marked line in /etc/hosts that makes
# the DC's name resolve to 127.0.0.1 (see README.md). /etc/samba/smb.conf is never read or written.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SYSTEM_TESTS_DIR="$(cd "$SCRIPT_DIR/.." && pwd)"
WORK_DIR="${SAMBA_WORK_DIR:-$SYSTEM_TESTS_DIR/target/samba}"

REALM="WRITEBACK.TEST"
DNS_DOMAIN="writeback.test"
NETBIOS_DOMAIN="WBTEST"
HOST_NAME="dc1"
DC_FQDN="$HOST_NAME.$DNS_DOMAIN"
BASE_DN="DC=writeback,DC=test"
HOSTS_MARK="# writeback-samba-test (system-tests/samba/samba-dc.sh; remove with: samba-dc.sh clean)"

START_TIMEOUT_SECONDS="${SAMBA_START_TIMEOUT:-60}"
STOP_TIMEOUT_SECONDS="${SAMBA_STOP_TIMEOUT:-30}"

DC_DIR="$WORK_DIR/dc"                    # provision --targetdir: etc/, private/, state/, ...
CONF="$DC_DIR/etc/smb.conf"
EMPTY_CONF="$WORK_DIR/empty.conf"        # base config for provisioning instead of /etc/samba/smb.conf
SECRETS_DIR="$WORK_DIR/secrets"          # one password per file, mode 0600
PID_FILE="$WORK_DIR/samba.pid"
LOG_FILE="$WORK_DIR/samba.log"
ENV_FILE="$WORK_DIR/env"
CA_PEM="$DC_DIR/private/tls/ca.pem"
TLS_KEY="$DC_DIR/private/tls/key.pem"
TIMINGS_FILE="$WORK_DIR/timings"

PACKAGES=(samba-ad-dc samba-ad-provision samba-dsdb-modules winbind ldap-utils ldb-tools)

# Test-only passwords for a throwaway domain. None contains its account's name (complexity rule).
ADMIN_PASSWORD='Adm1n!Wb-Domain'
declare -A PASSWORDS=(
  [svc-writeback]='Svc!Relay-2031x'
  [alice]='Blue-Harbor-71'
  [bob]='Green-Meadow-52'
  [carol]='Red-Canyon-33'
  [padmin]='Grey-Tower-94'
  [dave]='Black-River-15'
  [erin]='White-Cliff-26'
  [outsider]='Amber-Field-37'
  [nochange]='Violet-Lake-48'
)
STAFF_OU="OU=Staff,$BASE_DN"
CONTRACTORS_OU="OU=Contractors,$BASE_DN"
RESTRICTED_OU="OU=Restricted,$BASE_DN"
USERS_CN="CN=Users,$BASE_DN"

# Rights (reference/active-directory.md §4).
GUID_RESET_PASSWORD=00299570-246d-11d0-a768-00aa006e0529
GUID_CHANGE_PASSWORD=ab721a53-1e2f-11d0-9819-00aa0040529b
GUID_UNEXPIRE_PASSWORD=ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501
GUID_LOCKOUT_TIME=28630ebf-41d5-11d1-a9c1-0000f80367c1
GUID_PWD_LAST_SET=bf967a0a-0de6-11d0-a285-00aa003049e2
GUID_USER_CLASS=bf967aba-0de6-11d0-a285-00aa003049e2

# Fixed mS-DS-ConsistencyGuid values (UUID text; stored as the 16 raw bytes, first 3 fields little-endian).
ALICE_CONSISTENCY_GUID=5a1ce000-1111-4c3d-9e8f-0a1b2c3d4e5f
CAROL_CONSISTENCY_GUID=ca401000-2222-4d4e-8f90-1a2b3c4d5e6f

DAEMON_TAG=samba-dc
DAEMON_PROCESS=samba
# shellcheck source=../lib/daemon.sh
source "$SYSTEM_TESTS_DIR/lib/daemon.sh"
daemon_answers() { ldaps_answers; }
daemon_address() { echo "ldaps://$DC_FQDN:636"; }

require_root() {
  [[ $(id -u) -eq 0 ]] || die "$1 needs root (Samba provisioning writes NT ACL xattrs; apt installs packages)"
}

samba_tool() { samba-tool "$@" -s "$CONF"; }

# ---------------------------------------------------------------------------------------------- install

cmd_install() {
  local missing
  read -ra missing <<<"$(missing_packages "${PACKAGES[@]}")"
  if [[ ${#missing[@]} -eq 0 ]]; then
    log "packages already installed: ${PACKAGES[*]}"
    return
  fi
  require_root install
  log "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
  # The packages ship service units; this DC is only ever started by this script.
  log "installed: $(dpkg-query -W -f='${Version}' samba-ad-dc) samba-ad-dc"
}

# ---------------------------------------------------------------------------------------------- hosts

ensure_hosts_entry() {
  if grep -qF "$HOSTS_MARK" /etc/hosts; then
    return
  fi
  if getent hosts "$DC_FQDN" | grep -qv '^127\.0\.0\.1 '; then
    die "$DC_FQDN already resolves to something other than 127.0.0.1: $(getent hosts "$DC_FQDN")"
  fi
  log "adding '127.0.0.1 $DC_FQDN' to /etc/hosts (marked, removed by 'clean')"
  printf '127.0.0.1 %s %s\n' "$DC_FQDN" "$HOSTS_MARK" >>/etc/hosts
}

remove_hosts_entry() {
  grep -qF "$HOSTS_MARK" /etc/hosts || return 0
  local kept
  kept="$(grep -vF "$HOSTS_MARK" /etc/hosts)"
  # Rewrite in place (no rename): /etc/hosts is often a bind mount in containers.
  printf '%s\n' "$kept" >/etc/hosts
  log "removed the $DC_FQDN line from /etc/hosts"
}

# ---------------------------------------------------------------------------------------------- provision

cmd_provision() {
  require_root provision
  command -v samba-tool >/dev/null || die "samba-tool not found; run: $0 install"
  if is_running; then
    log "a DC from an earlier provision is running; stopping it first"
    cmd_stop
  fi
  local started=$SECONDS
  rm -rf "$DC_DIR" "$SECRETS_DIR" "$ENV_FILE" "$LOG_FILE" "$PID_FILE"
  mkdir -p "$DC_DIR" "$SECRETS_DIR" "$WORK_DIR/run"
  chmod 700 "$SECRETS_DIR"
  : >"$EMPTY_CONF"
  ensure_hosts_entry

  log "provisioning realm $REALM (NetBIOS $NETBIOS_DOMAIN, host $DC_FQDN) in $DC_DIR"
  samba-tool domain provision -s "$EMPTY_CONF" --targetdir="$DC_DIR" \
    --realm="$REALM" --domain="$NETBIOS_DOMAIN" --host-name="$HOST_NAME" --host-ip=127.0.0.1 \
    --server-role=dc --dns-backend=SAMBA_INTERNAL --use-rfc2307 --adminpass="$ADMIN_PASSWORD" \
    --option="interfaces = lo" --option="bind interfaces only = yes" \
    --option="pid directory = $WORK_DIR/run" \
    >"$WORK_DIR/provision.log" 2>&1 || { tail -20 "$WORK_DIR/provision.log" >&2; die "provision failed (log: $WORK_DIR/provision.log)"; }
  # Samba accepts the previous password for 60 minutes after a change or reset (OldPasswordAllowedPeriod,
  # KB 906305), and it treats LDAP simple binds like NTLM here. Tests check that the old password stops
  # working, so this domain has no grace period. Provision does not keep this option: add it afterwards.
  sed -i 's/^\[global\]$/[global]\n\told password allowed period = 0/' "$CONF"
  [[ $(testparm -s --parameter-name="old password allowed period" "$CONF" 2>/dev/null) == 0 ]] \
    || die "could not set 'old password allowed period = 0' in $CONF"
  if grep -qE '^\s*\[(homes|printers)\]' "$CONF"; then
    die "$CONF contains shares copied from a system smb.conf; provisioning must start from $EMPTY_CONF"
  fi

  log "password policy: min length 8, complexity on, history 5, min age 0, max age 0, lockout after 3"
  samba_tool domain passwordsettings set --min-pwd-length=8 --complexity=on --history-length=5 \
    --min-pwd-age=0 --max-pwd-age=0 --account-lockout-threshold=3 \
    --account-lockout-duration=30 --reset-account-lockout-after=30 >/dev/null

  create_directory_tree
  delegate_rights
  write_secrets
  local took=$((SECONDS - started))
  printf 'provision_seconds=%s\n' "$took" >"$TIMINGS_FILE"
  log "provisioned in ${took}s"
}

create_directory_tree() {
  for ou in Staff Contractors Restricted; do
    samba_tool ou create "OU=$ou" >/dev/null
  done
  create_user svc-writeback "" --description="Writeback agent service account"
  create_user alice OU=Staff --given-name=Alice --surname=Archer
  create_user bob OU=Staff --given-name=Bob --surname=Baker
  create_user padmin OU=Staff --given-name=Paula --surname=Admin --description="Protected account (adminCount=1)"
  create_user dave OU=Staff --given-name=Dave --surname=Disabled
  create_user erin OU=Staff --given-name=Erin --surname=Expired --must-change-at-next-login
  create_user carol OU=Contractors --given-name=Carol --surname=Cooper
  create_user nochange OU=Restricted --given-name=Nora --surname=Change --description="No delegation here"
  create_user outsider "" --given-name=Oscar --surname=Outside

  samba_tool user disable dave >/dev/null
  samba_tool group addmembers "Domain Admins" padmin >/dev/null
  # Samba has no SDProp, so adminCount is not set by group membership: set it as AD would have.
  ldb_modify "dn: CN=padmin,$STAFF_OU
changetype: modify
replace: adminCount
adminCount: 1"
  set_consistency_guid "CN=alice,$STAFF_OU" "$ALICE_CONSISTENCY_GUID"
  set_consistency_guid "CN=carol,$CONTRACTORS_OU" "$CAROL_CONSISTENCY_GUID"
}

# create_user NAME OU-RDN-or-empty [samba-tool options...]; the CN is the account name.
create_user() {
  local name=$1 ou=$2
  shift 2
  local where=()
  [[ -n $ou ]] && where=(--userou="$ou")
  samba_tool user create "$name" "${PASSWORDS[$name]}" "${where[@]}" \
    --use-username-as-cn --mail-address="$name@$DNS_DOMAIN" "$@" >/dev/null
}

ldb_modify() {
  printf '%s\n' "$1" | ldbmodify -H "$DC_DIR/private/sam.ldb" >/dev/null
}

# UUID text -> base64 of the 16 raw bytes in Microsoft GUID byte order (first three fields little-endian).
guid_to_base64() {
  local hex=${1//-/}
  local le="${hex:6:2}${hex:4:2}${hex:2:2}${hex:0:2}${hex:10:2}${hex:8:2}${hex:14:2}${hex:12:2}${hex:16:16}"
  # shellcheck disable=SC2059  # the format is the escaped bytes
  printf "$(sed 's/../\\x&/g' <<<"$le")" | base64 -w0
}

set_consistency_guid() {
  ldb_modify "dn: $1
changetype: modify
replace: mS-DS-ConsistencyGuid
mS-DS-ConsistencyGuid:: $(guid_to_base64 "$2")"
}

delegate_rights() {
  local sid
  sid="$(samba_tool user show svc-writeback --attributes=objectSid | sed -n 's/^objectSid: //p')"
  [[ $sid == S-1-5-21-* ]] || die "could not read the objectSid of svc-writeback"
  local user_aces=""
  for right in "CR;$GUID_RESET_PASSWORD" "CR;$GUID_CHANGE_PASSWORD" "WP;$GUID_LOCKOUT_TIME" "WP;$GUID_PWD_LAST_SET"; do
    user_aces+="(OA;CIIO;$right;$GUID_USER_CLASS;$sid)"
  done
  for ou in "$STAFF_OU" "$CONTRACTORS_OU"; do
    log "delegating Reset/Change Password, write lockoutTime and pwdLastSet on $ou to svc-writeback"
    samba_tool dsacl set --objectdn="$ou" --sddl="$user_aces" >/dev/null
  done
  log "delegating Unexpire Password on $BASE_DN to svc-writeback"
  samba_tool dsacl set --objectdn="$BASE_DN" --sddl="(OA;;CR;$GUID_UNEXPIRE_PASSWORD;;$sid)" >/dev/null
}

write_secrets() {
  printf '%s' "$ADMIN_PASSWORD" >"$SECRETS_DIR/Administrator.password"
  for name in "${!PASSWORDS[@]}"; do
    printf '%s' "${PASSWORDS[$name]}" >"$SECRETS_DIR/$name.password"
  done
  chmod 600 "$SECRETS_DIR"/*.password
}

# ---------------------------------------------------------------------------------------------- start/stop

ldaps_answers() {
  [[ -s $CA_PEM ]] || return 1
  LDAPTLS_CACERT="$CA_PEM" LDAPTLS_REQCERT=demand timeout 5 \
    ldapsearch -x -LLL -H "ldaps://$DC_FQDN:636" -s base -b "" defaultNamingContext >/dev/null 2>&1
}

# -F keeps samba in the foreground of its own background job; --no-process-group lets SIGTERM reach it.
# stdin from /dev/null is fine with -F (unlike -i, which exits on EOF).
launch_samba() {
  nohup samba -s "$CONF" -F --no-process-group --debug-stdout -d 1 \
    --option="server services = -dns -nbt -wrepl -s3fs -dnsupdate" </dev/null >"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  wait_until_answering "$@"
}

cmd_start() {
  require_root start
  [[ -f $CONF ]] || die "no domain in $DC_DIR; run: $0 provision"
  ensure_hosts_entry
  if is_running; then
    log "already running (pid $(pid))"
    wait_until_answering
    cmd_env
    return
  fi
  local started=$SECONDS
  # The tests speak LDAP (and Kerberos, RPC) only. DNS, NetBIOS, WINS and the file server stay off: each binds
  # well-known ports a CI machine may already use (a resolver on :53, an smbd on :445), and a Samba task that
  # cannot bind ends the whole server.
  require_free_ports 88 389 464 636 3268 3269
  log "starting samba (log: $LOG_FILE)"
  if ! launch_samba may-exit; then
    # Seen once on a CI machine, without a log to say why: start it once more, keeping the first log.
    mv "$LOG_FILE" "$LOG_FILE.first"
    log "samba exited during its first start (log: $LOG_FILE.first); starting it once more"
    require_free_ports 88 389 464 636 3268 3269
    launch_samba
  fi
  # Samba generates its TLS key on first start; it refuses a key readable by others.
  local mode
  mode="$(stat -c %a "$TLS_KEY")"
  [[ $mode == 600 ]] || die "$TLS_KEY has mode $mode (expected: 600)"
  started_after "$started"
  cmd_env
}

cmd_clean_extra() {
  [[ $(id -u) -eq 0 ]] && remove_hosts_entry
  return 0
}

# ---------------------------------------------------------------------------------------------- env

cmd_env() {
  [[ -f $CONF ]] || die "no domain in $DC_DIR; run: $0 provision"
  [[ -s $CA_PEM ]] || die "$CA_PEM does not exist yet (Samba writes it on first start); run: $0 start"
  write_env_file samba_env
}

samba_env() {
  {
    echo "# Samba AD test domain; written by system-tests/samba/samba-dc.sh env. Test-only passwords."
    echo "REALM=$REALM"
    echo "DNS_DOMAIN=$DNS_DOMAIN"
    echo "NETBIOS_DOMAIN=$NETBIOS_DOMAIN"
    echo "DC_HOST=$DC_FQDN"
    echo "LDAPS_URL=ldaps://$DC_FQDN:636"
    echo "LDAPS_IP_URL=ldaps://127.0.0.1:636"
    echo "STARTTLS_URL=ldap://$DC_FQDN:389"
    echo "DEAD_URL=ldaps://127.0.0.1:1"
    echo "CA_PEM=$CA_PEM"
    echo "BASE_DN=$BASE_DN"
    echo "STAFF_OU=$STAFF_OU"
    echo "CONTRACTORS_OU=$CONTRACTORS_OU"
    echo "RESTRICTED_OU=$RESTRICTED_OU"
    echo "USERS_CN=$USERS_CN"
    echo "ADMIN_DN=CN=Administrator,$USERS_CN"
    echo "ADMIN_PASSWORD_FILE=$SECRETS_DIR/Administrator.password"
    echo "SERVICE_DN=CN=svc-writeback,$USERS_CN"
    echo "SERVICE_PASSWORD_FILE=$SECRETS_DIR/svc-writeback.password"
    echo "SAMBA_CONF=$CONF"
    echo "MIN_PASSWORD_LENGTH=8"
    echo "HISTORY_LENGTH=5"
    echo "LOCKOUT_THRESHOLD=3"
    for name in alice bob padmin dave erin carol nochange outsider; do
      local key=${name^^}
      echo "${key}_DN=$(user_dn "$name")"
      echo "${key}_SAM=$name"
      echo "${key}_UPN=$name@$DNS_DOMAIN"
      echo "${key}_PASSWORD=${PASSWORDS[$name]}"
    done
    echo "ALICE_CONSISTENCY_GUID=$ALICE_CONSISTENCY_GUID"
    echo "CAROL_CONSISTENCY_GUID=$CAROL_CONSISTENCY_GUID"
  }
}

user_dn() {
  case $1 in
    alice | bob | padmin | dave | erin) echo "CN=$1,$STAFF_OU" ;;
    carol) echo "CN=$1,$CONTRACTORS_OU" ;;
    nochange) echo "CN=$1,$RESTRICTED_OU" ;;
    *) echo "CN=$1,$USERS_CN" ;;
  esac
}

# ---------------------------------------------------------------------------------------------- main

usage() { usage_from_header 14; }

daemon_main "$@"
