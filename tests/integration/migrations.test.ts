import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { listMigrations, migrate } from '../../prisma/migrate';
import { SCHEMA_PATH, schemaDiffSql } from '../../prisma/tooling/schema-sql';
import { createScratchDatabase as scratchDatabase } from '../../scripts/stack/scratch-database';
import { describeSchema, runSql } from '../support/catalog';

const server = process.env.DATABASE_URL!;
const scratch: { drop(): Promise<void> }[] = [];

async function databaseFromSchema(schemaText: string, label: string): Promise<string> {
  const db = await scratchDatabase(server, label);
  scratch.push(db);
  await runSql(db.url, schemaDiffSql(db.url, { to: schemaText }));
  return db.url;
}

const idDerivationMigration = () => listMigrations().find((m) => m.name.endsWith('_id_derivation'))!.name;

afterAll(async () => {
  for (const db of scratch) await db.drop();
});

describe('prisma migrations', () => {
  const schema = fs.readFileSync(SCHEMA_PATH, 'utf8');
  let migrated: Record<string, string[]>;

  beforeAll(async () => {
    const db = await scratchDatabase(server, 'migrated');
    scratch.push(db);
    await migrate(db.url);
    migrated = await describeSchema(db.url);
  }, 60_000);

  it('When the migrations are applied to an empty database, Then it has exactly what schema.prisma describes', async () => {
    const fromSchema = await describeSchema(await databaseFromSchema(schema, 'schema'));
    expect(migrated).toEqual(fromSchema);
    expect(migrated.columns.length).toBeGreaterThan(10);
  }, 60_000);

  it('When schema.prisma gains a field the migrations lack, Then the comparison reports drift', async () => {
    const changed = schema.replace(/(model Project \{\n)/, '$1  region String?\n');
    expect(changed).not.toBe(schema);
    const fromChanged = await describeSchema(await databaseFromSchema(changed, 'drift'));
    expect(fromChanged.columns).not.toEqual(migrated.columns);
    expect(fromChanged.columns.some((c) => c.startsWith('projects region'))).toBe(true);
  }, 60_000);

  it('When the id_derivation migration meets existing projects, Then they keep the legacy derivation 1 and later projects get 2', async () => {
    const db = await scratchDatabase(server, 'derivation');
    scratch.push(db);
    const before = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-before-'));
    for (const m of listMigrations().filter((m) => m.name < idDerivationMigration())) {
      fs.mkdirSync(path.join(before, m.name));
      fs.writeFileSync(path.join(before, m.name, 'migration.sql'), m.sql);
    }
    await migrate(db.url, before);
    await runSql(db.url, `INSERT INTO projects (id, name) VALUES ('existing', 'From before')`);

    await migrate(db.url);
    await runSql(db.url, `INSERT INTO projects (id, name) VALUES ('created-after', 'From after')`);

    const c = new Client({ connectionString: db.url });
    await c.connect();
    try {
      const { rows } = await c.query('SELECT id, id_derivation FROM projects ORDER BY id');
      expect(rows).toEqual([
        { id: 'created-after', id_derivation: 2 },
        { id: 'existing', id_derivation: 1 },
      ]);
    } finally {
      await c.end();
      fs.rmSync(before, { recursive: true, force: true });
    }
  }, 60_000);

  it('When migrate runs twice, Then the second run applies nothing', async () => {
    const db = await scratchDatabase(server, 'twice');
    scratch.push(db);
    expect((await migrate(db.url)).length).toBeGreaterThan(0);
    expect(await migrate(db.url)).toEqual([]);
  }, 60_000);
});
