import { Client, WorkflowIdConflictPolicy } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import type { Logger } from 'pino';
import { createEventRelayActivities, type EventRelayActivities } from '../activities/events';
import type { Config } from '../common/config';
import { createDataConverter } from '../common/data-converter';
import type { PrismaClient } from '../common/db';
import type { ServiceClients } from '../common/http/service-clients';
import { closeRedis, createRedis, type Redis } from '../common/redis';
import { createSecretBox } from '../common/secret-box';
import { workflowIds } from '../common/workflow-ids';
import type { eventRelayWorkflow } from '../workflows/event-relay';

export interface EventRelayParts {
  activities: EventRelayActivities;
  /** The relay's Redis connection; the worker's breaker states are published on it too. */
  redis: Redis;
  close(): Promise<void>;
}

/** The relay's activities with their own Redis connection (the other activities need none). */
export function openEventRelay(config: Config, prisma: PrismaClient, logger: Logger, outbound: ServiceClients): EventRelayParts {
  const redis = createRedis(config.redis, logger.child({ component: 'redis' }));
  const activities = createEventRelayActivities({
    prisma,
    redis,
    logger,
    secrets: createSecretBox(config.webhooks.secretKey),
    webhooks: { maxAttempts: config.webhooks.maxAttempts, retryInitialMs: config.webhooks.retryInitialMs },
    outbound,
  });
  return { activities, redis, close: () => closeRedis(redis) };
}

/**
 * Starts the one relay of this task queue unless it runs already: every worker calls this at
 * boot, and the fixed workflow id makes all but the first call a no-op.
 */
export async function ensureEventRelay(connection: NativeConnection, config: Config, logger: Logger): Promise<void> {
  const client = new Client({ connection, namespace: config.temporal.namespace, dataConverter: createDataConverter(config.pii) });
  const workflowId = workflowIds.eventRelay(config.temporal.taskQueue);
  const handle = await client.workflow.start<typeof eventRelayWorkflow>('eventRelayWorkflow', {
    taskQueue: config.temporal.taskQueue,
    workflowId,
    args: [{}],
    workflowIdConflictPolicy: WorkflowIdConflictPolicy.USE_EXISTING,
  });
  logger.info({ workflowId, runId: handle.firstExecutionRunId }, 'event relay running');
}
