# syntax=docker/dockerfile:1.7
# Gatehouse: one image for the three apps and the migration CLI. APP picks what a container runs:
#   docker build -t gatehouse .
#   docker run -e APP=migrate      -e DATABASE_URL=postgres://... gatehouse
#   docker run -e APP=ldap-sync    -e DATABASE_URL=... -e REDIS_URL=... -p 3001:3001 gatehouse
# APP is one of the folders under dist/apps (auth-gateway, ldap-sync, integration-gateway) or
# `migrate`. Ports and probe paths: libs/contracts/src/apps.ts.
# No HEALTHCHECK here: the port depends on APP, so docker-compose.yml and k8s/ probe each app.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: full install, compile, then drop devDependencies -----------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# argon2 ships prebuilt binaries for linux glibc (x64 and arm64), so no compiler toolchain needed.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
# Sources after the install so a code change does not invalidate the npm ci layer.
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: compiled output and production node_modules only ---------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1 forwards SIGTERM to node (the apps drain and exit within SHUTDOWN_TIMEOUT_MS, 10 s)
# and reaps zombies.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production \
    APP=auth-gateway
WORKDIR /app

# Owned by root, so uid 1000 can read but not rewrite its own code; the root file system can also be
# mounted read-only (k8s readOnlyRootFilesystem).
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist

COPY --chmod=0755 <<'EOF' /usr/local/bin/gatehouse-entrypoint
#!/bin/sh
# Runs what APP names: `migrate`, or an app compiled to dist/apps/$APP/src/main.js.
set -eu
cd /app
case "${APP:-}" in
  migrate)
    exec node dist/libs/persistence/src/migrate.cli.js "$@"
    ;;
  '' | */* | .*) ;;
  *)
    if [ -f "dist/apps/$APP/src/main.js" ]; then
      exec node "dist/apps/$APP/src/main.js" "$@"
    fi
    ;;
esac
echo "gatehouse: unknown APP '${APP:-}'; expected migrate or one of: $(ls dist/apps | tr '\n' ' ')" >&2
exit 64
EOF

# Numeric uid:gid of the image's `node` user: Kubernetes runAsNonRoot can only verify a numeric user.
USER 1000:1000

EXPOSE 3000 3001 3002
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/gatehouse-entrypoint"]
