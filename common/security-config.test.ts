import { ConfigError, loadConfig } from './config';

const DATABASE_URL = 'postgresql://rahat:rahat@127.0.0.1:5432/rahat';

function issuesFor(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig({ DATABASE_URL, ...env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).issues;
  }
  throw new Error('expected a ConfigError');
}

describe('security configuration', () => {
  it('When nothing is set, Then a development JWT secret, no CORS origin, no identity provider and no bootstrap admin apply', () => {
    const { security } = loadConfig({ DATABASE_URL });

    expect(security.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect(security).toMatchObject({
      corsOrigins: [],
      jwks: undefined,
      bootstrapAdmin: undefined,
      rateLimitPerMinute: 600,
      loginRateLimitPerMinute: 10,
    });
  });

  it('When NODE_ENV is production without JWT_SECRET, Then JWT_SECRET is named as required', () => {
    const otherSecrets = {
      SIGNER_PRIVATE_KEY: `0x${'cd'.repeat(32)}`,
      WALLET_MASTER_SECRET: 's'.repeat(32),
      WEBHOOK_SECRET_KEY: 'w'.repeat(32),
      ID_DERIVATION_KEY: 'i'.repeat(32),
    };
    expect(issuesFor({ NODE_ENV: 'production', ...otherSecrets })).toContainEqual({
      variable: 'JWT_SECRET',
      message: 'is required in production',
    });
  });

  it('When JWT_SECRET is short, Then it is refused', () => {
    expect(issuesFor({ JWT_SECRET: 'short' })).toEqual([{ variable: 'JWT_SECRET', message: 'must be at least 32 characters' }]);
  });

  it('When only part of the identity provider is given, Then the missing variables are named', () => {
    expect(issuesFor({ JWT_JWKS_URL: 'https://idp.example.org/jwks.json' })).toEqual([
      { variable: 'JWT_ISSUER', message: 'is required when an identity provider is configured' },
      { variable: 'JWT_AUDIENCE', message: 'is required when an identity provider is configured' },
    ]);
  });

  it('When all of the identity provider is given, Then it is configured with the role claim', () => {
    const { security } = loadConfig({
      DATABASE_URL,
      JWT_JWKS_URL: 'https://idp.example.org/jwks.json',
      JWT_ISSUER: 'https://idp.example.org/',
      JWT_AUDIENCE: 'rahat',
    });

    expect(security.jwks).toEqual({
      url: 'https://idp.example.org/jwks.json',
      issuer: 'https://idp.example.org/',
      audience: 'rahat',
      roleClaim: 'role',
    });
  });

  it('When ADMIN_EMAIL comes without ADMIN_PASSWORD, or the password is short, Then the variable is named', () => {
    expect(issuesFor({ ADMIN_EMAIL: 'root@example.org' })).toEqual([
      { variable: 'ADMIN_PASSWORD', message: 'is required together with ADMIN_EMAIL' },
    ]);
    expect(issuesFor({ ADMIN_EMAIL: 'root@example.org', ADMIN_PASSWORD: 'short' })[0].variable).toBe('ADMIN_PASSWORD');
    expect(
      loadConfig({ DATABASE_URL, ADMIN_EMAIL: 'admin@localhost', ADMIN_PASSWORD: 'long-enough-pass' }).security.bootstrapAdmin,
    ).toEqual({
      email: 'admin@localhost',
      password: 'long-enough-pass',
    });
  });

  it('When CORS_ORIGINS lists origins, Then they are parsed; a path or a non-URL is refused', () => {
    expect(loadConfig({ DATABASE_URL, CORS_ORIGINS: 'https://a.example.org, http://localhost:5173' }).security.corsOrigins).toEqual([
      'https://a.example.org',
      'http://localhost:5173',
    ]);
    expect(issuesFor({ CORS_ORIGINS: 'https://a.example.org/app' })[0].variable).toBe('CORS_ORIGINS');
    expect(issuesFor({ CORS_ORIGINS: 'not a url' })[0].variable).toBe('CORS_ORIGINS');
  });
});
