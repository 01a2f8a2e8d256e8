# syntax=docker/dockerfile:1
# One image for both halves of the service (SERVICE_ROLE=worker or api, see docker-compose.yml).
# Three stages so the image that runs holds compiled JavaScript and production dependencies only, and
# runs as the unprivileged `node` user of the official Node.js image.

ARG NODE_IMAGE=node:24-bookworm-slim

# Compiles the TypeScript; typescript and the type packages are dev dependencies.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: tsc needs none, and none of them should run with the source tree in reach.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npx tsc -p .

# Production dependencies only. The optional ones are embedded PostgreSQL's binaries: in a container
# the service always talks to the PostgreSQL that DATABASE_URL names.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
# MALLOC_ARENA_MAX and the node flags below are npm start's: the worker's measured budget (README
# "Benchmarks"), kept equal by test/compose.
# HOST and METRICS_HOST: a container listens on its own interfaces (the service's default, loopback,
# would be unreachable); which ports reach the host is decided by publishing them.
ENV NODE_ENV=production \
    DATA_DIR=/var/lib/netsuite-sync \
    PORT=8080 \
    HOST=0.0.0.0 \
    METRICS_PORT=9464 \
    METRICS_HOST=0.0.0.0 \
    MALLOC_ARENA_MAX=2
WORKDIR /app
# package.json is how projectDir() finds the application root; console/ holds the web console's static
# files, which the API serves from there.
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY console ./console
# The code stays owned by root, read-only to the service; DATA_DIR is its one writable place (the
# local mail sink keeps messages there when SMTP_URL is unset).
RUN mkdir -p /var/lib/netsuite-sync && chown node:node /var/lib/netsuite-sync
USER node
EXPOSE 8080 9464
CMD ["node", "--max-old-space-size=256", "--max-semi-space-size=4", "dist/worker/main.js"]
