import { randomUUID } from 'node:crypto';
import { RETENTION_BATCH_SIZE, RETENTION_KINDS, type RetentionKind } from '../common/retention';
import { createWorkflowEnv, mockActivities, type WorkflowEnv } from '../tests/support/workflow-env';
import type { retentionWorkflow } from './retention';

let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

describe('retentionWorkflow', () => {
  it('When a kind has more than one call of rows, Then it is called again until done, kind after kind, deliveries before events', async () => {
    // Webhook deliveries need three calls, outbox events two; the rest are done at once.
    const left: Partial<Record<RetentionKind, number[]>> = { webhookDeliveries: [5000, 5000, 12], outboxEvents: [5000, 3] };
    const purgeRetained = jest.fn(async ({ kind }: { kind: RetentionKind; batchSize: number }) => {
      const next = left[kind]?.shift() ?? 0;
      return { deleted: next, more: (left[kind]?.length ?? 0) > 0 };
    });

    const result = await env.withWorker({ ...mockActivities(), purgeRetained } as any, (taskQueue) =>
      env.client.workflow.execute<typeof retentionWorkflow>('retentionWorkflow', {
        taskQueue,
        workflowId: `retention-test-${randomUUID()}`,
        args: [{}],
      }),
    );

    expect(purgeRetained.mock.calls.map(([a]) => a.kind)).toEqual([
      'webhookDeliveries',
      'webhookDeliveries',
      'webhookDeliveries',
      'outboxEvents',
      'outboxEvents',
      ...RETENTION_KINDS.slice(2),
    ]);
    expect(purgeRetained.mock.calls.every(([a]) => a.batchSize === RETENTION_BATCH_SIZE)).toBe(true);
    expect(result).toEqual({
      webhookDeliveries: 10_012,
      outboxEvents: 5003,
      chainTransactions: 0,
      idempotencyRecords: 0,
      refreshTokens: 0,
      auditLogs: 0,
    });
  }, 60_000);
});
