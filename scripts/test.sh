#!/usr/bin/env bash
# The whole suite on a fresh machine: installs what is missing, then lint, types and all
# jest projects. The system project (workflows + integration) starts its own Temporal,
# PostgreSQL database and anvil, and runs in band because its tests share one chain signer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
# This machine kind runs PostgreSQL on 127.0.0.1:5432 (trust auth): use it when DATABASE_URL is
# unset, so the embedded server (whose binaries run as the `postgres` user and so need a
# project folder that user can reach) is only the fallback. Tests make their own databases.
if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; then
  export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
  echo "test: using the PostgreSQL on 127.0.0.1:5432"
fi
bash scripts/install-chromium.sh
npx tsx contracts/compile.ts
npx eslint .
npx tsc --noEmit -p .
npx jest --selectProjects unit contracts
npx jest --selectProjects system --runInBand
