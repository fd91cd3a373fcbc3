import { Client, Connection } from '@temporalio/client';

/** One lazily connected client per process: the API starts even while Temporal is down. */
export interface TemporalGateway {
  client: Client;
  connection: Connection;
  close(): Promise<void>;
}

export function createTemporalGateway(opts: { address: string; namespace: string }): TemporalGateway {
  const connection = Connection.lazy({ address: opts.address, connectTimeout: '3 seconds' });
  const client = new Client({ connection, namespace: opts.namespace });
  return { client, connection, close: () => connection.close() };
}
