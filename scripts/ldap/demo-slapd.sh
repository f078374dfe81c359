#!/usr/bin/env bash
# Runs the demo directory (deploy/ldap/demo-directory.ldif) in a local slapd on loopback only.
# No build step needed; used by `npm run demo` (scripts/demo.sh).
#
#   scripts/ldap/demo-slapd.sh [run]   foreground: prints the URLs once slapd answers, stops on
#                                      SIGINT/SIGTERM (Ctrl-C)
#   scripts/ldap/demo-slapd.sh start   background: returns once slapd answers (pid in
#                                      .tmp/demo-ldap/slapd.pid)
#   scripts/ldap/demo-slapd.sh stop    stops a slapd started with `start`
#   scripts/ldap/demo-slapd.sh status  exit 0 and print the URL when the demo slapd is running
#
# Environment:
#   DEMO_LDAP_PORT (default 3389), DEMO_LDAPS_PORT (default 3636)   fixed ports on 127.0.0.1
#   DEMO_LDAP_KEEP_DATA=1   keep the data of the previous run instead of reloading the LDIF
#   DEMO_LDAP_LDIF          another LDIF to load (default deploy/ldap/demo-directory.ldif)
#
# Data, config and the generated CA live in .tmp/demo-ldap/ in the repository (gitignored).
# Logins: rootdn cn=admin,dc=example,dc=com / admin-secret; every user, e.g. uid=demo, uses
# demo-password (see the header of the LDIF). LDAPS/StartTLS clients trust .tmp/demo-ldap/tls/ca.crt.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "${here}/../.." && pwd)"
export PATH="${PATH}:/usr/local/sbin:/usr/sbin:/sbin"

port="${DEMO_LDAP_PORT:-3389}"
ldaps_port="${DEMO_LDAPS_PORT:-3636}"
dir="${repo}/.tmp/demo-ldap"
ldif="${DEMO_LDAP_LDIF:-${repo}/deploy/ldap/demo-directory.ldif}"
pidfile="${dir}/slapd.pid"
ldap_url="ldap://127.0.0.1:${port}/"
ldaps_url="ldaps://127.0.0.1:${ldaps_port}/"
cmd="${1:-run}"

die() {
  echo "demo-slapd: $*" >&2
  exit 1
}

# The URL of a running instance, from what start-slapd.sh recorded (the env may differ now).
recorded_url() {
  sed -n 's/^LDAP_URL=//p' "${dir}/instance.env" 2>/dev/null || true
}

running_pid() {
  local pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

print_banner() {
  cat <<EOF
demo-slapd: demo LDAP directory is up
  URL:       ${ldap_url}   (StartTLS available)
  LDAPS:     ${ldaps_url}
  CA cert:   ${dir}/tls/ca.crt
  Base DN:   dc=example,dc=com
  Admin:     cn=admin,dc=example,dc=com / admin-secret
  Demo user: uid=demo,ou=users,dc=example,dc=com / demo-password (all users: demo-password)
  Try:       ldapsearch -x -H ${ldap_url} -b dc=example,dc=com '(uid=demo)'
EOF
}

slapd_pid=''
# Trap handler of `run`: SIGTERM to slapd, wait for it to exit.
stop_child() {
  trap - INT TERM
  echo 'demo-slapd: stopping' >&2
  if [[ -n "$slapd_pid" ]]; then
    kill -TERM "$slapd_pid" 2>/dev/null || true
    wait "$slapd_pid" 2>/dev/null || true
  fi
  exit 0
}

prepare() {
  if pid="$(running_pid)"; then
    die "demo slapd already running (pid ${pid}) on $(recorded_url); stop it with: $0 stop"
  fi
  local p
  for p in "$port" "$ldaps_port"; do
    port_in_use "$p" &&
      die "127.0.0.1:${p} is already in use; pick other ports with DEMO_LDAP_PORT / DEMO_LDAPS_PORT"
  done
  bash "${here}/ensure-slapd.sh" >&2
  if [[ ! -r "$ldif" ]]; then
    echo "demo-slapd: ${ldif} missing, generating it" >&2
    node "${here}/generate-demo-ldif.mjs" --out "$ldif"
  fi
  local reset=(--reset)
  [[ "${DEMO_LDAP_KEEP_DATA:-0}" == '1' ]] && reset=()
  bash "${here}/start-slapd.sh" --dir "$dir" --port "$port" --ldaps-port "$ldaps_port" \
    --ldif "$ldif" "${reset[@]}" --prepare-only
}

case "$cmd" in
  run)
    prepare
    # slapd runs as our child in the foreground mode; we forward SIGINT/SIGTERM to it.
    bash "${here}/start-slapd.sh" --dir "$dir" --port "$port" --ldaps-port "$ldaps_port" \
      --foreground 2> >(tee -a "${dir}/slapd.log" >&2) &
    slapd_pid=$!
    trap stop_child INT TERM
    deadline=$((SECONDS + 15))
    until ldapsearch -x -LLL -o nettimeout=2 -H "$ldap_url" -b '' -s base namingContexts \
      >/dev/null 2>&1; do
      kill -0 "$slapd_pid" 2>/dev/null || die 'slapd exited during startup (see the log above)'
      if ((SECONDS >= deadline)); then
        kill -TERM "$slapd_pid" 2>/dev/null || true
        die "slapd did not answer on ${ldap_url} within 15s"
      fi
      sleep 0.1
    done
    print_banner
    echo 'demo-slapd: press Ctrl-C to stop'
    set +e
    wait "$slapd_pid"
    status=$?
    # wait returns early (>128) when a trapped signal arrives; the trap handler exits.
    exit "$status"
    ;;
  start)
    prepare
    bash "${here}/start-slapd.sh" --dir "$dir" --port "$port" --ldaps-port "$ldaps_port" \
      --background >/dev/null
    print_banner
    echo "demo-slapd: running in the background (pid $(cat "$pidfile")); stop with: $0 stop"
    ;;
  stop)
    if ! pid="$(running_pid)"; then
      echo 'demo-slapd: not running'
      exit 0
    fi
    kill -TERM "$pid"
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
    echo "demo-slapd: stopped (pid ${pid})"
    ;;
  status)
    if pid="$(running_pid)"; then
      echo "demo-slapd: running (pid ${pid}) on $(recorded_url)"
    else
      echo 'demo-slapd: not running'
      exit 1
    fi
    ;;
  -h | --help) sed -n '2,21p' "$0" ;;
  *) die "unknown command ${cmd} (run, start, stop, status)" ;;
esac
