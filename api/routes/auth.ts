import { z } from 'zod';
import { setAuditActor } from '../auth/audit';
import { createSessions, credentials, normalizeEmail, type TokenPair } from '../auth/sessions';
import { sha256 } from '../auth/tokens';
import type { ApiDeps } from '../deps';
import { route, type RouteSpec } from '../route-spec';
import { codecSessionRoutes } from './codec-session';

const refreshBody = z.strictObject({ refreshToken: z.string().regex(/^rt_[\w-]{43}$/, 'must be a refresh token issued by this API') });
const tokenResponses = {
  200: { description: 'An access token (Bearer, 15 minutes) and a new refresh token' },
  401: { description: 'Refused' },
  429: { description: 'Too many attempts; see Retry-After' },
};

/** Login, refresh and logout (and the codec's sign-in) are public: they are how credentials are obtained. */
export function authRoutes(deps: ApiDeps): RouteSpec[] {
  const { prisma, security } = deps;
  const sessions = createSessions(prisma, security.jwtSecret);
  // Password guessing is limited per IP and per account, apart from the general rate limit.
  const attempts = deps.limits.logins;
  const sendTokens = (res: import('express').Response, tokens: TokenPair) =>
    res.status(200).setHeader('cache-control', 'no-store').json(tokens);

  return [
    ...codecSessionRoutes(deps, sessions, attempts),
    route({
      method: 'post',
      path: '/v1/auth/login',
      summary: 'Log in with email and password',
      tags: ['auth'],
      permission: 'public',
      body: credentials,
      responses: tokenResponses,
      async handler({ req, res, body }) {
        await attempts.take(`ip:${req.ip}`, res);
        await attempts.take(`account:${sha256(normalizeEmail(body.email))}`, res);
        const { userId, tokens } = await sessions.login(body.email, body.password);
        setAuditActor(res, { kind: 'user', id: userId });
        sendTokens(res, tokens);
      },
    }),
    route({
      method: 'post',
      path: '/v1/auth/refresh',
      summary: 'Exchange a refresh token for a new access and refresh token (the old one stops working)',
      tags: ['auth'],
      permission: 'public',
      body: refreshBody,
      responses: tokenResponses,
      async handler({ res, body }) {
        const { userId, tokens } = await sessions.refresh(body.refreshToken);
        setAuditActor(res, { kind: 'user', id: userId });
        sendTokens(res, tokens);
      },
    }),
    route({
      method: 'post',
      path: '/v1/auth/logout',
      summary: 'End the session of a refresh token',
      tags: ['auth'],
      permission: 'public',
      body: refreshBody,
      responses: { 204: { description: 'The session is ended (also when the token was unknown)' } },
      async handler({ res, body }) {
        const userId = await sessions.logout(body.refreshToken);
        if (userId) setAuditActor(res, { kind: 'user', id: userId });
        res.status(204).end();
      },
    }),
  ];
}
