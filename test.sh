#!/usr/bin/env bash
# The whole test suite: unit tests, in-JVM and process-level end-to-end tests, and the Samba AD suite
# against a real Samba AD domain controller on loopback (installed with apt and provisioned by
# system-tests/samba/samba-dc.sh when this runs as root on Debian/Ubuntu; tinyproxy likewise).
# The OpenLDAP suite runs against a throwaway slapd with ppolicy (system-tests/openldap/slapd.sh, same rules).
# The relay's store tests run a second time against a throwaway PostgreSQL (system-tests/postgres/postgres.sh),
# and the two-node tests need it and a throwaway NATS server with TLS (system-tests/nats/nats.sh).
#   WRITEBACK_SKIP_SAMBA=1 ./test.sh    skip the Samba suite (its tests then report as skipped)
#   WRITEBACK_SKIP_OPENLDAP=1 ./test.sh skip the OpenLDAP suite (likewise, also under CI=true)
#   WRITEBACK_SKIP_POSTGRES=1 ./test.sh skip the PostgreSQL store tests (likewise)
#   WRITEBACK_SKIP_CLUSTER=1 ./test.sh  skip the two-node tests over NATS (likewise)
# Extra arguments go to Maven, e.g. ./test.sh -pl protocol
set -euo pipefail
cd "$(dirname "$0")"

# Each test server is started once per run (or reused when one already answers) and stopped at exit if this
# run started it. Its tests read the env file the script writes, and skip (fail under CI=true) without it.
stop_list=()
stop_servers() { for script in "${stop_list[@]}"; do "$script" stop || true; done; }
trap stop_servers EXIT

# server SUITE SCRIPT SKIP_VARIABLE HELP
server() {
  local suite=$1 script=$2 skip=$3 help=$4
  if [ -n "${!skip:-}" ]; then
    return
  fi
  if "$script" status >/dev/null 2>&1; then
    echo "$suite suite: using the server that is already running"
    "$script" env
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "$suite suite: installing, provisioning and starting a throwaway server on loopback ($script)"
    "$script" up
    stop_list+=("$script")
  elif [ -n "${CI:-}" ]; then
    echo "CI needs the $suite suite, but this is not root on a Debian-like system" >&2
    exit 1
  else
    echo "$suite suite: skipped (needs root and apt-get; see $help)"
  fi
}

server "Samba AD" system-tests/samba/samba-dc.sh WRITEBACK_SKIP_SAMBA system-tests/samba/README.md
server OpenLDAP system-tests/openldap/slapd.sh WRITEBACK_SKIP_OPENLDAP docs/ldap.md
server PostgreSQL system-tests/postgres/postgres.sh WRITEBACK_SKIP_POSTGRES docs/cluster.md
server NATS system-tests/nats/nats.sh WRITEBACK_SKIP_CLUSTER docs/cluster.md

# CorporateProxyIT runs the agent through a real HTTP CONNECT proxy (tinyproxy); it skips when none is installed.
if ! system-tests/proxy/install-proxy.sh && [ -n "${CI:-}" ]; then
  echo "CI needs tinyproxy for the proxy tests" >&2
  exit 1
fi

# PortalBrowserIT drives Debian's chromium through chromium-driver; it skips without them (fails under CI=true).
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 chromium chromium-driver
  fi
fi
export SE_OFFLINE=true   # Selenium Manager must never download a browser or a driver

./mvnw -B -ntp verify "$@"

# The Debian packages built above: installed with dpkg, checked (users, files, units) and purged; needs root.
if [ "$(id -u)" = 0 ] && command -v dpkg >/dev/null 2>&1 && ls relay-server/target/*.deb onprem-agent/target/*.deb >/dev/null 2>&1; then
  system-tests/packages/deb-test.sh
  system-tests/packages/container-test.sh
elif [ -n "${CI:-}" ]; then
  echo "CI needs root, dpkg and the built .deb files for system-tests/packages/deb-test.sh" >&2
  exit 1
else
  echo "Debian package test: skipped (needs root, dpkg and ./mvnw package)"
fi
