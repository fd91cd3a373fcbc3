import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** The API's own access tokens: HS256, 15 minutes, subject = user id. Nothing else is in
 * them; role and projects are read from the database on each request so that disabling a
 * user or changing their role takes effect at once. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 14 * 24 * 3600 * 1000;
export const ISSUER = 'rahat-temporal';
export const AUDIENCE = 'rahat-temporal-api';

const key = (secret: string) => new TextEncoder().encode(secret);

function sign(secret: string, userId: string, audience: string, ttlSeconds: number, now: number, claims = {}): Promise<string> {
  const iat = Math.floor(now / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuer(ISSUER)
    .setAudience(audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(key(secret));
}

/** The claims of a valid token; throws for a bad signature, wrong issuer or audience, expiry, or a missing claim. */
async function verify(secret: string, token: string, audience: string, required: string[] = []) {
  const { payload } = await jwtVerify(token, key(secret), {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience,
    requiredClaims: ['exp', 'sub', ...required],
  });
  return payload;
}

export const issueAccessToken = (secret: string, userId: string, now = Date.now()) =>
  sign(secret, userId, AUDIENCE, ACCESS_TOKEN_TTL_SECONDS, now);
export const verifyAccessToken = async (secret: string, token: string) => (await verify(secret, token, AUDIENCE)).sub!;

/**
 * The codec's browser session (api/routes/codec-session.ts): a JWT like the access token but
 * for another audience, so it is refused as a Bearer token and opens only /codec/*. It lives
 * in an HttpOnly cookie for a working shift and names its session row (`sid`), which is read
 * with the user on each request: signing out, or disabling the user, ends it at once.
 */
export const CODEC_AUDIENCE = 'rahat-temporal-codec';
export const CODEC_SESSION_TTL_SECONDS = 8 * 3600;
export const issueCodecSession = (secret: string, userId: string, now = Date.now(), sessionId: string = randomUUID()) =>
  sign(secret, userId, CODEC_AUDIENCE, CODEC_SESSION_TTL_SECONDS, now, { sid: sessionId });
export async function verifyCodecSession(secret: string, token: string): Promise<{ userId: string; sessionId: string }> {
  const payload = await verify(secret, token, CODEC_AUDIENCE, ['sid']);
  return { userId: payload.sub!, sessionId: String(payload.sid) };
}

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Opaque refresh token: 256 random bits. Only its sha256 is stored. */
export const newRefreshToken = () => `rt_${randomBytes(32).toString('base64url')}`;

/**
 * API key `rk_<prefix>_<secret>`: the 12-character prefix is not secret and finds the row;
 * the 256-bit secret is checked as sha256 of the whole key (a fast hash suits a random secret;
 * a password hash would only slow every request).
 */
export function newApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
  return { key: `rk_${prefix}_${randomBytes(32).toString('base64url')}`, prefix };
}

export function apiKeyPrefix(key: string): string | undefined {
  return /^rk_([A-Za-z0-9]{12})_[\w-]{43}$/.exec(key)?.[1];
}
