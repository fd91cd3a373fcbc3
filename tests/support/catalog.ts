import { Client } from 'pg';

/**
 * A comparable description of a database's public schema: tables, columns with types,
 * nullability and defaults, constraints, indexes and enums. The migrations ledger is left out.
 */
export async function describeSchema(databaseUrl: string): Promise<Record<string, string[]>> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const q = async (sql: string) => (await c.query<{ d: string }>(sql)).rows.map((r) => r.d).sort();
    return {
      columns: await q(`SELECT concat_ws(' ', table_name, column_name, data_type, udt_name, character_maximum_length,
          numeric_precision, numeric_scale, is_nullable, column_default) AS d
        FROM information_schema.columns WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`),
      constraints: await q(`SELECT concat_ws(' ', rel.relname, con.conname, pg_get_constraintdef(con.oid)) AS d
        FROM pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace n ON n.oid = rel.relnamespace
        WHERE n.nspname = 'public' AND rel.relname <> '_prisma_migrations'`),
      indexes: await q(`SELECT indexdef AS d FROM pg_indexes WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`),
      enums: await q(`SELECT concat_ws(' ', t.typname, e.enumsortorder, e.enumlabel) AS d
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'public'`),
    };
  } finally {
    await c.end();
  }
}

export async function runSql(databaseUrl: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}
