#!/usr/bin/env bash
# `npm run demo`: the whole suite on this machine with a demo directory. Installs what is missing,
# creates and migrates the database, starts a demo slapd and the three apps, waits until each
# /ready answers 200, prints where everything is. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
logs="$repo/.tmp/demo"
mkdir -p "$logs"

say() { echo "demo: $*"; }
die() { echo "demo: $*" >&2; exit 1; }

export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/gatehouse}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379}"
export NODE_ENV="${NODE_ENV:-development}"
# The demo's client APIs run on this machine: let integrations reach loopback and private hosts.
export INTEGRATION_ALLOW_PRIVATE_NETWORKS="${INTEGRATION_ALLOW_PRIVATE_NETWORKS:-true}"
# A key ring for secrets at rest, made once and kept with the demo's other state.
if [ -z "${GATEHOUSE_SECRET_KEYS:-}" ]; then
  [ -s "$logs/secret-keys" ] || node -e "process.stdout.write('demo:'+require('crypto').randomBytes(32).toString('base64'))" >"$logs/secret-keys"
  chmod 600 "$logs/secret-keys"
  GATEHOUSE_SECRET_KEYS=$(cat "$logs/secret-keys")
  export GATEHOUSE_SECRET_KEYS
fi
ports=(3000 3001 3002)
apps=(auth-gateway ldap-sync integration-gateway)

for port in "${ports[@]}"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is already in use (is a demo already running?)"
  fi
done

bash scripts/ensure-node-modules.sh
bash scripts/ensure-services.sh
bash scripts/ldap/ensure-slapd.sh
say "building"
npm run --silent build
say "migrating $DATABASE_URL"
node dist/libs/persistence/src/migrate.cli.js

pids=()
stopping=0
cleanup() {
  trap - INT TERM EXIT
  stopping=1
  say "stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  bash scripts/ldap/demo-slapd.sh stop >/dev/null 2>&1 || true
  say "stopped"
}
trap cleanup INT TERM EXIT

say "starting the demo directory"
# The demo database outlives a run, so the directory does too: reloading the LDIF would give every
# entry a new entryUUID, and the users who logged in before would clash with their old rows.
DEMO_LDAP_KEEP_DATA="${DEMO_LDAP_KEEP_DATA:-1}" bash scripts/ldap/demo-slapd.sh start
DEMO_LDAP_URL="ldap://127.0.0.1:${DEMO_LDAP_PORT:-3389}" node dist/scripts/demo/configure-demo-directory.js
export GATEHOUSE_ADMIN_USERNAME="${GATEHOUSE_ADMIN_USERNAME:-admin}"
export GATEHOUSE_ADMIN_PASSWORD="${GATEHOUSE_ADMIN_PASSWORD:-gatehouse-admin}"

for i in "${!apps[@]}"; do
  app=${apps[$i]}
  PORT=${ports[$i]} node "dist/apps/$app/src/main.js" >"$logs/$app.log" 2>&1 &
  pids+=($!)
done

deadline=$((SECONDS + 120))
for i in "${!apps[@]}"; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${ports[$i]}/ready")" = "200" ]; do
    if ! kill -0 "${pids[$i]}" 2>/dev/null; then
      tail -n 20 "$logs/${apps[$i]}.log" >&2
      die "${apps[$i]} exited; its log is $logs/${apps[$i]}.log"
    fi
    [ $SECONDS -lt $deadline ] || die "${apps[$i]} not ready within 120 s; see $logs/${apps[$i]}.log"
    sleep 0.5
  done
done

ldap_url="ldap://127.0.0.1:${DEMO_LDAP_PORT:-3389}/"
cat <<TXT

  Gatehouse is up (logs in .tmp/demo/):
    auth-gateway         http://127.0.0.1:3000   (/ready, /metrics, /api/v1/system/peers/ldap-sync/ping)
    ldap-sync            http://127.0.0.1:3001   (/ready, /metrics)
    integration-gateway  http://127.0.0.1:3002   (/ready, /metrics)

  Demo directory: $ldap_url  base dc=example,dc=com
    every user's password is demo-password; try uid=demo
    ldapsearch -x -H $ldap_url -b dc=example,dc=com -D uid=demo,ou=users,dc=example,dc=com -w demo-password '(uid=demo)'

  Log in: POST http://127.0.0.1:3000/api/v1/auth/login
    directory user:  curl -s -X POST http://127.0.0.1:3000/api/v1/auth/login -H 'content-type: application/json' -d '{"username":"demo","password":"demo-password"}'
    local admin:     {"username":"$GATEHOUSE_ADMIN_USERNAME","password":"$GATEHOUSE_ADMIN_PASSWORD"}
                     (created on the database's first start; an existing admin keeps its password)
  Then: GET http://127.0.0.1:3000/api/v1/auth/me or /api/v1/users/token/validate/ with the cookie or
  'Authorization: Bearer <access_token>'; public keys at http://127.0.0.1:3000/.well-known/jwks.json

  Ctrl-C stops everything.
TXT

wait -n "${pids[@]}" || true
[ "$stopping" = 1 ] || say "an app exited; see $logs"
