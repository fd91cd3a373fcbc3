# syntax=docker/dockerfile:1
# Image for every app container of temporal-docker-compose.yml (api, worker, migrate,
# deploy-contracts); the compose file picks the npm script to run.

ARG NODE_IMAGE=node:26-bookworm-slim

FROM ${NODE_IMAGE} AS base
# openssl: Prisma's schema engine (migrations) links against libssl. Versions follow the
# base image's Debian release; pinning them would break on each point release.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends openssl ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false
WORKDIR /app

FROM base AS build
# Dependencies first, so source edits reuse this layer.
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
# 1. Prisma client: the generator needs no schema engine, so /bin/true stands in for it.
# 2. Solidity ABIs and bytecode into contracts/build.
# 3. TypeScript into dist/.
# 4. tsc copies no JSON, and contracts/paths.ts resolves the ABIs next to itself, so the
#    compiled copy (dist/contracts/build) gets the artifacts as well.
RUN PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate \
 && npx tsx contracts/compile.ts \
 && npm run build \
 && if [ -d dist/contracts ]; then mkdir -p dist/contracts/build && cp contracts/build/*.json dist/contracts/build/; fi

FROM base AS runtime
ENV NODE_ENV=production
# node_modules keeps its dev packages: the migrate and deploy jobs run the prisma CLI and tsx.
COPY --from=build --chown=node:node /app /app
USER node
EXPOSE 3000
CMD ["npm", "run", "start:api"]
