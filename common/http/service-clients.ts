import type { AddressPolicy, Resolver } from './address-policy';
import {
  createServiceClient,
  type BreakerOptions,
  type ServiceClient,
  type ServiceClientOptions,
  type ServiceEvent,
  type ServiceState,
} from './service-client';

/** What one process's outside-service clients share: the address policy and breaker settings. */
export interface OutboundSettings {
  addressPolicy: AddressPolicy;
  breaker: BreakerOptions;
  resolve?: Resolver;
}

export type ClientOptions = Pick<ServiceClientOptions, 'timeoutMs' | 'retries' | 'backoff' | 'maxResponseBytes'>;

/**
 * The worker's clients, one per service (`webhook:<id>`, `partner:<name>`), created on first
 * use and kept, so each service has one breaker for the whole process. Their states feed
 * /health and metrics (breaker-board.ts, workers/metrics.ts).
 */
export interface ServiceClients {
  get(name: string, options: ClientOptions): ServiceClient;
  /** Services used within the last `IDLE_MS` or whose breaker is not closed; idle closed ones are dropped. */
  states(): ServiceState[];
  /** Calls `listener` with every call and breaker change of every client. */
  subscribe(listener: (event: ServiceEvent) => void): void;
  close(): void;
}

const IDLE_MS = 10 * 60_000;

export function createServiceClients(settings: OutboundSettings): ServiceClients {
  const clients = new Map<string, ServiceClient>();
  const listeners: ((event: ServiceEvent) => void)[] = [];
  const onEvent = (event: ServiceEvent) => {
    for (const l of listeners) l(event);
  };
  return {
    get(name, options) {
      let client = clients.get(name);
      if (!client) {
        client = createServiceClient({ ...settings, ...options, name, onEvent });
        clients.set(name, client);
      }
      return client;
    },
    states() {
      const now = Date.now();
      const out: ServiceState[] = [];
      for (const [name, client] of clients) {
        const state = client.state();
        if (state.breaker === 'closed' && now - state.lastUsedAt > IDLE_MS) {
          // A deleted webhook's client, or a partner not pulled for a while: nothing to report.
          client.close();
          clients.delete(name);
        } else out.push(state);
      }
      return out;
    },
    subscribe(listener) {
      listeners.push(listener);
    },
    close() {
      for (const c of clients.values()) c.close();
      clients.clear();
    },
  };
}
