#!/usr/bin/env bash
# Installs the built writeback-relay and writeback-agent .deb files as an operator would (root, dpkg), checks
# users, files, permissions and the systemd units (systemd-analyze verify; security exposure below 3), starts the
# relay as its service user with the installed config on the runtime the package bundles and scrapes it, then
# purges both packages.
# Where systemd runs as PID 1 it also starts the relay through systemctl. Needs root and the packages built by
# `./mvnw package` (relay-server/target/*.deb, onprem-agent/target/*.deb).
set -euo pipefail
cd "$(dirname "$0")/../.."
fail() { echo "deb-test: FAIL $*" >&2; exit 1; }
ok() { echo "deb-test: ok   $*"; }
[ "$(id -u)" = 0 ] || fail "needs root"
relay_deb=$(ls relay-server/target/writeback-relay_*_amd64.deb | head -1)
agent_deb=$(ls onprem-agent/target/writeback-agent_*_amd64.deb | head -1)
relay_pid=""
cleanup() {
  [ -n "$relay_pid" ] && kill "$relay_pid" 2>/dev/null || true
  dpkg --purge writeback-relay writeback-agent >/dev/null 2>&1 || true
  rm -rf "${work:-/nonexistent}" /var/lib/writeback-relay /var/lib/writeback-agent
  userdel writeback-relay 2>/dev/null || true
  userdel writeback-agent 2>/dev/null || true
}
work=""
cleanup   # a run cut short before must not leave state behind
work=$(mktemp -d)
trap cleanup EXIT

dpkg -i "$relay_deb" "$agent_deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
ok "dpkg -i $(basename "$relay_deb") $(basename "$agent_deb")"

for side in relay agent; do
  user=writeback-$side
  getent passwd $user >/dev/null || fail "user $user missing"
  [ "$(getent passwd $user | cut -d: -f7)" = /usr/sbin/nologin ] || fail "$user has a login shell"
  [ "$(stat -c '%U %a' /var/lib/writeback-$side)" = "$user 700" ] || fail "/var/lib/writeback-$side: $(stat -c '%U %a' /var/lib/writeback-$side)"
  [ "$(stat -c '%U:%G %a' /etc/writeback/$side.yaml)" = "root:$user 640" ] || fail "/etc/writeback/$side.yaml: $(stat -c '%U:%G %a' /etc/writeback/$side.yaml)"
  [ -x /opt/writeback-$side/bin/$side ] || fail "/opt/writeback-$side/bin/$side not executable"
  ls /opt/writeback-$side/lib/*.jar >/dev/null || fail "no jars in /opt/writeback-$side/lib"
  /opt/writeback-$side/runtime/bin/java -version 2>&1 | grep -q 'version "17' || fail "bundled runtime in /opt/writeback-$side/runtime"
  [ -f /usr/share/doc/writeback-$side/operations.md ] || fail "operations.md missing"
  unit=/lib/systemd/system/writeback-$side.service
  [ -f $unit ] || fail "$unit missing"
  systemd-analyze verify $unit >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify $unit"; }
  exposure=$(systemd-analyze security --offline=yes $unit 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
  [ -n "$exposure" ] && awk -v e="$exposure" 'BEGIN { exit !(e < 3) }' || fail "$unit exposure $exposure (expected: < 3)"
  ok "$side: user $user, /var/lib/writeback-$side 0700, /etc/writeback/$side.yaml 0640, unit verified, exposure $exposure"
done
dpkg-query -W -f='${Conffiles}\n' writeback-relay | grep -q /etc/writeback/relay.yaml || fail "relay.yaml is not a conffile"

# The relay as its service user with the installed config (ephemeral port: the test machine may be busy).
runuser -u writeback-relay -- /opt/writeback-relay/bin/relay serve --config /etc/writeback/relay.yaml --bind 127.0.0.1 \
  --port 0 >"$work/relay.log" 2>&1 &
relay_pid=$!
for _ in $(seq 1 300); do grep -q "RLY-002" "$work/relay.log" && break; kill -0 $relay_pid 2>/dev/null || break; sleep 0.1; done
grep -q "RLY-002 certificate key pin SHA256:" "$work/relay.log" || { cat "$work/relay.log"; fail "relay did not start"; }
[ "$(stat -c %U /var/lib/writeback-relay/relay.db)" = writeback-relay ] || fail "relay.db not owned by writeback-relay"
[ "$(stat -c %a /var/lib/writeback-relay/tls/relay.key)" = 600 ] || fail "relay.key not owner-only"
port=$(sed -n 's/.*RLY-001 relay listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/relay.log" | head -1)
curl -fsk "https://127.0.0.1:$port/readyz" | grep -q UP || fail "readyz on $port"
java_pid=$(pgrep -u writeback-relay -f dev.writeback.relay.RelayCommand | head -1)
[ "$(readlink -f /proc/$java_pid/exe)" = /opt/writeback-relay/runtime/bin/java ] \
  || fail "relay runs on $(readlink -f /proc/$java_pid/exe) (expected: the bundled /opt/writeback-relay/runtime)"
curl -fsk "https://127.0.0.1:$port/metrics" | grep -q writeback_tls_certificate_expiry_seconds || fail "metrics on $port"
ok "relay runs as writeback-relay from /etc/writeback/relay.yaml on the bundled runtime; /readyz UP; /metrics scraped"
runuser -u writeback-relay -- /opt/writeback-relay/bin/relay backup --config /etc/writeback/relay.yaml \
  --to /var/lib/writeback-relay/backup.db >/dev/null 2>&1 || fail "relay backup"
ok "relay backup while it runs"
kill $relay_pid; wait $relay_pid 2>/dev/null || true; relay_pid=""
/opt/writeback-agent/bin/agent --version | grep -q "Writeback agent" || fail "agent --version"
# The agent's native RSA provider and TLS on the bundled runtime: doctor on an embedded directory needs both.
env -u JAVA_HOME /opt/writeback-agent/runtime/bin/java -cp "/opt/writeback-agent/lib/*" \
  dev.writeback.agent.AgentCommand --version >/dev/null || fail "agent on the bundled runtime"
ok "agent starts on the bundled runtime"

if [ -d /run/systemd/system ]; then
  systemctl restart writeback-relay
  for _ in $(seq 1 100); do systemctl is-active --quiet writeback-relay && break; sleep 0.2; done
  systemctl is-active --quiet writeback-relay || { journalctl -u writeback-relay --no-pager | tail -20; fail "systemctl start"; }
  systemctl stop writeback-relay
  ok "systemctl start/stop writeback-relay"
else
  ok "no systemd as PID 1 here: units checked with systemd-analyze only"
fi

dpkg --purge writeback-relay writeback-agent >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg --purge"; }
[ ! -e /opt/writeback-relay/bin/relay ] || fail "/opt/writeback-relay left behind"
[ -d /var/lib/writeback-relay ] || fail "purge removed the relay's data (expected: kept)"
ok "dpkg --purge: programs gone, data kept"
echo "deb-test: all package checks passed"
