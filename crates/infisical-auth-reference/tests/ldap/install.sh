#!/usr/bin/env bash
# Installs OpenLDAP's server (slapd) and client tools for the LDAP-auth tests
# (tests/verify_ldap.rs), which start their own slapd on a loopback port with a temporary
# configuration. Non-interactive; does nothing when slapd is already installed.
set -euo pipefail

if command -v slapd >/dev/null 2>&1 || [ -x /usr/sbin/slapd ]; then
  echo "slapd already installed: $(command -v slapd || echo /usr/sbin/slapd)"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

export DEBIAN_FRONTEND=noninteractive
# The package's post-install script would configure a system directory and start it; the tests
# need neither, so debconf is told to skip that.
echo "slapd slapd/no_configuration boolean true" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends slapd ldap-utils >/dev/null
# Debian starts a system slapd on install when it can; the tests run their own.
$SUDO service slapd stop >/dev/null 2>&1 || true
echo "installed: $(/usr/sbin/slapd -VV 2>&1 | head -1)"
