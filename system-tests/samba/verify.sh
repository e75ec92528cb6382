#!/usr/bin/env bash
# Checks the Samba test domain from the outside with standard tools (ldapsearch, ldapmodify, samba-tool):
# TLS, password policy, every test account, and the service account's delegated rights.
# Prints one OK/FAIL line per check; exits 0 only when every check passed.
#
#   system-tests/samba/verify.sh            (needs a running DC: samba-dc.sh up)
#
# The delegation checks use two throwaway canary accounts that are created and deleted here, so the
# test accounts are never modified.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ENV_FILE="${SAMBA_ENV:-$SCRIPT_DIR/../target/samba/env}"
[[ -f $ENV_FILE ]] || { echo "FAIL no env file at $ENV_FILE (run: samba-dc.sh up)"; exit 1; }

declare -A E
while IFS='=' read -r key value; do
  [[ -z $key || $key == \#* ]] && continue
  E[$key]=$value
done <"$ENV_FILE"

export LDAPTLS_CACERT="${E[CA_PEM]}" LDAPTLS_REQCERT=demand
LDAPS="${E[LDAPS_URL]}"
SVC_DN="${E[SERVICE_DN]}"
SVC_PW="$(cat "${E[SERVICE_PASSWORD_FILE]}")"
ADMIN_PW="$(cat "${E[ADMIN_PASSWORD_FILE]}")"
CANARY_PW='Canary-Pass-81'
NEW_PW='Canary-Reset-92'

failures=0
ok() { printf 'OK   %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; failures=$((failures + 1)); }
check() { # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@" >/dev/null 2>&1; then ok "$what"; else fail "$what"; fi
}

# search BIND_DN PASSWORD BASE SCOPE ATTR... -> LDIF (wrapped lines joined)
search() {
  local dn=$1 pw=$2 base=$3 scope=$4
  shift 4
  ldapsearch -x -LLL -o ldif-wrap=no -H "$LDAPS" -D "$dn" -w "$pw" -b "$base" -s "$scope" "$@"
}
attr() { # attr DN ATTRIBUTE -> first value, read as Administrator
  search "${E[ADMIN_DN]}" "$ADMIN_PW" "$1" base "$2" | sed -n -E "s/^$2::? //p" | head -1
}
bind_error() { # bind_error DN PASSWORD -> empty on success, else the diagnostic
  ldapsearch -x -LLL -H "$LDAPS" -D "$1" -w "$2" -b "" -s base 1.1 2>&1 >/dev/null || true
}
unicode_pwd() { printf '"%s"' "$1" | iconv -f UTF-8 -t UTF-16LE | base64 -w0; }
modify() { # modify BIND_DN PASSWORD LDIF
  printf '%s\n' "$3" | ldapmodify -x -H "$LDAPS" -D "$1" -w "$2"
}

# ------------------------------------------------------------------------------------- transport
check "LDAPS $LDAPS answers and its certificate matches ${E[DC_HOST]} (CA ${E[CA_PEM]})" \
  ldapsearch -x -LLL -H "$LDAPS" -b "" -s base defaultNamingContext
check "StartTLS ${E[STARTTLS_URL]} answers" \
  ldapsearch -x -LLL -ZZ -H "${E[STARTTLS_URL]}" -D "$SVC_DN" -w "$SVC_PW" -b "" -s base 1.1
if ldapsearch -x -LLL -H "${E[STARTTLS_URL]}" -D "$SVC_DN" -w "$SVC_PW" -b "" -s base 1.1 >/dev/null 2>&1; then
  fail "a simple bind without TLS is refused (ldap server require strong auth)"
else
  ok "a simple bind without TLS is refused (ldap server require strong auth)"
fi
key_mode="$(stat -c %a "$(dirname "${E[CA_PEM]}")/key.pem")"
[[ $key_mode == 600 ]] && ok "TLS key mode is 0600" || fail "TLS key mode is $key_mode (expected: 600)"

# ------------------------------------------------------------------------------------- the DC is the PDC
role_owner="$(attr "${E[BASE_DN]}" fSMORoleOwner)"
pdc_host="$(attr "${role_owner#CN=NTDS Settings,}" dNSHostName)"
[[ ${pdc_host,,} == "${E[DC_HOST]}" ]] && ok "fSMORoleOwner names the PDC emulator $pdc_host" \
  || fail "fSMORoleOwner -> '$pdc_host' (expected: ${E[DC_HOST]})"

# ------------------------------------------------------------------------------------- password policy
policy="$(samba-tool domain passwordsettings show -s "${E[SAMBA_CONF]}")"
for line in "Password complexity: on" "Password history length: 5" "Minimum password length: 8" \
  "Minimum password age (days): 0" "Account lockout threshold (attempts): 3"; do
  grep -qF "$line" <<<"$policy" && ok "policy: $line" || fail "policy: $line"
done

# ------------------------------------------------------------------------------------- accounts
for name in ALICE BOB CAROL PADMIN OUTSIDER NOCHANGE; do
  err="$(bind_error "${E[${name}_DN]}" "${E[${name}_PASSWORD]}")"
  [[ -z $err ]] && ok "${E[${name}_SAM]} binds with its password (${E[${name}_DN]})" \
    || fail "${E[${name}_SAM]} bind: $err"
done
err="$(bind_error "$SVC_DN" "$SVC_PW")"
[[ -z $err ]] && ok "svc-writeback binds ($SVC_DN)" || fail "svc-writeback bind: $err"
err="$(bind_error "${E[ALICE_UPN]}" "${E[ALICE_PASSWORD]}")"
[[ -z $err ]] && ok "alice binds by UPN ${E[ALICE_UPN]}" || fail "alice bind by UPN: $err"

[[ $(bind_error "${E[DAVE_DN]}" "${E[DAVE_PASSWORD]}") == *"data 533"* ]] \
  && ok "dave is disabled (bind: data 533)" || fail "dave is not refused with data 533"
[[ $(( $(attr "${E[DAVE_DN]}" userAccountControl) & 2 )) -eq 2 ]] \
  && ok "dave has ACCOUNTDISABLE in userAccountControl" || fail "dave userAccountControl lacks 0x2"
[[ $(bind_error "${E[ERIN_DN]}" "${E[ERIN_PASSWORD]}") == *"data 773"* ]] \
  && ok "erin must change her password (bind: data 773)" || fail "erin is not refused with data 773"
[[ $(attr "${E[ERIN_DN]}" pwdLastSet) == 0 ]] && ok "erin pwdLastSet=0" || fail "erin pwdLastSet is not 0"
[[ $(attr "${E[PADMIN_DN]}" adminCount) == 1 ]] && ok "padmin adminCount=1" || fail "padmin adminCount is not 1"
[[ ${E[OUTSIDER_DN]} == *",${E[USERS_CN]}" ]] && ok "outsider lives in ${E[USERS_CN]}" || fail "outsider DN"

for name in ALICE CAROL; do
  dn="${E[${name}_DN]}"
  consistency="$(attr "$dn" mS-DS-ConsistencyGuid)"
  object_guid="$(attr "$dn" objectGUID)"
  if [[ -n $consistency && $consistency != "$object_guid" ]]; then
    ok "${name,,} mS-DS-ConsistencyGuid ($consistency) differs from objectGUID ($object_guid)"
  else
    fail "${name,,} mS-DS-ConsistencyGuid '$consistency' vs objectGUID '$object_guid'"
  fi
done

# ------------------------------------------------------------------------------------- delegation
svc_sid="$(samba-tool user show svc-writeback --attributes=objectSid -s "${E[SAMBA_CONF]}" | sed -n 's/^objectSid: //p')"
user_class=bf967aba-0de6-11d0-a285-00aa003049e2
for ou in "${E[STAFF_OU]}" "${E[CONTRACTORS_OU]}"; do
  sddl="$(samba-tool dsacl get --objectdn="$ou" -s "${E[SAMBA_CONF]}")"
  for ace in "CR;00299570-246d-11d0-a768-00aa006e0529" "CR;ab721a53-1e2f-11d0-9819-00aa0040529b" \
    "WP;28630ebf-41d5-11d1-a9c1-0000f80367c1" "WP;bf967a0a-0de6-11d0-a285-00aa003049e2"; do
    grep -qF "(OA;CIIO;$ace;$user_class;$svc_sid)" <<<"$sddl" && ok "ACE on $ou: $ace" || fail "ACE on $ou: $ace missing"
  done
done
sddl="$(samba-tool dsacl get --objectdn="${E[BASE_DN]}" -s "${E[SAMBA_CONF]}")"
grep -qF "(OA;;CR;ccc2dc7d-a6ad-4a7a-8846-c04e3cc53501;;$svc_sid)" <<<"$sddl" \
  && ok "ACE on ${E[BASE_DN]}: Unexpire Password" || fail "ACE on ${E[BASE_DN]}: Unexpire Password missing"
if samba-tool dsacl get --objectdn="${E[RESTRICTED_OU]}" -s "${E[SAMBA_CONF]}" | grep -qF "$svc_sid"; then
  fail "${E[RESTRICTED_OU]} has no ACE for svc-writeback"
else
  ok "${E[RESTRICTED_OU]} has no ACE for svc-writeback"
fi

effective="$(search "$SVC_DN" "$SVC_PW" "${E[ALICE_DN]}" base allowedAttributesEffective)"
grep -qi '^allowedAttributesEffective: lockoutTime' <<<"$effective" && grep -qi '^allowedAttributesEffective: pwdLastSet' <<<"$effective" \
  && ok "svc-writeback may write lockoutTime and pwdLastSet on alice" || fail "allowedAttributesEffective on alice: $effective"

# Functional checks on canaries: one in OU=Staff (delegated), one in OU=Restricted (not delegated).
canaries=("CN=wb-canary,${E[STAFF_OU]}" "CN=wb-canary-r,${E[RESTRICTED_OU]}")
cleanup() {
  samba-tool user delete wb-canary -s "${E[SAMBA_CONF]}" >/dev/null 2>&1 || true
  samba-tool user delete wb-canary-r -s "${E[SAMBA_CONF]}" >/dev/null 2>&1 || true
}
trap cleanup EXIT
cleanup
samba-tool user create wb-canary "$CANARY_PW" --userou=OU=Staff --use-username-as-cn -s "${E[SAMBA_CONF]}" >/dev/null
samba-tool user create wb-canary-r "$CANARY_PW" --userou=OU=Restricted --use-username-as-cn -s "${E[SAMBA_CONF]}" >/dev/null

reset_ldif() { printf 'dn: %s\nchangetype: modify\nreplace: unicodePwd\nunicodePwd:: %s\n' "$1" "$(unicode_pwd "$NEW_PW")"; }
change_ldif() {
  printf 'dn: %s\nchangetype: modify\ndelete: unicodePwd\nunicodePwd:: %s\n-\nadd: unicodePwd\nunicodePwd:: %s\n' \
    "$1" "$(unicode_pwd "$2")" "$(unicode_pwd "$3")"
}
attr_ldif() { printf 'dn: %s\nchangetype: modify\nreplace: %s\n%s: %s\n' "$1" "$2" "$2" "$3"; }

staff="${canaries[0]}"
restricted="${canaries[1]}"
check "svc-writeback can reset a password in OU=Staff" modify "$SVC_DN" "$SVC_PW" "$(reset_ldif "$staff")"
[[ -z $(bind_error "$staff" "$NEW_PW") ]] && ok "the canary binds with the reset password" || fail "the canary does not bind after the reset"
[[ $(bind_error "$staff" "$CANARY_PW") == *"data 52e"* ]] && ok "the canary's previous password no longer binds (no grace period)" \
  || fail "the canary's previous password still binds (old password allowed period)"
check "svc-writeback can change a password (delete old + add new) in OU=Staff" \
  modify "$SVC_DN" "$SVC_PW" "$(change_ldif "$staff" "$NEW_PW" 'Canary-Change-73')"
check "svc-writeback can write lockoutTime=0 in OU=Staff" modify "$SVC_DN" "$SVC_PW" "$(attr_ldif "$staff" lockoutTime 0)"
check "svc-writeback can write pwdLastSet=0 in OU=Staff" modify "$SVC_DN" "$SVC_PW" "$(attr_ldif "$staff" pwdLastSet 0)"
if modify "$SVC_DN" "$SVC_PW" "$(reset_ldif "$restricted")" >/dev/null 2>&1; then
  fail "svc-writeback cannot reset a password in OU=Restricted"
else
  ok "svc-writeback cannot reset a password in OU=Restricted (insufficient access)"
fi
if modify "$SVC_DN" "$SVC_PW" "$(attr_ldif "$restricted" lockoutTime 0)" >/dev/null 2>&1; then
  fail "svc-writeback cannot write lockoutTime in OU=Restricted"
else
  ok "svc-writeback cannot write lockoutTime in OU=Restricted"
fi

echo
if ((failures == 0)); then
  echo "verify: all checks passed"
else
  echo "verify: $failures check(s) failed"
  exit 1
fi
