#!/usr/bin/env bash
# The whole suite on a fresh machine: installs what is missing, then lint, types and all
# jest projects. The system project (workflows + integration) starts its own Temporal,
# PostgreSQL database and anvil, and runs in band because its tests share one chain signer.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
npx tsx contracts/compile.ts
npx eslint .
npx tsc --noEmit -p .
npx jest --selectProjects unit contracts
npx jest --selectProjects system --runInBand
