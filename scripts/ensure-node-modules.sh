#!/usr/bin/env bash
# Installs the npm packages exactly as locked when node_modules is missing or older than the lock.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "ensure-node-modules: npm ci"
  npm ci --no-audit --no-fund
else
  echo "ensure-node-modules: node_modules is current"
fi
