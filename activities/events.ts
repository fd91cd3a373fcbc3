import type { Logger } from 'pino';
import type { PrismaClient } from '../common/db';
import type { ServiceClients } from '../common/http/service-clients';
import type { Redis } from '../common/redis';
import type { SecretBox } from '../common/secret-box';
import { outboxActivities } from './events-publish';
import { webhookActivities } from './webhooks';

/** What the event relay's activities need; a separate factory because only they use Redis. */
export interface EventRelayDeps {
  prisma: PrismaClient;
  redis: Redis;
  logger: Logger;
  /** Opens the stored webhook signing secrets. */
  secrets: SecretBox;
  webhooks: { maxAttempts: number; retryInitialMs: number; timeoutMs?: number };
  /** The worker's outside-service clients (common/http): one breaker per webhook. */
  outbound: ServiceClients;
}

export function createEventRelayActivities(deps: EventRelayDeps) {
  return { ...outboxActivities(deps), ...webhookActivities(deps) };
}

export type EventRelayActivities = ReturnType<typeof createEventRelayActivities>;
