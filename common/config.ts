import { z } from 'zod';

/**
 * The one place where the process environment is read. Every variable is documented in
 * README.md#configuration; defaults suit a local machine. Call `loadConfig()` once at boot.
 */

// anvil's first well-known account and a fixed wallet secret: fine locally, refused in production.
export const ANVIL_DEV_KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80';
const DEV_WALLET_SECRET = 'development-only-wallet-master-secret-do-not-use';

const hexKey = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be a 0x-prefixed 32-byte hex private key');
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x-prefixed 20-byte hex address');
const port = z.coerce.number().int().min(0).max(65535);
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
      ctx.addIssue({ code: 'custom', message: 'must be JSON, e.g. {"token":"0x…","treasury":"0x…","forwarder":"0x…"}' });
      return z.NEVER;
    }
  })
  .pipe(z.object({ token: address, treasury: address, forwarder: address }).strict());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: port.default(3000),
  DATABASE_URL: postgresUrl,
  TEMPORAL_ADDRESS: z.string().regex(/^[^:\s]+:\d+$/, 'must be host:port').default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('rahat'),
  BLOCKCHAIN_RPC_URL: z.string().url().default('http://127.0.0.1:8545'),
  SIGNER_PRIVATE_KEY: hexKey.optional(),
  CONTRACT_ADDRESSES: contractAddresses.optional(),
  CHAIN_CONFIRMATIONS: z.coerce.number().int().min(1).max(64).default(1),
  WALLET_MASTER_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  api: { host: string; port: number };
  databaseUrl: string;
  temporal: { address: string; namespace: string; taskQueue: string };
  chain: {
    rpcUrl: string;
    signerKey: string;
    confirmations: number;
    /** Fixed addresses from CONTRACT_ADDRESSES; otherwise looked up in contract_deployments. */
    contracts?: { token: string; treasury: string; forwarder: string };
  };
  /** Beneficiary wallet keys are derived from this; none is ever stored. */
  walletMasterSecret: string;
}

export class ConfigError extends Error {
  constructor(readonly issues: { variable: string; message: string }[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  ${i.variable}: ${i.message}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
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
    const missing = (['SIGNER_PRIVATE_KEY', 'WALLET_MASTER_SECRET'] as const).filter((k) => !e[k]);
    if (missing.length) throw new ConfigError(missing.map((variable) => ({ variable, message: 'is required in production' })));
  }
  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    api: { host: e.API_HOST, port: e.API_PORT },
    databaseUrl: e.DATABASE_URL,
    temporal: { address: e.TEMPORAL_ADDRESS, namespace: e.TEMPORAL_NAMESPACE, taskQueue: e.TEMPORAL_TASK_QUEUE },
    chain: {
      rpcUrl: e.BLOCKCHAIN_RPC_URL,
      signerKey: e.SIGNER_PRIVATE_KEY ?? ANVIL_DEV_KEY,
      confirmations: e.CHAIN_CONFIRMATIONS,
      contracts: e.CONTRACT_ADDRESSES,
    },
    walletMasterSecret: e.WALLET_MASTER_SECRET ?? DEV_WALLET_SECRET,
  };
}

/** Every variable the app reads, for docs and the compose-file consistency test. */
export const CONFIG_VARIABLES = Object.keys(envSchema.shape);
