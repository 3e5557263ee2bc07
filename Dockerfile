# codex-lb container image.
#
#   docker build -t codex-lb .
#   docker run -d --name codex-lb --stop-timeout 30 -p 127.0.0.1:2455:2455 \
#     -v "$PWD/config:/config:ro" -v codex-lb-data:/data \
#     -e CODEX_LB_ADMIN_TOKEN -e CODEX_LB_KEY_HASH -e OPENAI_API_KEY codex-lb
#   (config/gateway.yaml: start from deploy/gateway.docker.yaml)
#
# The config is read from /config/gateway.yaml ($CODEX_LB_CONFIG); everything the gateway writes
# (SQLite usage store, usage spool, the key that seals stored OAuth tokens) goes to the /data
# volume. Inside a container the gateway must listen on 0.0.0.0, which it only does with
# `auth.enabled: true` (see deploy/gateway.docker.yaml and the README's Deployment section).

# --- build: the toolchain for better-sqlite3 (python3, make, g++ are in the full image) and tsc
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
# Scripts off for the install (the `prepare` build needs the sources, copied below), then only the
# one native module the runtime needs is built: a prebuilt binary when one matches, else from source.
RUN npm ci --ignore-scripts --no-audit --no-fund \
  && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
RUN npm run build \
  && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

# --- runtime: Node 20 on the same Debian release (same glibc and Node ABI as the build stage)
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    CODEX_LB_CONFIG=/config/gateway.yaml
WORKDIR /app
# Owned by root and not writable by the user that runs the gateway.
COPY --from=build /app/package.json /app/package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY graphql ./graphql
# The dashboard's browser files are served as they are (no build step), from the sources' folder.
COPY src/dashboard/client ./src/dashboard/client
RUN mkdir -p /data /config && chown node:node /data
USER node
# Relative storage paths resolve against the config's directory (/config, mounted read-only):
# give `storage.url` and `storage.spoolDir` absolute paths under /data, as deploy/gateway.docker.yaml does.
WORKDIR /data
VOLUME ["/data"]
EXPOSE 2455
# /health answers without credentials; the slim image has no curl, Node 20 has fetch.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.CODEX_LB_HEALTH_URL || 'http://127.0.0.1:2455/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The gateway handles SIGTERM itself (drain, flush usage, exit): give `docker stop` more than
# server.shutdownGrace, e.g. `--stop-timeout 30`.
# --max-semi-space-size: as `npm start` (README, "Node flags").
ENTRYPOINT ["node", "--max-semi-space-size=32", "/app/bin/codex-lb.js"]
CMD ["start"]
