import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import type { Browser, Page, Response } from 'playwright-core';
import { hashPassword } from '../../api/auth/passwords';
import { toDbRole } from '../../api/auth/roles';
import { issueAccessToken, issueCodecSession } from '../../api/auth/tokens';
import { createDataConverter } from '../../common/data-converter';
import { ENCRYPTED_ENCODING } from '../../common/payload-codec';
import { freePort } from '../../scripts/stack/process';
import { startTemporal, type TemporalServer } from '../../scripts/stack/temporal';
import { launchChromium } from '../support/browser';
import { call, startSystem, type System } from '../support/system';

/*
 * The codec's browser session: an operator signs in at /codec/login and the Temporal Web UI,
 * told to include credentials, decrypts payloads through /codec/decode. Checked over HTTP
 * (what the cookie opens and what it does not) and in a real Chromium against the real Web UI
 * of a `temporal server start-dev` pointed at this API.
 */

let sys: System;
let uiPort: number;
const operator = { id: randomUUID(), email: `operator-${randomUUID()}@test.local`, password: `pw-${randomUUID()}` };

beforeAll(async () => {
  uiPort = await freePort();
  sys = await startSystem({ CODEC_CORS_ORIGINS: `http://127.0.0.1:${uiPort}` }, { worker: false });
  await sys.prisma.user.create({
    data: { id: operator.id, email: operator.email, passwordHash: await hashPassword(operator.password), role: toDbRole('operator'), projects: [] },
  });
}, 120_000);

afterAll(async () => {
  await sys?.stop();
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const plainPayload = (value: unknown) => ({ metadata: { encoding: b64('json/plain') }, data: b64(JSON.stringify(value)) });

async function signIn(credentials = operator): Promise<{ status: number; cookie?: string; setCookie: string | null; body: any }> {
  const res = await call(sys.api.url, 'POST', '/codec/session', { email: credentials.email, password: credentials.password }, { auth: 'none' });
  const setCookie = res.headers.get('set-cookie');
  return { status: res.status, setCookie, cookie: setCookie?.split(';')[0], body: res.body };
}
const withCookie = (cookie: string) => ({ auth: 'none' as const, headers: { cookie } });

describe('codec session over HTTP', () => {
  it('When an operator signs in, Then the cookie is HttpOnly, SameSite=Strict, scoped to /codec, lasts 8 hours and says who it is', async () => {
    const { status, setCookie, cookie } = await signIn();
    const me = await call(sys.api.url, 'GET', '/codec/session', undefined, withCookie(cookie!));

    expect(status).toBe(204);
    expect(setCookie).toMatch(/^rahat_codec=[\w-]+\.[\w-]+\.[\w-]+;/);
    expect(setCookie).toMatch(/; Path=\/codec(;|$)/);
    expect(setCookie).toMatch(/; HttpOnly(;|$)/);
    expect(setCookie).toMatch(/; SameSite=Strict(;|$)/);
    expect(setCookie).toMatch(/; Max-Age=28800(;|$)/);
    expect(me.status).toBe(200);
    expect(me.body.email).toBe(operator.email);
    expect(me.body.role).toBe('operator');
    expect(Math.abs(Date.parse(me.body.expiresAt) - (Date.now() + 8 * 3600_000))).toBeLessThan(60_000);
  });

  it('When the Web UI sends the cookie to encode and decode (with ?preserveStorageRefs=true), Then the payload makes the round trip', async () => {
    const { cookie } = await signIn();
    const original = plainPayload({ beneficiaryId: 'b-1', amount: '2500' });

    const encoded = await call(sys.api.url, 'POST', '/codec/encode?preserveStorageRefs=true', { payloads: [original] }, withCookie(cookie!));
    const decoded = await call(sys.api.url, 'POST', '/codec/decode?preserveStorageRefs=true', encoded.body, withCookie(cookie!));

    expect(encoded.status).toBe(200);
    expect(Buffer.from(encoded.body.payloads[0].metadata.encoding, 'base64').toString()).toBe(ENCRYPTED_ENCODING);
    expect(encoded.body.payloads[0].data).not.toBe(original.data);
    expect(decoded.status).toBe(200);
    expect(decoded.body.payloads).toEqual([original]);
  });

  it('When the cookie is sent anywhere but /codec, or as a Bearer token, or an access token is put in the cookie, Then it is refused', async () => {
    const { cookie } = await signIn();
    const session = cookie!.split('=')[1];
    const access = await issueAccessToken(sys.config.security.jwtSecret, operator.id);
    const body = { payloads: [plainPayload(1)] };

    // The same permission (operations:read), outside /codec.
    const queues = await call(sys.api.url, 'GET', '/v1/queues', undefined, withCookie(cookie!));
    const asBearer = await call(sys.api.url, 'POST', '/codec/encode', body, { auth: { bearer: session } });
    const accessInCookie = await call(sys.api.url, 'POST', '/codec/encode', body, withCookie(`rahat_codec=${access}`));

    expect(queues.status).toBe(401);
    expect(asBearer.status).toBe(401);
    expect(accessInCookie.status).toBe(401);
    expect(accessInCookie.body.detail).toMatch(/sign in again at \/codec\/login/);
  });

  it('When the password is wrong or a field is missing, Then no cookie is set and the answer says why', async () => {
    const wrong = await signIn({ ...operator, password: 'not-the-password' });
    const missing = await call(sys.api.url, 'POST', '/codec/session', { email: operator.email }, { auth: 'none' });
    const form = await call(sys.api.url, 'POST', '/codec/session', `email=${operator.email}&password=x`, {
      auth: 'none',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    expect(wrong.status).toBe(401);
    expect(wrong.setCookie).toBeNull();
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'body.password' })]);
    expect(missing.headers.get('set-cookie')).toBeNull();
    // Only JSON: a cross-site HTML form cannot sign a browser in (no login CSRF).
    expect(form.status).toBe(415);
  });

  it('When the session has expired or its user is disabled, Then the cookie no longer opens the codec', async () => {
    const body = { payloads: [plainPayload(1)] };
    const stale = await issueCodecSession(sys.config.security.jwtSecret, operator.id, Date.now() - 9 * 3600_000);
    const expired = await call(sys.api.url, 'POST', '/codec/encode', body, withCookie(`rahat_codec=${stale}`));
    const other = { id: randomUUID(), email: `leaver-${randomUUID()}@test.local`, password: `pw-${randomUUID()}` };
    await sys.prisma.user.create({
      data: { id: other.id, email: other.email, passwordHash: await hashPassword(other.password), role: toDbRole('viewer'), projects: [] },
    });
    const { cookie } = await signIn(other);
    const before = await call(sys.api.url, 'POST', '/codec/encode', body, withCookie(cookie!));

    await sys.prisma.user.update({ where: { id: other.id }, data: { disabledAt: new Date() } });
    const after = await call(sys.api.url, 'POST', '/codec/encode', body, withCookie(cookie!));

    expect(expired.status).toBe(401);
    expect(expired.body.detail).toMatch(/expired/);
    expect(before.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('When the browser signs out, Then the cookie is cleared', async () => {
    const res = await call(sys.api.url, 'DELETE', '/codec/session', undefined, { auth: 'none' });

    expect(res.status).toBe(204);
    expect(res.headers.get('set-cookie')).toMatch(/^rahat_codec=;.*Path=\/codec;.*Expires=Thu, 01 Jan 1970/);
  });
});

describe('the Temporal Web UI with the codec session', () => {
  let temporal: TemporalServer;
  let browser: Browser;
  const marker = `codec-ui-${randomUUID()}`;
  const workflowId = `codec-ui-${randomUUID()}`;

  beforeAll(async () => {
    // A dev server of its own, with its Web UI pointed at this suite's API, as `npm start` does.
    temporal = await startTemporal({ uiPort, codecEndpoint: `${sys.api.url}/codec` });
    const connection = await Connection.connect({ address: temporal.address });
    const client = new Client({ connection, dataConverter: createDataConverter(sys.config.pii) });
    // No worker polls this queue: the encrypted input sits in the started event, which is all the page needs.
    await client.workflow.start('registerBeneficiaryWorkflow', {
      taskQueue: 'codec-ui-nobody',
      workflowId,
      args: [{ beneficiaryId: marker, projectId: 'codec-ui' }],
    });
    await connection.close();
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await temporal?.stop();
  });

  /**
   * Opens the workflow's page and waits for its Input panel; resolves with the statuses of the
   * decode calls the page made and its text. (A running workflow's page keeps polling, so the
   * network never goes idle.)
   */
  async function openWorkflow(page: Page): Promise<{ decodeStatuses: number[]; text: string }> {
    const decodeStatuses: number[] = [];
    const record = (r: Response) => {
      if (r.url().startsWith(`${sys.api.url}/codec/decode`) && r.request().method() === 'POST') decodeStatuses.push(r.status());
    };
    page.on('response', record);
    const firstDecode = page.waitForResponse((r) => r.url().startsWith(`${sys.api.url}/codec/decode`));
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows/${workflowId}`);
    await firstDecode;
    await page.getByText('Input', { exact: true }).filter({ visible: true }).first().waitFor();
    await page.waitForTimeout(1000); // the panel renders what the decode call returned
    page.off('response', record);
    return { decodeStatuses, text: await page.locator('body').innerText() };
  }

  /** The operator's one-time set-up in the Web UI: browser-level codec endpoint, cross-origin credentials on. */
  async function configureCodec(page: Page): Promise<void> {
    await page.goto(`${temporal.uiUrl}/namespaces/default/workflows`);
    await page.getByTestId('data-encoder-status-configured').click();
    await page.getByTestId('use-local-endpoint-input').check();
    await page.getByTestId('data-encoder-endpoint-input').fill(`${sys.api.url}/codec`);
    await page.getByTestId('data-encoder-include-credentials').click();
    expect(await page.locator('#pass-access-credentials').isChecked()).toBe(true);
    await page.getByTestId('confirm-modal-button').filter({ hasText: 'Apply' }).click();
    // The UI keeps these settings in its origin's localStorage: applied once they are there.
    await page.waitForFunction("localStorage.getItem('includeCredentials') === 'true'");
  }

  it('When an operator signs in at /codec/login, Then the workflow page shows the decrypted input; before sign-in and after sign-out it does not', async () => {
    const page = await (await browser.newContext()).newPage();
    await configureCodec(page);

    const anonymous = await openWorkflow(page);
    expect(anonymous.decodeStatuses.length).toBeGreaterThan(0);
    expect(anonymous.decodeStatuses.every((s) => s === 401)).toBe(true);
    expect(anonymous.text).not.toContain(marker);

    await page.goto(`${sys.api.url}/codec/login`);
    await page.fill('#email', operator.email);
    await page.fill('#password', operator.password);
    await page.click('button[type=submit]');
    await page.locator('#signedin').waitFor({ state: 'visible' });
    expect(await page.locator('#endpoint').innerText()).toBe(`${sys.api.url}/codec`);

    const signedIn = await openWorkflow(page);
    expect(signedIn.decodeStatuses.every((s) => s === 200)).toBe(true);
    expect(signedIn.text).toContain(marker);

    await page.goto(`${sys.api.url}/codec/login`);
    await page.click('#signout');
    await page.locator('#signin').waitFor({ state: 'visible' });
    const signedOut = await openWorkflow(page);
    expect(signedOut.decodeStatuses.length).toBeGreaterThan(0);
    expect(signedOut.decodeStatuses.every((s) => s === 401)).toBe(true);
    expect(signedOut.text).not.toContain(marker);
  }, 120_000);
});
