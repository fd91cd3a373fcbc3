import { Router, type Response } from 'express';
import { decodeJwt } from 'jose';
import { z } from 'zod';
import { setAuditActor } from '../auth/audit';
import { clearCodecSessionCookie, CODEC_SESSION_COOKIE, readCookie, setCodecSessionCookie } from '../auth/cookies';
import { Permission } from '../auth/permissions';
import { fromDbRole, ROLE_PERMISSIONS } from '../auth/roles';
import type { Sessions } from '../auth/sessions';
import { credentials, normalizeEmail } from '../auth/sessions';
import { sha256, verifyCodecSession } from '../auth/tokens';
import type { ApiDeps } from '../deps';
import { HttpProblem } from '../problem';
import { route, type RouteSpec } from '../route-spec';
import type { SharedLimit } from '../rate-limits';

/*
 * A browser session for the codec endpoint, so an operator reads decrypted payloads in the
 * Temporal Web UI even where the UI has no login of its own (the dev server's). The operator
 * signs in at /codec/login (same origin as the API), which sets an HttpOnly cookie scoped to
 * /codec; the Web UI, told to "Include cross-origin credentials", then sends it with every
 * /codec/decode call. docs/privacy.md has the steps and the limits.
 */

// No inline script or style attribute: the page works under the API's Content-Security-Policy.
const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><link rel="icon" href="data:,">
<title>Codec sign-in · rahat-temporal</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1b1f24}
label{display:block;margin:.75rem 0 .25rem}input{font:inherit;width:100%;padding:.4rem;box-sizing:border-box}
button{font:inherit;margin-top:1rem;padding:.4rem 1.2rem}[hidden]{display:none}
#message{margin-top:1rem;font-weight:600}#message.error{color:#b00020}code{background:#f3f4f6;padding:0 .2rem}
</style></head>
<body>
<h1>Read workflow payloads in the Temporal Web UI</h1>
<p>Workflow payloads are encrypted. Sign in with your rahat-temporal account (it needs the permission
<code>operations:read</code>) and this browser may decrypt them through the codec endpoint for 8 hours.</p>
<form id="signin" hidden>
<label for="email">Email</label><input id="email" name="email" type="email" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<section id="signedin" hidden>
<p>Signed in as <strong id="who"></strong> until <span id="until"></span>.</p>
<p>Next, once per browser, in the Temporal Web UI: the <em>Codec Server</em> icon (top right) →
<em>Use my browser setting</em> → endpoint <code id="endpoint"></code> → switch on
<em>Include cross-origin credentials</em> → <em>Apply</em>. Open the Web UI on the same host name as
this page (both <code>127.0.0.1</code>, or both <code>localhost</code>): the browser sends the
session only to the same site.</p>
<button id="signout" type="button">Sign out</button>
</section>
<p id="message" role="status"></p>
<script src="/codec/login.js"></script>
</body></html>`;

const SCRIPT = `(() => {
  const $ = (id) => document.getElementById(id);
  const say = (text, error) => { $('message').textContent = text; $('message').className = error ? 'error' : ''; };
  async function show() {
    const res = await fetch('/codec/session', { credentials: 'same-origin' });
    const signedIn = res.ok;
    $('signin').hidden = signedIn;
    $('signedin').hidden = !signedIn;
    if (!signedIn) return;
    const me = await res.json();
    $('who').textContent = me.email + ' (' + me.role + ')';
    $('until').textContent = new Date(me.expiresAt).toLocaleString();
    $('endpoint').textContent = location.origin + '/codec';
  }
  $('signin').addEventListener('submit', async (event) => {
    event.preventDefault();
    say('');
    const res = await fetch('/codec/session', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: $('email').value, password: $('password').value }),
    });
    $('password').value = '';
    if (!res.ok) {
      const problem = await res.json().catch(() => ({}));
      return say(problem.detail || 'Sign-in failed (' + res.status + ')', true);
    }
    await show();
    say('Signed in.');
  });
  $('signout').addEventListener('click', async () => {
    await fetch('/codec/session', { method: 'DELETE', credentials: 'same-origin' });
    await show();
    say('Signed out.');
  });
  show().catch((err) => say(String(err), true));
})();`;

/** The sign-in page's script: outside the route table, as it is not an API operation. */
export function codecLoginAssets(): Router {
  const router = Router();
  router.get('/codec/login.js', (_req, res) => {
    res.type('application/javascript').send(SCRIPT);
  });
  return router;
}

const localUserId = z.uuid();
const noStore = (res: Response) => res.setHeader('cache-control', 'no-store');

/** Part of the auth routes: sign-in shares their per-IP and per-account attempt limits. */
export function codecSessionRoutes({ prisma, security }: ApiDeps, sessions: Sessions, attempts: SharedLimit): RouteSpec[] {
  return [
    route({
      method: 'get',
      path: '/codec/login',
      summary: 'Sign-in page for reading payloads in the Temporal Web UI (sets the codec session)',
      tags: ['operations'],
      permission: 'public',
      responses: { 200: { description: 'HTML page' } },
      async handler({ res }) {
        noStore(res);
        res.type('html').send(PAGE);
      },
    }),
    route({
      method: 'post',
      path: '/codec/session',
      summary: 'Start a codec session: an HttpOnly cookie that lets this browser call /codec/decode and /codec/encode for 8 hours',
      tags: ['operations'],
      permission: 'public',
      body: credentials,
      responses: {
        204: { description: 'Signed in; the session cookie is set' },
        401: { description: 'Refused' },
        403: { description: 'The user lacks operations:read' },
        429: { description: 'Too many attempts; see Retry-After' },
      },
      async handler({ req, res, body }) {
        await attempts.take(`ip:${req.ip}`, res);
        await attempts.take(`account:${sha256(normalizeEmail(body.email))}`, res);
        const user = await sessions.verifyCredentials(body.email, body.password);
        setAuditActor(res, { kind: 'user', id: user.id });
        if (!ROLE_PERMISSIONS[fromDbRole(user.role)].has(Permission.OperationsRead)) {
          throw new HttpProblem(403, 'Forbidden', `requires permission ${Permission.OperationsRead}`);
        }
        setCodecSessionCookie(req, res, await sessions.startCodecSession(user.id));
        noStore(res);
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/codec/session',
      summary: 'Who the codec session belongs to and when it ends',
      tags: ['operations'],
      permission: Permission.OperationsRead,
      sessionCookie: true,
      responses: { 200: { description: '{email, role, expiresAt}; expiresAt is null when the caller sent a token or key instead' } },
      async handler({ req, res, actor }) {
        // Users of an external identity provider (idp:…) have no row here.
        const local = actor?.kind === 'user' && localUserId.safeParse(actor.id).success;
        const user = local ? await prisma.user.findUnique({ where: { id: actor.id } }) : null;
        const cookie = req.get('authorization') || req.get('x-api-key') ? undefined : readCookie(req, CODEC_SESSION_COOKIE);
        const exp = cookie ? decodeJwt(cookie).exp : undefined;
        noStore(res);
        res.json({
          email: user?.email ?? null,
          role: user ? fromDbRole(user.role) : null,
          expiresAt: exp ? new Date(exp * 1000).toISOString() : null,
        });
      },
    }),
    route({
      method: 'delete',
      path: '/codec/session',
      summary:
        'End the codec session of this browser: the session is revoked (a copy of the cookie stops working too) and the cookie cleared',
      tags: ['operations'],
      // Clearing a cookie needs no credentials; a cross-site page cannot send DELETE without a CORS preflight.
      permission: 'public',
      responses: { 204: { description: 'Signed out; the session is revoked on every API instance' } },
      async handler({ req, res }) {
        const cookie = readCookie(req, CODEC_SESSION_COOKIE);
        // A cookie that no longer verifies names nothing to revoke; it is cleared all the same.
        const claims = cookie ? await verifyCodecSession(security.jwtSecret, cookie).catch(() => undefined) : undefined;
        if (claims && z.uuid().safeParse(claims.sessionId).success) await sessions.endCodecSession(claims.sessionId);
        clearCodecSessionCookie(req, res);
        res.status(204).end();
      },
    }),
  ];
}
