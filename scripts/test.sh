#!/usr/bin/env bash
# `npm test`: the whole suite on this machine. Installs what it needs (npm packages, slapd), makes
# sure PostgreSQL and Redis answer, checks lint, formatting and types, builds, then runs the unit,
# medium (real services, one module) and e2e (the apps as processes) tests. The last line is
# "tests: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tmp

step() { echo; echo "== $*"; }
fail() { echo "test: $*" >&2; exit 1; }

step "setup"
bash scripts/ensure-node-modules.sh || fail "npm ci failed"
bash scripts/ensure-services.sh || fail "PostgreSQL or Redis unavailable"
bash scripts/ldap/ensure-slapd.sh || fail "could not install slapd"

step "lint, format, types"
npx eslint . --max-warnings 0 || fail "lint failed"
npx prettier --check . >/dev/null || { npx prettier --list-different .; fail "formatting differs (npm run format)"; }
npx tsc -p tsconfig.json --noEmit || fail "type check failed"

step "build"
npm run --silent build || fail "build failed"

rm -f .tmp/jest-*.json
step "unit and medium tests"
npx jest --selectProjects unit medium --json --outputFile .tmp/jest-fast.json
fast=$?
step "end-to-end tests (apps as processes)"
npx jest --selectProjects e2e --maxWorkers=1 --json --outputFile .tmp/jest-e2e.json
e2e=$?

node scripts/print-test-summary.mjs .tmp/jest-fast.json .tmp/jest-e2e.json
summary=$?
[ $fast -eq 0 ] && [ $e2e -eq 0 ] && [ $summary -eq 0 ]
