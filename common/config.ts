import { computeAddress } from 'ethers';
import { z } from 'zod';
import { outboundConfig, outboundEnv, outboundIssues, type OutboundConfig } from './outbound-config';
import { privacyConfig, privacyEnv, privacyIssues, type PrivacyConfig } from './privacy-config';
import { trustProxy, type TrustProxy } from './trust-proxy';
import type { RetentionSettings } from './retention';
import { securityConfig, securityEnv, securityIssues, type SecurityConfig } from './security-config';

/**
 * The one place where the process environment is read. Every variable is documented in
 * README.md#configuration; defaults suit a local machine. Call `loadConfig()` once at boot.
 */

// anvil's first well-known account and a fixed wallet secret: fine locally, refused in production.
export const ANVIL_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
/** anvil's second account: the local stack's admin key (deploys, mints, sets allowances). */
export const ANVIL_DEV_ADMIN_KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d';
const ANVIL_DEV_ADDRESS = '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266';
const DEV_WALLET_SECRET = 'development-only-wallet-master-secret-do-not-use';
const DEV_WEBHOOK_SECRET_KEY = 'development-only-webhook-secret-key-do-not-use';
const DEV_ID_DERIVATION_KEY = 'development-only-id-derivation-key-do-not-use';

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
const port = z.coerce.number().int().min(0).max(65535);
const days = (min: number) => z.coerce.number().int('must be a whole number of days').min(min).max(36_500);
const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), 'must be a postgresql:// URL');

const contractAddresses = z
  .string()
  .transform((raw, ctx) => {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      ctx.addIssue({
        code: 'custom',
        message: 'must be JSON, e.g. {"token":"0x…","treasury":"0x…","forwarder":"0x…","walletFactory":"0x…"}',
      });
      return z.NEVER;
    }
  })
  .pipe(z.object({ token: address, treasury: address, forwarder: address, walletFactory: address }).strict());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  DATABASE_URL: postgresUrl,
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^:\s]+:\d+$/, 'must be host:port')
    .default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('rahat'),
  BLOCKCHAIN_RPC_URL: z.string().url().default('http://127.0.0.1:8545'),
  SIGNER_PRIVATE_KEY: hexKey.optional(),
  /** Read only by the admin worker (workers/admin-main.ts); the API and payout workers never hold it. */
  ADMIN_PRIVATE_KEY: hexKey.optional(),
  /** The admin worker's view of the hot key: the address it makes disburser (it never holds the hot key). */
  SIGNER_ADDRESS: address.optional(),
  TX_MAX_FEE_GWEI: z.coerce.number().positive().max(1_000_000).default(500),
  CONTRACT_ADDRESSES: contractAddresses.optional(),
  CHAIN_CONFIRMATIONS: z.coerce.number().int().min(1).max(64).default(1),
  WALLET_MASTER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  WORKFLOW_BUNDLE_PATH: z.string().min(1).optional(),
  PAYOUT_CHUNK_SIZE: z.coerce.number().int().min(1).max(1000).default(500),
  BATCH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(24),
  TX_STUCK_AFTER_SECONDS: z.coerce.number().int().min(1).default(30),
  FAULT_INJECTION: z
    .string()
    .regex(/^([a-z-]+:(0|1|0?\.\d+))(,[a-z-]+:(0|1|0?\.\d+))*$/, 'must be point:probability[,point:probability…]')
    .optional(),
  REDIS_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_PORT: z.coerce.number().int().min(1).max(65535).default(6379),
  REDIS_PASSWORD: z.string().optional(),
  WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  WORKER_METRICS_PORT: port.default(9464),
  WEBHOOK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(12),
  WEBHOOK_RETRY_INITIAL_SECONDS: z.coerce.number().positive().max(3600).default(10),
  // Several API instances behind a proxy (docs/operations.md, "Several API instances").
  TRUST_PROXY: trustProxy.default(false),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[\w.:-]{1,64}$/, 'must be 1-64 letters, digits or _ . : -')
    .default('rahat:'),
  HOT_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  HEALTH_CHAIN_LAG_SECONDS: z.coerce.number().int().min(0).default(0),
  // Data retention in days per kind (common/retention.ts, docs/operations.md), and the key of
  // beneficiary ids (common/ids.ts, docs/privacy.md): never rotated, ids and wallets derive from it.
  RETENTION_OUTBOX_DAYS: days(1).default(30),
  RETENTION_WEBHOOK_DELIVERY_DAYS: days(1).default(30),
  RETENTION_CHAIN_TX_DAYS: days(1).default(90),
  RETENTION_IDEMPOTENCY_DAYS: days(0).default(0),
  RETENTION_REFRESH_TOKEN_DAYS: days(1).default(30),
  RETENTION_AUDIT_DAYS: z
    .union([z.literal('never'), days(1)], { error: 'must be a whole number of days (at least 1), or never' })
    .default(2557),
  ID_DERIVATION_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  ...securityEnv,
  ...privacyEnv,
  ...outboundEnv,
});

export type Env = z.input<typeof envSchema>;

/** PII keys, codec origins and imports come from common/privacy-config.ts. */
export interface Config extends PrivacyConfig {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  api: {
    host: string;
    port: number;
    /** Express `trust proxy`: which peers' X-Forwarded-For names the client (TRUST_PROXY). */
    trustProxy: TrustProxy;
  };
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  chain: {
    rpcUrl: string;
    signerKey: string;
    confirmations: number;
    /** Fixed addresses from CONTRACT_ADDRESSES; otherwise looked up in contract_deployments. */
    contracts?: { token: string; treasury: string; forwarder: string; walletFactory: string };
    /** No fee above this is ever signed (TX_MAX_FEE_GWEI), in wei. */
    maxFeePerGas: bigint;
  };
  /** Only in the admin worker's configuration (loadConfig(env, { adminWorker: true })). */
  admin?: {
    privateKey: string;
    /** The hot key's address, made disburser of the contracts the admin key deploys. */
    hotSigner: string;
  };
  /** Beneficiary wallet keys are derived from this; none is ever stored. */
  walletMasterSecret: string;
  /** Keys the beneficiary ids of projects with derivation 2 (common/ids.ts); never rotated. */
  idDerivationKey: string;
  /** Days each kind of record is kept once no longer needed (the retention schedule). */
  retention: RetentionSettings;
  distribution: {
    /** Payouts per disbursement transaction. */
    chunkSize: number;
    /** Chunks of one batch in flight at once. */
    concurrency: number;
    /** A transaction not mined after this long is replaced with a higher fee. */
    stuckAfterMs: number;
  };
  /** A prebuilt workflow bundle for the worker (else production uses dist/, development bundles at start). */
  workflowBundlePath?: string;
  /** Test-only crash points (common/faults.ts). */
  faultInjection?: string;
  /** Pub/sub target of the event relay; the API's shared rate limits and cache invalidation; probed by /health. */
  redis: { host: string; port: number; password?: string; keyPrefix: string };
  /** In-process cache of hot reads (projects, contract addresses), invalidated through Redis; 0 turns it off. */
  hotCache: { ttlMs: number };
  /** /health calls the chain degraded when its head block is older than this; 0 = not checked. */
  health: { chainLagMs: number };
  /** The worker's Prometheus endpoint (Temporal SDK metrics, chain call latency); port 0 turns it off. */
  workerMetrics: { host: string; port: number };
  webhooks: {
    /** Encrypts the stored webhook signing secrets (AES-256-GCM). */
    secretKey: string;
    /** Attempts per delivery before it is recorded as dead. */
    maxAttempts: number;
    /** First retry delay; doubles per attempt up to an hour. */
    retryInitialMs: number;
  };
  /** Authentication, CORS and rate limits of the API (common/security-config.ts). */
  security: SecurityConfig;
  /** Outside services: address policy and circuit breakers (common/outbound-config.ts). */
  outbound: OutboundConfig;
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env, opts: { adminWorker?: boolean } = {}): Config {
  // Empty strings count as unset, as shells and compose files often export VAR= .
  const env = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => ({
        variable: String(i.path[0] ?? '?'),
        message: i.path[0] !== undefined && env[String(i.path[0])] === undefined ? 'is required' : i.message,
      })),
    );
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production') {
    const required = opts.adminWorker
      ? (['ADMIN_PRIVATE_KEY', 'SIGNER_ADDRESS', 'WALLET_MASTER_SECRET', 'WEBHOOK_SECRET_KEY', 'ID_DERIVATION_KEY'] as const)
      : (['SIGNER_PRIVATE_KEY', 'WALLET_MASTER_SECRET', 'WEBHOOK_SECRET_KEY', 'ID_DERIVATION_KEY'] as const);
    const issues: { variable: string; message: string }[] = required
      .filter((k) => !e[k])
      .map((variable) => ({ variable, message: 'is required in production' }));
    // Crash hooks SIGKILL the worker mid-payout: a test tool that must never reach a deployment.
    if (e.FAULT_INJECTION)
      issues.push({ variable: 'FAULT_INJECTION', message: 'must not be set in production (the worker would kill itself)' });
    if (issues.length) throw new ConfigError(issues);
  }
  const admin = opts.adminWorker ? adminOf(e) : undefined;
  const outbound = outboundConfig(e, e.NODE_ENV);
  const security = [
    ...securityIssues(e, e.NODE_ENV),
    ...privacyIssues(e, e.NODE_ENV),
    ...outboundIssues(outbound.addressPolicy, e.IMPORT_PARTNERS ?? {}),
    ...retentionIssues(e),
  ];
  if (security.length) throw new ConfigError(security);
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    api: { host: e.API_HOST, port: e.API_PORT, trustProxy: e.TRUST_PROXY },
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    chain: {
      rpcUrl: e.BLOCKCHAIN_RPC_URL,
      signerKey: e.SIGNER_PRIVATE_KEY ?? ANVIL_DEV_KEY,
      confirmations: e.CHAIN_CONFIRMATIONS,
      contracts: e.CONTRACT_ADDRESSES,
      maxFeePerGas: BigInt(Math.round(e.TX_MAX_FEE_GWEI * 1e9)),
    },
    admin,
    walletMasterSecret: e.WALLET_MASTER_SECRET ?? DEV_WALLET_SECRET,
    idDerivationKey: e.ID_DERIVATION_KEY ?? DEV_ID_DERIVATION_KEY,
    retention: retentionOf(e),
    distribution: { chunkSize: e.PAYOUT_CHUNK_SIZE, concurrency: e.BATCH_CONCURRENCY, stuckAfterMs: e.TX_STUCK_AFTER_SECONDS * 1000 },
    faultInjection: e.FAULT_INJECTION,
    workflowBundlePath: e.WORKFLOW_BUNDLE_PATH,
    redis: { host: e.REDIS_HOST, port: e.REDIS_PORT, password: e.REDIS_PASSWORD, keyPrefix: e.REDIS_KEY_PREFIX },
    hotCache: { ttlMs: e.HOT_CACHE_TTL_SECONDS * 1000 },
    health: { chainLagMs: e.HEALTH_CHAIN_LAG_SECONDS * 1000 },
    workerMetrics: { host: e.WORKER_METRICS_HOST, port: e.WORKER_METRICS_PORT },
    webhooks: {
      secretKey: e.WEBHOOK_SECRET_KEY ?? DEV_WEBHOOK_SECRET_KEY,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryInitialMs: Math.round(e.WEBHOOK_RETRY_INITIAL_SECONDS * 1000),
    },
    security: securityConfig(e),
    ...privacyConfig(e),
    outbound,
  };
}

function retentionOf(e: z.output<typeof envSchema>): RetentionSettings {
  return {
    outboxDays: e.RETENTION_OUTBOX_DAYS,
    webhookDeliveryDays: e.RETENTION_WEBHOOK_DELIVERY_DAYS,
    chainTxDays: e.RETENTION_CHAIN_TX_DAYS,
    idempotencyDays: e.RETENTION_IDEMPOTENCY_DAYS,
    refreshTokenDays: e.RETENTION_REFRESH_TOKEN_DAYS,
    auditDays: e.RETENTION_AUDIT_DAYS === 'never' ? null : e.RETENTION_AUDIT_DAYS,
  };
}

/** The audit log is kept longest: never shorter than any other kind. */
function retentionIssues(e: z.output<typeof envSchema>): { variable: string; message: string }[] {
  const { auditDays, ...others } = retentionOf(e);
  const longest = Math.max(...Object.values(others));
  return auditDays !== null && auditDays < longest
    ? [
        {
          variable: 'RETENTION_AUDIT_DAYS',
          message: `must be at least ${longest}, the longest other retention: the audit log is kept longest`,
        },
      ]
    : [];
}

/** The admin worker's key and the hot key's address; the two keys must differ. */
function adminOf(e: z.output<typeof envSchema>): NonNullable<Config['admin']> {
  const privateKey = e.ADMIN_PRIVATE_KEY ?? ANVIL_DEV_ADMIN_KEY;
  const hotSigner = e.SIGNER_ADDRESS ?? (e.SIGNER_PRIVATE_KEY ? computeAddress(e.SIGNER_PRIVATE_KEY) : ANVIL_DEV_ADDRESS);
  if (computeAddress(privateKey).toLowerCase() === hotSigner.toLowerCase()) {
    throw new ConfigError([{ variable: 'ADMIN_PRIVATE_KEY', message: 'must not be the hot key (SIGNER_PRIVATE_KEY / SIGNER_ADDRESS)' }]);
  }
  return { privateKey, hotSigner };
}

/** Every variable the app reads, for docs and the compose-file consistency test. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);
