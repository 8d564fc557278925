# One image for every Switchboard deployable; SERVICE picks the role at start (identity, chat,
# channel-telegram, gateway, migrate, ...). Why one image and not one per service:
# docs/decisions/0019-one-image-role-chosen-at-start.md. Services run from TypeScript source through SWC
# (decision 0006): there is no build step, only a production-only dependency install.
#
#   docker build -t switchboard:local .
#   docker run --rm -e SERVICE=chat -e DATABASE_URL=... -e JWT_SECRET=... -p 8080:8080 switchboard:local

ARG NODE_IMAGE=node:20.20-bookworm-slim

# --- manifests: only package.json files and the lock, so the dependency layer below stays cached while
# sources change (the builder compares copied files by checksum).
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir -p /manifests \
 && cp package.json package-lock.json /manifests/ \
 && find libs services gateway deploy bench test -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /manifests/ \;

# --- deps: production dependencies only. Everything the runtime needs is in "dependencies": SWC
# (@swc-node/register, @swc/core) and typescript (read by the register hook for tsconfig) included.
# argon2 and @swc/core load prebuilt binaries for linux-x64/arm64 glibc, so no compiler is needed.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /manifests/ ./
# No BuildKit-only features (cache mounts), so Debian's docker-compose 1.29 builds it with the classic
# builder too.
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM/SIGINT to Node (whose main.ts drains consumers, then exits) and reaps
# zombies. Node as PID 1 would ignore signals it has no handler for and never reap.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8080 \
    SWC_NODE_PROJECT=/app/tsconfig.base.json
WORKDIR /app
# Owned by root and not writable by the app user: the process cannot modify its own code.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json tsconfig.base.json ./
COPY scripts/register.js scripts/migrate.ts scripts/ops.ts ./scripts/
COPY libs ./libs
COPY services ./services
COPY gateway ./gateway
COPY deploy/image ./deploy/image
# The files service's disk storage (FILES_DIR=/data/files): owned by the app user so a volume mounted there
# starts writable (Docker copies the directory's ownership into a new named volume).
RUN mkdir -p /data/files && chown node:node /data/files
# The node image's unprivileged user (uid 1000); Kubernetes manifests pin the same uid.
USER node
EXPOSE 8080
# Liveness-style check (process answers). Compose overrides it with /ready where start order matters.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "deploy/image/healthcheck.js", "/health"]
# A 128 MB old generation before the first full GC (decision 0061). On the command line because Node refuses
# this V8 flag in NODE_OPTIONS; bench/ingest starts its service processes with these same flags.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--initial-old-space-size=128", "deploy/image/start.js"]
