import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * SQL that turns the database described by `from` (a schema text, or nothing for an empty
 * database) into what schema.prisma describes.
 *
 * Prisma 7's CLI downloads a native schema engine for every migrate command, which fails
 * offline. Prisma 6.19's CLI (installed as `prisma6`) has a WebAssembly engine behind
 * `engine: "js"`; it wants a datasource url in the schema and a driver adapter in its
 * config, so we run it on a temporary copy. The database is only used to connect.
 */
const ROOT = path.resolve(__dirname, '..', '..');

export const SCHEMA_PATH = path.join(ROOT, 'prisma', 'schema.prisma');

function forPrisma6(schema: string): string {
  return schema
    .replace(/generator client \{[^}]*\}/, '')
    .replace(/(datasource db \{[^}]*provider\s*=\s*"postgresql")/, '$1\n  url = env("DATABASE_URL")');
}

export function schemaDiffSql(databaseUrl: string, opts: { from?: string; to?: string } = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prisma-diff-'));
  try {
    fs.writeFileSync(path.join(dir, 'schema.prisma'), forPrisma6(opts.to ?? fs.readFileSync(SCHEMA_PATH, 'utf8')));
    const from = ['--from-empty'];
    if (opts.from !== undefined) {
      fs.writeFileSync(path.join(dir, 'from.prisma'), forPrisma6(opts.from));
      from.splice(0, 1, '--from-schema-datamodel', 'from.prisma');
    }
    fs.writeFileSync(
      path.join(dir, 'prisma.config.ts'),
      [
        `import { defineConfig } from ${JSON.stringify(require.resolve('prisma6/config'))};`,
        `import { PrismaPg } from ${JSON.stringify(require.resolve('@prisma/adapter-pg'))};`,
        'export default defineConfig({',
        "  experimental: { adapter: true }, engine: 'js', schema: 'schema.prisma',",
        '  adapter: async () => new PrismaPg({ connectionString: process.env.DATABASE_URL }),',
        '});',
      ].join('\n'),
    );
    // The CLI insists on locating a query engine it never loads for `migrate diff`.
    const dummyEngine = path.join(dir, 'libquery_engine.so.node');
    fs.writeFileSync(dummyEngine, '');
    const cli = path.join(path.dirname(require.resolve('prisma6/package.json')), 'build', 'index.js');
    try {
      return execFileSync(
        process.execPath,
        [cli, 'migrate', 'diff', '--config', 'prisma.config.ts', ...from, '--to-schema-datamodel', 'schema.prisma', '--script'],
        {
          cwd: dir,
          env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_QUERY_ENGINE_LIBRARY: dummyEngine, PRISMA_HIDE_UPDATE_MESSAGE: '1' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      ).toString();
    } catch (err) {
      const stderr = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
      throw new Error(`prisma migrate diff failed:\n${stderr.replace(/^Loaded Prisma config.*\n/m, '').trim()}`, { cause: err });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
