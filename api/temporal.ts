import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';

/** One lazily connected client per process: the API starts even while Temporal is down. */
export interface TemporalGateway {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export function createTemporalGateway(
  opts: { address: string; namespace: string; dataConverter: DataConverter },
  interceptors: WorkflowClientInterceptor[] = [],
): TemporalGateway {
  const connection = Connection.lazy({ address: opts.address, connectTimeout: '3 seconds' });
  // The data converter of common/data-converter.ts: what the API sends Temporal is encrypted.
  const client = new Client({
    connection,
    namespace: opts.namespace,
    dataConverter: opts.dataConverter,
    interceptors: { workflow: interceptors },
  });
  return { client, connection, close: () => connection.close() };
}
