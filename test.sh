#!/usr/bin/env bash
# The whole test suite: unit tests, in-JVM and process-level end-to-end tests, and the Samba AD suite
# against a real Samba AD domain controller on loopback (installed with apt and provisioned by
# system-tests/samba/samba-dc.sh when this runs as root on Debian/Ubuntu; tinyproxy likewise).
# The OpenLDAP suite runs against a throwaway slapd with ppolicy (system-tests/openldap/slapd.sh, same rules).
#   WRITEBACK_SKIP_SAMBA=1 ./test.sh    skip the Samba suite (its tests then report as skipped)
#   WRITEBACK_SKIP_OPENLDAP=1 ./test.sh skip the OpenLDAP suite (likewise, also under CI=true)
# Extra arguments go to Maven, e.g. ./test.sh -pl protocol
set -euo pipefail
cd "$(dirname "$0")"

samba=system-tests/samba/samba-dc.sh
started=""
stop_samba() { if [ -n "$started" ]; then "$samba" stop || true; fi; }
slapd=system-tests/openldap/slapd.sh
slapd_started=""
stop_openldap() { if [ -n "$slapd_started" ]; then "$slapd" stop || true; fi; }
trap 'stop_samba; stop_openldap' EXIT

if [ -z "${WRITEBACK_SKIP_SAMBA:-}" ]; then
  if "$samba" status >/dev/null 2>&1; then
    echo "Samba AD suite: using the domain controller that is already running"
    "$samba" env
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Samba AD suite: installing, provisioning and starting a throwaway domain controller on loopback"
    "$samba" up
    started=1
  elif [ -n "${CI:-}" ]; then
    echo "CI needs the Samba AD suite, but this is not root on a Debian-like system" >&2
    exit 1
  else
    echo "Samba AD suite: skipped (needs root and apt-get; see system-tests/samba/README.md)"
  fi
fi

if [ -z "${WRITEBACK_SKIP_OPENLDAP:-}" ]; then
  if "$slapd" status >/dev/null 2>&1; then
    echo "OpenLDAP suite: using the slapd that is already running"
    "$slapd" env
  elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "OpenLDAP suite: installing, provisioning and starting a throwaway slapd on loopback"
    "$slapd" up
    slapd_started=1
  elif [ -n "${CI:-}" ]; then
    echo "CI needs the OpenLDAP suite, but this is not root on a Debian-like system" >&2
    exit 1
  else
    echo "OpenLDAP suite: skipped (needs root and apt-get; see docs/ldap.md)"
  fi
fi

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
elif [ -n "${CI:-}" ]; then
  echo "CI needs root, dpkg and the built .deb files for system-tests/packages/deb-test.sh" >&2
  exit 1
else
  echo "Debian package test: skipped (needs root, dpkg and ./mvnw package)"
fi
