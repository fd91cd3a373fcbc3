import type { Browser } from 'playwright-core';
import { launchChromium } from '../support/browser';
import { startSystem, type System } from '../support/system';

/*
 * The interactive API documentation in a real browser: Swagger UI is served from
 * node_modules and must run under the API's Content-Security-Policy (no inline script).
 */

let sys: System;
let browser: Browser;

beforeAll(async () => {
  sys = await startSystem({}, { worker: false });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await sys?.stop();
});

it('When /docs is opened in a browser, Then Swagger UI renders the operations of /openapi.json without a CSP violation or script error', async () => {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });

  await page.goto(`${sys.api.url}/docs`);
  await page.locator('.opblock-summary-path').first().waitFor({ timeout: 20_000 });
  const paths = await page.locator('.opblock-summary-path').allInnerTexts();

  expect(paths.map((p) => p.trim())).toEqual(expect.arrayContaining(['/v1/beneficiaries', '/codec/decode', '/v1/distributions/batches']));
  expect(await page.title()).toBe('rahat-temporal API');
  expect(problems).toEqual([]);
}, 60_000);
