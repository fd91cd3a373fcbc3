import type { Logger } from 'pino';
import type { PayloadCodec } from '@temporalio/common';
import type { PersonalDataVault } from '../common/crypto/vault';
import type { PrismaClient } from '../common/db';
import type { AddressPolicy, Resolver } from '../common/http/address-policy';
import type { Redis } from '../common/redis';
import type { SecretBox } from '../common/secret-box';
import type { SecurityConfig } from '../common/security-config';
import type { HotCache } from '../common/hot-cache';
import type { TrustProxy } from '../common/trust-proxy';
import type { Authenticator } from './auth/actor';
import type { ChainReader } from './chain-reader';
import type { ApiMetrics } from './metrics';
import type { ProjectStore } from './project-store';
import type { RateLimits } from './rate-limits';
import type { TemporalGateway } from './temporal';

export interface ApiDeps {
  prisma: PrismaClient;
  temporal: TemporalGateway;
  /** Probed by /health with a bare JSON-RPC call; the API sends no transactions. */
  rpcUrl: string;
  /** Reads the chain (budgets, treasury, signer health); never signs. */
  chain: ChainReader;
  /** The hot key's address (its nonces and pending transactions are in /health). */
  hotSigner: string;
  /** TX_STUCK_AFTER_SECONDS in ms: /health calls a signer degraded when its oldest transaction waits much longer. */
  stuckAfterMs: number;
  logger: Logger;
  taskQueue: string;
  auth: Authenticator;
  /** JWT secret, CORS origins and rate limits (common/security-config.ts). */
  security: SecurityConfig;
  /** Express `trust proxy` (TRUST_PROXY): whose X-Forwarded-For names the client. */
  trustProxy: TrustProxy;
  /** Requests and sign-in attempts per key, shared by every API instance through Redis. */
  limits: RateLimits;
  /** Hot reads, dropped on every instance when they change (common/hot-cache.ts). */
  cache: HotCache;
  projects: ProjectStore;
  /** /health: the chain is degraded when its head block is older than this (0 = not checked). */
  health: { chainLagMs: number };
  distribution: { chunkSize: number; concurrency: number };
  /** Shared rate limits and cache invalidation; probed by /health (the worker's event relay publishes to it). */
  redis: Redis;
  metrics: ApiMetrics;
  /** Seals webhook signing secrets before they are stored. */
  secrets: SecretBox;
  /** Personal data encryption and the payload codec served to the Temporal Web UI (docs/privacy.md). */
  privacy: { vault: PersonalDataVault; codec: PayloadCodec; codecCorsOrigins: string[] };
  /** Where webhook URLs may point (OUTBOUND_ADDRESS_POLICY); the resolver is replaceable in tests. */
  outbound: { addressPolicy: AddressPolicy; resolve?: Resolver };
  /** ID_DERIVATION_KEY: new projects' beneficiary ids are keyed with it (common/ids.ts). */
  idDerivationKey: string;
  /** Rows per enrolment transaction, and the names of the partner registries (IMPORT_PARTNERS). */
  imports: { chunkSize: number; partners: string[] };
}
