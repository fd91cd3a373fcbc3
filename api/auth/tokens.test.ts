import { SignJWT, UnsecuredJWT } from 'jose';
import {
  apiKeyPrefix,
  AUDIENCE,
  CODEC_SESSION_TTL_SECONDS,
  ISSUER,
  issueAccessToken,
  issueCodecSession,
  newApiKey,
  newRefreshToken,
  sameHash,
  sha256,
  verifyAccessToken,
  verifyCodecSession,
} from './tokens';

const SECRET = 'a-test-secret-that-is-long-enough-1234';

describe('access tokens', () => {
  it('When a token is issued, Then it verifies to its user id and expires in 15 minutes', async () => {
    const token = await issueAccessToken(SECRET, 'user-1');

    expect(await verifyAccessToken(SECRET, token)).toBe('user-1');
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload.exp - payload.iat).toBe(900);
  });

  it('When the token is older than 15 minutes, Then it is refused as expired', async () => {
    const token = await issueAccessToken(SECRET, 'user-1', Date.now() - 16 * 60_000);

    await expect(verifyAccessToken(SECRET, token)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('When the payload is changed or another secret signed it, Then it is refused', async () => {
    const token = await issueAccessToken(SECRET, 'user-1');
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 9e9 })).toString('base64url');

    await expect(verifyAccessToken(SECRET, `${h}.${forged}.${s}`)).rejects.toMatchObject({ code: 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' });
    await expect(verifyAccessToken('another-secret-that-is-long-enough-99', token)).rejects.toBeDefined();
  });

  it('When the token is unsigned (alg none) or HS512, Then it is refused', async () => {
    const none = new UnsecuredJWT({}).setSubject('user-1').setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('5m').encode();
    const hs512 = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS512' })
      .setSubject('u')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));

    await expect(verifyAccessToken(SECRET, none)).rejects.toBeDefined();
    await expect(verifyAccessToken(SECRET, hs512)).rejects.toMatchObject({ code: 'ERR_JOSE_ALG_NOT_ALLOWED' });
  });
});

describe('codec sessions', () => {
  it('When a codec session is issued, Then it names its session row, verifies for the codec for 8 hours and never as an access token, nor the reverse', async () => {
    const session = await issueCodecSession(SECRET, 'user-1', Date.now(), 'session-1');
    const access = await issueAccessToken(SECRET, 'user-1');
    const payload = JSON.parse(Buffer.from(session.split('.')[1], 'base64url').toString());

    expect(await verifyCodecSession(SECRET, session)).toEqual({ userId: 'user-1', sessionId: 'session-1' });
    expect(payload.exp - payload.iat).toBe(CODEC_SESSION_TTL_SECONDS);
    expect(CODEC_SESSION_TTL_SECONDS).toBe(8 * 3600);
    await expect(verifyAccessToken(SECRET, session)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'aud' });
    // Refused for its audience, or first for naming no session (jose checks required claims first).
    await expect(verifyCodecSession(SECRET, access)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED' });
  });

  it('When the session is older than 8 hours, Then it is refused as expired', async () => {
    const session = await issueCodecSession(SECRET, 'user-1', Date.now() - CODEC_SESSION_TTL_SECONDS * 1000 - 60_000);

    await expect(verifyCodecSession(SECRET, session)).rejects.toMatchObject({ code: 'ERR_JWT_EXPIRED' });
  });

  it('When a codec token names no session (issued before sessions were recorded), Then it is refused', async () => {
    const { SignJWT } = await import('jose');
    const iat = Math.floor(Date.now() / 1000);
    const legacy = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer('rahat-temporal')
      .setAudience('rahat-temporal-codec')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(new TextEncoder().encode(SECRET));

    await expect(verifyCodecSession(SECRET, legacy)).rejects.toMatchObject({ code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'sid' });
  });
});

describe('opaque secrets', () => {
  it('When an API key is made, Then its prefix is recoverable from it and two keys differ', () => {
    const a = newApiKey();
    const b = newApiKey();

    expect(apiKeyPrefix(a.key)).toBe(a.prefix);
    expect(a.key).not.toBe(b.key);
    expect(a.key).toMatch(/^rk_[A-Za-z0-9]{12}_[\w-]{43}$/);
    expect(apiKeyPrefix(`${a.key}x`)).toBeUndefined();
    expect(newRefreshToken()).toMatch(/^rt_[\w-]{43}$/);
  });

  it('When hashes are compared, Then only equal hashes match', () => {
    expect(sameHash(sha256('a'), sha256('a'))).toBe(true);
    expect(sameHash(sha256('a'), sha256('b'))).toBe(false);
    expect(sameHash(sha256('a'), 'abcd')).toBe(false);
  });
});
