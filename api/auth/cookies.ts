import type { Request, Response } from 'express';
import { CODEC_SESSION_TTL_SECONDS } from './tokens';

/**
 * The codec's browser session (api/routes/codec-session.ts). HttpOnly, so page scripts never
 * see it; Path=/codec, so it goes nowhere else; SameSite=Strict, so only pages of the same site
 * (the Web UI on the API's host name, another port) send it, and only when they ask for
 * credentials ("Include cross-origin credentials" in the Web UI's codec settings).
 */
export const CODEC_SESSION_COOKIE = 'rahat_codec';
const PATH = '/codec';

/** The value of one cookie of the request, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Secure when the request came over TLS, directly or through a proxy that says so. */
const secure = (req: Request) => req.secure || req.get('x-forwarded-proto') === 'https';

export function setCodecSessionCookie(req: Request, res: Response, token: string): void {
  res.cookie(CODEC_SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: PATH,
    secure: secure(req),
    maxAge: CODEC_SESSION_TTL_SECONDS * 1000,
  });
}

export function clearCodecSessionCookie(req: Request, res: Response): void {
  res.clearCookie(CODEC_SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', path: PATH, secure: secure(req) });
}
