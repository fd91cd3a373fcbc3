import { CancellationScope, continueAsNew, proxyActivities, sleep, workflowInfo } from '@temporalio/workflow';
import type { EventRelayActivities } from '../activities/events';

export interface EventRelayOptions {
  /** Events per run before continue-as-new; small values only in tests. */
  historyBudget?: number;
}

const PAGE = 100;
const DELIVERY_PAGE = 20;
const IDLE = '1 second';
const HISTORY_BUDGET = 3000;

// Activities retry without limit: an outage delays events, never drops them. The short maximum
// interval bounds how long delivery lags behind Redis or Postgres coming back.
const retry = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '10 seconds' };
const relay = proxyActivities<EventRelayActivities>({ startToCloseTimeout: '1 minute', retry });
const webhooks = proxyActivities<EventRelayActivities>({ startToCloseTimeout: '2 minutes', retry });

/**
 * The outbox relay (docs/events.md): one instance per task queue, started by the worker.
 * Two loops run side by side so that Redis being down never holds webhooks back:
 * publish to Redis, and fan out + deliver to webhooks. Each sleeps when it has nothing to do.
 * The run continues as new when its history reaches the budget, keeping history bounded.
 */
export async function eventRelayWorkflow(options: EventRelayOptions = {}): Promise<void> {
  const budget = options.historyBudget ?? HISTORY_BUDGET;
  const rotate = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= budget;
  const loop = async (step: () => Promise<boolean>) => {
    while (!rotate()) if (!(await step())) await sleep(IDLE);
  };
  const scope = new CancellationScope();
  const loops = [
    scope.run(() => loop(async () => (await relay.publishPendingEvents({ limit: PAGE })).more)),
    scope.run(() =>
      loop(async () => {
        const fanned = await webhooks.fanOutEvents({ limit: PAGE });
        const delivered = await webhooks.deliverDueWebhooks({ limit: DELIVERY_PAGE });
        return fanned.more || delivered.more;
      }),
    ),
  ];
  // The first loop to reach the budget ends the run; the other may be waiting on an activity
  // that keeps failing (Redis down), so it is cancelled rather than awaited. Its activities are
  // idempotent and the next run picks up where it stopped.
  await Promise.race(loops);
  scope.cancel();
  await Promise.allSettled(loops);
  await continueAsNew<typeof eventRelayWorkflow>(options);
}
