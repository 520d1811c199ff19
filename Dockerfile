# akv-fleet-sim as a container image, for shards on a Kubernetes Indexed Job (docs/kubernetes.md).
# Two stages: the build compiles the TypeScript (npm ci runs the prepare script,
# which needs the dev dependencies); the image keeps only the runtime dependencies and dist/.
#   docker build -t akv-fleet-sim:0.9.0 .
#   docker run --rm akv-fleet-sim:0.9.0 run scenarios/20x10.yaml --out /tmp/out
# The CLI handles SIGTERM and SIGINT itself (exit 143 / 130, temporary files removed); tini as
# PID 1 forwards them and reaps the worker processes' zombies, as `docker run --init` would.

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json ./
COPY sim ./sim
COPY workers ./workers
COPY test ./test
# dist is a link to the build's own folder (sim/build.mjs): the image takes the folder itself.
RUN npm ci && cp -rL dist /app/image-dist

FROM node:20-slim
ENV NODE_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# Runtime dependencies only; no scripts (prepare would build, and dist/ comes from the build stage).
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/image-dist/sim ./dist/sim
COPY --from=build /app/image-dist/workers ./dist/workers
COPY --from=build /app/image-dist/vendor ./dist/vendor
COPY scenarios ./scenarios
# The image's own non-root user (uid 1000); results go to a mounted volume (fsGroup 1000).
USER node
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/dist/sim/cli-bundle/sim.mjs"]
CMD ["--help"]
