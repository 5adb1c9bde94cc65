# syntax=docker/dockerfile:1
#
# One image for both production processes:
#   web:    docker run … consortia                                  (the default command)
#   worker: docker run … consortia node --import tsx jobs/worker.main.ts
#
# The commands are what `npm run web` and `npm run worker` run (tsx), started by node
# directly: npm does not pass SIGTERM on to the process, which would turn every
# `docker stop` into a kill instead of a graceful shutdown.

ARG NODE_VERSION=20.20

# --- dependencies: production packages only, installed exactly from the lockfile ---------
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime: the source (run by tsx, no build step) and those packages, as a non-root user -
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    IMPORT_DIRS=imports
WORKDIR /app
COPY --from=deps --chown=root:root /app/node_modules ./node_modules
COPY --chown=root:root package.json package-lock.json tsconfig.json ./
COPY --chown=root:root src ./src
COPY --chown=root:root adapters ./adapters
COPY --chown=root:root jobs ./jobs
# The folder `tender import` reads files from; mount notices here (read-only is enough).
COPY --chown=node:node imports ./imports

# The code belongs to root and is read-only to the process; it runs as the image's
# unprivileged `node` user (uid 1000). tsx keeps its compile cache under /tmp.
USER node
EXPOSE 3000
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/web.main.ts"]
