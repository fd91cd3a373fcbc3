import { randomUUID } from 'node:crypto';
import type { Prisma } from './db';

export type EventType =
  | 'beneficiary.created'
  | 'beneficiary.failed'
  | 'wallet.created'
  | 'token.distributed'
  | 'distribution.failed'
  | 'batch.completed';

export interface DomainEvent {
  type: EventType;
  /** The entity the event is about (beneficiary id, payout id, batch id). */
  aggregateId: string;
  projectId?: string;
  /** Identifiers and amounts only: never personal data. */
  data: Record<string, string | number | boolean | null>;
}

/**
 * Records an event inside the caller's transaction, so it exists if and only if the change
 * committed. The event relay delivers it later, at least once; consumers dedupe by `id`.
 */
export async function recordEvent(tx: Prisma.TransactionClient, event: DomainEvent): Promise<string> {
  const id = randomUUID();
  await tx.outboxEvent.create({
    data: { id, type: event.type, aggregateId: event.aggregateId, projectId: event.projectId, data: event.data },
  });
  return id;
}
