#!/usr/bin/env bash
# Makes sure the OpenLDAP server and client tools (and openssl) are installed, so the test
# support (test/support/slapd.ts) and the demo (scripts/ldap/demo-slapd.sh) can start throwaway
# slapd instances. Idempotent and non-interactive (works with CI=true and no stdin).
#
# Installs the Debian packages `slapd ldap-utils` (and `openssl`) when something is missing.
# debconf is preseeded with slapd/no_configuration=true, so the package neither creates a system
# database nor needs a system slapd service: our instances use their own config, data and ports.
# A system slapd already running (e.g. on 389) is left alone.
#
# Prints exactly one line saying what it did. Exit status 0 when everything is available.
set -euo pipefail

# slapd/slapadd live in /usr/sbin, which is not on a normal user's PATH on Debian.
export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"

missing_tools() {
  local tool
  for tool in slapd slapadd ldapsearch ldapadd openssl; do
    command -v "$tool" >/dev/null 2>&1 || printf '%s ' "$tool"
  done
}

missing="$(missing_tools)"
if [[ -z "$missing" ]]; then
  echo "ensure-slapd: slapd, slapadd, ldapsearch, ldapadd and openssl already installed ($(command -v slapd))"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-slapd: missing ${missing% }; apt-get not available, install OpenLDAP (slapd, ldap-utils) and openssl by hand" >&2
  exit 1
fi

# Root runs apt directly; anybody else needs password-less sudo (as on CI runners).
sudo_cmd=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo_cmd=(sudo -n)
  else
    echo "ensure-slapd: missing ${missing% }; not root and no password-less sudo to install slapd ldap-utils openssl" >&2
    exit 1
  fi
fi

# Several test workers may call this at once: serialise the install and re-check afterwards.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/gatehouse-ensure-slapd.lock"
  flock -w 900 9 || true
  missing="$(missing_tools)"
  if [[ -z "$missing" ]]; then
    echo "ensure-slapd: slapd, slapadd, ldapsearch, ldapadd and openssl already installed by a concurrent run"
    exit 0
  fi
fi

log="$(mktemp "${TMPDIR:-/tmp}/ensure-slapd.XXXXXX.log")"
seed="$(mktemp "${TMPDIR:-/tmp}/ensure-slapd.XXXXXX.seed")"
trap 'rm -f "$log" "$seed"' EXIT

run() {
  if ! "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
    NEEDRESTART_MODE=a "$@" </dev/null >>"$log" 2>&1; then
    echo "ensure-slapd: '$*' failed:" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# No system database, no admin password prompt: we never use the packaged instance.
if command -v debconf-set-selections >/dev/null 2>&1; then
  printf '%s\n' 'slapd slapd/no_configuration boolean true' >"$seed"
  chmod 644 "$seed"
  run debconf-set-selections "$seed"
fi

run apt-get update -q
run apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  slapd ldap-utils openssl

still_missing="$(missing_tools)"
if [[ -n "$still_missing" ]]; then
  echo "ensure-slapd: installed slapd ldap-utils openssl but still missing: ${still_missing% }" >&2
  exit 1
fi
echo "ensure-slapd: installed slapd ldap-utils openssl via apt-get (was missing: ${missing% })"
