import { computeAddress } from 'ethers';
import { ANVIL_DEV_ADMIN_KEY, ANVIL_DEV_KEY, ConfigError, loadConfig } from './config';

const DATABASE_URL = 'postgresql://rahat:rahat@127.0.0.1:5432/rahat';
const ADDR = (digit: string) => `0x${digit.repeat(40)}`;
const contracts = (extra: Record<string, string> = {}) =>
  JSON.stringify({ token: ADDR('1'), treasury: ADDR('2'), forwarder: ADDR('3'), walletFactory: ADDR('4'), ...extra });

/** The issues of the ConfigError that loadConfig throws for `env`; fails the test if it does not throw one. */
function issuesFor(env: Record<string, string | undefined>): { variable: string; message: string }[] {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('When only DATABASE_URL is set, Then every other value takes its local default', () => {
    const config = loadConfig({ DATABASE_URL });

    expect(config).toEqual({
      env: 'development',
      logLevel: 'info',
      api: { host: '127.0.0.1', port: 3000, trustProxy: false },
      databaseUrl: DATABASE_URL,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'rahat' },
      chain: {
        rpcUrl: 'http://127.0.0.1:8545',
        signerKey: ANVIL_DEV_KEY,
        confirmations: 1,
        contracts: undefined,
        maxFeePerGas: 500_000_000_000n,
      },
      // Only the admin worker's configuration carries the admin key.
      admin: undefined,
      walletMasterSecret: expect.any(String),
      idDerivationKey: expect.any(String),
      retention: {
        outboxDays: 30,
        webhookDeliveryDays: 30,
        chainTxDays: 90,
        idempotencyDays: 0,
        refreshTokenDays: 30,
        auditDays: 2557,
      },
      redis: { host: '127.0.0.1', port: 6379, password: undefined, keyPrefix: 'rahat:' },
      hotCache: { ttlMs: 60_000 },
      health: { chainLagMs: 0 },
      workerMetrics: { host: '127.0.0.1', port: 9464 },
      webhooks: { secretKey: expect.any(String), maxAttempts: 12, retryInitialMs: 10_000 },
      pii: { encryptionKeys: { 'dev-1': expect.any(String) }, activeKeyId: 'dev-1', blindIndexKey: expect.any(String) },
      codecCorsOrigins: ['http://127.0.0.1:8233', 'http://localhost:8233'],
      imports: { chunkSize: 1000, partners: {} },
      distribution: { chunkSize: 500, concurrency: 24, stuckAfterMs: 30_000 },
      faultInjection: undefined,
      workflowBundlePath: undefined,
      security: {
        jwtSecret: expect.any(String),
        jwks: undefined,
        bootstrapAdmin: undefined,
        corsOrigins: [],
        rateLimitPerMinute: 600,
        loginRateLimitPerMinute: 10,
      },
      outbound: { addressPolicy: 'loopback', breaker: { threshold: 5, resetTimeoutMs: 30_000 } },
    });
    expect(config.walletMasterSecret.length).toBeGreaterThanOrEqual(32);
    expect(config.idDerivationKey.length).toBeGreaterThanOrEqual(32);
  });

  it('When values are given, Then they are parsed and coerced', () => {
    const key = `0x${'ab'.repeat(32)}`;

    const config = loadConfig({
      DATABASE_URL,
      API_PORT: '8080',
      TEMPORAL_ADDRESS: 'temporal:7233',
      SIGNER_PRIVATE_KEY: key,
      CONTRACT_ADDRESSES: contracts(),
      CHAIN_CONFIRMATIONS: '3',
    });

    expect(config.api.port).toBe(8080);
    expect(config.temporal.address).toBe('temporal:7233');
    expect(config.chain.signerKey).toBe(key);
    expect(config.chain.confirmations).toBe(3);
    expect(config.chain.contracts).toEqual({ token: ADDR('1'), treasury: ADDR('2'), forwarder: ADDR('3'), walletFactory: ADDR('4') });
  });

  it('When DATABASE_URL is missing, Then a ConfigError names it as required', () => {
    const issues = issuesFor({});

    expect(issues).toEqual([{ variable: 'DATABASE_URL', message: 'is required' }]);
  });

  it('When DATABASE_URL is not a postgres URL, Then the issue names it with the reason', () => {
    const issues = issuesFor({ DATABASE_URL: 'mysql://db/rahat' });

    expect(issues).toEqual([{ variable: 'DATABASE_URL', message: 'must be a postgresql:// URL' }]);
  });

  it('When a ConfigError is thrown, Then its message lists each variable for the boot log', () => {
    const act = () => loadConfig({ API_PORT: 'x' });

    expect(act).toThrow(/^\s+DATABASE_URL: is required$/m);
    expect(act).toThrow(/^\s+API_PORT: .+$/m);
  });

  it.each([
    ['API_PORT', 'not-a-number', /number/],
    ['API_PORT', '70000', /65535/],
    ['TEMPORAL_ADDRESS', 'localhost', /host:port/],
    ['SIGNER_PRIVATE_KEY', '0x1234', /32-byte hex private key/],
    ['CONTRACT_ADDRESSES', '{not json', /must be JSON/],
    ['CONTRACT_ADDRESSES', contracts({ token: '0x1234' }), /20-byte hex address/],
    ['CONTRACT_ADDRESSES', contracts({ extra: ADDR('4') }), /extra/],
    ['REDIS_PORT', '0', />=1/],
    ['WEBHOOK_SECRET_KEY', 'short', /32 characters/],
    ['WEBHOOK_MAX_ATTEMPTS', '0', />=1/],
    ['ID_DERIVATION_KEY', 'short', /32 characters/],
    ['RETENTION_OUTBOX_DAYS', '0', />=1/],
    ['RETENTION_CHAIN_TX_DAYS', '1.5', /whole number of days/],
    ['RETENTION_IDEMPOTENCY_DAYS', '-1', />=0/],
    ['RETENTION_AUDIT_DAYS', 'forever', /or never/],
  ])('When %s is %s, Then the ConfigError names that variable', (variable, value, reason) => {
    const issues = issuesFor({ DATABASE_URL, [variable]: value });

    expect(issues).toHaveLength(1);
    expect(issues[0]!.variable).toBe(variable);
    expect(issues[0]!.message).toMatch(reason);
  });

  it('When NODE_ENV is production without a signer key and the secrets, Then each is named as required', () => {
    const issues = issuesFor({ DATABASE_URL, NODE_ENV: 'production' });

    expect(issues).toEqual([
      { variable: 'SIGNER_PRIVATE_KEY', message: 'is required in production' },
      { variable: 'WALLET_MASTER_SECRET', message: 'is required in production' },
      { variable: 'WEBHOOK_SECRET_KEY', message: 'is required in production' },
      { variable: 'ID_DERIVATION_KEY', message: 'is required in production' },
    ]);
  });

  it('When NODE_ENV is production with all secrets, Then the config loads with them', () => {
    const key = `0x${'cd'.repeat(32)}`;
    const secret = 's'.repeat(32);
    const webhookKey = 'w'.repeat(32);

    const config = loadConfig({
      DATABASE_URL,
      NODE_ENV: 'production',
      SIGNER_PRIVATE_KEY: key,
      WALLET_MASTER_SECRET: secret,
      WEBHOOK_SECRET_KEY: webhookKey,
      ID_DERIVATION_KEY: 'i'.repeat(32),
      JWT_SECRET: 'j'.repeat(32),
      PII_ENCRYPTION_KEYS: JSON.stringify({ k1: Buffer.alloc(32, 1).toString('base64') }),
      PII_BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
    });

    expect(config.chain.signerKey).toBe(key);
    expect(config.walletMasterSecret).toBe(secret);
    expect(config.webhooks.secretKey).toBe(webhookKey);
    expect(config.idDerivationKey).toBe('i'.repeat(32));
  });

  it('When FAULT_INJECTION is set with NODE_ENV=production, Then loading refuses with a message naming FAULT_INJECTION', () => {
    const production = {
      DATABASE_URL,
      NODE_ENV: 'production',
      SIGNER_PRIVATE_KEY: `0x${'cd'.repeat(32)}`,
      WALLET_MASTER_SECRET: 's'.repeat(32),
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
      ID_DERIVATION_KEY: 'i'.repeat(32),
      JWT_SECRET: 'j'.repeat(32),
      PII_ENCRYPTION_KEYS: JSON.stringify({ k1: Buffer.alloc(32, 1).toString('base64') }),
      PII_BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
      FAULT_INJECTION: 'crash-after-sign:0.05',
    };

    expect(issuesFor(production)).toEqual([
      { variable: 'FAULT_INJECTION', message: expect.stringMatching(/must not be set in production/) },
    ]);
    expect(() => loadConfig(production)).toThrow(/FAULT_INJECTION/);
    expect(() => loadConfig(production, { adminWorker: true })).toThrow(/FAULT_INJECTION/);
    expect(loadConfig({ DATABASE_URL, NODE_ENV: 'test', FAULT_INJECTION: 'crash-after-sign:0.05' }).faultInjection).toBe(
      'crash-after-sign:0.05',
    );
  });

  it('When retention variables are given, Then each kind keeps its own days and the audit log may be kept for ever', () => {
    const config = loadConfig({
      DATABASE_URL,
      RETENTION_OUTBOX_DAYS: '7',
      RETENTION_WEBHOOK_DELIVERY_DAYS: '14',
      RETENTION_CHAIN_TX_DAYS: '365',
      RETENTION_IDEMPOTENCY_DAYS: '2',
      RETENTION_REFRESH_TOKEN_DAYS: '60',
      RETENTION_AUDIT_DAYS: 'never',
    });

    expect(config.retention).toEqual({
      outboxDays: 7,
      webhookDeliveryDays: 14,
      chainTxDays: 365,
      idempotencyDays: 2,
      refreshTokenDays: 60,
      auditDays: null,
    });
    expect(loadConfig({ DATABASE_URL, RETENTION_AUDIT_DAYS: '3650' }).retention.auditDays).toBe(3650);
  });

  it('When the audit log would be kept shorter than another kind, Then RETENTION_AUDIT_DAYS is refused', () => {
    expect(issuesFor({ DATABASE_URL, RETENTION_CHAIN_TX_DAYS: '400', RETENTION_AUDIT_DAYS: '365' })).toEqual([
      { variable: 'RETENTION_AUDIT_DAYS', message: expect.stringMatching(/at least 400.*audit log is kept longest/) },
    ]);
  });

  it('When Redis, worker metrics and webhook variables are given, Then they are parsed', () => {
    const config = loadConfig({
      DATABASE_URL,
      REDIS_HOST: 'redis',
      REDIS_PORT: '6380',
      REDIS_PASSWORD: 'pw',
      WORKER_METRICS_HOST: '0.0.0.0',
      WORKER_METRICS_PORT: '0',
      WEBHOOK_MAX_ATTEMPTS: '3',
      WEBHOOK_RETRY_INITIAL_SECONDS: '0.25',
    });

    expect(config.redis).toEqual({ host: 'redis', port: 6380, password: 'pw', keyPrefix: 'rahat:' });
    expect(config.workerMetrics).toEqual({ host: '0.0.0.0', port: 0 });
    expect(config.webhooks).toMatchObject({ maxAttempts: 3, retryInitialMs: 250 });
  });

  it.each([
    ['false', false],
    ['1', 1],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.7 ,fd00::/8', ['10.0.0.0/8', '192.168.1.7', 'fd00::/8']],
  ])('When TRUST_PROXY is %s, Then Express gets %p', (raw, expected) => {
    expect(loadConfig({ DATABASE_URL, TRUST_PROXY: raw }).api.trustProxy).toEqual(expected);
  });

  it.each(['true', '10.0.0.0/33', 'proxy.example.org', '10.0.0.1/8/2', ','])(
    'When TRUST_PROXY is %s, Then it is refused with a message naming it',
    (raw) => {
      expect(issuesFor({ DATABASE_URL, TRUST_PROXY: raw }).map((i) => i.variable)).toEqual(['TRUST_PROXY']);
    },
  );

  it('When the scale-out variables are given, Then the key prefix, cache TTL and chain lag are read', () => {
    const config = loadConfig({ DATABASE_URL, REDIS_KEY_PREFIX: 'staging:', HOT_CACHE_TTL_SECONDS: '0', HEALTH_CHAIN_LAG_SECONDS: '90' });

    expect(config.redis.keyPrefix).toBe('staging:');
    expect(config.hotCache).toEqual({ ttlMs: 0 });
    expect(config.health).toEqual({ chainLagMs: 90_000 });
    expect(issuesFor({ DATABASE_URL, REDIS_KEY_PREFIX: 'has space' }).map((i) => i.variable)).toEqual(['REDIS_KEY_PREFIX']);
  });

  it('When variables are empty strings, Then they count as unset: defaults apply and a required one is reported missing', () => {
    const config = loadConfig({ DATABASE_URL, API_PORT: '', TEMPORAL_ADDRESS: '', SIGNER_PRIVATE_KEY: '', CONTRACT_ADDRESSES: '' });

    expect(config.api.port).toBe(3000);
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.chain.signerKey).toBe(ANVIL_DEV_KEY);
    expect(config.chain.contracts).toBeUndefined();
    expect(issuesFor({ DATABASE_URL: '' })).toEqual([{ variable: 'DATABASE_URL', message: 'is required' }]);
    expect(
      issuesFor({ DATABASE_URL, NODE_ENV: 'production', SIGNER_PRIVATE_KEY: '', WALLET_MASTER_SECRET: '' }).map((i) => i.variable),
    ).toEqual(['SIGNER_PRIVATE_KEY', 'WALLET_MASTER_SECRET', 'WEBHOOK_SECRET_KEY', 'ID_DERIVATION_KEY']);
  });

  it('When TX_MAX_FEE_GWEI is given, Then the fee ceiling is that many gwei in wei; a non-positive one is refused', () => {
    expect(loadConfig({ DATABASE_URL, TX_MAX_FEE_GWEI: '2.5' }).chain.maxFeePerGas).toBe(2_500_000_000n);
    expect(issuesFor({ DATABASE_URL, TX_MAX_FEE_GWEI: '0' }).map((i) => i.variable)).toEqual(['TX_MAX_FEE_GWEI']);
  });
});

describe('outside services configuration', () => {
  const production = {
    DATABASE_URL,
    NODE_ENV: 'production',
    SIGNER_PRIVATE_KEY: `0x${'cd'.repeat(32)}`,
    WALLET_MASTER_SECRET: 's'.repeat(32),
    WEBHOOK_SECRET_KEY: 'w'.repeat(32),
    ID_DERIVATION_KEY: 'i'.repeat(32),
    JWT_SECRET: 'j'.repeat(32),
    PII_ENCRYPTION_KEYS: JSON.stringify({ k1: Buffer.alloc(32, 1).toString('base64') }),
    PII_BLIND_INDEX_KEY: Buffer.alloc(32, 2).toString('base64'),
  };
  const partners = (url: string) => JSON.stringify({ unicef: { url } });

  it('When NODE_ENV is production, Then outside services may reach public addresses only unless OUTBOUND_ADDRESS_POLICY says otherwise', () => {
    expect(loadConfig(production).outbound.addressPolicy).toBe('public');
    expect(loadConfig({ ...production, OUTBOUND_ADDRESS_POLICY: 'private' }).outbound.addressPolicy).toBe('private');
    expect(loadConfig({ DATABASE_URL, NODE_ENV: 'test' }).outbound.addressPolicy).toBe('loopback');
  });

  it('When a partner registry is an internal IP literal in production, Then IMPORT_PARTNERS is refused naming the partner and the address kind', () => {
    for (const url of ['http://127.0.0.1:8080/feed', 'https://10.1.2.3/feed', 'http://169.254.169.254/latest', 'https://[::1]/feed']) {
      const issues = issuesFor({ ...production, IMPORT_PARTNERS: partners(url) });
      expect(issues).toEqual([
        { variable: 'IMPORT_PARTNERS', message: expect.stringMatching(/^unicef: .* (loopback|private|metadata) address/) },
      ]);
    }
    expect(
      loadConfig({ ...production, IMPORT_PARTNERS: partners('https://registry.example.org/feed') }).imports.partners.unicef,
    ).toBeDefined();
    // Outside production, local stand-ins stay reachable.
    expect(loadConfig({ DATABASE_URL, IMPORT_PARTNERS: partners('http://127.0.0.1:8080/feed') }).imports.partners.unicef).toBeDefined();
  });

  it('When breaker variables are given, Then they are parsed; a zero threshold is refused', () => {
    const config = loadConfig({ DATABASE_URL, OUTBOUND_BREAKER_THRESHOLD: '3', OUTBOUND_BREAKER_RESET_SECONDS: '2.5' });

    expect(config.outbound.breaker).toEqual({ threshold: 3, resetTimeoutMs: 2500 });
    expect(issuesFor({ DATABASE_URL, OUTBOUND_BREAKER_THRESHOLD: '0' }).map((i) => i.variable)).toEqual(['OUTBOUND_BREAKER_THRESHOLD']);
    expect(issuesFor({ DATABASE_URL, OUTBOUND_ADDRESS_POLICY: 'anything' }).map((i) => i.variable)).toEqual(['OUTBOUND_ADDRESS_POLICY']);
  });
});

describe('the admin worker configuration', () => {
  const admin = (env: Record<string, string>) => loadConfig({ DATABASE_URL, ...env }, { adminWorker: true });

  it('When loaded for the admin worker locally, Then it carries the development admin key and the hot key address, never the same key', () => {
    const c = admin({});
    expect(c.admin).toEqual({ privateKey: ANVIL_DEV_ADMIN_KEY, hotSigner: computeAddress(ANVIL_DEV_KEY) });
    expect(loadConfig({ DATABASE_URL }).admin).toBeUndefined();
  });

  it('When the admin key is the hot key, Then ADMIN_PRIVATE_KEY is refused', () => {
    expect(() => admin({ ADMIN_PRIVATE_KEY: ANVIL_DEV_KEY })).toThrow(/ADMIN_PRIVATE_KEY: must not be the hot key/);
    expect(() => admin({ ADMIN_PRIVATE_KEY: ANVIL_DEV_ADMIN_KEY, SIGNER_ADDRESS: computeAddress(ANVIL_DEV_ADMIN_KEY) })).toThrow(
      /must not be the hot key/,
    );
  });

  it('When a hot key is set, Then the admin worker makes its address the disburser unless SIGNER_ADDRESS says otherwise', () => {
    const key = `0x${'11'.repeat(32)}`;
    expect(admin({ SIGNER_PRIVATE_KEY: key }).admin!.hotSigner).toBe(computeAddress(key));
    expect(admin({ SIGNER_ADDRESS: '0x00000000000000000000000000000000000000aa' }).admin!.hotSigner).toBe(
      '0x00000000000000000000000000000000000000aa',
    );
  });

  it('When NODE_ENV is production, Then the admin worker needs ADMIN_PRIVATE_KEY and SIGNER_ADDRESS but not the hot key', () => {
    let issues: { variable: string }[] = [];
    try {
      admin({ NODE_ENV: 'production' });
    } catch (err) {
      issues = (err as ConfigError).issues;
    }
    expect(issues.map((i) => i.variable)).toEqual([
      'ADMIN_PRIVATE_KEY',
      'SIGNER_ADDRESS',
      'WALLET_MASTER_SECRET',
      'WEBHOOK_SECRET_KEY',
      'ID_DERIVATION_KEY',
    ]);
  });
});
