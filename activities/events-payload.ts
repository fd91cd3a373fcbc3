/**
 * What consumers receive, on Redis and in webhook bodies alike. `id` is unique per event and
 * stable across redeliveries: delivery is at least once, so consumers dedupe by it.
 */
export interface WireEvent {
  id: string;
  type: string;
  aggregateId: string;
  projectId: string | null;
  data: unknown;
  createdAt: string;
}

export function toWireEvent(row: {
  id: string;
  type: string;
  aggregateId: string;
  projectId: string | null;
  data: unknown;
  createdAt: Date;
}): WireEvent {
  return {
    id: row.id,
    type: row.type,
    aggregateId: row.aggregateId,
    projectId: row.projectId,
    data: row.data,
    createdAt: row.createdAt.toISOString(),
  };
}
