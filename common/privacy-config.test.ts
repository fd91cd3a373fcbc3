import { ConfigError, loadConfig } from './config';

const DATABASE_URL = 'postgresql://rahat:rahat@127.0.0.1:5432/rahat';
const key = (byte: number) => Buffer.alloc(32, byte).toString('base64');
const keys = (map: Record<string, string>) => JSON.stringify(map);

function issuesFor(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig({ DATABASE_URL, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('privacy configuration', () => {
  it('When one PII key is given without an active id, Then that key is active', () => {
    const config = loadConfig({ DATABASE_URL, PII_ENCRYPTION_KEYS: keys({ k1: key(1) }), PII_BLIND_INDEX_KEY: key(9) });

    expect(config.pii).toEqual({ encryptionKeys: { k1: key(1) }, activeKeyId: 'k1', blindIndexKey: key(9) });
  });

  it('When several keys are given with an active id, Then that id encrypts (rotation)', () => {
    const config = loadConfig({ DATABASE_URL, PII_ENCRYPTION_KEYS: keys({ k1: key(1), k2: key(2) }), PII_ACTIVE_KEY_ID: 'k2' });

    expect(config.pii.activeKeyId).toBe('k2');
    expect(Object.keys(config.pii.encryptionKeys)).toEqual(['k1', 'k2']);
  });

  it.each([
    [{ PII_ENCRYPTION_KEYS: keys({ k1: key(1), k2: key(2) }) }, 'PII_ACTIVE_KEY_ID', /several keys/],
    [{ PII_ENCRYPTION_KEYS: keys({ k1: key(1) }), PII_ACTIVE_KEY_ID: 'k9' }, 'PII_ACTIVE_KEY_ID', /one of the ids/],
    [{ PII_ENCRYPTION_KEYS: keys({ k1: Buffer.alloc(16).toString('base64') }) }, 'PII_ENCRYPTION_KEYS', /exactly 32 bytes/],
    [{ PII_ENCRYPTION_KEYS: '{"k1":' }, 'PII_ENCRYPTION_KEYS', /must be JSON/],
    [{ PII_ENCRYPTION_KEYS: keys({ 'bad id!': key(1) }) }, 'PII_ENCRYPTION_KEYS', /key ids/],
    [{ PII_BLIND_INDEX_KEY: Buffer.alloc(8).toString('base64') }, 'PII_BLIND_INDEX_KEY', /at least 32 bytes/],
    [{ CODEC_CORS_ORIGINS: 'http://127.0.0.1:8233/ui' }, 'CODEC_CORS_ORIGINS', /without a path/],
    [{ IMPORT_PARTNERS: '{"unicef":{"url":"not a url"}}' }, 'IMPORT_PARTNERS', /URL/i],
  ])('When %j is invalid, Then the ConfigError names %s', (env, variable, reason) => {
    const issues = issuesFor(env);

    expect(issues).toHaveLength(1);
    expect(issues[0]!.variable).toBe(variable);
    expect(issues[0]!.message).toMatch(reason);
  });

  it('When NODE_ENV is production without PII keys, Then both are named as required', () => {
    const base = {
      SIGNER_PRIVATE_KEY: `0x${'cd'.repeat(32)}`,
      WALLET_MASTER_SECRET: 's'.repeat(32),
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
      ID_DERIVATION_KEY: 'i'.repeat(32),
    };

    const issues = issuesFor({ NODE_ENV: 'production', ...base }).map((i) => i.variable);

    expect(issues).toEqual(expect.arrayContaining(['PII_ENCRYPTION_KEYS', 'PII_BLIND_INDEX_KEY']));
  });

  it('When partners and origins are given, Then they are parsed', () => {
    const config = loadConfig({
      DATABASE_URL,
      IMPORT_PARTNERS: '{"unicef":{"url":"http://127.0.0.1:9999/feed","token":"t"}}',
      CODEC_CORS_ORIGINS: 'https://temporal.example.org, http://localhost:8233',
      IMPORT_CHUNK_SIZE: '250',
    });

    expect(config.imports).toEqual({ chunkSize: 250, partners: { unicef: { url: 'http://127.0.0.1:9999/feed', token: 't' } } });
    expect(config.codecCorsOrigins).toEqual(['https://temporal.example.org', 'http://localhost:8233']);
  });
});
