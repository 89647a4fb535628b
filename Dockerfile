# syntax=docker/dockerfile:1
# Multi-stage image of the service: one image, the role is the command
# (`--role api`, `--role worker`, or `--role all`). Not built by CI (no Docker engine there).
# Node 22 (LTS): Node 20 reached its end of life in April 2026; the code still runs on Node 20,
# which CI uses until its machines move.

FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# tfjs-node (optional) downloads libtensorflow at install; leave it out so the build never depends
# on that download: the image runs the wasm backend.
RUN npm ci --omit=optional
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
COPY models ./models
COPY jobs ./jobs
COPY data ./data
RUN npm run build

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/var
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))" || exit 1
ENTRYPOINT ["node", "dist/services/main.js"]
CMD ["--role", "all"]
