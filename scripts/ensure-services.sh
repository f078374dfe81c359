#!/usr/bin/env bash
# Makes sure the local PostgreSQL and Redis answer, starting them with this machine's own commands
# when they are installed but stopped. Used by `npm test`, `npm run demo` and .ci/run.
set -euo pipefail

pg_up() { pg_isready -q -h 127.0.0.1 -p 5432 >/dev/null 2>&1; }
redis_up() { [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]; }

wait_for() { # name, check function, seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    if "$2"; then return 0; fi
    sleep 0.1
  done
  echo "ensure-services: $1 did not come up within $3 s" >&2
  return 1
}

if pg_up; then
  echo "ensure-services: PostgreSQL answers on 127.0.0.1:5432"
else
  if ! command -v pg_ctlcluster >/dev/null 2>&1; then
    echo "ensure-services: PostgreSQL is not running and pg_ctlcluster is not installed; start PostgreSQL on 127.0.0.1:5432" >&2
    exit 1
  fi
  echo "ensure-services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_for PostgreSQL pg_up 30
fi

if redis_up; then
  echo "ensure-services: Redis answers on 127.0.0.1:6379"
else
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "ensure-services: Redis is not running and redis-server is not installed" >&2
    exit 1
  fi
  echo "ensure-services: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_for Redis redis_up 15
fi

policy=$(redis-cli -h 127.0.0.1 -p 6379 config get maxmemory-policy 2>/dev/null | tail -n 1 || true)
if [ -n "$policy" ] && [ "$policy" != "noeviction" ]; then
  echo "ensure-services: Redis maxmemory-policy is $policy; Gatehouse needs noeviction" >&2
  echo "  fix: redis-cli -h 127.0.0.1 config set maxmemory-policy noeviction" >&2
  exit 1
fi
