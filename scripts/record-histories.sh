#!/usr/bin/env bash
# `npm run histories:record`: runs the suites that record workflow histories for the replay test
# (workflows/replay.test.ts) with RECORD_HISTORIES=1, rewriting tests/fixtures/histories. Run it
# when a workflow changes on purpose behind patched(), and commit the new histories beside the old.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
if [ -z "${DATABASE_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432 -U postgres; then
  export DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres
fi
RECORD_HISTORIES=1 npx jest --selectProjects system --runInBand \
  tests/integration/batch-distribution.test.ts tests/integration/stalled-chain.test.ts tests/integration/key-split.test.ts
