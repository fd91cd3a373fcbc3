import { Prisma, type PrismaClient } from '../../common/db';
import type { KeyRing } from '../../common/crypto/key-ring';

/*
 * Key rotation, second half: re-encrypts with the active key (PII_ACTIVE_KEY_ID) every stored
 * personal-data value still sealed under another key, so the old key can leave
 * PII_ENCRYPTION_KEYS. Safe to run while the API and workers run, and to stop and run again:
 * each batch is its own transaction, and a value is replaced only if it is still the one that
 * was read (a row rewritten meanwhile is skipped; it was sealed with the active key anyway, or
 * the next run takes it).
 */

/** Where sealed personal data lives: each value is bound to `beneficiary:<beneficiary_id>`. */
const STORES = [
  { table: 'beneficiary_personal', column: 'ciphertext', key: ['beneficiary_id'] },
  { table: 'beneficiary_drafts', column: 'personal', key: ['beneficiary_id'] },
  { table: 'import_rows', column: 'personal', key: ['import_id', 'row_number'] },
] as const;

const typeOf = (column: string) => Prisma.raw(column === 'row_number' ? 'int' : 'uuid');

export interface StoreReport {
  table: string;
  /** Values now sealed with the active key by this run. */
  rekeyed: number;
  /** Values that changed between read and write (left as they are). */
  skipped: number;
  /** Values that would not open: a key missing from the ring, or a damaged value. */
  unreadable: { row: string; reason: string }[];
  /** Values per key id after the run. */
  byKey: Record<string, number>;
}

export interface RekeyReport {
  activeKeyId: string;
  dryRun: boolean;
  stores: StoreReport[];
  /** Every value is under the active key: the other keys can be removed. */
  done: boolean;
}

interface Row {
  cursor: string[];
  beneficiary_id: string;
  value: string;
}

export async function rekeyPersonalData(
  prisma: PrismaClient,
  keyRing: KeyRing,
  opts: {
    batchSize?: number;
    dryRun?: boolean;
    /** Test hooks: between reading a batch and writing it (rows by primary key), and after writing it. */
    beforeWrite?: (store: string, rows: string[][]) => Promise<void>;
    afterBatch?: (store: string, rows: number) => Promise<void>;
  } = {},
): Promise<RekeyReport> {
  const batchSize = opts.batchSize ?? 500;
  const active = keyRing.activeKeyId;
  const stores: StoreReport[] = [];
  for (const store of STORES) {
    const report: StoreReport = { table: store.table, rekeyed: 0, skipped: 0, unreadable: [], byKey: {} };
    const table = Prisma.raw(store.table);
    const column = Prisma.raw(store.column);
    const key = Prisma.raw(store.key.join(', '));
    const keyText = Prisma.raw(`ARRAY[${store.key.map((k) => `${k}::text`).join(', ')}]`);
    let after: string[] | undefined;
    while (!opts.dryRun) {
      // Keyset pagination over the primary key; the cursor travels as text and is cast back.
      const seek = after ? Prisma.sql`AND (${key}) > (${Prisma.join(store.key.map((k, i) => Prisma.sql`${after![i]}::${typeOf(k)}`))})` : Prisma.empty;
      const rows = await prisma.$queryRaw<Row[]>`
        SELECT ${keyText} AS cursor, beneficiary_id::text AS beneficiary_id, ${column} AS value FROM ${table}
        WHERE ${column} IS NOT NULL AND ${column} NOT LIKE ${`${active}:%`} ${seek}
        ORDER BY ${key} LIMIT ${batchSize}`;
      if (rows.length === 0) break;
      after = rows[rows.length - 1]!.cursor;
      const updates: { row: Row; value: string }[] = [];
      for (const row of rows) {
        const aad = `beneficiary:${row.beneficiary_id}`;
        try {
          updates.push({ row, value: keyRing.sealText(keyRing.openText(row.value, aad), aad) });
        } catch (err) {
          report.unreadable.push({ row: row.cursor.join('/'), reason: (err as Error).message });
        }
      }
      await opts.beforeWrite?.(store.table, rows.map((r) => r.cursor));
      if (updates.length > 0) {
        const match = Prisma.join(
          store.key.map((k, i) => Prisma.sql`t.${Prisma.raw(k)} = (u.cursor::text[])[${Prisma.raw(String(i + 1))}]::${typeOf(k)}`),
          ' AND ',
        );
        const changed = await prisma.$executeRaw`
          UPDATE ${table} t SET ${column} = u.fresh
          FROM unnest(${updates.map((u) => `{${u.row.cursor.join(',')}}`)}::text[], ${updates.map((u) => u.row.value)}::text[],
                      ${updates.map((u) => u.value)}::text[]) AS u(cursor, stale, fresh)
          WHERE ${match} AND t.${column} = u.stale`;
        report.rekeyed += changed;
        report.skipped += updates.length - changed;
      }
      await opts.afterBatch?.(store.table, rows.length);
    }
    const counts = await prisma.$queryRaw<{ key_id: string; n: number }[]>`
      SELECT split_part(${column}, ':', 1) AS key_id, count(*)::int AS n FROM ${table}
      WHERE ${column} IS NOT NULL GROUP BY 1 ORDER BY 1`;
    report.byKey = Object.fromEntries(counts.map((c) => [c.key_id, c.n]));
    stores.push(report);
  }
  const done = stores.every((s) => Object.keys(s.byKey).every((id) => id === active));
  return { activeKeyId: active, dryRun: Boolean(opts.dryRun), stores, done };
}
