import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { listMigrations, MIGRATIONS_DIR } from '../migrate';
import { SCHEMA_PATH, schemaDiffSql } from './schema-sql';

/**
 * `npm run db:migration -- <name>`: writes the SQL that takes the committed schema.prisma
 * (git HEAD) to the working copy as a new migration folder. The first migration starts empty.
 */
const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  process.stderr.write('usage: npm run db:migration -- <snake_case_name>\n');
  process.exit(1);
}
const databaseUrl = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const from = listMigrations().length
  ? execFileSync('git', ['show', `HEAD:${path.relative(process.cwd(), SCHEMA_PATH)}`]).toString()
  : undefined;
const sql = schemaDiffSql(databaseUrl, { from });
if (!sql.trim() || /^-- This is an empty migration/.test(sql.trim())) {
  process.stdout.write('schema.prisma has no changes since HEAD; nothing written\n');
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14);
const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, 'migration.sql'), sql);
process.stdout.write(`wrote ${path.relative(process.cwd(), dir)}/migration.sql\n`);
