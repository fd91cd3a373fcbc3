import type { Redis } from 'ioredis';
import { ConfigError, type Config } from '../common/config';
import { checkUrlAddress, systemResolver, type Resolver } from '../common/http/address-policy';
import { publishBreakerStates } from '../common/http/breaker-board';
import { isAddressRefused } from '../common/http/errors';
import { createServiceClients, type ServiceClients } from '../common/http/service-clients';

/**
 * The worker's outside-service clients (common/http) and where their breakers are seen: the
 * Redis board the API reads for /health and /metrics (common/http/breaker-board.ts).
 */
export interface Outbound {
  clients: ServiceClients;
  /** Starts publishing breaker states for the API. */
  publish(redis: Redis): void;
  close(): Promise<void>;
}

export function openOutbound(config: Config, resolve?: Resolver): Outbound {
  const clients = createServiceClients({ ...config.outbound, resolve });
  let stop: (() => Promise<void>) | undefined;
  return {
    clients,
    publish(redis) {
      stop = publishBreakerStates(redis, config.temporal.taskQueue, clients);
    },
    async close() {
      await stop?.();
      clients.close();
    },
  };
}

/**
 * Partner registries are registered by configuration, so their names are resolved here, at
 * start: one that resolves to an address the policy refuses stops the worker, naming
 * IMPORT_PARTNERS (IP literals were refused by loadConfig already). A name that does not
 * resolve now passes; the connection-time check covers it.
 */
export async function checkPartnerAddresses(config: Config, resolve: Resolver = systemResolver): Promise<void> {
  const issues: { variable: string; message: string }[] = [];
  for (const [name, partner] of Object.entries(config.imports.partners)) {
    await checkUrlAddress(partner.url, config.outbound.addressPolicy, resolve).catch((err: unknown) => {
      if (!isAddressRefused(err)) throw err;
      issues.push({
        variable: 'IMPORT_PARTNERS',
        message: `${name}: ${err.message} (OUTBOUND_ADDRESS_POLICY=${config.outbound.addressPolicy})`,
      });
    });
  }
  if (issues.length) throw new ConfigError(issues);
}
