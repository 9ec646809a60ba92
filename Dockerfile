# syntax=docker/dockerfile:1
#
# One image for both Node services of this repository; the command picks one:
#   agent worker (default):  node agent/src/main.ts start
#   dispatch:                node dispatch/src/main.ts            (serve)
#                            node dispatch/src/main.ts apply [--dry-run]
# TypeScript runs directly on Node 24 (type stripping): there is no build step.
#
#   docker build -t genesys-livekit-voice-agents:0.1.0 .
#
# node:24-slim is Debian (glibc): @livekit/local-inference and the LiveKit
# native bindings have no musl (Alpine) build. Pin it by digest in your build
# pipeline (--build-arg NODE_IMAGE=node:24-slim@sha256:...) for reproducible
# images.
ARG NODE_IMAGE=node:24-slim

# --- Production dependencies only -------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# onnxruntime-node's install script would download CUDA libraries; the CPU
# build the package ships is all the agent uses.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error \
 && npm cache clean --force

# --- Runtime -------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# The offline voice: espeak-ng/flite speak, pocketsphinx (+ its US English
# model) recognises, sox converts audio. tini forwards SIGTERM to node (the
# worker drains its calls on it) and reaps the speech tools' processes.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      espeak-ng flite pocketsphinx pocketsphinx-en-us sox tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# Non-root user; uid/gid 10001 match the Helm chart's securityContext.
RUN groupadd --system --gid 10001 app \
 && useradd --system --uid 10001 --gid app --home-dir /tmp --shell /usr/sbin/nologin app
WORKDIR /app
ENV NODE_ENV=production \
    HOME=/tmp \
    AGENT_HEALTH_PORT=8081 \
    DISPATCH_PORT=8080
# Code and dependencies stay root-owned and read-only for the app user, so the
# container also runs with a read-only root filesystem (writable: /tmp).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY contracts ./contracts
COPY agent/src ./agent/src
COPY dispatch/src ./dispatch/src
# Served at GET /openapi.json.
COPY dispatch/openapi.yaml ./dispatch/openapi.yaml
USER 10001:10001
EXPOSE 8081 8080
# The agent worker's health endpoint: 200 while registered with LiveKit. For
# dispatch set HEALTHCHECK_URL=http://127.0.0.1:8080/healthz. (Kubernetes
# ignores HEALTHCHECK; the Helm chart has its own probes.)
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(process.env.HEALTHCHECK_URL || `http://127.0.0.1:${process.env.AGENT_HEALTH_PORT}/`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "agent/src/main.ts", "start"]
