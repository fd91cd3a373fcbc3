#!/usr/bin/env bash
# Development only, until the first release: rewrites the single init migration from
# schema.prisma (under a lock, as several people may edit the schema at once) and
# regenerates the Prisma client. After a release, add migrations with `npm run db:migration`.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>.regen-init.lock
flock 9
dir=prisma/migrations/20261125000000_init
tmp=$(mktemp -d)
mv "$dir" "$tmp/"
if ! npx tsx prisma/tooling/new-migration.ts init >/dev/null; then mv "$tmp/$(basename "$dir")" "$dir"; exit 1; fi
new=$(ls -d prisma/migrations/*_init | grep -v 20261125000000_init)
mv "$new" "$dir"
rm -rf "$tmp"
PRISMA_SCHEMA_ENGINE_BINARY=/bin/true npx prisma generate >/dev/null
echo "rewrote $dir/migration.sql and regenerated the client"
