#!/usr/bin/env bash
# Writeback demo: builds the relay and the agent, starts both on this machine with the embedded directory,
# performs one password reset through the REST API, prints what to try next, and runs until Ctrl-C.
# Everything stays on loopback; state lives in ./demo-data (recreated on every run).
set -euo pipefail
cd "$(dirname "$0")"

RELAY_PORT="${RELAY_PORT:-8443}"
LDAP_PORT="${LDAP_PORT:-10389}"
LDAPS_PORT="${LDAPS_PORT:-10636}"
DATA="$PWD/demo-data"
RELAY="$PWD/relay-server/target/relay/bin/relay"
AGENT="$PWD/onprem-agent/target/agent/bin/agent"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
fail() { printf '\nDemo failed: %s\n' "$*" >&2; exit 1; }

for tool in java curl; do command -v "$tool" >/dev/null || fail "$tool is not installed"; done

if [ ! -x "$RELAY" ] || [ ! -x "$AGENT" ] || [ -n "${REBUILD:-}" ]; then
  say "Building relay and agent (./mvnw package, tests skipped; run the tests with ./mvnw verify)"
  ./mvnw -B -q -ntp -DskipTests package
fi

rm -rf "$DATA"
mkdir -p "$DATA"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'echo; echo "Stopping relay and agent..."; exit 0' INT TERM

say "Starting the relay on https://127.0.0.1:$RELAY_PORT (log: demo-data/relay.log)"
"$RELAY" serve --data-dir "$DATA/relay" --port "$RELAY_PORT" >"$DATA/relay.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  grep -q "RLY-002" "$DATA/relay.log" 2>/dev/null && break
  kill -0 "${pids[0]}" 2>/dev/null || { cat "$DATA/relay.log"; fail "the relay did not start"; }
  sleep 0.2
done
FINGERPRINT=$(grep -o 'SHA256:[0-9A-F:]*' "$DATA/relay.log" | head -1)
[ -n "$FINGERPRINT" ] || fail "no key pin in the relay log"
echo "relay key pin: $FINGERPRINT"

say "Creating tenant 'demo' and a one-time agent registration token"
TENANT_OUT=$("$RELAY" tenant create demo --data-dir "$DATA/relay")
TENANT_ID=$(echo "$TENANT_OUT" | awk '/^tenant-id:/ {print $2}')
API_TOKEN=$(echo "$TENANT_OUT" | awk '/^api-token:/ {print $2}')
REG_TOKEN=$("$RELAY" token create --tenant "$TENANT_ID" --data-dir "$DATA/relay" 2>/dev/null)
echo "tenant-id: $TENANT_ID"

say "Registering the agent (keys are generated here; only public keys go to the relay)"
"$AGENT" register --relay "https://127.0.0.1:$RELAY_PORT" --token "$REG_TOKEN" --name demo-agent \
  --state-dir "$DATA/agent/state" --trust-fingerprint "$FINGERPRINT"

cat >"$DATA/agent/agent.yaml" <<YAML
stateDir: state
heartbeatInterval: 1m
directories:
  - name: corp
    type: embedded
    embedded:
      dataDir: embedded-directory
      baseDn: DC=corp,DC=example
      host: 127.0.0.1
      ldapPort: $LDAP_PORT
      ldapsPort: $LDAPS_PORT
YAML

say "Starting the agent with the embedded directory on ldap://127.0.0.1:$LDAP_PORT and ldaps://127.0.0.1:$LDAPS_PORT (log: demo-data/agent.log)"
"$AGENT" run --config "$DATA/agent/agent.yaml" >"$DATA/agent.log" 2>&1 &
pids+=($!)

API="https://127.0.0.1:$RELAY_PORT/api/v1"
CURL=(curl -sS --cacert "$DATA/relay/tls/relay.crt" -H "Authorization: Bearer $API_TOKEN")
state=""
for _ in $(seq 1 150); do
  state=$("${CURL[@]}" "$API/writeback/status" 2>/dev/null | grep -o '"state":"[A-Z_]*"' | head -1 || true)
  [ "$state" = '"state":"UP"' ] && break
  kill -0 "${pids[1]}" 2>/dev/null || { cat "$DATA/agent.log"; fail "the agent stopped"; }
  sleep 0.2
done
[ "$state" = '"state":"UP"' ] || { tail -20 "$DATA/agent.log"; fail "the agent did not connect (status $state)"; }
echo "writeback status: UP"

NEW_PASSWORD="Demo-$(date +%s)-Aa"
say "Resetting the password of upn:ada@corp.example through the REST API"
echo "POST $API/writeback/password-reset"
RESULT=$("${CURL[@]}" -H 'Content-Type: application/json' \
  -d "{\"anchor\":\"upn:ada@corp.example\",\"newPassword\":\"$NEW_PASSWORD\"}" "$API/writeback/password-reset")
echo "$RESULT"
echo "$RESULT" | grep -q '"result":"SUCCESS"' || fail "the reset did not succeed"
echo
echo "Password reset: SUCCESS. ada's new password is: $NEW_PASSWORD"

say "Turning on the self-service portal for 'demo' (mail goes to the demo outbox, nothing is sent)"
"$RELAY" portal set --tenant "$TENANT_ID" --data-dir "$DATA/relay" --enabled true --contact "the demo help desk" \
  --mail outbox --outbox "$DATA/outbox" --mail-from sspr@corp.example >/dev/null
echo "portal: https://127.0.0.1:$RELAY_PORT/sspr/demo/   (self-signed certificate: accept it in the browser)"
echo "outbox: $DATA/outbox   (each code mail is an .eml file there; demo only)"
echo "try it: open the portal, type ada@corp.example, then read the code from the newest .eml file in the outbox"

cat <<TXT

Try more (the relay and the agent keep running until Ctrl-C):

  export API_TOKEN=$API_TOKEN
  # status of the tenant's agents
  curl -s --cacert demo-data/relay/tls/relay.crt -H "Authorization: Bearer \$API_TOKEN" $API/writeback/status
  # a policy violation (too short)
  curl -s --cacert demo-data/relay/tls/relay.crt -H "Authorization: Bearer \$API_TOKEN" -H 'Content-Type: application/json' \\
       -d '{"anchor":"upn:grace@corp.example","newPassword":"short"}' $API/writeback/password-reset
  # a change with the current password
  curl -s --cacert demo-data/relay/tls/relay.crt -H "Authorization: Bearer \$API_TOKEN" -H 'Content-Type: application/json' \\
       -d '{"anchor":"sam:ada","currentPassword":"$NEW_PASSWORD","newPassword":"Another-Pass-42"}' $API/writeback/password-change
  # the audit trail (never a password)
  curl -s --cacert demo-data/relay/tls/relay.crt -H "Authorization: Bearer \$API_TOKEN" $API/audit

  # check the new password against the embedded directory (package ldap-utils)
  LDAPTLS_REQCERT=never ldapwhoami -x -H ldaps://127.0.0.1:$LDAPS_PORT -D ada@corp.example -w '$NEW_PASSWORD'

  # logs: demo-data/relay.log and demo-data/agent.log (heartbeats: grep RLY-310 / AGT-300)

Press Ctrl-C to stop.
TXT
wait
