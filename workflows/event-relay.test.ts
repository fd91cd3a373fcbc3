import { randomUUID } from 'node:crypto';
import { createWorkflowEnv, mockActivities, type WorkflowEnv } from '../tests/support/workflow-env';
import type { eventRelayWorkflow } from './event-relay';

let env: WorkflowEnv;

beforeAll(async () => {
  env = await createWorkflowEnv(require.resolve('./index'));
}, 60_000);

afterAll(async () => {
  await env?.close();
});

/** The relay's activities as mocks, on top of the stubs of every other activity. */
function relayActivities(over: Partial<Record<'publishPendingEvents' | 'fanOutEvents' | 'deliverDueWebhooks', jest.Mock>> = {}) {
  const mocks = {
    publishPendingEvents: jest.fn().mockResolvedValue({ published: 0, more: false }),
    fanOutEvents: jest.fn().mockResolvedValue({ events: 0, deliveries: 0, more: false }),
    deliverDueWebhooks: jest.fn().mockResolvedValue({ attempted: 0, more: false }),
    ...over,
  };
  return { mocks, all: { ...mockActivities(), ...mocks } as any };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('eventRelayWorkflow', () => {
  it('When publishing to Redis keeps failing, Then webhook fan-out and delivery keep running on their own loop', async () => {
    const { mocks, all } = relayActivities({ publishPendingEvents: jest.fn().mockRejectedValue(new Error('redis down')) });

    await env.withWorker(all, async (taskQueue) => {
      const handle = await env.client.workflow.start<typeof eventRelayWorkflow>('eventRelayWorkflow', {
        taskQueue,
        workflowId: `relay-test-${randomUUID()}`,
        args: [{}],
      });
      await until(() => mocks.deliverDueWebhooks.mock.calls.length >= 3 && mocks.publishPendingEvents.mock.calls.length >= 2);
      await handle.terminate('test done');
    });

    expect(mocks.fanOutEvents.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(mocks.fanOutEvents).toHaveBeenCalledWith({ limit: 100 });
    expect(mocks.deliverDueWebhooks).toHaveBeenCalledWith({ limit: 20 });
  }, 60_000);

  it('When its history reaches the budget, Then it continues as new, more than once, and keeps relaying', async () => {
    // Always more to do: the loops never sleep, so the history grows fast.
    const { mocks, all } = relayActivities({ publishPendingEvents: jest.fn().mockResolvedValue({ published: 100, more: true }) });
    const workflowId = `relay-test-${randomUUID()}`;
    const runs = new Set<string>();

    await env.withWorker(all, async (taskQueue) => {
      const first = await env.client.workflow.start<typeof eventRelayWorkflow>('eventRelayWorkflow', {
        taskQueue,
        workflowId,
        args: [{ historyBudget: 60 }],
      });
      runs.add(first.firstExecutionRunId);
      const latest = env.client.workflow.getHandle(workflowId);
      await until(async () => {
        runs.add((await latest.describe()).runId);
        return runs.size >= 3;
      });
      const { historyLength } = await latest.describe();
      expect(historyLength).toBeLessThan(200);
      await latest.terminate('test done');
    });

    expect(runs.size).toBeGreaterThanOrEqual(3);
    expect(mocks.publishPendingEvents.mock.calls.length).toBeGreaterThan(10);
  }, 60_000);
});
