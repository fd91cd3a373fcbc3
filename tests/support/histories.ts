import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createDataConverter } from '../../common/data-converter';
import type { System } from './system';

export const HISTORIES_DIR = path.resolve(__dirname, '../fixtures/histories');

/**
 * With RECORD_HISTORIES=1, saves the workflow's event history as a fixture for the replay test
 * (workflows/replay.test.ts): a later change to that workflow must still replay it, or go
 * through Temporal's versioning (patched()). `npm run histories:record` sets the variable.
 */
export async function recordHistory(sys: System, workflowId: string, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const connection = await Connection.connect({ address: sys.config.temporal.address });
  try {
    const client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    mkdirSync(HISTORIES_DIR, { recursive: true });
    writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), `${JSON.stringify({ workflowId, history: historyToObject(history) })}\n`);
  } finally {
    await connection.close();
  }
}

/*
 * The protobuf object form of a history (camelCase fields, enums as names, 64-bit numbers and
 * bytes as strings), read back with historyFromObject. Not historyToJSON of @temporalio/common:
 * in this SDK release it bundles another protobufjs than @temporalio/proto and throws
 * "type must be a Type" on any history.
 */
const History = temporal.api.history.v1.History;

function historyToObject(history: temporal.api.history.v1.IHistory): unknown {
  return History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
}

export function historyFromObject(object: unknown): temporal.api.history.v1.History {
  return History.fromObject(object as Record<string, unknown>);
}
