import { ANVIL_DEV_KEY, ConfigError, loadConfig } from './config';

const DATABASE_URL = 'postgresql://rahat:rahat@127.0.0.1:5432/rahat';
const ADDR = (digit: string) => `0x${digit.repeat(40)}`;
const contracts = (extra: Record<string, string> = {}) => JSON.stringify({ token: ADDR('1'), treasury: ADDR('2'), forwarder: ADDR('3'), ...extra });

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
      api: { host: '127.0.0.1', port: 3000 },
      databaseUrl: DATABASE_URL,
      temporal: { address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'rahat' },
      chain: { rpcUrl: 'http://127.0.0.1:8545', signerKey: ANVIL_DEV_KEY, confirmations: 1, contracts: undefined },
      walletMasterSecret: expect.any(String),
    });
    expect(config.walletMasterSecret.length).toBeGreaterThanOrEqual(32);
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
    expect(config.chain.contracts).toEqual({ token: ADDR('1'), treasury: ADDR('2'), forwarder: ADDR('3') });
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
  ])('When %s is %s, Then the ConfigError names that variable', (variable, value, reason) => {
    const issues = issuesFor({ DATABASE_URL, [variable]: value });

    expect(issues).toHaveLength(1);
    expect(issues[0]!.variable).toBe(variable);
    expect(issues[0]!.message).toMatch(reason);
  });

  it('When NODE_ENV is production without a signer key and wallet secret, Then both are named as required', () => {
    const issues = issuesFor({ DATABASE_URL, NODE_ENV: 'production' });

    expect(issues).toEqual([
      { variable: 'SIGNER_PRIVATE_KEY', message: 'is required in production' },
      { variable: 'WALLET_MASTER_SECRET', message: 'is required in production' },
    ]);
  });

  it('When NODE_ENV is production with both secrets, Then the config loads with them', () => {
    const key = `0x${'cd'.repeat(32)}`;
    const secret = 's'.repeat(32);

    const config = loadConfig({ DATABASE_URL, NODE_ENV: 'production', SIGNER_PRIVATE_KEY: key, WALLET_MASTER_SECRET: secret });

    expect(config.chain.signerKey).toBe(key);
    expect(config.walletMasterSecret).toBe(secret);
  });

  it('When variables are empty strings, Then they count as unset: defaults apply and a required one is reported missing', () => {
    const config = loadConfig({ DATABASE_URL, API_PORT: '', TEMPORAL_ADDRESS: '', SIGNER_PRIVATE_KEY: '', CONTRACT_ADDRESSES: '' });

    expect(config.api.port).toBe(3000);
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.chain.signerKey).toBe(ANVIL_DEV_KEY);
    expect(config.chain.contracts).toBeUndefined();
    expect(issuesFor({ DATABASE_URL: '' })).toEqual([{ variable: 'DATABASE_URL', message: 'is required' }]);
    expect(issuesFor({ DATABASE_URL, NODE_ENV: 'production', SIGNER_PRIVATE_KEY: '', WALLET_MASTER_SECRET: '' }).map((i) => i.variable)).toEqual([
      'SIGNER_PRIVATE_KEY',
      'WALLET_MASTER_SECRET',
    ]);
  });
});
