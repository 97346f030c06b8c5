# syntax=docker/dockerfile:1
# One Dockerfile for every service: docker build --build-arg SERVICE=referrals -t silta-referrals .
# (`make images` builds them all). Multi-stage: the build stage has the dev tools (buf, ts-proto)
# to generate the contracts; the image gets only the production tree of one service
# (scripts/prod-tree.sh: its packages, src/, data/, migrations/, production dependencies).
# Node 24 runs the TypeScript sources directly (type stripping): there is no compile step.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages ./packages
COPY services ./services
COPY tests/package.json ./tests/package.json
COPY proto ./proto
COPY buf.yaml buf.gen.yaml ./
COPY scripts/prod-tree.sh ./scripts/prod-tree.sh
COPY patches ./patches
# `npm install`, not `npm ci`: see the Makefile (platform-specific optional packages).
RUN npm install --no-audit --no-fund --loglevel=error \
 && npm run gen && touch packages/contracts/src/gen/.stamp
ARG SERVICE
ARG ADMIN_PORT
RUN test -n "${SERVICE}" || { echo "--build-arg SERVICE=<gateway|consent|referrals|consultations> is required" >&2; exit 1; } \
 && test -n "${ADMIN_PORT}" || { echo "--build-arg ADMIN_PORT=<the service's admin port: 9100|9101|9102> is required (the health check)" >&2; exit 1; } \
 && bash scripts/prod-tree.sh /app "${SERVICE}"

FROM ${NODE_IMAGE} AS service
ARG SERVICE
ARG VERSION=dev
ARG ADMIN_PORT
LABEL org.opencontainers.image.title="silta-${SERVICE}" \
      org.opencontainers.image.description="Silta ${SERVICE} service: collaboration around a child in Finnish child protection" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.vendor="Silta"
ENV NODE_ENV=production
# In a container the listeners must be reachable from outside it (the services default to 127.0.0.1).
ENV SILTA_BIND_ADDRESS=0.0.0.0
# Owned by root, read by the service's unprivileged user: the root filesystem can be read-only
# (the chart mounts an emptyDir on /tmp, the only place anything is written).
COPY --from=build --chown=root:root /app /app
WORKDIR /app/services/${SERVICE}
USER 10001:10001
# The admin port defaults per service (gateway 9100, consent 9101, referrals 9102); the chart and
# compose set SILTA_ADMIN_PORT, which the health check follows.
ENV SILTA_ADMIN_PORT=${ADMIN_PORT}
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.SILTA_ADMIN_PORT}/healthz`).then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
EXPOSE 8080 9100 9101 9102 50051 50052
CMD ["node", "--import", "@silta/platform/telemetry-start", "src/main.ts"]
