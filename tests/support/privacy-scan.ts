import { Client as TemporalClient, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Client } from 'pg';

/**
 * What an attacker with a database dump or Temporal's history store would see, for the
 * privacy tests to search: every row of every table as text, and a workflow's raw history
 * bytes exactly as the server keeps them (no data converter involved).
 */

export async function databaseAsText(databaseUrl: string): Promise<string> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const tables = await c.query<{ t: string }>(
      `SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    const parts: string[] = [];
    for (const { t } of tables.rows) {
      const rows = await c.query<{ j: string }>(`SELECT row_to_json(x)::text AS j FROM "${t}" x`);
      parts.push(...rows.rows.map((r) => r.j));
    }
    return parts.join('\n');
  } finally {
    await c.end();
  }
}

export async function rawHistory(address: string, namespace: string, workflowId: string): Promise<temporal.api.history.v1.IHistoryEvent[]> {
  const connection = await Connection.connect({ address });
  try {
    const client = new TemporalClient({ connection, namespace });
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await client.workflowService.getWorkflowExecutionHistory({ namespace, execution: { workflowId }, nextPageToken });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return events;
  } finally {
    await connection.close();
  }
}

/** The serialised history, as bytes: a search here finds a value however it is nested or encoded as raw bytes. */
export const historyBytes = (events: temporal.api.history.v1.IHistoryEvent[]): Buffer =>
  Buffer.from(temporal.api.history.v1.History.encode({ events }).finish());
