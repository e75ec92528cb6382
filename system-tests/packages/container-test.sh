#!/usr/bin/env bash
# Checks the relay's Dockerfile (relay-server/Dockerfile) against the tarball it is built from.
# With a container engine (docker or podman) it builds the image, runs it and waits for its health check.
# Without one it checks what the image relies on, the same way: the files it ADDs and COPYs exist, the tarball
# unpacks to the ENTRYPOINT it names, and that entrypoint serves /readyz (the HEALTHCHECK's URL) from the config
# it COPYs, as an unprivileged uid with the Java on the PATH and no JAVA_HOME, as in the image.
# Needs root (to drop to the image's uid) and the tarball built by `./mvnw package -pl relay-server -am`.
set -euo pipefail
cd "$(dirname "$0")/../../relay-server"
fail() { echo "container-test: FAIL $*" >&2; exit 1; }
ok() { echo "container-test: ok   $*"; }
[ -f target/relay.tar.gz ] || fail "target/relay.tar.gz missing (build it with ./mvnw package -pl relay-server -am)"

# What the Dockerfile names, read from it so that this test follows it.
uid=$(sed -n 's/.*useradd .*--uid \([0-9]*\).*/\1/p' Dockerfile)
add_src=$(awk '$1 == "ADD" { print $2 }' Dockerfile)
add_dst=$(awk '$1 == "ADD" { print $3 }' Dockerfile)
copy_src=$(awk '$1 == "COPY" { print $2 }' Dockerfile)
copy_dst=$(awk '$1 == "COPY" { print $3 }' Dockerfile)
entrypoint=$(sed -n 's/^ENTRYPOINT \["\([^"]*\)"\]/\1/p' Dockerfile)
health_url=$(sed -n 's/.*CMD curl -fsk \(https:[^ ]*\).*/\1/p' Dockerfile)
[ -n "$uid" ] && [ -n "$add_src" ] && [ -n "$copy_src" ] && [ -n "$entrypoint" ] && [ -n "$health_url" ] \
  || fail "Dockerfile: expected useradd --uid, ADD, COPY, ENTRYPOINT [...] and a curl HEALTHCHECK"
[ "$add_src" = target/relay.tar.gz ] || fail "Dockerfile ADDs $add_src, expected target/relay.tar.gz"
[ -f "$copy_src" ] || fail "Dockerfile COPYs $copy_src, which does not exist"
[ "$uid" != 0 ] || fail "the image runs as root"
grep -q '^USER ' Dockerfile || fail "Dockerfile has no USER"

engine=""
for candidate in docker podman; do
  if command -v $candidate >/dev/null 2>&1 && $candidate info >/dev/null 2>&1; then engine=$candidate; break; fi
done
if [ -n "$engine" ]; then
  tag=writeback-relay-test:$$
  $engine build -q -t "$tag" . >/dev/null || fail "$engine build"
  name=writeback-relay-test-$$
  $engine run -d --name "$name" "$tag" >/dev/null || fail "$engine run"
  trap '$engine rm -f "$name" >/dev/null 2>&1; $engine rmi -f "$tag" >/dev/null 2>&1' EXIT
  for _ in $(seq 1 60); do
    [ "$($engine inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] && break; sleep 2
  done
  [ "$($engine inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] || { $engine logs "$name" | tail -20; fail "not healthy"; }
  [ "$($engine exec "$name" id -u)" = "$uid" ] || fail "the container does not run as uid $uid"
  ok "$engine: image built, runs as uid $uid, health check healthy"
  exit 0
fi

[ "$(id -u)" = 0 ] || fail "needs root (no container engine here, and the layout check drops to uid $uid)"
work=$(mktemp -d)
relay_pid=""
trap '[ -n "$relay_pid" ] && kill $relay_pid 2>/dev/null; rm -rf "$work"' EXIT
root="$work/root"
mkdir -p "$root$add_dst" "$(dirname "$root$copy_dst")" "$work/data"
tar xzf "$add_src" -C "$root$add_dst"       # ADD unpacks a local tar.gz into the destination
cp "$copy_src" "$root$copy_dst"
exe="$root$entrypoint"
[ -x "$exe" ] || fail "ENTRYPOINT $entrypoint: not an executable in the unpacked tarball"
command -v java >/dev/null || fail "no java on the PATH (the image installs openjdk-17-jre-headless)"
chown -R "$uid:$uid" "$work/data" && chmod 0700 "$work/data"
chmod 0755 "$work" "$root"
# The image's CMD, with the data directory, address and port moved out of the way of this machine.
cmd=$(sed -n 's/^CMD \[\(.*\)\]/\1/p' Dockerfile | tr -d '",')
cmd=${cmd//$copy_dst/$root$copy_dst}
env -u JAVA_HOME setpriv --reuid="$uid" --regid="$uid" --clear-groups -- \
  "$exe" $cmd --data-dir "$work/data" --bind 127.0.0.1 --port 0 >"$work/relay.log" 2>&1 &
relay_pid=$!
for _ in $(seq 1 300); do grep -q "RLY-001" "$work/relay.log" && break; kill -0 $relay_pid 2>/dev/null || break; sleep 0.1; done
port=$(sed -n 's/.*RLY-001 relay listening on https:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/relay.log" | head -1)
[ -n "$port" ] || { cat "$work/relay.log"; fail "the entrypoint did not start the relay"; }
url=$(echo "$health_url" | sed "s#127.0.0.1:[0-9]*#127.0.0.1:$port#")
curl -fsk "$url" | grep -q UP || fail "health check $url"
[ "$(stat -c %u "$work/data/relay.db")" = "$uid" ] || fail "relay.db not owned by uid $uid"
ok "no container engine here: $entrypoint from the tarball serves the health check from $copy_dst as uid $uid"
